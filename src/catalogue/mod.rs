//! Every text a customer or an agent reads, in Chinese (zh-CN) and English.
//! The core speaks in [`Msg`] values — meaning, not words — and a channel
//! renders them with [`render`] in the reader's language: the customer's, or
//! the agents' group's. Only this module holds customer- and agent-facing text.

pub mod card;
mod en;
mod format;
pub mod records;
pub mod report;
mod zh;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::case::{AgentDecision, CaseId, CaseNext, CaseStatus, Milestone, Waiting};
use crate::catalogue::card::CardView;
use crate::escalation::{Status, Why};
use crate::lang::Lang;
use crate::money::Money;
use crate::order::OrderNo;
use crate::parcel::ParcelStatus;
use crate::parcel::ReturnAddress;
use crate::policy::{Decision, Fact, Length, NextStep, Outcome, Possible, RuleId, ShippingPayer, Verdict};
use crate::reason::{EvidenceKind, Reason};
use crate::retention::OfferKind;

/// The decision on a new case, as the customer is told it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionText {
    pub verdict: Verdict,
    pub rule: RuleId,
    pub next: NextStep,
    pub outcome: Outcome,
    /// The last minute the rule's window counts, in the shop's time zone.
    pub deadline: Option<NaiveDateTime>,
    /// The window's length ("7 days", "48 hours").
    pub window: Option<Length>,
    /// When a person answers a request under review (shop time).
    pub review_by: Option<NaiveDateTime>,
    pub return_shipping: Option<ShippingPayer>,
    pub freight_insurance: bool,
    /// The customer advances the return shipping; the shop repays it as cash-back.
    pub shipping_cash_back: bool,
    pub refund_cap: Money,
    /// Working days from a passed inspection to the refund.
    pub refund_working_days: u32,
    /// For a refusal: what is still possible, with the last minute it counts.
    pub still_possible: Vec<Possible<NaiveDateTime>>,
}

impl DecisionText {
    /// A decision as the customer reads it, its times in the shop's zone.
    pub fn new(decision: &Decision, zone: Tz) -> DecisionText {
        let local = |at: DateTime<Utc>| at.with_timezone(&zone).naive_local();
        DecisionText {
            verdict: decision.verdict,
            rule: decision.rule,
            next: decision.next,
            outcome: decision.outcome,
            // Deadlines are exclusive; customers read the last minute that counts.
            deadline: decision.deadline.map(|deadline| local(deadline - chrono::Duration::minutes(1))),
            window: decision.window,
            review_by: decision.review_by.map(local),
            return_shipping: decision.return_shipping,
            freight_insurance: decision.freight_insurance,
            shipping_cash_back: decision.shipping_cash_back,
            refund_cap: decision.refund_cap,
            refund_working_days: decision.refund_working_days,
            still_possible: decision
                .still_possible
                .iter()
                .map(|possible| possible.map_time(|until| local(until - chrono::Duration::minutes(1))))
                .collect(),
        }
    }
}

impl Msg {
    /// The full explanation of a decision: what the customer is told, and every fact the rule used.
    pub fn explanation(decision: &Decision, zone: Tz) -> Msg {
        let local = |at: DateTime<Utc>| at.with_timezone(&zone).naive_local();
        Msg::Explanation {
            decision: DecisionText::new(decision, zone),
            facts: decision.facts.iter().cloned().map(|fact| fact.map_time(local)).collect(),
        }
    }
}

/// A button under a message: what it says, and the callback data it sends
/// (at most 64 bytes, as Telegram allows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub label: Msg,
    pub data: String,
}

/// One line of "my cases".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLine {
    pub id: CaseId,
    pub item: String,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub opened: NaiveDateTime,
}

/// One of the customer's cases in full, times in the shop's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseView {
    pub id: CaseId,
    pub order: OrderNo,
    pub item: String,
    pub quantity: u32,
    pub reason: Reason,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub opened: NaiveDateTime,
    /// The rules' decision when the case was opened.
    pub decision: DecisionText,
    /// A person's later decision, with their reason.
    pub agent_decision: Option<AgentDecision>,
    pub next: CaseNext,
    /// The latest of what happened, oldest first, and how many came before.
    pub latest: Vec<(NaiveDateTime, Milestone)>,
    pub earlier: usize,
}

