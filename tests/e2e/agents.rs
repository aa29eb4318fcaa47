//! Human agents take over: a case goes to a person, who works it from a
//! forum topic in the agents' group, and hands it back. Both sides are
//! driven as people would: the customer in their private chat, agents in
//! the group.

use crate::fake_telegram::{BotMessage, FakeTelegram, TopicInfo};
use crate::helpers::{BotProcess, Customer, Shop, TEST_CONFIG, WAIT, jpeg};

pub(crate) const GROUP: i64 = -100_777;
pub(crate) const LI: i64 = 901;
const ZHAO: i64 = 902;
pub(crate) const STRANGER: i64 = 903;

/// The agents' group with two agents (a stranger is in the group too).
pub(crate) fn agents_config(extra: &str) -> String {
    format!("{TEST_CONFIG}\n[agents]\nchat_id = {GROUP}\nuser_ids = [{LI}, {ZHAO}]\nlang = \"en\"\n{extra}\n")
}

pub(crate) fn agents_group(fake: &FakeTelegram) {
    fake.add_group(GROUP, "After-sales agents", true);
    for (id, name) in [(LI, "Li"), (ZHAO, "Zhao"), (STRANGER, "Mallory")] {
        fake.add_user(id, name, Some("zh"));
        fake.add_member(GROUP, id);
    }
}

/// A fake Telegram with the agents' group, and the bot serving a demo shop with these `[agents]` settings.
pub(crate) async fn agents_desk(extra: &str) -> (FakeTelegram, Shop, BotProcess) {
    let fake = FakeTelegram::start().await;
    agents_group(&fake);
    let shop = Shop::with_config(&agents_config(extra));
    let bot = shop.serve(&fake);
    (fake, shop, bot)
}

/// The one live topic whose name contains `name`, once its card is pinned
/// (agents start from the card).
pub(crate) async fn topic(fake: &FakeTelegram, name: &str) -> TopicInfo {
    let found = |fake: &FakeTelegram| {
        fake.topics(GROUP).into_iter().find(|t| !t.deleted && t.name.contains(name) && t.pinned_message_id.is_some())
    };
    assert!(fake.wait_until(|fake| found(fake).is_some(), WAIT).await, "no topic {name:?}: {:#?}", fake.topics(GROUP));
    found(fake).expect("topic")
}

