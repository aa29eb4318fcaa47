//! Refusals that help: a "no" names what is still possible, with its date
//! and a button, and only reasons that fit the item are offered.

use crate::helpers::{Customer, WAIT, jpeg, spawn_bot};

#[tokio::test]
async fn a_late_return_is_refused_with_the_exchange_still_open_and_one_tap_takes_it() {
    let (fake, shop, _bot) = spawn_bot().await;
    let chen = Customer::new(&fake, 521, "Chen", Some("en"));

    chen.says("/new").await;
    chen.says("DEMO-1006").await;
    let reasons = chen.says("5006").await;
    // A backpack has no size: no size reasons.
    assert!(reasons.button("Changed my mind").is_some(), "{:?}", reasons.labels());
    assert!(!reasons.labels().iter().any(|label| label.contains("size")), "{:?}", reasons.labels());
    chen.presses("Changed my mind").await;
    chen.presses("Skip").await;
    chen.presses("Return and refund").await;
    let refused = chen.presses("Confirm").await;
    for part in ["Under our rules we can't accept this request", "ended", "You can still exchange it", "until"] {
        assert!(refused.text.contains(part), "{part:?} missing: {}", refused.text);
    }
    assert!(refused.text.contains("quality problems are covered until"), "{}", refused.text);
    assert!(refused.button("Exchange instead").is_some(), "{:?}", refused.labels());
    assert!(refused.button("Report a quality problem").is_some(), "{:?}", refused.labels());

    let condition = chen.presses("Exchange instead").await;
    assert!(condition.text.contains("unused"), "the exchange asks for the condition: {}", condition.text);
    let next = chen.presses("Yes, unused").await;
    if next.button("No thanks, continue").is_some() {
        chen.presses("No thanks, continue").await;
    }
    let opened = chen.presses("Confirm").await;
    assert!(opened.text.contains("AS-1002") && opened.text.contains("Approved"), "{}", opened.text);
    let exchange = "SELECT COUNT(*) FROM cases WHERE id = 'AS-1002' AND outcome = 'exchange' AND status = 'approved'";
    assert_eq!(shop.count(exchange).await, 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND status = 'not_eligible'").await, 1);
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
}

#[tokio::test]
async fn excluded_goods_offer_no_reason_that_could_only_be_refused_and_review_is_not_a_no() {
    let (fake, _shop, _bot) = spawn_bot().await;
    let zhao = Customer::new(&fake, 522, "赵敏", None);

    zhao.says("/new").await;
    zhao.says("DEMO-1007").await;
    let reasons = zhao.says("3007").await;
    let labels = reasons.labels();
    for subjective in ["不想要了", "拍错", "不需要", "更便宜"] {
        assert!(!labels.iter().any(|label| label.contains(subjective)), "{subjective}: {labels:?}");
    }
    assert!(labels.iter().any(|label| label.contains("质量问题")), "{labels:?}");
    zhao.presses("质量问题").await;
    zhao.says("洗了一次就开线了").await;
    for n in 0..3u8 {
        fake.send_photo(zhao.id, jpeg(&[n, 7]), Some("seam"), None);
    }
    let outcome = fake.wait_for_message(zhao.id, |m| m.button("退货退款").is_some(), crate::helpers::WAIT).await;
    assert!(outcome.is_some(), "chat: {:#?}", zhao.texts());
    zhao.presses("退货退款").await;
    let opened = zhao.presses("确认").await;
    assert!(opened.text.contains("这不是拒绝"), "review is not a refusal: {}", opened.text);
}
