//! Tests of the fake Telegram Bot API server itself, driven by a real
//! `teloxide::Bot`.
#![allow(clippy::unwrap_used)]

#[path = "../support/fake_telegram/mod.rs"]
mod fake_telegram;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_telegram::{
    Delivery, Failure, FakeTelegram, INVALID_QUERY, Limits, NOT_A_FORUM, SECRET_HEADER, THREAD_NOT_FOUND, TOKEN,
    TOPIC_CLOSED, TOPIC_ICON_COLORS, TOPIC_ID_INVALID, TOPIC_NOT_MODIFIED, WEBHOOK_ACTIVE,
};
use serde_json::Value;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, BotCommand, ButtonRequest, CallbackQueryId, FileId, InlineKeyboardButton, InlineKeyboardMarkup,
    InputFile, InputMedia, InputMediaPhoto, InputMediaVideo, KeyboardButton, KeyboardMarkup, KeyboardRemove, MediaKind,
    MessageEntityKind, MessageId, MessageKind, ParseMode, PublicChatKind, ReplyParameters, Rgb, ThreadId, UpdateKind,
    UserId,
};
use teloxide::{ApiError, RequestError};

const T: Duration = Duration::from_secs(5);
const ANN: i64 = 42;
const BOB: i64 = 43;
const AGENTS: i64 = -1_001_234_567_890;
const FORUM: i64 = -1_009_876_543_210;

fn bot(fake: &FakeTelegram) -> Bot {
    Bot::new(TOKEN).set_api_url(fake.api_url().parse().unwrap())
}

async fn setup_with(limits: Limits) -> (FakeTelegram, Bot) {
    let fake = FakeTelegram::start_with(limits).await;
    fake.add_user(ANN, "Ann", Some("ru"));
    fake.add_user(BOB, "Bob", None);
    fake.add_group(AGENTS, "Agents", false);
    fake.add_group(FORUM, "Support desk", true);
    fake.add_member(FORUM, BOB);
    let bot = bot(&fake);
    (fake, bot)
}

async fn setup() -> (FakeTelegram, Bot) {
    setup_with(Limits::telegram()).await
}

fn keyboard(buttons: &[(&str, &str)]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([buttons.iter().map(|(t, d)| InlineKeyboardButton::callback(*t, *d)).collect::<Vec<_>>()])
}

fn media_name(m: &Message) -> &'static str {
    match &m.kind {
        MessageKind::Common(c) => match &c.media_kind {
            MediaKind::Text(_) => "text",
            MediaKind::Photo(_) => "photo",
            MediaKind::Sticker(_) => "sticker",
            MediaKind::Voice(_) => "voice",
            MediaKind::Document(_) => "document",
            MediaKind::Contact(_) => "contact",
            _ => "other media",
        },
        _ => "not a common message",
    }
}

fn api_error(r: Result<impl std::fmt::Debug, RequestError>) -> ApiError {
    match r {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn thread(id: i64) -> ThreadId {
    ThreadId(MessageId(id as i32))
}

fn unknown_error(r: Result<impl std::fmt::Debug, RequestError>) -> String {
    match api_error(r) {
        ApiError::Unknown(s) => s,
        other => panic!("expected ApiError::Unknown, got {other:?}"),
    }
}

fn is_forum_chat(chat: &teloxide::types::Chat) -> bool {
    matches!(&chat.kind, teloxide::types::ChatKind::Public(p) if matches!(&p.kind, PublicChatKind::Supergroup(s) if s.is_forum))
}

/// A raw HTTP client (teloxide's reqwest) for what teloxide can't express.
fn raw_client() -> impl Fn(String, String) -> std::pin::Pin<Box<dyn std::future::Future<Output = (u16, String)> + Send>>
{
    let client = teloxide::net::default_reqwest_settings().build().unwrap();
    move |url: String, body: String| {
        let client = client.clone();
        Box::pin(async move {
            let resp = client.post(url).header("content-type", "application/json").body(body).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap())
        })
    }
}

#[tokio::test]
async fn get_me_and_webhook_info() {
    let (fake, bot) = setup().await;
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), "aftersales_test_bot");
    assert_eq!(me.id, UserId(123456));
    assert!(me.is_bot);
    let info = bot.get_webhook_info().await.unwrap();
    assert!(info.url.is_none());
    bot.delete_webhook().await.unwrap();
    let methods: Vec<String> = fake.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["getme", "getwebhookinfo", "deletewebhook"]);
    assert!(fake.rejections().is_empty());
}

#[tokio::test]
async fn every_kind_of_update_deserialises() {
    let (fake, bot) = setup().await;
    fake.send_text(ANN, "/start");
    let hello = fake.send_text(ANN, "hello");
    fake.send_photo(ANN, vec![1; 400], Some("album-1"), Some("front side"));
    fake.send_photo(ANN, vec![2; 400], Some("album-1"), None);
    fake.send_sticker(ANN);
    fake.send_voice(ANN);
    fake.send_document(ANN, "receipt.pdf", "application/pdf", b"%PDF-1.4 fake".to_vec());
    fake.send_contact(ANN, "+79990001122", Some(ANN));
    fake.edit_text(ANN, hello, "hello, edited");
    let sent = bot.send_message(ChatId(ANN), "Pick one").reply_markup(keyboard(&[("Yes", "yes")])).await.unwrap();
    let cq = fake.press(ANN, sent.id.0 as i64, "yes");

    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 10, "{updates:#?}");
    for u in &updates {
        assert!(!matches!(u.kind, UpdateKind::Error(_)), "teloxide could not parse {u:#?}");
    }
    assert_eq!(updates[0].id.0, 1000);
    let msg = |i: usize| match &updates[i].kind {
        UpdateKind::Message(m) => m,
        other => panic!("update {i} is not a message: {other:?}"),
    };

    let start = msg(0);
    assert_eq!(media_name(start), "text");
    assert_eq!(start.text(), Some("/start"));
    let entities = start.entities().unwrap();
    assert_eq!(entities[0].kind, MessageEntityKind::BotCommand);
    assert_eq!(entities[0].length, 6);
    let from = start.from.as_ref().unwrap();
    assert_eq!(from.id, UserId(42));
    assert_eq!(from.language_code.as_deref(), Some("ru"));
    assert!(start.chat.is_private());
    assert_eq!(start.chat.id, ChatId(ANN));

    let photo = msg(2);
    assert_eq!(media_name(photo), "photo");
    assert_eq!(photo.photo().unwrap().len(), 2);
    assert_eq!(photo.media_group_id().map(|g| g.0.as_str()), Some("album-1"));
    assert_eq!(photo.caption(), Some("front side"));
    assert_eq!(msg(3).media_group_id().map(|g| g.0.as_str()), Some("album-1"));

    assert_eq!(media_name(msg(4)), "sticker");
    assert!(msg(4).sticker().unwrap().is_static());
    assert_eq!(media_name(msg(5)), "voice");
    assert_eq!(msg(5).voice().unwrap().duration.seconds(), 3);
    assert_eq!(media_name(msg(6)), "document");
    let doc = msg(6).document().unwrap();
    assert_eq!(doc.file_name.as_deref(), Some("receipt.pdf"));
    assert_eq!(doc.mime_type.as_ref().map(|m| m.essence_str()), Some("application/pdf"));
    assert_eq!(media_name(msg(7)), "contact");
    let contact = msg(7).contact().unwrap();
    assert_eq!(contact.phone_number, "+79990001122");
    assert_eq!(contact.user_id, Some(UserId(42)));

    match &updates[8].kind {
        UpdateKind::EditedMessage(m) => {
            assert_eq!(m.text(), Some("hello, edited"));
            assert!(m.edit_date().is_some());
        }
        other => panic!("expected an edited message, got {other:?}"),
    }
    match &updates[9].kind {
        UpdateKind::CallbackQuery(q) => {
            assert_eq!(q.id.0, cq);
            assert_eq!(q.data.as_deref(), Some("yes"));
            assert_eq!(q.from.id, UserId(42));
            let m = q.regular_message().unwrap();
            assert_eq!(m.id, sent.id);
            assert_eq!(m.text(), Some("Pick one"));
            assert!(m.reply_markup().is_some());
        }
        other => panic!("expected a callback query, got {other:?}"),
    }
    assert!(fake.rejections().is_empty());
}

