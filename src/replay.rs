//! `aftersales policy replay`: how stored cases would have been decided
//! under draft rules. Each case is decided again at the moment it was
//! opened, with the line's history as it was then, and compared with what
//! was stored. Pure: the stored request, its order, the history and the draft
//! policy are parameters, and nothing stored is rewritten.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::case::CaseId;
use crate::money::Money;
use crate::order::{Order, OrderNo};
use crate::policy::{Decision, LineHistory, Outcome, Policy, Request, Verdict, decide};
use crate::reason::Reason;

/// A stored case's request and decision, as read back from the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: CaseId,
    pub order_no: OrderNo,
    pub sku: String,
    pub quantity: u32,
    pub reason: Reason,
    pub outcome: Outcome,
    /// Evidence files stored with the case.
    pub photos: usize,
    pub resale_intact: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub decision: StoredDecision,
}

/// The parts of a stored decision that replay compares. Decisions stored by
/// older versions may lack fields or use rule names since renamed, so each
/// part is read on its own and codes stay text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StoredDecision {
    /// Empty when the stored decision has none.
    pub verdict: String,
    /// Empty when the stored decision has none.
    pub rule: String,
    pub deadline: Option<DateTime<Utc>>,
    pub refund_cap: Option<Money>,
    /// Empty when the case predates versioned rules.
    pub rules_version: String,
}

impl StoredDecision {
    /// Picks the compared parts out of a stored decision's JSON; `column_version`
    /// is the case's `rules_version` column, used when it is set.
    pub fn from_json(decision: &serde_json::Value, column_version: &str) -> StoredDecision {
        let text = |key: &str| decision.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        let rules_version = match column_version {
            "" => text("rules_version"),
            version => version.to_owned(),
        };
        StoredDecision {
            verdict: text("verdict"),
            rule: text("rule"),
            deadline: field(decision, "deadline"),
            refund_cap: field(decision, "refund_cap"),
            rules_version,
        }
    }
}

impl From<&Decision> for StoredDecision {
    fn from(decision: &Decision) -> StoredDecision {
        StoredDecision {
            verdict: verdict_code(decision.verdict),
            rule: decision.rule.code(),
            deadline: decision.deadline,
            refund_cap: Some(decision.refund_cap),
            rules_version: decision.rules_version.clone(),
        }
    }
}

/// What a decision came to, as replay compares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub verdict: String,
    pub rule: String,
    pub deadline: Option<DateTime<Utc>>,
}

impl From<&StoredDecision> for Judgement {
    fn from(stored: &StoredDecision) -> Judgement {
        Judgement { verdict: stored.verdict.clone(), rule: stored.rule.clone(), deadline: stored.deadline }
    }
}

impl From<&Decision> for Judgement {
    fn from(decision: &Decision) -> Judgement {
        Judgement { verdict: verdict_code(decision.verdict), rule: decision.rule.code(), deadline: decision.deadline }
    }
}

/// A case the draft rules would decide differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub case: CaseId,
    pub before: Judgement,
    pub after: Judgement,
}

impl Change {
    /// "AS-1003  approved/no_reason_return → not_eligible/no_reason_window_passed",
    /// with the deadlines (shop time) when they differ.
    pub fn line(&self, zone: Tz) -> String {
        let label = |judgement: &Judgement| {
            let part = |text: &str| if text.is_empty() { "?".to_owned() } else { text.to_owned() };
            format!("{}/{}", part(&judgement.verdict), part(&judgement.rule))
        };
        let mut line = format!("{}  {} → {}", self.case, label(&self.before), label(&self.after));
        if self.before.deadline != self.after.deadline {
            let shown = |deadline: Option<DateTime<Utc>>| match deadline {
                Some(at) => at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
                None => "none".to_owned(),
            };
            line.push_str(&format!(" (deadline {} → {})", shown(self.before.deadline), shown(self.after.deadline)));
        }
        line
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("{case}: order {order_no} is no longer stored")]
    OrderGone { case: CaseId, order_no: OrderNo },
    #[error("{case}: order {order_no} no longer has the line {sku}")]
    LineGone { case: CaseId, order_no: OrderNo, sku: String },
}

/// The decision `policy` would have made on the stored request when it was
/// opened, given the line's history as it was then.
pub fn redecide(
    stored: &StoredRequest,
    order: &Order,
    history: &LineHistory,
    policy: &Policy<'_>,
) -> Result<Decision, ReplayError> {
    let line = order.line(&stored.sku).ok_or_else(|| ReplayError::LineGone {
        case: stored.id.clone(),
        order_no: order.no.clone(),
        sku: stored.sku.clone(),
    })?;
    let request = Request {
        order,
        line,
        quantity: stored.quantity,
        reason: stored.reason,
        outcome: stored.outcome,
        photos: stored.photos,
        resale_intact: stored.resale_intact,
        history,
        at: stored.created_at,
    };
    Ok(decide(&request, policy))
}

