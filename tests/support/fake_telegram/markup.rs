//! Checks on what a message shows: its plain text and its reply markup.

use super::*;

/// The text Telegram would show for `raw` (trimmed, as Telegram trims).
/// The bot sends plain text only, so the fake models no formatting and
/// refuses any `parse_mode` rather than showing markup it did not parse.
pub(super) fn plain_text(raw: &str, parse_mode: Option<&str>) -> Result<String, ApiErr> {
    match parse_mode {
        None | Some("") => Ok(raw.trim().to_string()),
        Some(mode) => Err(ApiErr::bad(format!(
            "Bad Request: unsupported parse_mode {mode:?} (the fake models plain text only, as the bot sends)"
        ))),
    }
}

pub(super) enum Markup {
    Inline { rows: Vec<Vec<Button>>, json: Value },
    Reply { rows: Vec<Vec<Button>>, json: Value },
    Other(Value),
}

impl Markup {
    fn inline_json(&self) -> Option<Value> {
        match self {
            Markup::Inline { json, .. } => Some(json.clone()),
            _ => None,
        }
    }
}

pub(super) const INLINE_ACTIONS: &[&str] = &[
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

fn markup_error() -> ApiErr {
    ApiErr::bad("Bad Request: can't parse reply keyboard markup JSON object")
}

pub(super) fn parse_markup(value: Option<Value>) -> Result<Option<Markup>, ApiErr> {
    let Some(value) = value else { return Ok(None) };
    let Value::Object(obj) = &value else { return Err(markup_error()) };
    if let Some(kb) = obj.get("inline_keyboard") {
        let rows = kb.as_array().ok_or_else(|| {
            ApiErr::bad("Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
        })?;
        let mut out_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(|| {
                ApiErr::bad(
                    "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays",
                )
            })?;
            let mut out_row = Vec::new();
            for button in row {
                let button = button.as_object().ok_or_else(|| {
                    ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object",
                    )
                })?;
                let text = button.get("text").and_then(Value::as_str).ok_or_else(|| {
                    ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String",
                    )
                })?;
                let actions: Vec<&&str> = INLINE_ACTIONS.iter().filter(|a| button.contains_key(**a)).collect();
                if actions.is_empty() {
                    return Err(ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    ));
                }
                if actions.len() > 1 {
                    return Err(ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used",
                    ));
                }
                let callback_data = match button.get("callback_data") {
                    Some(Value::String(d)) => {
                        if d.is_empty() || d.len() > 64 {
                            return Err(ApiErr::bad("Bad Request: BUTTON_DATA_INVALID"));
                        }
                        Some(d.clone())
                    }
                    Some(_) => return Err(ApiErr::bad("Bad Request: BUTTON_DATA_INVALID")),
                    None => None,
                };
                let url = match button.get("url") {
                    Some(Value::String(u)) => {
                        let ok = ["http://", "https://", "tg://"].iter().any(|p| u.starts_with(p)) && u.len() > 8;
                        if !ok {
                            return Err(ApiErr::bad("Bad Request: BUTTON_URL_INVALID"));
                        }
                        Some(u.clone())
                    }
                    Some(_) => return Err(ApiErr::bad("Bad Request: BUTTON_URL_INVALID")),
                    None => None,
                };
                if text.is_empty() {
                    return Err(ApiErr::bad("Bad Request: BUTTON_TEXT_INVALID"));
                }
                out_row.push(Button { text: text.to_string(), callback_data, url, request_contact: false });
            }
            out_rows.push(out_row);
        }
        return Ok(Some(Markup::Inline { rows: out_rows, json: json!({ "inline_keyboard": kb }) }));
    }
    if let Some(kb) = obj.get("keyboard") {
        let rows = kb.as_array().ok_or_else(markup_error)?;
        let mut out_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(markup_error)?;
            let mut out_row = Vec::new();
            for button in row {
                let (text, request_contact) = match button {
                    Value::String(t) => (t.clone(), false),
                    Value::Object(o) => (
                        o.get("text")
                            .and_then(Value::as_str)
                            .ok_or_else(|| {
                                ApiErr::bad(
                                    "Bad Request: can't parse keyboard button: Field \"text\" must be of type String",
                                )
                            })?
                            .to_string(),
                        o.get("request_contact").and_then(Value::as_bool).unwrap_or(false),
                    ),
                    _ => return Err(markup_error()),
                };
                if text.is_empty() {
                    return Err(ApiErr::bad("Bad Request: keyboard button text must be non-empty"));
                }
                out_row.push(Button { text, callback_data: None, url: None, request_contact });
            }
            out_rows.push(out_row);
        }
        return Ok(Some(Markup::Reply { rows: out_rows, json: value.clone() }));
    }
    if obj.get("remove_keyboard").and_then(Value::as_bool) == Some(true)
        || obj.get("force_reply").and_then(Value::as_bool) == Some(true)
    {
        return Ok(Some(Markup::Other(value.clone())));
    }
    Err(markup_error())
}