#[tokio::test]
async fn inline_keyboards_and_edits() {
    let (fake, bot) = setup().await;
    let kb = keyboard(&[("Return", "ret:1"), ("Exchange", "exch:1")]);
    let sent = bot.send_message(ChatId(ANN), " Order #1 & co\n").reply_markup(kb.clone()).await.unwrap();
    assert_eq!(sent.text(), Some("Order #1 & co"));
    assert!(sent.reply_markup().is_some());

    let m = fake.last_message(ANN).unwrap();
    assert_eq!(m.text, "Order #1 & co");
    assert_eq!(m.kind, "text");
    assert_eq!(m.button("Return").unwrap().callback_data.as_deref(), Some("ret:1"));
    assert_eq!(m.all_buttons().len(), 2);

    let edited =
        bot.edit_message_text(ChatId(ANN), sent.id, "Order #1: returning").reply_markup(kb.clone()).await.unwrap();
    assert_eq!(edited.text(), Some("Order #1: returning"));
    let m = fake.message(ANN, sent.id.0 as i64).unwrap();
    assert_eq!((m.edits, m.text.as_str(), m.all_buttons().len()), (1, "Order #1: returning", 2));

    let same = bot.edit_message_text(ChatId(ANN), sent.id, "Order #1: returning").reply_markup(kb.clone()).await;
    assert_eq!(api_error(same), ApiError::MessageNotModified);

    // Like Telegram: editing the text without reply_markup removes the keyboard.
    bot.edit_message_text(ChatId(ANN), sent.id, "Order #1: returning").await.unwrap();
    let m = fake.message(ANN, sent.id.0 as i64).unwrap();
    assert!(m.buttons.is_empty() && !m.has_inline_keyboard());

    bot.edit_message_reply_markup(ChatId(ANN), sent.id).reply_markup(kb).await.unwrap();
    assert_eq!(fake.message(ANN, sent.id.0 as i64).unwrap().all_buttons().len(), 2);

    let missing = bot.edit_message_text(ChatId(ANN), MessageId(999), "x").await;
    assert_eq!(api_error(missing), ApiError::MessageToEditNotFound);
    let users_msg = fake.send_text(ANN, "mine");
    let not_bots = bot.edit_message_text(ChatId(ANN), MessageId(users_msg as i32), "x").await;
    assert_eq!(api_error(not_bots), ApiError::MessageCantBeEdited);

    assert_eq!(fake.rejections().len(), 3);
    assert_eq!(fake.messages(ANN).len(), 1, "user messages are not in messages()");
}

#[tokio::test]
async fn callback_queries_must_be_answered_once() {
    let (fake, bot) = setup().await;
    bot.send_message(ChatId(ANN), "Choose").reply_markup(keyboard(&[("Return it", "ret")])).await.unwrap();
    let m = fake.last_message(ANN).unwrap();
    let id = fake.press_button(ANN, &m, "Return");
    assert_eq!(fake.unanswered_callbacks(), vec![id.clone()]);

    bot.answer_callback_query(CallbackQueryId(id.clone())).text("Done").await.unwrap();
    assert!(fake.unanswered_callbacks().is_empty());
    assert_eq!(fake.callback_answer(&id).unwrap().text.as_deref(), Some("Done"));

    let again = bot.answer_callback_query(CallbackQueryId(id.clone())).await;
    assert_eq!(api_error(again), ApiError::Unknown(INVALID_QUERY.to_string()));
    let unknown = bot.answer_callback_query(CallbackQueryId("nope".into())).await;
    assert_eq!(api_error(unknown), ApiError::Unknown(INVALID_QUERY.to_string()));
    assert_eq!(fake.rejections().len(), 2);
}

#[tokio::test]
async fn bot_commands_per_language() {
    let (fake, bot) = setup().await;
    bot.set_my_commands([BotCommand::new("start", "Start over"), BotCommand::new("status", "Order status")])
        .await
        .unwrap();
    bot.set_my_commands([BotCommand::new("start", "Начать заново")]).language_code("ru").await.unwrap();
    let commands = fake.commands();
    assert_eq!(commands[""].len(), 2);
    assert_eq!(commands["ru"], vec![("start".to_string(), "Начать заново".to_string())]);
    let ru = bot.get_my_commands().language_code("ru").await.unwrap();
    assert_eq!(ru[0].command, "start");

    let bad = bot.set_my_commands([BotCommand::new("Start", "Upper case")]).await;
    assert_eq!(api_error(bad), ApiError::Unknown("Bad Request: BOT_COMMAND_INVALID".into()));
    let bad = bot.set_my_commands([BotCommand::new("start", "")]).await;
    assert!(matches!(api_error(bad), ApiError::Unknown(_)));
    bot.delete_my_commands().language_code("ru").await.unwrap();
    assert!(!fake.commands().contains_key("ru"));
}

#[tokio::test]
async fn get_file_and_download() {
    let (fake, bot) = setup().await;
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    fake.send_photo(ANN, bytes.clone(), None, None);
    fake.send_document(ANN, "invoice.pdf", "application/pdf", b"%PDF-1.7 invoice".to_vec());
    let updates = bot.get_updates().await.unwrap();
    let (UpdateKind::Message(photo), UpdateKind::Message(doc)) = (&updates[0].kind, &updates[1].kind) else {
        panic!("expected two messages")
    };

    let largest = photo.photo().unwrap().last().unwrap();
    let file = bot.get_file(largest.file.id.clone()).await.unwrap();
    assert_eq!(file.size as usize, bytes.len());
    let mut downloaded: Vec<u8> = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.unwrap();
    assert_eq!(downloaded, bytes);

    // The preview size is a different (smaller) file.
    let small = bot.get_file(photo.photo().unwrap()[0].file.id.clone()).await.unwrap();
    assert!((small.size as usize) < bytes.len());

    let file = bot.get_file(doc.document().unwrap().file.id.clone()).await.unwrap();
    let mut downloaded: Vec<u8> = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.unwrap();
    assert_eq!(downloaded, b"%PDF-1.7 invoice");

    let unknown = bot.get_file(FileId("nope".into())).await;
    assert_eq!(api_error(unknown), ApiError::FileIdInvalid);
    let mut sink: Vec<u8> = Vec::new();
    assert!(bot.download_file("photos/none.jpg", &mut sink).await.is_err());
}

#[tokio::test]
async fn injected_429_is_retry_after() {
    let (fake, bot) = setup().await;
    fake.fail_next("sendMessage", Failure::TooManyRequests { retry_after: 7 }, 1);
    let err = bot.send_message(ChatId(ANN), "hi").await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(s) if s.seconds() == 7), "{err:?}");
    bot.send_message(ChatId(ANN), "hi").await.unwrap();
    assert_eq!(fake.messages(ANN).len(), 1);
    assert_eq!(fake.too_many_requests(), 0, "injected 429s are not flood-limit 429s");
    assert!(fake.rejections().is_empty());
    let calls = fake.calls_to("sendMessage");
    assert!(calls[0].injected && calls[0].status == 429);
    assert!(!calls[1].injected && calls[1].ok);

    fake.fail_next("*", Failure::Api(403, "Forbidden: bot was blocked by the user".into()), 1);
    assert_eq!(api_error(bot.send_message(ChatId(ANN), "x").await), ApiError::BotBlocked);
}

