//! One turn of the conversation: the input dispatched to its stage's
//! handler, and how every handler asks the next question.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::case::{CaseId, Evidence};
use crate::catalogue::{self, Button, Msg};
use crate::escalation::Why;
use crate::lang::Lang;
use crate::order::OrderLine;
use crate::typed::{self, Picked};

use super::buttons::Choice;
use super::prompts::line_button;
use super::{
    Addition, Audit, Command, Conversation, Draft, Effect, Facts, Input, Keys, Reply, Step, typed_case, typed_order,
};

/// One input being handled: the state as it changes, the facts it reads
/// and the effects so far.
pub(super) struct Turn<'f, 'c> {
    pub(super) state: Conversation,
    pub(super) facts: &'f Facts<'c>,
    pub(super) effects: Vec<Effect>,
    /// This input could not be used.
    pub(super) failed: bool,
    /// The order in question takes no typed digits any more.
    pub(super) contact_only: bool,
    /// The album the input belongs to: every reply to it shares the album's
    /// one answer, the latest replacing the earlier.
    pub(super) album: Option<String>,
}

impl Turn<'_, '_> {
    pub(super) fn handle(&mut self, input: Input) {
        match input {
            Input::Command(command) => self.command(command),
            Input::Button { data, callback_id, message_id } => self.button(&data, callback_id, message_id),
            Input::Text(text) => self.text(text),
            Input::Contact { phone, own } => self.contact(&phone, own),
            Input::Media { kind, file_id, file_unique_id, media_group_id, stored, caption } => {
                let received_at = self.facts.now;
                self.album.clone_from(&media_group_id);
                let evidence = Evidence { kind, file_id, file_unique_id, media_group_id, received_at, stored };
                self.media(evidence, caption.as_deref())
            }
            Input::Unsupported => {
                let notice = if self.state.step == Step::Evidence { Msg::NotAPhoto } else { Msg::Unsupported };
                self.ask_again(notice)
            }
            Input::NotEvidence => {
                let notice = if self.takes_media() { Msg::NotEvidence } else { Msg::UnexpectedMedia };
                self.ask_again(notice)
            }
            // Said plainly, or the customer would wait for an answer to it.
            Input::Edited => self.ask_again(Msg::EditNotRead),
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Start => {
                self.reset();
                let greeting =
                    Msg::Greeting { name: self.facts.first_name.to_owned(), shop: self.facts.setup.shop.name.clone() };
                self.menu(vec![greeting], None);
            }
            Command::New => self.start_intake(None),
            Command::Cases => self.list_cases(None),
            Command::Agent => self.request_agent(None, Why::CustomerAsked),
            Command::Lang => self.language_prompt(None),
            Command::Cancel => {
                self.reset();
                self.menu(vec![Msg::Cancelled], None);
            }
            Command::Help => self.ask_again(Msg::Help),
        }
    }

    pub(super) fn button(&mut self, data: &str, callback_id: Option<String>, message_id: Option<i32>) {
        let parsed = Choice::parse(data);
        let current = match &parsed {
            Some((Some(question), _)) => *question == self.state.question,
            Some((None, _)) => true,
            None => false,
        };
        match parsed.filter(|_| current) {
            Some((_, choice)) => self.choice(choice, message_id),
            None => self.ask_again(Msg::StaleButton),
        }
        // Answered after the reply: a chat's calls go one at a time, so the
        // reply does not wait for the answer's round trip, and the client's
        // spinner stops as the reply arrives.
        if let Some(callback_id) = callback_id {
            let notice = (!current).then_some(Msg::StaleButton);
            self.effects.push(Effect::AnswerButton { callback_id, notice });
        }
    }

