//! Human agents: when a case goes to a person, and what agents may do with
//! it. Pure: the desk reads the escalation and the case, calls [`act`] or
//! [`sla_tick`], and carries out the [`Effect`]s in the same transaction.
//!
//! An escalation is one hand-over of a customer (and their case, if any) to
//! the agents' group. While it is queued or taken, what the customer sends is
//! relayed to the case's topic, and what an agent writes there reaches the
//! customer; the bot does not answer by itself until an agent hands back.

pub mod card;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::backoff;
use crate::case::{ByAgent, CaseId, CaseStatus, Event, Ruling};
use crate::catalogue::Msg;
use crate::lang::Lang;
use crate::money::{Currency, Money};
use crate::policy::{Decision, Outcome, Verdict};
use crate::reason::Reason;
use crate::setting::Span;
use crate::typed;

use crate::agent_command::AgentCommand;
use crate::escalation::{Assignee, Status, Why};

/// `[agents]` in the config.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The agents' supergroup. Without it, escalations wait in the store
    /// (and in `/queue`) with nowhere to be shown.
    pub chat_id: Option<i64>,
    /// One forum topic per case; otherwise the card is a plain message in
    /// the group and agents reply to it.
    pub topics: bool,
    /// Telegram user ids allowed to act on cases.
    pub user_ids: Vec<i64>,
    /// Agents with a display name and a role (also allowed to act).
    pub people: Vec<Person>,
    /// Sign what agents write with their name; otherwise it comes from the shop.
    pub show_agent_name: bool,
    /// The language of cards and replies in the group (default: the shop's).
    pub lang: Option<Lang>,
    /// The wait the customer is promised; past it they are told it takes longer.
    pub promised_wait: Span,
    /// An unassigned case pings the group after this, then after twice as
    /// long each time …
    pub first_response: Span,
    /// … but never waits longer than this between pings.
    pub max_ping_interval: Span,
    /// A customer writing within this time after their case was closed
    /// reopens it; later, the bot answers as for a new request.
    pub reopen_within: Span,
    /// Phrases that ask for a person at any step ("我要人工", "can I speak
    /// to someone"): Latin ones as whole words, Chinese ones anywhere …
    pub request_phrases: Vec<String>,
    /// … in a message of at most this many words (a Chinese character is a
    /// word). A longer message is the customer's account, not a request.
    pub request_max_words: usize,
    pub escalate: Triggers,
}

/// When the bot hands a case to a person without being asked.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Triggers {
    /// Evidence the rules cannot settle: every case the policy sends to review.
    pub review: bool,
    /// A request worth more than this (in the shop's currency, e.g. "1000.00").
    pub high_value: Option<String>,
    /// A request the rules refuse (the customer may want an exception).
    pub not_eligible: bool,
    /// The reason is a complaint about our service.
    pub service_complaint: bool,
    /// Words that signal a legal or media threat.
    pub threat_words: Vec<String>,
    /// Inputs in a row the bot could not use (0: never).
    pub failed_inputs: u8,
    /// Retention offers were declined and the case still needs approval.
    pub retention_declined: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub user_id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: Role,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Agent,
    /// May also take a case another agent holds.
    Lead,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            chat_id: None,
            topics: true,
            user_ids: Vec::new(),
            people: Vec::new(),
            show_agent_name: false,
            lang: None,
            promised_wait: Span(std::time::Duration::from_secs(2 * 3600)),
            first_response: Span(std::time::Duration::from_secs(30 * 60)),
            max_ping_interval: Span(std::time::Duration::from_secs(4 * 3600)),
            reopen_within: Span(std::time::Duration::from_secs(7 * 86_400)),
            request_phrases: [
                "人工",
                "客服",
                "真人",
                "human",
                "agent",
                "operator",
                "representative",
                "customer service",
                "a person",
                "real person",
                "speak to someone",
                "talk to someone",
                "speak with someone",
                "talk with someone",
                "speak to somebody",
                "talk to somebody",
            ]
            .map(str::to_owned)
            .to_vec(),
            request_max_words: 12,
            escalate: Triggers::default(),
        }
    }
}