#[tokio::test]
async fn injected_server_errors_raw() {
    let (fake, bot) = setup().await;
    let post = raw_client();
    let url = format!("{}bot{TOKEN}/getMe", fake.api_url());

    fake.fail_next("getme", Failure::ServerError(500), 1);
    let (status, body) = post(url.clone(), "{}".into()).await;
    assert_eq!(status, 500);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error_code"], 500);

    fake.fail_next("getme", Failure::ServerError(502), 1);
    let (status, body) = post(url.clone(), "{}".into()).await;
    assert_eq!(status, 502);
    assert!(body.starts_with("<html>"), "{body}");

    // Back to normal afterwards.
    bot.get_me().await.unwrap();
    assert!(fake.rejections().is_empty());
}

/// teloxide sleeps 10 s after every 5xx before returning the error, so this
/// one is slow: `cargo test --test fake_telegram_selftest -- --ignored`.

#[tokio::test]
async fn flood_limits() {
    let (fake, bot) = setup().await;
    for i in 0..3 {
        bot.send_message(ChatId(ANN), format!("burst {i}")).await.unwrap();
    }
    let err = bot.send_message(ChatId(ANN), "one too many").await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(s) if s.seconds() == 1), "{err:?}");
    // Other chats are unaffected by the per-chat limit.
    bot.send_message(ChatId(BOB), "hi Bob").await.unwrap();
    assert_eq!(fake.too_many_requests(), 1);
    assert!(fake.rejections().is_empty());
    // Edits and callback answers are not sends.
    let last = fake.last_message(ANN).unwrap();
    bot.edit_message_text(ChatId(ANN), MessageId(last.message_id as i32), "edited").await.unwrap();

    // Per group and global windows, and a window freeing up.
    let short = Duration::from_millis(200);
    let limits =
        Limits { per_chat: (1, short), per_group: (2, Duration::from_secs(60)), global: (3, Duration::from_secs(1)) };
    let (fake, bot) = setup_with(limits).await;
    bot.send_message(ChatId(AGENTS), "a").await.unwrap();
    bot.send_message(ChatId(AGENTS), "b").await.unwrap();
    let err = bot.send_message(ChatId(AGENTS), "c").await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(s) if (59..=60).contains(&s.seconds())), "{err:?}");
    bot.send_message(ChatId(ANN), "d").await.unwrap();
    let err = bot.send_message(ChatId(BOB), "global").await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(_)), "{err:?}");
    let err = bot.send_message(ChatId(ANN), "e").await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(s) if s.seconds() == 1), "{err:?}");
    assert_eq!(fake.too_many_requests(), 3);

    let (fake, bot) = setup_with(Limits { per_chat: (1, short), ..Limits::none() }).await;
    bot.send_message(ChatId(ANN), "1").await.unwrap();
    assert!(bot.send_message(ChatId(ANN), "2").await.is_err());
    tokio::time::sleep(short + Duration::from_millis(20)).await;
    bot.send_message(ChatId(ANN), "3").await.unwrap();
    assert_eq!(fake.messages(ANN).len(), 2);
}