    /// A button's choice on the current question.
    fn choice(&mut self, choice: Choice, message_id: Option<i32>) {
        match choice {
            Choice::New => self.start_intake(message_id),
            Choice::Cases => self.list_cases(message_id),
            Choice::Agent => self.request_agent(message_id, Why::CustomerAsked),
            Choice::Language => self.language_prompt(message_id),
            Choice::SetLang(lang) => {
                self.state.lang = lang;
                self.ask_again(Msg::LanguageSet)
            }
            Choice::Case(id, act) => self.case_button(id, act),
            Choice::Cancel => {
                // Under a refusal the case is already submitted: nothing to cancel.
                let submitted = matches!(self.state.step, Step::Refused { .. });
                self.reset();
                let notice = if submitted { Vec::new() } else { vec![Msg::Cancelled] };
                self.menu(notice, message_id);
            }
            choice => self.flow_choice(choice, message_id),
        }
    }

    /// A choice that answers the current question.
    fn flow_choice(&mut self, choice: Choice, message_id: Option<i32>) {
        let order = self.facts.order.as_ref();
        match (&self.state.step, choice, order) {
            (Step::PickOrder { .. }, Choice::Order(_), Some(order)) => {
                self.effects.push(Effect::Audit(Audit::ProofPassed { order: order.no.clone(), by_contact: true }));
                self.order_proven(order, message_id);
            }
            (Step::PickLine, Choice::Line(index), Some(order)) if index < order.lines.len() => {
                let line = &order.lines[index];
                let chosen = Msg::Chosen(Box::new(line_button(line)));
                self.line_chosen(line, chosen, message_id);
            }
            (Step::Claimed { cases }, Choice::AddTo(index), _) if index < cases.len() => {
                self.state.step = Step::AddToCase { case: cases[index].clone() };
                self.ask(Vec::new(), message_id);
            }
            (Step::Claimed { .. }, Choice::Change, Some(order)) if order.lines.len() > 1 => {
                self.state.step = Step::PickLine;
                self.ask(Vec::new(), message_id);
            }
            (Step::Refused { possible }, Choice::Instead(index), Some(order)) if index < possible.len() => {
                let possible = possible[index];
                self.instead(order, possible, message_id);
            }
            (Step::AddToCase { case }, Choice::Finished, _) => {
                let case = case.clone();
                self.reset();
                self.menu(vec![Msg::AdditionsDone { id: case }], message_id);
            }
            (Step::Quantity, Choice::Quantity(quantity), Some(order)) => {
                let max = self.current_line(order).map_or(0, |line| self.units_left(line));
                if (1..=max).contains(&quantity) {
                    self.state.draft.quantity = quantity;
                    self.state.step = Step::Reason;
                    let line =
                        self.current_line(order).map(|line| line_button(&OrderLine { quantity, ..line.clone() }));
                    self.ask(line.map(|line| Msg::Chosen(Box::new(line))).into_iter().collect(), message_id);
                } else {
                    self.ask_again(Msg::StaleButton);
                }
            }
            (Step::Reason, Choice::Reason(reason), Some(order)) if self.reasons(order).contains(&reason) => {
                self.state.draft.reason = Some(reason);
                let chosen = vec![Msg::Chosen(Box::new(Msg::ReasonLabel(reason)))];
                // The photo question takes the description too (a caption or
                // a typed line), and words the customer already gave need no question.
                if self.photo_range().min > 0 || !self.state.draft.detail.is_empty() {
                    return self.after_detail(chosen, message_id);
                }
                self.state.step = Step::Detail;
                self.ask(chosen, message_id);
            }
            (Step::Detail, Choice::Skip, Some(_)) => self.after_detail(Vec::new(), message_id),
            (Step::Outcome, Choice::Outcome(outcome), Some(order))
                if self.offered_outcomes(order).contains(&outcome) =>
            {
                self.state.draft.outcome = Some(outcome);
                let chosen = Msg::Chosen(Box::new(Msg::OutcomeLabel(outcome)));
                self.after_outcome(order, vec![chosen], message_id);
            }
            (Step::Condition, Choice::Intact(intact), Some(order)) => {
                self.state.draft.resale_intact = Some(intact);
                let label = if intact { Msg::ConditionIntactButton } else { Msg::ConditionUsedButton };
                self.before_confirm(order, vec![Msg::Chosen(Box::new(label))], message_id);
            }
            (
                Step::Retention { offers },
                choice @ (Choice::Accept | Choice::Another | Choice::Decline),
                Some(order),
            ) => {
                let offers = offers.clone();
                self.retention_answer(order, offers, choice, message_id);
            }
            (Step::Confirm, Choice::Confirm, Some(order)) => self.confirm(order, message_id),
            (Step::Confirm, Choice::Change, Some(order)) => {
                // Offers already made stay made: each is offered once per case.
                self.state.draft.reason = None;
                self.state.draft.detail.clear();
                self.state.draft.outcome = None;
                self.state.draft.resale_intact = None;
                self.state.step = if order.lines.len() > 1 { Step::PickLine } else { Step::Reason };
                self.ask(Vec::new(), message_id);
            }
            _ => self.ask_again(Msg::StaleButton),
        }
    }