impl Default for Triggers {
    fn default() -> Self {
        Triggers {
            review: true,
            high_value: None,
            not_eligible: false,
            service_complaint: true,
            threat_words: [
                "律师",
                "起诉",
                "法院",
                "12315",
                "消协",
                "媒体",
                "曝光",
                "lawyer",
                "sue",
                "court",
                "journalist",
            ]
            .map(str::to_owned)
            .to_vec(),
            failed_inputs: 3,
            retention_declined: true,
        }
    }
}

impl Settings {
    /// The agent behind a Telegram user, if they may act. `display` is
    /// their Telegram name, used when the config gives none.
    pub fn agent(&self, user_id: i64, display: &str) -> Option<Agent> {
        let person = self.people.iter().find(|person| person.user_id == user_id);
        if person.is_none() && !self.user_ids.contains(&user_id) {
            return None;
        }
        let name = person.map(|person| person.name.trim()).filter(|name| !name.is_empty()).unwrap_or(display);
        Some(Agent { user_id, name: name.to_owned(), role: person.map(|person| person.role).unwrap_or_default() })
    }

    /// The language the agents read.
    pub fn lang(&self, shop_default: Lang) -> Lang {
        self.lang.unwrap_or(shop_default)
    }

    /// Problems with the settings, each naming its key.
    pub fn problems(&self, currency: Currency) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(chat_id) = self.chat_id
            && chat_id >= 0
        {
            problems.push(format!("agents.chat_id: {chat_id} is not a group (group ids are negative)"));
        }
        if self.chat_id.is_some() && self.user_ids.is_empty() && self.people.is_empty() {
            problems.push("agents.user_ids: name at least one agent who may act".to_owned());
        }
        if let Some(value) = &self.escalate.high_value
            && Money::parse_major(value, currency).is_err()
        {
            problems.push(format!("agents.escalate.high_value: {value:?} is not an amount like \"1000.00\""));
        }
        if self.first_response.0.is_zero() {
            problems.push("agents.first_response: must be longer than 0s".to_owned());
        }
        problems
    }

    /// The threshold above which a request goes to a person.
    fn high_value(&self, currency: Currency) -> Option<Money> {
        self.escalate.high_value.as_deref().and_then(|value| Money::parse_major(value, currency).ok())
    }

    /// Whether a customer's text is a legal or media threat to hand to the
    /// agents' group (never without one).
    pub fn is_threat(&self, text: &str) -> bool {
        self.chat_id.is_some() && self.mentions_threat(text)
    }

    /// Whether a customer's text holds a threat word, in any setup (it is
    /// flagged on the case for the shop owner).
    pub fn mentions_threat(&self, text: &str) -> bool {
        self.escalate.threat_words.iter().any(|word| typed::mentions(text, word))
    }

    /// Whether a customer's (normalised) text asks for a person.
    pub fn asks_for_person(&self, text: &str) -> bool {
        typed::words(text) <= self.request_max_words
            && self.request_phrases.iter().any(|phrase| typed::mentions(text, phrase))
    }
}

/// Someone allowed to act on cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
}

/// What a new case looks like to the escalation rules.
#[derive(Clone, Copy, Debug)]
pub struct NewRequest<'a> {
    pub reason: Reason,
    pub decision: &'a Decision,
    /// Retention offers the customer declined on the way.
    pub declined_offers: usize,
}

/// What a customer who asks for a person is told: the promised wait when an
/// agents' group will see the request; without one, how the shop will get
/// back (`contact`, the `[shop]` setting).
pub fn person_coming(settings: &Settings, contact: &str, case: Option<CaseId>) -> Msg {
    match settings.chat_id {
        Some(_) => Msg::AgentQueued { case, wait_minutes: minutes(settings.promised_wait) },
        None => Msg::ShopWillReply { case, contact: contact.to_owned() },
    }
}

