//! The Telegram channel: long polling (or a `webhook`) in, the outbox
//! sender out, and the evidence downloader. The only module that knows
//! Telegram's types.
//!
//! An update is confirmed to Telegram (by asking for the next offset, or
//! answering the webhook's POST) only after the desk committed it, so a
//! crash makes Telegram deliver it again, and the desk recognises it by its
//! update_id.

pub mod api;
pub mod downloads;
pub mod inbound;
pub mod pace;
pub mod sender;
pub mod webhook;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use teloxide::payloads::{DeleteWebhook, DeleteWebhookSetters, GetUpdates, GetUpdatesSetters};
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, BotCommand, Update};
use tokio::sync::{Notify, watch};

use crate::backoff;
use crate::catalogue::{self, Msg};
use crate::conversation::Command;
use crate::desk::Desk;
use crate::lang::Lang;
use crate::store::{StoreError, Tx};
use inbound::Inbound;

/// getUpdates failing (Telegram or the network down) is retried after
/// this, doubling up to …
const POLL_FIRST_WAIT: Duration = Duration::from_millis(250);
/// … this: a retry is always safe (the offset confirms nothing new), costs
/// one request, and Telegram's 5xx are mostly gone within seconds, so
/// customers are heard again about a second after a fault ends. A 429 waits
/// as long as Telegram asks instead.
const POLL_MAX_WAIT: Duration = Duration::from_secs(1);
/// An update the store could not commit is retried after this, doubling
/// up to …
const COMMIT_FIRST_WAIT: Duration = Duration::from_millis(200);
/// … this.
const COMMIT_MAX_WAIT: Duration = Duration::from_secs(30);

/// The updates the desk reads, asked for by polling and by the webhook alike.
const ALLOWED_UPDATES: [AllowedUpdate; 3] =
    [AllowedUpdate::Message, AllowedUpdate::EditedMessage, AllowedUpdate::CallbackQuery];

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("--api-url {url} is not a URL")]
    ApiUrl {
        url: String,
        #[source]
        source: <reqwest::Url as std::str::FromStr>::Err,
    },
    #[error("telegram refused the bot token or is unreachable: {0}")]
    Start(#[from] teloxide::RequestError),
    #[error("telegram refused the webhook {url}: {source}")]
    SetWebhook {
        url: String,
        #[source]
        source: teloxide::RequestError,
    },
    #[error("the webhook endpoint stopped: {0}")]
    Webhook(#[source] std::io::Error),
}

/// The bot: its token and the Bot API server it talks to. What runs on it
/// (polling, the sender, the evidence downloader) is started by `app`.
#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
}

impl Telegram {
    /// The bot with `token`, on Telegram's Bot API or on `api_url` (a
    /// self-hosted telegram-bot-api, or a test fake).
    pub fn new(token: String, api_url: Option<&str>) -> Result<Telegram, TelegramError> {
        let bot = Bot::new(token);
        let bot = match api_url {
            Some(url) => {
                bot.set_api_url(url.parse().map_err(|source| TelegramError::ApiUrl { url: url.to_owned(), source })?)
            }
            None => bot,
        };
        Ok(Telegram { bot })
    }

    /// Checks the token (getMe) and registers the bot's commands.
    pub async fn connect(&self) -> Result<(), TelegramError> {
        let me = self.bot.get_me().await?;
        tracing::info!(username = ?me.username, "connected to telegram");
        register_commands(&self.bot).await;
        Ok(())
    }

    /// The outbox sender, within the configured rate limits, on the desk's
    /// clock, alerting the agents' group (if any) of replies it gave up.
    pub fn sender(&self, desk: &Desk) -> sender::Sender {
        let telegram = &desk.config().telegram;
        let limits = pace::Limits {
            per_chat: telegram.per_chat_gap.0,
            per_group: (telegram.group_per_minute, Duration::from_secs(60)),
            global: (telegram.global_per_second, Duration::from_secs(1)),
        };
        let sender = sender::Sender::new(self.bot.clone(), desk.store().clone(), limits)
            .with_clock(desk.clock().clone())
            .with_metrics(desk.metrics().clone());
        let config = desk.config();
        match config.agents.chat_id {
            Some(group) => sender.with_alerts(group, config.agents.lang(config.shop.default_language)),
            None => sender,
        }
    }

