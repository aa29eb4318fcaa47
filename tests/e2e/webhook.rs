//! The bot on a webhook (`serve --webhook … --listen …`): Telegram POSTs
//! each update, waits for the answer, and delivers again after anything
//! but a 2xx. The fake delivers as Telegram does.

use std::time::Duration;

use aftersales::store::{Dialect, query};

use crate::fake_telegram::{Delivery, FakeTelegram, SECRET_HEADER};
use crate::helpers::{BotProcess, Customer, Shop, TEST_CONFIG, WAIT, free_port, jpeg};
use crate::ops::Ops;

/// A shop's bot on a webhook at a free port, and the fake that delivers to it.
async fn webhook_bot() -> (FakeTelegram, Shop, BotProcess) {
    let fake = FakeTelegram::start().await;
    let shop = Shop::new();
    let bot = serve_webhook(&fake, &shop);
    (fake, shop, bot)
}

fn serve_webhook(fake: &FakeTelegram, shop: &Shop) -> BotProcess {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/telegram");
    shop.serve_webhook(fake, &url, &format!("127.0.0.1:{port}"))
}

/// A damaged-item return with an album of photos, start to end: what the
/// customer read.
async fn return_with_photos(customer: &Customer<'_>) -> Vec<String> {
    customer.says("/start").await;
    customer.presses("Return").await;
    customer.says("demo-1004").await;
    customer.says("8000").await;
    customer.presses("女士防风夹克").await;
    customer.presses("Damaged in transit").await;
    for n in 0..3u8 {
        customer.fake.send_photo(customer.id, jpeg(&[n, 7]), Some("album-1"), None);
    }
    let received = customer.fake.wait_for_message(customer.id, |m| m.button("Reship").is_some(), WAIT).await;
    assert!(received.is_some(), "the photos were not counted: {:#?}", customer.texts());
    customer.presses("Reship").await;
    let opened = customer.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);
    customer.texts()
}

/// Statuses answered to one update's deliveries, in order (`None`: no connection).
fn statuses(deliveries: &[Delivery]) -> Vec<Option<u16>> {
    deliveries.iter().map(|delivery| delivery.status).collect()
}

/// Waits until the update has been delivered (a 2xx the fake received).
async fn delivered(fake: &FakeTelegram, update_id: i64) -> bool {
    fake.wait_until(|fake| fake.deliveries_of(update_id).iter().any(Delivery::delivered), WAIT).await
}

/// Runs `statements` in one write transaction on the shop's store.
async fn alter(shop: &Shop, statements: &[&str]) {
    let mut tx = shop.store().await.write().await.expect("begin");
    for sql in statements {
        query(*sql).execute(&mut tx).await.unwrap_or_else(|error| panic!("{error}: {sql}"));
    }
    tx.commit().await.expect("commit");
}

async fn processed(shop: &Shop, update_id: i64) -> i64 {
    shop.count(&format!("SELECT COUNT(*) FROM processed_updates WHERE update_id = {update_id}")).await
}

