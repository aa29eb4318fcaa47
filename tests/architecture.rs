//! The shape of `src`, checked: the modules form a DAG, and nothing the
//! pure core reaches does I/O. These are read from the source text (`use
//! crate::…` and `crate::…` paths), so a new cycle or a shell import in the
//! core fails here before review. The module graph counts every line, test
//! code included (a test that reaches for `config` closes a circle as surely
//! as the code beside it: a module's tests use what sits below it, or move
//! up to the module that composes both); the I/O check leaves test code
//! out, since tests may drive the runtime.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pure core: state machines and rules, `(state, event, now, facts) ->
/// (state, effects)`.
const CORE: &[&str] = &["conversation", "policy", "retention", "followup", "agents", "catalogue", "report", "records"];

/// Crates that do I/O or own a runtime; the core must not reach them.
const SHELL_CRATES: &[&str] = &["tokio", "sqlx", "teloxide", "axum", "reqwest", "hyper"];

/// Every top-level module of `src` and, per module, the crate's modules and
/// the external crates its non-test code names.
struct Graph {
    modules: BTreeMap<String, BTreeSet<String>>,
    externals: BTreeMap<String, BTreeSet<String>>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments.
fn without_comments(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Code without its `#[cfg(test)]` modules.
fn production_code(code: &str) -> String {
    let mut kept = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let is_inline_module =
            item.split('{').next().is_some_and(|head| head.split_whitespace().rev().nth(1) == Some("mod"));
        rest = match (is_inline_module, item.find('{')) {
            (true, Some(open)) => skip_block(&item[open..]),
            _ => after,
        };
    }
    kept.push_str(rest);
    kept
}

/// What follows the brace-balanced block `text` starts with.
fn skip_block(text: &str) -> &str {
    let mut depth = 0;
    for (at, ch) in text.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[at + 1..];
                }
            }
            _ => {}
        }
    }
    ""
}

/// The first identifiers after `crate::`, including every top-level name
/// of a `crate::{a, b::c, d::{e, f}}` group.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut expecting_name = true;
            let mut name = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if depth == 1 && (ch.is_alphanumeric() || ch == '_') {
                    if expecting_name {
                        name.push(ch);
                    }
                } else {
                    if !name.is_empty() {
                        names.insert(std::mem::take(&mut name));
                    }
                    expecting_name = depth == 1 && (ch == ',' || (ch.is_whitespace() && expecting_name));
                }
            }
            if !name.is_empty() {
                names.insert(name);
            }
        } else {
            let name: String = rest.chars().take_while(|ch| ch.is_alphanumeric() || *ch == '_').collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let module_of = |path: &Path| -> Option<String> {
        let relative = path.strip_prefix(&src).ok()?;
        let first = relative.components().next()?.as_os_str().to_str()?;
        Some(first.trim_end_matches(".rs").to_owned())
    };
    // The library's modules, as lib.rs declares them (main.rs has its own, for the command line).
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let modules: BTreeSet<String> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod ").or_else(|| line.trim().strip_prefix("mod ")))
        .filter_map(|rest| rest.strip_suffix(';'))
        .map(str::to_owned)
        .collect();
    let mut graph = Graph { modules: BTreeMap::new(), externals: BTreeMap::new() };
    for path in &files {
        let Some(module) = module_of(path).filter(|module| modules.contains(module)) else { continue };
        let text = std::fs::read_to_string(path).expect("a source file is readable");
        let code = without_comments(&text);
        let uses = graph.modules.entry(module.clone()).or_default();
        uses.extend(crate_paths(&code).into_iter().filter(|name| *name != module && modules.contains(name)));
        if path.file_name().is_some_and(|name| name == "tests.rs") {
            continue;
        }
        let externals = graph.externals.entry(module).or_default();
        for krate in SHELL_CRATES {
            if production_code(&code).contains(&format!("{krate}::")) {
                externals.insert((*krate).to_owned());
            }
        }
    }
    graph
}

/// A cycle through `start`, if there is one, as the path that closes it.
fn cycle_through(graph: &Graph, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().expect("a path is never empty");
        for next in graph.modules.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

fn reachable(graph: &Graph, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([start.to_owned()]);
    let mut todo = vec![start.to_owned()];
    while let Some(module) = todo.pop() {
        for next in graph.modules.get(&module).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

#[test]
fn the_modules_of_src_form_no_cycle() {
    let graph = graph();
    let cycles: Vec<String> = graph
        .modules
        .keys()
        .filter_map(|module| cycle_through(&graph, module))
        .map(|cycle| cycle.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "modules that import each other in a circle:\n{}", cycles.join("\n"));
}

#[test]
fn nothing_the_core_reaches_does_io() {
    let graph = graph();
    let mut offences = Vec::new();
    for core in CORE {
        for module in reachable(&graph, core) {
            for krate in graph.externals.get(&module).into_iter().flatten() {
                offences.push(format!("{core} reaches {module}, which uses {krate}"));
            }
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn test_modules_are_left_out_and_the_code_after_them_is_read() {
    let text = "use crate::a::X;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\npub mod fixtures {\n    use crate::b::Y;\n    fn f() { {} }\n}\nuse crate::c::Z; // crate::d\n";
    let expected: BTreeSet<String> = ["a", "c"].map(String::from).into();
    assert_eq!(crate_paths(&production_code(&without_comments(text))), expected);
}

#[test]
fn the_reader_sees_group_imports_and_plain_paths() {
    let names =
        crate_paths("use crate::{money::Money, order::{OrderNo, Phone}, typed};\nlet x = crate::policy::decide(r);");
    let expected: BTreeSet<String> = ["money", "order", "typed", "policy"].map(String::from).into();
    assert_eq!(names, expected);
}