    /// Copies the evidence that could not be fetched on arrival, until the shutdown.
    pub fn downloader(&self, desk: &Desk, shutdown: watch::Receiver<bool>) -> impl Future<Output = ()> + use<> {
        downloads::run(self.bot.clone(), desk.clone(), shutdown)
    }

    /// Long polling until the shutdown; `wake` tells the sender an update queued replies.
    pub async fn poll(&self, desk: &Desk, wake: &Notify, shutdown: watch::Receiver<bool>) {
        poll(&self.bot, desk, wake, shutdown).await;
    }

    /// Removes a webhook a former start may have set (keeping its pending
    /// updates), since Telegram refuses getUpdates while one is set.
    pub async fn leave_webhook(&self) -> Result<(), TelegramError> {
        api::call(&self.bot, &DeleteWebhook::new().drop_pending_updates(false)).await?;
        Ok(())
    }

    /// Registers `hook` with Telegram and receives its updates on
    /// `listener` until the shutdown, watching that Telegram can deliver.
    pub async fn webhook(
        &self,
        desk: &Desk,
        wake: Arc<Notify>,
        hook: &webhook::Webhook,
        listener: tokio::net::TcpListener,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(), TelegramError> {
        webhook::register(&self.bot, hook)
            .await
            .map_err(|source| TelegramError::SetWebhook { url: hook.url().to_string(), source })?;
        let endpoint = webhook::Endpoint::new(self.bot.clone(), desk.clone(), wake, hook);
        let (served, ()) = tokio::join!(
            endpoint.serve(listener, shutdown.clone()),
            webhook::watch(&self.bot, desk, hook.url(), shutdown)
        );
        served.map_err(TelegramError::Webhook)
    }
}

/// Long polling: fetch a batch, commit it, then confirm it by moving the offset.
async fn poll(bot: &Bot, desk: &Desk, wake: &Notify, mut shutdown: watch::Receiver<bool>) {
    let timeout = u32::try_from(desk.config().telegram.poll_timeout.0.as_secs()).unwrap_or(10);
    let mut offset: i32 = 0;
    let mut failures = 0;
    while !*shutdown.borrow() {
        let request = GetUpdates::new().offset(offset).timeout(timeout).allowed_updates(ALLOWED_UPDATES);
        let updates = tokio::select! {
            updates = api::call(bot, &request) => updates,
            _ = shutdown.changed() => break,
        };
        let updates = match updates {
            Ok(updates) => {
                desk.metrics().polled();
                failures = 0;
                updates
            }
            Err(error) => {
                let wait = match &error {
                    teloxide::RequestError::RetryAfter(wait) => wait.duration(),
                    _ => backoff::exponential(failures, POLL_FIRST_WAIT, POLL_MAX_WAIT),
                };
                tracing::warn!(%error, ?wait, "getUpdates failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => break,
                }
                failures = failures.saturating_add(1);
                continue;
            }
        };
        let mut batch = Vec::with_capacity(updates.len());
        for update in &updates {
            batch.extend(receive(bot, desk, update).await);
        }
        commit_batch(desk, &batch).await;
        for received in &batch {
            received.committed(desk, wake);
        }
        if let Some(last) = updates.last() {
            offset = i32::try_from(last.id.0).unwrap_or(i32::MAX).saturating_add(1);
        }
    }
}

/// Commits a getUpdates batch in order: all of it in one write transaction
/// (one commit, and one look at the outbox for the sender, instead of one
/// of each per update). If any update of it fails, that transaction is
/// rolled back whole and the batch is committed again one transaction per
/// update, each retried until it commits: one failing update loses none of
/// the others, and a chat's updates still commit in order.
async fn commit_batch(desk: &Desk, batch: &[Received]) {
    if batch.is_empty() {
        return;
    }
    if let Err(error) = commit_together(desk, batch).await {
        tracing::warn!(%error, updates = batch.len(), "a batch of updates could not commit together; one at a time");
        for received in batch {
            handle_until_committed(desk, received).await;
        }
    }
}

/// Every update of `batch` in one write transaction.
async fn commit_together(desk: &Desk, batch: &[Received]) -> Result<(), StoreError> {
    let mut tx = desk.store().write().await?;
    let now = desk.now();
    for received in batch {
        received.commit_in(desk, &mut tx, now).await?;
    }
    Ok(tx.commit().await?)
}

/// A store error (a full disk, a locked file) must not lose the update:
/// retry it until it commits, before confirming it to Telegram.
async fn handle_until_committed(desk: &Desk, received: &Received) {
    let mut failures = 0;
    while let Err(error) = received.commit(desk).await {
        let pause = backoff::exponential(failures, COMMIT_FIRST_WAIT, COMMIT_MAX_WAIT);
        tracing::error!(%error, update_id = received.update_id(), "could not commit update; retrying");
        tokio::time::sleep(pause).await;
        failures = failures.saturating_add(1);
    }
}

/// An update the desk takes, as polling and the webhook both receive it.
struct Received {
    inbound: Inbound,
    arrived: Instant,
}

/// The desk's view of `update` with a customer's evidence checked by its
/// content (before the desk counts it); `None` for updates it ignores.
async fn receive(bot: &Bot, desk: &Desk, update: &Update) -> Option<Received> {
    let arrived = Instant::now();
    let inbound = match inbound::inbound(update, desk.config().agents.chat_id)? {
        Inbound::Customer(incoming) => Inbound::Customer(downloads::check(bot, desk, incoming).await),
        agents => agents,
    };
    Some(Received { inbound, arrived })
}

impl Received {
    fn update_id(&self) -> Option<i64> {
        match &self.inbound {
            Inbound::Customer(incoming) => incoming.update_id,
            Inbound::Agents(incoming) => incoming.update_id,
        }
    }

