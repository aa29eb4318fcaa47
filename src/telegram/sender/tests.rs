//! The sender's specifications: planning rows into Bot API calls,
//! classifying failures, and the loop against fake Bot APIs.

use teloxide::types::{ChatId, MessageId, Seconds};
use teloxide::{ApiError, RequestError};

use super::failure::*;
use super::plan::*;
use super::*;
use crate::outgoing::{AlbumItem, AlbumKind, ButtonSpec, Keyboard};
use crate::store::topics::Topic;

fn api(error: ApiError) -> RequestError {
    RequestError::Api(error)
}

fn invalid_json(raw: &str) -> RequestError {
    let source = serde_json::from_str::<serde_json::Value>("<html>").expect_err("not json");
    RequestError::InvalidJson { source: Arc::new(source), raw: raw.into() }
}

#[test]
fn classify_table() {
    use Call::*;
    use Disposition::*;
    let retry = Retry { maybe_delivered: true };
    let cases: Vec<(RequestError, Call, Disposition)> = vec![
        (RequestError::RetryAfter(Seconds::from_seconds(7)), Send, Paused(Duration::from_secs(7))),
        (RequestError::MigrateToChatId(ChatId(-1001)), Send, Moved(-1001)),
        (invalid_json("<html>502 Bad Gateway</html>"), Send, retry.clone()),
        (invalid_json(r#"{"ok":true,"result":{"message_id":9,"unparseable":1}}"#), Send, Sent),
        (invalid_json(r#"{"ok":false}"#), Send, retry.clone()),
        (RequestError::Io(Arc::new(std::io::Error::other("reset"))), Send, retry.clone()),
        (api(ApiError::BotBlocked), Send, Failed),
        (api(ApiError::ChatNotFound), Send, Failed),
        (api(ApiError::UserDeactivated), Send, Failed),
        (api(ApiError::MessageIsTooLong), Send, Failed),
        (api(ApiError::ButtonDataInvalid), Send, Failed),
        (api(ApiError::InvalidToken), Send, Retry { maybe_delivered: false }),
        (api(ApiError::MessageNotModified), Edit, Sent),
        (api(ApiError::MessageNotModified), Send, Failed),
        (api(ApiError::MessageToEditNotFound), Edit, SendAsNew),
        (api(ApiError::MessageCantBeEdited), Edit, SendAsNew),
        (api(ApiError::MessageIdInvalid), Edit, SendAsNew),
        (api(ApiError::BotBlocked), Edit, Failed),
        (api(ApiError::InvalidQueryId), Answer, Failed),
        (api(ApiError::Unknown("Internal Server Error".into())), Send, retry.clone()),
        (api(ApiError::Unknown("Bad Gateway".into())), Answer, retry.clone()),
        (api(ApiError::Unknown("Bad Request: some new complaint".into())), Send, Failed),
        (api(ApiError::Unknown("Forbidden: bot is not a member".into())), Send, Failed),
    ];
    for (error, call, expected) in cases {
        assert_eq!(classify(&error, call), expected, "{error} as {call:?}");
    }
}

#[test]
fn backoff_is_quick_for_a_minute_then_doubles_up_to_a_minute() {
    let secs: Vec<u64> = (0..40).map(|n| backoff(n).as_secs()).collect();
    let quick: u64 = secs[..30].iter().sum();
    assert_eq!((secs[0], secs[1], secs[29], quick), (1, 2, 2, 59), "{secs:?}");
    assert_eq!(secs[30..], [4, 8, 16, 32, 60, 60, 60, 60, 60, 60]);
    assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
}

#[test]
fn a_row_is_given_up_once_its_retries_waited_six_hours() {
    let waited = |attempts: u32| (0..attempts).map(backoff).sum::<Duration>();
    let last = (0..1000).find(|&n| given_up(n)).expect("given up at last");
    assert!(waited(last) >= GIVE_UP_AFTER && waited(last - 1) < GIVE_UP_AFTER);
    assert!(given_up(u32::MAX) && !given_up(0));
    assert_eq!(GIVE_UP_AFTER, Duration::from_secs(6 * 3600));
}

#[test]
fn a_button_answer_is_dropped_once_telegram_would_refuse_it() {
    let answer = Outgoing::AnswerButton { callback_id: "q1".into(), notice: None };
    let at = |secs| plan(7, &answer, &Facts { age: Duration::from_secs(secs), ..Facts::default() });
    assert!(matches!(at(0), Plan::Call { step: Step::Row, .. }));
    assert!(matches!(at(15), Plan::Call { step: Step::Row, .. }));
    let Plan::Fail(why) = at(16) else { panic!("an answer 16 s after the press is not sent") };
    assert_eq!(why, "not answered: pressed 16 s ago, and Telegram takes a button's answer for 15 s");
}

/// The method and the JSON a request sends (multipart ones as teloxide
/// serialises their fields).
fn method_and_json(request: &Request) -> (&'static str, serde_json::Value) {
    let (method, value) = match request {
        Request::Send(p) => ("sendMessage", serde_json::to_value(p)),
        Request::Edit(p) => ("editMessageText", serde_json::to_value(p)),
        Request::EditCaption(p) => ("editMessageCaption", serde_json::to_value(p)),
        Request::Answer(p) => ("answerCallbackQuery", serde_json::to_value(p)),
        Request::Copy(p) => ("copyMessage", serde_json::to_value(p)),
        Request::Album(p) => ("sendMediaGroup", serde_json::to_value(p)),
        Request::Photo(p) => ("sendPhoto", serde_json::to_value(p)),
        Request::Video(p) => ("sendVideo", serde_json::to_value(p)),
        Request::Document(p) => ("sendDocument", serde_json::to_value(p)),
        Request::CreateTopic(p) => ("createForumTopic", serde_json::to_value(p)),
        Request::Pin(p) => ("pinChatMessage", serde_json::to_value(p)),
        Request::CloseTopic(p) => ("closeForumTopic", serde_json::to_value(p)),
        Request::ReopenTopic(p) => ("reopenForumTopic", serde_json::to_value(p)),
    };
    (method, value.expect("serialises"))
}

fn json(request: &Request) -> serde_json::Value {
    method_and_json(request).1
}

/// `request_for` for payloads that map without looking anything up.
fn plain(chat_id: i64, payload: &Outgoing) -> Request {
    request_for(chat_id, payload).expect("maps to a call")
}

fn inline() -> Keyboard {
    let button = |label: &str, data: &str| ButtonSpec { label: label.into(), data: data.into() };
    Keyboard::Inline { rows: vec![vec![button("Yes", "y"), button("No", "n")], vec![button("Agent", "agent")]] }
}

#[test]
fn sends_map_to_bot_api_json() {
    let send = |keyboard| plain(42, &Outgoing::Send { text: "hi".into(), keyboard });
    assert_eq!(json(&send(Keyboard::None)), serde_json::json!({"chat_id": 42, "text": "hi"}));
    assert_eq!(
        json(&send(inline()))["reply_markup"],
        serde_json::json!({"inline_keyboard": [
            [{"text": "Yes", "callback_data": "y"}, {"text": "No", "callback_data": "n"}],
            [{"text": "Agent", "callback_data": "agent"}],
        ]})
    );
    let contact = json(&send(Keyboard::ShareContact { label: "Share my number".into() }));
    assert_eq!(
        contact["reply_markup"]["keyboard"],
        serde_json::json!([[{"text": "Share my number", "request_contact": true}]])
    );
    assert_eq!(contact["reply_markup"]["resize_keyboard"], true);
    assert_eq!(contact["reply_markup"]["one_time_keyboard"], true);
    assert_eq!(json(&send(Keyboard::Remove))["reply_markup"]["remove_keyboard"], true);
}

#[test]
fn edits_and_answers_map_to_bot_api_json() {
    let edit = |keyboard| plain(42, &Outgoing::Edit { message_id: 7, text: "done".into(), keyboard });
    let with_buttons = edit(inline());
    assert_eq!(with_buttons.call(), Call::Edit);
    let value = json(&with_buttons);
    assert_eq!((value["chat_id"].clone(), value["message_id"].clone()), (42.into(), 7.into()));
    assert!(value["reply_markup"]["inline_keyboard"].is_array());
    // Edits carry inline keyboards only: a reply keyboard is dropped.
    assert!(json(&edit(Keyboard::ShareContact { label: "x".into() })).get("reply_markup").is_none());

    let answer = |notice: Option<&str>| {
        plain(42, &Outgoing::AnswerButton { callback_id: "cb1".into(), notice: notice.map(Into::into) })
    };
    assert_eq!(json(&answer(None)), serde_json::json!({"callback_query_id": "cb1"}));
    assert_eq!(json(&answer(Some("Saved")))["text"], "Saved");
}

fn item(kind: AlbumKind, file_id: &str) -> AlbumItem {
    AlbumItem { kind, file_id: file_id.into() }
}

fn album(items: Vec<AlbumItem>, caption: Option<&str>) -> Outgoing {
    Outgoing::Album { items, caption: caption.map(Into::into) }
}

#[test]
fn copies_and_albums_map_to_bot_api_json() {
    let copy = plain(-100, &Outgoing::Copy { from_chat_id: 42, message_id: 7, caption: Some("front".into()) });
    assert_eq!(copy.call(), Call::Send);
    assert_eq!(
        method_and_json(&copy),
        ("copyMessage", serde_json::json!({"chat_id": -100, "from_chat_id": 42, "message_id": 7, "caption": "front"}))
    );

    // One item is not an album for Telegram (2–10): it goes as a plain send.
    let single = |kind, caption| plain(-100, &album(vec![item(kind, "f1")], caption));
    assert_eq!(
        method_and_json(&single(AlbumKind::Photo, Some("two photos"))),
        ("sendPhoto", serde_json::json!({"chat_id": -100, "photo": "f1", "caption": "two photos"}))
    );
    assert_eq!(method_and_json(&single(AlbumKind::Video, None)).0, "sendVideo");
    assert_eq!(json(&single(AlbumKind::Video, None))["video"], "f1");
    assert_eq!(json(&single(AlbumKind::Document, None))["document"], "f1");

    let three = vec![item(AlbumKind::Photo, "p1"), item(AlbumKind::Video, "v2"), item(AlbumKind::Photo, "p3")];
    let group = plain(-100, &album(three, Some("evidence")));
    assert_eq!(group.messages(), 3);
    assert_eq!(
        method_and_json(&group),
        (
            "sendMediaGroup",
            serde_json::json!({"chat_id": -100, "media": [
                {"type": "photo", "media": "p1", "caption": "evidence"},
                {"type": "video", "media": "v2"},
                {"type": "photo", "media": "p3"},
            ]})
        )
    );
    for n in [0, MAX_ALBUM + 1] {
        let items = (0..n).map(|i| item(AlbumKind::Photo, &format!("p{i}"))).collect();
        match plan(-100, &album(items, None), &Facts::default()) {
            Plan::Fail(error) => assert!(error.contains(&n.to_string()), "{error}"),
            other => panic!("{n} items: {other:?}"),
        }
    }
}

#[test]
fn mirrored_edits_need_the_copy() {
    let edit = |media, original| {
        let payload = Outgoing::EditCopy { outbox_id: 3, text: "fixed".into(), media };
        plan(-100, &payload, &Facts { original, ..Facts::default() })
    };
    let Plan::Call { step: Step::Row, request } = edit(false, Some(9)) else { panic!("no call") };
    assert_eq!(
        method_and_json(&request),
        ("editMessageText", serde_json::json!({"chat_id": -100, "message_id": 9, "text": "fixed"}))
    );
    let Plan::Call { step: Step::Row, request } = edit(true, Some(9)) else { panic!("no call") };
    assert_eq!(request.call(), Call::Edit);
    assert_eq!(
        method_and_json(&request),
        ("editMessageCaption", serde_json::json!({"chat_id": -100, "message_id": 9, "caption": "fixed"}))
    );
    assert!(matches!(edit(false, None), Plan::Fail(error) if error == "original not delivered"));
    // Topic payloads cannot be planned without their topic.
    assert!(request_for(-100, &Outgoing::Card).is_none());
    assert!(matches!(plan(-100, &Outgoing::TopicState { open: false }, &Facts::default()), Plan::Fail(_)));
}

const GROUP: i64 = -1_001_234;
const KEY: &str = "case:AS-1001";

fn case_topic(forum: bool) -> Topic {
    Topic {
        key: KEY.into(),
        chat_id: GROUP,
        forum,
        name: "AS-1001 · Ann".into(),
        card_text: "New case".into(),
        card_keyboard: inline(),
        album: vec![item(AlbumKind::Photo, "p1"), item(AlbumKind::Photo, "p2")],
        thread_id: None,
        card_message_id: None,
        card_pinned: false,
        album_posted: false,
        closed: false,
    }
}

/// The step and call `plan` picks for `payload` in `topic`.
fn next_call(
    payload: &Outgoing,
    topic: &Topic,
    reopen: bool,
    fresh_card: bool,
) -> (Step, &'static str, serde_json::Value) {
    let facts = Facts { topic_key: Some(KEY), topic: Some(topic), reopen, fresh_card, ..Facts::default() };
    match plan(GROUP, payload, &facts) {
        Plan::Call { step, request } => {
            let (method, json) = method_and_json(&request);
            (step, method, json)
        }
        other => panic!("expected a call, got {other:?}"),
    }
}

#[test]
fn a_forum_topic_is_created_carded_pinned_and_filled_before_the_row() {
    let hi = say("hi");
    let mut topic = case_topic(true);
    assert_eq!(
        next_call(&hi, &topic, false, false),
        (Step::CreateTopic, "createForumTopic", serde_json::json!({"chat_id": GROUP, "name": "AS-1001 · Ann"}))
    );
    topic.thread_id = Some(5);
    let (step, method, card) = next_call(&hi, &topic, false, false);
    assert_eq!((step, method), (Step::PostCard, "sendMessage"));
    assert_eq!((card["message_thread_id"].clone(), card["text"].clone()), (5.into(), "New case".into()));
    assert!(card["reply_markup"]["inline_keyboard"].is_array());
    topic.card_message_id = Some(6);
    assert_eq!(
        next_call(&hi, &topic, false, false),
        (
            Step::PinCard,
            "pinChatMessage",
            serde_json::json!({"chat_id": GROUP, "message_id": 6, "disable_notification": true})
        )
    );
    topic.card_pinned = true;
    let (step, method, album) = next_call(&hi, &topic, false, false);
    assert_eq!((step, method, album["message_thread_id"].clone()), (Step::PostAlbum, "sendMediaGroup", 5.into()));
    assert_eq!(album["media"].as_array().map(Vec::len), Some(2));
    assert!(album["media"][0].get("caption").is_none());
    topic.album_posted = true;
    assert_eq!(
        next_call(&hi, &topic, false, false),
        (Step::Row, "sendMessage", serde_json::json!({"chat_id": GROUP, "text": "hi", "message_thread_id": 5}))
    );
    let copy = Outgoing::Copy { from_chat_id: 42, message_id: 3, caption: None };
    assert_eq!(next_call(&copy, &topic, false, false).2["message_thread_id"], 5);

    // Found closed by a send: reopened first.
    assert_eq!(
        next_call(&hi, &topic, true, false),
        (Step::Reopen, "reopenForumTopic", serde_json::json!({"chat_id": GROUP, "message_thread_id": 5}))
    );
    // Edits and answers go straight to their message.
    let edit = Outgoing::Edit { message_id: 8, text: "x".into(), keyboard: Keyboard::None };
    assert_eq!(next_call(&edit, &case_topic(true), false, false).0, Step::Row);
}

#[test]
fn a_lost_thread_rebuilds_the_topic_in_the_same_order() {
    let hi = say("hi");
    let mut topic = case_topic(true);
    (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted) = (Some(5), Some(6), true, true);
    assert_eq!(next_call(&hi, &topic, false, false).0, Step::Row);
    // What `topics::forget_thread` leaves behind after "message thread not found".
    (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted) = (None, None, false, false);
    let mut steps = Vec::new();
    loop {
        let (step, _, _) = next_call(&hi, &topic, false, false);
        steps.push(step);
        match step {
            Step::CreateTopic => topic.thread_id = Some(9),
            Step::PostCard => topic.card_message_id = Some(10),
            Step::PinCard => topic.card_pinned = true,
            Step::PostAlbum => topic.album_posted = true,
            Step::Row | Step::Reopen => break,
        }
    }
    assert_eq!(steps, [Step::CreateTopic, Step::PostCard, Step::PinCard, Step::PostAlbum, Step::Row]);
    assert_eq!(next_call(&hi, &topic, false, false).2["message_thread_id"], 9);
}

#[test]
fn cards_and_topic_states() {
    let mut topic = case_topic(true);
    (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted) = (Some(5), Some(6), true, true);
    topic.card_text = "Taken by Bob".into();
    let (step, method, edit) = next_call(&Outgoing::Card, &topic, false, false);
    assert_eq!(
        (step, method, edit["message_id"].clone(), edit["text"].clone()),
        (Step::Row, "editMessageText", 6.into(), "Taken by Bob".into())
    );
    assert!(edit["reply_markup"]["inline_keyboard"].is_array());
    // Just (re)posted with the current text: nothing left to edit.
    let facts = Facts { topic_key: Some(KEY), topic: Some(&topic), fresh_card: true, ..Facts::default() };
    assert!(matches!(plan(GROUP, &Outgoing::Card, &facts), Plan::Done { message_id: Some(6) }));
    // A card row on a topic without a thread builds the topic first.
    assert_eq!(next_call(&Outgoing::Card, &case_topic(true), false, true).0, Step::CreateTopic);

    let close = Outgoing::TopicState { open: false };
    assert_eq!(
        next_call(&close, &topic, false, false),
        (Step::Row, "closeForumTopic", serde_json::json!({"chat_id": GROUP, "message_thread_id": 5}))
    );
    assert_eq!(next_call(&Outgoing::TopicState { open: true }, &topic, false, false).1, "reopenForumTopic");
    // No thread (yet, or any more), or no forum: nothing to close, and no topic is created for it.
    for topic in [case_topic(true), case_topic(false)] {
        let facts = Facts { topic_key: Some(KEY), topic: Some(&topic), ..Facts::default() };
        assert!(matches!(plan(GROUP, &close, &facts), Plan::Done { message_id: None }));
    }
    let unknown = Facts { topic_key: Some(KEY), ..Facts::default() };
    for payload in [say("hi"), Outgoing::Card, close] {
        assert!(matches!(plan(GROUP, &payload, &unknown), Plan::Fail(error) if error == "unknown topic"));
    }
}

#[test]
fn a_plain_group_gets_the_card_and_replies_to_it() {
    let hi = say("hi");
    let mut topic = case_topic(false);
    let (step, _, card) = next_call(&hi, &topic, false, false);
    assert_eq!(step, Step::PostCard);
    assert!(card.get("message_thread_id").is_none() && card.get("reply_parameters").is_none());
    topic.card_message_id = Some(6);
    // No pin outside a forum: it would be the whole group's.
    let (step, _, album) = next_call(&hi, &topic, false, false);
    let under_card = serde_json::json!({"message_id": 6, "allow_sending_without_reply": true});
    assert_eq!((step, &album["reply_parameters"]), (Step::PostAlbum, &under_card));
    topic.album_posted = true;
    let (step, _, row) = next_call(&hi, &topic, false, false);
    assert_eq!((step, &row["reply_parameters"]), (Step::Row, &under_card));
    assert!(row.get("message_thread_id").is_none());
}

#[test]
fn topic_errors_are_classified() {
    use Call::*;
    use Disposition::*;
    let unknown = |description: &str| api(ApiError::Unknown(description.into()));
    let cases = [
        (unknown("Bad Request: message thread not found"), Send, ThreadGone),
        (unknown("Bad Request: TOPIC_DELETED"), Send, ThreadGone),
        (unknown("Bad Request: TOPIC_ID_INVALID"), Topic, ThreadGone),
        (unknown("Bad Request: TOPIC_CLOSED"), Send, TopicClosed),
        (unknown("Bad Request: TOPIC_NOT_MODIFIED"), Topic, Sent),
        (unknown("Bad Request: TOPIC_NOT_MODIFIED"), Send, Failed),
        (unknown("Bad Request: message to pin not found"), Pin, SendAsNew),
        (unknown("Bad Request: not enough rights to create a topic"), Topic, Failed),
        (api(ApiError::NotEnoughRightsToPinMessage), Pin, Failed),
        (api(ApiError::MessageToCopyNotFound), Send, Failed),
    ];
    for (error, call, expected) in cases {
        assert_eq!(classify(&error, call), expected, "{error} as {call:?}");
    }
    assert_eq!(delivered(r#"{"ok":true,"result":{"message_thread_id":12,"name":"x"}}"#), Some(Some(12)));
    assert_eq!(delivered(r#"{"ok":true,"result":[{"message_id":4},{"message_id":5}]}"#), Some(Some(4)));
}

/// The strict fake Bot API of the end-to-end tests: real forum topics,
/// multipart uploads, topics deleted by hand.
#[path = "../../../tests/support/fake_telegram/mod.rs"]
mod strict;

const FORUM: i64 = -1_009_876_543_210;
const PLAIN: i64 = -1_001_234_567_890;
const ANN: i64 = 42;

async fn strict_fake() -> (strict::FakeTelegram, Bot) {
    let fake = strict::FakeTelegram::start_with(strict::Limits::none()).await;
    fake.add_user(ANN, "Ann", None);
    fake.add_group(FORUM, "Agents", true);
    fake.add_group(PLAIN, "Agents (no topics)", false);
    let bot = Bot::new(strict::TOKEN).set_api_url(fake.api_url().parse().expect("url"));
    (fake, bot)
}

/// Photos Ann sent, as album items (their file ids).
fn ann_photos(fake: &strict::FakeTelegram, n: u8) -> Vec<AlbumItem> {
    (1..=n)
        .map(|i| {
            let message = fake.send_photo(ANN, vec![i; 300], Some("evidence"), None);
            item(AlbumKind::Photo, &fake.file_id_of(ANN, message).expect("photo"))
        })
        .collect()
}

async fn put_topic(store: &Store, key: &str, chat: i64, forum: bool, album: &[AlbumItem]) {
    let mut tx = store.write().await.expect("tx");
    topics::upsert(&mut tx, key, chat, forum, "AS-1001 · Ann", "New case", &inline(), album, Utc::now())
        .await
        .expect("upsert");
    tx.commit().await.expect("commit");
}

async fn queue_in(store: &Store, chat: i64, key: &str, payload: Outgoing) -> i64 {
    let mut tx = store.write().await.expect("tx");
    let now = Utc::now().trunc_subsecs(0);
    let id =
        outbox::enqueue_to_topic(&mut tx, CHANNEL, chat, Some(key), &payload, None, now, now).await.expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

async fn stored_topic(store: &Store, key: &str) -> Topic {
    let mut conn = store.read().await.expect("conn");
    topics::get(&mut conn, key).await.expect("read").expect("topic")
}

/// Methods called since `from` (an earlier `calls().len()`).
fn methods_since(fake: &strict::FakeTelegram, from: usize) -> Vec<String> {
    fake.calls().into_iter().skip(from).map(|call| call.method).collect()
}

#[tokio::test]
async fn a_topic_is_built_once_and_rebuilt_after_it_was_deleted() {
    let (_dir, store) = store().await;
    let (fake, bot) = strict_fake().await;
    let album = ann_photos(&fake, 2);
    let complaint = fake.send_text(ANN, "It arrived broken");
    put_topic(&store, KEY, FORUM, true, &album).await;
    let copy =
        queue_in(&store, FORUM, KEY, Outgoing::Copy { from_chat_id: ANN, message_id: complaint as i32, caption: None })
            .await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());

    assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 1);
    assert_eq!(
        methods_since(&fake, 0),
        ["createforumtopic", "sendmessage", "pinchatmessage", "sendmediagroup", "copymessage"]
    );
    let topic = stored_topic(&store, KEY).await;
    let (Some(thread), Some(card)) = (topic.thread_id, topic.card_message_id) else { panic!("{topic:?}") };
    assert!(topic.card_pinned && topic.album_posted);
    let info = fake.topic(FORUM, i64::from(thread)).expect("topic");
    assert_eq!((info.name.as_str(), info.pinned_message_id), ("AS-1001 · Ann", Some(i64::from(card))));
    let shown: Vec<(String, String)> =
        fake.topic_messages(FORUM, i64::from(thread)).into_iter().map(|m| (m.kind, m.text)).collect();
    let expected = [("text", "New case"), ("photo", ""), ("photo", ""), ("text", "It arrived broken")];
    assert_eq!(shown, expected.map(|(kind, text)| (kind.to_owned(), text.to_owned())));
    let copied = fake.topic_messages(FORUM, i64::from(thread)).pop().expect("copy").message_id;
    assert_eq!(
        rows(&store).await.last().map(|r| (r.0, r.2.clone(), r.5)),
        Some((copy, "sent".to_owned(), Some(copied)))
    );

    // An admin deletes the topic; meanwhile the case is taken.
    fake.delete_topic_by_hand(FORUM, i64::from(thread));
    let mut tx = store.write().await.expect("tx");
    topics::set_card(&mut tx, KEY, "Taken by Bob", &inline(), Utc::now()).await.expect("card");
    tx.commit().await.expect("commit");
    let note = queue_in(&store, FORUM, KEY, say("Bob is on it")).await;
    let card_row = queue_in(&store, FORUM, KEY, Outgoing::Card).await;
    let before = fake.calls().len();
    assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 2);
    assert_eq!(
        methods_since(&fake, before),
        [
            "sendmessage",      // refused: the thread is gone
            "createforumtopic", // so everything is rebuilt …
            "sendmessage",
            "pinchatmessage",
            "sendmediagroup",
            "sendmessage",     // … before the row itself
            "editmessagetext", // the card row: already up to date
        ]
    );
    let rejected: Vec<String> = fake.rejections().into_iter().filter_map(|c| c.description).collect();
    assert_eq!(rejected, [strict::THREAD_NOT_FOUND, strict::NOT_MODIFIED]);
    let topic = stored_topic(&store, KEY).await;
    let new_thread = i64::from(topic.thread_id.expect("thread"));
    assert_ne!(new_thread, i64::from(thread));
    let texts: Vec<String> = fake.topic_messages(FORUM, new_thread).into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["Taken by Bob", "", "", "Bob is on it"]);
    assert_eq!(fake.topic(FORUM, new_thread).and_then(|t| t.pinned_message_id), topic.card_message_id.map(i64::from));
    // Nothing lost and no attempt counted for the detour.
    let rows = rows(&store).await;
    let settled: Vec<_> =
        rows.iter().filter(|r| [note, card_row].contains(&r.0)).map(|r| (r.2.as_str(), r.3)).collect();
    assert_eq!(settled, [("sent", 0), ("sent", 0)]);
}

#[tokio::test]
async fn a_lost_card_is_posted_again_and_topics_close() {
    let (_dir, store) = store().await;
    let (fake, bot) = strict_fake().await;
    put_topic(&store, KEY, FORUM, true, &[]).await;
    // Closing a topic that was never created creates nothing.
    let never = queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
    let mut sender = Sender::new(bot.clone(), store.clone(), Limits::unlimited());
    assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 1);
    assert!(fake.calls().is_empty());
    assert_eq!(rows(&store).await[0].0, never);

    queue_in(&store, FORUM, KEY, say("hello")).await;
    sender.drain_once(Utc::now()).await.expect("drain");
    let card = stored_topic(&store, KEY).await.card_message_id.expect("card");
    // Someone deletes the card; the next card update posts and pins it again.
    use teloxide::prelude::Requester;
    bot.delete_message(ChatId(FORUM), MessageId(card)).await.expect("delete");
    let mut tx = store.write().await.expect("tx");
    topics::set_card(&mut tx, KEY, "Closed: refund agreed", &Keyboard::None, Utc::now()).await.expect("card");
    tx.commit().await.expect("commit");
    queue_in(&store, FORUM, KEY, Outgoing::Card).await;
    queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
    queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
    let before = fake.calls().len();
    assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 3);
    assert_eq!(
        methods_since(&fake, before),
        ["editmessagetext", "sendmessage", "pinchatmessage", "closeforumtopic", "closeforumtopic"]
    );
    let topic = stored_topic(&store, KEY).await;
    let thread = i64::from(topic.thread_id.expect("thread"));
    let info = fake.topic(FORUM, thread).expect("topic");
    assert!(info.closed);
    assert_eq!(info.pinned_message_id, topic.card_message_id.map(i64::from));
    let card = fake.message(FORUM, info.pinned_message_id.expect("pinned")).expect("card");
    assert_eq!((card.text.as_str(), card.has_inline_keyboard()), ("Closed: refund agreed", false));
    assert!(rows(&store).await.iter().all(|r| r.2 == "sent" && r.3 == 0), "{:?}", rows(&store).await);
}

#[tokio::test]
async fn a_closed_topic_is_reopened_for_a_send() {
    let (_dir, store) = store().await;
    let (fake, bot) = strict_fake().await;
    put_topic(&store, KEY, FORUM, true, &[]).await;
    queue_in(&store, FORUM, KEY, say("hello")).await;
    queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
    sender.drain_once(Utc::now()).await.expect("drain");
    let thread = i64::from(stored_topic(&store, KEY).await.thread_id.expect("thread"));
    assert!(fake.topic(FORUM, thread).expect("topic").closed);

    fake.set_bot_manages_topics(FORUM, false);
    let again = queue_in(&store, FORUM, KEY, say("the customer wrote again")).await;
    let before = fake.calls().len();
    assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 1);
    assert_eq!(methods_since(&fake, before), ["sendmessage", "reopenforumtopic", "sendmessage"]);
    assert!(!fake.topic(FORUM, thread).expect("topic").closed);
    let row = rows(&store).await.into_iter().find(|r| r.0 == again).expect("row");
    assert_eq!((row.2.as_str(), row.3), ("sent", 0));
}

#[tokio::test]
async fn plain_groups_reply_to_the_card_and_copies_mirror_edits() {
    let (_dir, store) = store().await;
    let (fake, bot) = strict_fake().await;
    let photo = ann_photos(&fake, 1);
    let ann_photo = fake.send_photo(ANN, vec![9; 300], None, Some("front"));
    put_topic(&store, "customer:7", PLAIN, false, &photo).await;
    let copy = Outgoing::Copy { from_chat_id: ANN, message_id: ann_photo as i32, caption: None };
    let copy_row = queue_in(&store, PLAIN, "customer:7", copy).await;
    let edit = Outgoing::EditCopy { outbox_id: copy_row, text: "front, scratched".into(), media: true };
    queue_in(&store, PLAIN, "customer:7", edit).await;
    queue_in(&store, PLAIN, "customer:7", Outgoing::TopicState { open: false }).await;
    let unknown = queue_in(&store, PLAIN, "case:AS-404", say("lost")).await;
    let never_sent = Outgoing::EditCopy { outbox_id: 9999, text: "x".into(), media: false };
    let orphan = queue(&store, PLAIN, never_sent, Utc::now()).await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
    assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 5);
    assert_eq!(methods_since(&fake, 0), ["sendmessage", "sendphoto", "copymessage", "editmessagecaption"]);

    let card = i64::from(stored_topic(&store, "customer:7").await.card_message_id.expect("card"));
    let shown: Vec<(String, Option<i64>, Option<i64>)> =
        fake.messages(PLAIN).into_iter().map(|m| (m.text, m.reply_to, m.thread_id)).collect();
    assert_eq!(
        shown,
        [
            ("New case".to_owned(), None, None),
            (String::new(), Some(card), None),
            ("front, scratched".to_owned(), Some(card), None),
        ]
    );
    assert!(fake.pinned(PLAIN, None).is_none());
    let rows = rows(&store).await;
    let errors: Vec<_> = rows.iter().filter(|r| r.2 == "failed").map(|r| (r.0, r.4.clone())).collect();
    assert_eq!(
        errors,
        [(unknown, Some("unknown topic".to_owned())), (orphan, Some("original not delivered".to_owned()))]
    );
}

/// A minimal stand-in for the Bot API, local to these tests: answers
/// each call from a script and records what it was asked.
mod fake {
    use std::sync::Mutex;

    use axum::Json;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use serde_json::{Value, json};

    pub type Script = Box<dyn Fn(&str, &Value, usize) -> (StatusCode, Value) + Send + Sync>;

    pub struct Fake {
        pub calls: Mutex<Vec<(String, Value)>>,
        pub script: Script,
    }

    pub fn message(chat: i64, id: i64) -> (StatusCode, Value) {
        let chat = json!({"id": chat, "type": "private", "first_name": "C"});
        (StatusCode::OK, json!({"ok": true, "result": {"message_id": id, "date": 0, "chat": chat, "text": "t"}}))
    }

    pub fn error(status: StatusCode, description: &str) -> (StatusCode, Value) {
        (status, json!({"ok": false, "error_code": status.as_u16(), "description": description}))
    }

    async fn handle(
        State(fake): State<std::sync::Arc<Fake>>,
        Path((_token, method)): Path<(String, String)>,
        Json(body): Json<Value>,
    ) -> (StatusCode, Json<Value>) {
        // teloxide writes method names capitalised; the Bot API ignores case.
        let method = method.to_lowercase();
        let n = {
            let mut calls = fake.calls.lock().expect("lock");
            calls.push((method.clone(), body.clone()));
            calls.len()
        };
        let (status, value) = (fake.script)(&method, &body, n);
        (status, Json(value))
    }

    /// Serves on 127.0.0.1 and returns the API base URL.
    pub async fn serve(fake: std::sync::Arc<Fake>) -> String {
        let app = axum::Router::new().route("/{token}/{method}", axum::routing::post(handle)).with_state(fake);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/")
    }
}

use axum::http::StatusCode;
use chrono::{SubsecRound, TimeDelta};

async fn store() -> (crate::store::scratch::Guard, Store) {
    crate::store::scratch::store().await
}

async fn queue(store: &Store, chat: i64, payload: Outgoing, now: DateTime<Utc>) -> i64 {
    let mut tx = store.write().await.expect("tx");
    let id = outbox::enqueue(&mut tx, CHANNEL, chat, &payload, None, now, now).await.expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

fn say(text: &str) -> Outgoing {
    Outgoing::Send { text: text.into(), keyboard: Keyboard::None }
}

type Row = (i64, i64, String, i64, Option<String>, Option<i64>);

async fn rows(store: &Store) -> Vec<Row> {
    crate::store::query_as("SELECT id, chat_id, status, attempts, last_error, message_id FROM outbox ORDER BY id")
        .fetch_all(&mut store.read().await.expect("reader"))
        .await
        .expect("rows")
}

fn bot(base: &str) -> Bot {
    Bot::new("1:TEST").set_api_url(base.parse().expect("url"))
}

async fn with_fake(script: fake::Script) -> (std::sync::Arc<fake::Fake>, Bot) {
    let fake = std::sync::Arc::new(fake::Fake { calls: Default::default(), script });
    let base = fake::serve(fake.clone()).await;
    (fake, bot(&base))
}

fn texts(fake: &fake::Fake) -> Vec<(String, String)> {
    let calls = fake.calls.lock().expect("lock");
    calls.iter().map(|(method, body)| (method.clone(), body["text"].as_str().unwrap_or_default().to_owned())).collect()
}

#[tokio::test]
async fn delivers_in_order_and_records_outcomes() {
    let (_dir, store) = store().await;
    let now = Utc::now().trunc_subsecs(0);
    queue(&store, 1, say("a1"), now).await;
    queue(&store, 1, say("a2"), now).await;
    queue(&store, 2, say("blocked"), now).await;
    queue(&store, 3, Outgoing::AnswerButton { callback_id: "old".into(), notice: None }, now).await;
    let (fake, bot) = with_fake(Box::new(|method, body, n| match (method, body["chat_id"].as_i64()) {
        ("sendmessage", Some(2)) => fake::error(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user"),
        ("sendmessage", Some(chat)) => fake::message(chat, 100 + n as i64),
        _ => fake::error(
            StatusCode::BAD_REQUEST,
            "Bad Request: query is too old and response timeout expired or query id is invalid",
        ),
    }))
    .await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
    assert_eq!(sender.drain_once(now).await.expect("drain"), 4);
    let sent: Vec<_> = texts(&fake).into_iter().filter(|(_, text)| text.starts_with('a')).collect();
    assert_eq!(sent, [("sendmessage".to_owned(), "a1".to_owned()), ("sendmessage".to_owned(), "a2".to_owned())]);
    let rows = rows(&store).await;
    let status: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(status, ["sent", "sent", "failed", "failed"]);
    assert!(rows[0].5.is_some());
    assert_eq!(rows[2].4.as_deref(), Some("A Telegram's error: Forbidden: bot was blocked by the user"));
}

#[tokio::test]
async fn pace_holds_the_next_message_to_a_chat() {
    let (_dir, store) = store().await;
    let now = Utc::now().trunc_subsecs(0);
    queue(&store, 1, say("a1"), now).await;
    queue(&store, 1, say("a2"), now).await;
    let (fake, bot) =
        with_fake(Box::new(|_, body, n| fake::message(body["chat_id"].as_i64().unwrap_or(0), n as i64))).await;
    let mut sender = Sender::new(bot, store.clone(), Limits::default());
    // The second message to the chat would break the 1 s gap: not now.
    assert_eq!(sender.drain_once(now).await.expect("drain"), 1);
    assert_eq!(texts(&fake).len(), 1);
}

#[tokio::test]
async fn unedited_messages_are_resent_and_429_pauses() {
    let (_dir, store) = store().await;
    let now = Utc::now().trunc_subsecs(0);
    let edit = Outgoing::Edit { message_id: 5, text: "answer".into(), keyboard: Keyboard::None };
    queue(&store, 1, edit, now).await;
    queue(&store, 1, Outgoing::Edit { message_id: 6, text: "same".into(), keyboard: Keyboard::None }, now).await;
    queue(&store, 2, say("flooded"), now).await;
    let (fake, bot) = with_fake(Box::new(|method, body, n| match (method, body["message_id"].as_i64()) {
        ("editmessagetext", Some(5)) => fake::error(StatusCode::BAD_REQUEST, "Bad Request: message to edit not found"),
        ("editmessagetext", _) => fake::error(
            StatusCode::BAD_REQUEST,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly \
             the same as a current content and reply markup of the message",
        ),
        _ if body["chat_id"] == 2 => (
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 30",
                               "parameters": {"retry_after": 30}}),
        ),
        _ => fake::message(1, 50 + n as i64),
    }))
    .await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
    assert_eq!(sender.drain_once(now).await.expect("drain"), 2);
    let methods: Vec<String> = texts(&fake).into_iter().filter(|c| c.1 != "flooded").map(|c| c.0).collect();
    assert_eq!(methods, ["editmessagetext", "sendmessage", "editmessagetext"]);
    let rows = rows(&store).await;
    assert_eq!((rows[0].2.as_str(), rows[1].2.as_str(), rows[1].5), ("sent", "sent", Some(6)));
    // The 429 is neither a failure nor an attempt; the chat is paused.
    assert_eq!((rows[2].2.as_str(), rows[2].3), ("pending", 0));
    assert_eq!(sender.drain_once(now).await.expect("drain"), 0);
    assert_eq!(texts(&fake).iter().filter(|c| c.1 == "flooded").count(), 1);
}

#[tokio::test]
async fn unreachable_api_backs_off_and_keeps_the_row() {
    let (_dir, store) = store().await;
    // A port that was just free: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    drop(listener);
    let now = Utc::now().trunc_subsecs(0);
    queue(&store, 1, say("hello"), now).await;
    let mut sender = Sender::new(bot(&base), store.clone(), Limits::unlimited());
    assert_eq!(sender.drain_once(now).await.expect("drain"), 0);
    let rows = rows(&store).await;
    assert_eq!((rows[0].2.as_str(), rows[0].3), ("pending", 1));
    assert!(rows[0].4.as_deref().is_some_and(|e| e.contains("network") && !e.contains("may have been")));
    let mut conn = store.read().await.expect("conn");
    let next = outbox::next_due_at(&mut conn, CHANNEL).await.expect("next");
    assert_eq!(next, Some(now + TimeDelta::seconds(1)));
}

#[tokio::test]
async fn a_topic_that_keeps_vanishing_costs_attempts() {
    let (_dir, store) = store().await;
    put_topic(&store, KEY, GROUP, true, &[]).await;
    let id = queue_in(&store, GROUP, KEY, say("hello")).await;
    let now = Utc::now().trunc_subsecs(0);
    let (fake, bot) = with_fake(Box::new(|method, _, n| match method {
        "createforumtopic" => (
            StatusCode::OK,
            serde_json::json!({"ok": true, "result": {"message_thread_id": 100 + n, "name": "t", "icon_color": 7322096}}),
        ),
        _ => fake::error(StatusCode::BAD_REQUEST, "Bad Request: message thread not found"),
    }))
    .await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
    assert_eq!(sender.drain_once(now).await.expect("drain"), 0);
    let creates = texts(&fake).iter().filter(|(method, _)| method == "createforumtopic").count();
    assert_eq!(creates, MAX_DETOURS as usize + 1);
    let row = rows(&store).await.into_iter().find(|r| r.0 == id).expect("row");
    assert_eq!((row.2.as_str(), row.3), ("pending", 1));
    assert!(row.4.as_deref().is_some_and(|e| e.contains("thread not found") && !e.contains("may have")), "{row:?}");
}

/// With room for one call at a time, the rows only all go if every
/// finished call (sent, refused, flooded, to be retried, to be resent as
/// new) gives its slot back.
#[tokio::test]
async fn every_finished_call_gives_its_slot_back() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (_dir, store) = store().await;
    let now = Utc::now().trunc_subsecs(0);
    queue(&store, 1, say("fine"), now).await;
    queue(&store, 2, say("blocked"), now).await;
    queue(&store, 3, say("flooded once"), now).await;
    queue(&store, 4, say("flaky once"), now).await;
    queue(&store, 5, Outgoing::Edit { message_id: 5, text: "gone".into(), keyboard: Keyboard::None }, now).await;
    let (flooded, flaky) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (fake, bot) = with_fake(Box::new(move |method, body, n| match (method, body["chat_id"].as_i64()) {
        ("editmessagetext", _) => fake::error(StatusCode::BAD_REQUEST, "Bad Request: message to edit not found"),
        (_, Some(2)) => fake::error(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user"),
        (_, Some(3)) if flooded.fetch_add(1, Ordering::SeqCst) == 0 => (
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1",
                               "parameters": {"retry_after": 1}}),
        ),
        (_, Some(4)) if flaky.fetch_add(1, Ordering::SeqCst) == 0 => {
            fake::error(StatusCode::BAD_REQUEST, "Bad Gateway")
        }
        (_, chat) => fake::message(chat.unwrap_or(0), 100 + n as i64),
    }))
    .await;
    let limits = Limits { global: (1, Duration::from_millis(20)), ..Limits::unlimited() };
    let mut sender = Sender::new(bot, store.clone(), limits);
    let deadline = Instant::now() + Duration::from_secs(20);
    while rows(&store).await.iter().any(|row| row.2 == "pending") {
        assert!(Instant::now() < deadline, "stuck: {:?}", rows(&store).await);
        sender.drain_once(Utc::now()).await.expect("drain");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let status: Vec<String> = rows(&store).await.into_iter().map(|row| row.2).collect();
    assert_eq!(status, ["sent", "failed", "sent", "sent", "sent"]);
    assert_eq!(sender.pace.in_flight(), 0);
    assert_eq!(texts(&fake).len(), 8);
}