/// Whether the rules hand a new case to a person, and why. Never without
/// an agents' group: nobody would see the case.
pub fn trigger(request: NewRequest<'_>, settings: &Settings) -> Option<Why> {
    settings.chat_id?;
    let triggers = &settings.escalate;
    let decision = request.decision;
    let needs_review = decision.verdict == Verdict::NeedsReview;
    let rules = [
        (triggers.service_complaint && request.reason == Reason::ServiceComplaint, Why::ServiceComplaint),
        (
            settings
                .high_value(decision.refund_cap.currency)
                .is_some_and(|limit| decision.refund_cap.minor > limit.minor),
            Why::HighValue,
        ),
        (triggers.retention_declined && needs_review && request.declined_offers > 0, Why::RetentionDeclined),
        (triggers.review && needs_review, Why::Review),
        (triggers.not_eligible && decision.verdict == Verdict::NotEligible, Why::NotEligible),
    ];
    rules.into_iter().find(|(applies, _)| *applies).map(|(_, why)| why)
}

/// One hand-over to the agents, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    pub id: i64,
    pub customer_id: i64,
    pub case: Option<CaseId>,
    /// The topic in the agents' group: `case:AS-1001`, or `customer:7` without a case.
    pub topic_key: String,
    pub why: Why,
    pub status: Status,
    pub assignee: Option<Assignee>,
    pub opened_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Service-level reminders sent so far.
    pub pings: u32,
    /// The customer was told the wait is longer than promised.
    pub told_late: bool,
}

impl Escalation {
    /// The topic key for a case, or for a customer without one.
    pub fn topic_key_for(case: Option<&CaseId>, customer_id: i64) -> String {
        match case {
            Some(case) => format!("case:{case}"),
            None => format!("customer:{customer_id}"),
        }
    }
}

/// The case behind an escalation, as agents decide on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub id: CaseId,
    pub status: CaseStatus,
    pub outcome: Outcome,
    /// The most that may be refunded or paid back on it (the policy's cap).
    pub refund_cap: Money,
}

/// What [`act`] and [`sla_tick`] ask the desk to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Store the escalation's new state.
    Save(Escalation),
    /// Change the case: its status, what is done, the amount agreed.
    Decide {
        status: CaseStatus,
        outcome: Outcome,
        agreed: Option<Money>,
    },
    Responsibility(u8),
    /// A timeline event on the case, by the acting agent (or the system).
    Event(Event),
    /// Tell the customer, in their language.
    TellCustomer(Msg),
    /// Reply in the case's topic, in the agents' language.
    TellAgents(Msg),
    /// Post in the agents' group itself, where everyone sees it.
    PingGroup(Msg),
    /// An answer for the acting agent alone: the notice on a pressed button,
    /// or a reply in the topic to a typed command.
    Notice(Msg),
    /// The card shows something that changed: edit it in place.
    RefreshCard,
    /// Close or reopen the case's topic.
    Topic {
        open: bool,
    },
    /// The bot takes the customer's conversation back, telling them this
    /// first; the menu follows.
    ResumeBot(Msg),
    /// Log a refused attempt (audit).
    Refused {
        user_id: i64,
        what: String,
    },
    /// When to ping the group next (none: the case no longer waits).
    PingAt(Option<DateTime<Utc>>),
}

/// Who sent a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Agent(Agent),
    /// Not configured as an agent: refused, and logged.
    Stranger {
        user_id: i64,
    },
}