    /// One try at the desk, in one transaction; a redelivery is recognised
    /// by its update id and changes nothing.
    async fn commit(&self, desk: &Desk) -> Result<(), StoreError> {
        commit_together(desk, std::slice::from_ref(self)).await
    }

    /// The desk's work for this update inside `tx`, which the caller commits.
    async fn commit_in(&self, desk: &Desk, tx: &mut Tx, now: DateTime<Utc>) -> Result<(), StoreError> {
        match &self.inbound {
            Inbound::Customer(incoming) => desk.handle_in(tx, incoming.clone(), now).await.map(drop),
            Inbound::Agents(incoming) => desk.handle_agents_in(tx, incoming.clone(), now).await,
        }
    }

    /// Counted for the ops endpoint, and the sender woken for its replies.
    fn committed(&self, desk: &Desk, wake: &Notify) {
        desk.metrics().handled(self.arrived.elapsed());
        wake.notify_one();
    }
}

/// setMyCommands in both languages; a failure is logged, not fatal.
async fn register_commands(bot: &Bot) {
    for (lang, language_code) in [(Lang::Zh, None), (Lang::Zh, Some("zh")), (Lang::En, Some("en"))] {
        let commands: Vec<BotCommand> = Command::ALL
            .into_iter()
            .map(|command| {
                BotCommand::new(
                    command.name(),
                    catalogue::render(lang, &Msg::CommandDescription { command: command.name().into() }),
                )
            })
            .collect();
        let mut request = bot.set_my_commands(commands);
        if let Some(code) = language_code {
            request = request.language_code(code);
        }
        if let Err(error) = request.await {
            tracing::warn!(%error, ?language_code, "setMyCommands failed; carrying on");
        }
    }
}
