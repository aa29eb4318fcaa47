//! The shop's settings, read from a TOML file over built-in defaults. Every
//! number a shop may want to change lives here; `aftersales.example.toml`
//! documents each one. A config that does not parse names the key and why,
//! and the bot refuses to start with it.

use std::path::Path;
use std::time::Duration;

use chrono_tz::Tz;
use regex::Regex;
use serde::Deserialize;

use crate::calendar::Calendar;
use crate::catalogue::Lang;
use crate::money::Currency;
use crate::policy::PolicyRules;
use crate::retention::Script;
use crate::{agents, followup, push, refunds, tracker};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid config {path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub shop: Shop,
    pub intake: Intake,
    pub policy: PolicyRules,
    pub calendar: Calendar,
    pub retention: Script,
    pub agents: agents::Settings,
    pub followup: followup::Settings,
    pub tracker: tracker::Settings,
    pub push: push::Settings,
    pub refunds: refunds::Settings,
    pub telegram: TelegramSettings,
    pub media: MediaSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Shop {
    /// Shown in the greeting; empty means "the shop" in the customer's language.
    pub name: String,
    /// Deadlines and working days are counted in this zone.
    pub timezone: TimeZone,
    /// The language of customers whose Telegram client does not say English.
    pub default_language: Lang,
    /// The currency of retention offers and amounts typed into the config.
    pub currency: Currency,
    /// How the shop gets back to a customer who asks for a person when
    /// there is no agents' group (hours, phone, e-mail); empty: "here in the chat".
    pub contact: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Intake {
    /// What an order number looks like; the whole input must match.
    pub order_number_pattern: Pattern,
    /// Unknown order numbers before a person is offered.
    pub order_number_misses: u8,
    /// Wrong phone digits before the order is locked for this chat.
    pub proof_attempts: u8,
    pub proof_lock: Span,
    /// Wrong answers about one order from all chats together within
    /// `proof_window` that leave it open only to a shared phone number or a
    /// person (one person with many accounts gets no more tries), and alert
    /// the agents' group.
    pub proof_order_limit: u32,
    pub proof_window: Span,
    /// Longer free texts are refused politely (Telegram allows 4096).
    pub max_text_chars: usize,
    /// Photos of one album arrive as separate updates; the reply waits this
    /// long after the last one so that the album gets one answer.
    pub album_quiet: Span,
    /// Orders offered as buttons after the customer shares their phone.
    pub recent_orders: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramSettings {
    /// Long-poll timeout; must stay below teloxide's 17 s client timeout.
    pub poll_timeout: Span,
    /// Telegram's limits, kept by the sender.
    pub per_chat_gap: Span,
    pub group_per_minute: u32,
    pub global_per_second: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaSettings {
    /// Evidence copies are stored here, named by content hash.
    pub dir: String,
    /// Larger files keep only their Telegram file id.
    pub max_bytes: u64,
}

impl Default for Shop {
    fn default() -> Self {
        Shop {
            name: String::new(),
            timezone: TimeZone(chrono_tz::Asia::Shanghai),
            default_language: Lang::Zh,
            currency: Currency::CNY,
            contact: String::new(),
        }
    }
}

impl Default for Intake {
    fn default() -> Self {
        Intake {
            order_number_pattern: Pattern::default(),
            order_number_misses: 3,
            proof_attempts: 3,
            proof_lock: Span(Duration::from_secs(3600)),
            proof_order_limit: 10,
            proof_window: Span(Duration::from_secs(24 * 3600)),
            max_text_chars: 1000,
            album_quiet: Span(Duration::from_millis(1500)),
            recent_orders: 5,
        }
    }
}

impl Default for TelegramSettings {
    fn default() -> Self {
        TelegramSettings {
            poll_timeout: Span(Duration::from_secs(10)),
            per_chat_gap: Span(Duration::from_secs(1)),
            group_per_minute: 20,
            global_per_second: 30,
        }
    }
}

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings { dir: "media".into(), max_bytes: 20 * 1024 * 1024 }
    }
}

impl Config {
    /// The built-in defaults, or the file over them.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else { return Ok(Config::default()) };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        Config::parse(&text).map_err(|message| ConfigError::Invalid { path: shown, message })
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|error| error.to_string())?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let intake = &self.intake;
        let rules: [(bool, &str); 6] = [
            (!self.shop.currency.is_iso4217(), "shop.currency: must be an ISO 4217 code such as CNY, USD or EUR"),
            (intake.order_number_misses == 0, "intake.order_number_misses: must be at least 1"),
            (intake.proof_attempts == 0, "intake.proof_attempts: must be at least 1"),
            (intake.proof_order_limit == 0, "intake.proof_order_limit: must be at least 1"),
            (!(1..=4000).contains(&intake.max_text_chars), "intake.max_text_chars: must be 1 to 4000"),
            (self.telegram.poll_timeout.0 >= Duration::from_secs(17), "telegram.poll_timeout: must be below 17s"),
        ];
        let mut problems: Vec<String> =
            rules.into_iter().filter(|(broken, _)| *broken).map(|(_, message)| message.to_owned()).collect();
        problems.extend(self.policy.problems());
        problems.extend(self.retention.problems());
        problems.extend(self.agents.problems(self.shop.currency));
        problems.extend(self.followup.problems());
        problems.extend(self.tracker.problems());
        problems.extend(self.push.problems());
        problems.extend(self.refunds.problems());
        match problems.is_empty() {
            true => Ok(()),
            false => Err(problems.join("; ")),
        }
    }
}

