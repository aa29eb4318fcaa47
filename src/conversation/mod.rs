//! The customer conversation as a pure state machine:
//! `step(state, input, facts) -> (state, effects)`. It reads no clock (the
//! time comes in the facts), does no I/O and knows no Telegram types; the
//! desk gathers the facts it [`needs`] and carries out its effects.

mod buttons;
mod cases;
mod evidence;
mod item;
mod offers;
mod outcome;
mod prompts;
mod proof;
#[cfg(test)]
mod tests;
mod turn;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agents;
use crate::calendar::Calendar;
use crate::case::{CaseDetail, CaseId, CaseSummary, Claim, Evidence, MediaKind, NewCase, StoredFile};
use crate::catalogue::{Button, Msg};
use crate::escalation::Why;
use crate::lang::Lang;
use crate::order::{Order, OrderNo, OrderSummary, Phone};
use crate::policy::{LineHistory, Outcome, Policy, PolicyRules, Possible};
use crate::reason::Reason;
use crate::retention::{self, OfferMade, Script};
use crate::setting::{Pattern, Span};
use crate::shop::Shop;
use crate::typed;

use buttons::Choice;
use prompts::menu_prompt;
use turn::Turn;

/// Everything the bot remembers about one customer's conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub lang: Lang,
    pub step: Step,
    pub draft: Draft,
    /// Bumped with every question asked; a question's buttons carry it, so
    /// a button from an older question is recognised as stale.
    pub question: u32,
    /// Set once the customer shared their own phone number.
    pub verified_phone: Option<Phone>,
    /// Inputs in a row the bot could not use; enough of them bring a person.
    #[serde(default)]
    pub fails: u8,
    /// The customer's message the bot answered last, while its question is
    /// still open (the desk notes it), so that an edit of it is read as a
    /// new answer.
    #[serde(default)]
    pub last_message: Option<i32>,
}

/// Where in the conversation the customer is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Menu,
    OrderNo {
        misses: u8,
    },
    /// The wrong answers so far come from the facts, not from here, so that
    /// starting over does not reset them.
    Proof {
        order: OrderNo,
    },
    PickOrder {
        orders: Vec<OrderSummary>,
    },
    PickLine,
    /// Every unit of the chosen line is in earlier cases; `cases` are the
    /// customer's own among them, which they may add to.
    Claimed {
        cases: Vec<CaseId>,
    },
    /// Whatever the customer sends now goes onto this case of theirs.
    AddToCase {
        case: CaseId,
    },
    /// A request was refused; the draft stays for what is still possible.
    Refused {
        possible: Vec<Possible>,
    },
    Quantity,
    Reason,
    Detail,
    Evidence,
    Outcome,
    /// The customer's word on the goods' condition (unused, tags, packaging).
    Condition,
    /// Retention offers still to make, the current one first.
    Retention {
        offers: Vec<String>,
    },
    Confirm,
}

impl Step {
    /// The question is answered with its buttons (typed numbers and labels
    /// press them), not with free text, an order number or phone digits.
    pub fn wants_buttons(&self) -> bool {
        !matches!(
            self,
            Step::Menu
                | Step::OrderNo { .. }
                | Step::Proof { .. }
                | Step::Detail
                | Step::Evidence
                | Step::AddToCase { .. }
        )
    }
}

/// The request being put together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub order: Option<OrderNo>,
    pub sku: Option<String>,
    pub quantity: u32,
    pub reason: Option<Reason>,
    pub detail: String,
    pub evidence: Vec<Evidence>,
    pub outcome: Option<Outcome>,
    pub resale_intact: Option<bool>,
    /// Offers made so far; each is made at most once per case.
    #[serde(default)]
    pub offers: Vec<OfferMade>,
}

/// What the customer did, in channel-neutral terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Command(Command),
    Text(String),
    /// A pressed button: its data, the id to answer it with, and the message
    /// it sits under (to edit that message in place).
    Button {
        data: String,
        callback_id: Option<String>,
        message_id: Option<i32>,
    },
    /// A shared contact; `own` when it is the sender's own number.
    Contact {
        phone: String,
        own: bool,
    },
    Media {
        kind: MediaKind,
        file_id: String,
        file_unique_id: String,
        media_group_id: Option<String>,
        stored: Option<StoredFile>,
        /// The words sent with it; on evidence they describe the problem.
        caption: Option<String>,
    },
    /// A sticker, voice message or anything else we cannot use.
    Unsupported,
    /// A file the channel looked at and found not to be a photo or video
    /// (`media::sniff`): never evidence, and never stored.
    NotEvidence,
    /// An edit of an earlier message, not the latest answer: not read again.
    Edited,
}

