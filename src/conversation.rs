//! The customer conversation as a pure state machine:
//! `step(state, input, facts) -> (state, effects)`. It reads no clock (the
//! time comes in the facts), does no I/O and knows no Telegram types; the
//! desk gathers the facts it [`needs`] and carries out its effects.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agents::{self, NewRequest};
use crate::calendar::Calendar;
use crate::case::{CaseDetail, CaseId, CaseSummary, Claim, Evidence, MediaKind, NewCase, StoredFile};
use crate::catalogue::{self, Button, CaseLine, CaseView, ClaimLine, DecisionText, Msg};
use crate::escalation::Why;
use crate::lang::Lang;
use crate::order::{Order, OrderLine, OrderNo, OrderStage, OrderSummary, Phone};
use crate::policy::{self, Decision, LineHistory, Outcome, Policy, PolicyRules, Possible, Request};
use crate::reason::{Reason, ReasonClass};
use crate::retention::Script;
use crate::retention::{self, Offer, OfferKind, OfferMade, OfferResult};
use crate::setting::{Pattern, Span};
use crate::shop::Shop;
use crate::typed::{self, Picked};

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

/// The latest events a case's view tells.
const CASE_EVENTS_SHOWN: usize = 5;

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

/// The menu's question and buttons.
fn menu_prompt(question: u32) -> (Vec<Msg>, Keys) {
    let rows = [
        (Msg::MenuNew, Choice::New),
        (Msg::MenuCases, Choice::Cases),
        (Msg::MenuAgent, Choice::Agent),
        (Msg::MenuLanguage, Choice::Language),
    ]
    .map(|(label, choice)| vec![Button { label, data: choice.encode(question) }]);
    (vec![Msg::MenuPrompt], Keys::Buttons(rows.to_vec()))
}

/// A button's meaning. Flow buttons carry the question they belong to; menu
/// and language buttons work whenever they are pressed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Choice {
    New,
    Cases,
    Agent,
    Language,
    SetLang(Lang),
    Order(usize),
    Line(usize),
    AddTo(usize),
    /// Nothing more to add to the case.
    Finished,
    /// Take what a refusal said is still possible (its index).
    Instead(usize),
    /// A case's own button: it works whenever pressed, for the case it names.
    Case(CaseId, CaseAct),
    Quantity(u32),
    Reason(Reason),
    Outcome(Outcome),
    Skip,
    Intact(bool),
    Accept,
    Another,
    Decline,
    Confirm,
    Change,
    Cancel,
}

/// What a case's button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseAct {
    Show,
    Add,
    Agent,
}

impl CaseAct {
    const ALL: [CaseAct; 3] = [CaseAct::Show, CaseAct::Add, CaseAct::Agent];

    fn code(self) -> &'static str {
        match self {
            CaseAct::Show => "show",
            CaseAct::Add => "add",
            CaseAct::Agent => "agent",
        }
    }
}

impl Choice {
    fn encode(&self, question: u32) -> String {
        let flow = |tail: String| format!("q{question}:{tail}");
        match self {
            Choice::New => "m:new".into(),
            Choice::Cases => "m:cases".into(),
            Choice::Agent => "m:agent".into(),
            Choice::Language => "m:lang".into(),
            Choice::SetLang(lang) => format!("l:{}", lang.code()),
            Choice::Case(id, act) => format!("c:{}:{}", act.code(), id),
            Choice::Order(index) => flow(format!("o:{index}")),
            Choice::Line(index) => flow(format!("i:{index}")),
            Choice::AddTo(index) => flow(format!("a:{index}")),
            Choice::Finished => flow("fin".into()),
            Choice::Instead(index) => flow(format!("s:{index}")),
            Choice::Quantity(n) => flow(format!("n:{n}")),
            Choice::Reason(reason) => flow(format!("r:{}", reason.code())),
            Choice::Outcome(outcome) => flow(format!("u:{}", outcome.code())),
            Choice::Skip => flow("skip".into()),
            Choice::Intact(intact) => flow(format!("c:{}", u8::from(*intact))),
            Choice::Accept => flow("accept".into()),
            Choice::Another => flow("another".into()),
            Choice::Decline => flow("decline".into()),
            Choice::Confirm => flow("yes".into()),
            Choice::Change => flow("change".into()),
            Choice::Cancel => flow("cancel".into()),
        }
    }

    /// The question number (for flow buttons) and the choice.
    fn parse(data: &str) -> Option<(Option<u32>, Choice)> {
        let (head, tail) = data.split_once(':')?;
        match head {
            "m" => {
                let choice = match tail {
                    "new" => Choice::New,
                    "cases" => Choice::Cases,
                    "agent" => Choice::Agent,
                    "lang" => Choice::Language,
                    _ => return None,
                };
                Some((None, choice))
            }
            "l" => Some((None, Choice::SetLang(Lang::from_code(tail)?))),
            "c" => {
                let (act, id) = tail.split_once(':')?;
                let act = CaseAct::ALL.into_iter().find(|known| known.code() == act)?;
                Some((None, Choice::Case(CaseId::parse(id)?, act)))
            }
            _ => {
                let question = head.strip_prefix('q')?.parse().ok()?;
                let (kind, value) = tail.split_once(':').unwrap_or((tail, ""));
                let choice = match kind {
                    "o" => Choice::Order(value.parse().ok()?),
                    "i" => Choice::Line(value.parse().ok()?),
                    "a" => Choice::AddTo(value.parse().ok()?),
                    "fin" => Choice::Finished,
                    "s" => Choice::Instead(value.parse().ok()?),
                    "n" => Choice::Quantity(value.parse().ok()?),
                    "r" => Choice::Reason(Reason::from_code(value)?),
                    "u" => Choice::Outcome(Outcome::from_code(value)?),
                    "skip" => Choice::Skip,
                    "c" => Choice::Intact(match value {
                        "1" => true,
                        "0" => false,
                        _ => return None,
                    }),
                    "accept" => Choice::Accept,
                    "another" => Choice::Another,
                    "decline" => Choice::Decline,
                    "yes" => Choice::Confirm,
                    "change" => Choice::Change,
                    "cancel" => Choice::Cancel,
                    _ => return None,
                };
                Some((Some(question), choice))
            }
        }
    }
}

struct Turn<'f, 'c> {
    state: Conversation,
    facts: &'f Facts<'c>,
    effects: Vec<Effect>,
    /// This input could not be used.
    failed: bool,
    /// The order in question takes no typed digits any more.
    contact_only: bool,
    /// The album the input belongs to: every reply to it shares the album's
    /// one answer, the latest replacing the earlier.
    album: Option<String>,
}

