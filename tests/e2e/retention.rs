//! Scripted retention over Telegram: a customer who changed their mind is
//! offered what the shop's script says, and can take it or go on.

use crate::fake_telegram::FakeTelegram;
use crate::helpers::{COUPON_OFFER, Customer, Shop, TEST_CONFIG, WAIT};

/// After the coupon, the demo shop offers another size or style.
const OTHER_STYLE: &str = r#"
[[retention.offers]]
id = "other_style"
kind = "other_style"
text_zh = "可以为您换一个尺码或款式"
text_en = "We can swap it for another size or style"
"#;

/// From /new to the first retention offer on a change-of-mind return.
async fn up_to_the_first_offer(customer: &Customer<'_>, order: &str, item: Option<&str>) -> String {
    customer.says("/new").await;
    customer.says(order).await;
    customer.says("8000").await;
    if let Some(item) = item {
        customer.presses(item).await;
    }
    customer.presses("Changed my mind").await;
    customer.presses("Skip").await;
    let condition = customer.presses("Return and refund").await;
    assert!(condition.text.contains("tags"), "the goods' condition is asked: {}", condition.text);
    customer.presses("Yes, unused").await.text
}

#[tokio::test]
async fn a_customer_who_takes_the_coupon_keeps_the_item_and_the_case_closes_as_retained() {
    let fake = FakeTelegram::start().await;
    let shop = Shop::with_config(&format!("{TEST_CONFIG}\n{COUPON_OFFER}\n{OTHER_STYLE}"));
    let _bot = shop.serve(&fake);
    let mei = Customer::new(&fake, 601, "Mei", Some("en"));

    let offer = up_to_the_first_offer(&mei, "DEMO-1005", None).await;
    assert!(offer.contains("A coupon for your next order") && offer.contains("¥10.00"), "{offer}");
    assert!(offer.contains("No thanks, continue"), "declining is one tap and says so: {offer}");
    let kept = mei.presses("take the coupon").await;
    assert!(kept.text.contains("AS-1001"), "{}", kept.text);

    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND status = 'retained'").await, 1);
    let coupon = "SELECT COUNT(*) FROM retention_offers WHERE case_id = 'AS-1001' AND offer_id = 'coupon10'
                  AND result = 'accepted' AND value_minor = 1000 AND currency = 'CNY'";
    assert_eq!(shop.count(coupon).await, 1, "the coupon is recorded on the case");
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE resale_intact = TRUE").await, 1);
    assert!(fake.rejections().is_empty(), "{:#?}", fake.rejections());
}

#[tokio::test]
async fn a_customer_who_declines_goes_straight_on_with_the_return() {
    let fake = FakeTelegram::start().await;
    let shop = Shop::with_config(&format!("{TEST_CONFIG}\n{COUPON_OFFER}\n{OTHER_STYLE}"));
    let _bot = shop.serve(&fake);
    let wang = Customer::new(&fake, 602, "王芳", None);
    wang.says("/lang").await;
    wang.presses("English").await;

    up_to_the_first_offer(&wang, "DEMO-1004", Some("女士防风夹克")).await;
    let summary = wang.presses("No thanks").await;
    assert!(summary.button("Confirm").is_some(), "one tap back to the request: {}", summary.text);
    assert!(summary.text.contains("Return and refund"), "{}", summary.text);
    let opened = wang.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001") && opened.text.contains("7-day"), "{}", opened.text);

    assert_eq!(
        shop.count("SELECT COUNT(*) FROM cases WHERE status = 'approved' AND outcome = 'return_refund'").await,
        1
    );
    let declined = "SELECT COUNT(*) FROM retention_offers WHERE offer_id = 'coupon10' AND result = 'declined'";
    assert_eq!(shop.count(declined).await, 1, "the declined offer is recorded for the reports");
    assert_eq!(shop.count("SELECT COUNT(*) FROM retention_offers").await, 1, "no further offers after declining");
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
}
