//! One unit, one claim: a customer who asks again about an item already in
//! a case is shown that case, and can add to it or talk to a person.

use crate::helpers::{Customer, Shop, WAIT, jpeg, spawn_bot};

#[tokio::test]
async fn a_returned_item_is_not_claimed_twice_and_its_case_can_be_added_to() {
    let (fake, shop, _bot) = spawn_bot().await;
    let alice = Customer::new(&fake, 511, "Alice", Some("en-GB"));

    alice.says("/new").await;
    alice.says("DEMO-1004").await;
    alice.says("8000").await;
    alice.presses("女士防风夹克").await;
    alice.presses("Changed my mind").await;
    alice.presses("Skip").await;
    alice.presses("Return and refund").await;
    alice.presses("Yes, unused").await;
    alice.presses("No thanks, continue").await;
    let opened = alice.presses("Confirm").await;
    assert!(opened.text.contains("AS-1001") && opened.text.contains("Approved"), "{}", opened.text);
    alice.gets("Here's how to send back").await;

    // The same jacket (1 unit) again, this time for an exchange.
    alice.says("/new").await;
    alice.says("DEMO-1004").await;
    alice.says("8000").await;
    let claimed = alice.presses("女士防风夹克").await;
    for part in ["already in a request", "AS-1001", "Return and refund", "Approved", "return address"] {
        assert!(claimed.text.contains(part), "{part:?} missing: {}", claimed.text);
    }
    assert!(
        claimed.button("Add to AS-1001").is_some() && claimed.button("Talk to a person").is_some(),
        "{:?}",
        claimed.labels()
    );
    assert!(
        claimed.button("Exchange").is_none() && claimed.button("Changed my mind").is_none(),
        "{:?}",
        claimed.labels()
    );

    let ask = alice.presses("Add to AS-1001").await;
    assert!(ask.text.contains("AS-1001") && ask.button("Done").is_some(), "{}", ask.text);
    let added = alice.says("The zip sticks as well").await;
    assert!(added.text.contains("Added to AS-1001"), "{}", added.text);
    let photo = alice
        .expect_reply(|| {
            fake.send_photo(alice.id, jpeg(&[9, 9, 9]), None, None);
        })
        .await;
    assert!(photo.text.contains("Added to AS-1001"), "{}", photo.text);
    let done = alice.presses("Done").await;
    assert!(done.text.contains("AS-1001"), "{}", done.text);

    assert_eq!(shop.count("SELECT COUNT(*) FROM cases").await, 1, "no second case on the one unit");
    let text = format!(
        "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001' AND kind = 'added' AND {} = 'The zip sticks as well'",
        shop.dialect().json_text("data", "text")
    );
    assert_eq!(shop.count(&text).await, 1, "the message is on the case's timeline");
    assert!(
        shop.eventually("SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001'", 1).await,
        "the photo is evidence"
    );
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[test]
fn in_the_terminal_the_second_claim_shows_the_case_and_adds_to_it() {
    let shop = Shop::new();
    let claim = "/new\nDEMO-1004\n8000\n女士防风夹克\n";
    let first = shop.chat(&format!("{claim}Changed my mind\nSkip\nReturn and refund\nYes\nNo thanks\nConfirm\n"));
    assert!(first.contains("AS-1001"), "{first}");

    let photo = shop.path().join("zip.jpg");
    std::fs::write(&photo, jpeg(b"a stuck zip")).expect("photo");
    let script = format!("{claim}Add to AS-1001\nThe zip sticks as well\n/photo {}\nDone\n", photo.display());
    let second = shop.chat(&script);
    for part in ["already in a request", "Add to AS-1001", "Added to AS-1001", "Everything you sent is on AS-1001"] {
        assert!(second.contains(part), "{part:?} missing: {second}");
    }
    let output = shop.command(&["cases", "show", "AS-1001"]).output().expect("cases show");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("The zip sticks as well"), "the addition is on the timeline: {shown}");
    let output = shop.command(&["cases", "list"]).output().expect("cases list");
    let listed = String::from_utf8_lossy(&output.stdout);
    assert!(!listed.contains("AS-1002"), "no second case: {listed}");
}