impl Turn<'_, '_> {
    fn handle(&mut self, input: Input) {
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

    fn button(&mut self, data: &str, callback_id: Option<String>, message_id: Option<i32>) {
        let parsed = Choice::parse(data);
        let current = match &parsed {
            Some((Some(question), _)) => *question == self.state.question,
            Some((None, _)) => true,
            None => false,
        };
        if let Some(callback_id) = callback_id {
            let notice = (!current).then_some(Msg::StaleButton);
            self.effects.push(Effect::AnswerButton { callback_id, notice });
        }
        let Some((_, choice)) = parsed.filter(|_| current) else {
            return self.ask_again(Msg::StaleButton);
        };
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
}

impl Turn<'_, '_> {
    fn text(&mut self, text: String) {
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

    /// Records the addition on the case and asks for more.
    fn add_to_case(&mut self, case: CaseId, addition: Addition) {
        self.effects.push(Effect::AddToCase { case: case.clone(), addition });
        self.ask(vec![Msg::AddedToCase { id: case }], None);
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
            Picked::Nothing => self.ask_again(otherwise),
        }
    }

    /// The current question's buttons in reading order: each label as the
    /// customer reads it, and the button's data.
    fn buttons(&self) -> Vec<(String, String)> {
        let Some((_, Keys::Buttons(rows))) = self.prompt() else { return Vec::new() };
        let lang = self.state.lang;
        rows.into_iter().flatten().map(|button| (catalogue::render(lang, &button.label), button.data)).collect()
    }

    /// The order number the customer typed, with the rest of their words
    /// (kept as the request's description).
    fn order_number(&mut self, typed: Option<(OrderNo, String)>, misses: u8) {
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

    fn proof(&mut self, text: &str, order_no: OrderNo) {
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

    fn contact(&mut self, phone: &str, own: bool) {
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

    /// A photo or video. The photo question ends by itself once enough have
    /// come; earlier ones (sent with the first words) and later ones (the
    /// rest of the album, or an afterthought) are still added while the
    /// request is being made, up to the maximum.
    fn media(&mut self, evidence: Evidence, caption: Option<&str>) {
        if let Step::AddToCase { case } = &self.state.step {
            let case = case.clone();
            if let Some(caption) = caption.map(str::trim).filter(|caption| !caption.is_empty()) {
                self.effects
                    .push(Effect::AddToCase { case: case.clone(), addition: Addition::Text(caption.to_owned()) });
            }
            return self.add_to_case(case, Addition::Evidence(evidence));
        }
        if !self.takes_media() {
            return self.ask_again(Msg::UnexpectedMedia);
        }
        let collecting = self.state.step == Step::Evidence;
        if let Some(caption) = caption {
            self.add_detail(caption);
        }
        let range = self.photo_range();
        let evidence_list = &mut self.state.draft.evidence;
        let duplicate = evidence_list.iter().any(|seen| seen.file_unique_id == evidence.file_unique_id);
        let full = evidence_list.len() >= usize::from(range.max);
        if !full && !duplicate {
            evidence_list.push(evidence);
        }
        let have = evidence_list.len();
        let notice = match full && !duplicate {
            true => Msg::EvidenceFull { max: range.max },
            false => Msg::EvidenceReceived { have, min: range.min, max: range.max },
        };
        if !collecting {
            // The same question again, under the same number: its buttons
            // already on the screen stay good.
            return self.put(vec![notice], None);
        }
        if self.evidence_complete() {
            return self.after_evidence(vec![notice], None);
        }
        self.ask(Vec::new(), None);
    }

    /// Whether a photo now is evidence: for a case of the customer's, at the
    /// photo question, and kept for it before (sent with the first words)
    /// and after (the rest of an album, an afterthought).
    fn takes_media(&self) -> bool {
        match self.state.step {
            Step::AddToCase { .. } | Step::Evidence => true,
            Step::PickLine | Step::Quantity | Step::Reason | Step::Detail => true,
            Step::Outcome | Step::Condition | Step::Retention { .. } | Step::Confirm => self.photo_range().min > 0,
            _ => false,
        }
    }

    /// Adds the customer's own words to the request's description.
    fn add_detail(&mut self, words: &str) {
        let words = words.trim();
        let detail = &mut self.state.draft.detail;
        if words.is_empty() || detail.contains(words) {
            return;
        }
        if !detail.is_empty() {
            detail.push_str(" / ");
        }
        detail.push_str(words);
        let max = self.facts.setup.intake.max_text_chars;
        if detail.chars().count() > max {
            *detail = detail.chars().take(max).collect();
        }
    }

    fn start_intake(&mut self, edit: Option<i32>) {
        self.state.draft = Draft::default();
        self.state.step = Step::OrderNo { misses: 0 };
        self.ask(Vec::new(), edit);
    }

    fn order_proven(&mut self, order: &Order, edit: Option<i32>) {
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

    /// One unit, one claim: units already in cases are not offered again;
    /// with none left, the customer sees the cases that hold them.
    fn line_chosen(&mut self, line: &OrderLine, prefix: impl Into<Option<Msg>>, edit: Option<i32>) {
        self.state.draft.sku = Some(line.sku.clone());
        self.state.draft.quantity = 1;
        let mut parts: Vec<Msg> = prefix.into().into_iter().collect();
        let left = self.units_left(line);
        let claims: Vec<&Claim> = self.facts.claims.iter().filter(|claim| claim.sku == line.sku).collect();
        if left == 0 {
            let own = claims.iter().filter(|claim| claim.own).map(|claim| claim.id.clone()).collect();
            self.state.step = Step::Claimed { cases: own };
            return self.ask(parts, edit);
        }
        if left < line.quantity {
            let cases = claims.iter().map(|claim| claim.id.clone()).collect();
            parts.push(Msg::UnitsPartlyClaimed { item: line.item_name.clone(), left, of: line.quantity, cases });
        }
        self.state.step = if left > 1 { Step::Quantity } else { Step::Reason };
        self.ask(parts, edit);
    }

    fn units_left(&self, line: &OrderLine) -> u32 {
        self.line_history(line).units_left(line.quantity)
    }

    /// Photos next, unless the reason needs none or they are all here
    /// (kept from before the customer changed the request).
    fn after_detail(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        if self.photo_range().min == 0 || self.evidence_complete() {
            return self.after_evidence(prefix, edit);
        }
        self.state.step = Step::Evidence;
        self.ask(prefix, edit);
    }

    fn after_evidence(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        let Some(order) = self.facts.order.as_ref() else { return self.ask_again(Msg::StaleButton) };
        let offered = self.offered_outcomes(order);
        if let [only] = offered.as_slice() {
            self.state.draft.outcome = Some(*only);
            return self.after_outcome(order, prefix, edit);
        }
        self.state.step = Step::Outcome;
        self.ask(prefix, edit);
    }

    /// A return or exchange for a subjective reason that the rules would
    /// approve asks for the goods' condition, which the approval depends on.
    fn after_outcome(&mut self, order: &Order, prefix: Vec<Msg>, edit: Option<i32>) {
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

    /// Runs the retention script where it applies, else goes to the summary.
    fn before_confirm(&mut self, order: &Order, prefix: Vec<Msg>, edit: Option<i32>) {
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

    fn retention_answer(&mut self, order: &Order, mut offers: Vec<String>, choice: Choice, edit: Option<i32>) {
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

    fn confirm(&mut self, order: &Order, edit: Option<i32>) {
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
    fn instead(&mut self, order: &Order, possible: Possible, edit: Option<i32>) {
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
    fn new_case(&self, order: &Order) -> Option<NewCase> {
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
    fn decision(&self, order: &Order) -> Option<Decision> {
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

    fn line_history(&self, line: &OrderLine) -> LineHistory {
        self.facts.line_history.get(&line.sku).cloned().unwrap_or_default()
    }

    /// The customer's cases, a button for each to see it in full. The
    /// question in progress stays as it was, its buttons still good.
    fn list_cases(&mut self, edit: Option<i32>) {
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
    fn case_button(&mut self, id: CaseId, act: CaseAct) {
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
    fn show_case(&mut self, id: CaseId, mut parts: Vec<Msg>) {
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

    fn request_agent(&mut self, edit: Option<i32>, why: Why) {
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

    fn person_coming(&self, case: Option<CaseId>) -> Msg {
        agents::person_coming(self.facts.setup.agents, &self.facts.setup.shop.contact, case)
    }

    /// Enough unusable inputs in a row bring a person (when the shop wants that).
    fn count_failures(&mut self) {
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

    fn reset(&mut self) {
        self.state.step = Step::Menu;
        self.state.draft = Draft::default();
    }

    fn menu(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        self.state.step = Step::Menu;
        self.ask(prefix, edit);
    }

    /// Tells the customer something, then asks the current question again.
    fn ask_again(&mut self, notice: Msg) {
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
    fn ask_with(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        let edit = edit.filter(|_| self.state.step == Step::Menu);
        self.ask(prefix, edit);
    }

    /// Asks the current step's question, after `prefix`. Every question gets
    /// a new number, which makes the buttons of earlier ones stale.
    fn ask(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        self.state.question = self.state.question.wrapping_add(1);
        self.put(prefix, edit);
    }

    /// Puts the current question, under its current number, after `parts`.
    fn put(&mut self, mut parts: Vec<Msg>, edit: Option<i32>) {
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

    fn reply(&mut self, parts: Vec<Msg>, keys: Keys, edit: Option<i32>) {
        self.effects.push(Effect::Reply(Reply { parts, keys, edit, album: None }));
    }

    /// The current step's question and its buttons; `None` when the step
    /// needs an order the facts do not have.
    fn prompt(&self) -> Option<(Vec<Msg>, Keys)> {
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

    /// The reasons that fit the chosen item at the order's stage.
    fn reasons(&self, order: &Order) -> Vec<Reason> {
        let Some(line) = self.current_line(order) else { return Vec::new() };
        policy::reasons_for(order.stage(), &self.facts.setup.policy.category(&line.category))
    }

    fn current_line<'o>(&self, order: &'o Order) -> Option<&'o OrderLine> {
        self.state.draft.sku.as_deref().and_then(|sku| order.line(sku))
    }

    fn photo_range(&self) -> policy::PhotoRange {
        let reason = self.state.draft.reason.unwrap_or(Reason::ChangedMind);
        policy::photos_needed(reason, self.facts.setup.policy)
    }

    fn evidence_complete(&self) -> bool {
        let have = self.state.draft.evidence.len();
        have >= usize::from(self.photo_range().min)
    }

    fn offered_outcomes(&self, order: &Order) -> Vec<Outcome> {
        let (Some(reason), Some(line)) = (self.state.draft.reason, self.current_line(order)) else {
            return Vec::new();
        };
        policy::outcomes_for(order, reason, &self.line_history(line), self.facts.setup.policy)
    }

    fn decision_text(&self, decision: &Decision) -> DecisionText {
        DecisionText::new(decision, self.facts.setup.shop.timezone.0)
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.facts.setup.shop.timezone.0).naive_local()
    }
}

fn line_button(line: &OrderLine) -> Msg {
    Msg::LineButton { item: line.item_name.clone(), quantity: line.quantity, unit_price: line.unit_price }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseSummary;
    use crate::config::Config;
    use crate::money::{Currency, Money};
    use crate::policy::Verdict;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).expect("test time")
    }

    fn line(sku: &str, item: &str, quantity: u32, yuan: i64) -> OrderLine {
        OrderLine {
            sku: sku.into(),
            item_name: item.into(),
            category: "apparel".into(),
            quantity,
            unit_price: Money::new(yuan * 100, Currency::CNY),
        }
    }

    fn order(no: &str, phone: &str, lines: Vec<OrderLine>, delivered: Option<&str>) -> Order {
        Order {
            no: OrderNo::from_trusted(no),
            phone: Phone::parse(phone).expect("phone"),
            customer_name: "李雷".into(),
            currency: Currency::CNY,
            lines,
            paid_at: Some(at("2026-03-01T10:00:00+08:00")),
            shipped_at: Some(at("2026-03-01T18:00:00+08:00")),
            delivered_at: delivered.map(at),
            carrier: None,
            tracking_no: None,
            freight_insurance: false,
        }
    }

    /// The conversation with a small shop around it: the facts it needs,
    /// and what its effects did.
    struct World {
        config: Config,
        now: DateTime<Utc>,
        orders: Vec<Order>,
        locks: Vec<(OrderNo, DateTime<Utc>)>,
        /// Wrong answers from this chat, as the store keeps them.
        failures: Vec<(OrderNo, DateTime<Utc>)>,
        /// Wrong answers from other chats (within the window).
        elsewhere: u32,
        opened: Vec<NewCase>,
        /// Opened cases closed since.
        settled: Vec<CaseId>,
        agent_requests: usize,
        state: Conversation,
        last_buttons: Vec<Button>,
    }

    impl World {
        fn new() -> World {
            World {
                config: Config::default(),
                now: at("2026-03-03T10:00:00+08:00"),
                orders: vec![
                    order(
                        "TB-100001",
                        "13800138000",
                        vec![line("JK-1", "羊毛外套", 1, 399)],
                        Some("2026-03-02T15:00:00+08:00"),
                    ),
                    order(
                        "TB-100002",
                        "13800138000",
                        vec![line("JK-2", "风衣", 1, 599), line("TS-1", "T恤", 2, 99)],
                        Some("2026-03-02T15:00:00+08:00"),
                    ),
                    order("TB-100003", "13900139000", vec![line("MG-1", "马克杯", 1, 59)], None),
                ],
                locks: Vec::new(),
                failures: Vec::new(),
                elsewhere: 0,
                opened: Vec::new(),
                settled: Vec::new(),
                agent_requests: 0,
                state: Conversation::new(Lang::En),
                last_buttons: Vec::new(),
            }
        }

        fn send(&mut self, input: Input) -> Vec<Effect> {
            let needs = needs(&self.state, &input, &self.config.intake);
            let order = needs.order.as_ref().and_then(|no| self.orders.iter().find(|o| &o.no == no).cloned());
            let locked =
                order.as_ref().and_then(|o| self.locks.iter().find(|(no, _)| *no == o.no).map(|(_, until)| *until));
            let wrong_answers = match &order {
                Some(o) => {
                    let since = self.now - self.config.intake.proof_lock.chrono();
                    let here = self.failures.iter().filter(|(no, at)| *no == o.no && *at >= since).count() as u32;
                    WrongAnswers { here, everywhere: here + self.elsewhere }
                }
                None => WrongAnswers::default(),
            };
            let phone_orders = needs
                .phone_orders
                .as_ref()
                .map(|phone| {
                    self.orders.iter().filter(|o| o.phone.same_line_as(phone)).map(OrderSummary::from).collect()
                })
                .unwrap_or_default();
            let cases: Vec<CaseSummary> = self
                .opened
                .iter()
                .rev()
                .map(|case| CaseSummary {
                    id: case.id.clone(),
                    order_no: case.order_no.clone(),
                    item_name: String::new(),
                    reason: case.reason,
                    outcome: case.outcome,
                    status: self.status(case),
                    created_at: self.now,
                })
                .collect();
            // The store answers only for the customer's own cases: all of `opened`.
            let case = needs.case.as_ref().and_then(|id| self.opened.iter().find(|case| case.id == *id)).map(|case| {
                CaseDetail {
                    id: case.id.clone(),
                    order_no: case.order_no.clone(),
                    item_name: "羊毛外套".into(),
                    quantity: case.quantity,
                    reason: case.reason,
                    outcome: case.outcome,
                    status: self.status(case),
                    created_at: self.now,
                    decision: case.decision.clone(),
                    history: vec![(self.now, crate::case::Milestone::Opened)],
                }
            });
            let mut line_history: HashMap<String, LineHistory> = HashMap::new();
            let mut claims = Vec::new();
            for case in self.opened.iter().filter(|case| order.as_ref().is_some_and(|o| o.no == case.order_no)) {
                let history = line_history.entry(case.sku.clone()).or_default();
                if case.outcome == Outcome::Exchange && case.status() != crate::case::CaseStatus::NotEligible {
                    history.exchanges += 1;
                }
                // As the store counts them: open or approved cases hold their units.
                let status = case.status();
                if case.outcome.claims_units()
                    && matches!(status, crate::case::CaseStatus::NeedsReview | crate::case::CaseStatus::Approved)
                {
                    history.claimed_units += case.quantity;
                    let (id, sku, quantity, outcome) = (case.id.clone(), case.sku.clone(), case.quantity, case.outcome);
                    claims.push(Claim { id, sku, quantity, status, outcome, own: true });
                }
            }
            let accepted_recently = self
                .opened
                .iter()
                .flat_map(|case| &case.offers)
                .filter(|offer| offer.result == OfferResult::Accepted)
                .map(|offer| offer.offer_id.clone())
                .collect();
            let rules_version = self.config.rules_version();
            let facts = Facts {
                line_history,
                claims,
                retention: retention::History { past_cases: self.opened.len() as u32, accepted_recently },
                setup: self.config.setup(&rules_version),
                now: self.now,
                first_name: "Lei",
                order,
                order_locked_until: locked,
                wrong_answers,
                phone_orders,
                cases,
                case,
                next_case_id: CaseId::from_seq(1001 + self.opened.len() as i64),
            };
            let (state, effects) = step(self.state.clone(), input, &facts);
            self.state = state;
            for effect in &effects {
                match effect {
                    Effect::OpenCase(case) => self.opened.push(case.clone()),
                    Effect::LockOrder { order, until } => self.locks.push((order.clone(), *until)),
                    Effect::Audit(Audit::ProofFailed { order }) => self.failures.push((order.clone(), self.now)),
                    Effect::RequestAgent { .. } => self.agent_requests += 1,
                    Effect::Reply(Reply { keys: Keys::Buttons(rows), .. }) => {
                        self.last_buttons = rows.iter().flatten().cloned().collect();
                        for button in &self.last_buttons {
                            assert!(button.data.len() <= 64, "callback data over 64 bytes: {}", button.data);
                        }
                    }
                    _ => {}
                }
            }
            effects
        }

        fn text(&mut self, text: &str) -> Vec<Effect> {
            self.send(Input::Text(text.into()))
        }

        fn status(&self, case: &NewCase) -> crate::case::CaseStatus {
            match self.settled.contains(&case.id) {
                true => crate::case::CaseStatus::Closed,
                false => case.status(),
            }
        }

        fn command(&mut self, command: Command) -> Vec<Effect> {
            self.send(Input::Command(command))
        }

        /// Presses the button of the last question whose label is `label`.
        fn press(&mut self, label: Msg) -> Vec<Effect> {
            let button = self.last_buttons.iter().find(|b| b.label == label).cloned();
            let button = button.unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.last_buttons));
            self.send(Input::Button { data: button.data, callback_id: Some("cb".into()), message_id: Some(7) })
        }

        fn photo(&mut self, unique: &str, album: Option<&str>) -> Vec<Effect> {
            self.captioned_photo(unique, album, None)
        }

        fn captioned_photo(&mut self, unique: &str, album: Option<&str>, caption: Option<&str>) -> Vec<Effect> {
            self.send(
                Input::Media {
                    kind: MediaKind::Photo,
                    file_id: format!("file-{unique}"),
                    file_unique_id: unique.into(),
                    media_group_id: album.map(Into::into),
                    stored: None,
                    caption: caption.map(Into::into),
                }
                // As the desk hands it over.
                .normalised(),
            )
        }

        /// An album as Telegram delivers it: one input per photo, the caption on the first.
        fn album(&mut self, id: &str, uniques: &[&str], caption: Option<&str>) -> Vec<Effect> {
            let mut effects = Vec::new();
            for (index, unique) in uniques.iter().enumerate() {
                effects = self.captioned_photo(unique, Some(id), caption.filter(|_| index == 0));
            }
            effects
        }
    }

    fn said(effects: &[Effect]) -> Vec<Msg> {
        effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Reply(reply) => Some(reply.parts.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn says(effects: &[Effect], wanted: impl Fn(&Msg) -> bool) -> bool {
        said(effects).iter().any(wanted)
    }

    /// Opens the single-line order TB-100001 up to the reason question.
    fn at_reason(world: &mut World) {
        world.command(Command::New);
        world.text("tb-100001");
        world.text("8000");
        assert_eq!(world.state.step, Step::Reason);
    }

    #[test]
    fn a_damaged_item_case_is_opened_with_photos_and_goes_to_review() {
        let mut world = World::new();
        let mut actions = 0;
        let mut act = |world: &mut World, f: &dyn Fn(&mut World) -> Vec<Effect>| {
            actions += 1;
            f(world)
        };
        act(&mut world, &|w| w.text("TB-100001 arrived broken"));
        act(&mut world, &|w| w.text("8000"));
        act(&mut world, &|w| w.press(Msg::ReasonLabel(Reason::DamagedInTransit)));
        let summary = act(&mut world, &|w| w.album("album-1", &["p1", "p2", "p3"], Some("the box was crushed")));
        assert!(says(&summary, |m| *m == Msg::AskOutcome), "the photo question ended by itself: {summary:?}");
        act(&mut world, &|w| w.press(Msg::OutcomeLabel(Outcome::Reship)));
        let effects = act(&mut world, &|w| w.press(Msg::ConfirmButton));
        assert_eq!(actions, 6, "customer actions to open a damaged-item case (an album is one)");
        let [case] = world.opened.as_slice() else { panic!("one case expected, got {:?}", world.opened) };
        assert_eq!(case.id, CaseId::from_seq(1001));
        assert_eq!(case.reason, Reason::DamagedInTransit);
        assert_eq!(case.outcome, Outcome::Reship);
        assert_eq!(case.evidence.len(), 3);
        assert_eq!(case.detail, "arrived broken / the box was crushed", "the first words and the caption");
        assert_eq!(case.decision.verdict, Verdict::NeedsReview);
        assert!(says(&effects, |msg| matches!(msg, Msg::CaseOpened { id, .. } if *id == case.id)));
        assert_eq!(world.state.step, Step::Menu);
    }

    #[test]
    fn an_order_number_typed_at_rest_starts_a_request_for_it() {
        let mut world = World::new();
        world.text("tb-100001");
        assert!(matches!(world.state.step, Step::Proof { .. }), "the very first message");
        world.command(Command::Start);
        world.text("订单 TB-100001，花瓶碎了");
        assert!(matches!(world.state.step, Step::Proof { .. }), "after the greeting, inside a sentence");
        assert_eq!(world.state.draft.detail, "订单 花瓶碎了");
        world.text("8000");
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        assert_eq!(world.state.step, Step::Outcome, "the words already describe it: no description asked");
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
        world.press(Msg::DeclineOfferButton);
        world.press(Msg::ConfirmButton);
        assert_eq!(world.opened[0].detail, "订单 花瓶碎了");
        assert_eq!(world.state.step, Step::Menu);
        world.text("TB-100002");
        assert!(matches!(world.state.step, Step::Proof { .. }), "after a case was opened");
        assert_eq!(world.state.draft.detail, "", "nothing of the earlier request is carried over");

        let mut world = World::new();
        let effects = world.text("my order 20260301 never came");
        assert!(says(&effects, |m| *m == Msg::UseButtons), "an unknown number in a sentence: {effects:?}");
        assert_eq!(world.state.step, Step::Menu);
        let effects = world.text("NOPE-0001");
        assert!(says(&effects, |m| matches!(m, Msg::OrderNotFound { .. })), "a number alone is taken as one");
        let effects = world.text("it is TB-100001 I think");
        assert!(matches!(world.state.step, Step::Proof { .. }), "asked for, a number in a sentence: {effects:?}");
    }

    #[test]
    fn a_caption_or_a_typed_line_at_the_photo_question_describes_the_problem() {
        let mut world = World::new();
        at_reason(&mut world);
        let effects = world.press(Msg::ReasonLabel(Reason::QualityDefect));
        assert_eq!(world.state.step, Step::Evidence, "no separate description question");
        assert!(says(&effects, |m| matches!(m, Msg::AskEvidence { min: 3, .. })));
        let effects = world.text("the seam is open");
        assert!(says(&effects, |m| *m == Msg::DetailNoted));
        assert_eq!(world.state.fails, 0, "words at the photo question are no failure");
        world.captioned_photo("a", None, Some("left\u{200B} sleeve"));
        world.album("album-2", &["b", "c"], None);
        assert_eq!(world.state.step, Step::Outcome);
        assert_eq!(world.state.draft.detail, "the seam is open / left sleeve");
        let effects = world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        assert!(says(
            &effects,
            |m| matches!(m, Msg::Summary { detail, photos: 3, .. } if detail.contains("left sleeve"))
        ));
    }

    #[test]
    fn every_button_press_is_answered_and_edits_its_question() {
        let mut world = World::new();
        at_reason(&mut world);
        let effects = world.press(Msg::ReasonLabel(Reason::ChangedMind));
        assert!(matches!(effects.first(), Some(Effect::AnswerButton { notice: None, .. })));
        assert!(effects.iter().any(|e| matches!(e, Effect::Reply(Reply { edit: Some(7), .. }))));
    }

    #[test]
    fn a_no_reason_return_skips_photos_and_is_approved() {
        let mut world = World::new();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.text("The colour is not what I hoped");
        assert_eq!(world.state.step, Step::Outcome);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        assert_eq!(world.state.step, Step::Condition);
        world.press(Msg::ConditionIntactButton);
        assert!(matches!(world.state.step, Step::Retention { .. }), "the default script offers another size");
        let effects = world.press(Msg::DeclineOfferButton);
        assert!(says(&effects, |m| *m == Msg::OfferDeclined));
        world.press(Msg::ConfirmButton);
        let case = &world.opened[0];
        assert_eq!(case.detail, "The colour is not what I hoped");
        assert_eq!(case.decision.verdict, Verdict::Approved);
        assert_eq!(case.resale_intact, Some(true));
        assert_eq!(case.offers.len(), 1);
        assert_eq!(case.offers[0].result, OfferResult::Declined);
        assert_eq!(case.status(), crate::case::CaseStatus::Approved);
    }

    /// A shop whose script offers a coupon, then a discount to keep, then another size.
    fn coupon_shop() -> World {
        let mut world = World::new();
        let offer = |id: &str, kind: OfferKind, value: Option<&str>| Offer {
            id: id.into(),
            kind,
            text_zh: format!("{id} 中文"),
            text_en: format!("{id} in English"),
            value: value.map(Into::into),
            reasons: Vec::new(),
            categories: Vec::new(),
            min_order_value: None,
            max_past_cases: None,
            per_customer_per_month: 1,
        };
        world.config.retention.offers = vec![
            offer("coupon10", OfferKind::Coupon, Some("10.00")),
            offer("keep20", OfferKind::KeepDiscount, Some("20.00")),
            offer("other_style", OfferKind::OtherStyle, None),
        ];
        world
    }

    /// A change-of-mind return of TB-100001 up to the first retention offer.
    fn at_first_offer(world: &mut World) {
        at_reason(world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
    }

    #[test]
    fn retention_offers_come_in_the_scripts_order_and_a_coupon_keeps_the_sale() {
        let mut world = coupon_shop();
        at_first_offer(&mut world);
        assert!(matches!(&world.state.step, Step::Retention { offers } if offers[0] == "coupon10"));
        assert!(world.last_buttons.iter().any(|b| b.label == Msg::DeclineOfferButton), "one tap to decline");
        world.press(Msg::AnotherOfferButton);
        assert!(matches!(&world.state.step, Step::Retention { offers } if offers[0] == "keep20"));
        let effects = world.press(Msg::AcceptOfferButton { kind: OfferKind::KeepDiscount });
        let [case] = world.opened.as_slice() else { panic!("one case expected") };
        assert_eq!(case.status(), crate::case::CaseStatus::Retained);
        let results: Vec<_> = case.offers.iter().map(|o| (o.offer_id.as_str(), o.result)).collect();
        assert_eq!(results, [("coupon10", OfferResult::Declined), ("keep20", OfferResult::Accepted)]);
        assert_eq!(case.offers[1].value, Some(Money::new(2000, Currency::CNY)));
        assert!(says(&effects, |m| matches!(m, Msg::Retained { kind: OfferKind::KeepDiscount, .. })));
        assert_eq!(world.state.step, Step::Menu);
    }

    #[test]
    fn declining_goes_straight_on_with_the_request() {
        let mut world = coupon_shop();
        at_first_offer(&mut world);
        let effects = world.press(Msg::DeclineOfferButton);
        assert!(says(&effects, |m| *m == Msg::OfferDeclined));
        assert_eq!(world.state.step, Step::Confirm, "one tap, and no further offers");
        world.press(Msg::ConfirmButton);
        let case = &world.opened[0];
        assert_eq!(case.status(), crate::case::CaseStatus::Approved);
        assert_eq!(case.decision.rule, policy::RuleId::NoReasonReturn);
    }

    #[test]
    fn another_size_turns_the_return_into_an_exchange() {
        let mut world = coupon_shop();
        at_first_offer(&mut world);
        world.press(Msg::AnotherOfferButton);
        world.press(Msg::AnotherOfferButton);
        assert!(!world.last_buttons.iter().any(|b| b.label == Msg::AnotherOfferButton), "the last offer");
        let effects = world.press(Msg::AcceptOfferButton { kind: OfferKind::OtherStyle });
        assert!(says(&effects, |m| *m == Msg::OtherStyleChosen));
        assert!(says(&effects, |m| matches!(m, Msg::Summary { outcome: Outcome::Exchange, .. })));
        world.press(Msg::ConfirmButton);
        let case = &world.opened[0];
        assert_eq!((case.outcome, case.decision.rule), (Outcome::Exchange, policy::RuleId::ExchangeInWindow));
        assert_eq!(case.status(), crate::case::CaseStatus::Approved);
    }

    #[test]
    fn an_offer_is_made_once_per_case_and_within_the_customers_monthly_limit() {
        let mut world = coupon_shop();
        at_first_offer(&mut world);
        world.press(Msg::DeclineOfferButton);
        world.press(Msg::ChangeButton);
        world.press(Msg::ReasonLabel(Reason::FoundCheaper));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
        assert!(
            matches!(&world.state.step, Step::Retention { offers } if offers[0] == "keep20"),
            "the declined coupon is not offered again on this case: {:?}",
            world.state.step
        );
        world.press(Msg::AcceptOfferButton { kind: OfferKind::KeepDiscount });
        // A second order line, a second request: keep20 was used this month.
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        world.press(Msg::LineButton {
            item: "风衣".into(),
            quantity: 1,
            unit_price: Money::new(59_900, Currency::CNY),
        });
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
        assert!(matches!(&world.state.step, Step::Retention { offers } if !offers.contains(&"keep20".to_owned())));
    }

    #[test]
    fn problems_are_put_right_without_retention() {
        let mut world = coupon_shop();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        world.album("album-1", &["p1", "p2", "p3"], None);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        assert_eq!(world.state.step, Step::Confirm, "no condition question and no offers for a defect");
    }

    #[test]
    fn a_used_item_is_recorded_and_explained_not_retained() {
        let mut world = coupon_shop();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionUsedButton);
        assert_eq!(world.state.step, Step::Confirm, "nothing to retain: the return is not approved");
        world.press(Msg::ConfirmButton);
        let case = &world.opened[0];
        assert_eq!(case.resale_intact, Some(false));
        assert_eq!(case.decision.rule, policy::RuleId::ResaleImpaired);
        assert_eq!(case.decision.next, policy::NextStep::QualityClaimOrPerson);
    }

    #[test]
    fn a_refund_before_shipping_is_retained_too() {
        let mut world = coupon_shop();
        world.orders.push(order("TB-100004", "13800138000", vec![line("SC-1", "围巾", 1, 129)], None));
        world.orders[3].shipped_at = None;
        world.command(Command::New);
        world.text("TB-100004");
        world.text("8000");
        world.press(Msg::ReasonLabel(Reason::OrderChanged));
        world.press(Msg::SkipButton);
        assert!(matches!(&world.state.step, Step::Retention { offers } if offers == &["coupon10", "keep20"]));
        world.press(Msg::AcceptOfferButton { kind: OfferKind::Coupon });
        assert_eq!(world.opened[0].status(), crate::case::CaseStatus::Retained);
    }

    #[test]
    fn a_unit_in_a_case_is_not_claimed_again_and_the_case_can_be_added_to() {
        let mut world = World::new();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::WrongSizeOrdered));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::Exchange));
        world.press(Msg::ConditionIntactButton);
        world.press(Msg::ConfirmButton);
        let first = CaseId::from_seq(1001);
        assert_eq!(world.opened[0].status(), crate::case::CaseStatus::Approved);
        world.command(Command::New);
        world.text("tb-100001");
        let effects = world.text("8000");
        assert_eq!(world.state.step, Step::Claimed { cases: vec![first.clone()] }, "no second claim on 1 unit");
        assert!(says(&effects, |m| matches!(m, Msg::UnitsClaimed { of: 1, cases, .. }
            if cases.len() == 1 && cases[0].id == first && cases[0].status == crate::case::CaseStatus::Approved)));
        assert!(world.last_buttons.iter().any(|b| b.label == Msg::MenuAgent));
        world.press(Msg::AddToCaseButton { id: first.clone() });
        let effects = world.text("The sleeves are too short as well");
        let added = Addition::Text("The sleeves are too short as well".into());
        assert!(effects.contains(&Effect::AddToCase { case: first.clone(), addition: added }));
        let effects = world.photo("sleeve", None);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::AddToCase { case, addition: Addition::Evidence(_) } if *case == first))
        );
        let effects = world.press(Msg::FinishedAddingButton);
        assert!(says(&effects, |m| *m == Msg::AdditionsDone { id: first.clone() }));
        assert_eq!(world.state.step, Step::Menu);
        assert_eq!(world.opened.len(), 1, "no second case");
    }

    /// An exchange of TB-100001 for another size, approved: AS-1001.
    fn approved_return(world: &mut World) -> CaseId {
        at_reason(world);
        world.press(Msg::ReasonLabel(Reason::WrongSizeOrdered));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::Exchange));
        world.press(Msg::ConditionIntactButton);
        world.press(Msg::ConfirmButton);
        assert_eq!(world.opened[0].status(), crate::case::CaseStatus::Approved);
        world.opened[0].id.clone()
    }

    fn detail(effects: &[Effect]) -> Option<CaseView> {
        said(effects).into_iter().find_map(|msg| match msg {
            Msg::CaseDetail(view) => Some(*view),
            _ => None,
        })
    }

    #[test]
    fn a_case_id_typed_at_rest_shows_the_case_as_typed() {
        let mut world = World::new();
        let id = approved_return(&mut world);
        for typed in ["AS-1001", "as1001", "AS 1001", "what about AS-1001?", "AS1001怎么样了"] {
            let effects = world.text(typed);
            let view = detail(&effects).unwrap_or_else(|| panic!("{typed:?} shows no case: {:?}", said(&effects)));
            assert_eq!((view.id, view.status, view.next), (id.clone(), view.status, crate::case::CaseNext::SendBack));
            assert_eq!(world.state.step, Step::Menu, "{typed:?}");
        }
        assert!(
            world.last_buttons.iter().any(|b| b.label == Msg::AddToCaseButton { id: id.clone() })
                && world.last_buttons.iter().any(|b| b.label == Msg::MenuAgent),
            "{:?}",
            world.last_buttons
        );
        // Not a case id, or a long account that mentions one: not a question about it.
        let effects = world.text("CLASS 1001");
        assert!(detail(&effects).is_none());
        let long = "I sent it back last week as you said for AS-1001 and nobody has told me anything since";
        assert!(detail(&world.text(long)).is_none());
    }

    #[test]
    fn another_customers_or_an_unknown_case_is_not_among_yours() {
        let mut world = World::new();
        // Nothing of this customer's: the store found no AS-1001 for them.
        let effects = world.text("AS-1001");
        assert!(says(&effects, |m| *m == Msg::NoSuchCase { id: CaseId::from_seq(1001) }));
        assert!(detail(&effects).is_none());
        assert_eq!(world.state.step, Step::Menu, "not taken for an order number");
    }

    #[test]
    fn the_list_has_a_button_per_case_and_the_detail_adds_to_it_or_says_it_is_settled() {
        let mut world = World::new();
        let id = approved_return(&mut world);
        let effects = world.command(Command::Cases);
        assert!(says(&effects, |m| matches!(m, Msg::Cases(lines) if lines.len() == 1)));
        let effects = world.press(Msg::CaseButton { id: id.clone(), item: String::new() });
        assert_eq!(detail(&effects).map(|view| view.id), Some(id.clone()));
        world.press(Msg::AddToCaseButton { id: id.clone() });
        assert_eq!(world.state.step, Step::AddToCase { case: id.clone() });
        world.press(Msg::FinishedAddingButton);

        // The detail's buttons stay on screen; the case is closed meanwhile.
        world.text("AS-1001");
        let add = world.last_buttons.iter().find(|b| b.label == Msg::AddToCaseButton { id: id.clone() }).cloned();
        let add = add.expect("an add button while the case is open");
        world.settled.push(id.clone());
        let effects = world.send(Input::Button { data: add.data, callback_id: Some("cb".into()), message_id: None });
        assert!(says(&effects, |m| *m == Msg::CaseNoLongerOpen { id: id.clone() }));
        assert!(effects.contains(&Effect::AnswerButton { callback_id: "cb".into(), notice: None }));
        let view = detail(&effects).expect("the case as it is now");
        assert_eq!((view.status, view.next), (crate::case::CaseStatus::Closed, crate::case::CaseNext::Settled));
        assert!(!world.last_buttons.iter().any(|b| matches!(b.label, Msg::AddToCaseButton { .. })));
        assert_eq!(world.state.step, Step::Menu);

        // A person about this very case.
        world.press(Msg::MenuAgent);
        assert_eq!(world.agent_requests, 1);
    }

    #[test]
    fn a_case_button_names_its_case_within_telegrams_64_bytes() {
        let id = CaseId::from_seq(999_999_999_999);
        for act in CaseAct::ALL {
            let data = Choice::Case(id.clone(), act).encode(7);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Choice::parse(&data), Some((None, Choice::Case(id.clone(), act))));
        }
        assert_eq!(Choice::parse("c:add:not-a-case"), None);
    }

    #[test]
    fn a_refusal_offers_what_is_still_possible_and_one_tap_takes_it() {
        let mut world = World::new();
        // Day 10 after delivery: the 7-day return is over, the 15-day exchange is not.
        world.now = at("2026-03-12T10:00:00+08:00");
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::WrongSizeOrdered));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        let effects = world.press(Msg::ConfirmButton);
        let refused = &world.opened[0];
        assert_eq!(refused.decision.verdict, Verdict::NotEligible);
        assert!(matches!(world.state.step, Step::Refused { ref possible } if possible.len() == 2));
        assert!(says(
            &effects,
            |m| matches!(m, Msg::CaseOpened { decision, .. } if decision.still_possible.len() == 2)
        ));
        let labels: Vec<&Msg> = world.last_buttons.iter().map(|b| &b.label).collect();
        assert!(labels.contains(&&Msg::ExchangeInsteadButton) && labels.contains(&&Msg::QualityClaimButton));
        world.press(Msg::ExchangeInsteadButton);
        assert_eq!(world.state.step, Step::Condition, "the exchange asks for the goods' condition");
        world.press(Msg::ConditionIntactButton);
        if matches!(world.state.step, Step::Retention { .. }) {
            world.press(Msg::DeclineOfferButton);
        }
        world.press(Msg::ConfirmButton);
        let exchange = &world.opened[1];
        assert_eq!((exchange.outcome, exchange.decision.verdict), (Outcome::Exchange, Verdict::Approved));
        assert_eq!(exchange.reason, Reason::WrongSizeOrdered);
        assert_eq!(world.state.step, Step::Menu);
    }

    #[test]
    fn a_quality_claim_after_a_refusal_keeps_the_item_and_asks_for_photos() {
        let mut world = World::new();
        world.now = at("2026-03-25T10:00:00+08:00");
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.text("It pills after one wash");
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConfirmButton);
        assert!(matches!(world.state.step, Step::Refused { ref possible } if possible.len() == 1));
        world.press(Msg::QualityClaimButton);
        assert_eq!(world.state.step, Step::Evidence);
        assert_eq!(world.state.draft.reason, Some(Reason::QualityDefect));
        assert_eq!(world.state.draft.detail, "It pills after one wash", "the customer's words are kept");
        let effects = world.press(Msg::CancelButton);
        assert!(says(&effects, |m| *m == Msg::Cancelled));
    }

    #[test]
    fn units_left_on_a_line_are_all_that_is_offered() {
        let mut world = World::new();
        let tshirt =
            |quantity| Msg::LineButton { item: "T恤".into(), quantity, unit_price: Money::new(9900, Currency::CNY) };
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        world.press(tshirt(2));
        world.press(Msg::Quantity(1));
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
        world.press(Msg::DeclineOfferButton);
        world.press(Msg::ConfirmButton);
        assert_eq!(world.opened.len(), 1);
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        let effects = world.press(tshirt(2));
        assert_eq!(world.state.step, Step::Reason, "one unit left: no question how many");
        assert!(says(&effects, |m| matches!(m, Msg::UnitsPartlyClaimed { left: 1, of: 2, .. })));
        assert_eq!(world.state.draft.quantity, 1);
    }

    #[test]
    fn an_order_with_several_lines_asks_which_item_and_how_many() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        assert_eq!(world.state.step, Step::PickLine);
        world.press(Msg::LineButton { item: "T恤".into(), quantity: 2, unit_price: Money::new(9900, Currency::CNY) });
        assert_eq!(world.state.step, Step::Quantity);
        world.text("3");
        assert_eq!(world.state.step, Step::Quantity, "more than was bought is refused");
        world.press(Msg::Quantity(2));
        assert_eq!(world.state.draft.quantity, 2);
        assert_eq!(world.state.step, Step::Reason);
    }

    #[test]
    fn unknown_order_numbers_get_a_new_try_and_then_a_person() {
        let mut world = World::new();
        world.command(Command::New);
        let effects = world.text("NOPE-0001");
        assert!(says(&effects, |m| matches!(m, Msg::OrderNotFound { tries_left: 2, .. })));
        world.text("NOPE-0002");
        let effects = world.text("NOPE-0003");
        assert!(says(&effects, |m| matches!(m, Msg::OrderNotFound { tries_left: 0, .. })));
        assert!(world.last_buttons.iter().any(|b| b.label == Msg::MenuAgent));
        world.press(Msg::MenuAgent);
        assert_eq!(world.agent_requests, 1);
        let effects = world.text("abc");
        assert!(says(&effects, |m| *m == Msg::OrderNoMalformed));
    }

    #[test]
    fn three_wrong_phone_digits_lock_the_order_for_an_hour() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100001");
        let effects = world.text("12ab");
        assert!(says(&effects, |m| *m == Msg::ProofMalformed), "not four digits is not a wrong answer");
        world.text("1111");
        let effects = world.text("2222");
        assert!(says(&effects, |m| *m == Msg::ProofWrong { tries_left: 1 }));
        let effects = world.text("3333");
        let audits = effects.iter().filter(|e| matches!(e, Effect::Audit(Audit::ProofFailed { .. }))).count();
        assert_eq!(audits, 1);
        assert!(effects.iter().any(|e| matches!(e, Effect::Audit(Audit::OrderLocked { .. }))));
        assert_eq!(world.locks, vec![(OrderNo::from_trusted("TB-100001"), world.now + chrono::Duration::hours(1))]);
        let effects = world.text("TB-100001");
        assert!(says(&effects, |m| matches!(m, Msg::OrderLocked { .. })));
        world.now += chrono::Duration::minutes(61);
        world.text("TB-100001");
        assert!(matches!(world.state.step, Step::Proof { .. }), "the lock ends after an hour");
    }

    #[test]
    fn starting_over_keeps_the_wrong_answers_and_locks_on_the_third() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100001");
        world.text("1111");
        world.text("2222");
        world.command(Command::Cancel);
        world.command(Command::Start);
        world.text("TB-100001");
        let effects = world.text("3333");
        assert!(effects.iter().any(|e| matches!(e, Effect::Audit(Audit::OrderLocked { .. }))), "{effects:?}");
        assert_eq!(world.locks.len(), 1);
        let effects = world.text("TB-100001");
        assert!(says(&effects, |m| matches!(m, Msg::OrderLocked { .. })));
        let effects = world.text("8000");
        assert!(!effects.iter().any(|e| matches!(e, Effect::Audit(Audit::ProofPassed { .. }))));
        assert_eq!(world.state.draft.order, None, "the right digits during the lock open nothing");
    }