impl Input {
    /// The input as every matcher reads it: typed text, captions and phone numbers in
    /// [`typed::normalise`]d form (full-width digits, zero-width spaces …).
    pub fn normalised(self) -> Input {
        match self {
            Input::Text(text) => Input::Text(typed::normalise(&text)),
            Input::Contact { phone, own } => Input::Contact { phone: typed::normalise(&phone), own },
            Input::Media { caption: Some(caption), kind, file_id, file_unique_id, media_group_id, stored } => {
                let caption = Some(typed::normalise(&caption));
                Input::Media { kind, file_id, file_unique_id, media_group_id, stored, caption }
            }
            other => other,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Start,
    New,
    Cases,
    Agent,
    Lang,
    Cancel,
    Help,
}

impl Command {
    pub const ALL: [Command; 7] =
        [Command::Start, Command::New, Command::Cases, Command::Agent, Command::Lang, Command::Cancel, Command::Help];

    pub fn name(self) -> &'static str {
        match self {
            Command::Start => "start",
            Command::New => "new",
            Command::Cases => "cases",
            Command::Agent => "agent",
            Command::Lang => "lang",
            Command::Cancel => "cancel",
            Command::Help => "help",
        }
    }

    /// Reads "/cases" or "/cases@shop_bot"; anything else is not a command.
    pub fn parse(text: &str) -> Option<Command> {
        let word = text.trim().strip_prefix('/')?.split_whitespace().next()?;
        let name = word.split('@').next()?.to_ascii_lowercase();
        Command::ALL.into_iter().find(|command| command.name() == name)
    }
}

/// What the core asks the shell to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Reply(Reply),
    AnswerButton {
        callback_id: String,
        notice: Option<Msg>,
    },
    OpenCase(NewCase),
    /// Record something the customer sent on an existing case of theirs.
    AddToCase {
        case: CaseId,
        addition: Addition,
    },
    /// Hand the customer (and their case) to a person.
    RequestAgent {
        case: Option<CaseId>,
        why: Why,
    },
    LockOrder {
        order: OrderNo,
        until: DateTime<Utc>,
    },
    /// This wrong answer brought the order's wrong answers from all chats to
    /// the limit: it now takes only a shared phone number or a person, and
    /// the agents' group is told (once per window).
    ContactOnly {
        order: OrderNo,
    },
    Audit(Audit),
}

/// What a customer adds to an existing case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addition {
    Text(String),
    Evidence(Evidence),
}

/// A message to the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub parts: Vec<Msg>,
    pub keys: Keys,
    /// Replace this earlier message (the question whose button was pressed).
    pub edit: Option<i32>,
    /// Photos of one album share a reply: the latest replaces the earlier.
    pub album: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keys {
    None,
    Buttons(Vec<Vec<Button>>),
    ShareContact,
    RemoveShareContact,
}

/// Security-relevant events, logged by the shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audit {
    ProofFailed { order: OrderNo },
    ProofPassed { order: OrderNo, by_contact: bool },
    OrderLocked { order: OrderNo },
    ForeignContact,
}

/// What a conversation reads of the shop's settings; `Config::setup`
/// composes it.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    pub shop: &'a Shop,
    pub intake: &'a Intake,
    pub policy: &'a PolicyRules,
    pub calendar: &'a Calendar,
    pub retention: &'a Script,
    pub agents: &'a agents::Settings,
    /// The version of these rules (`Config::rules_version`), computed once.
    pub rules_version: &'a str,
}

impl<'a> Setup<'a> {
    /// The policy requests are decided under.
    pub fn decider(&self) -> Policy<'a> {
        Policy::new(self.policy, self.calendar, self.shop.timezone.0, self.rules_version)
    }
}

/// `[intake]`: how the conversation takes a request in.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Intake {
    /// What an order number looks like; the whole input must match.
    pub order_number_pattern: Pattern,
    /// Unknown order numbers before a person is offered.
    pub order_number_misses: u8,
    /// Wrong phone digits before the order is locked for this chat.
    pub proof_attempts: u8,
    pub proof_lock: Span,
    /// Wrong answers about one order from all chats together within
    /// `proof_window` that leave it open only to a shared phone number or a
    /// person (one person with many accounts gets no more tries), and alert
    /// the agents' group.
    pub proof_order_limit: u32,
    pub proof_window: Span,
    /// Longer free texts are refused politely (Telegram allows 4096).
    pub max_text_chars: usize,
    /// Photos of one album arrive as separate updates; the reply waits this
    /// long after the last one so that the album gets one answer.
    pub album_quiet: Span,
    /// Orders offered as buttons after the customer shares their phone.
    pub recent_orders: u32,
}

impl Default for Intake {
    fn default() -> Self {
        Intake {
            order_number_pattern: Pattern::default(),
            order_number_misses: 3,
            proof_attempts: 3,
            proof_lock: Span(Duration::from_secs(3600)),
            proof_order_limit: 10,
            proof_window: Span(Duration::from_secs(24 * 3600)),
            max_text_chars: 1000,
            album_quiet: Span(Duration::from_millis(1500)),
            recent_orders: 5,
        }
    }
}

