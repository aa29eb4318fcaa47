//! Telegram's webhook, the alternative to long polling
//! (`aftersales serve --webhook <url> --listen <address>`): the bot
//! registers the URL with `setWebhook`, and Telegram POSTs each update
//! there, one at a time (`max_connections` 1, so a chat's updates come in
//! order as polling reads them), waiting for the answer. A reverse proxy
//! terminates TLS and forwards the URL's path to `--listen`.
//!
//! Every request must carry the secret token in
//! `X-Telegram-Bot-Api-Secret-Token` (compared in constant time; wrong or
//! missing: 401, nothing read). An update then takes the polling path
//! (`receive`, one commit) and is answered 200 only after it committed, or
//! 500 when the store failed, so Telegram delivers it again; a redelivery
//! of a committed update is recognised by its update id. A body that is not
//! an update is answered 200 and logged: Telegram would otherwise repeat it
//! and hold back every update behind it.
//!
//! The secret is `AFTERSALES_WEBHOOK_SECRET` when set, otherwise derived
//! from the bot token (HMAC-SHA256 of a fixed label), so every instance of
//! one shop agrees without configuration. It is never logged.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use hmac::{Hmac, Mac};
use reqwest::Url;
use sha2::Sha256;
use teloxide::Bot;
use teloxide::RequestError;
use teloxide::payloads::{GetWebhookInfo, SetWebhook, SetWebhookSetters};
use teloxide::types::Update;
use tokio::sync::{Notify, watch};

use crate::desk::Desk;
use crate::telegram::{ALLOWED_UPDATES, api, receive};

/// The header Telegram sends the secret token in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// What the derived secret is the HMAC of, keyed by the bot token.
const DERIVED_LABEL: &[u8] = b"aftersales telegram webhook secret";
/// The key `Check` compares under; any fixed key does.
const CHECK_KEY: &[u8] = b"aftersales webhook secret check";

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("--webhook {url:?} is not an http(s) URL")]
    Url { url: String },
    #[error("--listen {address:?} is not an address such as 0.0.0.0:8443")]
    Listen { address: String },
    #[error("AFTERSALES_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")]
    Secret,
}

/// Where Telegram delivers, where the bot listens, and the secret token.
#[derive(Debug)]
pub struct Webhook {
    url: Url,
    listen: SocketAddr,
    secret: Secret,
}

