//! A customer's cases: a typed case id or a tap on `/cases` shows one case
//! in full, with buttons that work for where it stands, and only to the
//! customer whose case it is.

use crate::agents::{GROUP, agents_desk};
use crate::helpers::{Customer, WAIT};

#[tokio::test]
async fn a_typed_case_id_or_a_tap_on_the_list_shows_the_case_and_only_to_its_customer() {
    let (fake, shop, _bot) = agents_desk("").await;
    let bob = Customer::new(&fake, 721, "Bob", Some("en"));
    let eve = Customer::new(&fake, 722, "Eve", Some("en"));

    // Bob's no-reason return, approved by the rules: AS-1001.
    bob.opens_approved_return("DEMO-1005", None).await;
    bob.gets("how to send back the item").await;

    // Typed as customers type it, alone or in a short question.
    for typed in ["AS-1001", "as1001", "AS 1001", "ＡＳ－１００１", "what about AS-1001?"] {
        let shown = bob.says(typed).await;
        for part in ["Case AS-1001", "DEMO-1005", "Status: Approved", "Decision: Approved", "Next: send the item"] {
            assert!(shown.text.contains(part), "{typed:?}: {part:?} missing: {}", shown.text);
        }
        assert!(shown.text.contains("we sent you the return address"), "the timeline in words: {}", shown.text);
        assert!(
            shown.button("Add to AS-1001").is_some() && shown.button("Talk to a person").is_some(),
            "{typed:?}: {:?}",
            shown.labels()
        );
    }

    // Someone else's case, or none at all: not among yours, and nothing of it shown.
    for typed in ["AS-1001", "AS-9999"] {
        let refused = eve.says(typed).await;
        let id = typed.to_owned();
        assert!(refused.text.contains(&format!("can't find a case {id} among your requests")), "{}", refused.text);
        assert!(!refused.text.contains("DEMO-1005") && !refused.text.contains("Approved"), "{}", refused.text);
    }

    // The list has a button per case; a tap shows it, and it can be added to.
    let list = bob.says("/cases").await;
    assert!(list.text.contains("AS-1001"), "{}", list.text);
    let shown = bob.presses("AS-1001 ·").await;
    assert!(shown.text.contains("Case AS-1001"), "{}", shown.text);
    let ask = bob.presses("Add to AS-1001").await;
    assert!(ask.text.contains("AS-1001") && ask.button("Done").is_some(), "{}", ask.text);
    let added = bob.says("The box is dented as well").await;
    assert!(added.text.contains("Added to AS-1001"), "{}", added.text);
    bob.presses("Done").await;
    let text = format!(
        "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001' AND kind = 'added'
         AND {} = 'The box is dented as well'",
        shop.dialect().json_text("data", "text")
    );
    assert_eq!(shop.count(&text).await, 1, "the message is on the case's timeline");

    // The case view stays on screen while a person closes the case.
    let shown = bob.says("AS-1001").await;
    assert!(shown.text.contains("you added to the case"), "{}", shown.text);
    bob.says("human").await;
    let closed_in_topic = |fake: &crate::fake_telegram::FakeTelegram| {
        fake.topics(GROUP).into_iter().find(|t| t.name.contains("AS-1001") && t.pinned_message_id.is_some())
    };
    assert!(fake.wait_until(|fake| closed_in_topic(fake).is_some(), WAIT).await, "a topic for the case");
    let topic = closed_in_topic(&fake).expect("topic");
    fake.send_text_in_topic(GROUP, 901, topic.thread_id, "/close");
    bob.gets("is closed").await;
    assert!(shop.eventually("SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND status = 'closed'", 1).await);

    // Its old button gets a friendly word and the case as it is now.
    let stale = bob.presses("Add to AS-1001").await;
    for part in ["AS-1001 is settled now", "Status: Closed", "Next: nothing to do"] {
        assert!(stale.text.contains(part), "{part:?} missing: {}", stale.text);
    }
    assert!(stale.button("Add to AS-1001").is_none(), "{:?}", stale.labels());
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}