/// The facts the shell fetched for this step (see [`needs`]).
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub setup: Setup<'a>,
    pub now: DateTime<Utc>,
    pub first_name: &'a str,
    /// The order the input or the draft refers to, if it exists.
    pub order: Option<Order>,
    /// Until when that order is locked for this customer, if it is.
    pub order_locked_until: Option<DateTime<Utc>>,
    /// Wrong answers about that order's phone digits so far.
    pub wrong_answers: WrongAnswers,
    /// Orders on a phone number the customer just shared.
    pub phone_orders: Vec<OrderSummary>,
    /// The customer's cases, newest first.
    pub cases: Vec<CaseSummary>,
    /// The case the input names ([`Needs::case`]), if it is this customer's.
    pub case: Option<CaseDetail>,
    /// The id the next case will get.
    pub next_case_id: CaseId,
    /// What earlier cases did to each line of the order, by SKU.
    pub line_history: HashMap<String, LineHistory>,
    /// The cases holding units of the order's lines, oldest first.
    pub claims: Vec<Claim>,
    /// The customer's history that retention offers depend on.
    pub retention: retention::History,
}

/// Wrong answers about one order's phone digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WrongAnswers {
    /// From this chat within `intake.proof_lock`.
    pub here: u32,
    /// From all chats within `intake.proof_window`.
    pub everywhere: u32,
}

/// What the shell must look up before calling [`step`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub order: Option<OrderNo>,
    pub phone_orders: Option<Phone>,
    /// A case id typed at rest or carried by a case's button.
    pub case: Option<CaseId>,
}

impl Conversation {
    pub fn new(lang: Lang) -> Conversation {
        Conversation {
            lang,
            step: Step::Menu,
            draft: Draft::default(),
            question: 0,
            verified_phone: None,
            fails: 0,
            last_message: None,
        }
    }
}

/// The facts `step` will need for this input.
pub fn needs(state: &Conversation, input: &Input, intake: &Intake) -> Needs {
    let typed_order = match (&state.step, input) {
        (Step::Menu | Step::OrderNo { .. }, Input::Text(text)) => {
            typed_order(text, &intake.order_number_pattern.0).map(|(order, _)| order)
        }
        (Step::PickOrder { orders }, Input::Button { data, .. }) => match Choice::parse(data) {
            Some((Some(question), Choice::Order(index))) if question == state.question => {
                orders.get(index).map(|order| order.no.clone())
            }
            _ => None,
        },
        _ => None,
    };
    let order = match &state.step {
        Step::Proof { order, .. } => Some(order.clone()),
        _ => typed_order.or_else(|| state.draft.order.clone()),
    };
    let phone_orders = match input {
        Input::Contact { phone, own: true } => Phone::parse(phone),
        _ => None,
    };
    let case = match (&state.step, input) {
        (Step::Menu, Input::Text(text)) => typed_case(text),
        // Where the question wants a button, a case id typed alone is about that case.
        (step, Input::Text(text)) if step.wants_buttons() => CaseId::parse(text.trim()),
        (_, Input::Button { data, .. }) => match Choice::parse(data) {
            Some((_, Choice::Case(id, _))) => Some(id),
            _ => None,
        },
        _ => None,
    };
    Needs { order, phone_orders, case }
}

/// Words around a case id that still make a question about it ("what
/// about AS-1001?", "AS1001怎么样了"); a longer message is about something else.
const CASE_QUESTION_WORDS: usize = 8;

/// The case a message at rest asks about: a case id alone, or in a short
/// sentence. It wins over an order number, which an id may look like.
pub fn typed_case(text: &str) -> Option<CaseId> {
    CaseId::parse(text).or_else(|| CaseId::find_in(text).filter(|_| typed::words(text) <= CASE_QUESTION_WORDS))
}

/// The order number a text is or contains, with the rest of the text.
fn typed_order(text: &str, pattern: &regex::Regex) -> Option<(OrderNo, String)> {
    OrderNo::parse(text, pattern).map(|order| (order, String::new())).or_else(|| OrderNo::find_in(text, pattern))
}

/// One step of the conversation.
pub fn step(state: Conversation, input: Input, facts: &Facts<'_>) -> (Conversation, Vec<Effect>) {
    let contact_only = facts.wrong_answers.everywhere >= facts.setup.intake.proof_order_limit;
    let mut turn = Turn { state, facts, effects: Vec::new(), failed: false, contact_only, album: None };
    turn.handle(input);
    turn.count_failures();
    (turn.state, turn.effects)
}

/// The bot takes the conversation back from a person: a fresh start at the
/// menu, in the customer's language, after `notice`.
pub fn resume(state: Conversation, notice: Msg) -> (Conversation, Vec<Effect>) {
    let mut state = Conversation { step: Step::Menu, draft: Draft::default(), fails: 0, last_message: None, ..state };
    state.question = state.question.wrapping_add(1);
    let (mut parts, keys) = menu_prompt(state.question);
    parts.insert(0, notice);
    (state, vec![Effect::Reply(Reply { parts, keys, edit: None, album: None })])
}