impl Webhook {
    /// `url` as Telegram will POST to it, `listen` as the socket to bind;
    /// the `given` secret, or one derived from `token`.
    pub fn new(url: &str, listen: &str, given: Option<String>, token: &str) -> Result<Webhook, WebhookError> {
        let parsed = Url::parse(url).ok().filter(|parsed| matches!(parsed.scheme(), "https" | "http"));
        let url = parsed.ok_or_else(|| WebhookError::Url { url: url.to_owned() })?;
        let listen = listen.parse().map_err(|_| WebhookError::Listen { address: listen.to_owned() })?;
        let secret = match given {
            Some(text) => Secret::given(text)?,
            None => Secret::derived(token),
        };
        Ok(Webhook { url, listen, secret })
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn listen(&self) -> SocketAddr {
        self.listen
    }
}

/// The secret token; its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// Telegram's rule for a secret token.
    fn given(text: String) -> Result<Secret, WebhookError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        match (1..=256).contains(&text.len()) && text.chars().all(allowed) {
            true => Ok(Secret(text)),
            false => Err(WebhookError::Secret),
        }
    }

    /// The lowercase hex HMAC-SHA256 of a fixed label under the bot token.
    fn derived(token: &str) -> Secret {
        let digest = mac(token.as_bytes()).chain_update(DERIVED_LABEL).finalize().into_bytes();
        Secret(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// What `matches` compares against.
    fn check(&self) -> Check {
        Check { tag: mac(CHECK_KEY).chain_update(self.0.as_bytes()).finalize().into_bytes().to_vec() }
    }
}

/// Recognises the secret without comparing it byte by byte: the given
/// header's HMAC must be the secret's, and hmac compares the two in
/// constant time, so the time taken tells nothing of the secret (not even
/// its length). The header is the message, not the key, since keys that
/// differ by trailing zero bytes are one HMAC key.
#[derive(Clone)]
struct Check {
    tag: Vec<u8>,
}

impl Check {
    fn matches(&self, given: &[u8]) -> bool {
        mac(CHECK_KEY).chain_update(given).verify_slice(&self.tag).is_ok()
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this never fails.
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// setWebhook: the URL, the secret, the updates polling asks for, one
/// connection at a time, and the updates already waiting kept.
pub(super) async fn register(bot: &Bot, hook: &Webhook) -> Result<(), RequestError> {
    let request = SetWebhook::new(hook.url.clone())
        .secret_token(hook.secret.0.clone())
        .allowed_updates(ALLOWED_UPDATES)
        .max_connections(1)
        .drop_pending_updates(false);
    api::call(bot, &request).await?;
    tracing::info!(url = %hook.url, "webhook registered with telegram");
    Ok(())
}

/// Keeps `/health` true to the webhook while no customer writes: every
/// `[telegram] poll_timeout` asks Telegram (getWebhookInfo) whether it
/// still has this URL and can deliver to it (no error since the last
/// delivery, or nothing waiting), which counts as hearing from Telegram.
/// A delivery error Telegram reports is logged once.
pub(super) async fn watch(bot: &Bot, desk: &Desk, url: &Url, mut shutdown: watch::Receiver<bool>) {
    let every = desk.config().telegram.poll_timeout.0;
    let mut reported = None;
    while !*shutdown.borrow() {
        match api::call(bot, &GetWebhookInfo::new()).await {
            Ok(info) if info.url.as_ref() != Some(url) => {
                tracing::warn!(set = ?info.url.map(String::from), "telegram delivers to another webhook, or none");
            }
            Ok(info) if info.pending_update_count > 0 && info.last_error_date.is_some() => {
                if reported != info.last_error_date {
                    let (error, waiting) = (info.last_error_message, info.pending_update_count);
                    tracing::warn!(?error, waiting, "telegram cannot deliver to the webhook");
                    reported = info.last_error_date;
                }
            }
            Ok(_) => desk.metrics().polled(),
            Err(error) => tracing::warn!(%error, "getWebhookInfo failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// The receiving end: what a request needs to become a committed update.
#[derive(Clone)]
pub(super) struct Endpoint {
    bot: Bot,
    desk: Desk,
    wake: Arc<Notify>,
    path: Arc<str>,
    check: Check,
}

impl Endpoint {
    pub(super) fn new(bot: Bot, desk: Desk, wake: Arc<Notify>, hook: &Webhook) -> Endpoint {
        Endpoint { bot, desk, wake, path: hook.url.path().into(), check: hook.secret.check() }
    }

    /// Answers Telegram on `listener` until `shutdown` turns true, then
    /// finishes the request in flight.
    pub(super) async fn serve(
        self,
        listener: tokio::net::TcpListener,
        mut shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        let address = listener.local_addr()?;
        let path = self.path.clone();
        // One handler for every path: the URL's path is compared as text, so
        // no path a shop chooses can be read as a route pattern.
        let router = Router::new().fallback(deliver).with_state(self);
        tracing::info!(%address, %path, "webhook endpoint listening");
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await?;
        tracing::info!(%address, "webhook endpoint stopped");
        Ok(())
    }
}

async fn deliver(
    State(endpoint): State<Endpoint>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if uri.path() != &*endpoint.path {
        return StatusCode::NOT_FOUND;
    }
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let given = headers.get(SECRET_HEADER).map(|value| value.as_bytes());
    if !given.is_some_and(|given| endpoint.check.matches(given)) {
        tracing::warn!(header = given.is_some(), "a webhook request without the right secret token; refused");
        return StatusCode::UNAUTHORIZED;
    }
    // Telegram reached us: the channel is alive, whatever the update holds.
    endpoint.desk.metrics().polled();
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(error) => {
            tracing::warn!(%error, bytes = body.len(), "a webhook body that is not an update; skipped");
            return StatusCode::OK;
        }
    };
    let Some(received) = receive(&endpoint.bot, &endpoint.desk, &update).await else { return StatusCode::OK };
    match received.commit(&endpoint.desk).await {
        Ok(()) => {
            received.committed(&endpoint.desk, &endpoint.wake);
            StatusCode::OK
        }
        Err(error) => {
            tracing::error!(%error, update_id = update.id.0, "could not commit update; telegram delivers it again");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:TEST-TOKEN";

    fn hook(given: Option<&str>) -> Result<Webhook, WebhookError> {
        Webhook::new("https://bot.example.com/telegram", "0.0.0.0:8443", given.map(str::to_owned), TOKEN)
    }

    #[test]
    fn a_given_secret_follows_telegrams_rule() {
        assert!(hook(Some("s3cret_token-1")).is_ok());
        assert!(hook(Some(&"a".repeat(256))).is_ok());
        for wrong in ["", "with space", "ünïcode", "semi;colon", &"a".repeat(257)] {
            assert!(matches!(hook(Some(wrong)), Err(WebhookError::Secret)), "{wrong:?} accepted");
        }
    }

    #[test]
    fn the_derived_secret_is_the_same_for_one_token_and_a_valid_token() {
        let derived = Secret::derived(TOKEN);
        assert_eq!(derived, Secret::derived(TOKEN), "two instances of one shop agree");
        assert_ne!(derived, Secret::derived("654321:OTHER"));
        assert!(Secret::given(derived.0.clone()).is_ok(), "Telegram accepts it");
        assert_eq!(derived.0.len(), 64);
    }

    #[test]
    fn only_the_secret_matches_and_it_is_never_shown() {
        let secret = Secret::given("s3cret".to_owned()).expect("valid");
        let check = secret.check();
        assert!(check.matches(b"s3cret"));
        for wrong in [&b""[..], b"s3cre", b"s3cret ", b"S3CRET", b"s3cret\0"] {
            assert!(!check.matches(wrong), "{wrong:?} matched");
        }
        let shown = format!("{:?}", hook(Some("s3cret")).expect("valid"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn the_url_and_the_address_are_checked() {
        let new = |url: &str, listen: &str| Webhook::new(url, listen, None, TOKEN);
        assert!(matches!(new("bot.example.com/telegram", "0.0.0.0:8443"), Err(WebhookError::Url { .. })));
        assert!(matches!(new("ftp://bot.example.com/", "0.0.0.0:8443"), Err(WebhookError::Url { .. })));
        assert!(matches!(new("https://bot.example.com/telegram", "8443"), Err(WebhookError::Listen { .. })));
        let hook = new("https://bot.example.com/telegram", "127.0.0.1:8443").expect("valid");
        assert_eq!(hook.url().path(), "/telegram");
    }
}