/// An agent's command on an escalation.
pub fn act(
    escalation: &Escalation,
    case: Option<&CaseFacts>,
    actor: &Actor,
    command: &AgentCommand,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let agent = match actor {
        Actor::Agent(agent) => agent,
        Actor::Stranger { user_id } => {
            return vec![
                Effect::Refused { user_id: *user_id, what: format!("{command:?}") },
                Effect::Notice(Msg::NotAnAgent),
            ];
        }
    };
    let mut turn = Turn { escalation: escalation.clone(), agent, settings, now, effects: Vec::new() };
    turn.command(case, command);
    turn.effects
}

/// A service-level check on an escalation that may still be waiting.
pub fn sla_tick(escalation: &Escalation, settings: &Settings, now: DateTime<Utc>) -> Vec<Effect> {
    if escalation.status != Status::Queued {
        return vec![Effect::PingAt(None)];
    }
    let mut escalation = escalation.clone();
    let waited = now - escalation.opened_at;
    let mut effects = vec![Effect::PingGroup(Msg::SlaPing {
        case: escalation.case.clone(),
        why: escalation.why,
        waited_minutes: waited.num_minutes(),
        pings: escalation.pings + 1,
    })];
    if !escalation.told_late && waited >= settings.promised_wait.chrono() {
        escalation.told_late = true;
        effects.push(Effect::TellCustomer(Msg::WaitLonger));
    }
    escalation.pings += 1;
    effects.push(Effect::PingAt(Some(next_ping(&escalation, settings, now))));
    effects.push(Effect::Save(escalation));
    effects
}

/// When an unassigned escalation pings next: the first-response time after
/// it was queued, then twice the previous interval, capped (never below
/// the first-response time).
pub fn next_ping(escalation: &Escalation, settings: &Settings, now: DateTime<Utc>) -> DateTime<Utc> {
    let first = settings.first_response.0;
    let cap = settings.max_ping_interval.0.max(first);
    match escalation.pings {
        0 => escalation.opened_at + settings.first_response.chrono(),
        pings => now + Span(backoff::exponential(pings, first, cap)).chrono(),
    }
}

/// The customer wrote again after their escalation ended: is it reopened?
pub fn reopens(escalation: &Escalation, settings: &Settings, now: DateTime<Utc>) -> bool {
    escalation.status == Status::Closed
        && escalation.closed_at.is_some_and(|closed| now - closed <= settings.reopen_within.chrono())
}

/// The escalation reopened by the customer writing: back to its agent if it
/// had one, else to the queue.
pub fn reopen(escalation: &Escalation, settings: &Settings, now: DateTime<Utc>) -> Vec<Effect> {
    let mut escalation = escalation.clone();
    escalation.status = if escalation.assignee.is_some() { Status::Taken } else { Status::Queued };
    escalation.closed_at = None;
    let mut effects = vec![
        Effect::Event(Event::EscalationReopened {}),
        Effect::Topic { open: true },
        Effect::TellAgents(Msg::CaseReopened),
        Effect::RefreshCard,
    ];
    if escalation.status == Status::Queued {
        escalation.opened_at = now;
        escalation.pings = 0;
        effects.push(Effect::PingAt(Some(next_ping(&escalation, settings, now))));
    }
    effects.insert(0, Effect::Save(escalation));
    effects
}

struct Turn<'a> {
    escalation: Escalation,
    agent: &'a Agent,
    settings: &'a Settings,
    now: DateTime<Utc>,
    effects: Vec<Effect>,
}

