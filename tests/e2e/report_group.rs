//! The month's report in the agents' group: an agent asks with `/report`
//! (or `/report 2026-11`) and gets the headline figures and the page as a
//! file; strangers are refused. On the 1st the previous month's report is
//! posted by itself, once, whatever restarts.

use chrono::{Datelike, Months, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::agents::{GROUP, LI, STRANGER, agents_config, agents_group};
use crate::fake_services::{CLOCK_ENV, TestClock};
use crate::fake_telegram::{BotMessage, FakeTelegram};
use crate::helpers::{BotProcess, COUPON_OFFER, Customer, Shop, WAIT};
use crate::report::open_two_cases;

/// The agents' group and a shop (agents read English) whose customers
/// opened two cases this month, with the bot serving it.
async fn desk_with_two_cases() -> (FakeTelegram, Shop, BotProcess) {
    let fake = FakeTelegram::start().await;
    agents_group(&fake);
    let shop = Shop::with_config(&agents_config(COUPON_OFFER));
    open_two_cases(&shop);
    let bot = shop.serve(&fake);
    (fake, shop, bot)
}

/// This month in the shop's zone (Shanghai), as `2026-11`.
fn this_month() -> String {
    Utc::now().with_timezone(&Shanghai).format("%Y-%m").to_string()
}

/// The bot's messages in the group's general chat that satisfy `wanted`.
fn in_group(fake: &FakeTelegram, wanted: impl Fn(&BotMessage) -> bool) -> Vec<BotMessage> {
    fake.messages(GROUP).into_iter().filter(|m| m.thread_id.is_none() && wanted(m)).collect()
}

#[tokio::test]
async fn an_agent_gets_the_months_figures_and_its_page_as_a_file() {
    let (fake, shop, _bot) = desk_with_two_cases().await;
    let month = this_month();
    fake.send_text_in(GROUP, LI, &format!("/report {month}"));
    let document = fake.wait_for_message(GROUP, |m| m.kind == "document", WAIT).await.expect("the page as a file");
    let figures = in_group(&fake, |m| m.text.contains("After-sales report"));
    assert_eq!(figures.len(), 1, "{figures:#?}");
    let text = &figures[0].text;
    assert!(text.contains("Opened 2, closed 1, open at the end 1"), "{text}");
    assert!(text.contains("Top reasons: Changed my mind 2"), "{text}");
    assert!(figures[0].message_id < document.message_id, "the figures come first");

    // The file is the page `aftersales report --format html` draws for the month.
    let file_id = document.file_id.expect("a file");
    let bytes = fake.file_bytes(&file_id).expect("the uploaded page");
    let output =
        shop.command(&["report", "--month", &month, "--format", "html", "--lang", "en"]).output().expect("report");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(bytes).expect("utf-8"), String::from_utf8(output.stdout).expect("utf-8"));
    assert_eq!(document.json["document"]["file_name"], format!("aftersales-report-{month}.html"));

    // A month that is not one gets the command's usage.
    fake.send_text_in(GROUP, LI, "/report November");
    let usage = fake.wait_for_message(GROUP, |m| m.text.contains("Usage: /report YYYY-MM"), WAIT).await;
    assert!(usage.is_some(), "{:#?}", fake.messages(GROUP));
}

#[tokio::test]
async fn a_stranger_in_the_group_is_refused_the_report() {
    let (fake, shop, _bot) = desk_with_two_cases().await;
    fake.send_text_in(GROUP, STRANGER, "/report");
    let refused = fake.wait_for_message(GROUP, |m| m.text.contains("Only the shop's agents"), WAIT).await;
    assert!(refused.is_some(), "{:#?}", fake.messages(GROUP));
    assert!(shop.settled_at(Utc::now()).await, "what was due is done and delivered");
    assert!(in_group(&fake, |m| m.kind == "document" || m.text.contains("After-sales report")).is_empty());
    assert_eq!(
        shop.count(&format!(
            "SELECT COUNT(*) FROM audit WHERE kind = 'agent_refused' AND {} = 'report'",
            shop.dialect().json_text("data", "what")
        ))
        .await,
        1
    );
}