#[tokio::test]
async fn long_poll_wakes_up_on_new_update() {
    let (fake, bot) = setup().await;
    let pusher = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        pusher.send_text(ANN, "late");
    });
    let t0 = Instant::now();
    let updates = bot.get_updates().timeout(5).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());

    let offset = updates[0].id.as_offset();
    let t0 = Instant::now();
    let updates = bot.get_updates().offset(offset).timeout(1).await.unwrap();
    assert!(updates.is_empty());
    assert!(t0.elapsed() >= Duration::from_millis(900), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn offsets_confirm_and_unconfirmed_updates_survive_a_restart() {
    let (fake, bot) = setup().await;
    for t in ["one", "two", "three"] {
        fake.send_text(ANN, t);
    }
    let first = bot.get_updates().await.unwrap();
    assert_eq!(first.iter().map(|u| u.id.0).collect::<Vec<_>>(), [1000, 1001, 1002]);
    // A "restarted" bot that never confirmed gets them again.
    assert_eq!(bot.get_updates().await.unwrap().len(), 3);
    assert_eq!(fake.pending_updates(), 3);
    let next = bot.get_updates().offset(first[1].id.as_offset()).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(fake.pending_updates(), 1);
    assert!(bot.get_updates().offset(first[2].id.as_offset()).await.unwrap().is_empty());
    assert_eq!(fake.pending_updates(), 0);

    fake.send_text(ANN, "four");
    fake.send_text(ANN, "five");
    assert_eq!(bot.get_updates().limit(1).await.unwrap().len(), 1);
    let last = bot.get_updates().offset(-1).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(fake.pending_updates(), 1);

    // allowed_updates filters (and drops) other kinds, like Telegram.
    fake.send_text(ANN, "six");
    let only_callbacks = bot
        .get_updates()
        .offset(last[0].id.as_offset())
        .allowed_updates([teloxide::types::AllowedUpdate::CallbackQuery])
        .await
        .unwrap();
    assert!(only_callbacks.is_empty());
    assert_eq!(fake.pending_updates(), 0);
}

#[tokio::test]
async fn concurrent_get_updates_conflict() {
    let (fake, bot) = setup().await;
    let first_bot = bot.clone();
    let first = tokio::spawn(async move { first_bot.get_updates().timeout(5).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    bot.get_updates().await.unwrap();
    let first = first.await.unwrap();
    assert_eq!(api_error(first), ApiError::TerminatedByOtherGetUpdates);
    assert_eq!(fake.rejections().len(), 1);
    assert_eq!(fake.rejections()[0].status, 409);
}

/// A webhook receiver that answers each POST with the next of `answers`
/// (200 once they run out), keeping each body and secret header it got.
async fn receiver(answers: Vec<u16>) -> (String, Arc<Mutex<Vec<(Value, Option<String>)>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::Json<Value>| {
            let (kept, answers) = (kept.clone(), answers.clone());
            async move {
                let secret = headers.get(SECRET_HEADER).map(|value| value.to_str().unwrap().to_owned());
                kept.lock().unwrap().push((body.0, secret));
                let status = answers.lock().unwrap().next().unwrap_or(200);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

#[tokio::test]
async fn a_webhook_gets_each_update_in_order_again_after_a_failure() {
    let (fake, bot) = setup().await;
    let (url, got) = receiver(vec![500]).await;
    let refused = bot.set_webhook("http://bot.example.com/hook".parse().unwrap()).await;
    assert_eq!(api_error(refused), ApiError::WebhookRequireHttps);
    let bad_secret = bot.set_webhook(url.parse().unwrap()).secret_token("no spaces").await;
    assert!(unknown_error(bad_secret).contains("secret token"));
    fake.send_text(ANN, "one");
    fake.send_text(ANN, "two");
    bot.set_webhook(url.parse().unwrap())
        .secret_token("s3cret")
        .allowed_updates([AllowedUpdate::Message])
        .max_connections(1)
        .await
        .unwrap();
    assert_eq!(api_error(bot.get_updates().await), ApiError::Unknown(WEBHOOK_ACTIVE.to_owned()));
    assert!(fake.wait_until(|fake| fake.pending_updates() == 0, T).await, "{:#?}", fake.deliveries());

    let texts: Vec<(String, Option<String>)> = got
        .lock()
        .unwrap()
        .iter()
        .map(|(update, secret)| (update["message"]["text"].as_str().unwrap().to_owned(), secret.clone()))
        .collect();
    let secret = Some("s3cret".to_owned());
    let expected = [("one", &secret), ("one", &secret), ("two", &secret)].map(|(t, s)| (t.to_owned(), s.clone()));
    assert_eq!(texts, expected, "the refused update first, again, then the next");
    let statuses: Vec<_> = fake.deliveries().iter().map(|delivery| (delivery.update_id, delivery.status)).collect();
    assert_eq!(statuses, [(1000, Some(500)), (1000, Some(200)), (1001, Some(200))]);
    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.url.map(|url| url.to_string()), Some(url.clone()));
    assert!(info.last_error_message.is_some(), "the 500 is reported");

    // A lost answer is delivered again; a forged secret is what the receiver sees.
    fake.lose_webhook_answers(1);
    fake.forge_webhook_secret(Some("forged"));
    fake.send_text(ANN, "three");
    assert!(fake.wait_until(|fake| fake.pending_updates() == 0, T).await);
    let last: Vec<_> = got.lock().unwrap().iter().skip(3).map(|(_, secret)| secret.clone()).collect();
    assert_eq!(last, [Some("forged".to_owned()), Some("forged".to_owned())]);
    let three: Vec<Delivery> = fake.deliveries_of(1002);
    assert!(three[0].lost && !three[0].delivered() && three[1].delivered(), "{three:#?}");

    bot.delete_webhook().await.unwrap();
    assert_eq!(fake.webhook_url(), None);
    fake.send_text(ANN, "four");
    let polled = bot.get_updates().await.unwrap();
    assert_eq!(polled.len(), 1, "back to polling");
}

#[tokio::test]
async fn validation_like_telegram() {
    let (fake, bot) = setup_with(Limits::none()).await;
    assert_eq!(api_error(bot.send_message(ChatId(999), "hi").await), ApiError::ChatNotFound);
    assert_eq!(api_error(bot.send_message(ChatId(ANN), "  \n ").await), ApiError::MessageTextIsEmpty);
    assert_eq!(api_error(bot.send_message(ChatId(ANN), "a".repeat(4097)).await), ApiError::MessageIsTooLong);
    // Length is counted in UTF-16 code units.
    assert_eq!(api_error(bot.send_message(ChatId(ANN), "😀".repeat(2049)).await), ApiError::MessageIsTooLong);
    bot.send_message(ChatId(ANN), "я".repeat(4096)).await.unwrap();

    let long_data = keyboard(&[("x", &"d".repeat(65))]);
    assert_eq!(
        api_error(bot.send_message(ChatId(ANN), "kb").reply_markup(long_data).await),
        ApiError::ButtonDataInvalid
    );
    bot.send_message(ChatId(ANN), "kb").reply_markup(keyboard(&[("x", &"d".repeat(64))])).await.unwrap();

    // The bot sends plain text: the fake refuses formatting it does not model.
    let html = bot.send_message(ChatId(ANN), "<b>Order</b>").parse_mode(ParseMode::Html).await;
    assert!(unknown_error(html).contains("unsupported parse_mode"));

    assert_eq!(fake.rejections().len(), 6);
    assert!(fake.rejections().iter().all(|c| c.status == 400 && c.method == "sendmessage"));
}

#[tokio::test]
async fn reply_keyboards_and_blocked_users() {
    let (fake, bot) = setup().await;
    let kb =
        KeyboardMarkup::new([[KeyboardButton::new("Share phone").request(ButtonRequest::Contact)]]).resize_keyboard();
    let sent = bot.send_message(ChatId(ANN), "Your phone?").reply_markup(kb).await.unwrap();
    assert!(sent.reply_markup().is_none(), "reply keyboards are not part of the Message");
    let m = fake.last_message(ANN).unwrap();
    assert!(m.button("Share").unwrap().request_contact);
    assert!(m.reply_keyboard.is_some());
    assert!(fake.reply_keyboard(ANN).is_some());
    bot.send_message(ChatId(ANN), "Thanks").reply_markup(KeyboardRemove::new()).await.unwrap();
    assert!(fake.reply_keyboard(ANN).is_none());

    fake.block_bot(ANN, true);
    assert_eq!(api_error(bot.send_message(ChatId(ANN), "hi").await), ApiError::BotBlocked);
    let rejected = fake.rejections();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].status, 403);
}

#[tokio::test]
async fn wrong_token_and_unknown_method() {
    let (fake, bot) = setup().await;
    let wrong = Bot::new("123456:WRONG").set_api_url(fake.api_url().parse().unwrap());
    assert_eq!(api_error(wrong.get_me().await), ApiError::InvalidToken);

    let post = raw_client();
    let (status, body) = post(format!("{}bot{TOKEN}/sendCarrierPigeon", fake.api_url()), "{}".into()).await;
    assert_eq!(status, 404);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v, serde_json::json!({"ok": false, "error_code": 404, "description": "Not Found"}));
    // Method names are case-insensitive.
    let (status, _) = post(format!("{}bot{TOKEN}/GETME", fake.api_url()), "{}".into()).await;
    assert_eq!(status, 200);
    let (status, body) = post(format!("{}bot{TOKEN}/getme", fake.api_url()), "not json".into()).await;
    assert_eq!(status, 400, "{body}");

    assert_eq!(fake.rejections().len(), 3);
    assert_eq!(fake.rejections()[0].status, 401);
    drop(bot);
}

#[tokio::test]
async fn delayed_request_is_still_executed() {
    let (fake, _) = setup().await;
    let client = teloxide::net::default_reqwest_settings().timeout(Duration::from_millis(150)).build().unwrap();
    let impatient = Bot::with_client(TOKEN, client).set_api_url(fake.api_url().parse().unwrap());
    fake.fail_next("sendMessage", Failure::Delay(Duration::from_millis(400)), 1);
    let err = impatient.send_message(ChatId(ANN), "slow").await.unwrap_err();
    assert!(matches!(err, RequestError::Network(_)), "{err:?}");
    let messages = fake.wait_for_count(ANN, 1, T).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text, "slow");
}

#[tokio::test]
async fn relaying_media_to_a_group() {
    let (fake, bot) = setup().await;
    let text_id = fake.send_text(ANN, "It arrived broken");
    fake.send_photo(ANN, vec![7; 1000], Some("g"), Some("photo 1"));
    fake.send_photo(ANN, vec![8; 1000], Some("g"), None);
    let updates = bot.get_updates().await.unwrap();
    let photo_ids: Vec<FileId> = updates[1..]
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) => m.photo().unwrap().last().unwrap().file.id.clone(),
            _ => panic!(),
        })
        .collect();

    let sent =
        bot.send_photo(ChatId(AGENTS), InputFile::file_id(photo_ids[0].clone())).caption("From Ann").await.unwrap();
    assert_eq!(sent.caption(), Some("From Ann"));
    let m = fake.last_message(AGENTS).unwrap();
    assert_eq!((m.kind.as_str(), m.text.as_str()), ("photo", "From Ann"));
    assert_eq!(m.file_id.as_deref(), Some(photo_ids[0].0.as_str()));

    let album = bot
        .send_media_group(
            ChatId(AGENTS),
            photo_ids.iter().map(|id| InputMedia::Photo(InputMediaPhoto::new(InputFile::file_id(id.clone())))),
        )
        .await
        .unwrap();
    assert_eq!(album.len(), 2);
    assert_eq!(album[0].media_group_id(), album[1].media_group_id());
    assert!(album[0].media_group_id().is_some());

    let copied = bot.copy_message(ChatId(AGENTS), ChatId(ANN), MessageId(text_id as i32)).await.unwrap();
    let copy = fake.message(AGENTS, copied.0 as i64).unwrap();
    assert_eq!((copy.kind.as_str(), copy.text.as_str()), ("text", "It arrived broken"));
    let photo_msg = MessageId(text_id as i32 + 1);
    let copied = bot.copy_message(ChatId(AGENTS), ChatId(ANN), photo_msg).caption("Ann's photo").await.unwrap();
    let copy = fake.message(AGENTS, copied.0 as i64).unwrap();
    assert_eq!((copy.kind.as_str(), copy.text.as_str()), ("photo", "Ann's photo"));
    assert_eq!(copy.file_id.as_deref(), Some(photo_ids[0].0.as_str()));
    let fwd = bot.forward_message(ChatId(AGENTS), ChatId(ANN), MessageId(text_id as i32)).await.unwrap();
    assert!(fwd.forward_origin().is_some());
    let missing = bot.copy_message(ChatId(AGENTS), ChatId(ANN), MessageId(999)).await;
    assert_eq!(api_error(missing), ApiError::MessageToCopyNotFound);

    // Uploads (multipart) are stored and downloadable.
    let upload =
        bot.send_photo(ChatId(AGENTS), InputFile::memory(vec![9u8; 2048]).file_name("label.jpg")).await.unwrap();
    let id = upload.photo().unwrap().last().unwrap().file.id.clone();
    assert_eq!(fake.file_bytes(&id.0).unwrap(), vec![9u8; 2048]);
    let doc = bot
        .send_document(ChatId(ANN), InputFile::memory(b"a,b\n1,2\n".to_vec()).file_name("report.csv"))
        .caption("Your report")
        .await
        .unwrap();
    assert_eq!(doc.document().unwrap().file_name.as_deref(), Some("report.csv"));
    assert_eq!(fake.messages(AGENTS).len(), 7);

    // Agents talk and press buttons in the group.
    let taken =
        bot.send_message(ChatId(AGENTS), "New case").reply_markup(keyboard(&[("Take", "take:1")])).await.unwrap();
    fake.send_reply_in(AGENTS, BOB, taken.id.0 as i64, "on it");
    let cq = fake.press_in(AGENTS, BOB, taken.id.0 as i64, "take:1");
    let updates = bot.get_updates().offset(updates.last().unwrap().id.as_offset()).await.unwrap();
    assert_eq!(updates.len(), 2);
    let UpdateKind::Message(reply) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(reply.reply_to_message().map(|m| m.id), Some(taken.id), "agents reply to a case card");
    let UpdateKind::CallbackQuery(q) = &updates[1].kind else { panic!("{:?}", updates[1]) };
    assert_eq!((q.id.0.as_str(), q.from.id), (cq.as_str(), UserId(BOB as u64)));
    assert_eq!(q.regular_message().unwrap().chat.id, ChatId(AGENTS));
    assert!(q.regular_message().unwrap().chat.is_supergroup());
    assert!(fake.rejections().len() == 1, "{:?}", fake.rejections());
}