    #[test]
    fn too_many_wrong_answers_from_all_chats_leave_only_a_shared_contact() {
        let mut world = World::new();
        world.elsewhere = 9;
        world.command(Command::New);
        world.text("TB-100001");
        assert!(matches!(world.state.step, Step::Proof { .. }));
        let effects = world.text("1111");
        assert!(says(&effects, |m| *m == Msg::ProofWrong { tries_left: 0 }), "{effects:?}");
        assert!(says(&effects, |m| *m == Msg::ProofByContactOnly));
        let contact_only = effects.iter().filter(|e| matches!(e, Effect::ContactOnly { .. })).count();
        assert_eq!(contact_only, 1, "the tenth wrong answer tells the agents");
        let effects = world.text("8000");
        assert!(says(&effects, |m| *m == Msg::ProofByContactOnly), "the right digits are not even compared");
        assert!(!effects.iter().any(|e| matches!(e, Effect::Audit(_) | Effect::ContactOnly { .. })));
        assert!(matches!(world.state.step, Step::Proof { .. }));
        let effects = world.send(Input::Contact { phone: "+86 139 0013 9000".into(), own: true });
        assert!(says(&effects, |m| *m == Msg::ContactVerified));
        assert_eq!(world.state.draft.order, None, "another phone proves nothing about this order");
        world.command(Command::New);
        world.text("TB-100001");
        assert!(matches!(world.state.step, Step::Proof { .. }));
        let effects = world.send(Input::Contact { phone: "+86 138 0013 8000".into(), own: true });
        assert!(effects.iter().any(|e| matches!(e, Effect::Audit(Audit::ProofPassed { by_contact: true, .. }))));
        assert_eq!(world.state.draft.order, Some(OrderNo::from_trusted("TB-100001")));
    }

