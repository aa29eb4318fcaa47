//! The policy tools on the command line: `policy explain` on a demo order,
//! `policy check` on good and bad configs, and `policy replay` of a stored
//! case under draft rules.

use std::process::{Command, Output};

use aftersales::case::{CaseId, NewCase};
use aftersales::config::Config;
use aftersales::lang::Lang;
use aftersales::order::OrderNo;
use aftersales::policy::{self, LineHistory, Outcome, Request};
use aftersales::reason::Reason;
use aftersales::store::customers::{self, Identity};
use aftersales::store::{cases, orders};

use crate::helpers::{Shop, binary};

fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.env("RUST_BACKTRACE", "0").env("RUST_LIB_BACKTRACE", "0").output().expect("run aftersales");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

const BAG: [&str; 8] = ["policy", "explain", "--order", "DEMO-1006", "--line", "BAG-PC-15", "--reason", "changed_mind"];

#[test]
fn explain_says_the_window_passed_and_what_to_do_next() {
    let shop = Shop::new();
    let (output, text, stderr) = run(shop.command(&BAG).args(["--outcome", "return_refund", "--lang", "en"]));
    assert!(output.status.success(), "{stderr}");
    assert!(text.contains("no_reason_window_passed"), "{text}");
    assert!(text.contains("ended"), "the window passed: {text}");
    assert!(text.contains("Next:"), "a next step is named: {text}");
    assert!(text.contains("Delivered"), "the facts are listed: {text}");
    assert!(text.contains("You can still exchange it") && text.contains("Exchange instead"), "{text}");

    let (output, json, stderr) = run(shop.command(&BAG).args(["--outcome", "return_refund", "--json"]));
    assert!(output.status.success(), "{stderr}");
    let decision: serde_json::Value = serde_json::from_str(&json).expect("the decision as JSON");
    assert_eq!(decision["verdict"], "not_eligible", "{json}");
    assert_eq!(decision["rule"], "no_reason_window_passed", "{json}");
    assert_eq!(decision["outcome"], "return_refund", "{json}");
    assert!(decision["facts"].as_array().is_some_and(|facts| !facts.is_empty()), "{json}");
    assert_eq!(decision["still_possible"][0]["kind"], "exchange", "{json}");
    assert_eq!(decision["still_possible"][1]["kind"], "quality_claim", "{json}");

    // Within the window, and with the outcome left to its default.
    let (output, json, stderr) = run(&mut shop.command(&[
        "policy",
        "explain",
        "--order",
        "demo-1004",
        "--line",
        "JKT-WB-M",
        "--reason",
        "changed_mind",
        "--resale-intact",
        "yes",
        "--json",
    ]));
    assert!(output.status.success(), "{stderr}");
    let decision: serde_json::Value = serde_json::from_str(&json).expect("the decision as JSON");
    assert_eq!((decision["verdict"].as_str(), decision["outcome"].as_str()), (Some("approved"), Some("return_refund")));
}

#[test]
fn explain_names_what_is_wrong_and_the_valid_codes() {
    let shop = Shop::new();
    let cases: [(&[&str], &[&str]); 4] = [
        (&["--order", "DEMO-9999", "--line", "BAG-PC-15", "--reason", "changed_mind"], &["DEMO-9999"]),
        (&["--order", "DEMO-1006", "--line", "NOPE", "--reason", "changed_mind"], &["NOPE", "BAG-PC-15"]),
        (
            &["--order", "DEMO-1006", "--line", "BAG-PC-15", "--reason", "bored"],
            &["bored", "changed_mind", "wrong_item"],
        ),
        (
            &["--order", "DEMO-1006", "--line", "BAG-PC-15", "--reason", "changed_mind", "--outcome", "swap"],
            &["swap", "return_refund", "exchange"],
        ),
    ];
    for (args, mentions) in cases {
        let (output, _, stderr) = run(shop.command(&["policy", "explain"]).args(args));
        assert!(!output.status.success(), "{args:?} should fail");
        for mention in mentions {
            assert!(stderr.contains(mention), "{args:?}: {mention} missing from {stderr}");
        }
    }
}

#[test]
fn check_summarises_a_valid_config_without_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("shop.toml");
    std::fs::write(&config, "[policy]\nexchange_days = 30\n\n[calendar]\nholidays = [\"2026-10-01\"]\n")
        .expect("config");
    let db = dir.path().join("never.db");
    let (output, text, stderr) = run(Command::new(binary())
        .args(["policy", "check", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .current_dir(dir.path()));
    assert!(output.status.success(), "{stderr}");
    let parsed = Config::load(Some(config.as_path())).expect("config");
    assert!(text.contains(&parsed.rules_version()), "{text}");
    assert!(text.contains("30 days"), "{text}");
    assert!(text.contains("7 days"), "{text}");
    assert!(text.contains("2026-10-01"), "{text}");
    assert!(text.contains("48 hours"), "{text}");
    assert!(text.contains("other_style"), "{text}");
    assert!(!db.exists(), "check opened a database");
}

#[test]
fn check_refuses_an_invalid_config_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = [
        ("[policy]\nexchange_days = \"x\"\n", "exchange_days"),
        ("[policy]\nreturn_days = 7\n", "return_days"),
        ("[policy]\ndefect_photos = { min = 6, max = 5 }\n", "policy.defect_photos"),
    ];
    for (text, key) in table {
        let config = dir.path().join("bad.toml");
        std::fs::write(&config, text).expect("config");
        let (output, stdout, stderr) =
            run(Command::new(binary()).args(["policy", "check", "--config"]).arg(&config).current_dir(dir.path()));
        assert!(!output.status.success(), "{text} was accepted: {stdout}");
        assert!(stderr.contains(key), "{key} is not named: {stderr}");
    }
}