    pub(super) fn text(&mut self, text: String) {
        let max = self.facts.setup.intake.max_text_chars;
        if text.chars().count() > max {
            return self.ask_again(Msg::TextTooLong { max });
        }
        let text = text.trim();
        if self.facts.setup.agents.asks_for_person(text) {
            return self.request_agent(None, Why::CustomerAsked);
        }
        if self.facts.setup.agents.is_threat(text) {
            return self.request_agent(None, Why::Threat);
        }
        if self.state.step == Step::Menu
            && let Some(id) = typed_case(text)
        {
            return self.show_case(id, Vec::new());
        }
        let typed = typed_order(text, &self.facts.setup.intake.order_number_pattern.0);
        match self.state.step.clone() {
            // At rest, an order number alone or one of the shop's orders named
            // in a sentence starts a request; other words get the menu.
            Step::Menu
                if typed.as_ref().is_some_and(|(order, rest)| {
                    rest.is_empty() || self.facts.order.as_ref().is_some_and(|known| known.no == *order)
                }) =>
            {
                self.state.draft = Draft::default();
                self.order_number(typed, 0);
            }
            Step::OrderNo { misses } => {
                self.state.draft = Draft::default();
                self.order_number(typed, misses);
            }
            Step::Proof { order } => self.proof(text, order),
            Step::Quantity => match text.parse::<u32>() {
                Ok(quantity) => {
                    let line = self.facts.order.as_ref().and_then(|order| self.current_line(order));
                    let max = line.map(|line| self.units_left(line));
                    match max {
                        Some(max) if !(1..=max).contains(&quantity) => {
                            self.ask_again(Msg::NumberOutOfRange { max: max as usize })
                        }
                        _ => self.flow_choice(Choice::Quantity(quantity), None),
                    }
                }
                Err(_) => self.typed_button(text, Msg::UseButtons),
            },
            // Free text describes the problem, unless it is a button's whole label ("skip").
            Step::Detail | Step::Evidence => {
                match self.buttons().into_iter().find(|(label, _)| typed::is_label(text, label)) {
                    Some((_, data)) => self.button(&data, None, None),
                    None if text.is_empty() => self.ask_again(Msg::UseButtons),
                    None if self.state.step == Step::Evidence => {
                        self.add_detail(text);
                        self.ask(vec![Msg::DetailNoted], None);
                    }
                    None => {
                        self.add_detail(text);
                        self.after_detail(Vec::new(), None);
                    }
                }
            }
            // Whatever is typed here goes onto the case, unless it names a button ("done").
            Step::AddToCase { case } => {
                match self.buttons().into_iter().find(|(label, _)| typed::is_label(text, label)) {
                    Some((_, data)) => self.button(&data, None, None),
                    None if text.is_empty() => self.ask_again(Msg::UseButtons),
                    None => self.add_to_case(case, Addition::Text(text.to_owned())),
                }
            }
            _ => self.typed_button(text, Msg::UseButtons),
        }
    }