#[tokio::test]
async fn dispatcher_end_to_end() {
    let (fake, bot) = setup().await;
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
            bot.send_message(msg.chat.id, format!("echo: {}", msg.text().unwrap_or("")))
                .reply_markup(keyboard(&[("OK", "ok")]))
                .await?;
            respond(())
        }))
        .branch(Update::filter_callback_query().endpoint(|bot: Bot, q: CallbackQuery| async move {
            bot.answer_callback_query(q.id.clone()).text("got it").await?;
            respond(())
        }));
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let token = dispatcher.shutdown_token();
    let task = tokio::spawn(async move { dispatcher.dispatch().await });

    let mid = fake.send_text(ANN, "hi");
    let reply = fake.wait_for_reply(ANN, mid, T).await.expect("no reply");
    assert_eq!(reply.text, "echo: hi");
    let cq = fake.press_button(ANN, &reply, "OK");
    assert!(fake.wait_until(|f| f.callback_answer(&cq).is_some(), T).await);
    assert_eq!(fake.callback_answer(&cq).unwrap().text.as_deref(), Some("got it"));

    // An update kind the handler does not ask for is filtered out.
    fake.edit_text(ANN, mid, "hi again");
    assert!(fake.wait_until(|f| f.pending_updates() == 0, T).await);

    token.shutdown().unwrap().await;
    task.await.unwrap();
    assert_eq!(fake.pending_updates(), 0);
    assert!(fake.unanswered_callbacks().is_empty());
    assert!(fake.rejections().is_empty(), "{:#?}", fake.rejections());
}