/// A case that holds units of the line the customer picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimLine {
    pub id: CaseId,
    /// The reader's own case (another chat's is shown, not added to).
    pub own: bool,
    pub quantity: u32,
    pub outcome: Outcome,
    pub status: CaseStatus,
}

/// Something to tell the customer. Times are already in the shop's zone.
/// The variants' names (`VariantNames`, `IntoStaticStr`) let the tests check that
/// the samples cover every message.
#[derive(Clone, Debug, PartialEq, Eq, strum::VariantNames, strum::IntoStaticStr)]
pub enum Msg {
    // Greeting and menu.
    Greeting {
        name: String,
        shop: String,
    },
    MenuPrompt,
    MenuNew,
    MenuCases,
    MenuAgent,
    MenuLanguage,
    Help,
    /// The terminal's own commands, added to its help.
    TerminalCommands,
    /// `/photo PATH` names no file the terminal can read.
    PhotoUnreadable {
        path: String,
    },
    /// `/photo PATH` names a file over the media folder's size limit.
    PhotoTooLarge {
        path: String,
        max_mb: u64,
    },
    /// A command's one-line description in the client's command menu.
    CommandDescription {
        command: String,
    },
    // Order number and proof of ownership.
    AskOrderNo,
    ShareContactButton,
    OrderNoMalformed,
    OrderNotFound {
        order: String,
        tries_left: u8,
    },
    OrderLocked {
        until: NaiveDateTime,
    },
    AskProof {
        order: OrderNo,
    },
    ProofMalformed,
    ProofWrong {
        tries_left: u8,
    },
    ProofLockedNow {
        until: NaiveDateTime,
    },
    /// Too many wrong answers about the order from all chats: only a shared
    /// phone number or a person will do now.
    ProofByContactOnly,
    ContactNotOwn,
    ContactNoOrders,
    ContactVerified,
    PickOrder,
    OrderButton {
        order: OrderNo,
        first_item: String,
        lines: usize,
        total: Money,
    },
    OrderUnpaid {
        order: OrderNo,
    },
    // Item, quantity, reason.
    PickLine {
        order: OrderNo,
    },
    LineButton {
        item: String,
        quantity: u32,
        unit_price: Money,
    },
    AskQuantity {
        item: String,
        max: u32,
    },
    /// A quantity button's label.
    Quantity(u32),
    AskReason {
        item: String,
        /// Whether the order has shipped: before that the question is why, not what is wrong.
        shipped: bool,
    },
    ReasonLabel(Reason),
    AskDetail,
    SkipButton,
    // Evidence.
    /// The photo question; it also takes the description (a caption or a
    /// typed line) and moves on by itself once `min` photos are in.
    AskEvidence {
        kind: EvidenceKind,
        min: u8,
        max: u8,
    },
    /// Photos so far: how many more are needed, or that more may be added.
    EvidenceReceived {
        have: usize,
        min: u8,
        max: u8,
    },
    /// A photo beyond the maximum, not added.
    EvidenceFull {
        max: u8,
    },
    /// A typed line at the photo question, added to the description.
    DetailNoted,
    NotAPhoto,
    /// A file whose bytes are not a photo or video: refused, not counted.
    NotEvidence,
    // Outcome and confirmation.
    AskOutcome,
    OutcomeLabel(Outcome),
    Summary {
        order: OrderNo,
        item: String,
        quantity: u32,
        reason: Reason,
        detail: String,
        photos: usize,
        outcome: Outcome,
        /// The customer's word on the item's condition, when it was asked.
        resale_intact: Option<bool>,
    },
    ConfirmButton,
    ChangeButton,
    CancelButton,
    CaseOpened {
        id: CaseId,
        decision: DecisionText,
    },
    // The condition of the goods (resale not impaired), a customer declaration.
    AskCondition {
        item: String,
    },
    ConditionIntactButton,
    ConditionUsedButton,
    // Retention (挽留): offers before a subjective return goes ahead.
    /// One offer; `first` opens with asking what would make the customer keep it.
    RetentionOffer {
        text: String,
        kind: OfferKind,
        value: Option<Money>,
        first: bool,
    },
    AcceptOfferButton {
        kind: OfferKind,
    },
    AnotherOfferButton,
    /// Declining continues the request, always in one tap.
    DeclineOfferButton,
    /// Said after declining: the request goes on, nothing lost.
    OfferDeclined,
    /// An exchange for another size or style was accepted; the summary follows.
    OtherStyleChosen,
    /// The customer keeps the item (or the order keeps shipping); the case
    /// is closed as retained and the offer recorded on it.
    Retained {
        id: CaseId,
        text: String,
        kind: OfferKind,
        value: Option<Money>,
    },
    /// The full explanation of a decision (`aftersales policy explain`).
    Explanation {
        decision: DecisionText,
        facts: Vec<Fact<NaiveDateTime>>,
    },
    // Everything else.
    Cancelled,
    Cases(Vec<CaseLine>),
    NoCases,
    /// A case on the list, as a button: its id and item.
    CaseButton {
        id: CaseId,
        item: String,
    },
    /// One case in full: what was asked, the decision, what is next and what happened.
    CaseDetail(Box<CaseView>),
    /// A case id that is not among the customer's cases (unknown, or someone else's).
    NoSuchCase {
        id: CaseId,
    },
    /// A button to add to a case that has been settled since.
    CaseNoLongerOpen {
        id: CaseId,
    },
    /// Every unit of the item is in earlier cases: which, and where they stand.
    UnitsClaimed {
        item: String,
        of: u32,
        cases: Vec<ClaimLine>,
    },
    /// Some units are in earlier cases; `left` may still be claimed.
    UnitsPartlyClaimed {
        item: String,
        left: u32,
        of: u32,
        cases: Vec<CaseId>,
    },
    AddToCaseButton {
        id: CaseId,
    },
    OtherItemButton,
    FinishedAddingButton,
    /// A refused request's alternatives, as buttons.
    ExchangeInsteadButton,
    QualityClaimButton,
    /// Asked under a refusal's alternatives.
    WhatNow,
    /// Asks for what the customer wants to add to their case.
    AskAddition {
        id: CaseId,
    },
    AddedToCase {
        id: CaseId,
    },
    AdditionsDone {
        id: CaseId,
    },
    /// A person will take over; the promised wait in minutes.
    AgentQueued {
        case: Option<CaseId>,
        wait_minutes: i64,
    },
    /// A person was asked for but the shop has no agents' group: how the
    /// shop will get back (`[shop] contact`; empty: here in the chat).
    ShopWillReply {
        case: Option<CaseId>,
        contact: String,
    },
    LanguagePrompt,
    /// A language's own name, for the language buttons.
    LanguageName(Lang),
    LanguageSet,
    StaleButton,
    TextTooLong {
        max: usize,
    },
    UseButtons,
    /// A typed number no button has: the numbers there are, 1 to `max`.
    NumberOutOfRange {
        max: usize,
    },
    UnexpectedMedia,
    Unsupported,
    /// An earlier message was edited: edits are not read, only new messages.
    EditNotRead,
    /// "✓ <label>": echoes a choice above the next question.
    Chosen(Box<Msg>),
    // Human agents, as the customer hears them.
    /// The wait is longer than promised; the case is still queued.
    WaitLonger,
    /// An agent took the case (named only if the shop signs with names).
    AgentJoined {
        agent: Option<String>,
    },
    /// An agent's message, signed with their name.
    AgentSays {
        agent: String,
        text: String,
    },
    AgentDecided {
        case: CaseId,
        outcome: Outcome,
        amount: Option<Money>,
        reason: Option<String>,
    },
    /// A refusal always carries the reason and what the customer can still do.
    AgentRejected {
        case: CaseId,
        reason: String,
    },
    /// Handed back: the bot answers again.
    BackWithBot,
    CaseClosedByAgent {
        case: Option<CaseId>,
    },
    /// A bot button pressed while a person handles the chat.
    WithAPerson,
    // Human agents, as the agents' group reads them.
    Card(Box<CardView>),
    TopicName {
        case: Option<CaseId>,
        reason: Option<Reason>,
        customer: String,
    },
    TakeButton,
    ReleaseButton,
    ApproveButton,
    HandBackButton,
    CloseButton,
    NotAnAgent,
    NoteSaved,
    TakenBy {
        agent: String,
    },
    AlreadyYours,
    TookCase {
        agent: String,
    },
    Released {
        agent: String,
    },
    NotAssigned,
    HandedBack {
        agent: String,
    },
    ClosedByAgent {
        agent: String,
    },
    NoCaseToDecide,
    CaseAlreadyClosed {
        case: CaseId,
    },
    ResponsibilitySet {
        code: u8,
    },
    AmountAboveCap {
        asked: Money,
        cap: Money,
    },
    DecisionRecorded {
        agent: String,
        outcome: Outcome,
        status: CaseStatus,
        amount: Option<Money>,
    },
    /// A command on an escalation that is over.
    EscalationClosed,
    /// The customer wrote again after the case was closed.
    CaseReopened,
    /// A case still waits for an agent.
    SlaPing {
        case: Option<CaseId>,
        why: Why,
        waited_minutes: i64,
        pings: u32,
    },
    Queue(Vec<QueueLine>),
    /// A month's report in the agents' group: its leading figures; the page
    /// follows as a document.
    ReportHeadline(report::Headline),
    /// A command used wrongly: its syntax.
    CommandUsage(String),
    /// Something the customer sent that cannot be relayed as it is.
    CustomerSent(Described),
    /// An agent sent something that cannot reach the customer.
    CannotRelay,
    /// An agent wrote in a topic whose escalation is over: nothing was sent.
    NotRelayed {
        status: Status,
    },
    AgentsHelp,
    // Follow-ups, as the customer hears them.
    /// An approved return or exchange: where to send it, how to pack it,
    /// and "send us the tracking number here".
    ReturnInstructions {
        case: CaseId,
        outcome: Outcome,
        address: ReturnAddress,
    },
    /// "Is this your return tracking number?" (buttons follow).
    ConfirmTracking {
        case: CaseId,
        carrier_zh: String,
        carrier_en: String,
        number: String,
    },
    TrackingRight,
    TrackingWrong,
    TrackingSaved {
        case: CaseId,
        carrier_zh: String,
        carrier_en: String,
        number: String,
    },
    /// The proposed number was wrong: type it again.
    AskTrackingAgain {
        case: CaseId,
    },
    /// A tracking number several returns could take: which is it for?
    /// (one `ParcelCaseButton` a case follows).
    WhichCaseForParcel {
        carrier_zh: String,
        carrier_en: String,
        number: String,
    },
    /// A case to pick for a parcel: its id and item.
    ParcelCaseButton {
        case: CaseId,
        item: String,
    },
    /// Another number for a parcel on its way: replace the saved one?
    ConfirmReplaceTracking {
        case: CaseId,
        old: String,
        number: String,
    },
    ReplaceTrackingButton,
    KeepTrackingButton,
    /// The corrected number is saved; the old one is no longer followed.
    TrackingReplaced {
        case: CaseId,
        old: String,
        number: String,
    },
    /// The saved number stays.
    TrackingKept {
        case: CaseId,
        number: String,
    },
    /// The number typed is the one saved already.
    TrackingAlreadySaved {
        case: CaseId,
        number: String,
    },
    /// A number for a parcel that already arrived: too late to change it
    /// here; a person can help (a button follows).
    ParcelAlreadyArrived {
        case: CaseId,
    },
    /// No tracking number yet, some time after approval.
    TrackingNudge {
        case: CaseId,
    },
    ParcelUpdate {
        case: CaseId,
        status: ParcelStatus,
        /// The carrier's words; may be empty.
        detail: String,
    },
    /// The parcel has not moved for a while: we are checking with the carrier.
    NoScanUpdate {
        case: CaseId,
    },
    /// The warehouse found a problem; a colleague will contact the customer.
    InspectionFailed {
        case: CaseId,
        reason: String,
    },
    /// An exchange's return passed: the replacement is on its way soon.
    ExchangeInspected {
        case: CaseId,
    },
    /// The refund is issued: the amount, and by when it arrives.
    RefundIssued {
        case: CaseId,
        amount: Money,
        arrive_by: NaiveDate,
    },
    /// The daily progress message on a case waiting on the shop.
    Progress {
        case: CaseId,
        waiting: Waiting,
    },
    SurveyAsk {
        case: CaseId,
    },
    SurveyReminder {
        case: CaseId,
    },
    /// A rating button ("⭐ 4").
    RatingButton {
        score: u8,
    },
    /// Thanks for the rating; any comment? (a "no comment" button follows).
    SurveyAskComment {
        score: u8,
    },
    /// A low rating: an apology, a comment welcome, a person on offer
    /// (buttons for a person and "no comment" follow).
    SurveySorry {
        score: u8,
    },
    NoCommentButton,
    SurveyThanks,
    /// A survey button pressed again, or after the survey is over.
    SurveyAlreadyAnswered,
    // Follow-ups, as the agents' group reads them.
    AlertNoScan {
        case: CaseId,
        number: String,
        /// The last scan, local time; none since the number was given.
        since: Option<NaiveDateTime>,
    },
    AlertParcelException {
        case: CaseId,
        number: String,
        detail: String,
    },
    /// At the warehouse, and the refund is not issued within the promised working days.
    AlertRefundOverdue {
        case: CaseId,
        days: u32,
    },
    AlertRefundRefused {
        case: CaseId,
        why: String,
    },
    /// Refunds are paid by hand: pay, then confirm with /refunded.
    AlertManualRefund {
        case: CaseId,
        amount: Money,
    },
    AlertShipReplacement {
        case: CaseId,
    },
    AlertLowScore {
        case: CaseId,
        score: u8,
    },
    AlertSurveyComment {
        case: CaseId,
        comment: String,
    },
    /// Follow-ups on a case stopped: the customer blocked the bot.
    AlertFollowupStopped {
        case: CaseId,
    },
    /// An order drew too many wrong phone-digit answers from all chats and
    /// now takes only a shared phone number.
    AlertProofContactOnly {
        order: OrderNo,
        wrong: u32,
        chats: u32,
        hours: i64,
    },
    /// A reply to a customer kept failing (Telegram down, a fault it never
    /// got over) and was given up after `hours` of retries.
    AlertReplyUndelivered {
        customer: String,
        chat_id: i64,
        hours: u64,
        error: String,
    },
    /// An agent recorded the inspection or the refund.
    InspectionRecorded {
        case: CaseId,
        passed: bool,
    },
    RefundRecorded {
        case: CaseId,
        amount: Money,
    },
    /// /inspect or /refunded on a case with no return at that stage.
    NoReturnAtStage {
        case: Option<CaseId>,
    },
}

/// One line of `/queue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueLine {
    pub case: Option<CaseId>,
    pub customer: String,
    pub why: Why,
    pub status: Status,
    pub assignee: Option<String>,
    pub waited_minutes: i64,
}

/// A message that is described to the agents rather than copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Described {
    Sticker { emoji: Option<String> },
    Location,
    Poll,
    Other,
}

/// The text of `msg` in `lang`.
pub fn render(lang: Lang, msg: &Msg) -> String {
    match lang {
        Lang::Zh => zh::text(msg),
        Lang::En => en::text(msg),
    }
}

/// Several messages as one chat message, paragraphs apart.
pub fn render_all(lang: Lang, msgs: &[Msg]) -> String {
    msgs.iter().map(|msg| render(lang, msg)).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests;