    /// A typed number or (part of a) label presses the button it names; a
    /// number no button has gets the numbers there are; anything else gets
    /// `otherwise` and the question again.
    fn typed_button(&mut self, text: &str, otherwise: Msg) {
        let buttons = self.buttons();
        let labels: Vec<&str> = buttons.iter().map(|(label, _)| label.as_str()).collect();
        match typed::pick(text, &labels) {
            Picked::Button(index) => self.button(&buttons[index].1, None, None),
            Picked::OutOfRange { max } => self.ask_again(Msg::NumberOutOfRange { max }),
            Picked::Nothing => match CaseId::parse(text) {
                // A case id typed in the middle of a request: its view, the request kept.
                Some(id) => self.show_case(id, Vec::new()),
                None => self.ask_again(otherwise),
            },
        }
    }

    /// The current question's buttons in reading order: each label as the
    /// customer reads it, and the button's data.
    fn buttons(&self) -> Vec<(String, String)> {
        let Some((_, Keys::Buttons(rows))) = self.prompt() else { return Vec::new() };
        let lang = self.state.lang;
        rows.into_iter().flatten().map(|button| (catalogue::render(lang, &button.label), button.data)).collect()
    }

    /// Enough unusable inputs in a row bring a person (when the shop wants that).
    pub(super) fn count_failures(&mut self) {
        self.state.fails = if self.failed { self.state.fails.saturating_add(1) } else { 0 };
        let agents = self.facts.setup.agents;
        let limit = agents.escalate.failed_inputs;
        if agents.chat_id.is_some() && limit > 0 && self.state.fails >= limit {
            self.state.fails = 0;
            self.request_agent(None, Why::FailedInputs);
        }
    }

    fn language_prompt(&mut self, edit: Option<i32>) {
        let buttons = [Lang::Zh, Lang::En]
            .map(|lang| Button { label: Msg::LanguageName(lang), data: Choice::SetLang(lang).encode(0) });
        self.reply(vec![Msg::LanguagePrompt], Keys::Buttons(vec![buttons.to_vec()]), edit);
    }

    pub(super) fn reset(&mut self) {
        self.state.step = Step::Menu;
        self.state.draft = Draft::default();
    }

    pub(super) fn menu(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        self.state.step = Step::Menu;
        self.ask(prefix, edit);
    }

    /// Tells the customer something, then asks the current question again.
    pub(super) fn ask_again(&mut self, notice: Msg) {
        self.failed |= matches!(
            notice,
            Msg::UseButtons
                | Msg::Unsupported
                | Msg::NotAPhoto
                | Msg::NotEvidence
                | Msg::StaleButton
                | Msg::TextTooLong { .. }
                | Msg::OrderNoMalformed
                | Msg::ProofMalformed
                | Msg::UnexpectedMedia
                | Msg::NumberOutOfRange { .. }
        );
        self.ask(vec![notice], None);
    }

    /// Like `ask_again`, editing the pressed message when there is one and
    /// the customer is at the menu (their place in a flow stays below).
    pub(super) fn ask_with(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        let edit = edit.filter(|_| self.state.step == Step::Menu);
        self.ask(prefix, edit);
    }

    /// Asks the current step's question, after `prefix`. Every question gets
    /// a new number, which makes the buttons of earlier ones stale.
    pub(super) fn ask(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        self.state.question = self.state.question.wrapping_add(1);
        self.put(prefix, edit);
    }

    /// Puts the current question, under its current number, after `parts`.
    pub(super) fn put(&mut self, mut parts: Vec<Msg>, edit: Option<i32>) {
        let (prompt, keys) = match self.prompt() {
            Some(prompt) => prompt,
            None => {
                // The order behind the draft is gone from the store.
                self.reset();
                self.prompt().unwrap_or((Vec::new(), Keys::None))
            }
        };
        parts.extend(prompt);
        let edit = match keys {
            Keys::ShareContact | Keys::RemoveShareContact => None,
            _ => edit,
        };
        self.effects.push(Effect::Reply(Reply { parts, keys, edit, album: self.album.clone() }));
    }

    pub(super) fn reply(&mut self, parts: Vec<Msg>, keys: Keys, edit: Option<i32>) {
        self.effects.push(Effect::Reply(Reply { parts, keys, edit, album: None }));
    }

    pub(super) fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.facts.setup.shop.timezone.0).naive_local()
    }
}
