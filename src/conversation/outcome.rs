//! Outcome and confirmation: what the customer wants, the goods' condition,
//! the engine's decision and the case it opens.

use crate::agents::{self, NewRequest};
use crate::case::NewCase;
use crate::catalogue::{DecisionText, Msg};
use crate::order::Order;
use crate::policy::{self, Decision, Outcome, Possible, Request};
use crate::reason::{Reason, ReasonClass};
use crate::retention::OfferResult;

use super::turn::Turn;
use super::{Effect, Keys, Step};

impl Turn<'_, '_> {
    /// A return or exchange for a subjective reason that the rules would
    /// approve asks for the goods' condition, which the approval depends on.
    pub(super) fn after_outcome(&mut self, order: &Order, prefix: Vec<Msg>, edit: Option<i32>) {
        let draft = &self.state.draft;
        let subjective = draft.reason.is_some_and(|reason| reason.class() == ReasonClass::Subjective);
        let sends_back = matches!(draft.outcome, Some(Outcome::ReturnRefund | Outcome::Exchange));
        let approvable = || self.decision(order).is_some_and(|decision| decision.verdict == policy::Verdict::Approved);
        if subjective && sends_back && draft.resale_intact.is_none() && approvable() {
            self.state.step = Step::Condition;
            return self.ask(prefix, edit);
        }
        self.before_confirm(order, prefix, edit);
    }

    pub(super) fn confirm(&mut self, order: &Order, edit: Option<i32>) {
        let Some(case) = self.new_case(order) else { return self.ask_again(Msg::StaleButton) };
        let declined_offers = case.offers.iter().filter(|offer| offer.result == OfferResult::Declined).count();
        let request = NewRequest { reason: case.reason, decision: &case.decision, declined_offers };
        let escalate = agents::trigger(request, self.facts.setup.agents);
        let mut decision = self.decision_text(&case.decision);
        if escalate.is_some() {
            // A person takes it from here: no buttons for the alternatives.
            decision.still_possible.clear();
        }
        let mut said = vec![Msg::CaseOpened { id: case.id.clone(), decision }];
        let id = case.id.clone();
        let possible = case.decision.still_possible.clone();
        self.effects.push(Effect::OpenCase(case));
        match escalate {
            Some(why) => {
                self.reset();
                self.effects.push(Effect::RequestAgent { case: Some(id.clone()), why });
                said.push(self.person_coming(Some(id)));
                // The menu's buttons would only answer "paused" until the person is done.
                self.state.step = Step::Menu;
                self.reply(said, Keys::None, edit);
            }
            // A refusal offers what is still possible, one tap each; the
            // draft stays, so the customer need not tell it all again.
            None if !possible.is_empty() => {
                self.state.step = Step::Refused { possible };
                self.ask(said, edit);
            }
            None => {
                self.reset();
                self.menu(said, edit);
            }
        }
    }

    /// The customer takes what a refusal said is still possible: the same
    /// item and words, as an exchange or as a quality claim.
    pub(super) fn instead(&mut self, order: &Order, possible: Possible, edit: Option<i32>) {
        let draft = &mut self.state.draft;
        draft.outcome = None;
        draft.resale_intact = None;
        draft.offers.clear();
        match possible {
            Possible::Exchange { .. } => {
                draft.outcome = Some(Outcome::Exchange);
                let chosen = vec![Msg::Chosen(Box::new(Msg::ExchangeInsteadButton))];
                self.after_outcome(order, chosen, edit);
            }
            Possible::QualityClaim { .. } => {
                draft.reason = Some(Reason::QualityDefect);
                let chosen = vec![Msg::Chosen(Box::new(Msg::QualityClaimButton))];
                self.after_detail(chosen, edit);
            }
        }
    }

    /// The case the draft makes, with the engine's decision on it.
    pub(super) fn new_case(&self, order: &Order) -> Option<NewCase> {
        let draft = &self.state.draft;
        let line = self.current_line(order)?;
        Some(NewCase {
            id: self.facts.next_case_id.clone(),
            order_no: order.no.clone(),
            sku: line.sku.clone(),
            quantity: draft.quantity,
            reason: draft.reason?,
            detail: draft.detail.clone(),
            outcome: draft.outcome?,
            decision: self.decision(order)?,
            evidence: draft.evidence.clone(),
            resale_intact: draft.resale_intact,
            offers: draft.offers.clone(),
        })
    }

    /// The engine's decision on the draft as it stands.
    pub(super) fn decision(&self, order: &Order) -> Option<Decision> {
        let draft = &self.state.draft;
        let line = self.current_line(order)?;
        let request = Request {
            order,
            line,
            quantity: draft.quantity,
            reason: draft.reason?,
            outcome: draft.outcome?,
            photos: draft.evidence.len(),
            resale_intact: draft.resale_intact,
            history: &self.line_history(line),
            at: self.facts.now,
        };
        Some(policy::decide(&request, &self.facts.setup.decider()))
    }

    pub(super) fn offered_outcomes(&self, order: &Order) -> Vec<Outcome> {
        let (Some(reason), Some(line)) = (self.state.draft.reason, self.current_line(order)) else {
            return Vec::new();
        };
        policy::outcomes_for(order, reason, &self.line_history(line), self.facts.setup.policy)
    }

    pub(super) fn decision_text(&self, decision: &Decision) -> DecisionText {
        DecisionText::new(decision, self.facts.setup.shop.timezone.0)
    }
}