impl Turn<'_> {
    fn command(&mut self, case: Option<&CaseFacts>, command: &AgentCommand) {
        if self.escalation.status == Status::Closed && !matches!(command, AgentCommand::Note(_)) {
            return self.refuse(Msg::EscalationClosed);
        }
        match command {
            AgentCommand::Take => self.take(),
            AgentCommand::Release => self.release(),
            AgentCommand::Note(text) => {
                self.event(Event::Note { text: text.clone(), by: self.by() });
                self.effects.push(Effect::Notice(Msg::NoteSaved));
            }
            AgentCommand::HandBack => {
                if !self.may_decide() {
                    return;
                }
                self.escalation.status = Status::HandedBack;
                self.event(Event::HandedBack { by: self.by() });
                self.effects.push(Effect::ResumeBot(Msg::BackWithBot));
                self.effects.push(Effect::PingAt(None));
                self.done(Msg::HandedBack { agent: self.agent.name.clone() });
            }
            AgentCommand::Close => {
                if !self.may_decide() {
                    return;
                }
                self.escalation.status = Status::Closed;
                self.escalation.closed_at = Some(self.now);
                if let Some(case) = case.filter(|case| !case.status.is_closed()) {
                    let decide = Effect::Decide { status: CaseStatus::Closed, outcome: case.outcome, agreed: None };
                    self.effects.push(decide);
                }
                self.event(Event::Closed { by: Some(self.by()) });
                let closed = Msg::CaseClosedByAgent { case: self.escalation.case.clone() };
                self.effects.push(Effect::ResumeBot(closed));
                self.effects.push(Effect::PingAt(None));
                self.done(Msg::ClosedByAgent { agent: self.agent.name.clone() });
                self.effects.push(Effect::Topic { open: false });
            }
            AgentCommand::Responsibility(code) => {
                if case.is_none() {
                    return self.refuse(Msg::NoCaseToDecide);
                }
                self.effects.push(Effect::Responsibility(*code));
                self.event(Event::Responsibility { code: *code, by: self.by() });
                self.done(Msg::ResponsibilitySet { code: *code });
            }
            // Handled by the desk outside any escalation.
            AgentCommand::Queue
            | AgentCommand::Inspect { .. }
            | AgentCommand::Refunded { .. }
            | AgentCommand::Report(_) => {}
            decision => self.decide(case, decision),
        }
    }

    fn take(&mut self) {
        match &self.escalation.assignee {
            Some(holder) if holder.user_id == self.agent.user_id => self.refuse(Msg::AlreadyYours),
            Some(holder) if self.agent.role != Role::Lead => self.refuse(Msg::TakenBy { agent: holder.name.clone() }),
            _ => {
                self.assign();
                self.done(Msg::TookCase { agent: self.agent.name.clone() });
            }
        }
    }

    fn assign(&mut self) {
        let customer_hears = match self.settings.show_agent_name {
            true => Some(self.agent.name.clone()),
            false => None,
        };
        let first = self.escalation.status == Status::Queued;
        self.escalation.assignee = Some(Assignee { user_id: self.agent.user_id, name: self.agent.name.clone() });
        self.escalation.status = Status::Taken;
        self.escalation.taken_at.get_or_insert(self.now);
        self.event(Event::Taken { by: self.by() });
        self.effects.push(Effect::PingAt(None));
        if first {
            self.effects.push(Effect::TellCustomer(Msg::AgentJoined { agent: customer_hears }));
        }
    }

    fn release(&mut self) {
        match &self.escalation.assignee {
            Some(holder) if holder.user_id == self.agent.user_id || self.agent.role == Role::Lead => {
                self.escalation.assignee = None;
                self.escalation.status = Status::Queued;
                self.escalation.opened_at = self.now;
                self.escalation.pings = 0;
                self.event(Event::Released { by: self.by() });
                self.effects.push(Effect::PingAt(Some(next_ping(&self.escalation, self.settings, self.now))));
                self.done(Msg::Released { agent: self.agent.name.clone() });
            }
            Some(holder) => self.refuse(Msg::TakenBy { agent: holder.name.clone() }),
            None => self.refuse(Msg::NotAssigned),
        }
    }

    /// Deciding needs the case to be unassigned (the decider takes it), the
    /// agent's own, or a lead's word.
    fn may_decide(&mut self) -> bool {
        match &self.escalation.assignee {
            Some(holder) if holder.user_id != self.agent.user_id && self.agent.role != Role::Lead => {
                let holder = holder.name.clone();
                self.refuse(Msg::TakenBy { agent: holder });
                false
            }
            Some(_) => true,
            None => {
                self.assign();
                true
            }
        }
    }

    fn decide(&mut self, case: Option<&CaseFacts>, command: &AgentCommand) {
        let Some(case) = case else { return self.refuse(Msg::NoCaseToDecide) };
        if case.status.is_closed() {
            return self.refuse(Msg::CaseAlreadyClosed { case: case.id.clone() });
        }
        let cap = case.refund_cap;
        let within = |amount: &Money| amount.currency == cap.currency && amount.minor <= cap.minor;
        if let AgentCommand::PartialRefund(amount) | AgentCommand::Refund(amount) | AgentCommand::CashBack(amount, _) =
            command
            && !within(amount)
        {
            return self.refuse(Msg::AmountAboveCap { asked: *amount, cap });
        }
        if !self.may_decide() {
            return;
        }
        let refund_outcome = match case.outcome {
            Outcome::RefundOnly | Outcome::ReturnRefund => case.outcome,
            _ => Outcome::RefundOnly,
        };
        let (status, outcome, agreed, recorded): (_, _, _, fn(Ruling) -> Event) = match command {
            AgentCommand::Approve => (CaseStatus::Approved, case.outcome, None, Event::Approved),
            AgentCommand::Reject(_) => (CaseStatus::NotEligible, case.outcome, None, Event::Rejected),
            AgentCommand::Exchange => (CaseStatus::Approved, Outcome::Exchange, None, Event::Exchange),
            AgentCommand::Reship => (CaseStatus::Approved, Outcome::Reship, None, Event::Reship),
            AgentCommand::PartialRefund(amount) => {
                (CaseStatus::Approved, Outcome::PartialRefund, Some(*amount), Event::PartialRefund)
            }
            AgentCommand::CashBack(amount, _) => {
                (CaseStatus::Approved, Outcome::CashBack, Some(*amount), Event::CashBack)
            }
            AgentCommand::Refund(amount) => (CaseStatus::Approved, refund_outcome, Some(*amount), Event::Refund),
            _ => return,
        };
        let reason = match command {
            AgentCommand::Reject(reason) | AgentCommand::CashBack(_, reason) => Some(reason.clone()),
            _ => None,
        };
        self.effects.push(Effect::Decide { status, outcome, agreed });
        let ruling =
            Ruling { outcome, amount_minor: agreed.map(|money| money.minor), reason: reason.clone(), by: self.by() };
        self.event(recorded(ruling));
        let told = match status {
            CaseStatus::NotEligible => {
                Msg::AgentRejected { case: case.id.clone(), reason: reason.clone().unwrap_or_default() }
            }
            _ => Msg::AgentDecided { case: case.id.clone(), outcome, amount: agreed, reason },
        };
        self.effects.push(Effect::TellCustomer(told));
        self.done(Msg::DecisionRecorded { agent: self.agent.name.clone(), outcome, status, amount: agreed });
    }

    /// The acting agent, as the timeline records them.
    fn by(&self) -> ByAgent {
        ByAgent { agent: self.agent.name.clone(), agent_id: self.agent.user_id }
    }

    fn event(&mut self, event: Event) {
        self.effects.push(Effect::Event(event));
    }

    /// The change is confirmed in the topic, stored, and shown on the card.
    fn done(&mut self, said: Msg) {
        self.effects.push(Effect::TellAgents(said));
        self.effects.push(Effect::Save(self.escalation.clone()));
        self.effects.push(Effect::RefreshCard);
    }

    fn refuse(&mut self, said: Msg) {
        self.effects.push(Effect::Notice(said));
    }
}

/// Minutes, for texts ("30 minutes", "2 hours").
pub fn minutes(span: Span) -> i64 {
    Duration::from_std(span.0).map(|duration| duration.num_minutes()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
