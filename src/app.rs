//! The running service, composed in one place for both channels: the store,
//! the desk on the shell's clock, the [`Background`] (scheduler, push and
//! ops endpoints, signal watch) and one channel's loop — Telegram's polling
//! or webhook with its outbox sender and evidence downloader (`serve`), or the terminal
//! (`chat`). One shutdown path: whichever ends first, a signal or the
//! channel itself (the terminal at the end of its input), [`App::run`]
//! stops the background and waits for every task.

use std::io::Write;
use std::sync::Arc;

use tokio::io::AsyncBufRead;

use crate::background::{Background, Duty, Listeners};
use crate::clock::Clock;
use crate::config::Config;
use crate::desk::Desk;
use crate::store::customers::Identity;
use crate::store::{Store, StoreError};
use crate::telegram::webhook::Webhook;
use crate::telegram::{Telegram, TelegramError};
use crate::terminal::{Screen, TerminalError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("opening the database {db}")]
    Store {
        db: String,
        #[source]
        source: StoreError,
    },
    #[error("[{section}] listen = {address:?}: cannot listen there")]
    Listen {
        section: &'static str,
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("--listen {address}: cannot listen there")]
    WebhookListen {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Telegram(#[from] TelegramError),
    #[error(transparent)]
    Terminal(#[from] TerminalError),
}

/// The desk over its store, ready to run a channel.
pub struct App {
    desk: Desk,
}

impl App {
    /// Opens the store (applying its migrations) under a desk on `clock`.
    pub async fn open(db: &str, config: Arc<Config>, clock: Clock) -> Result<App, AppError> {
        let store =
            Store::open(db).await.map_err(|source| AppError::Store { db: crate::store::shown_url(db), source })?;
        Ok(App { desk: Desk::new(store, config).with_clock(clock) })
    }

    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// `aftersales serve`: the Telegram bot until a signal stops it, by long
    /// polling, or receiving updates on `webhook` when it is given.
    pub async fn serve(self, telegram: Telegram, webhook: Option<Webhook>) -> Result<(), AppError> {
        let desk = &self.desk;
        let listener = match &webhook {
            Some(hook) => Some(
                tokio::net::TcpListener::bind(hook.listen())
                    .await
                    .map_err(|source| AppError::WebhookListen { address: hook.listen().to_string(), source })?,
            ),
            None => None,
        };
        let served = self
            .run(async |background: &mut Background| {
                let config = desk.config();
                if config.agents.chat_id.is_none() {
                    tracing::warn!(
                        contact = %config.shop.contact,
                        "no agents' group is set ([agents] chat_id): customers who ask for a person are told how \
                         the shop will get back ([shop] contact), and their requests are recorded on their cases"
                    );
                }
                telegram.connect().await?;
                let (wake, shutdown) = (background.wake(), background.shutdown());
                // A new sender each time this instance takes the lead: it
                // starts from the store, as after a restart.
                let sender: Duty = {
                    let (telegram, desk, wake) = (telegram.clone(), desk.clone(), wake.clone());
                    Box::new(move |stop| Box::pin(telegram.sender(&desk).run(wake.clone(), stop)))
                };
                let downloader: Duty = {
                    let (telegram, desk) = (telegram.clone(), desk.clone());
                    Box::new(move |stop| Box::pin(telegram.downloader(&desk, stop)))
                };
                // Replies other instances queue wake this one's sender too.
                let heard: Duty = {
                    let (store, wake) = (desk.store().clone(), wake.clone());
                    Box::new(move |stop| Box::pin(crate::store::outbox::watch(store.clone(), wake.clone(), stop)))
                };
                background.lead(desk.store().clone(), vec![background.scheduler(desk), sender, heard, downloader]);
                // The health check's wait to hear from Telegram starts now.
                desk.metrics().polled();
                match (webhook, listener) {
                    (Some(hook), Some(listener)) => telegram.webhook(desk, wake, &hook, listener, shutdown).await,
                    _ => {
                        telegram.leave_webhook().await?;
                        telegram.poll(desk, &wake, shutdown).await;
                        Ok(())
                    }
                }
            })
            .await?;
        Ok(served?)
    }

    /// `aftersales chat`: the terminal channel until the end of `input` (or a signal).
    pub async fn chat<R, W>(self, identity: Identity, input: R, output: W, prompt: bool) -> Result<(), AppError>
    where
        R: AsyncBufRead + Unpin,
        W: Write,
    {
        let desk = &self.desk;
        let mut screen = Screen::new(output, prompt);
        let chatted = self
            .run(async |background: &mut Background| {
                background.lead(desk.store().clone(), vec![background.scheduler(desk)]);
                screen.converse(desk, &identity, input, &background.wake(), background.shutdown()).await
            })
            .await?;
        // What the background queued until it stopped is shown too.
        screen.show(desk).await?;
        Ok(chatted?)
    }

    /// Starts the background beside `channel`, and stops it when the channel
    /// returns: the sender after recording the calls in flight, so a reply
    /// Telegram already has is not sent again at the next start.
    async fn run<T>(&self, channel: impl AsyncFnOnce(&mut Background) -> T) -> Result<T, AppError> {
        let config = self.desk.config();
        // Bound before anything starts, so a taken port stops the start with a clear error.
        let listeners =
            Listeners { push: bind("push", &config.push.listen).await?, ops: bind("ops", &config.ops.listen).await? };
        let mut background = Background::start(&self.desk, listeners);
        let ran = channel(&mut background).await;
        background.stop().await;
        Ok(ran)
    }
}

/// A listener on `address` for the `section`'s endpoint, if it has one.
async fn bind(section: &'static str, address: &Option<String>) -> Result<Option<tokio::net::TcpListener>, AppError> {
    let Some(address) = address else { return Ok(None) };
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|source| AppError::Listen {
        section,
        address: address.clone(),
        source,
    })?;
    Ok(Some(listener))
}