    #[test]
    fn a_shared_contact_proves_the_phone_and_offers_its_orders() {
        let mut world = World::new();
        world.command(Command::New);
        let effects = world.send(Input::Contact { phone: "+86 138 0013 8000".into(), own: false });
        assert!(says(&effects, |m| *m == Msg::ContactNotOwn));
        assert!(world.state.verified_phone.is_none());
        let effects = world.send(Input::Contact { phone: "+86 138 0013 8000".into(), own: true });
        assert!(says(&effects, |m| *m == Msg::ContactVerified));
        let Step::PickOrder { orders } = &world.state.step else { panic!("expected the order list") };
        assert_eq!(orders.len(), 2);
        let label = world.last_buttons[0].label.clone();
        world.press(label);
        assert_eq!(world.state.draft.order, Some(OrderNo::from_trusted("TB-100001")));
        assert_eq!(world.state.step, Step::Reason, "no digits asked after a verified contact");
    }

    #[test]
    fn an_old_button_is_answered_as_stale_and_the_current_question_asked_again() {
        let mut world = World::new();
        world.command(Command::Start);
        let old_menu = world.last_buttons.clone();
        world.press(Msg::MenuNew);
        world.text("TB-100001");
        world.text("8000");
        let stale = world.last_buttons[0].data.replace(&format!("q{}", world.state.question), "q1");
        let effects = world.send(Input::Button { data: stale, callback_id: Some("old".into()), message_id: Some(3) });
        assert!(matches!(effects.first(), Some(Effect::AnswerButton { notice: Some(Msg::StaleButton), .. })));
        assert!(says(&effects, |m| matches!(m, Msg::AskReason { .. })));
        assert_eq!(world.state.step, Step::Reason);
        let effects =
            world.send(Input::Button { data: "garbage".into(), callback_id: Some("x".into()), message_id: None });
        assert!(says(&effects, |m| *m == Msg::StaleButton));
        assert!(old_menu.iter().all(|b| b.data.starts_with("m:")), "menu buttons work at any time");
    }

