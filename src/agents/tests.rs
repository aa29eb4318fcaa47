//! Specifications of what agents may do, and of when a case goes to them.

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::money::Currency;
use crate::order::fixtures::at;

fn settings() -> Settings {
    Settings {
        chat_id: Some(-1001),
        user_ids: vec![11, 12],
        people: vec![Person { user_id: 13, name: "Lead Wang".into(), role: Role::Lead }],
        ..Settings::default()
    }
}

fn agent(user_id: i64, name: &str) -> Actor {
    Actor::Agent(settings().agent(user_id, name).expect("configured agent"))
}

fn t0() -> DateTime<Utc> {
    at("2025-03-03T02:00:00Z")
}

fn queued() -> Escalation {
    Escalation {
        id: 7,
        customer_id: 1,
        case: Some(CaseId::from_seq(1001)),
        topic_key: "case:AS-1001".into(),
        why: Why::CustomerAsked,
        status: Status::Queued,
        assignee: None,
        opened_at: t0(),
        taken_at: None,
        closed_at: None,
        pings: 0,
        told_late: false,
    }
}

fn case() -> CaseFacts {
    CaseFacts {
        id: CaseId::from_seq(1001),
        status: CaseStatus::NeedsReview,
        outcome: Outcome::ReturnRefund,
        refund_cap: Money::new(19_900, Currency::CNY),
    }
}

fn act_on(escalation: &Escalation, actor: &Actor, command: AgentCommand) -> Vec<Effect> {
    act(escalation, Some(&case()), actor, &command, &settings(), t0())
}

fn saved(effects: &[Effect]) -> Option<&Escalation> {
    effects.iter().rev().find_map(|effect| match effect {
        Effect::Save(escalation) => Some(escalation),
        _ => None,
    })
}

fn told_customer(effects: &[Effect]) -> Vec<&Msg> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::TellCustomer(msg) => Some(msg),
            _ => None,
        })
        .collect()
}

fn taken_by(user_id: i64, name: &str) -> Escalation {
    Escalation {
        status: Status::Taken,
        assignee: Some(Assignee { user_id, name: name.into() }),
        taken_at: Some(t0()),
        ..queued()
    }
}

#[test]
fn the_first_take_wins_and_the_second_agent_is_told_who_has_it() {
    let first = act_on(&queued(), &agent(11, "Li"), AgentCommand::Take);
    let after = saved(&first).expect("saved").clone();
    assert_eq!(after.status, Status::Taken);
    assert_eq!(after.assignee, Some(Assignee { user_id: 11, name: "Li".into() }));
    assert_eq!(told_customer(&first), [&Msg::AgentJoined { agent: None }]);
    assert!(first.contains(&Effect::PingAt(None)), "a taken case stops pinging");

    let second = act_on(&after, &agent(12, "Zhao"), AgentCommand::Take);
    assert_eq!(second, [Effect::Notice(Msg::TakenBy { agent: "Li".into() })]);
}

#[test]
fn a_lead_may_take_over_and_names_come_from_the_config() {
    let effects = act_on(&taken_by(11, "Li"), &agent(13, "wang_tg"), AgentCommand::Take);
    let after = saved(&effects).expect("saved");
    assert_eq!(after.assignee, Some(Assignee { user_id: 13, name: "Lead Wang".into() }));
    // The customer heard about the first agent already.
    assert!(told_customer(&effects).is_empty());
}

#[test]
fn strangers_are_refused_and_logged_whatever_they_try() {
    for command in [AgentCommand::Take, AgentCommand::Approve, AgentCommand::Note("hi".into()), AgentCommand::Close] {
        let effects = act_on(&queued(), &Actor::Stranger { user_id: 99 }, command);
        assert!(matches!(effects[0], Effect::Refused { user_id: 99, .. }));
        assert_eq!(effects[1], Effect::Notice(Msg::NotAnAgent));
        assert_eq!(effects.len(), 2);
    }
    assert_eq!(settings().agent(99, "Mallory"), None);
}

#[test]
fn a_note_stays_on_the_timeline_and_never_reaches_the_customer() {
    let effects = act_on(&taken_by(11, "Li"), &agent(11, "Li"), AgentCommand::Note("客户情绪激动".into()));
    assert!(told_customer(&effects).is_empty());
    assert!(
        matches!(&effects[0], Effect::Event(event) if event.kind() == "note" && event.data()["text"] == "客户情绪激动")
    );
    assert_eq!(effects[1], Effect::Notice(Msg::NoteSaved));
}