#[tokio::test]
async fn forum_topics_create_post_edit_close() {
    let (fake, bot) = setup_with(Limits::none()).await;
    let topic = bot.create_forum_topic(ChatId(FORUM), "Case #17 · Ann").await.unwrap();
    let t = topic.thread_id.0.0 as i64;
    assert_eq!(topic.name, "Case #17 · Ann");
    assert!(TOPIC_ICON_COLORS.contains(&topic.icon_color.to_u32()));
    assert!(t > 1, "thread 1 is the General topic");
    let info = fake.topic(FORUM, t).unwrap();
    assert_eq!(
        (info.name.as_str(), info.closed, info.deleted, info.pinned_message_id),
        ("Case #17 · Ann", false, false, None)
    );
    // The creation service message is not a message the bot "sent".
    assert!(fake.messages(FORUM).is_empty());

    let sent = bot.send_message(ChatId(FORUM), "New case from Ann").message_thread_id(thread(t)).await.unwrap();
    assert_eq!(sent.thread_id, Some(thread(t)));
    assert!(sent.is_topic_message);
    assert!(is_forum_chat(&sent.chat));
    // Like Telegram: a topic message "replies" to the topic's creation message.
    let root = sent.reply_to_message().unwrap();
    assert_eq!(root.id.0 as i64, t);
    assert_eq!(root.forum_topic_created().unwrap().name, "Case #17 · Ann");
    let m = fake.message(FORUM, sent.id.0 as i64).unwrap();
    assert_eq!((m.thread_id, m.reply_to), (Some(t), None));

    // Every send method honours message_thread_id.
    let text_id = fake.send_text(ANN, "It arrived broken");
    let photo = bot
        .send_photo(ChatId(FORUM), InputFile::memory(vec![3u8; 600]).file_name("p.jpg"))
        .message_thread_id(thread(t))
        .await
        .unwrap();
    assert_eq!(photo.thread_id, Some(thread(t)));
    let photo_id = photo.photo().unwrap().last().unwrap().file.id.clone();
    let album = bot
        .send_media_group(
            ChatId(FORUM),
            [photo_id.clone(), photo_id].map(|id| InputMedia::Photo(InputMediaPhoto::new(InputFile::file_id(id)))),
        )
        .message_thread_id(thread(t))
        .await
        .unwrap();
    assert!(album.iter().all(|m| m.thread_id == Some(thread(t)) && m.is_topic_message));
    bot.send_document(ChatId(FORUM), InputFile::memory(b"x".to_vec()).file_name("a.txt"))
        .message_thread_id(thread(t))
        .await
        .unwrap();
    let copy = bot
        .copy_message(ChatId(FORUM), ChatId(ANN), MessageId(text_id as i32))
        .message_thread_id(thread(t))
        .await
        .unwrap();
    assert_eq!(fake.message(FORUM, copy.0 as i64).unwrap().thread_id, Some(t));
    let fwd = bot
        .forward_message(ChatId(FORUM), ChatId(ANN), MessageId(text_id as i32))
        .message_thread_id(thread(t))
        .await
        .unwrap();
    assert_eq!(fwd.thread_id, Some(thread(t)));
    bot.send_chat_action(ChatId(FORUM), teloxide::types::ChatAction::Typing)
        .message_thread_id(thread(t))
        .await
        .unwrap();
    // A reply without message_thread_id lands in the replied message's topic.
    let reply = bot
        .send_message(ChatId(FORUM), "Follow-up")
        .reply_parameters(teloxide::types::ReplyParameters::new(sent.id))
        .await
        .unwrap();
    assert_eq!(reply.thread_id, Some(thread(t)));
    assert_eq!(fake.message(FORUM, reply.id.0 as i64).unwrap().reply_to, Some(sent.id.0 as i64));
    // A message outside any topic (General).
    let general = bot.send_message(ChatId(FORUM), "General news").await.unwrap();
    assert_eq!(general.thread_id, None);

    let in_topic = fake.topic_messages(FORUM, t);
    assert_eq!(in_topic.len(), 8, "{in_topic:#?}");
    assert!(in_topic.iter().all(|m| m.thread_id == Some(t)));
    assert_eq!(fake.messages(FORUM).len(), 9);

    // Edit, close, reopen.
    bot.edit_forum_topic(ChatId(FORUM), thread(t)).name("Case #17 · Ann · refund").await.unwrap();
    assert_eq!(fake.topic(FORUM, t).unwrap().name, "Case #17 · Ann · refund");
    let same = bot.edit_forum_topic(ChatId(FORUM), thread(t)).name("Case #17 · Ann · refund").await;
    assert_eq!(unknown_error(same), TOPIC_NOT_MODIFIED);
    bot.close_forum_topic(ChatId(FORUM), thread(t)).await.unwrap();
    assert!(fake.topic(FORUM, t).unwrap().closed);
    assert_eq!(unknown_error(bot.close_forum_topic(ChatId(FORUM), thread(t)).await), TOPIC_NOT_MODIFIED);
    // Bots that manage topics may still post in a closed topic.
    bot.send_message(ChatId(FORUM), "Closed, but noted").message_thread_id(thread(t)).await.unwrap();
    bot.reopen_forum_topic(ChatId(FORUM), thread(t)).await.unwrap();
    assert!(!fake.topic(FORUM, t).unwrap().closed);
    assert_eq!(unknown_error(bot.reopen_forum_topic(ChatId(FORUM), thread(t)).await), TOPIC_NOT_MODIFIED);
    assert_eq!(unknown_error(bot.close_forum_topic(ChatId(FORUM), thread(999)).await), TOPIC_ID_INVALID);

    // Names: Telegram trims and truncates to 128 characters; empty is refused.
    let long = bot.create_forum_topic(ChatId(FORUM), format!("  {}  ", "я".repeat(200))).await.unwrap();
    assert_eq!(long.name.chars().count(), 128);
    let empty = bot.create_forum_topic(ChatId(FORUM), "   ").await;
    assert_eq!(unknown_error(empty), "Bad Request: title must be non-empty");
    let colored = bot.create_forum_topic(ChatId(FORUM), "Blue").icon_color(Rgb::from_u32(0x6FB9F0)).await.unwrap();
    assert_eq!(colored.icon_color.to_u32(), 0x6FB9F0);
    let bad_color = bot.create_forum_topic(ChatId(FORUM), "Bad").icon_color(Rgb::from_u32(0x123456)).await;
    assert_eq!(unknown_error(bad_color), "Bad Request: invalid icon color specified");
    assert_eq!(fake.topics(FORUM).len(), 3);
    assert_eq!(fake.rejections().len(), 6, "{:#?}", fake.rejections());
}

#[tokio::test]
async fn sends_into_a_deleted_or_unknown_topic_fail() {
    let (fake, bot) = setup_with(Limits::none()).await;
    let a = bot.create_forum_topic(ChatId(FORUM), "A").await.unwrap().thread_id;
    let b = bot.create_forum_topic(ChatId(FORUM), "B").await.unwrap().thread_id;
    bot.send_message(ChatId(FORUM), "in A").message_thread_id(a).await.unwrap();
    bot.send_message(ChatId(FORUM), "in B").message_thread_id(b).await.unwrap();

    // The bot deletes A; an admin deletes B by hand.
    bot.delete_forum_topic(ChatId(FORUM), a).await.unwrap();
    fake.delete_topic_by_hand(FORUM, b.0.0 as i64);
    for t in [a, b] {
        let err = bot.send_message(ChatId(FORUM), "hello?").message_thread_id(t).await;
        assert_eq!(api_error(err), ApiError::Unknown(THREAD_NOT_FOUND.into()));
        assert!(fake.topic_messages(FORUM, t.0.0 as i64).is_empty(), "a deleted topic's messages go with it");
        assert!(fake.topic(FORUM, t.0.0 as i64).unwrap().deleted);
    }
    assert!(fake.messages(FORUM).is_empty());
    let text_id = fake.send_text(ANN, "hi");
    let photo = bot.send_photo(ChatId(FORUM), InputFile::memory(vec![1u8; 64])).message_thread_id(b).await;
    assert_eq!(unknown_error(photo), THREAD_NOT_FOUND);
    let doc = bot.send_document(ChatId(FORUM), InputFile::memory(vec![1u8; 64])).message_thread_id(b).await;
    assert_eq!(unknown_error(doc), THREAD_NOT_FOUND);
    let album = bot
        .send_media_group(ChatId(FORUM), [InputMedia::Photo(InputMediaPhoto::new(InputFile::memory(vec![1u8; 64])))])
        .message_thread_id(b)
        .await;
    assert_eq!(unknown_error(album), THREAD_NOT_FOUND);
    let copy = bot.copy_message(ChatId(FORUM), ChatId(ANN), MessageId(text_id as i32)).message_thread_id(b).await;
    assert_eq!(unknown_error(copy), THREAD_NOT_FOUND);
    let fwd = bot.forward_message(ChatId(FORUM), ChatId(ANN), MessageId(text_id as i32)).message_thread_id(b).await;
    assert_eq!(unknown_error(fwd), THREAD_NOT_FOUND);

    // A thread that never existed, the General topic, and chats without topics.
    for (chat, t) in [(FORUM, 777), (FORUM, 1), (AGENTS, 1), (ANN, 1)] {
        let err = bot.send_message(ChatId(chat), "x").message_thread_id(thread(t)).await;
        assert_eq!(unknown_error(err), THREAD_NOT_FOUND, "chat {chat} thread {t}");
    }
    assert_eq!(unknown_error(bot.delete_forum_topic(ChatId(FORUM), a).await), TOPIC_ID_INVALID);
    assert_eq!(unknown_error(bot.edit_forum_topic(ChatId(FORUM), b).name("B2").await), TOPIC_ID_INVALID);
    assert!(fake.rejections().iter().all(|c| c.status == 400));
    assert_eq!(fake.rejections().len(), 13);
}

