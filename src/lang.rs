//! The two languages customers and agents are spoken to in.

use serde::{Deserialize, Serialize};

/// Chinese (zh-CN) or English; both are first class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language for a new customer: English when their client says so.
    pub fn from_client(language_code: Option<&str>, default: Lang) -> Lang {
        match language_code {
            Some(code) if code.to_ascii_lowercase().starts_with("en") => Lang::En,
            Some(code) if code.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            _ => default,
        }
    }
}