/// Waits for a bot message in the topic that satisfies `wanted`.
async fn in_topic(fake: &FakeTelegram, thread: i64, wanted: impl Fn(&BotMessage) -> bool) -> BotMessage {
    let found = |fake: &FakeTelegram| fake.topic_messages(GROUP, thread).into_iter().find(|m| wanted(m));
    let seen = fake.wait_until(|fake| found(fake).is_some(), WAIT).await;
    assert!(
        seen,
        "not in the topic: {:#?}",
        fake.topic_messages(GROUP, thread).iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    found(fake).expect("message")
}

pub(crate) async fn in_topic_text(fake: &FakeTelegram, thread: i64, text: &str) -> BotMessage {
    in_topic(fake, thread, |m| m.text.contains(text)).await
}

/// The pinned case card of a topic.
fn card(fake: &FakeTelegram, topic: &TopicInfo) -> BotMessage {
    let pinned = fake.pinned(GROUP, Some(topic.thread_id)).expect("a pinned card");
    fake.message(GROUP, pinned).expect("card message")
}

/// Opens a damaged-item case with three photos; the rules send it to review, hence to a person.
pub(crate) async fn damaged_case(customer: &Customer<'_>) -> BotMessage {
    damaged_case_for(customer, "Reship").await
}

/// A damaged-item case asking for `outcome` (a button's label).
async fn damaged_case_for(customer: &Customer<'_>, outcome: &str) -> BotMessage {
    customer.says("/new").await;
    customer.says("DEMO-1004").await;
    customer.says("8000").await;
    customer.presses("女士防风夹克").await;
    customer.presses("Damaged in transit").await;
    for n in 0..3u8 {
        customer.fake.send_photo(customer.id, jpeg(&[n, 9, 9]), Some("evidence-1"), None);
    }
    let counted = customer.fake.wait_for_message(customer.id, |m| m.button(outcome).is_some(), WAIT).await;
    counted.expect("photos counted, the outcome asked");
    customer.presses(outcome).await;
    customer.presses("Confirm").await
}

#[tokio::test]
async fn an_escalated_case_is_taken_worked_both_ways_and_handed_back_even_across_a_restart() {
    let (fake, shop, mut bot) = agents_desk("").await;
    let alice = Customer::new(&fake, 701, "Alice", Some("en"));

    // Escalation by rule: transit damage needs a person's review.
    let opened = damaged_case(&alice).await;
    assert!(opened.text.contains("AS-1001") && opened.text.contains("a colleague will take over"), "{}", opened.text);
    assert!(opened.labels().is_empty(), "no menu whose buttons would only be paused: {:?}", opened.labels());

    // A topic for the case, its card pinned on top, the evidence as an album.
    let topic = topic(&fake, "AS-1001").await;
    assert!(topic.name.contains("Alice") && topic.name.contains("Damaged"), "{}", topic.name);
    let album = in_topic(&fake, topic.thread_id, |m| m.kind == "photo").await;
    let card_now = card(&fake, &topic);
    for expected in ["AS-1001", "DEMO-1004", "Status:", "Timeline:", "女士防风夹克"] {
        assert!(card_now.text.contains(expected), "card lacks {expected:?}: {}", card_now.text);
    }
    assert!(
        !card_now.text.contains("13800138000") && card_now.text.contains("****"),
        "phone masked: {}",
        card_now.text
    );
    let photos =
        fake.topic_messages(GROUP, topic.thread_id).into_iter().filter(|m| m.media_group_id == album.media_group_id);
    assert_eq!(photos.count(), 3, "the three evidence photos as one album");

    // Two agents press Take at once: exactly one wins, the other is told who has it.
    let take = card_now.button("Take").expect("take button").callback_data.clone().expect("data");
    let li_press = fake.press_in_topic(GROUP, LI, topic.thread_id, card_now.message_id, &take);
    let zhao_press = fake.press_in_topic(GROUP, ZHAO, topic.thread_id, card_now.message_id, &take);
    let answered = |fake: &FakeTelegram| [&li_press, &zhao_press].iter().all(|id| fake.callback_answer(id).is_some());
    assert!(fake.wait_until(answered, WAIT).await, "both presses answered");
    let took = in_topic(&fake, topic.thread_id, |m| m.text.contains("took the case")).await;
    let (winner, loser_press) = if took.text.contains("Li") { (LI, &zhao_press) } else { (ZHAO, &li_press) };
    let loser_notice = fake.callback_answer(loser_press).and_then(|answer| answer.text).unwrap_or_default();
    assert!(loser_notice.contains("has this case"), "{loser_notice}");
    let takes = "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001' AND kind = 'taken'";
    assert_eq!(shop.count(takes).await, 1, "exactly one take recorded");
    alice.gets("now looking after your case").await;

    // Relay both ways: text and an album from the customer, text from the agent.
    fake.send_text(alice.id, "Is there any news? The zip is broken too.");
    in_topic_text(&fake, topic.thread_id, "The zip is broken too").await;
    for n in 0..2u8 {
        fake.send_photo(alice.id, jpeg(&[n, 7, 7]), Some("later-album"), None);
    }
    let relayed = |fake: &FakeTelegram| {
        let photos = fake.topic_messages(GROUP, topic.thread_id).into_iter().filter(|m| m.kind == "photo");
        photos.filter(|m| m.media_group_id != album.media_group_id).count() == 2
    };
    assert!(fake.wait_until(relayed, WAIT).await, "the customer's album reaches the topic as an album");
    fake.send_text_in_topic(GROUP, winner, topic.thread_id, "We are sending a new jacket tomorrow.");
    alice.gets("We are sending a new jacket tomorrow.").await;

    // An internal note is saved and never relayed.
    let before = alice.texts().len();
    fake.send_text_in_topic(GROUP, winner, topic.thread_id, "/note customer sounds upset, be gentle");
    in_topic_text(&fake, topic.thread_id, "Note saved").await;
    let note = "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001' AND kind = 'note'";
    assert!(shop.eventually(note, 1).await);

    // A restart in the middle of the taken case loses nothing.
    bot.kill();
    let _bot = shop.serve(&fake);
    fake.send_text_in_topic(GROUP, winner, topic.thread_id, "Still there, Alice?");
    alice.gets("Still there, Alice?").await;
    fake.send_text(alice.id, "yes, still here");
    in_topic_text(&fake, topic.thread_id, "yes, still here").await;
    assert_eq!(fake.topics(GROUP).len(), 1, "the same topic after the restart");
    assert!(!alice.texts().iter().skip(before).any(|text| text.contains("upset")), "the note never reached Alice");

    // A decision through the policy checks: the customer is told, the card shows it.
    fake.send_text_in_topic(GROUP, winner, topic.thread_id, "/approve");
    alice.gets("Good news about case AS-1001").await;
    assert!(shop.eventually("SELECT COUNT(*) FROM cases WHERE id = 'AS-1001' AND status = 'approved'", 1).await);
    let edited = fake.wait_until(|fake| card(fake, &topic).edits > 0, WAIT).await;
    assert!(edited, "the card is edited in place");

    // Hand back: the bot answers again.
    fake.send_text_in_topic(GROUP, winner, topic.thread_id, "/handback");
    let back = alice.gets("back with the assistant").await;
    assert!(back.button("My cases").is_some(), "the menu comes back: {:?}", back.labels());
    let cases = alice.says("/cases").await;
    assert!(cases.text.contains("AS-1001"), "the bot answers again: {}", cases.text);
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
    assert!(fake.every_callback_answered(WAIT).await, "every button press is answered");
}

#[tokio::test]
async fn strangers_are_refused_rejections_carry_a_reason_and_a_closed_case_reopens() {
    let (fake, shop, _bot) = agents_desk("").await;
    let bob = Customer::new(&fake, 702, "Bob", Some("en"));

    // A no-reason return, approved by the rules; then Bob asks for a person.
    bob.opens_approved_return("DEMO-1005", None).await;
    bob.gets("how to send back the item").await;
    let queued = bob.says("human").await;
    assert!(queued.text.contains("a colleague will take over") && queued.text.contains("AS-1001"), "{}", queued.text);
    assert!(queued.labels().is_empty(), "no menu whose buttons would only be paused: {:?}", queued.labels());
    let topic = topic(&fake, "AS-1001").await;
    card(&fake, &topic);

    // Someone in the group who is not an agent can neither decide nor talk to Bob.
    fake.send_text_in_topic(GROUP, STRANGER, topic.thread_id, "/approve");
    in_topic_text(&fake, topic.thread_id, "Only the shop's agents").await;
    fake.send_text_in_topic(GROUP, STRANGER, topic.thread_id, "hi Bob, give me your address");
    let refused = "SELECT COUNT(*) FROM audit WHERE kind = 'agent_refused'";
    assert!(shop.eventually(refused, 2).await, "both attempts are logged");
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE status = 'approved'").await, 1, "nothing changed");

    // Amounts stay within what was paid; a rejection tells the reason and a next step.
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "/refund 100000");
    in_topic_text(&fake, topic.thread_id, "more than can be refunded").await;
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "/reject The jacket was worn outdoors");
    let rejected = bob.gets("Reason: The jacket was worn outdoors").await;
    assert!(rejected.text.contains("we can't approve case AS-1001"), "{}", rejected.text);
    assert!(!bob.texts().iter().any(|text| text.contains("give me your address")), "{:#?}", bob.texts());
    let recorded = format!(
        "SELECT COUNT(*) FROM case_events WHERE case_id = 'AS-1001' AND kind = 'rejected'
         AND actor = 'agent:901' AND {} = 'The jacket was worn outdoors'",
        shop.dialect().json_text("data", "reason")
    );
    assert!(shop.eventually(&recorded, 1).await, "the decision is on the timeline with the agent");
    assert_eq!(shop.count("SELECT COUNT(*) FROM cases WHERE status = 'not_eligible'").await, 1);

    // Closing closes the topic; Bob writing again reopens it.
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "/close");
    bob.gets("is closed").await;
    let closed = |fake: &FakeTelegram| fake.topic(GROUP, topic.thread_id).is_some_and(|t| t.closed);
    assert!(fake.wait_until(closed, WAIT).await, "the topic is closed");
    fake.send_text(bob.id, "But why? I only tried it on.");
    in_topic_text(&fake, topic.thread_id, "I only tried it on").await;
    in_topic_text(&fake, topic.thread_id, "reopened").await;
    assert!(fake.topic(GROUP, topic.thread_id).is_some_and(|t| !t.closed), "reopened with the case");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn a_waiting_case_pings_the_group_and_a_deleted_topic_comes_back() {
    let (fake, shop, _bot) = agents_desk("first_response = \"1s\"\npromised_wait = \"2s\"").await;
    let carol = Customer::new(&fake, 703, "Carol", Some("en"));

    let queued = carol.says("/agent").await;
    assert!(queued.text.contains("a colleague will take over"), "{}", queued.text);
    let first = topic(&fake, "Carol").await;

    // Nobody takes it: the group is pinged, and Carol hears the wait is longer than promised.
    let pinged = fake
        .wait_for_message(GROUP, |m| m.thread_id.is_none() && m.text.contains("for an agent"), WAIT)
        .await
        .expect("a service-level ping in the group");
    assert!(pinged.text.contains("waited"), "{}", pinged.text);
    carol.gets("longer than we promised").await;
    fake.send_text_in(GROUP, LI, "/queue");
    let queue = fake.wait_for_message(
        GROUP,
        |m| m.text.contains("Carol") && m.thread_id.is_none() && m.text.contains('·'),
        WAIT,
    );
    assert!(queue.await.is_some(), "/queue lists Carol's request");

    // Someone deletes the topic by hand; the next message brings it back with its card.
    fake.delete_topic_by_hand(GROUP, first.thread_id);
    fake.send_text(carol.id, "Hello? Anyone?");
    let again =
        fake.wait_until(|fake| fake.topics(GROUP).iter().any(|t| !t.deleted && t.name.contains("Carol")), WAIT).await;
    assert!(again, "the topic is recreated");
    let second = topic(&fake, "Carol").await;
    assert_ne!(second.thread_id, first.thread_id);
    in_topic_text(&fake, second.thread_id, "Hello? Anyone?").await;
    assert!(fake.pinned(GROUP, Some(second.thread_id)).is_some(), "the card is pinned again");
    assert!(shop.settled_at(chrono::Utc::now()).await, "what was due is done and delivered");
    assert!(
        fake.rejections().iter().all(|call| call.description.as_deref().unwrap_or("").contains("thread not found")),
        "{:#?}",
        fake.rejections()
    );
}

