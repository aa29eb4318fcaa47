//! Records kept three years: `records purge` run with the clock moved past
//! them removes the personal data of the cases closed that long ago, keeps
//! the report's figures, and leaves a customer with an open case alone.

use std::process::Output;

use chrono::{Months, TimeDelta, Utc};
use serde_json::Value;

use crate::agents::{agents_config, agents_group};
use crate::fake_services::{CLOCK_ENV, TestClock};
use crate::fake_telegram::FakeTelegram;
use crate::helpers::{Customer, Shop, jpeg};

/// `aftersales ARGS` on the test clock, successful.
fn run(shop: &Shop, clock: &TestClock, args: &[&str]) -> String {
    let output: Output = shop.command(args).env(CLOCK_ENV, clock.path()).output().expect("run aftersales");
    assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// The report of the last 30 days up to tomorrow (Shanghai days), as JSON.
fn report(shop: &Shop, clock: &TestClock) -> Value {
    let zone = chrono_tz::Asia::Shanghai;
    let day = |delta: TimeDelta| (Utc::now() + delta).with_timezone(&zone).date_naive().to_string();
    let (from, to) = (day(TimeDelta::days(-30)), day(TimeDelta::days(1)));
    serde_json::from_str(&run(shop, clock, &["report", "--from", &from, "--to", &to, "--format", "json"]))
        .expect("json report")
}

/// Seconds from now to three years (and `days`) from now.
fn years_ahead(days: i64) -> i64 {
    let now = Utc::now();
    let later = now.checked_add_months(Months::new(36)).expect("a date") + TimeDelta::days(days);
    (later - now).num_seconds()
}

#[tokio::test]
async fn a_purge_after_three_years_removes_personal_data_keeps_the_figures_and_spares_an_open_case() {
    let fake = FakeTelegram::start().await;
    agents_group(&fake);
    let shop = Shop::with_config(&agents_config(""));
    let clock = TestClock::new(shop.path());
    let bot = shop.serve_with(&fake, "aftersales=debug,warn", &[(CLOCK_ENV, clock.path())]);

    // Chen's late return is refused (over when decided), with a photo and
    // a description; then Chen asks for a person and writes to the agents.
    let chen = Customer::new(&fake, 521, "Chen", Some("en"));
    chen.says("/new").await;
    chen.says("DEMO-1006").await;
    chen.says("5006").await;
    chen.presses("Changed my mind").await;
    chen.expect_reply(|| {
        fake.send_photo(chen.id, jpeg(b"chen"), None, None);
    })
    .await;
    chen.says("the colour is ugly").await;
    chen.presses("Return and refund").await;
    let refused = chen.presses("Confirm").await;
    assert!(refused.text.contains("AS-1001") && refused.text.contains("can't accept"), "{}", refused.text);
    chen.presses("Talk to a person").await;
    fake.send_text(chen.id, "call me on 13800138000");
    // Wang's approved return stays open.
    let wang = Customer::new(&fake, 522, "Wang", Some("en"));
    wang.opens_approved_return("DEMO-1005", None).await;
    assert!(shop.eventually("SELECT COUNT(*) FROM relays", 1).await, "Chen's message reached the agents");
    let copied = "SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001' AND local_path IS NOT NULL";
    assert!(shop.eventually(copied, 1).await, "the photo is in the media folder");
    assert!(shop.settled_at(clock.now()).await);
    drop(bot);
    let media = |shop: &Shop| std::fs::read_dir(shop.path().join("media")).expect("media folder").count();
    assert_eq!(media(&shop), 1);
    let before = report(&shop, &clock);
    let chen_rows = "SELECT (SELECT COUNT(*) FROM outbox WHERE chat_id = 521)
                          + (SELECT COUNT(*) FROM customers WHERE external_id = '521' OR first_name = 'Chen')
                          + (SELECT COUNT(*) FROM outbox WHERE payload LIKE '%13800138000%' OR payload LIKE '%Chen%')
                          + (SELECT COUNT(*) FROM topics WHERE name LIKE '%Chen%' OR card_text LIKE '%Chen%')
                          + (SELECT COUNT(*) FROM conversations c JOIN customers u ON u.id = c.customer_id
                             WHERE u.external_id = '521')
                          + (SELECT COUNT(*) FROM case_events WHERE data LIKE '%13800138000%')
                          + (SELECT COUNT(*) FROM orders WHERE order_no = 'DEMO-1006' AND customer_name != '')";
    assert!(shop.count(chen_rows).await >= 7, "Chen's data is everywhere before the purge");

    // A day short of three years: nothing is due.
    clock.set_offset(years_ahead(-1));
    let early = run(&shop, &clock, &["records", "purge", "--lang", "en"]);
    assert!(early.ends_with("Nothing to purge.\n"), "{early}");

    clock.set_offset(years_ahead(1));
    let dry = run(&shop, &clock, &["records", "purge", "--dry-run", "--lang", "en"]);
    assert!(dry.contains("Dry run, nothing was changed. A purge would remove:"), "{dry}");
    for line in [
        "cases (marked purged): 1",
        "customers (names, usernames, Telegram ids): 1",
        "orders (the buyer's name and phone): 1",
        "evidence files (deleted from the media folder): 1",
        "relay links: 1",
    ] {
        assert!(dry.contains(line), "{line:?}: {dry}");
    }
    let shown = run(&shop, &clock, &["cases", "show", "AS-1001"]);
    assert!(
        shown.contains("Customer  Chen") && shown.contains("the colour is ugly"),
        "dry run changed nothing: {shown}"
    );
    assert_eq!(media(&shop), 1, "the dry run deletes no file");

    let purged = run(&shop, &clock, &["records", "purge", "--lang", "en"]);
    let counts = dry.replace("Dry run, nothing was changed. A purge would remove:", "Purged:");
    assert_eq!(purged, counts, "the purge does what the dry run said");
    assert_eq!(shop.count(chen_rows).await, 0, "no name, phone, Telegram id or text of Chen's is left");
    let shown = run(&shop, &clock, &["cases", "show", "AS-1001"]);
    assert!(shown.contains("Purged    ") && !shown.contains("Chen") && !shown.contains("ugly"), "{shown}");
    assert!(shown.contains("not copied: purged") && shown.contains("changed_mind"), "{shown}");
    assert_eq!(media(&shop), 0, "the photo is deleted");
    assert_eq!(report(&shop, &clock), before, "the report's figures are kept");
    let open = run(&shop, &clock, &["cases", "show", "AS-1002"]);
    assert!(open.contains("Customer  Wang") && !open.contains("Purged"), "the open case is untouched: {open}");
    assert!(shop.count("SELECT COUNT(*) FROM outbox WHERE chat_id = 522").await > 0, "Wang's messages stay");

    let again = run(&shop, &clock, &["records", "purge"]);
    assert!(again.ends_with("没有需要清除的个人信息。\n"), "a second purge has nothing to do: {again}");
}
