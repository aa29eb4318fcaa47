//! Retention offers made before the summary, and the customer's answers.

use crate::catalogue::Msg;
use crate::order::Order;
use crate::policy::Outcome;
use crate::retention::{self, Offer, OfferKind, OfferMade, OfferResult};

use super::buttons::Choice;
use super::turn::Turn;
use super::{Effect, Step};

impl Turn<'_, '_> {
    /// Runs the retention script where it applies, else goes to the summary.
    pub(super) fn before_confirm(&mut self, order: &Order, prefix: Vec<Msg>, edit: Option<i32>) {
        let offers = self.retention_offers(order);
        self.state.step = if offers.is_empty() { Step::Confirm } else { Step::Retention { offers } };
        self.ask(prefix, edit);
    }

    /// The ids of the offers to make on this draft, in the script's order.
    fn retention_offers(&self, order: &Order) -> Vec<String> {
        let (Some(line), Some(reason), Some(decision)) =
            (self.current_line(order), self.state.draft.reason, self.decision(order))
        else {
            return Vec::new();
        };
        if !retention::applies(order, reason, &decision) {
            return Vec::new();
        }
        let exchange_possible = self.state.draft.outcome != Some(Outcome::Exchange)
            && self.offered_outcomes(order).contains(&Outcome::Exchange);
        let script = self.facts.setup.retention;
        let made = &self.state.draft.offers;
        retention::offers_for(script, order, &line.category, reason, exchange_possible, &self.facts.retention)
            .into_iter()
            .filter(|offer| made.iter().all(|made| made.offer_id != offer.id))
            .map(|offer| offer.id.clone())
            .collect()
    }

    pub(super) fn retention_answer(
        &mut self,
        order: &Order,
        mut offers: Vec<String>,
        choice: Choice,
        edit: Option<i32>,
    ) {
        let script = self.facts.setup.retention;
        let Some(offer) = offers.first().and_then(|id| script.offer(id)) else {
            // The script changed under the customer's feet: go on without it.
            return self.before_confirm(order, Vec::new(), edit);
        };
        let result = if choice == Choice::Accept { OfferResult::Accepted } else { OfferResult::Declined };
        let value = offer.value_in(self.facts.setup.shop.currency);
        self.state.draft.offers.push(OfferMade { offer_id: offer.id.clone(), kind: offer.kind, value, result });
        match choice {
            Choice::Accept if offer.kind == OfferKind::OtherStyle => {
                self.state.draft.outcome = Some(Outcome::Exchange);
                self.state.step = Step::Confirm;
                self.ask(vec![Msg::OtherStyleChosen], edit);
            }
            Choice::Accept => self.retained(order, offer, edit),
            Choice::Another if offers.len() > 1 => {
                offers.remove(0);
                self.state.step = Step::Retention { offers };
                self.ask(Vec::new(), edit);
            }
            _ => {
                self.state.step = Step::Confirm;
                self.ask(vec![Msg::OfferDeclined], edit);
            }
        }
    }

    /// The customer keeps the goods: the case is opened closed, as retained.
    fn retained(&mut self, order: &Order, offer: &Offer, edit: Option<i32>) {
        let Some(case) = self.new_case(order) else { return self.ask_again(Msg::StaleButton) };
        let said = Msg::Retained {
            id: case.id.clone(),
            text: offer.text(self.state.lang).to_owned(),
            kind: offer.kind,
            value: offer.value_in(self.facts.setup.shop.currency),
        };
        self.effects.push(Effect::OpenCase(case));
        self.reset();
        self.menu(vec![said], edit);
    }
}