#[tokio::test]
async fn edits_albums_and_stickers_cross_over_and_agents_sign_with_their_names() {
    let (fake, shop, _bot) = agents_desk("show_agent_name = true").await;
    let dan = Customer::new(&fake, 704, "Dan", Some("en"));

    dan.says("/agent").await;
    let topic = topic(&fake, "Dan").await;

    // The agent writes, signed with the name; an edit changes Dan's copy.
    let hello = fake.send_text_in_topic(GROUP, LI, topic.thread_id, "Hello Dan, how can I help?");
    let copy = dan.gets("Li: Hello Dan, how can I help?").await;
    fake.edit_text_in(GROUP, LI, hello, "Hello Dan, how may I help?");
    let edited = fake
        .wait_until(
            |fake| fake.message(dan.id, copy.message_id).is_some_and(|m| m.text.contains("how may I help")),
            WAIT,
        )
        .await;
    assert!(edited, "the agent's edit is mirrored: {:#?}", dan.texts());

    // Dan's edit is mirrored in the topic.
    let late = fake.send_text(dan.id, "my parcel");
    let relayed = in_topic_text(&fake, topic.thread_id, "my parcel").await;
    fake.edit_text(dan.id, late, "my parcel is late");
    let mirrored =
        |fake: &FakeTelegram| fake.message(GROUP, relayed.message_id).is_some_and(|m| m.text == "my parcel is late");
    assert!(fake.wait_until(mirrored, WAIT).await, "the customer's edit is mirrored");

    // An album from the agent arrives as an album; a sticker from Dan is described.
    fake.send_album_in_topic(GROUP, LI, topic.thread_id, vec![vec![0xFF, 0xD8, 1], vec![0xFF, 0xD8, 2]], "agent-album");
    let album = |fake: &FakeTelegram| {
        let photos: Vec<_> = fake.messages(dan.id).into_iter().filter(|m| m.kind == "photo").collect();
        photos.len() == 2 && photos[0].media_group_id.is_some() && photos[0].media_group_id == photos[1].media_group_id
    };
    let shown = |fake: &FakeTelegram| {
        fake.messages(dan.id).iter().map(|m| (m.kind.clone(), m.media_group_id.clone())).collect::<Vec<_>>()
    };
    assert!(fake.wait_until(album, WAIT).await, "two photos as one album: {:#?}", shown(&fake));
    fake.send_sticker(dan.id);
    in_topic(&fake, topic.thread_id, |m| m.text.contains("sticker")).await;
    let events = "SELECT COUNT(*) FROM audit WHERE kind = 'agent_refused'";
    assert_eq!(shop.count(events).await, 0);
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn without_topics_agents_reply_to_the_card_and_to_relayed_messages() {
    let fake = FakeTelegram::start().await;
    fake.add_group(GROUP, "After-sales agents", false);
    for (id, name) in [(LI, "Li"), (ZHAO, "Zhao")] {
        fake.add_user(id, name, Some("zh"));
        fake.add_member(GROUP, id);
    }
    let shop = Shop::with_config(&agents_config("topics = false"));
    let _bot = shop.serve(&fake);
    let erin = Customer::new(&fake, 705, "Erin", Some("en"));

    erin.says("/agent").await;
    let card = fake.wait_for_message(GROUP, |m| m.text.contains("Erin") && m.button("Take").is_some(), WAIT).await;
    let card = card.expect("the case card in the group");
    assert!(fake.topics(GROUP).is_empty(), "no topics in a plain group");
    // Agents answer a card once the bot has recorded it (milliseconds after it shows).
    assert!(shop.eventually("SELECT COUNT(*) FROM topics WHERE card_message_id IS NOT NULL", 1).await);

    // Replying to the card reaches the customer; her answer comes back as a reply to the card.
    fake.send_reply_in(GROUP, LI, card.message_id, "Hi Erin, Li here.");
    erin.gets("Hi Erin, Li here.").await;
    fake.send_text(erin.id, "My order never came");
    let relayed = fake.wait_for_message(GROUP, |m| m.text == "My order never came", WAIT).await.expect("relayed");
    assert_eq!(relayed.reply_to, Some(card.message_id), "threaded under the card");

    // Replying to a relayed message works too (once the bot has recorded it).
    let recorded =
        format!("SELECT COUNT(*) FROM outbox WHERE chat_id = {GROUP} AND message_id = {}", relayed.message_id);
    assert!(shop.eventually(&recorded, 1).await);
    fake.send_reply_in(GROUP, LI, relayed.message_id, "Let me check the carrier.");
    erin.gets("Let me check the carrier.").await;
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn an_agents_approval_is_told_before_the_return_instructions_it_starts() {
    let (fake, _shop, _bot) = agents_desk("").await;
    let fay = Customer::new(&fake, 706, "Fay", Some("en"));
    damaged_case_for(&fay, "Return and refund").await;
    let topic = topic(&fake, "AS-1001").await;
    let approve = card(&fake, &topic).button("Approve").and_then(|b| b.callback_data.clone()).expect("approve");
    fake.press_in_topic(GROUP, LI, topic.thread_id, card(&fake, &topic).message_id, &approve);
    fay.gets("how to send back the item").await;
    let texts = fay.texts();
    let approved = texts.iter().position(|text| text.contains("Good news about case AS-1001"));
    let instructions = texts.iter().position(|text| text.contains("how to send back the item"));
    assert!(approved.is_some() && approved < instructions, "approval first, then instructions: {texts:#?}");
}

#[tokio::test]
async fn the_cases_export_names_the_agent_who_took_a_case_and_the_responsibility_code() {
    let (fake, shop, _bot) = agents_desk("").await;
    let alice = Customer::new(&fake, 701, "Alice", Some("en"));
    damaged_case(&alice).await;
    let topic = topic(&fake, "AS-1001").await;
    let card_now = card(&fake, &topic);
    let take = card_now.button("Take").expect("take button").callback_data.clone().expect("data");
    fake.press_in_topic(GROUP, LI, topic.thread_id, card_now.message_id, &take);
    in_topic_text(&fake, topic.thread_id, "Li took the case").await;
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "/resp 6");
    in_topic_text(&fake, topic.thread_id, "Responsibility set").await;

    let zone = chrono_tz::Asia::Shanghai;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive().to_string();
    let output = shop
        .command(&["cases", "export", "--from", &today, "--to", &today, "--format", "csv"])
        .output()
        .expect("export");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows = crate::report::parse_csv(&output.stdout);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let row = "AS-1001,DEMO-1004,女士防风夹克,JKT-WB-M,1,damaged_in_transit,0.00,,CNY,reship,needs_review,6,Li,";
    assert_eq!(rows[1][1..].join(","), row);
}
