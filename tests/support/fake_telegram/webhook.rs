//! Webhooks: setWebhook / deleteWebhook / getWebhookInfo, and delivery.
//!
//! While a webhook is set, getUpdates answers 409 as Telegram does, and the
//! fake POSTs each pending update (its JSON, the secret in
//! `X-Telegram-Bot-Api-Secret-Token`) to the URL, in order, one at a time,
//! waiting for the answer. A non-2xx answer or a failed connection leaves
//! the update pending and it is delivered again after
//! [`FakeTelegram::set_webhook_retry`] (100 ms by default; Telegram waits
//! longer). Unlike Telegram, an `http://` URL is accepted for loopback.
//!
//! [`FakeTelegram::balance_webhook`] stands for a load balancer in front of
//! several instances: each POST (a redelivery too) goes to the next backend
//! in turn instead of the registered URL.

use super::*;

/// How long the fake waits for the bot's answer to one delivery.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);

/// The webhook as setWebhook left it.
#[derive(Clone, Debug)]
pub(super) struct Hook {
    pub(super) url: String,
    pub(super) secret: Option<String>,
    pub(super) max_connections: i64,
}

/// Delivery state: the hook, what happened, and what tests injected.
pub(super) struct Deliveries {
    pub(super) hook: Option<Hook>,
    pub(super) done: Vec<Delivery>,
    pub(super) retry: Duration,
    /// Sent instead of the hook's secret (a forger, or a misconfigured proxy).
    pub(super) forged_secret: Option<String>,
    /// So many 2xx answers are lost on the way back: redelivered.
    pub(super) lose_answers: usize,
    /// When and why the last delivery failed (getWebhookInfo's last_error_*).
    pub(super) last_error: Option<(i64, String)>,
    /// Backends taking the deliveries in turn, and whose turn it is.
    pub(super) balanced: Vec<String>,
    pub(super) turn: usize,
}

impl Default for Deliveries {
    fn default() -> Self {
        Deliveries {
            hook: None,
            done: Vec::new(),
            retry: Duration::from_millis(100),
            forged_secret: None,
            lose_answers: 0,
            last_error: None,
            balanced: Vec::new(),
            turn: 0,
        }
    }
}

impl State {
    pub(super) fn set_webhook(&mut self, req: &Req) -> ApiResult {
        let url = req.str("url").unwrap_or_default();
        if url.is_empty() {
            return self.delete_webhook(req);
        }
        let loopback = ["http://127.0.0.1:", "http://localhost:"].iter().any(|prefix| url.starts_with(prefix));
        if !url.starts_with("https://") && !loopback {
            return Err(ApiErr::bad("Bad Request: bad webhook: HTTPS url must be provided for webhook"));
        }
        let secret = req.str("secret_token");
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if let Some(secret) = &secret
            && (!(1..=256).contains(&secret.len()) || !secret.chars().all(allowed))
        {
            return Err(ApiErr::bad("Bad Request: secret token contains unallowed characters"));
        }
        let max_connections = req
            .i64("max_connections")
            .map_err(|_| ApiErr::bad("Bad Request: invalid max_connections specified"))?
            .unwrap_or(40);
        if !(1..=100).contains(&max_connections) {
            return Err(ApiErr::bad("Bad Request: max_connections must be between 1 and 100"));
        }
        if let Some(Value::Array(list)) = req.json("allowed_updates") {
            let list: Vec<String> = list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            self.allowed_updates = if list.is_empty() { None } else { Some(list) };
        }
        if req.bool("drop_pending_updates") {
            self.updates.clear();
        }
        self.webhooks.hook = Some(Hook { url, secret, max_connections });
        self.webhooks.last_error = None;
        // A long poll under way ends as Telegram ends it: with a conflict.
        self.poll_generation += 1;
        Ok(json!(true))
    }

    pub(super) fn delete_webhook(&mut self, req: &Req) -> ApiResult {
        if req.bool("drop_pending_updates") {
            self.updates.clear();
        }
        self.webhooks.hook = None;
        self.webhooks.last_error = None;
        Ok(json!(true))
    }

    pub(super) fn webhook_info(&self) -> ApiResult {
        let mut info = json!({"url": "", "has_custom_certificate": false, "pending_update_count": self.updates.len()});
        if let Some(hook) = &self.webhooks.hook {
            info["url"] = json!(hook.url);
            info["max_connections"] = json!(hook.max_connections);
            if let Some(allowed) = &self.allowed_updates {
                info["allowed_updates"] = json!(allowed);
            }
        }
        if let Some((date, message)) = &self.webhooks.last_error {
            info["last_error_date"] = json!(date);
            info["last_error_message"] = json!(message);
        }
        Ok(info)
    }

