//! The terminal channel, scripted through a pipe, and a live terminal
//! session that receives follow-ups while it waits for the next line.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fake_services::{FakeRefunds, Push, TestClock};
use crate::helpers::{Shop, TEST_CONFIG, WAIT, free_port, jpeg};

/// Where `needle` starts in `output`, after `from`; panics with the transcript if absent.
fn position(output: &str, needle: &str, from: usize) -> usize {
    output[from..].find(needle).map(|at| from + at).unwrap_or_else(|| panic!("no {needle:?} after {from}: {output}"))
}

/// The numbered buttons of the last question shown before `before`.
fn buttons_before(output: &str, before: usize) -> Vec<String> {
    let shown = &output[..before];
    let last_question = shown.rfind("bot> ").unwrap_or(0);
    shown[last_question..].lines().filter(|line| line.starts_with("  [")).map(str::to_owned).collect()
}

#[test]
fn the_demo_command_prints_a_table_of_its_orders() {
    let shop = Shop::new();
    let output = shop.command(&["demo"]).output().expect("run demo");
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("order") && lines[0].contains("phone") && lines[0].contains("shows"), "{table}");
    for (no, digits) in [("DEMO-1002", "…7002"), ("DEMO-1004", "…8000"), ("DEMO-1008", "…8008")] {
        assert!(lines.iter().any(|line| line.starts_with(no) && line.contains(digits)), "{no}: {table}");
    }
    assert!(!table.contains('{') && !table.contains("PaidNotShipped"), "no debug output: {table}");
}

#[test]
fn a_whole_quality_case_can_be_scripted_through_a_pipe() {
    let shop = Shop::new();
    let photo = shop.path().join("crack.jpg");
    std::fs::write(&photo, jpeg(b"a cracked vase")).expect("photo");
    let photo = photo.display();
    let script = format!(
        "/start\n1\nDEMO-1005\n8000\nQuality problem\nThe glaze is cracked\n/sticker\n\
         /photo {photo}\n/photo {photo}\n/photo {photo}.missing\n"
    );
    let partial = shop.chat(&script);
    assert!(partial.contains("Received 1 photo"), "{partial}");
    assert!(partial.contains("can't find or open the file"), "a missing file is reported: {partial}");

    // The conversation survives between runs: it is in the store, and the
    // question it stopped at is shown again before anything is typed.
    let resumed = shop.chat("");
    assert!(resumed.starts_with("bot> ") && resumed.contains("photo"), "the question again: {resumed}");
    assert!(!resumed.contains("you>"), "{resumed}");

    let second = shop.path().join("crack2.jpg");
    let third = shop.path().join("crack3.jpg");
    std::fs::write(&second, jpeg(b"second")).expect("photo");
    std::fs::write(&third, jpeg(b"third")).expect("photo");
    let script =
        format!("/photo {}\n/photo {}\nReturn and refund\nConfirm\n/cases\n", second.display(), third.display());
    let output = shop.chat(&script);
    assert!(output.contains("Received 3 photos"), "the third photo ends the photo question: {output}");
    assert!(output.contains("AS-1001"), "{output}");
    assert!(output.contains("The glaze is cracked"), "the typed line describes the problem: {output}");
    assert!(output.contains("Your cases"), "{output}");
    let media = std::fs::read_dir(shop.path().join("media")).expect("media folder").count();
    assert_eq!(media, 3, "three different photos, stored once each");
}

#[test]
fn a_damaged_item_case_takes_six_lines_with_the_photos_as_one_album() {
    let shop = Shop::new();
    let mut paths = Vec::new();
    for n in 0..3u8 {
        let path = shop.path().join(format!("vase{n}.jpg"));
        std::fs::write(&path, jpeg(&[n, 7])).expect("photo");
        paths.push(path.display().to_string());
    }
    let lines = [
        "DEMO-1005 the vase arrived broken".to_owned(),
        "8000".to_owned(),
        "Damaged in transit".to_owned(),
        format!("/photo {} -- the rim is cracked", paths.join(" ")),
        "Reship".to_owned(),
        "Confirm".to_owned(),
    ];
    let output = shop.chat(&(lines.join("\n") + "\n"));
    let album = position(&output, "you> /photo", 0);
    let received = position(&output, "Received 3 photos", album);
    assert_eq!(output[album..received].matches("bot> ").count(), 1, "one answer to the album: {output}");
    let summary = position(&output, "the vase arrived broken", received);
    position(&output, "the rim is cracked", summary);
    position(&output, "AS-1001", summary);
    assert_eq!(output.matches("you> ").count(), 6, "{output}");
}

#[test]
fn a_typed_case_id_shows_the_case_even_under_a_button_that_names_it() {
    let shop = Shop::new();
    let photos: Vec<String> = (0..3u8)
        .map(|n| {
            let path = shop.path().join(format!("vase{n}.jpg"));
            std::fs::write(&path, jpeg(&[n, 9])).expect("photo");
            path.display().to_string()
        })
        .collect();
    let script = format!(
        "DEMO-1005 the vase arrived broken\n8000\nDamaged in transit\n/photo {}\nReship\nConfirm\n\
         /cases\n1\nAS-1001\nAdd to AS-1001\nDone\n/new\nDEMO-1004\n8000\nas 1001\n",
        photos.join(" ")
    );
    let output = shop.chat(&script);
    let detail = position(&output, "Case AS-1001 · 青瓷花瓶 × 1", position(&output, "you> /cases", 0));
    assert_eq!(buttons_before(&output, position(&output, "you> AS-1001", detail))[0], "  [1] ➕ Add to AS-1001");
    // The id alone shows the case again; it does not press "Add to AS-1001"…
    let typed = position(&output, "you> AS-1001\n", detail);
    let again = position(&output, "bot> ", typed);
    assert!(output[again..].starts_with("bot> Case AS-1001 · 青瓷花瓶 × 1"), "{output}");
    // …while the button's label still presses it.
    let add = position(&output, "you> Add to AS-1001", again);
    assert!(output[add..].contains("bot> Send what you'd like to add to AS-1001"), "{output}");
    // In the middle of another request, where a button is wanted, the id shows the case too.
    let picking = position(&output, "Which item of order DEMO-1004", add);
    let typed = position(&output, "you> as 1001", picking);
    assert!(output[typed..].contains("bot> Case AS-1001 · 青瓷花瓶 × 1"), "{output}");
}

