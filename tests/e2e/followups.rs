//! Follow-ups that run themselves, end to end: the real binary, a fake
//! Telegram, a fake carrier aggregator and a fake refund system on
//! loopback, the push endpoint signed as a shop's system would, and a clock
//! the test moves forward instead of sleeping.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::fake_services::{FakeRefunds, FakeTracker, Push, TestClock};
use crate::fake_telegram::FakeTelegram;
use crate::helpers::{BotProcess, Customer, Shop, TEST_CONFIG, WAIT, free_port};

const SECRET: &str = "push-secret-for-tests";
const PARCEL: &str = "SF1234567890123";
const HOUR: Duration = Duration::from_secs(3600);

/// A shop with a tracking provider, the push endpoint and a refund webhook.
/// No quiet hours: the test clock runs from the real hour, whatever it is.
fn followup_config(tracker: &FakeTracker, refunds: &FakeRefunds, port: u16) -> String {
    format!(
        r#"{TEST_CONFIG}
[followup]
return_address = "杭州市余杭区文一西路 1 号 售后仓"
return_recipient = "售后部"
return_phone = "0571-88888888"
quiet_hours = ""

[tracker]
url = "{tracker}"
poll_every = "2h"

[push]
listen = "127.0.0.1:{port}"
secret = "{SECRET}"

[refunds]
mode = "webhook"
url = "{refunds}"
"#,
        tracker = tracker.url_template(),
        refunds = refunds.url(),
    )
}

struct Desk {
    fake: FakeTelegram,
    shop: Shop,
    clock: TestClock,
    tracker: FakeTracker,
    refunds: FakeRefunds,
    push: Push,
    port: u16,
    /// Replaced at each restart, while customers hold on to the fake.
    bot: std::sync::Mutex<BotProcess>,
}

impl Desk {
    async fn open() -> Desk {
        let fake = FakeTelegram::start().await;
        let tracker = FakeTracker::start().await;
        let refunds = FakeRefunds::start().await;
        let port = free_port();
        let shop = Shop::with_config(&followup_config(&tracker, &refunds, port));
        let clock = TestClock::new(shop.path());
        let bot = serve(&shop, &fake, clock.path());
        let push = Push::new(&format!("http://127.0.0.1:{port}"), SECRET);
        let desk = Desk { fake, shop, clock, tracker, refunds, push, port, bot: std::sync::Mutex::new(bot) };
        desk.push_ready().await;
        desk
    }

    /// Kills the bot (no shutdown code runs) between two steps, once what
    /// the last step caused has left the outbox, and starts it again.
    async fn crash_and_restart(&self) {
        let pending = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'";
        assert!(self.shop.eventually(pending, 0).await, "the outbox drains");
        {
            let mut bot = self.bot.lock().expect("bot");
            bot.kill();
            *bot = serve(&self.shop, &self.fake, self.clock.path());
        }
        self.push_ready().await;
    }