    /// The next delivery to make: the hook's URL, the secret to send, the
    /// oldest pending update.
    fn next_delivery(&mut self) -> Option<(String, Option<String>, i64, Value)> {
        let hook = self.webhooks.hook.clone()?;
        self.drop_disallowed();
        let (id, update) = self.updates.front()?.clone();
        let secret = self.webhooks.forged_secret.clone().or(hook.secret);
        let url = match self.webhooks.balanced.len() {
            0 => hook.url,
            backends => {
                self.webhooks.turn += 1;
                self.webhooks.balanced[self.webhooks.turn % backends].clone()
            }
        };
        Some((url, secret, id, update))
    }
}

impl Inner {
    /// Delivers pending updates to the webhook while one is set, for as
    /// long as the fake runs.
    pub(super) async fn deliver_to_webhook(self: Arc<Self>) {
        let client = reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build().expect("fake_telegram: client");
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let Some((url, secret, update_id, update)) = self.lock().next_delivery() else {
                changed.await;
                continue;
            };
            let at = self.started.elapsed();
            let mut request = client.post(&url).json(&update);
            if let Some(secret) = secret {
                request = request.header(SECRET_HEADER, secret);
            }
            let answer = request.send().await;
            let took = self.started.elapsed().saturating_sub(at);
            let status = answer.as_ref().ok().map(|answer| answer.status().as_u16());
            let delivered = {
                let mut st = self.lock();
                let ok = status.is_some_and(|status| (200..300).contains(&status));
                let lost = ok && st.webhooks.lose_answers > 0;
                if lost {
                    st.webhooks.lose_answers -= 1;
                }
                st.webhooks.done.push(Delivery { update_id, url, status, lost, at, took });
                if ok && !lost {
                    st.updates.retain(|(id, _)| *id != update_id);
                } else {
                    let why = match (&answer, lost) {
                        (_, true) => "Connection reset by peer".to_string(),
                        (Ok(answer), _) => format!("Wrong response from the webhook: {}", answer.status()),
                        (Err(_), _) => "Connection refused".to_string(),
                    };
                    st.webhooks.last_error = Some((unix_now(), why));
                }
                ok && !lost
            };
            self.changed.notify_waiters();
            if !delivered {
                let retry = self.lock().webhooks.retry;
                tokio::time::sleep(retry).await;
            }
        }
    }
}

impl FakeTelegram {
    /// The webhook's URL, while one is set.
    pub fn webhook_url(&self) -> Option<String> {
        self.lock().webhooks.hook.as_ref().map(|hook| hook.url.clone())
    }

    /// The secret token the bot registered with its webhook.
    pub fn webhook_secret(&self) -> Option<String> {
        self.lock().webhooks.hook.as_ref().and_then(|hook| hook.secret.clone())
    }

    /// Every delivery to the webhook so far, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().webhooks.done.clone()
    }

    /// The deliveries of one update.
    pub fn deliveries_of(&self, update_id: i64) -> Vec<Delivery> {
        self.deliveries().into_iter().filter(|delivery| delivery.update_id == update_id).collect()
    }

    /// The id of the newest update (what a user did last).
    pub fn last_update_id(&self) -> i64 {
        self.lock().next_update_id - 1
    }

    /// Delivers with this secret instead of the registered one (`None`: the right one again).
    pub fn forge_webhook_secret(&self, secret: Option<&str>) {
        self.lock().webhooks.forged_secret = secret.map(str::to_string);
        self.changed();
    }

    /// Treats the next `n` 2xx answers as lost (the connection broke after
    /// the bot answered): those updates are delivered again.
    pub fn lose_webhook_answers(&self, n: usize) {
        self.lock().webhooks.lose_answers += n;
    }

    /// Delivers to these backends in turn, as a load balancer in front of
    /// them would, instead of to the registered URL.
    pub fn balance_webhook(&self, backends: &[String]) {
        self.lock().webhooks.balanced = backends.to_vec();
        self.changed();
    }

    /// How long a failed delivery waits before the next try.
    pub fn set_webhook_retry(&self, retry: Duration) {
        self.lock().webhooks.retry = retry;
    }
}