/// A regular expression from the config.
#[derive(Clone, Debug)]
pub struct Pattern(pub Regex);

impl Default for Pattern {
    fn default() -> Self {
        // A literal that is known to compile.
        Pattern(Regex::new("[A-Za-z0-9-]{6,32}").unwrap_or_else(|_| unreachable!()))
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Regex::new(&text).map(Pattern).map_err(serde::de::Error::custom)
    }
}

/// The shop's time zone, by IANA name ("Asia/Shanghai").
#[derive(Clone, Copy, Debug)]
pub struct TimeZone(pub Tz);

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<Tz>().map(TimeZone).map_err(|_| {
            serde::de::Error::custom(format!("unknown time zone {text:?}, expected a name like Asia/Shanghai"))
        })
    }
}

/// A duration written as in `"90s"`, `"48h"`, `"3d"`, `"1h30m"`, `"500ms"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span(pub Duration);

impl Span {
    pub fn parse(text: &str) -> Result<Span, String> {
        let bad = || format!("{text:?} is not a duration such as \"90s\", \"48h\" or \"3d\"");
        let mut total = Duration::ZERO;
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            let (number, tail) = rest.split_at(digits);
            let number: u64 = number.parse().map_err(|_| bad())?;
            let unit_len = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            let unit = match unit {
                "ms" => Duration::from_millis(1),
                "s" => Duration::from_secs(1),
                "m" | "min" => Duration::from_secs(60),
                "h" => Duration::from_secs(3600),
                "d" => Duration::from_secs(86_400),
                _ => return Err(bad()),
            };
            let part = unit.checked_mul(u32::try_from(number).map_err(|_| bad())?).ok_or_else(bad)?;
            total = total.checked_add(part).ok_or_else(bad)?;
            rest = tail;
        }
        Ok(Span(total))
    }

    pub fn chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_units() {
        let table = [("90s", 90), ("48h", 48 * 3600), ("3d", 3 * 86_400), ("1h30m", 5400), ("2min", 120)];
        for (text, secs) in table {
            assert_eq!(Span::parse(text), Ok(Span(Duration::from_secs(secs))), "{text}");
        }
        assert_eq!(Span::parse("500ms"), Ok(Span(Duration::from_millis(500))));
        for text in ["", "90", "h", "3 days", "-1s", "1.5h"] {
            assert!(Span::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = Config::parse("").expect("defaults");
        assert_eq!(config.policy.no_reason_return_days, 7);
        assert_eq!(config.shop.timezone.0, chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn the_example_file_parses_and_matches_the_defaults() {
        let example = Config::parse(include_str!("../aftersales.example.toml")).expect("example config");
        let defaults = Config::default();
        assert_eq!(example.policy, defaults.policy);
        assert_eq!(example.calendar, defaults.calendar);
        assert_eq!(example.retention, defaults.retention);
        assert_eq!(example.agents, defaults.agents);
        assert_eq!(example.followup, defaults.followup);
        assert_eq!(example.tracker.poll_every, defaults.tracker.poll_every);
        assert_eq!(example.tracker.fields, defaults.tracker.fields);
        assert_eq!(example.refunds.mode, defaults.refunds.mode);
        assert_eq!(example.push.max_body, defaults.push.max_body);
        assert_eq!(example.intake.album_quiet, defaults.intake.album_quiet);
        assert_eq!(example.intake.proof_window, defaults.intake.proof_window);
        assert_eq!(example.intake.proof_order_limit, defaults.intake.proof_order_limit);
        assert_eq!(example.media.max_bytes, defaults.media.max_bytes);
        assert_eq!(example.intake.order_number_pattern.0.as_str(), defaults.intake.order_number_pattern.0.as_str());
    }

    #[test]
    fn a_bad_setting_is_named() {
        let unknown = Config::parse("[policy]\nreturn_days = 7\n").err().unwrap_or_default();
        assert!(unknown.contains("return_days"), "{unknown}");
        let zone = Config::parse("[shop]\ntimezone = \"Mars/Base\"\n").err().unwrap_or_default();
        assert!(zone.contains("Mars/Base"), "{zone}");
        let poll = Config::parse("[telegram]\npoll_timeout = \"20s\"\n").err().unwrap_or_default();
        assert!(poll.contains("telegram.poll_timeout"), "{poll}");
    }
}
