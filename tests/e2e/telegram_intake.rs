//! A customer opens cases over Telegram, as they would on their phone.

use std::cell::Cell;

use crate::fake_telegram::BotMessage;
use crate::helpers::{Customer, WAIT, jpeg, spawn_bot};

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
    let evidence = alice.presses("Damaged in transit").await;
    assert!(evidence.text.contains("(3–5 photos)"), "asks for 3–5 photos: {}", evidence.text);

    let before = fake.messages(alice.id).len();
    for n in 0..3u8 {
        fake.send_photo(alice.id, jpeg(&[n, 1, 2, 3]), Some("album-1"), None);
    }
    let received =
        fake.wait_for_message(alice.id, |m| m.button("Reship").is_some(), WAIT).await.expect("photos counted");
    assert!(received.text.contains("Received 3 photos"), "{}", received.text);
    assert_eq!(fake.messages(alice.id).len(), before + 1, "one answer for the whole album");

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
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
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
    assert!(menu.text.starts_with("Hi 王芳! Welcome to"), "greeted in English: {}", menu.text);
    assert!(!menu.text.contains("欢迎"), "and not in Chinese: {}", menu.text);
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
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");

    // A bag delivered 10 days ago: out of the 7-day window, yet never a flat no.
    bob.presses("Changed my mind").await;
    bob.presses("Skip").await;
    bob.presses("Return and refund").await;
    let decision = bob.presses("Confirm").await;
    assert!(decision.text.contains("AS-1001") && decision.text.contains("person"), "{}", decision.text);
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE status = 'not_eligible'").await, 1);
    assert!(fake.rejections().is_empty(), "{:#?}", fake.rejections());
}

/// A customer whose every action is counted: a typed line, a tap or an album is one.
struct Counted<'a> {
    customer: Customer<'a>,
    actions: Cell<u32>,
}

impl<'a> Counted<'a> {
    fn new(customer: Customer<'a>) -> Counted<'a> {
        Counted { customer, actions: Cell::new(0) }
    }

    fn act(&self) {
        self.actions.set(self.actions.get() + 1);
    }

    async fn says(&self, text: &str) -> BotMessage {
        self.act();
        self.customer.says(text).await
    }

    async fn presses(&self, label: &str) -> BotMessage {
        self.act();
        self.customer.presses(label).await
    }

    /// Three photos as one album, the caption on the first, as Telegram
    /// delivers them (an update per photo); the one answer to the album.
    async fn sends_album(&self, caption: &str) -> BotMessage {
        self.act();
        let (fake, id) = (self.customer.fake, self.customer.id);
        let before = fake.messages(id).len();
        let album = format!("album-{id}");
        for n in 0..3u8 {
            let bytes = jpeg(&[n, 4, 5, 6]);
            fake.send_photo(id, bytes, Some(&album), (n == 0).then_some(caption));
        }
        let answered = fake.wait_until(|_| fake.messages(id).len() > before, WAIT).await;
        assert!(answered, "no answer to the album: {:#?}", self.customer.texts());
        let messages = fake.messages(id);
        assert_eq!(messages.len(), before + 1, "one answer for the whole album: {:#?}", self.customer.texts());
        messages.last().cloned().expect("the answer")
    }
}

#[tokio::test]
async fn a_damaged_item_case_takes_six_actions_from_a_first_message_with_the_order_number() {
    let (fake, shop, _bot) = spawn_bot().await;
    let alice = Counted::new(Customer::new(&fake, 511, "Alice", Some("en")));

    let proof = alice.says("DEMO-1005 arrived broken").await;
    assert!(proof.text.contains("last 4 digits"), "{}", proof.text);
    let reasons = alice.says("8000").await;
    assert!(reasons.text.contains("青瓷花瓶"), "the one item is chosen: {}", reasons.text);
    let photos = alice.presses("Damaged in transit").await;
    assert!(photos.text.contains("caption") && photos.text.contains("(3–5 photos)"), "{}", photos.text);
    let outcomes = alice.sends_album("The rim is cracked").await;
    assert!(outcomes.text.contains("Received 3 photos"), "the photo step ended by itself: {}", outcomes.text);
    let summary = alice.presses("Reship").await;
    assert!(summary.text.contains("arrived broken") && summary.text.contains("The rim is cracked"), "{}", summary.text);
    assert!(summary.text.contains("DEMO-1005") && summary.button("Confirm").is_some(), "{}", summary.text);
    let opened = alice.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);

