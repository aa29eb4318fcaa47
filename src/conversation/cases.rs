//! The customer's cases at rest: listing, showing, adding to them, and
//! bringing a person.

use crate::agents;
use crate::case::CaseId;
use crate::catalogue::{Button, CaseLine, CaseView, Msg};
use crate::escalation::Why;

use super::buttons::{CaseAct, Choice};
use super::turn::Turn;
use super::{Addition, Effect, Keys, Step};

/// The latest events a case's view tells.
const CASE_EVENTS_SHOWN: usize = 5;

impl Turn<'_, '_> {
    /// Records the addition on the case and asks for more.
    pub(super) fn add_to_case(&mut self, case: CaseId, addition: Addition) {
        self.effects.push(Effect::AddToCase { case: case.clone(), addition });
        self.ask(vec![Msg::AddedToCase { id: case }], None);
    }

    /// The customer's cases, a button for each to see it in full. The
    /// question in progress stays as it was, its buttons still good.
    pub(super) fn list_cases(&mut self, edit: Option<i32>) {
        if self.facts.cases.is_empty() {
            return self.ask_with(vec![Msg::NoCases], edit);
        }
        let lines: Vec<CaseLine> = self
            .facts
            .cases
            .iter()
            .map(|case| CaseLine {
                id: case.id.clone(),
                item: case.item_name.clone(),
                outcome: case.outcome,
                status: case.status,
                opened: self.local(case.created_at),
            })
            .collect();
        let rows = self
            .facts
            .cases
            .iter()
            .map(|case| {
                let label = Msg::CaseButton { id: case.id.clone(), item: case.item_name.clone() };
                vec![Button { label, data: Choice::Case(case.id.clone(), CaseAct::Show).encode(0) }]
            })
            .collect();
        let edit = edit.filter(|_| self.state.step == Step::Menu);
        self.reply(vec![Msg::Cases(lines)], Keys::Buttons(rows), edit);
    }

    /// A case's button: shown, added to or taken to a person, for the
    /// customer's own case as it stands now.
    pub(super) fn case_button(&mut self, id: CaseId, act: CaseAct) {
        let status = self.facts.case.as_ref().filter(|case| case.id == id).map(|case| case.status);
        match (act, status) {
            (CaseAct::Show, _) | (_, None) => self.show_case(id, Vec::new()),
            (CaseAct::Add, Some(status)) if status.takes_additions() => {
                self.reset();
                self.state.step = Step::AddToCase { case: id };
                self.ask(Vec::new(), None);
            }
            // Settled since the button was shown: say so, with the case as it is now.
            (CaseAct::Add, Some(_)) => self.show_case(id.clone(), vec![Msg::CaseNoLongerOpen { id }]),
            (CaseAct::Agent, Some(_)) => self.request_agent_about(Some(id), None, Why::CustomerAsked),
        }
    }

    /// One of the customer's cases in full, with the buttons that work for
    /// it now; any other id is not among theirs, whether it exists or not.
    pub(super) fn show_case(&mut self, id: CaseId, mut parts: Vec<Msg>) {
        let Some(case) = self.facts.case.as_ref().filter(|case| case.id == id) else {
            return self.ask_with(vec![Msg::NoSuchCase { id }], None);
        };
        let skipped = case.history.len().saturating_sub(CASE_EVENTS_SHOWN);
        let view = CaseView {
            id: case.id.clone(),
            order: case.order_no.clone(),
            item: case.item_name.clone(),
            quantity: case.quantity,
            reason: case.reason,
            outcome: case.outcome,
            status: case.status,
            opened: self.local(case.created_at),
            decision: self.decision_text(&case.decision),
            agent_decision: case.agent_decision().cloned(),
            next: case.next(),
            latest: case.history[skipped..]
                .iter()
                .map(|(at, milestone)| (self.local(*at), milestone.clone()))
                .collect(),
            earlier: skipped,
        };
        let button = |label: Msg, act: CaseAct| vec![Button { label, data: Choice::Case(id.clone(), act).encode(0) }];
        let mut rows = Vec::new();
        if case.status.takes_additions() {
            rows.push(button(Msg::AddToCaseButton { id: id.clone() }, CaseAct::Add));
        }
        rows.push(button(Msg::MenuAgent, CaseAct::Agent));
        rows.push(vec![Button { label: Msg::MenuCases, data: Choice::Cases.encode(0) }]);
        parts.push(Msg::CaseDetail(Box::new(view)));
        self.reply(parts, Keys::Buttons(rows), None);
    }

    pub(super) fn request_agent(&mut self, edit: Option<i32>, why: Why) {
        let in_view = match &self.state.step {
            Step::AddToCase { case } => Some(case.clone()),
            Step::Claimed { cases } => cases.first().cloned(),
            _ => None,
        };
        self.request_agent_about(in_view, edit, why);
    }

    /// A person for `in_view`, or else for the customer's open case.
    fn request_agent_about(&mut self, in_view: Option<CaseId>, edit: Option<i32>, why: Why) {
        let open = || self.facts.cases.iter().find(|case| !case.status.is_closed()).map(|case| case.id.clone());
        let case = in_view.or_else(open);
        self.effects.push(Effect::RequestAgent { case: case.clone(), why });
        let said = self.person_coming(case);
        match self.facts.setup.agents.chat_id {
            // A person has the chat now: no buttons that would only answer "paused".
            Some(_) => self.reply(vec![said], Keys::None, edit.filter(|_| self.state.step == Step::Menu)),
            // Nobody takes the chat over: the bot keeps serving it.
            None => self.ask_with(vec![said], edit),
        }
    }

    pub(super) fn person_coming(&self, case: Option<CaseId>) -> Msg {
        agents::person_coming(self.facts.setup.agents, &self.facts.setup.shop.contact, case)
    }
}
