//! Proving an order is yours cannot be outlasted: wrong answers to the
//! phone-digit question are counted per order and chat in the store, so
//! starting over or a restart keeps them, and per order across all chats,
//! so many accounts do not buy many tries.

use crate::agents::{GROUP, agents_desk};
use crate::fake_telegram::BotMessage;
use crate::helpers::{Customer, Shop, WAIT};

/// The demo order's phone ends in 8000; its first item is this jacket.
const ORDER: &str = "DEMO-1004";
const ITEM: &str = "女士防风夹克";

fn shows_items(message: &BotMessage) -> bool {
    message.text.contains(ITEM) || message.labels().iter().any(|label| label.contains(ITEM))
}

#[tokio::test]
async fn starting_over_and_a_restart_keep_the_wrong_answers_and_the_third_locks() {
    let fake = crate::fake_telegram::FakeTelegram::start().await;
    let shop = Shop::new();
    let mut bot = shop.serve(&fake);
    let eve = Customer::new(&fake, 701, "Eve", Some("en"));

    eve.says("/new").await;
    eve.says(ORDER).await;
    assert!(eve.says("1111").await.text.contains("2 tries left"));
    assert!(eve.says("2222").await.text.contains("1 try left"));
    eve.says("/cancel").await;
    // The sender records a delivery just after Telegram has it; kill after that.
    assert!(shop.eventually("SELECT COUNT(*) FROM outbox WHERE status != 'sent'", 0).await, "the outbox drains");
    bot.kill();
    let _restarted = shop.serve(&fake);

    eve.says("/start").await;
    eve.says("/new").await;
    let ask = eve.says(ORDER).await;
    assert!(ask.text.contains("last 4 digits"), "{:#?}", eve.texts());
    let locked = eve.says("3333").await;
    assert!(locked.text.contains("locked"), "the third wrong answer in all locks: {}", locked.text);

    let again = eve.says(ORDER).await;
    assert!(again.text.contains("locked"), "{}", again.text);
    let right = eve.says("8000").await;
    assert!(!shows_items(&right), "the right digits during the lock show nothing: {}", right.text);
    assert!(eve.texts().iter().all(|text| !text.contains(ITEM)), "{:#?}", eve.texts());
    assert_eq!(shop.count("SELECT COUNT(*) FROM proof_failures").await, 3);
    assert_eq!(shop.count("SELECT COUNT(*) FROM order_locks").await, 1);
}

#[tokio::test]
async fn many_chats_guessing_one_order_leave_it_to_a_shared_phone_and_alert_the_agents_once() {
    let (fake, shop, _bot) = agents_desk("").await;
    let alert_count = || fake.messages(GROUP).iter().filter(|m| m.text.contains(ORDER)).count();

    // Five accounts, two guesses each: none is locked, the order has had ten.
    for id in 711..716 {
        let guesser = Customer::new(&fake, id, "Guest", Some("en"));
        guesser.says("/new").await;
        guesser.says(ORDER).await;
        guesser.says("1111").await;
        let last = guesser.says("2222").await;
        if id == 715 {
            assert!(
                last.text.contains("your phone number with the button"),
                "the tenth answer ends typed digits: {}",
                last.text
            );
        } else {
            assert!(last.text.contains("1 try left"), "{}", last.text);
        }
    }
    let alert = fake.wait_for_message(GROUP, |m| m.text.contains(ORDER), WAIT).await.expect("the agents are alerted");
    assert!(alert.text.contains("10") && alert.text.contains("5 chats"), "{}", alert.text);

    // An eleventh chat with the right digits gets no further than the button.
    let owner = Customer::new(&fake, 716, "Fang", Some("en"));
    owner.says("/new").await;
    let ask = owner.says(ORDER).await;
    assert!(ask.text.contains("your phone number with the button"), "{}", ask.text);
    let keyboard = ask.reply_keyboard.clone().expect("the share-contact button");
    assert!(keyboard.to_string().contains("request_contact"), "{keyboard}");
    let right = owner.says("8000").await;
    assert!(!shows_items(&right) && right.text.contains("your phone number with the button"), "{}", right.text);

    fake.send_contact(716, "+86 138 0013 8000", Some(716));
    let items = fake.wait_for_message(716, shows_items, WAIT).await;
    assert!(items.is_some(), "the shared matching phone proves the order: {:#?}", owner.texts());

    assert!(shop.eventually("SELECT COUNT(*) FROM outbox WHERE status != 'sent'", 0).await, "the outbox drains");
    assert_eq!(alert_count(), 1, "alerted once: {:#?}", fake.messages(GROUP));
    assert_eq!(shop.count("SELECT COUNT(*) FROM proof_failures").await, 10, "digits past the limit are not checked");
}
