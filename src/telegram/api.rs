//! Bot API calls made here instead of through teloxide's request futures,
//! because teloxide-core sleeps 10 s after every 5xx answer before it
//! returns the error (a fixed delay in its request code, not configurable):
//! a short Telegram hiccup then kept every customer waiting for minutes.
//!
//! Everything else stays teloxide's: the payload and result types, the
//! bot's HTTP client (its timeouts and proxy), its API URL and token, and
//! `RequestError`, built the same way from the same answers, so
//! `sender::failure::classify` reads our errors as it read teloxide's. An
//! answer is returned as soon as it arrives, a 5xx included.
//!
//! JSON only: the photos and videos the bot sends are Telegram file ids,
//! which the Bot API takes in a JSON body as it does in a multipart form. A
//! document may be an upload of a file the bot wrote, so the sender leaves
//! documents to teloxide's multipart request.

use std::sync::Arc;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::requests::Payload;
use teloxide::types::{False, ResponseParameters, True};
use teloxide::{ApiError, Bot, RequestError};

/// Calls the Bot API method of `payload` and reads its answer.
pub async fn call<P>(bot: &Bot, payload: &P) -> Result<P::Output, RequestError>
where
    P: Payload + Serialize,
    P::Output: DeserializeOwned,
{
    let body = serde_json::to_vec(payload).map_err(|error| RequestError::Io(Arc::new(std::io::Error::other(error))))?;
    let response = bot
        .client()
        .post(method_url(bot.api_url(), bot.token(), P::NAME))
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(body)
        .send()
        .await?;
    read(response.text().await?)
}

/// `<api url>/bot<token>/<method>`, as teloxide builds it.
fn method_url(mut url: reqwest::Url, token: &str, method: &str) -> reqwest::Url {
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(&format!("bot{token}")).push(method);
    }
    url
}

/// The Bot API's answer, in the shape teloxide-core reads it.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Answer<R> {
    Ok {
        #[serde(rename = "ok")]
        _ok: True,
        result: R,
    },
    Err {
        #[serde(rename = "ok")]
        _ok: False,
        description: ApiError,
        parameters: Option<ResponseParameters>,
    },
}

/// An answer's text as a result or teloxide's error for it: a 429 as
/// `RetryAfter`, a migrated group as `MigrateToChatId`, any other refusal as
/// `Api`, and what is not a Bot API answer (a proxy's HTML error page) as
/// `InvalidJson` with the text.
fn read<R: DeserializeOwned>(text: String) -> Result<R, RequestError> {
    match serde_json::from_str::<Answer<R>>(&text) {
        Ok(Answer::Ok { result, .. }) => Ok(result),
        Ok(Answer::Err { parameters: Some(ResponseParameters::RetryAfter(wait)), .. }) => {
            Err(RequestError::RetryAfter(wait))
        }
        Ok(Answer::Err { parameters: Some(ResponseParameters::MigrateToChatId(chat)), .. }) => {
            Err(RequestError::MigrateToChatId(chat))
        }
        Ok(Answer::Err { description, .. }) => Err(RequestError::Api(description)),
        Err(source) => Err(RequestError::InvalidJson { source: Arc::new(source), raw: text.into() }),
    }
}

#[cfg(test)]
mod tests {
    use teloxide::types::{ChatId, Message, Seconds};

    use super::*;

    #[test]
    fn urls_are_teloxides() {
        let url = |base: &str| method_url(base.parse().expect("url"), "1:AB", "sendMessage").to_string();
        assert_eq!(url("https://api.telegram.org"), "https://api.telegram.org/bot1:AB/sendMessage");
        assert_eq!(url("http://127.0.0.1:8081/"), "http://127.0.0.1:8081/bot1:AB/sendMessage");
        assert_eq!(url("http://proxy/telegram/"), "http://proxy/telegram/bot1:AB/sendMessage");
    }

    #[test]
    fn answers_read_as_teloxide_reads_them() {
        let flag = |text: &str| read::<bool>(text.to_owned());
        assert!(matches!(flag(r#"{"ok":true,"result":true}"#), Ok(true)));
        assert!(matches!(
            flag(r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#),
            Err(RequestError::Api(ApiError::BotBlocked))
        ));
        assert!(matches!(
            flag(r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#),
            Err(RequestError::Api(ApiError::Unknown(description))) if description == "Internal Server Error"
        ));
        assert!(matches!(
            flag(r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#),
            Err(RequestError::RetryAfter(wait)) if wait == Seconds::from_seconds(7)
        ));
        assert!(matches!(
            flag(
                r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001}}"#
            ),
            Err(RequestError::MigrateToChatId(ChatId(-1001)))
        ));
        let page = "<html><head><title>502 Bad Gateway</title></head></html>";
        assert!(matches!(flag(page), Err(RequestError::InvalidJson { raw, .. }) if &*raw == page));
        // A result of another shape keeps the text, for `failure::delivered`.
        let odd = r#"{"ok":true,"result":{"message_id":"nine"}}"#;
        assert!(matches!(read::<Message>(odd.to_owned()), Err(RequestError::InvalidJson { raw, .. }) if &*raw == odd));
    }
}
