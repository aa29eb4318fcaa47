//! The questions: each step's prompt and its keyboard.

use crate::catalogue::{Button, ClaimLine, Msg};
use crate::order::OrderLine;
use crate::policy::Possible;
use crate::reason::Reason;

use super::buttons::Choice;
use super::turn::Turn;
use super::{Keys, Step};

/// The menu's question and buttons.
pub(super) fn menu_prompt(question: u32) -> (Vec<Msg>, Keys) {
    let rows = [
        (Msg::MenuNew, Choice::New),
        (Msg::MenuCases, Choice::Cases),
        (Msg::MenuAgent, Choice::Agent),
        (Msg::MenuLanguage, Choice::Language),
    ]
    .map(|(label, choice)| vec![Button { label, data: choice.encode(question) }]);
    (vec![Msg::MenuPrompt], Keys::Buttons(rows.to_vec()))
}

impl Turn<'_, '_> {
    /// The current step's question and its buttons; `None` when the step
    /// needs an order the facts do not have.
    pub(super) fn prompt(&self) -> Option<(Vec<Msg>, Keys)> {
        let button = |label: Msg, choice: Choice| Button { label, data: choice.encode(self.state.question) };
        let cancel = || vec![button(Msg::CancelButton, Choice::Cancel)];
        let with_cancel = |mut rows: Vec<Vec<Button>>| {
            rows.push(cancel());
            Keys::Buttons(rows)
        };
        let pairs = |buttons: Vec<Button>| buttons.chunks(2).map(<[Button]>::to_vec).collect::<Vec<_>>();
        let order = self.facts.order.as_ref().filter(|order| Some(&order.no) == self.state.draft.order.as_ref());
        let draft = &self.state.draft;
        let prompt = match &self.state.step {
            Step::Menu => menu_prompt(self.state.question),
            Step::OrderNo { misses } => {
                let keys = if *misses >= self.facts.setup.intake.order_number_misses {
                    Keys::Buttons(vec![vec![button(Msg::MenuAgent, Choice::Agent)]])
                } else if self.state.verified_phone.is_some() {
                    Keys::None
                } else {
                    Keys::ShareContact
                };
                (vec![Msg::AskOrderNo], keys)
            }
            Step::Proof { .. } if self.contact_only => (vec![Msg::ProofByContactOnly], Keys::ShareContact),
            Step::Proof { order } => (vec![Msg::AskProof { order: order.clone() }], Keys::RemoveShareContact),
            Step::PickOrder { orders } => {
                let rows = orders
                    .iter()
                    .enumerate()
                    .map(|(index, order)| {
                        let label = Msg::OrderButton {
                            order: order.no.clone(),
                            first_item: order.first_item.clone(),
                            lines: order.lines,
                            total: order.total,
                        };
                        vec![button(label, Choice::Order(index))]
                    })
                    .collect();
                (vec![Msg::PickOrder], with_cancel(rows))
            }
            Step::PickLine => {
                let order = order?;
                let rows = order
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(index, line)| vec![button(line_button(line), Choice::Line(index))]);
                (vec![Msg::PickLine { order: order.no.clone() }], with_cancel(rows.collect()))
            }
            Step::Claimed { cases } => {
                let order = order?;
                let line = self.current_line(order)?;
                let claims = self.facts.claims.iter().filter(|claim| claim.sku == line.sku);
                let lines = claims
                    .map(|claim| ClaimLine {
                        id: claim.id.clone(),
                        own: claim.own,
                        quantity: claim.quantity,
                        outcome: claim.outcome,
                        status: claim.status,
                    })
                    .collect();
                let said = Msg::UnitsClaimed { item: line.item_name.clone(), of: line.quantity, cases: lines };
                let mut rows: Vec<Vec<Button>> = cases
                    .iter()
                    .enumerate()
                    .map(|(index, id)| vec![button(Msg::AddToCaseButton { id: id.clone() }, Choice::AddTo(index))])
                    .collect();
                rows.push(vec![button(Msg::MenuAgent, Choice::Agent)]);
                if order.lines.len() > 1 {
                    rows.push(vec![button(Msg::OtherItemButton, Choice::Change)]);
                }
                (vec![said], with_cancel(rows))
            }
            Step::Refused { possible } => {
                let mut rows: Vec<Vec<Button>> = possible
                    .iter()
                    .enumerate()
                    .map(|(index, possible)| {
                        let label = match possible {
                            Possible::Exchange { .. } => Msg::ExchangeInsteadButton,
                            Possible::QualityClaim { .. } => Msg::QualityClaimButton,
                        };
                        vec![button(label, Choice::Instead(index))]
                    })
                    .collect();
                rows.push(vec![button(Msg::MenuAgent, Choice::Agent)]);
                (vec![Msg::WhatNow], with_cancel(rows))
            }
            Step::AddToCase { case } => {
                let rows = vec![
                    vec![button(Msg::FinishedAddingButton, Choice::Finished)],
                    vec![button(Msg::MenuAgent, Choice::Agent)],
                ];
                (vec![Msg::AskAddition { id: case.clone() }], Keys::Buttons(rows))
            }
            Step::Quantity => {
                let line = self.current_line(order?)?;
                let max = self.units_left(line);
                let numbers: Vec<Button> =
                    (1..=max.min(10)).map(|n| button(Msg::Quantity(n), Choice::Quantity(n))).collect();
                let rows = numbers.chunks(5).map(<[Button]>::to_vec).collect();
                (vec![Msg::AskQuantity { item: line.item_name.clone(), max }], with_cancel(rows))
            }
            Step::Reason => {
                let order = order?;
                let line = self.current_line(order)?;
                let reasons = self.reasons(order);
                let buttons =
                    reasons.into_iter().map(|reason| button(Msg::ReasonLabel(reason), Choice::Reason(reason)));
                // Before shipping nothing can be wrong with the item: ask why instead.
                let shipped = order.shipped_at.is_some();
                let ask = Msg::AskReason { item: line.item_name.clone(), shipped };
                (vec![ask], with_cancel(pairs(buttons.collect())))
            }
            Step::Detail => (vec![Msg::AskDetail], with_cancel(vec![vec![button(Msg::SkipButton, Choice::Skip)]])),
            Step::Evidence => {
                let range = self.photo_range();
                let have = draft.evidence.len();
                let kind =
                    draft.reason.and_then(Reason::evidence_kind).unwrap_or(crate::reason::EvidenceKind::AsReceived);
                let question = if have == 0 {
                    Msg::AskEvidence { kind, min: range.min, max: range.max }
                } else {
                    Msg::EvidenceReceived { have, min: range.min, max: range.max }
                };
                (vec![question], with_cancel(Vec::new()))
            }
            Step::Outcome => {
                let outcomes = self.offered_outcomes(order?);
                let buttons =
                    outcomes.into_iter().map(|outcome| button(Msg::OutcomeLabel(outcome), Choice::Outcome(outcome)));
                (vec![Msg::AskOutcome], with_cancel(pairs(buttons.collect())))
            }
            Step::Condition => {
                let line = self.current_line(order?)?;
                let rows = vec![
                    vec![button(Msg::ConditionIntactButton, Choice::Intact(true))],
                    vec![button(Msg::ConditionUsedButton, Choice::Intact(false))],
                ];
                (vec![Msg::AskCondition { item: line.item_name.clone() }], with_cancel(rows))
            }
            Step::Retention { offers } => {
                let offer = offers.first().and_then(|id| self.facts.setup.retention.offer(id))?;
                let said = Msg::RetentionOffer {
                    text: offer.text(self.state.lang).to_owned(),
                    kind: offer.kind,
                    value: offer.value_in(self.facts.setup.shop.currency),
                    first: draft.offers.is_empty(),
                };
                let mut rows = vec![vec![button(Msg::AcceptOfferButton { kind: offer.kind }, Choice::Accept)]];
                if offers.len() > 1 {
                    rows.push(vec![button(Msg::AnotherOfferButton, Choice::Another)]);
                }
                rows.push(vec![button(Msg::DeclineOfferButton, Choice::Decline)]);
                (vec![said], Keys::Buttons(rows))
            }
            Step::Confirm => {
                let order = order?;
                let line = self.current_line(order)?;
                let summary = Msg::Summary {
                    order: order.no.clone(),
                    item: line.item_name.clone(),
                    quantity: draft.quantity,
                    reason: draft.reason?,
                    detail: draft.detail.clone(),
                    photos: draft.evidence.len(),
                    outcome: draft.outcome?,
                    resale_intact: draft.resale_intact,
                };
                let rows = vec![
                    vec![button(Msg::ConfirmButton, Choice::Confirm)],
                    vec![button(Msg::ChangeButton, Choice::Change), button(Msg::CancelButton, Choice::Cancel)],
                ];
                (vec![summary], Keys::Buttons(rows))
            }
        };
        Some(prompt)
    }
}

/// A line of the order as its button names it.
pub(super) fn line_button(line: &OrderLine) -> Msg {
    Msg::LineButton { item: line.item_name.clone(), quantity: line.quantity, unit_price: line.unit_price }
}