/// How the draft rules would change a stored case's verdict, rule or
/// deadline; `None` when they would decide it the same way.
pub fn compare(
    stored: &StoredRequest,
    order: &Order,
    history: &LineHistory,
    policy: &Policy<'_>,
) -> Result<Option<Change>, ReplayError> {
    let before = Judgement::from(&stored.decision);
    let after = Judgement::from(&redecide(stored, order, history, policy)?);
    Ok((before != after).then(|| Change { case: stored.id.clone(), before, after }))
}

/// The outcome of a replay, for the operator.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The rules in force now.
    pub from_version: String,
    /// The draft rules.
    pub to_version: String,
    /// Cases decided again (not counting the skipped ones).
    pub replayed: usize,
    pub changes: Vec<Change>,
    /// Cases that could not be decided again, and why.
    pub skipped: Vec<String>,
}

impl Report {
    pub fn new(from_version: String, to_version: String) -> Report {
        Report { from_version, to_version, ..Report::default() }
    }

    /// Counts one case's replay.
    pub fn record(&mut self, result: Result<Option<Change>, ReplayError>) {
        match result {
            Ok(change) => {
                self.replayed += 1;
                self.changes.extend(change);
            }
            Err(error) => self.skipped.push(error.to_string()),
        }
    }

    /// One line per changed case, the skipped ones, then the total.
    pub fn text(&self, zone: Tz) -> String {
        let mut lines: Vec<String> = self.changes.iter().map(|change| change.line(zone)).collect();
        lines.extend(self.skipped.iter().map(|why| format!("skipped {why}")));
        let mut total = format!(
            "{} of {} cases would change (rules {} → {})",
            self.changes.len(),
            self.replayed,
            self.from_version,
            self.to_version
        );
        if !self.skipped.is_empty() {
            total.push_str(&format!("; {} could not be replayed", self.skipped.len()));
        }
        lines.push(total);
        lines.join("\n")
    }
}

/// One field of a stored decision, `None` when missing or not readable.
fn field<T: serde::de::DeserializeOwned>(decision: &serde_json::Value, key: &str) -> Option<T> {
    decision.get(key).and_then(|value| T::deserialize(value).ok())
}