#[test]
fn after_a_shared_contact_every_reply_is_shown_and_numbers_press_the_newest_buttons() {
    let shop = Shop::new();
    let output = shop.chat("/start\n1\n/contact 13800138000\n2\n1\n");
    // Both replies to the contact come before the next line is read.
    let contact = position(&output, "you> /contact", 0);
    let verified = position(&output, "verified", contact);
    let pick = position(&output, "Which order is it about?", verified);
    let two = position(&output, "you> 2", pick);
    assert_eq!(buttons_before(&output, two)[1], "  [2] DEMO-1005 · 青瓷花瓶 · ¥268.00", "{output}");
    // "2" pressed DEMO-1005 (its only item, the vase), "1" its first reason.
    let reason = position(&output, "青瓷花瓶", two);
    let one = position(&output, "you> 1", reason);
    assert!(output[one..].contains("✓ Quality problem"), "{output}");
}

#[test]
fn an_approval_and_its_return_instructions_are_shown_in_the_same_turn() {
    let shop = Shop::new();
    let output = shop.chat(
        "/new\nDEMO-1004\n8000\n1\nChanged my mind\nSkip\nReturn and refund\nYes\nNo thanks\n\
         Confirm\n/help\n",
    );
    let confirm = position(&output, "you> Confirm", 0);
    let opened = position(&output, "AS-1001", confirm);
    let instructions = position(&output, "how to send back the item", opened);
    let help = position(&output, "you> /help", instructions);
    let commands = position(&output, "/cancel", help);
    let terminal = position(&output, "/photo PATH", commands);
    assert!(output[terminal..].contains("/contact PHONE"), "{output}");
}

/// A chat session with a person at it: lines go in one at a time, and the
/// test waits for what the terminal prints.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<String>>,
    log: std::path::PathBuf,
}

impl Session {
    fn start(shop: &Shop, clock: &TestClock) -> Session {
        let log = shop.path().join("chat.log");
        let mut child = shop
            .command(&["chat"])
            .env("LANG", "en_US.UTF-8")
            .env("USER", "lin")
            .env("AFTERSALES_CLOCK_FILE", clock.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn chat");
        let stdout = child.stdout.take().expect("stdout");
        let output = Arc::new(Mutex::new(String::new()));
        let collected = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut all = collected.lock().expect("output");
                all.push_str(&line);
                all.push('\n');
            }
        });
        let stdin = child.stdin.take();
        Session { child, stdin, output, log }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("type a line");
        stdin.flush().expect("flush");
    }

    fn transcript(&self) -> String {
        self.output.lock().expect("output").clone()
    }

    /// Waits until `text` is printed after byte `from`; where it starts.
    async fn shows(&self, text: &str, from: usize) -> usize {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(at) = self.transcript().get(from..).and_then(|rest| rest.find(text)) {
                return from + at;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        panic!("the terminal never showed {text:?}: {}\nlog:\n{log}", self.transcript());
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_terminal_customer_gets_the_follow_ups_as_the_days_pass() {
    let refunds = FakeRefunds::start().await;
    let port = free_port();
    let shop = Shop::with_config(&format!(
        r#"{TEST_CONFIG}
[followup]
return_address = "杭州市余杭区文一西路 1 号 售后仓"
quiet_hours = ""

[push]
listen = "127.0.0.1:{port}"
secret = "terminal-secret"

[refunds]
mode = "webhook"
url = "{}"
"#,
        refunds.url()
    ));
    let clock = TestClock::new(shop.path());
    let mut session = Session::start(&shop, &clock);
    for line in ["/new", "DEMO-1004", "8000", "1", "Changed my mind", "Skip", "Return and refund", "Yes"] {
        session.type_line(line);
    }
    session.type_line("No thanks");
    session.type_line("Confirm");
    let instructions = session.shows("杭州市余杭区文一西路 1 号", 0).await;

    // The customer sends the parcel off and types its number.
    session.type_line("here it is: SF1234567890123");
    let proposed = session.shows("SF1234567890123", instructions).await;
    session.shows("[1] ", proposed).await;
    session.type_line("1");
    let saved = session.shows("We've saved", proposed).await;

    // The warehouse passes the parcel: the pushed event's refund reaches the waiting terminal.
    let push = Push::new(&format!("http://127.0.0.1:{port}"), "terminal-secret");
    let passed = json!({ "event_id": "wh-1", "case": "AS-1001", "result": "passed" });
    assert_eq!(push.post("/events/warehouse", &passed).await.0, 200);
    let refunded = session.shows("Your refund of ¥399.00", saved).await;

    // A day later the scheduler sends the survey, with its rating buttons.
    clock.advance(Duration::from_secs(24 * 3600 + 60));
    let survey = session.shows("How satisfied are you", refunded).await;
    session.shows("[5] ⭐ 5", survey).await;
    session.type_line("4");
    session.shows("you> 4", survey).await;

    // The end of input ends the session cleanly.
    drop(session.stdin.take());
    let status = session.child.wait().expect("chat exits");
    assert!(status.success(), "{}", session.transcript());
    assert_eq!(refunds.calls().len(), 1);
}