    #[test]
    fn photos_of_an_album_share_one_reply_and_the_maximum_is_kept() {
        let mut world = World::new();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        for unique in ["a", "b", "c", "d", "e", "f"] {
            let effects = world.photo(unique, Some("album-9"));
            let replies: Vec<_> = effects.iter().filter(|e| matches!(e, Effect::Reply(_))).collect();
            assert!(
                matches!(replies.as_slice(), [Effect::Reply(Reply { album: Some(album), .. })] if album == "album-9"),
                "one reply per photo, each the album's: {effects:?}"
            );
        }
        assert_eq!(world.state.draft.evidence.len(), 5, "at most 5 photos");
        let effects = world.photo("a", None);
        assert_eq!(world.state.draft.evidence.len(), 5, "the same photo counts once");
        assert!(says(&effects, |m| matches!(m, Msg::EvidenceReceived { have: 5, .. })));
    }

    #[test]
    fn the_photo_question_ends_by_itself_and_later_photos_are_still_added() {
        let mut world = World::new();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        world.photo("a", None);
        let effects = world.photo("b", None);
        assert!(says(&effects, |m| *m == Msg::EvidenceReceived { have: 2, min: 3, max: 5 }));
        assert_eq!(world.state.step, Step::Evidence);
        let effects = world.photo("c", None);
        assert!(says(&effects, |m| *m == Msg::EvidenceReceived { have: 3, min: 3, max: 5 }));
        assert_eq!(world.state.step, Step::Outcome, "the minimum ends the photo question");
        let outcome_buttons = world.last_buttons.clone();
        let effects = world.photo("d", None);
        assert!(says(&effects, |m| *m == Msg::EvidenceReceived { have: 4, min: 3, max: 5 }));
        assert!(says(&effects, |m| *m == Msg::AskOutcome), "the question again: {effects:?}");
        assert_eq!(world.last_buttons, outcome_buttons, "the buttons already shown stay good");
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.photo("e", None);
        let effects = world.photo("f", None);
        assert!(says(&effects, |m| *m == Msg::EvidenceFull { max: 5 }));
        assert!(says(&effects, |m| matches!(m, Msg::Summary { photos: 5, .. })), "{effects:?}");
        world.press(Msg::ConfirmButton);
        assert_eq!(world.opened[0].evidence.len(), 5);
        let effects = world.photo("g", None);
        assert!(says(&effects, |m| *m == Msg::UnexpectedMedia), "at rest, photos are not evidence");
    }