#[tokio::test]
async fn a_customers_whole_return_over_the_webhook_reads_as_over_polling() {
    let (fake, shop, _bot) = webhook_bot().await;
    let polled = FakeTelegram::start().await;
    let polling_shop = Shop::new();
    let _polling_bot = polling_shop.serve(&polled);
    let (ann, also_ann) =
        (Customer::new(&fake, 701, "Ann", Some("en")), Customer::new(&polled, 701, "Ann", Some("en")));

    let (over_webhook, over_polling) = tokio::join!(return_with_photos(&ann), return_with_photos(&also_ann));
    assert_eq!(over_webhook, over_polling, "the same replies either way");
    assert_eq!(shop.count("SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001'").await, 3);
    assert!(fake.calls_to("getupdates").is_empty(), "no polling beside the webhook");
    let set = fake.calls_to("setwebhook");
    assert_eq!(set.len(), 1, "{set:#?}");
    let body = &set[0].body;
    assert_eq!(body["allowed_updates"], serde_json::json!(["message", "edited_message", "callback_query"]));
    assert_eq!((body["drop_pending_updates"].as_bool(), body["max_connections"].as_i64()), (Some(false), Some(1)));
    let secret = fake.webhook_secret().expect("a secret token");
    assert_eq!(secret.len(), 64, "derived from the token: {secret}");
    let log = std::fs::read_to_string(shop.path().join("serve.log")).expect("log");
    assert!(!log.contains(&secret), "the secret is never logged");

    let deliveries = fake.deliveries();
    assert!(deliveries.iter().all(Delivery::delivered), "{deliveries:#?}");
    assert_eq!(fake.pending_updates(), 0);
    let mut took: Vec<Duration> = deliveries.iter().map(|delivery| delivery.took).collect();
    took.sort();
    eprintln!(
        "webhook: {} deliveries, POST to 200: median {:?}, slowest {:?}",
        took.len(),
        took[took.len() / 2],
        took[took.len() - 1]
    );
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_nothing_is_read_until_the_right_one_comes() {
    let (fake, shop, _bot) = webhook_bot().await;
    let bo = Customer::new(&fake, 702, "Bo", Some("en"));
    bo.says("/start").await;

    fake.forge_webhook_secret(Some("not-the-secret"));
    fake.send_text(bo.id, "/new");
    let update = fake.last_update_id();
    let refused =
        |fake: &FakeTelegram| statuses(&fake.deliveries_of(update)).iter().filter(|s| **s == Some(401)).count();
    assert!(fake.wait_until(|fake| refused(fake) >= 2, WAIT).await, "{:#?}", fake.deliveries_of(update));
    // Each 401 was answered before anything was read: the update is not in the store.
    assert_eq!(processed(&shop, update).await, 0);
    assert_eq!(bo.texts().len(), 1, "no answer to a forged delivery");

    let order = bo.expect_reply(|| fake.forge_webhook_secret(None)).await;
    assert!(order.text.contains("order number"), "{}", order.text);
    assert!(delivered(&fake, update).await);
    assert_eq!(processed(&shop, update).await, 1);

    // Anything else the endpoint is asked is refused too.
    let url = fake.webhook_url().expect("a webhook");
    let client = reqwest::Client::new();
    let without = client.post(&url).body("{}").send().await.expect("answer");
    assert_eq!(without.status(), 401);
    let secret = fake.webhook_secret().expect("a secret");
    let elsewhere = url.replace("/telegram", "/other");
    let other_path = client.post(&elsewhere).header(SECRET_HEADER, &secret).body("{}").send().await.expect("answer");
    assert_eq!(other_path.status(), 404);
    let garbage = client.post(&url).header(SECRET_HEADER, &secret).body("not json").send().await.expect("answer");
    assert_eq!(garbage.status(), 200, "acknowledged, so Telegram does not repeat it forever");
}

#[tokio::test]
async fn an_update_whose_commit_fails_gets_500_and_is_read_once_after_the_redelivery() {
    let (fake, shop, _bot) = webhook_bot().await;
    let cy = Customer::new(&fake, 703, "Cy", Some("en"));
    cy.says("/start").await;

    // The store refuses to record any update, as a full disk would.
    let (refuse, allow): (&[&str], &[&str]) = match shop.dialect() {
        Dialect::Sqlite => (
            &["CREATE TRIGGER refuse_updates BEFORE INSERT ON processed_updates
               BEGIN SELECT RAISE(ABORT, 'disk full'); END"],
            &["DROP TRIGGER refuse_updates"],
        ),
        Dialect::Postgres => (
            &[
                "CREATE FUNCTION refuse_updates() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION 'disk full'; END $$",
                "CREATE TRIGGER refuse_updates BEFORE INSERT ON processed_updates
                 FOR EACH ROW EXECUTE FUNCTION refuse_updates()",
            ],
            &["DROP TRIGGER refuse_updates ON processed_updates"],
        ),
    };
    alter(&shop, refuse).await;
    fake.send_text(cy.id, "/new");
    let update = fake.last_update_id();
    let failed = |fake: &FakeTelegram| statuses(&fake.deliveries_of(update)).contains(&Some(500));
    assert!(fake.wait_until(failed, WAIT).await, "{:#?}", fake.deliveries_of(update));
    assert_eq!(processed(&shop, update).await, 0);

    alter(&shop, allow).await;
    cy.gets("send me your order number").await;
    assert!(delivered(&fake, update).await);
    let answered = statuses(&fake.deliveries_of(update));
    assert_eq!(answered.last(), Some(&Some(200)), "{answered:?}");
    assert!(answered.iter().filter(|s| **s == Some(500)).count() >= 1, "{answered:?}");
    assert!(shop.settled_at(chrono::Utc::now()).await);
    assert_eq!(processed(&shop, update).await, 1);
    assert_eq!(cy.texts().len(), 2, "answered once: {:#?}", cy.texts());
}

#[tokio::test]
async fn a_redelivered_update_already_committed_is_not_read_twice() {
    let (fake, shop, _bot) = webhook_bot().await;
    let di = Customer::new(&fake, 704, "Di", Some("en"));
    di.says("/start").await;

    // The bot's 200 is lost on the way back: Telegram delivers the update again.
    fake.lose_webhook_answers(1);
    di.says("/new").await;
    let update = fake.last_update_id();
    assert!(delivered(&fake, update).await);
    let deliveries = fake.deliveries_of(update);
    assert_eq!(statuses(&deliveries), [Some(200), Some(200)], "{deliveries:#?}");
    assert!(deliveries[0].lost);
    assert!(shop.settled_at(chrono::Utc::now()).await);
    assert_eq!(processed(&shop, update).await, 1);
    assert_eq!(di.texts().len(), 2, "answered once: {:#?}", di.texts());
}

#[tokio::test]
async fn switching_back_to_polling_reads_what_came_meanwhile() {
    let (fake, shop, mut bot) = webhook_bot().await;
    let ed = Customer::new(&fake, 705, "Ed", Some("en"));
    ed.says("/start").await;
    bot.kill();

    // Written while nothing listens: Telegram keeps trying the webhook.
    fake.send_text(ed.id, "/new");
    let update = fake.last_update_id();
    let unreachable = |fake: &FakeTelegram| statuses(&fake.deliveries_of(update)).contains(&None);
    assert!(fake.wait_until(unreachable, WAIT).await, "{:#?}", fake.deliveries_of(update));

    let _polling = shop.serve(&fake);
    let order = fake.wait_for_message(ed.id, |m| m.text.contains("send me your order number"), WAIT).await;
    assert!(order.is_some(), "the update waiting for the webhook is read by polling: {:#?}", ed.texts());
    assert_eq!(fake.webhook_url(), None, "deleteWebhook");
    let deleted = fake.calls_to("deletewebhook");
    assert!(deleted.iter().any(|call| call.ok && call.body["drop_pending_updates"] == false), "{deleted:#?}");
    assert_eq!(processed(&shop, update).await, 1);
    ed.says("/start").await;
}

#[tokio::test]
async fn health_on_a_webhook_follows_what_telegram_can_deliver() {
    let fake = FakeTelegram::start().await;
    let ops_port = free_port();
    let settings = format!("{TEST_CONFIG}\n[ops]\nlisten = \"127.0.0.1:{ops_port}\"\npoll_stale = \"3s\"\n");
    let shop = Shop::with_config(&settings);
    let _bot = serve_webhook(&fake, &shop);
    let ops = Ops { base: format!("http://127.0.0.1:{ops_port}"), client: reqwest::Client::new() };
    let fay = Customer::new(&fake, 706, "Fay", Some("en"));
    fay.says("/start").await;

    // Quiet for longer than poll_stale: Telegram still has the webhook, so all is well.
    let asked = |fake: &FakeTelegram| fake.calls_to("getwebhookinfo").iter().filter(|call| call.ok).count();
    let start = asked(&fake);
    assert!(fake.wait_until(|fake| asked(fake) >= start + 5, WAIT).await, "getWebhookInfo every poll_timeout");
    let healthy = ops.health_becomes(200).await;
    assert_eq!(healthy["checks"]["polling"], "ok", "{healthy}");

    // Telegram can no longer deliver (here: it sends a wrong secret): /health fails.
    fake.forge_webhook_secret(Some("not-the-secret"));
    fake.send_text(fay.id, "/new");
    let failing = ops.health_becomes(503).await;
    assert_eq!(failing["failing"], serde_json::json!(["polling"]), "{failing}");
    fake.forge_webhook_secret(None);
    fay.gets("send me your order number").await;
    ops.health_becomes(200).await;
}

#[tokio::test]
async fn a_bot_stopped_leaves_its_webhook_and_reads_what_came_meanwhile_at_the_next_start() {
    let (fake, shop, mut bot) = webhook_bot().await;
    let gil = Customer::new(&fake, 707, "Gil", Some("en"));
    gil.says("/start").await;
    let stopped = bot.terminate().expect("serve stops on SIGTERM");
    assert!(stopped.success(), "{stopped:?}");
    assert!(fake.webhook_url().is_some(), "the webhook stays set, keeping what Telegram has for it");

    fake.send_text(gil.id, "/new");
    let update = fake.last_update_id();
    let unreachable = |fake: &FakeTelegram| statuses(&fake.deliveries_of(update)).contains(&None);
    assert!(fake.wait_until(unreachable, WAIT).await, "{:#?}", fake.deliveries_of(update));
    let _again = serve_webhook(&fake, &shop);
    gil.gets("send me your order number").await;
    assert_eq!(processed(&shop, update).await, 1);
    assert!(fake.calls_to("getupdates").is_empty());
}

#[test]
fn a_webhook_needs_an_address_to_listen_on_and_a_valid_secret() {
    let shop = Shop::new();
    let serve = |args: &[&str], secret: Option<&str>| {
        let mut command = shop.command(&[&["serve"], args].concat());
        command.env("TELOXIDE_TOKEN", crate::fake_telegram::TOKEN);
        if let Some(secret) = secret {
            command.env("AFTERSALES_WEBHOOK_SECRET", secret);
        }
        let output = command.output().expect("run serve");
        assert!(!output.status.success(), "{args:?} started");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let without_listen = serve(&["--webhook", "https://bot.example.com/telegram"], None);
    assert!(without_listen.contains("--listen"), "{without_listen}");
    let bad_url = serve(&["--webhook", "bot.example.com", "--listen", "127.0.0.1:0"], None);
    assert!(bad_url.contains("is not an http(s) URL"), "{bad_url}");
    let secret = "has spaces in it";
    let bad_secret = serve(&["--webhook", "https://bot.example.com/t", "--listen", "127.0.0.1:0"], Some(secret));
    assert!(bad_secret.contains("AFTERSALES_WEBHOOK_SECRET must be"), "{bad_secret}");
    assert!(!bad_secret.contains(secret), "the secret is not shown: {bad_secret}");
}