#[test]
fn decisions_change_the_case_and_tell_the_customer() {
    let li = agent(11, "Li");
    let yuan = |minor| Money::new(minor, Currency::CNY);
    let table = [
        (AgentCommand::Approve, CaseStatus::Approved, Outcome::ReturnRefund, None),
        (AgentCommand::Exchange, CaseStatus::Approved, Outcome::Exchange, None),
        (AgentCommand::Reship, CaseStatus::Approved, Outcome::Reship, None),
        (AgentCommand::PartialRefund(yuan(5000)), CaseStatus::Approved, Outcome::PartialRefund, Some(yuan(5000))),
        (AgentCommand::Refund(yuan(19_900)), CaseStatus::Approved, Outcome::ReturnRefund, Some(yuan(19_900))),
        (AgentCommand::CashBack(yuan(800), "运费".into()), CaseStatus::Approved, Outcome::CashBack, Some(yuan(800))),
        (AgentCommand::Reject("已使用".into()), CaseStatus::NotEligible, Outcome::ReturnRefund, None),
    ];
    for (command, status, outcome, agreed) in table {
        let effects = act_on(&taken_by(11, "Li"), &li, command.clone());
        assert!(effects.contains(&Effect::Decide { status, outcome, agreed }), "{command:?}: {effects:?}");
        let told = told_customer(&effects);
        assert_eq!(told.len(), 1, "{command:?}");
        if let AgentCommand::Reject(reason) = &command {
            assert_eq!(told[0], &Msg::AgentRejected { case: CaseId::from_seq(1001), reason: reason.clone() });
        }
        assert!(effects.iter().any(|effect| matches!(effect, Effect::Event(event) if event.data()["agent"] == "Li")));
    }
}

#[test]
fn amounts_above_what_was_paid_are_refused() {
    let over = Money::new(19_901, Currency::CNY);
    for command in
        [AgentCommand::Refund(over), AgentCommand::PartialRefund(over), AgentCommand::CashBack(over, "x".into())]
    {
        let effects = act_on(&taken_by(11, "Li"), &agent(11, "Li"), command);
        let cap = Money::new(19_900, Currency::CNY);
        assert_eq!(effects, [Effect::Notice(Msg::AmountAboveCap { asked: over, cap })]);
    }
}

#[test]
fn deciding_takes_an_unassigned_case_but_not_someone_elses() {
    let effects = act_on(&queued(), &agent(12, "Zhao"), AgentCommand::Approve);
    assert_eq!(saved(&effects).and_then(|e| e.assignee.clone()).map(|a| a.user_id), Some(12));
    let effects = act_on(&taken_by(11, "Li"), &agent(12, "Zhao"), AgentCommand::Approve);
    assert_eq!(effects, [Effect::Notice(Msg::TakenBy { agent: "Li".into() })]);
}

#[test]
fn hand_back_gives_the_chat_to_the_bot_and_close_closes_case_and_topic() {
    let li = agent(11, "Li");
    let back = act_on(&taken_by(11, "Li"), &li, AgentCommand::HandBack);
    assert_eq!(saved(&back).map(|e| e.status), Some(Status::HandedBack));
    assert!(back.contains(&Effect::ResumeBot(Msg::BackWithBot)));

    let closed = act_on(&taken_by(11, "Li"), &li, AgentCommand::Close);
    let after = saved(&closed).expect("saved");
    assert_eq!((after.status, after.closed_at), (Status::Closed, Some(t0())));
    assert!(closed.contains(&Effect::Topic { open: false }));
    let decide = Effect::Decide { status: CaseStatus::Closed, outcome: Outcome::ReturnRefund, agreed: None };
    assert!(closed.contains(&decide));

    let again = act_on(after, &li, AgentCommand::Approve);
    assert_eq!(again, [Effect::Notice(Msg::EscalationClosed)]);
}

#[test]
fn release_puts_the_case_back_in_the_queue() {
    let effects = act_on(&taken_by(11, "Li"), &agent(11, "Li"), AgentCommand::Release);
    let after = saved(&effects).expect("saved");
    assert_eq!((after.status, after.assignee.clone()), (Status::Queued, None));
    assert!(effects.contains(&Effect::PingAt(Some(t0() + TimeDelta::minutes(30)))));
    let refused = act_on(&taken_by(11, "Li"), &agent(12, "Zhao"), AgentCommand::Release);
    assert_eq!(refused, [Effect::Notice(Msg::TakenBy { agent: "Li".into() })]);
}