/// The report's headlines and pages the bot posted in the group.
fn posts(fake: &FakeTelegram) -> (usize, usize) {
    let headlines = in_group(fake, |m| m.text.contains("After-sales report")).len();
    (headlines, in_group(fake, |m| m.kind == "document").len())
}

#[tokio::test]
async fn the_months_report_is_posted_on_the_first_once_whatever_the_restarts() {
    let fake = FakeTelegram::start().await;
    agents_group(&fake);
    let shop = Shop::with_config(&agents_config(""));
    let clock = TestClock::new(shop.path());
    let serve = || shop.serve_with(&fake, "aftersales=debug,warn", &[(CLOCK_ENV, clock.path())]);
    let mut bot = serve();

    // At its first start the bot plans this month's post: the 1st of the next, 09:00 in Shanghai.
    let today = Utc::now().with_timezone(&Shanghai).date_naive();
    let first = today.with_day(1).and_then(|day| day.checked_add_months(Months::new(1))).expect("next month");
    let due =
        Shanghai.from_local_datetime(&first.and_hms_opt(9, 0, 0).expect("09:00")).single().expect("a time").to_utc();
    let month = this_month();
    // The time as both databases compare it: SQLite the text sqlx writes
    // (RFC 3339), PostgreSQL the literal read as a timestamp.
    let planned = format!(
        "SELECT COUNT(*) FROM jobs WHERE key = 'monthly_report' AND {} = '{month}' AND due_at = '{}'",
        shop.dialect().json_text("data", "month"),
        due.to_rfc3339()
    );
    assert!(shop.eventually(&planned, 1).await, "the monthly post is planned");
    bot.kill();

    // The bot is down when it falls due; started again, it posts the report.
    clock.set_offset((due - Utc::now()).num_seconds() + 60);
    let mut bot = serve();
    let page = fake.wait_for_message(GROUP, |m| m.kind == "document", WAIT).await.expect("the month's page");
    assert_eq!(page.json["document"]["file_name"], format!("aftersales-report-{month}.html"));
    assert!(shop.settled_at(clock.now()).await, "what was due is done and delivered");
    assert_eq!(posts(&fake), (1, 1), "{:#?}", fake.messages(GROUP));
    let next = first.format("%Y-%m").to_string();
    let moved = format!(
        "SELECT COUNT(*) FROM jobs WHERE key = 'monthly_report' AND {} = '{next}'",
        shop.dialect().json_text("data", "month")
    );
    assert_eq!(shop.count(&moved).await, 1, "the next month's post is planned");
    bot.kill();

    // Restarted once more, after the post: nothing is posted again.
    let _bot = serve();
    fake.send_text_in(GROUP, LI, "/queue");
    assert!(fake.wait_for_message(GROUP, |m| m.text.contains("No open cases"), WAIT).await.is_some());
    assert!(shop.settled_at(clock.now()).await, "what was due is done and delivered");
    assert_eq!(posts(&fake), (1, 1), "{:#?}", fake.messages(GROUP));
}

#[tokio::test]
async fn a_shop_without_an_agents_group_gets_no_monthly_post() {
    let fake = FakeTelegram::start().await;
    let shop = Shop::new();
    let clock = TestClock::new(shop.path());
    // Started on the 1st of next month at 10:00, an hour after the post would be due.
    let today = Utc::now().with_timezone(&Shanghai).date_naive();
    let first = today.with_day(1).and_then(|day| day.checked_add_months(Months::new(1))).expect("next month");
    let after =
        Shanghai.from_local_datetime(&first.and_hms_opt(10, 0, 0).expect("10:00")).single().expect("a time").to_utc();
    clock.set_offset((after - Utc::now()).num_seconds());
    let _bot = shop.serve_with(&fake, "aftersales=debug,warn", &[(CLOCK_ENV, clock.path())]);

    // The bot is up and answering; once what was due is done, nothing was planned or posted.
    let customer = Customer::new(&fake, 7001, "Ann", Some("en"));
    customer.says("/start").await;
    assert!(shop.settled_at(clock.now()).await, "what was due is done and delivered");
    assert_eq!(shop.count("SELECT COUNT(*) FROM jobs WHERE key = 'monthly_report'").await, 0);
    assert!(fake.calls_to("sendDocument").is_empty(), "{:#?}", fake.calls_to("sendDocument"));
}