    assert_eq!(alice.actions.get(), 6, "a damaged-item case in at most 7 actions");
    let case = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND reason = 'damaged_in_transit' \
                AND detail = 'arrived broken / The rim is cracked'";
    assert_eq!(shop.count(case).await, 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001'").await, 3);
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn a_damaged_item_case_takes_seven_actions_from_start_in_chinese_and_the_next_order_starts_another() {
    let (fake, shop, _bot) = spawn_bot().await;
    let wang = Counted::new(Customer::new(&fake, 512, "王芳", None));

    let greeting = wang.says("/start").await;
    assert!(greeting.text.contains("订单号"), "the menu says an order number will do: {}", greeting.text);
    let proof = wang.says("DEMO-1005 收到的花瓶碎了").await;
    assert!(proof.text.contains("后4位"), "{}", proof.text);
    wang.says("8000").await;
    let photos = wang.presses("运输破损").await;
    assert!(photos.text.contains("说明") && photos.text.contains("3–5张"), "{}", photos.text);
    let outcomes = wang.sends_album("瓶口裂了一道缝").await;
    assert!(outcomes.text.contains("已收到3张"), "{}", outcomes.text);
    let summary = wang.presses("补发").await;
    assert!(summary.text.contains("收到的花瓶碎了") && summary.text.contains("瓶口裂了一道缝"), "{}", summary.text);
    let opened = wang.presses("确认提交").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);
    assert_eq!(wang.actions.get(), 7, "a damaged-item case in at most 7 actions");

    // Idle again after the case: the next order number starts the next request.
    let proof = wang.says("demo-1004").await;
    assert!(proof.text.contains("DEMO-1004") && proof.text.contains("后4位"), "{}", proof.text);
    assert_eq!(shop.count("SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001'").await, 3);
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn an_order_number_that_looks_like_a_tracking_number_starts_a_request_while_a_parcel_is_awaited() {
    let (fake, shop, _bot) = spawn_bot().await;
    // Marketplace order numbers are long digit strings, as tracking numbers are.
    let csv = shop.path().join("orders.csv");
    std::fs::write(
        &csv,
        "order_no,phone,customer_name,sku,item_name,category,quantity,unit_price,currency,paid_at,shipped_at,\
         delivered_at,carrier,tracking_no,freight_insurance\n\
         260301123456789012,13800138000,王芳,MUG-1,马克杯,kitchen,1,59.00,CNY,2026-03-01T10:00:00+08:00,,,,,false\n",
    )
    .expect("write orders");
    let status = shop.command(&["orders", "import", &csv.display().to_string()]).status().expect("import");
    assert!(status.success());
    let lin = Customer::new(&fake, 513, "Lin", Some("en"));

    // An approved return: the bot now waits for its tracking number.
    lin.opens_approved_return("DEMO-1004", Some("女士防风夹克")).await;
    lin.gets("how to send back the item").await;
    assert!(shop.eventually("SELECT COUNT(*) FROM outbox WHERE status = 'pending'", 0).await, "all told");

    let proof = lin.says("260301123456789012").await;
    assert!(proof.text.contains("last 4 digits"), "a request, not a tracking number: {}", proof.text);
    let asked = lin.says("8000").await;
    assert!(asked.text.contains("马克杯"), "{}", asked.text);
}

#[tokio::test]
async fn photos_sent_before_the_reason_are_kept_and_the_photo_question_is_not_asked() {
    let (fake, shop, _bot) = spawn_bot().await;
    let bob = Counted::new(Customer::new(&fake, 514, "Bob", Some("en")));

    bob.says("DEMO-1006").await;
    bob.says("5006").await;
    let kept = bob.sends_album("The zip came off").await;
    assert!(kept.text.contains("Received 3 photos") && kept.button("Quality problem").is_some(), "{}", kept.text);
    let outcomes = bob.presses("Quality problem").await;
    assert!(outcomes.text.contains("What would you like us to do"), "{}", outcomes.text);
    bob.presses("Return and refund").await;
    let opened = bob.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);
    assert_eq!(bob.actions.get(), 6);
    let case = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND detail = 'The zip came off'";
    assert_eq!(shop.count(case).await, 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001'").await, 3);
}
