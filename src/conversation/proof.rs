//! Order and proof: the order number the customer types, the phone digits
//! or the shared contact that prove it is theirs.

use crate::catalogue::Msg;
use crate::order::{Order, OrderNo, OrderStage, Phone};

use super::turn::Turn;
use super::{Audit, Draft, Effect, Keys, Step};

impl Turn<'_, '_> {
    /// The order number the customer typed, with the rest of their words
    /// (kept as the request's description).
    pub(super) fn order_number(&mut self, typed: Option<(OrderNo, String)>, misses: u8) {
        let intake = self.facts.setup.intake;
        let Some((typed, words)) = typed else {
            self.state.step = Step::OrderNo { misses };
            return self.ask_again(Msg::OrderNoMalformed);
        };
        self.add_detail(&words);
        let Some(order) = self.facts.order.as_ref().filter(|order| order.no == typed) else {
            let misses = misses.saturating_add(1);
            self.state.step = Step::OrderNo { misses };
            let tries_left = intake.order_number_misses.saturating_sub(misses);
            return self.ask_again(Msg::OrderNotFound { order: typed.to_string(), tries_left });
        };
        if let Some(until) = self.facts.order_locked_until.filter(|until| *until > self.facts.now) {
            self.state.step = Step::OrderNo { misses };
            return self.ask_again(Msg::OrderLocked { until: self.local(until) });
        }
        let owner = self.state.verified_phone.as_ref().is_some_and(|phone| phone.same_line_as(&order.phone));
        if owner {
            self.effects.push(Effect::Audit(Audit::ProofPassed { order: order.no.clone(), by_contact: true }));
            return self.order_proven(order, None);
        }
        self.state.step = Step::Proof { order: order.no.clone() };
        self.ask(Vec::new(), None);
    }

    pub(super) fn proof(&mut self, text: &str, order_no: OrderNo) {
        let Some(order) = self.facts.order.as_ref().filter(|order| order.no == order_no) else {
            self.reset();
            return self.menu(vec![Msg::OrderNotFound { order: order_no.to_string(), tries_left: 1 }], None);
        };
        // Locked meanwhile (the conversation waited here while the lock was set).
        if let Some(until) = self.facts.order_locked_until.filter(|until| *until > self.facts.now) {
            self.state.step = Step::OrderNo { misses: 0 };
            return self.ask(vec![Msg::OrderLocked { until: self.local(until) }], None);
        }
        // Too many guesses from all chats: digits are not even compared, so
        // guessing further teaches nothing.
        if self.contact_only {
            return self.ask(Vec::new(), None);
        }
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return self.ask_again(Msg::ProofMalformed);
        }
        if text == order.phone.last4() {
            self.effects.push(Effect::Audit(Audit::ProofPassed { order: order_no, by_contact: false }));
            return self.order_proven(order, None);
        }
        self.effects.push(Effect::Audit(Audit::ProofFailed { order: order_no.clone() }));
        let intake = self.facts.setup.intake;
        if self.facts.wrong_answers.everywhere.saturating_add(1) >= intake.proof_order_limit {
            self.effects.push(Effect::ContactOnly { order: order_no.clone() });
            self.contact_only = true;
        }
        let wrong = self.facts.wrong_answers.here.saturating_add(1);
        let attempts = u32::from(intake.proof_attempts);
        if wrong < attempts {
            let tries_left = if self.contact_only { 0 } else { u8::try_from(attempts - wrong).unwrap_or(u8::MAX) };
            return self.ask_again(Msg::ProofWrong { tries_left });
        }
        let until = self.facts.now + intake.proof_lock.chrono();
        self.effects.push(Effect::LockOrder { order: order_no.clone(), until });
        self.effects.push(Effect::Audit(Audit::OrderLocked { order: order_no }));
        self.state.step = Step::OrderNo { misses: 0 };
        self.ask(vec![Msg::ProofLockedNow { until: self.local(until) }], None);
    }

    pub(super) fn contact(&mut self, phone: &str, own: bool) {
        let phone = Phone::parse(phone).filter(|_| own);
        let Some(phone) = phone else {
            if !own {
                self.effects.push(Effect::Audit(Audit::ForeignContact));
            }
            return self.ask_again(Msg::ContactNotOwn);
        };
        self.state.verified_phone = Some(phone.clone());
        if !matches!(self.state.step, Step::Menu | Step::OrderNo { .. } | Step::Proof { .. } | Step::PickOrder { .. }) {
            return self.ask_again(Msg::ContactVerified);
        }
        self.reply(vec![Msg::ContactVerified], Keys::RemoveShareContact, None);
        // The order being proven is on this phone: the contact is the proof
        // (the one proof left once an order takes no typed digits).
        let facts = self.facts;
        let proven = match &self.state.step {
            Step::Proof { order: no } => facts.order.as_ref().filter(|order| order.no == *no),
            _ => None,
        };
        if let Some(order) = proven.filter(|order| phone.same_line_as(&order.phone)) {
            self.effects.push(Effect::Audit(Audit::ProofPassed { order: order.no.clone(), by_contact: true }));
            return self.order_proven(order, None);
        }
        self.state.draft = Draft::default();
        if self.facts.phone_orders.is_empty() {
            self.state.step = Step::OrderNo { misses: 0 };
            return self.ask(vec![Msg::ContactNoOrders], None);
        }
        self.state.step = Step::PickOrder { orders: self.facts.phone_orders.clone() };
        self.ask(Vec::new(), None);
    }

    pub(super) fn start_intake(&mut self, edit: Option<i32>) {
        self.state.draft = Draft::default();
        self.state.step = Step::OrderNo { misses: 0 };
        self.ask(Vec::new(), edit);
    }

    pub(super) fn order_proven(&mut self, order: &Order, edit: Option<i32>) {
        let detail = std::mem::take(&mut self.state.draft.detail);
        self.state.draft = Draft { order: Some(order.no.clone()), detail, ..Draft::default() };
        if order.stage() == OrderStage::Unpaid {
            self.reset();
            return self.menu(vec![Msg::OrderUnpaid { order: order.no.clone() }], edit);
        }
        match order.lines.as_slice() {
            [line] => self.line_chosen(line, None, edit),
            _ => {
                self.state.step = Step::PickLine;
                self.ask(Vec::new(), edit);
            }
        }
    }
}