#[tokio::test]
async fn pins_per_topic_and_per_chat() {
    let (fake, bot) = setup_with(Limits::none()).await;
    let a = bot.create_forum_topic(ChatId(FORUM), "A").await.unwrap().thread_id;
    let b = bot.create_forum_topic(ChatId(FORUM), "B").await.unwrap().thread_id;
    let (ta, tb) = (a.0.0 as i64, b.0.0 as i64);
    let in_a = bot.send_message(ChatId(FORUM), "card A").message_thread_id(a).await.unwrap().id;
    let in_b = bot.send_message(ChatId(FORUM), "card B").message_thread_id(b).await.unwrap().id;
    let general = bot.send_message(ChatId(FORUM), "rules").await.unwrap().id;

    bot.pin_chat_message(ChatId(FORUM), in_a).disable_notification(true).await.unwrap();
    assert_eq!(fake.pinned(FORUM, Some(ta)), Some(in_a.0 as i64));
    assert_eq!(fake.pinned(FORUM, Some(tb)), None);
    assert_eq!(fake.pinned(FORUM, None), Some(in_a.0 as i64));
    assert_eq!(fake.topic(FORUM, ta).unwrap().pinned_message_id, Some(in_a.0 as i64));
    bot.pin_chat_message(ChatId(FORUM), in_b).await.unwrap();
    bot.pin_chat_message(ChatId(FORUM), general).await.unwrap();
    assert_eq!(fake.pinned(FORUM, Some(tb)), Some(in_b.0 as i64));
    assert_eq!(fake.pinned(FORUM, None), Some(general.0 as i64));
    // Pinning posts a service message, which is not one of the bot's messages.
    assert_eq!(fake.messages(FORUM).len(), 3);
    assert_eq!(fake.topic_messages(FORUM, ta).len(), 1);

    // Without message_id: the most recent pinned message (by id) is unpinned.
    bot.unpin_chat_message(ChatId(FORUM)).await.unwrap();
    assert_eq!(fake.pinned(FORUM, None), Some(in_b.0 as i64));
    let again = bot.unpin_chat_message(ChatId(FORUM)).message_id(general).await;
    assert_eq!(unknown_error(again), "Bad Request: message to unpin not found");
    bot.unpin_all_forum_topic_messages(ChatId(FORUM), b).await.unwrap();
    assert_eq!(fake.pinned(FORUM, Some(tb)), None);
    assert_eq!(fake.pinned(FORUM, None), Some(in_a.0 as i64));
    let missing = bot.pin_chat_message(ChatId(FORUM), MessageId(999)).await;
    assert_eq!(unknown_error(missing), "Bad Request: message to pin not found");

    // A deleted message is no longer pinned; private chats have pins too.
    bot.delete_message(ChatId(FORUM), in_a).await.unwrap();
    assert_eq!(fake.pinned(FORUM, Some(ta)), None);
    assert_eq!(fake.pinned(FORUM, None), None);
    let hello = bot.send_message(ChatId(ANN), "Your case is #17").await.unwrap();
    bot.pin_chat_message(ChatId(ANN), hello.id).await.unwrap();
    assert_eq!(fake.pinned(ANN, None), Some(hello.id.0 as i64));
    bot.unpin_all_chat_messages(ChatId(ANN)).await.unwrap();
    assert_eq!(fake.pinned(ANN, None), None);
    assert_eq!(fake.rejections().len(), 2);
}

#[tokio::test]
async fn agents_in_topics_arrive_via_get_updates() {
    let (fake, bot) = setup().await;
    let t = bot.create_forum_topic(ChatId(FORUM), "Case #3").await.unwrap().thread_id;
    let tid = t.0.0 as i64;
    let card =
        bot.send_message(ChatId(FORUM), "Refund?").message_thread_id(t).reply_markup(keyboard(&[("Approve", "ok:3")]));
    let card = card.await.unwrap();

    let text = fake.send_text_in_topic(FORUM, BOB, tid, "Looking into it");
    fake.send_photo_in_topic(FORUM, BOB, tid, vec![5; 300], Some("alb"), Some("label"));
    let reply = fake.send_reply_in_topic(FORUM, BOB, tid, card.id.0 as i64, "approve it?");
    let cq = fake.press_in_topic(FORUM, BOB, tid, card.id.0 as i64, "ok:3");
    let by_hand = fake.create_topic_by_hand(FORUM, BOB, "Escalations");

    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 5, "{updates:#?}");
    for u in &updates {
        assert!(!matches!(u.kind, UpdateKind::Error(_)), "teloxide could not parse {u:#?}");
    }
    let UpdateKind::Message(m) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(m.id.0 as i64, text);
    assert_eq!((m.thread_id, m.is_topic_message), (Some(t), true));
    assert_eq!(m.text(), Some("Looking into it"));
    assert_eq!(m.from.as_ref().unwrap().id, UserId(BOB as u64));
    assert!(m.chat.is_supergroup() && is_forum_chat(&m.chat));
    assert_eq!(m.reply_to_message().unwrap().id, MessageId(tid as i32));
    assert!(m.reply_to_message().unwrap().forum_topic_created().is_some());

    let UpdateKind::Message(p) = &updates[1].kind else { panic!("{:?}", updates[1]) };
    assert_eq!((p.thread_id, p.is_topic_message, p.caption()), (Some(t), true, Some("label")));
    assert_eq!(p.media_group_id().map(|g| g.0.as_str()), Some("alb"));

    let UpdateKind::Message(r) = &updates[2].kind else { panic!("{:?}", updates[2]) };
    assert_eq!(r.id.0 as i64, reply);
    assert_eq!(r.thread_id, Some(t));
    assert_eq!(r.reply_to_message().unwrap().id, card.id);

    let UpdateKind::CallbackQuery(q) = &updates[3].kind else { panic!("{:?}", updates[3]) };
    assert_eq!((q.id.0.as_str(), q.from.id), (cq.as_str(), UserId(BOB as u64)));
    let qm = q.regular_message().unwrap();
    assert_eq!((qm.id, qm.thread_id, qm.is_topic_message), (card.id, Some(t), true));

    let UpdateKind::Message(c) = &updates[4].kind else { panic!("{:?}", updates[4]) };
    assert_eq!(c.id.0 as i64, by_hand);
    assert_eq!(c.thread_id, Some(thread(by_hand)));
    assert_eq!(c.forum_topic_created().unwrap().name, "Escalations");
    assert_eq!(fake.topic(FORUM, by_hand).unwrap().created_by, BOB);
    // The bot can post into a topic an agent created.
    bot.send_message(ChatId(FORUM), "Noted").message_thread_id(thread(by_hand)).await.unwrap();
    assert!(fake.rejections().is_empty(), "{:#?}", fake.rejections());
}

#[tokio::test]
async fn topics_need_a_forum() {
    let (fake, bot) = setup().await;
    assert_eq!(unknown_error(bot.create_forum_topic(ChatId(AGENTS), "Case").await), NOT_A_FORUM);
    assert_eq!(unknown_error(bot.create_forum_topic(ChatId(ANN), "Case").await), NOT_A_FORUM);
    assert_eq!(unknown_error(bot.close_forum_topic(ChatId(AGENTS), thread(2)).await), NOT_A_FORUM);
    assert_eq!(api_error(bot.create_forum_topic(ChatId(-100_555), "Case").await), ApiError::ChatNotFound);
    assert!(fake.topics(AGENTS).is_empty());
    assert_eq!(fake.rejections().len(), 4);
}

#[tokio::test]
async fn topic_sends_count_toward_the_group_limit() {
    let limits = Limits { per_group: (3, Duration::from_secs(60)), ..Limits::none() };
    let (fake, bot) = setup_with(limits).await;
    let a = bot.create_forum_topic(ChatId(FORUM), "A").await.unwrap().thread_id;
    let b = bot.create_forum_topic(ChatId(FORUM), "B").await.unwrap().thread_id;
    bot.send_message(ChatId(FORUM), "1").message_thread_id(a).await.unwrap();
    bot.send_message(ChatId(FORUM), "2").message_thread_id(b).await.unwrap();
    bot.send_message(ChatId(FORUM), "3").await.unwrap();
    let err = bot.send_message(ChatId(FORUM), "4").message_thread_id(a).await.unwrap_err();
    assert!(matches!(err, RequestError::RetryAfter(s) if (59..=60).contains(&s.seconds())), "{err:?}");
    // Another group is not affected; a refused send into a missing topic uses no quota.
    bot.send_message(ChatId(AGENTS), "other group").await.unwrap();
    assert_eq!(fake.too_many_requests(), 1);
}

