//! The shop's settings, read from a TOML file over built-in defaults. Every
//! number a shop may want to change lives here; `aftersales.example.toml`
//! documents each one. A config that does not parse names the key and why,
//! and the bot refuses to start with it.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::calendar::Calendar;
use crate::conversation::{Intake, Setup};
use crate::policy::{Policy, PolicyRules};
use crate::retention::Script;
use crate::setting::Span;
use crate::shop::Shop;
use crate::{agents, followup, ops, push, records, refunds, report, tracker};

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
    pub ops: ops::Settings,
    pub refunds: refunds::Settings,
    pub telegram: TelegramSettings,
    pub media: MediaSettings,
    pub records: records::Settings,
    pub reports: report::Settings,
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

    /// A short content hash of everything that decides or offers: the policy,
    /// the calendar, the retention script, the shop's zone and currency. Stored
    /// with every decision, so a later change of rules never rewrites history.
    pub fn rules_version(&self) -> String {
        let rules = serde_json::json!({
            "policy": self.policy,
            "calendar": self.calendar,
            "retention": self.retention,
            "timezone": self.shop.timezone.0.name(),
            "currency": self.shop.currency,
        });
        let digest = Sha256::digest(rules.to_string().as_bytes());
        digest.iter().take(6).map(|byte| format!("{byte:02x}")).collect()
    }

    /// What a conversation reads of the settings, with the rules' version
    /// computed once by the caller.
    pub fn setup<'a>(&'a self, rules_version: &'a str) -> Setup<'a> {
        Setup {
            shop: &self.shop,
            intake: &self.intake,
            policy: &self.policy,
            calendar: &self.calendar,
            retention: &self.retention,
            agents: &self.agents,
            rules_version,
        }
    }

    /// What a report is built under.
    pub fn report_setup(&self) -> report::Setup<'_> {
        report::Setup {
            zone: self.shop.timezone.0,
            currency: self.shop.currency,
            calendar: &self.calendar,
            settings: &self.reports,
        }
    }

    /// The policy in force, under its version.
    pub fn policy(&self) -> Policy<'_> {
        Policy::new(&self.policy, &self.calendar, self.shop.timezone.0, &self.rules_version())
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
        problems.extend(self.ops.problems(self.telegram.poll_timeout.0));
        problems.extend(self.refunds.problems());
        problems.extend(self.records.problems());
        problems.extend(self.reports.problems());
        match problems.is_empty() {
            true => Ok(()),
            false => Err(problems.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::tests::decide_the_usual_ask;

    #[test]
    fn every_decision_carries_the_version_of_its_rules() {
        let mut config = Config::default();
        let before = decide_the_usual_ask(&config.policy());
        assert_eq!(before.rules_version, config.rules_version());
        assert_eq!(before.rules_version.len(), 12);
        config.policy.exchange_days = 30;
        let after = decide_the_usual_ask(&config.policy());
        assert_ne!(before.rules_version, after.rules_version, "a rule change is a new version");
        assert_eq!((before.verdict, before.rule), (after.verdict, after.rule));
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
        assert_eq!(
            (example.ops.poll_stale, example.ops.outbox_stuck),
            (defaults.ops.poll_stale, defaults.ops.outbox_stuck)
        );
        assert_eq!(example.intake.album_quiet, defaults.intake.album_quiet);
        assert_eq!(example.intake.proof_window, defaults.intake.proof_window);
        assert_eq!(example.intake.proof_order_limit, defaults.intake.proof_order_limit);
        assert_eq!(example.media.max_bytes, defaults.media.max_bytes);
        assert_eq!(example.records, defaults.records);
        assert_eq!(example.reports, defaults.reports);
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
        let ratings = Config::parse("[reports]\nmin_ratings = 0\n").err().unwrap_or_default();
        assert!(ratings.contains("reports.min_ratings: must be at least 1"), "{ratings}");
        let keep = Config::parse("[records]\nkeep = \"2y\"\n").err().unwrap_or_default();
        assert!(keep.contains("records.keep: must be at least \"3y\""), "{keep}");
        assert!(Config::parse("[records]\nkeep = \"1095d\"\n").is_err(), "years, not days");
    }
}