    #[test]
    fn photos_sent_before_the_reason_are_kept_for_the_photo_question() {
        let mut world = World::new();
        at_reason(&mut world);
        let question = world.state.question;
        let effects = world.album("album-4", &["a", "b", "c"], Some("cracked glaze"));
        assert!(says(&effects, |m| matches!(m, Msg::AskReason { .. })), "the reason asked again: {effects:?}");
        assert_eq!((world.state.step.clone(), world.state.question), (Step::Reason, question), "same question");
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        assert_eq!(world.state.step, Step::Outcome, "the photos already sent are enough");
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConfirmButton);
        assert_eq!((world.opened[0].evidence.len(), world.opened[0].detail.as_str()), (3, "cracked glaze"));
    }

    #[test]
    fn photos_sent_before_the_item_is_picked_are_kept_too() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        assert_eq!(world.state.step, Step::PickLine);
        world.photo("a", None);
        world.press(Msg::LineButton {
            item: "风衣".into(),
            quantity: 1,
            unit_price: Money::new(59_900, Currency::CNY),
        });
        world.press(Msg::ReasonLabel(Reason::WrongItem));
        assert_eq!(world.state.step, Step::Outcome, "one photo is enough for a wrong item");
        assert_eq!(world.state.draft.evidence.len(), 1);
    }

    #[test]
    fn a_changed_request_keeps_its_photos() {
        let mut world = World::new();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        world.album("album-3", &["a", "b", "c"], None);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ChangeButton);
        world.press(Msg::ReasonLabel(Reason::DamagedInTransit));
        assert_eq!(world.state.step, Step::Outcome, "the photos already sent are enough");
    }

    #[test]
    fn the_wrong_kind_of_input_gets_a_friendly_word_and_the_question_again() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100001");
        let effects = world.photo("x", None);
        assert!(says(&effects, |m| *m == Msg::UnexpectedMedia), "no evidence before the order is proven");
        world.text("8000");
        let effects = world.send(Input::Unsupported);
        assert!(says(&effects, |m| *m == Msg::Unsupported) && says(&effects, |m| matches!(m, Msg::AskReason { .. })));
        let effects = world.text("I want my money back");
        assert!(says(&effects, |m| *m == Msg::UseButtons));
        let effects = world.text(&"长".repeat(10_000));
        assert!(says(&effects, |m| matches!(m, Msg::TextTooLong { max: 1000 })));
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        let effects = world.send(Input::Unsupported);
        assert!(says(&effects, |m| *m == Msg::NotAPhoto));
        assert_eq!(world.state.step, Step::Evidence);
    }

    #[test]
    fn a_file_that_is_not_a_photo_is_refused_and_not_counted() {
        let mut world = World::new();
        at_reason(&mut world);
        let effects = world.send(Input::NotEvidence);
        assert!(says(&effects, |m| *m == Msg::NotEvidence), "kept for the photo question, so said why not");
        world.press(Msg::ReasonLabel(Reason::QualityDefect));
        world.photo("a", None);
        let effects = world.send(Input::NotEvidence);
        assert!(says(&effects, |m| *m == Msg::NotEvidence));
        assert!(says(&effects, |m| matches!(m, Msg::EvidenceReceived { have: 1, .. })), "{effects:?}");
        assert_eq!((world.state.step.clone(), world.state.draft.evidence.len()), (Step::Evidence, 1));
        world.command(Command::Cancel);
        let effects = world.send(Input::NotEvidence);
        assert!(says(&effects, |m| *m == Msg::UnexpectedMedia), "at rest no file is evidence");
    }

    #[test]
    fn cancel_leaves_the_flow_and_keeps_confirmed_cases() {
        let mut world = World::new();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
        world.press(Msg::DeclineOfferButton);
        world.press(Msg::ConfirmButton);
        // Mid-way through a request on another order (the coat's one unit is claimed).
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        assert_eq!(world.state.step, Step::PickLine);
        let effects = world.command(Command::Cancel);
        assert!(says(&effects, |m| *m == Msg::Cancelled));
        assert_eq!(world.state.step, Step::Menu);
        assert_eq!(world.state.draft, Draft::default());
        assert_eq!(world.opened.len(), 1);
        let effects = world.command(Command::Cases);
        assert!(says(&effects, |m| matches!(m, Msg::Cases(lines) if lines.len() == 1)));
    }

    #[test]
    fn an_order_not_yet_delivered_offers_a_refund_only() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100003");
        world.text("9000");
        world.press(Msg::ReasonLabel(Reason::NoLongerNeeded));
        world.press(Msg::SkipButton);
        assert_eq!(world.state.step, Step::Confirm, "the only outcome is chosen without asking");
        assert_eq!(world.state.draft.outcome, Some(Outcome::RefundOnly));
    }

    #[test]
    fn an_unpaid_order_is_explained_not_refused() {
        let mut world = World::new();
        world.orders[2].paid_at = None;
        world.orders[2].shipped_at = None;
        world.command(Command::New);
        world.text("TB-100003");
        let effects = world.text("9000");
        assert!(says(&effects, |m| matches!(m, Msg::OrderUnpaid { .. })));
        assert_eq!(world.state.step, Step::Menu);
    }

    #[test]
    fn asking_for_a_person_in_words_is_recorded_on_the_open_case() {
        let mut world = World::new();
        let effects = world.text("人工");
        assert!(says(&effects, |m| *m == Msg::ShopWillReply { case: None, contact: String::new() }));
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        world.press(Msg::SkipButton);
        world.press(Msg::OutcomeLabel(Outcome::ReturnRefund));
        world.press(Msg::ConditionIntactButton);
        world.press(Msg::DeclineOfferButton);
        world.press(Msg::ConfirmButton);
        let effects = world.command(Command::Agent);
        assert!(
            effects.contains(&Effect::RequestAgent { case: Some(CaseId::from_seq(1001)), why: Why::CustomerAsked })
        );
    }

    #[test]
    fn natural_requests_for_a_person_work_at_any_step_but_a_long_account_stays_an_account() {
        let requests =
            ["我要人工", "找客服", "转人工客服", "人工服务", "I want to talk to a human", "can I speak to someone"];
        for request in requests {
            let mut world = world_with_agents();
            at_reason(&mut world);
            assert_eq!(asked_for(&world.text(request)), Some(Why::CustomerAsked), "{request} at the reason");
            let mut world = world_with_agents();
            at_reason(&mut world);
            world.press(Msg::ReasonLabel(Reason::ChangedMind));
            assert_eq!(world.state.step, Step::Detail);
            assert_eq!(asked_for(&world.text(request)), Some(Why::CustomerAsked), "{request} as the description");
        }
        let mut world = world_with_agents();
        world.command(Command::New);
        let normalised = Input::Text("\u{200B}ｃａｎ　Ｉ　ｓｐｅａｋ　ｔｏ　ｓｏｍｅｏｎｅ？".into()).normalised();
        assert_eq!(asked_for(&world.send(normalised)), Some(Why::CustomerAsked), "full-width, at the order number");

        let mut world = world_with_agents();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        let account = "收到的颜色和图片不一样，之前问过客服说可以换，但是一直没有人回复我";
        assert_eq!(asked_for(&world.text(account)), None);
        assert_eq!(world.state.draft.detail, account, "kept as the description, punctuation and all");
        world.config.agents.request_phrases = vec!["帮帮我".into()];
        let mut world_custom = World { config: world.config.clone(), ..World::new() };
        assert_eq!(asked_for(&world_custom.text("帮帮我")), Some(Why::CustomerAsked), "phrases are the shop's");
    }

    #[test]
    fn typed_numbers_and_parts_of_labels_press_buttons() {
        let mut world = World::new();
        world.command(Command::New);
        world.text("TB-100002");
        world.text("8000");
        assert_eq!(world.state.step, Step::PickLine);
        let effects = world.text("5");
        assert!(says(&effects, |m| *m == Msg::NumberOutOfRange { max: 3 }), "two items and Cancel: {effects:?}");
        assert_eq!(world.state.step, Step::PickLine);
        world.text("t恤");
        assert_eq!(world.state.draft.sku.as_deref(), Some("TS-1"), "part of the item's name picks it");
        assert_eq!(world.state.step, Step::Quantity);
        let effects = world.text("3");
        assert!(says(&effects, |m| *m == Msg::NumberOutOfRange { max: 2 }), "{effects:?}");
        world.text("2");
        assert_eq!(world.state.draft.quantity, 2);
        // The eighth reason, a change of mind, asks for a description (photo reasons do not).
        world.text("8");
        assert_eq!(
            world.state.draft.reason,
            Some(policy::reasons_for(world.orders[1].stage(), &world.config.policy.category("apparel"))[7])
        );
        assert_eq!(world.state.step, Step::Detail);
        world.text("skip");
        assert_ne!(world.state.step, Step::Detail, "a label typed whole presses it");
        assert!(world.state.draft.detail.is_empty());
    }

    #[test]
    fn an_edit_of_an_older_message_is_said_not_to_be_read_and_the_question_asked_again() {
        let mut world = world_with_agents();
        at_reason(&mut world);
        let effects = world.send(Input::Edited);
        assert!(says(&effects, |m| *m == Msg::EditNotRead) && says(&effects, |m| matches!(m, Msg::AskReason { .. })));
        assert_eq!(world.state.step, Step::Reason);
        assert_eq!(world.state.fails, 0, "an edit is not an unusable input");
    }

    /// A world whose shop has an agents' group, so the bot may hand over by itself.
    fn world_with_agents() -> World {
        let mut world = World::new();
        world.config.agents.chat_id = Some(-1001);
        world.config.agents.user_ids = vec![1];
        world
    }

    fn asked_for(effects: &[Effect]) -> Option<Why> {
        effects.iter().find_map(|effect| match effect {
            Effect::RequestAgent { why, .. } => Some(*why),
            _ => None,
        })
    }

    #[test]
    fn a_case_the_rules_cannot_settle_goes_to_a_person_with_the_case() {
        let mut world = world_with_agents();
        at_reason(&mut world);
        world.press(Msg::ReasonLabel(Reason::DamagedInTransit));
        world.album("album-1", &["p1", "p2", "p3"], None);
        world.press(Msg::OutcomeLabel(Outcome::Reship));
        let effects = world.press(Msg::ConfirmButton);
        let handed = Effect::RequestAgent { case: Some(CaseId::from_seq(1001)), why: Why::Review };
        assert!(effects.contains(&handed), "{effects:?}");
        let queued = Msg::AgentQueued { case: Some(CaseId::from_seq(1001)), wait_minutes: 120 };
        assert!(says(&effects, |m| *m == queued));
    }

    #[test]
    fn threats_and_repeated_failures_bring_a_person_only_with_an_agents_group() {
        let mut world = world_with_agents();
        assert_eq!(asked_for(&world.text("再不处理我就找律师起诉你们")), Some(Why::Threat));
        let mut world = world_with_agents();
        at_reason(&mut world);
        assert_eq!(asked_for(&world.text("what?")), None);
        assert_eq!(asked_for(&world.text("hello??")), None);
        assert_eq!(asked_for(&world.text("HELP")), Some(Why::FailedInputs), "the third unusable input in a row");
        assert_eq!(world.state.fails, 0, "counting starts again");

        let mut world = World::new();
        assert_eq!(asked_for(&world.text("我要找律师")), None, "without agents the bot keeps helping");
        at_reason(&mut world);
        for _ in 0..5 {
            assert_eq!(asked_for(&world.text("what?")), None);
        }
    }

    #[test]
    fn a_usable_input_resets_the_failure_count() {
        let mut world = world_with_agents();
        at_reason(&mut world);
        world.text("what?");
        world.text("what?");
        world.press(Msg::ReasonLabel(Reason::ChangedMind));
        assert_eq!(world.state.fails, 0);
        assert_eq!(asked_for(&world.text("what?")), None);
    }

    #[test]
    fn the_language_can_be_switched_at_any_time() {
        let mut world = World::new();
        at_reason(&mut world);
        world.command(Command::Lang);
        world.press(Msg::LanguageName(Lang::Zh));
        assert_eq!(world.state.lang, Lang::Zh);
        assert_eq!(world.state.step, Step::Reason, "the flow goes on");
    }

    #[test]
    fn commands_are_read_with_or_without_the_bot_name() {
        assert_eq!(Command::parse("/cases@shop_bot"), Some(Command::Cases));
        assert_eq!(Command::parse(" /START "), Some(Command::Start));
        assert_eq!(Command::parse("/unknown"), None);
        assert_eq!(Command::parse("cases"), None);
    }
}