#[tokio::test]
async fn run_delivers_on_wake_and_stops_on_shutdown() {
    let (_dir, store) = store().await;
    let (fake, bot) =
        with_fake(Box::new(|_, body, n| fake::message(body["chat_id"].as_i64().unwrap_or(0), n as i64))).await;
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let sender = tokio::spawn(Sender::new(bot, store.clone(), Limits::default()).run(wake.clone(), stopped));
    queue(&store, 7, say("hello"), Utc::now()).await;
    wake.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rows(&store).await[0].2 != "sent" {
        assert!(tokio::time::Instant::now() < deadline, "not delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A reply queued for later goes when it comes due: the wake-up only
    // tells the sender it exists.
    queue(&store, 8, say("later"), Utc::now() + TimeDelta::milliseconds(300)).await;
    wake.notify_one();
    while rows(&store).await[1].2 != "sent" {
        assert!(tokio::time::Instant::now() < deadline, "not delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(texts(&fake).len(), 2);
    stop.send(true).expect("send");
    tokio::time::timeout(Duration::from_secs(5), sender).await.expect("stops").expect("no panic");
}

#[tokio::test]
async fn a_reply_failing_for_hours_fails_and_tells_the_agents() {
    const AGENTS: i64 = -100_555;
    let (_dir, store) = store().await;
    let now = Utc::now().trunc_subsecs(0);
    let mut tx = store.write().await.expect("tx");
    crate::store::query(
        "INSERT INTO customers (channel, external_id, chat_id, first_name, lang, created_at)
         VALUES ('telegram', '9', 9, 'Fang', 'en', ?)",
    )
    .bind(now)
    .execute(&mut tx)
    .await
    .expect("customer");
    tx.commit().await.expect("commit");
    let stuck = queue(&store, 9, say("your case"), now).await;
    let agents_own = queue(&store, AGENTS, say("a card"), now).await;
    let fresh = queue(&store, 10, say("a newer chat"), now).await;
    let last = (0..1000).find(|&n| given_up(n)).expect("given up at last");
    let mut tx = store.write().await.expect("tx");
    crate::store::query("UPDATE outbox SET attempts = ? WHERE id IN (?, ?)")
        .bind(last)
        .bind(stuck)
        .bind(agents_own)
        .execute(&mut tx)
        .await
        .expect("attempts");
    tx.commit().await.expect("commit");
    let (_fake, bot) = with_fake(Box::new(|method, body, n| match (method, body["chat_id"].as_i64()) {
        ("sendmessage", Some(AGENTS)) if body["text"].as_str().is_some_and(|t| t.starts_with('📭')) => {
            fake::message(AGENTS, 100 + n as i64)
        }
        ("sendmessage", Some(10)) => fake::message(10, 100 + n as i64),
        _ => fake::error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }))
    .await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited()).with_alerts(AGENTS, Lang::En);
    sender.drain_once(now).await.expect("drain");
    let rows = rows(&store).await;
    let by_id = |id: i64| rows.iter().find(|row| row.0 == id).expect("row");
    for id in [stuck, agents_own] {
        let row = by_id(id);
        assert_eq!(row.2, "failed", "{row:?}");
        let error = row.4.as_deref().unwrap_or_default();
        assert!(error.starts_with(&format!("gave up after {} attempts: ", last + 1)), "{error}");
        assert!(error.contains("Internal Server Error"), "{error}");
    }
    assert_eq!(by_id(fresh).2, "sent", "other chats go on");
    // One alert, for the customer's reply only, delivered to the group.
    let alerts: Vec<(String, String)> =
        crate::store::query_as("SELECT status, payload FROM outbox WHERE chat_id = ? AND id > ?")
            .bind(AGENTS)
            .bind(fresh)
            .fetch_all(&mut store.read().await.expect("reader"))
            .await
            .expect("alerts");
    let text = |payload: &str| {
        let payload: serde_json::Value = serde_json::from_str(payload).expect("payload");
        payload["text"].as_str().expect("text").to_owned()
    };
    let alerts: Vec<(String, String)> = alerts.into_iter().map(|(status, payload)| (status, text(&payload))).collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].0, "sent");
    assert!(alerts[0].1.contains("Fang (chat 9)") && alerts[0].1.contains("6 h"), "{}", alerts[0].1);
}

/// An outcome is written when its answer arrives, not when the pace next
/// lets a call go: a crash in between would send the reply again.
#[tokio::test]
async fn outcomes_are_recorded_before_the_pace_opens_again() {
    let (_dir, store) = store().await;
    let (fake, bot) =
        with_fake(Box::new(|_, body, n| fake::message(body["chat_id"].as_i64().unwrap_or(0), n as i64))).await;
    let limits = Limits { global: (1, Duration::from_secs(5)), ..Limits::unlimited() };
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let sender = tokio::spawn(Sender::new(bot, store.clone(), limits).run(wake.clone(), stopped));
    queue(&store, 1, say("first"), Utc::now()).await;
    queue(&store, 2, say("second"), Utc::now()).await;
    wake.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rows(&store).await[0].2 != "sent" {
        assert!(tokio::time::Instant::now() < deadline, "not recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(texts(&fake).len(), 1, "recorded while the pace still holds the second call");
    stop.send(true).expect("send");
    tokio::time::timeout(Duration::from_secs(5), sender).await.expect("stops").expect("no panic");
}

/// A round does not read the chats with a call in flight (`outbox::due`
/// leaves them out): their next rows wait for the head's outcome, in
/// order, while the other chats go.
#[tokio::test]
async fn a_round_leaves_chats_with_a_call_in_flight_alone() {
    let (_dir, store) = store().await;
    let now = Utc::now().trunc_subsecs(0);
    let a1 = queue(&store, 1, say("a1"), now).await;
    queue(&store, 1, say("a2"), now).await;
    let (fake, bot) =
        with_fake(Box::new(|_, body, n| fake::message(body["chat_id"].as_i64().unwrap_or(0), n as i64))).await;
    let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
    sender.dispatch(now, Instant::now()).await.expect("dispatch");
    let b1 = queue(&store, 2, say("b1"), now).await;
    // a1's answer is not looked at until the calls are joined: chat 1 stays busy.
    sender.dispatch(now, Instant::now()).await.expect("dispatch");
    let mut flying: Vec<i64> = sender.flights.values().map(|flight| flight.row.id).collect();
    flying.sort_unstable();
    assert_eq!(flying, [a1, b1]);
    assert_eq!(sender.drain_once(now).await.expect("drain"), 3);
    let to_chat_1: Vec<String> = {
        let calls = fake.calls.lock().expect("lock");
        calls.iter().filter(|(_, body)| body["chat_id"] == 1).map(|(_, body)| body["text"].to_string()).collect()
    };
    assert_eq!(to_chat_1, [r#""a1""#, r#""a2""#]);
}