/// A verdict's code as stored ("not_eligible").
fn verdict_code(verdict: Verdict) -> String {
    serde_json::to_value(verdict).ok().and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::Config;
    use crate::order::fixtures::{self, PAID, SHIPPED, SIGNED, at};

    /// Signed for on Monday 2 March at 15:00 Shanghai time: the 7-day window
    /// ends at 00:00 on 10 March, a 1-day window at 00:00 on 4 March.
    fn order() -> Order {
        let line = fixtures::line("COAT-M", "clothing", 1, 399);
        fixtures::order(line, Some(PAID), Some(SHIPPED), Some(SIGNED))
    }

    /// A request on the coat, stored with what `config` decided at `opened`.
    fn stored(id: &str, outcome: Outcome, opened: &str, history: &LineHistory, config: &Config) -> StoredRequest {
        let mut request = StoredRequest {
            id: CaseId::from_trusted(id),
            order_no: OrderNo::from_trusted("T-000001"),
            sku: "COAT-M".into(),
            quantity: 1,
            reason: Reason::ChangedMind,
            outcome,
            photos: 0,
            resale_intact: Some(true),
            created_at: at(opened),
            decision: StoredDecision::default(),
        };
        let decision = redecide(&request, &order(), history, &config.policy()).expect("line exists");
        request.decision = StoredDecision::from(&decision);
        request
    }

    fn draft(text: &str) -> Config {
        Config::parse(text).expect("draft config")
    }

    #[test]
    fn the_same_rules_change_nothing() {
        let config = Config::default();
        let history = LineHistory::default();
        let case = stored("AS-1001", Outcome::ReturnRefund, "2026-03-03T12:00:00+08:00", &history, &config);
        assert_eq!(compare(&case, &order(), &history, &config.policy()), Ok(None));
    }

    #[test]
    fn a_shorter_window_turns_an_approval_into_a_refusal() {
        let config = Config::default();
        let history = LineHistory::default();
        let case = stored("AS-1003", Outcome::ReturnRefund, "2026-03-05T12:00:00+08:00", &history, &config);
        let shorter = draft("[policy]\nno_reason_return_days = 1\n");
        let change = compare(&case, &order(), &history, &shorter.policy()).expect("replayed").expect("a change");
        assert_eq!(change.before.verdict, "approved");
        assert_eq!(change.after.verdict, "not_eligible");
        assert_eq!(change.after.deadline, Some(at("2026-03-04T00:00:00+08:00")));
        let zone = chrono_tz::Asia::Shanghai;
        assert_eq!(
            change.line(zone),
            "AS-1003  approved/no_reason_return → not_eligible/no_reason_window_passed \
             (deadline 2026-03-10 00:00 → 2026-03-04 00:00)"
        );
    }

    #[test]
    fn a_moved_deadline_alone_is_a_change() {
        let config = Config::default();
        let history = LineHistory::default();
        let case = stored("AS-1004", Outcome::ReturnRefund, "2026-03-03T12:00:00+08:00", &history, &config);
        let longer = draft("[policy]\nno_reason_return_days = 10\n");
        let change = compare(&case, &order(), &history, &longer.policy()).expect("replayed").expect("a change");
        assert_eq!((change.before.rule.as_str(), change.after.rule.as_str()), ("no_reason_return", "no_reason_return"));
        assert!(change.line(chrono_tz::Asia::Shanghai).ends_with("(deadline 2026-03-10 00:00 → 2026-03-13 00:00)"));
    }

    #[test]
    fn the_history_as_of_the_case_is_used() {
        // The line had its exchange before this case: a second one is refused
        // under both rules, so a longer exchange window changes nothing.
        let config = Config::default();
        let exchanged = LineHistory { exchanges: 1, ..LineHistory::default() };
        let case = stored("AS-1005", Outcome::Exchange, "2026-03-03T12:00:00+08:00", &exchanged, &config);
        assert_eq!(case.decision.rule, "exchange_already_used");
        let longer = draft("[policy]\nexchange_days = 30\n");
        assert_eq!(compare(&case, &order(), &exchanged, &longer.policy()), Ok(None));
        // Two exchanges per line would have granted it.
        let two = draft("[policy]\nexchanges_per_line = 2\n");
        let change = compare(&case, &order(), &exchanged, &two.policy()).expect("replayed").expect("a change");
        assert_eq!(change.after.rule, "exchange_in_window");
    }

    #[test]
    fn an_old_decision_without_newer_fields_still_compares() {
        let old = serde_json::json!({
            "verdict": "approved",
            "rule": "no_reason_return",
            "next": "send_item_back",
            "deadline": "2026-03-09T16:00:00Z",
        });
        let decision = StoredDecision::from_json(&old, "");
        assert_eq!(decision.deadline, Some(at("2026-03-10T00:00:00+08:00")));
        assert_eq!((decision.refund_cap, decision.rules_version.as_str()), (None, ""));

        let config = Config::default();
        let history = LineHistory::default();
        let mut case = stored("AS-1006", Outcome::ReturnRefund, "2026-03-03T12:00:00+08:00", &history, &config);
        case.decision = decision;
        assert_eq!(compare(&case, &order(), &history, &config.policy()), Ok(None));

        // A rule since renamed shows as a change rather than failing the replay.
        let renamed = serde_json::json!({ "verdict": "approved", "rule": "seven_day_return" });
        case.decision = StoredDecision::from_json(&renamed, "abc123");
        assert_eq!(case.decision.rules_version, "abc123");
        let change = compare(&case, &order(), &history, &config.policy()).expect("replayed").expect("a change");
        assert!(change.line(chrono_tz::Asia::Shanghai).starts_with("AS-1006  approved/seven_day_return → "));

        let empty = StoredDecision::from_json(&serde_json::json!({}), "");
        assert_eq!(empty, StoredDecision::default());
    }

    #[test]
    fn a_line_no_longer_on_the_order_is_skipped_not_guessed() {
        let config = Config::default();
        let history = LineHistory::default();
        let mut case = stored("AS-1007", Outcome::ReturnRefund, "2026-03-03T12:00:00+08:00", &history, &config);
        case.sku = "GONE-1".into();
        let result = compare(&case, &order(), &history, &config.policy());
        assert!(matches!(result, Err(ReplayError::LineGone { .. })), "{result:?}");
    }

    #[test]
    fn the_report_lists_changes_then_the_total() {
        let config = Config::default();
        let shorter = draft("[policy]\nno_reason_return_days = 1\n");
        let policy = shorter.policy();
        let history = LineHistory::default();
        // The exchange window is not the return window: unchanged.
        let exchange = stored("AS-1001", Outcome::Exchange, "2026-03-05T12:00:00+08:00", &history, &config);
        let late = stored("AS-1002", Outcome::ReturnRefund, "2026-03-05T12:00:00+08:00", &history, &config);
        let mut report = Report::new(config.rules_version(), shorter.rules_version());
        report.record(compare(&exchange, &order(), &history, &policy));
        report.record(compare(&late, &order(), &history, &policy));
        let gone = ReplayError::OrderGone { case: CaseId::from_trusted("AS-1003"), order_no: exchange.order_no };
        report.record(Err(gone));
        let text = report.text(chrono_tz::Asia::Shanghai);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("AS-1002  approved/no_reason_return → not_eligible/no_reason_window_passed"));
        assert_eq!(lines[1], "skipped AS-1003: order T-000001 is no longer stored");
        assert_eq!(
            lines[2],
            format!(
                "1 of 2 cases would change (rules {} → {}); 1 could not be replayed",
                config.rules_version(),
                shorter.rules_version()
            )
        );
        assert_ne!(config.rules_version(), shorter.rules_version());
        // The instant compared is UTC; only the text is in shop time.
        assert_eq!(report.changes[0].after.deadline, Some(Utc.with_ymd_and_hms(2026, 3, 3, 16, 0, 0).unwrap()));
    }
}