/// Opens a changed-mind return on DEMO-1006's bag three days after its
/// delivery (seven days ago), decided under the shop's rules as the desk would.
async fn open_case_a_week_ago(shop: &Shop) -> CaseId {
    let config = Config::load(Some(shop.path().join("shop.toml").as_path())).expect("config");
    let store = shop.store().await;
    let opened = chrono::Utc::now() - chrono::TimeDelta::days(7);
    let mut tx = store.write().await.expect("begin");
    let identity = Identity {
        channel: "terminal",
        external_id: "lin".into(),
        chat_id: 1,
        first_name: "Lin".into(),
        language_code: Some("en".into()),
    };
    let customer = customers::find_or_create(&mut tx, &identity, Lang::En, opened).await.expect("customer");
    let order = orders::find(&mut tx, &OrderNo::from_trusted("DEMO-1006")).await.expect("find").expect("demo order");
    let line = order.line("BAG-PC-15").expect("demo line");
    let request = Request {
        order: &order,
        line,
        quantity: 1,
        reason: Reason::ChangedMind,
        outcome: Outcome::ReturnRefund,
        photos: 0,
        resale_intact: Some(true),
        history: &LineHistory::default(),
        at: opened,
    };
    let decision = policy::decide(&request, &config.policy());
    assert_eq!(decision.rule, policy::RuleId::NoReasonReturn, "{decision:?}");
    let case = NewCase {
        id: cases::next_id(&mut tx).await.expect("next id"),
        order_no: order.no.clone(),
        sku: line.sku.clone(),
        quantity: 1,
        reason: Reason::ChangedMind,
        detail: String::new(),
        outcome: Outcome::ReturnRefund,
        decision,
        evidence: Vec::new(),
        resale_intact: Some(true),
        offers: Vec::new(),
    };
    cases::open(&mut tx, customer.id, &case, opened).await.expect("open case");
    tx.commit().await.expect("commit");
    case.id
}

#[tokio::test]
async fn replay_lists_the_cases_draft_rules_would_change() {
    let shop = Shop::new();
    let id = open_case_a_week_ago(&shop).await;
    let stored = shop.count("SELECT COUNT(*) FROM case_events").await;

    let draft = shop.path().join("draft.toml");
    std::fs::write(&draft, "[policy]\nno_reason_return_days = 1\n").expect("draft");
    let draft = draft.to_str().expect("utf-8 path");
    let (output, text, stderr) = run(&mut shop.command(&["policy", "replay", "--rules", draft]));
    assert!(output.status.success(), "{stderr}");
    assert!(
        text.contains(&format!("{id}  approved/no_reason_return → not_eligible/no_reason_window_passed")),
        "{text}"
    );
    assert!(text.contains("1 of 1 cases would change (rules "), "{text}");

    let (output, json, stderr) = run(&mut shop.command(&["policy", "replay", "--json", "--rules", draft]));
    assert!(output.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("the report as JSON");
    assert_eq!(report["changes"][0]["case"], id.as_str(), "{json}");
    assert_eq!(report["changes"][0]["after"]["verdict"], "not_eligible", "{json}");
    assert_ne!(report["from_version"], report["to_version"], "{json}");

    // The shop's own file as the draft: the same rules, nothing changes.
    let same = shop.path().join("shop.toml");
    let same = same.to_str().expect("utf-8 path");
    let (output, text, stderr) = run(&mut shop.command(&["policy", "replay", "--rules", same]));
    assert!(output.status.success(), "{stderr}");
    assert!(text.starts_with("0 of 1 cases would change"), "{text}");

    // Replay only reads: the stored decision and its timeline are as they were.
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE status = 'approved'").await, 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM case_events").await, stored);
}

#[tokio::test]
async fn replay_and_explain_count_the_units_earlier_cases_hold() {
    let shop = Shop::new();
    // Two approved returns of the bag's one unit, as the bot opened them
    // before a unit could be claimed only once.
    let first = open_case_a_week_ago(&shop).await;
    let second = open_case_a_week_ago(&shop).await;
    let same = shop.path().join("shop.toml");
    let same = same.to_str().expect("utf-8 path");
    let (output, text, stderr) = run(&mut shop.command(&["policy", "replay", "--rules", same]));
    assert!(output.status.success(), "{stderr}");
    assert!(
        text.contains(&format!("{second}  approved/no_reason_return → not_eligible/units_already_claimed")),
        "{text}"
    );
    assert!(!text.contains(&format!("{first}  ")), "the first claim stands: {text}");
    assert!(text.contains("1 of 2 cases would change"), "{text}");

    // A third request on the bag is refused, and the explanation says why.
    let (output, text, stderr) = run(shop.command(&BAG).args(["--outcome", "exchange", "--lang", "en"]));
    assert!(output.status.success(), "{stderr}");
    assert!(text.contains("Rule: units_already_claimed"), "{text}");
    assert!(text.contains("Units: 1 asked for, 2 of 1 already in other requests"), "{text}");
    assert!(text.contains("each unit can be claimed once"), "{text}");
}
