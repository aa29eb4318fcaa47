//! A customer opens cases over Telegram, as they would on their phone.

use crate::helpers::{Customer, WAIT, spawn_bot};

#[tokio::test]
async fn a_customer_opens_a_damaged_item_case_with_an_album_of_photos() {
    let (fake, shop, _bot) = spawn_bot().await;
    let alice = Customer::new(&fake, 501, "Alice", Some("en-GB"));

    let greeting = alice.says("/start").await;
    assert!(greeting.text.contains("Alice"), "{}", greeting.text);
    alice.presses("Return").await;
    let proof = alice.says("demo-1004").await;
    assert!(proof.text.contains("last 4 digits"), "{}", proof.text);
    let items = alice.says("8000").await;
    assert!(items.labels().iter().any(|label| label.contains("女士防风夹克")), "{:?}", items.labels());
    let reasons = alice.presses("女士防风夹克").await;
    assert_eq!(reasons.message_id, items.message_id, "the question is edited in place");
    alice.presses("Damaged in transit").await;
    let evidence = alice.presses("Skip").await;
    assert!(evidence.text.contains("3"), "asks for 3–5 photos: {}", evidence.text);

    let before = fake.messages(alice.id).len();
    for n in 0..3u8 {
        fake.send_photo(alice.id, vec![0xFF, 0xD8, n, 1, 2, 3], Some("album-1"), None);
    }
    let received = fake.wait_for_message(alice.id, |m| m.button("Done").is_some(), WAIT).await.expect("photos counted");
    assert!(received.text.contains('3'), "{}", received.text);
    assert_eq!(fake.messages(alice.id).len(), before + 1, "one answer for the whole album");

    alice.presses("Done").await;
    let summary = alice.presses("Reship").await;
    assert!(summary.text.contains("DEMO-1004") && summary.button("Confirm").is_some(), "{}", summary.text);
    let opened = alice.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);

    assert_eq!(
        shop.count("SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND reason = 'damaged_in_transit'").await,
        1
    );
    assert_eq!(shop.count("SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001'").await, 2);
    let copied = fake
        .wait_until(|_| std::fs::read_dir(shop.path().join("media")).map(|d| d.count()).unwrap_or(0) == 3, WAIT)
        .await;
    assert!(copied, "the three photos are copied into the media folder");
    let recorded = shop.eventually("SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001' AND sha256 IS NOT NULL", 3);
    assert!(recorded.await, "each copy is recorded on its evidence row");
    assert!(fake.unanswered_callbacks().is_empty(), "every button press is answered");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
    let commands = fake.commands();
    assert!(commands.contains_key("en") && commands.contains_key("zh"), "{commands:?}");
}

#[tokio::test]
async fn chinese_is_the_default_and_the_language_is_remembered() {
    let (fake, shop, _bot) = spawn_bot().await;
    let wang = Customer::new(&fake, 502, "王芳", None);

    let greeting = wang.says("/start").await;
    assert!(greeting.text.contains("王芳") && greeting.text.contains("退"), "{}", greeting.text);
    let prompt = wang.says("/lang").await;
    assert!(prompt.button("English").is_some(), "{:?}", prompt.labels());
    let switched = wang.presses("English").await;
    assert!(switched.text.contains("English"), "{}", switched.text);
    let menu = wang.says("/start").await;
    assert!(menu.text.is_ascii() || menu.text.contains("Welcome"), "{}", menu.text);
    assert_eq!(shop.count("SELECT COUNT(*) FROM customers WHERE lang = 'en'").await, 1);
}

#[tokio::test]
async fn a_shared_contact_proves_the_phone_and_offers_the_customers_orders() {
    let (fake, _shop, _bot) = spawn_bot().await;
    let wang = Customer::new(&fake, 503, "Fang", Some("en"));

    let ask = wang.says("/new").await;
    let keyboard = ask.reply_keyboard.clone().expect("a share-contact keyboard");
    assert!(keyboard.to_string().contains("request_contact"), "{keyboard}");

    let refused = wang.expect_reply(|| {
        fake.send_contact(503, "+86 138 0013 8000", Some(999));
    });
    assert!(refused.await.text.contains("own"), "someone else's contact is refused");

    fake.send_contact(503, "+86 138 0013 8000", Some(503));
    let pick = fake.wait_for_message(503, |m| m.button("DEMO-1005").is_some(), crate::helpers::WAIT).await;
    let pick = pick.expect("the customer's orders as buttons");
    assert!(pick.button("DEMO-1004").is_some(), "{:?}", pick.labels());
    let next = wang.presses("DEMO-1005").await;
    assert!(next.text.contains("青瓷花瓶"), "the single item is chosen, the reason asked: {}", next.text);
}

#[tokio::test]
async fn unexpected_input_gets_a_friendly_reply_and_the_question_again() {
    let (fake, shop, _bot) = spawn_bot().await;
    let bob = Customer::new(&fake, 504, "Bob", Some("en"));

    bob.says("/new").await;
    bob.says("DEMO-1006").await;
    let reasons = bob.says("5006").await;
    let sticker = bob.expect_reply(|| {
        fake.send_sticker(504);
    });
    let sticker = sticker.await;
    assert!(sticker.text.contains("sticker") && sticker.text.contains("reason"), "{}", sticker.text);
    let voice = bob.expect_reply(|| {
        fake.send_voice(504);
    });
    assert!(voice.await.text.contains("reason"));
    let long = bob.says(&"x".repeat(4000)).await;
    assert!(long.text.contains("too long"), "{}", long.text);
    let typed = bob.says("just refund me").await;
    assert!(typed.text.contains("button"), "{}", typed.text);

    // An old question's button, pressed again.
    let stale_data = reasons.button("Changed my mind").and_then(|b| b.callback_data.clone()).expect("button");
    let stale = bob.expect_reply(|| {
        fake.press_unchecked(504, reasons.message_id, &stale_data);
    });
    assert!(stale.await.text.contains("out of date"));
    assert!(fake.unanswered_callbacks().is_empty());

    // A bag delivered 10 days ago: out of the 7-day window, yet never a flat no.
    bob.presses("Changed my mind").await;
    bob.presses("Skip").await;
    bob.presses("Return and refund").await;
    let decision = bob.presses("Confirm").await;
    assert!(decision.text.contains("AS-1001") && decision.text.contains("person"), "{}", decision.text);
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE status = 'not_eligible'").await, 1);
    assert!(fake.rejections().is_empty(), "{:#?}", fake.rejections());
}