#[test]
fn unanswered_cases_ping_at_growing_intervals_and_the_customer_hears_once() {
    let settings = settings();
    let mut escalation = queued();
    assert_eq!(next_ping(&escalation, &settings, t0()), t0() + TimeDelta::minutes(30));
    let mut now = t0() + TimeDelta::minutes(30);
    let mut intervals = Vec::new();
    let mut told = 0;
    for _ in 0..6 {
        let effects = sla_tick(&escalation, &settings, now);
        assert!(matches!(effects[0], Effect::PingGroup(Msg::SlaPing { .. })));
        told += told_customer(&effects).len();
        let next = effects.iter().find_map(|effect| match effect {
            Effect::PingAt(Some(at)) => Some(*at),
            _ => None,
        });
        let next = next.expect("next ping");
        intervals.push((next - now).num_minutes());
        escalation = saved(&effects).expect("saved").clone();
        now = next;
    }
    // 30 min, then doubling, capped at 4 hours.
    assert_eq!(intervals, [60, 120, 240, 240, 240, 240]);
    assert_eq!(told, 1, "told once that the wait is longer than promised (2 h)");
    let taken = taken_by(11, "Li");
    assert_eq!(sla_tick(&taken, &settings, now), [Effect::PingAt(None)]);
}

#[test]
fn a_closed_case_reopens_within_the_window() {
    let settings = settings();
    let closed = Escalation { status: Status::Closed, closed_at: Some(t0()), ..taken_by(11, "Li") };
    assert!(reopens(&closed, &settings, t0() + TimeDelta::days(7)));
    assert!(!reopens(&closed, &settings, t0() + TimeDelta::days(8)));
    let effects = reopen(&closed, &settings, t0() + TimeDelta::days(1));
    let after = saved(&effects).expect("saved");
    assert_eq!((after.status, after.closed_at), (Status::Taken, None));
    assert!(effects.contains(&Effect::Topic { open: true }));
}

#[test]
fn the_rules_hand_cases_to_a_person() {
    use crate::policy::{NextStep, RuleId};
    let decision = |verdict, cap: i64| Decision {
        verdict,
        rule: RuleId::QualityClaim,
        next: NextStep::Review,
        outcome: Outcome::ReturnRefund,
        deadline: None,
        window: None,
        review_by: None,
        return_shipping: None,
        freight_insurance: false,
        shipping_cash_back: false,
        refund_cap: Money::new(cap, Currency::CNY),
        refund_working_days: 3,
        facts: Vec::new(),
        still_possible: Vec::new(),
        rules_version: String::new(),
    };
    let mut settings = settings();
    settings.escalate.high_value = Some("1000".into());
    settings.escalate.not_eligible = true;
    let table = [
        (Reason::QualityDefect, Verdict::NeedsReview, 5_000, 0, Some(Why::Review)),
        (Reason::QualityDefect, Verdict::NeedsReview, 5_000, 1, Some(Why::RetentionDeclined)),
        (Reason::ChangedMind, Verdict::Approved, 100_001, 0, Some(Why::HighValue)),
        (Reason::ChangedMind, Verdict::Approved, 100_000, 0, None),
        (Reason::ChangedMind, Verdict::NotEligible, 5_000, 0, Some(Why::NotEligible)),
        (Reason::ServiceComplaint, Verdict::Approved, 5_000, 0, Some(Why::ServiceComplaint)),
    ];
    for (reason, verdict, cap, declined_offers, why) in table {
        let decision = decision(verdict, cap);
        let request = NewRequest { reason, decision: &decision, declined_offers };
        assert_eq!(trigger(request, &settings), why, "{reason:?} {verdict:?} {cap}");
    }
    let decision = decision(Verdict::NeedsReview, 5_000);
    let request = NewRequest { reason: Reason::QualityDefect, decision: &decision, declined_offers: 0 };
    assert_eq!(trigger(request, &Settings::default()), None, "no agents' group, nobody to hand it to");
}

#[test]
fn threats_are_recognised_in_either_language() {
    let settings = settings();
    for text in ["我要找律师", "再不退款就打12315", "I will SUE you", "calling a journalist"] {
        assert!(settings.is_threat(text), "{text}");
    }
    for text in ["谢谢", "the parcel is damaged", "", "there is an issue with the zip", "I'm not sure"] {
        assert!(!settings.is_threat(text), "{text}");
    }
    let no_group = Settings::default();
    assert!(no_group.mentions_threat("我要找律师") && !no_group.is_threat("我要找律师"), "flagged, not handed over");
}

#[test]
fn agents_settings_problems_name_their_key() {
    let bad = Settings { chat_id: Some(5), user_ids: vec![], ..Settings::default() };
    let problems = bad.problems(Currency::CNY).join("; ");
    assert!(problems.contains("agents.chat_id"), "{problems}");
    assert!(problems.contains("agents.user_ids"), "{problems}");
    assert!(settings().problems(Currency::CNY).is_empty());
}