#[tokio::test]
async fn topic_relays_by_file_id_and_closed_topics() {
    let (fake, bot) = setup_with(Limits::none()).await;
    let t = bot.create_forum_topic(ChatId(FORUM), "Case #5").await.unwrap().thread_id;
    let tid = t.0.0 as i64;
    // A member's album in a topic: one update per photo, one media group.
    let ids = fake.send_album_in_topic(FORUM, BOB, tid, vec![vec![1; 300], vec![2; 300], vec![3; 300]], "alb-5");
    let updates = bot.get_updates().await.unwrap();
    let mut photos = Vec::new();
    for (u, id) in updates.iter().zip(&ids) {
        let UpdateKind::Message(m) = &u.kind else { panic!("{u:?}") };
        assert_eq!((m.id.0 as i64, m.thread_id, m.is_topic_message), (*id, Some(t), true));
        assert_eq!(m.media_group_id().map(|g| g.0.as_str()), Some("alb-5"));
        photos.push(m.photo().unwrap().last().unwrap().file.id.clone());
    }
    assert_eq!(photos.len(), 3);
    assert_eq!(fake.file_id_of(FORUM, ids[0]).as_deref(), Some(photos[0].0.as_str()));

    // The bot sends them again by file id, into the topic.
    let as_media = |id: &FileId| InputMedia::Photo(InputMediaPhoto::new(InputFile::file_id(id.clone())));
    let album = bot.send_media_group(ChatId(FORUM), photos.iter().map(as_media)).message_thread_id(t).await.unwrap();
    assert!(album.iter().all(|m| m.thread_id == Some(t) && m.media_group_id() == album[0].media_group_id()));
    assert_eq!(album[2].photo().unwrap().last().unwrap().file.id, photos[2]);
    bot.send_photo(ChatId(FORUM), InputFile::file_id(photos[0].clone())).message_thread_id(t).await.unwrap();
    let copy = bot.copy_message(ChatId(FORUM), ChatId(FORUM), MessageId(ids[1] as i32)).message_thread_id(t).await;
    let copy = copy.unwrap();
    assert_eq!(fake.message(FORUM, copy.0 as i64).unwrap().thread_id, Some(tid));
    // Videos too, alone or with photos.
    let clip = fake.send_video(ANN, vec![4; 900], None);
    let video = FileId(fake.file_id_of(ANN, clip).unwrap());
    let sent = bot.send_video(ChatId(FORUM), InputFile::file_id(video.clone())).message_thread_id(t).await.unwrap();
    assert_eq!(sent.video().unwrap().file.id, video);
    let mixed = [as_media(&photos[0]), InputMedia::Video(InputMediaVideo::new(InputFile::file_id(video.clone())))];
    let mixed = bot.send_media_group(ChatId(FORUM), mixed).message_thread_id(t).await.unwrap();
    assert!(mixed[1].video().is_some() && mixed[1].thread_id == Some(t));

    // A closed topic: the bot, which manages topics, may still post …
    bot.close_forum_topic(ChatId(FORUM), t).await.unwrap();
    bot.send_message(ChatId(FORUM), "noted").message_thread_id(t).await.unwrap();
    // … but without that right every kind of send is refused, replies too.
    fake.set_bot_manages_topics(FORUM, false);
    let text_id = MessageId(fake.send_text(ANN, "hi") as i32);
    let refused = [
        unknown_error(bot.send_message(ChatId(FORUM), "x").message_thread_id(t).await),
        unknown_error(bot.send_photo(ChatId(FORUM), InputFile::file_id(photos[0].clone())).message_thread_id(t).await),
        unknown_error(bot.send_video(ChatId(FORUM), InputFile::file_id(video.clone())).message_thread_id(t).await),
        unknown_error(bot.send_media_group(ChatId(FORUM), photos.iter().map(as_media)).message_thread_id(t).await),
        unknown_error(bot.copy_message(ChatId(FORUM), ChatId(ANN), text_id).message_thread_id(t).await),
        unknown_error(bot.send_message(ChatId(FORUM), "y").reply_parameters(ReplyParameters::new(copy)).await),
    ];
    assert_eq!(refused, [TOPIC_CLOSED; 6].map(String::from));
    bot.reopen_forum_topic(ChatId(FORUM), t).await.unwrap();
    bot.send_message(ChatId(FORUM), "open again").message_thread_id(t).await.unwrap();

    // Deleted by hand: every kind of send finds no thread.
    fake.delete_topic_by_hand(FORUM, tid);
    let gone = [
        unknown_error(bot.send_message(ChatId(FORUM), "x").message_thread_id(t).await),
        unknown_error(bot.send_photo(ChatId(FORUM), InputFile::file_id(photos[0].clone())).message_thread_id(t).await),
        unknown_error(bot.send_video(ChatId(FORUM), InputFile::file_id(video)).message_thread_id(t).await),
        unknown_error(bot.send_media_group(ChatId(FORUM), photos.iter().map(as_media)).message_thread_id(t).await),
        unknown_error(bot.copy_message(ChatId(FORUM), ChatId(ANN), text_id).message_thread_id(t).await),
    ];
    assert_eq!(gone, [THREAD_NOT_FOUND; 5].map(String::from));
    assert_eq!(fake.rejections().len(), 11, "{:#?}", fake.rejections());
}

#[tokio::test]
async fn edits_in_any_chat_arrive_when_allowed() {
    let (fake, bot) = setup().await;
    let t = bot.create_forum_topic(ChatId(FORUM), "Case #6").await.unwrap().thread_id;
    let tid = t.0.0 as i64;
    let said = fake.send_text_in_topic(FORUM, BOB, tid, "refund 10");
    let photo = fake.send_photo(ANN, vec![1; 100], None, Some("front"));
    let hello = fake.send_text(ANN, "hello");
    let wanted = [AllowedUpdate::Message, AllowedUpdate::EditedMessage];
    let first = bot.get_updates().allowed_updates(wanted).await.unwrap();
    assert_eq!(first.len(), 3);

    fake.edit_text_in(FORUM, BOB, said, "refund 12");
    fake.edit_text_in(ANN, ANN, photo, "front, scratched");
    fake.edit_text(ANN, hello, "hello again");
    let updates = bot.get_updates().offset(first.last().unwrap().id.as_offset()).await.unwrap();
    let edited: Vec<&Message> = updates
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::EditedMessage(m) => m,
            other => panic!("expected an edited message, got {other:?}"),
        })
        .collect();
    assert_eq!(edited.len(), 3);
    let topic_edit = edited[0];
    assert_eq!((topic_edit.id.0 as i64, topic_edit.chat.id), (said, ChatId(FORUM)));
    assert_eq!(
        (topic_edit.text(), topic_edit.thread_id, topic_edit.is_topic_message),
        (Some("refund 12"), Some(t), true)
    );
    assert!(topic_edit.edit_date().is_some());
    // A media message's caption is what changes.
    assert_eq!((edited[1].caption(), edited[1].text()), (Some("front, scratched"), None));
    assert!(edited[1].photo().is_some());
    assert_eq!(edited[2].text(), Some("hello again"));

    // A bot that does not ask for edited messages does not get them.
    let none = bot
        .get_updates()
        .offset(updates.last().unwrap().id.as_offset())
        .allowed_updates([AllowedUpdate::Message])
        .await
        .unwrap();
    assert!(none.is_empty());
    fake.edit_text_in(FORUM, BOB, said, "refund 15");
    let after = fake.send_text_in_topic(FORUM, BOB, tid, "ok?");
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 1);
    assert!(matches!(&updates[0].kind, UpdateKind::Message(m) if m.id.0 as i64 == after));
    assert!(fake.rejections().is_empty(), "{:#?}", fake.rejections());
}