    /// Waits until the restarted bot listens on the push port.
    async fn push_ready(&self) {
        let deadline = std::time::Instant::now() + WAIT;
        while std::time::Instant::now() < deadline {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the push endpoint never came up");
    }
}

fn serve(shop: &Shop, fake: &FakeTelegram, clock: &Path) -> BotProcess {
    shop.serve_with(fake, "aftersales=debug,warn", &[("AFTERSALES_CLOCK_FILE", clock)])
}

/// How many of the customer's messages contain `text`.
fn count(customer: &Customer<'_>, text: &str) -> usize {
    customer.texts().iter().filter(|said| said.contains(text)).count()
}

/// Opens a change-of-mind return on DEMO-1004, approved by the 7-day rule.
async fn open_return(lin: &Customer<'_>) {
    lin.opens_approved_return("DEMO-1004", Some("女士防风夹克")).await;
}

fn scan(status: &str, hours_ago: i64, clock: &TestClock, detail: &str) -> serde_json::Value {
    let at = clock.now() - chrono::TimeDelta::hours(hours_ago);
    json!({ "status": status, "time": at.to_rfc3339(), "detail": detail })
}

#[tokio::test]
async fn a_return_runs_from_approval_to_survey_by_itself_and_survives_crashes() {
    let desk = Desk::open().await;
    let lin = Customer::new(&desk.fake, 701, "Lin", Some("en"));

    // Approved: the address, how to pack, and the question for the tracking number.
    open_return(&lin).await;
    let instructions = lin.gets("杭州市余杭区文一西路 1 号").await;
    assert!(
        instructions.text.contains("AS-1001") && instructions.text.contains("0571-88888888"),
        "{}",
        instructions.text
    );
    assert!(instructions.text.contains("tracking number"), "{}", instructions.text);
    desk.crash_and_restart().await;

    // The tracking number, recognised by carrier and confirmed.
    desk.tracker.set_scans(PARCEL, vec![scan("picked_up", 1, &desk.clock, "已揽收 杭州")]);
    let proposed = lin.says(&format!("here it is: {PARCEL}")).await;
    assert!(proposed.text.contains("SF Express") && proposed.text.contains(PARCEL), "{}", proposed.text);
    lin.presses("Yes, that's it").await;
    // The provider is polled at once: "picked up" is told.
    lin.gets("picked up your return parcel").await;
    desk.crash_and_restart().await;

    // Pushed scans: told once each, a repeated event id changes nothing.
    let in_transit = json!({ "event_id": "trk-2", "tracking_no": PARCEL, "status": "in_transit",
                             "at": desk.clock.now().to_rfc3339(), "detail": "运输中 上海转运中心" });
    assert_eq!(desk.push.post("/events/tracking", &in_transit).await, (200, json!({ "ok": true, "duplicate": false })));
    assert_eq!(desk.push.post("/events/tracking", &in_transit).await, (200, json!({ "ok": true, "duplicate": true })));
    lin.gets("on its way to us").await;
    // A forged event is refused and changes nothing.
    let forged = json!({ "event_id": "trk-x", "tracking_no": PARCEL, "status": "delivered", "at": desk.clock.now().to_rfc3339() });
    assert_eq!(desk.push.post_signed_as("/events/tracking", &forged, "sha256=00").await.0, 401);
    // An event about a case with no parcel is answered in plain words.
    let unknown = json!({ "event_id": "wh-x", "case": "AS-9999", "result": "passed" });
    let expected = json!({ "ok": false, "error": "no return parcel for case AS-9999" });
    assert_eq!(desk.push.post("/events/warehouse", &unknown).await, (404, expected));

    // Two hours on, the provider reports what the customer already knows: nothing new is said.
    desk.tracker.set_scans(
        PARCEL,
        vec![scan("picked_up", 3, &desk.clock, "已揽收 杭州"), scan("in_transit", 1, &desk.clock, "运输中")],
    );
    let polls = desk.tracker.polls_for(PARCEL);
    desk.clock.advance(2 * HOUR);
    assert!(desk.fake.wait_until(|_| desk.tracker.polls_for(PARCEL) > polls, WAIT).await, "polled again");

    let delivered = json!({ "event_id": "trk-3", "tracking_no": PARCEL, "status": "delivered",
                            "at": desk.clock.now().to_rfc3339(), "detail": "已签收 售后仓" });
    assert_eq!(desk.push.post("/events/tracking", &delivered).await.0, 200);
    lin.gets("arrived at our warehouse").await;
    desk.crash_and_restart().await;

    // The warehouse passes it: the refund system is called once, the customer told.
    let passed = json!({ "event_id": "wh-1", "case": "AS-1001", "result": "passed" });
    assert_eq!(desk.push.post("/events/warehouse", &passed).await.0, 200);
    let refunded = lin.gets("Your refund of ¥399.00").await;
    assert!(refunded.text.contains("AS-1001") && refunded.text.contains("arrive by"), "{}", refunded.text);
    assert_eq!(desk.push.post("/events/warehouse", &passed).await.1["duplicate"], json!(true));
    let calls = desk.refunds.calls();
    assert_eq!(calls.len(), 1, "the refund webhook is called exactly once: {calls:#?}");
    assert_eq!(desk.refunds.distinct_keys(), ["refund-AS-1001"]);
    assert_eq!(calls[0].body["amount_minor"], json!(39_900));
    let closed = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND status = 'closed' AND refunded_minor = 39900";
    assert!(desk.shop.eventually(closed, 1).await, "the case is closed with the refund recorded");
    desk.crash_and_restart().await;

    // A day later, the survey: rating, then comment, stored on the case.
    let before_survey = lin.texts().len();
    desk.clock.advance(24 * HOUR + Duration::from_secs(60));
    let survey = lin.gets("How satisfied are you").await;
    assert_eq!(survey.labels(), ["⭐ 1", "⭐ 2", "⭐ 3", "⭐ 4", "⭐ 5"], "five rating buttons");
    assert!(lin.texts().len() > before_survey);
    lin.presses("⭐ 4").await;
    let thanks = lin.says("Quick and friendly, thank you").await;
    assert!(thanks.text.contains("Thank you for your feedback"), "{}", thanks.text);
    let stored = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND survey_score = 4
                  AND survey_comment = 'Quick and friendly, thank you'";
    assert!(desk.shop.eventually(stored, 1).await, "the answers are stored on the case");

    // Another crash and two more days: no reminder after a rating, no second survey, nothing repeated.
    desk.crash_and_restart().await;
    let settled = lin.texts();
    desk.clock.advance(48 * HOUR);
    assert!(desk.shop.settled_at(desk.clock.now()).await, "every job due in those days ran and was delivered");
    assert_eq!(lin.texts(), settled, "nothing more reaches the customer");
    for (text, times) in [
        ("杭州市余杭区文一西路 1 号", 1),
        ("picked up your return parcel", 1),
        ("on its way to us", 1),
        ("arrived at our warehouse", 1),
        ("Your refund of", 1),
        ("How satisfied are you", 1),
    ] {
        assert_eq!(count(&lin, text), times, "{text:?} told {times}×; chat: {:#?}", lin.texts());
    }
    assert_eq!(desk.refunds.calls().len(), 1);
    let timeline = "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001' AND kind IN
                    ('return_instructions', 'tracking_number', 'parcel_scan', 'inspection_passed', 'refunded',
                     'closed', 'survey_sent', 'survey_rated', 'survey_comment')";
    assert_eq!(desk.shop.count(timeline).await, 11, "one timeline entry per step (3 scans)");
    assert!(desk.fake.rejections().is_empty(), "{:#?}", desk.fake.rejections());
}

const GROUP: i64 = -100_888;
const LI: i64 = 951;

/// Refunds paid by hand, no tracking provider, an agents' group.
fn manual_config() -> String {
    format!(
        r#"{TEST_CONFIG}
[followup]
return_address = "杭州市余杭区文一西路 1 号 售后仓"
quiet_hours = ""

[agents]
chat_id = {GROUP}
user_ids = [{LI}]
lang = "en"
"#
    )
}

/// A group message from the bot containing `text`, anywhere in the group.
async fn group_gets(fake: &FakeTelegram, text: &str) {
    let seen = fake.wait_for_message(GROUP, |m| m.text.contains(text), WAIT).await;
    assert!(
        seen.is_some(),
        "the agents never got {text:?}: {:#?}",
        fake.messages(GROUP).iter().map(|m| &m.text).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_silent_customer_is_nudged_once_then_agents_finish_by_hand_and_a_blocked_customer_is_left_alone() {
    let fake = FakeTelegram::start().await;
    fake.add_group(GROUP, "After-sales agents", true);
    fake.add_user(LI, "Li", Some("zh"));
    fake.add_member(GROUP, LI);
    let shop = Shop::with_config(&manual_config());
    let clock = TestClock::new(shop.path());
    let _bot = serve(&shop, &fake, clock.path());
    let ann = Customer::new(&fake, 702, "Ann", Some("en"));

    open_return(&ann).await;
    ann.gets("杭州市余杭区文一西路 1 号").await;

    // Two days without a number: one reminder. A day later: a person.
    clock.advance(48 * HOUR + Duration::from_secs(60));
    ann.gets("A friendly reminder about case AS-1001").await;
    clock.advance(24 * HOUR + Duration::from_secs(60));
    let escalated = "SELECT COUNT(*) FROM escalations WHERE case_id = 'AS-1001' AND why = 'no_tracking_number'";
    assert!(shop.eventually(escalated, 1).await, "the case went to a person");
    assert!(
        fake.wait_until(|fake| fake.topics(GROUP).iter().any(|topic| topic.name.contains("AS-1001")), WAIT).await,
        "the case has its topic"
    );
    assert_eq!(count(&ann, "A friendly reminder"), 1, "nudged once");

    // The number still counts while a person has the chat.
    let proposed = ann.says("YT1234567890123").await;
    assert!(proposed.text.contains("YTO Express"), "{}", proposed.text);
    ann.presses("Yes, that's it").await;

    // Agents record the inspection and the refund they paid by hand.
    fake.send_text_in(GROUP, LI, "/inspect AS-1001 pass");
    group_gets(&fake, "please pay ¥399.00 back to the customer").await;
    fake.send_text_in(GROUP, LI, "/refunded AS-1001");
    ann.gets("Your refund of ¥399.00").await;
    group_gets(&fake, "refund of ¥399.00 recorded").await;
    let closed = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND status = 'closed' AND refunded_minor = 39900";
    assert!(shop.eventually(closed, 1).await);

    // The customer blocks the bot: the survey fails, the reminder never goes, the case says why.
    let pending = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'";
    assert!(shop.eventually(pending, 0).await);
    fake.block_bot(ann.id, true);
    clock.advance(24 * HOUR + Duration::from_secs(60));
    let survey_failed = "SELECT COUNT(*) FROM outbox WHERE chat_id = 702 AND status = 'failed'
                         AND (payload LIKE '%How satisfied%' OR payload LIKE '%gentle reminder%')";
    assert!(shop.eventually(survey_failed, 1).await, "the survey met the block");
    clock.advance(24 * HOUR + Duration::from_secs(60));
    let stopped = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND followup_stopped LIKE '%blocked%'";
    assert!(shop.eventually(stopped, 1).await, "the case records why follow-ups stopped");
    group_gets(&fake, "the customer blocked the bot").await;
    assert_eq!(shop.count("SELECT COUNT(*) FROM jobs WHERE key LIKE '%AS-1001'").await, 0, "nothing more is planned");
    assert_eq!(shop.count(survey_failed).await, 1, "no reminder was attempted");
}

/// Opens a change-of-mind return on DEMO-1005 (the vase, the order's only line).
async fn open_vase_return(customer: &Customer<'_>, labels: [&str; 6]) {
    customer.says("/new").await;
    customer.says("DEMO-1005").await;
    customer.says("8000").await;
    for label in labels {
        customer.presses(label).await;
    }
}

const ENGLISH: [&str; 6] = ["Changed my mind", "Skip", "Return and refund", "Yes, unused", "No thanks", "Confirm"];
const CHINESE: [&str; 6] = ["不想要了", "跳过", "退货退款", "是的，未使用", "不用了，继续申请", "确认提交"];
const CORRECTED: &str = "YT7654321098765";

/// Does the case's return still wait for its tracking number?
async fn awaits_number(shop: &Shop, case: &str) -> bool {
    shop.count(&format!("SELECT COUNT(*) FROM returns WHERE case_id = '{case}' AND tracking_no IS NULL")).await == 1
}

#[tokio::test]
async fn with_two_returns_waiting_the_customer_picks_the_case_and_can_correct_its_number() {
    let desk = Desk::open().await;
    let lin = Customer::new(&desk.fake, 703, "Lin", Some("en"));
    open_return(&lin).await;
    lin.gets("send back the item for case AS-1001").await;
    open_vase_return(&lin, ENGLISH).await;
    lin.gets("send back the item for case AS-1002").await;

    // A number with two returns waiting: which request is it for?
    desk.tracker.set_scans(PARCEL, vec![scan("picked_up", 1, &desk.clock, "已揽收 杭州")]);
    let asked = lin.says(PARCEL).await;
    assert!(asked.text.contains("Which request is this parcel for?") && asked.text.contains(PARCEL), "{}", asked.text);
    assert_eq!(asked.labels(), ["AS-1001 · 女士防风夹克", "AS-1002 · 青瓷花瓶"], "one button a case");
    let proposed = lin.presses("AS-1002").await;
    assert!(proposed.text.contains("Is this your return tracking number?"), "{}", proposed.text);
    assert!(proposed.text.contains("case AS-1002"), "{}", proposed.text);
    let saved = lin.presses("Yes, that's it").await;
    assert!(saved.text.contains(&format!("SF Express {PARCEL} for case AS-1002")), "{}", saved.text);
    let on_1002 = format!("SELECT COUNT(*) FROM returns WHERE case_id = 'AS-1002' AND tracking_no = '{PARCEL}'");
    assert!(desk.shop.eventually(&on_1002, 1).await, "saved on the case picked");
    assert!(awaits_number(&desk.shop, "AS-1001").await, "the other case still waits for its number");
    lin.gets("Case AS-1002: the courier has picked up").await;

    // The same question answered again once the case has the number: said plainly.
    let stale = desk.fake.messages(lin.id).into_iter().find(|m| m.text.contains("Which request")).expect("asked");
    let again = lin
        .expect_reply(|| {
            desk.fake.press_button(lin.id, &stale, "AS-1002");
        })
        .await;
    assert!(again.text.contains(&format!("We already have {PARCEL}")), "{}", again.text);

    // A corrected number: the case is picked again, the replacement confirmed.
    desk.tracker.set_scans(CORRECTED, vec![scan("in_transit", 1, &desk.clock, "运输中 上海")]);
    lin.says(CORRECTED).await;
    let replace = lin.presses("AS-1002").await;
    assert!(
        replace.text.contains(&format!("Case AS-1002 already has the return tracking number {PARCEL}"))
            && replace.text.contains(&format!("Replace it with {CORRECTED}?")),
        "{}",
        replace.text
    );
    let done = lin.presses("Yes, replace it").await;
    assert!(done.text.contains(&format!("now follows {CORRECTED} instead of {PARCEL}")), "{}", done.text);

    // The tracker is asked for the new number; its first scan is news again.
    assert!(desk.fake.wait_until(|_| desk.tracker.polls_for(CORRECTED) > 0, WAIT).await, "polled by the new number");
    lin.gets("Case AS-1002: your return parcel is on its way to us").await;
    let corrected = format!(
        "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1002' AND kind = 'tracking_corrected'
         AND {} = 'SF1234567890123' AND {} = 'YT7654321098765'",
        desk.shop.dialect().json_text("data", "old"),
        desk.shop.dialect().json_text("data", "new")
    );
    assert_eq!(desk.shop.count(&corrected).await, 1, "the timeline has old and new");

    // Pushes find the case by the new number only.
    let by_old = json!({ "event_id": "trk-old", "tracking_no": PARCEL, "status": "delivered", "at": desk.clock.now().to_rfc3339() });
    assert_eq!(desk.push.post("/events/tracking", &by_old).await.0, 404);
    let by_new = json!({ "event_id": "trk-new", "tracking_no": CORRECTED, "status": "delivered", "at": desk.clock.now().to_rfc3339() });
    assert_eq!(desk.push.post("/events/tracking", &by_new).await, (200, json!({ "ok": true, "duplicate": false })));
    lin.gets("Case AS-1002: your return parcel has arrived at our warehouse").await;
    let arrived = "SELECT COUNT(*) FROM returns WHERE case_id = 'AS-1002' AND stage = 'at_warehouse'";
    assert!(desk.shop.eventually(arrived, 1).await);
    assert!(awaits_number(&desk.shop, "AS-1001").await, "nothing moved on the other case");
    assert!(desk.fake.rejections().is_empty(), "{:#?}", desk.fake.rejections());
    assert!(desk.fake.every_callback_answered(WAIT).await, "every button press is answered");
}

#[tokio::test]
async fn a_chinese_customer_corrects_the_number_of_a_parcel_on_its_way_until_it_arrives() {
    let desk = Desk::open().await;
    let wang = Customer::new(&desk.fake, 704, "王芳", Some("zh"));
    open_vase_return(&wang, CHINESE).await;
    wang.gets("售后单 AS-1001（退货退款）的寄回方式如下").await;
    wang.says(&format!("单号 {PARCEL}")).await;
    let saved = wang.presses("是的，没错").await;
    assert!(saved.text.contains("已记录"), "{}", saved.text);

    // A second number is a correction, not an order number.
    let asked = wang.says(CORRECTED).await;
    assert!(!asked.text.contains("订单"), "not read as an order number: {}", asked.text);
    assert!(
        asked.text.contains(&format!("售后单 AS-1001 已记录退货快递单号 {PARCEL}。要改为 {CORRECTED} 吗？")),
        "{}",
        asked.text
    );
    let kept = wang.presses("不用，保留原单号").await;
    assert!(kept.text.contains(&format!("继续使用退货快递单号 {PARCEL}")), "{}", kept.text);
    wang.says(CORRECTED).await;
    let done = wang.presses("是的，改为新单号").await;
    assert!(done.text.contains(&format!("已改为 {CORRECTED}，不再跟踪 {PARCEL}")), "{}", done.text);
    let again = wang.says(CORRECTED).await;
    assert!(again.text.contains("已经记录了这个退货快递单号"), "{}", again.text);

    // The push finds the case by the new number; after arrival a number changes nothing.
    let by_new = json!({ "event_id": "trk-zh", "tracking_no": CORRECTED, "status": "delivered", "at": desk.clock.now().to_rfc3339() });
    assert_eq!(desk.push.post("/events/tracking", &by_new).await.0, 200);
    wang.gets("您的退货包裹已送达我们的仓库").await;
    let late = wang.says("JD0012345678901").await;
    assert!(late.text.contains("已经送达我们的仓库，快递单号不能再修改了"), "{}", late.text);
    assert_eq!(late.labels(), ["转人工客服"]);
    let shown = desk.shop.command(&["cases", "show", "AS-1001"]).output().expect("run cases show");
    let shown = String::from_utf8_lossy(&shown.stdout);
    let corrected = format!("old: {PARCEL}");
    assert!(shown.contains("tracking_corrected") && shown.contains(&corrected) && shown.contains(CORRECTED), "{shown}");
    assert!(desk.fake.rejections().is_empty(), "{:#?}", desk.fake.rejections());
}
