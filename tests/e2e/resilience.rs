//! Nothing is lost and nothing is sent twice: Telegram's refusals and
//! failures are retried, and a bot killed mid-conversation picks up where
//! it stopped.

use std::collections::HashMap;
use std::sync::Arc;

use aftersales::config::Config;
use aftersales::conversation::{Command, Input};
use aftersales::desk::{Desk, Handled, Incoming};
use aftersales::store::Store;
use aftersales::store::customers::Identity;

use crate::fake_telegram::{Failure, FakeTelegram};
use crate::helpers::{Customer, Shop, WAIT};

#[tokio::test]
async fn too_many_requests_and_server_errors_are_retried_until_delivered() {
    let fake = FakeTelegram::start().await;
    let shop = Shop::new();
    fake.fail_next("sendmessage", Failure::TooManyRequests { retry_after: 1 }, 2);
    fake.fail_next("sendmessage", Failure::ServerError(502), 1);
    let _bot = shop.serve(&fake);
    let carol = Customer::new(&fake, 601, "Carol", Some("en"));

    let greeting = carol.says("/start").await;
    assert!(greeting.text.contains("Carol"));
    let sends = fake.calls_to("sendmessage");
    assert!(sends.len() >= 4, "three refusals, then the delivery: {sends:#?}");
    assert_eq!(fake.messages(601).len(), 1, "delivered exactly once");
    // The sender records the delivery just after Telegram has it.
    assert!(shop.eventually("SELECT COUNT(*) FROM outbox WHERE status != 'sent'", 0).await, "the outbox drains");
}

#[tokio::test]
async fn a_bot_killed_mid_conversation_continues_without_loss_or_repeats() {
    let fake = FakeTelegram::start().await;
    let shop = Shop::new();
    let mut bot = shop.serve(&fake);
    let dan = Customer::new(&fake, 602, "Dan", Some("en"));
    dan.says("/new").await;
    dan.says("DEMO-1005").await;
    let reasons = dan.says("8000").await;
    assert!(reasons.button("Changed my mind").is_some());

    let killed = bot.id();
    bot.kill();
    // The customer goes on while the bot is down.
    fake.press_button(602, &reasons, "Changed my mind");
    let restarted = shop.serve(&fake);
    assert_ne!(restarted.id(), killed, "a new process, with only the store to remember");
    let detail = fake.wait_for_message(602, |m| m.button("Skip").is_some(), WAIT).await;
    assert!(detail.is_some(), "the press made while the bot was down is handled after the restart");

    dan.presses("Skip").await;
    dan.presses("Return and refund").await;
    dan.presses("Yes, unused").await;
    dan.presses("No thanks").await;
    let opened = dan.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases").await, 1);
    let texts = dan.texts();
    let mut times: HashMap<&str, usize> = HashMap::new();
    for text in &texts {
        *times.entry(text).or_default() += 1;
    }
    let repeated: Vec<_> = times.into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(repeated.is_empty(), "no reply was sent twice, even apart: {repeated:?}; chat: {texts:#?}");
    assert!(fake.unanswered_callbacks().is_empty());
}

#[tokio::test]
async fn a_redelivered_update_is_recognised_and_not_processed_twice() {
    let shop = Shop::new();
    let store = Store::open(&shop.db_url()).await.expect("store");
    let desk = Desk::new(store, Arc::new(Config::default()));
    let identity = Identity {
        channel: "telegram",
        external_id: "603".into(),
        chat_id: 603,
        first_name: "Eve".into(),
        language_code: Some("en".into()),
    };
    let update = Incoming { update_id: Some(77), identity, input: Input::Command(Command::New), message: None };
    let now = chrono::Utc::now();
    assert_eq!(desk.handle(update.clone(), now).await.expect("first"), Handled::Applied);
    assert_eq!(desk.handle(update, now).await.expect("again"), Handled::Duplicate);
    assert_eq!(shop.count("SELECT COUNT(*) FROM outbox WHERE chat_id = 603").await, 1);
}
