//! Every text a customer or an agent reads, in Chinese (zh-CN) and English.
//! The core speaks in [`Msg`] values — meaning, not words — and a channel
//! renders them with [`render`] in the reader's language: the customer's, or
//! the agents' group's. Only this module holds customer- and agent-facing text.

pub mod card;
mod en;
mod zh;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::agent_command::Usage;
use crate::case::{AgentDecision, CaseId, CaseNext, CaseStatus, Milestone, Waiting};
use crate::catalogue::card::{CardView, TIMELINE_SHOWN, TimelineLine};
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub id: CaseId,
    pub item: String,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub opened: NaiveDateTime,
}

/// One of the customer's cases in full, times in the shop's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimLine {
    pub id: CaseId,
    /// The reader's own case (another chat's is shown, not added to).
    pub own: bool,
    pub quantity: u32,
    pub outcome: Outcome,
    pub status: CaseStatus,
}

/// Something to tell the customer. Times are already in the shop's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueLine {
    pub case: Option<CaseId>,
    pub customer: String,
    pub why: Why,
    pub status: Status,
    pub assignee: Option<String>,
    pub waited_minutes: i64,
}

/// A message that is described to the agents rather than copied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A name cut to `max_chars` characters, with "…" when it was longer.
/// A case to pick, as a button reads: "AS-1001 · 女士防风夹克", the item
/// clipped so that the label fits a button; "售后单 AS-1001" (`word` and
/// the case) without an item.
fn case_and_item(case: &CaseId, item: &str, word: &str) -> String {
    let room = NAME_CHARS.saturating_sub(case.as_str().chars().count() + 3);
    match item.trim() {
        "" => format!("{word} {case}"),
        item => format!("{case} · {}", clip(item, room)),
    }
}

fn clip(name: &str, max_chars: usize) -> String {
    match name.char_indices().nth(max_chars) {
        Some(_) => format!("{}…", name.chars().take(max_chars.saturating_sub(1)).collect::<String>().trim_end()),
        None => name.to_owned(),
    }
}

/// A wait rounded up for texts: minutes under an hour, then whole or half
/// hours, and whole days from 48 hours on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    Minutes(u64),
    HalfHours(u64),
    Days(u64),
}

impl Wait {
    fn of(minutes: i64) -> Wait {
        let minutes = u64::try_from(minutes).unwrap_or(0).max(1);
        match minutes {
            0..60 => Wait::Minutes(minutes),
            60..2880 => Wait::HalfHours(minutes.div_ceil(30)),
            _ => Wait::Days(minutes.div_ceil(1440)),
        }
    }
}

/// The customer's own words on a card, at most this long.
const CARD_DETAIL_CHARS: usize = 300;
/// A name (customer, agent) on a card or a queue line.
const NAME_CHARS: usize = 40;
/// Lines of `/queue` shown; the rest are counted.
const QUEUE_SHOWN: usize = 30;

/// "03-05 10:30": a time on a card, in the shop's zone.
fn short_time(at: &NaiveDateTime) -> String {
    at.format("%m-%d %H:%M").to_string()
}

/// Free text on one line, cut to `max_chars`.
fn one_line(text: &str, max_chars: usize) -> String {
    clip(&text.split_whitespace().collect::<Vec<_>>().join(" "), max_chars)
}

/// The card's latest timeline entries, "03-05 10:30 actor kind detail", and
/// how many earlier ones are left out.
fn timeline(view: &CardView) -> (Vec<String>, usize) {
    let skipped = view.timeline.len().saturating_sub(TIMELINE_SHOWN);
    let lines = view.timeline[skipped..]
        .iter()
        .map(|line: &TimelineLine| {
            let text = format!(
                "{} {} {} {}",
                short_time(&line.at),
                one_line(&line.actor, 24),
                one_line(&line.kind, 24),
                one_line(&line.detail, 80)
            );
            text.trim_end().to_owned()
        })
        .collect();
    (lines, view.earlier + skipped)
}

/// The commands a card reminds agents of, by whether there is a case to decide.
fn card_commands(has_case: bool) -> &'static str {
    match has_case {
        true => "/take /note /approve /reject … /handback /close",
        false => "/take /note /handback /close",
    }
}

/// An agents' command as typed, with its arguments ("/partial AMOUNT").
fn agent_command_syntax(name: &str) -> String {
    let usage = match name {
        "note" => Some(Usage::Note),
        "reject" => Some(Usage::Reject),
        "partial" => Some(Usage::PartialRefund),
        "cashback" => Some(Usage::CashBack),
        "refund" => Some(Usage::Refund),
        "resp" => Some(Usage::Responsibility),
        _ => None,
    };
    usage.map_or_else(|| format!("/{name}"), |usage| usage.syntax().to_owned())
}

/// "<order> · <item><more> · <total>" within 40 characters, the item's name
/// clipped to the room left (at most the range's end); `None` when less than
/// the range's start is left, and the language shows its short form.
fn order_label(
    order: &OrderNo,
    first_item: &str,
    more: &str,
    total: Money,
    item_chars: std::ops::RangeInclusive<usize>,
) -> Option<String> {
    let head = format!("{order} · ");
    let tail = format!("{more} · {total}");
    let room = 40usize.saturating_sub(head.chars().count() + tail.chars().count()).min(*item_chars.end());
    let item = first_item.trim();
    (!item.is_empty() && room >= *item_chars.start()).then(|| format!("{head}{}{tail}", clip(item, room)))
}

/// Several messages as one chat message, paragraphs apart.
pub fn render_all(lang: Lang, msgs: &[Msg]) -> String {
    msgs.iter().map(|msg| render(lang, msg)).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::NaiveDate;

    use super::*;
    use crate::money::Currency;
    use crate::policy::Stage;
    use crate::reason::EvidenceKind;

    /// Shop data as a customer of each language would typically see it.
    struct Data {
        name: &'static str,
        shop: &'static str,
        item: &'static str,
        long_item: &'static str,
        detail: &'static str,
        /// A retention offer, in the shop's own words.
        offer: &'static str,
        agent: &'static str,
        /// Why an agent refused a case, as they typed it.
        refusal: &'static str,
        /// Why an agent pays a cash-back, as they typed it.
        cash_back: &'static str,
        /// The shop's configured return address and recipient.
        address: &'static str,
        recipient: &'static str,
        /// A carrier's words on a scan.
        scan: &'static str,
        /// Why the warehouse failed a returned parcel, as an agent typed it.
        inspection: &'static str,
        /// The refund system's answer when it refuses a refund.
        refund_error: &'static str,
        /// A customer's survey comment.
        comment: &'static str,
    }

    const ZH_DATA: Data = Data {
        name: "王芳",
        shop: "暖暖家居",
        item: "羊毛外套",
        long_item: "加厚双面羊绒大衣女中长款秋冬新款高级感",
        detail: "袖口开线了",
        offer: "送您一张10元无门槛优惠券，下次购物直接抵扣",
        agent: "李伟",
        refusal: "商品已超过质保期，且有明显使用痕迹",
        cash_back: "运费补偿",
        address: "广东省深圳市南山区科苑路88号 暖暖家居售后仓",
        recipient: "暖暖家居售后部",
        scan: "已揽收 深圳南山",
        inspection: "吊牌已剪，外套有明显穿着痕迹",
        refund_error: "商户余额不足",
        comment: "客服很耐心，就是退款有点慢",
    };
    const EN_DATA: Data = Data {
        name: "Fang",
        shop: "Cosy Home",
        item: "Wool coat",
        long_item: "Double-faced cashmere long winter coat, premium edition",
        detail: "the cuff seam came open",
        offer: "A coupon for your next order, no minimum spend",
        agent: "Wei",
        refusal: "the warranty ended on 9 March and the coat shows clear signs of wear",
        cash_back: "return shipping you advanced",
        address: "Cosy Home returns, 88 Keyuan Road, Nanshan, Shenzhen",
        recipient: "Cosy Home after-sales",
        scan: "Picked up in Shenzhen Nanshan",
        inspection: "the tags were cut off and the coat shows clear signs of wear",
        refund_error: "insufficient merchant balance",
        comment: "Friendly staff, but the refund took a while",
    };

    const FORBIDDEN: [&str; 14] = [
        "当时买的时候不是喜欢吗",
        "买的时候不是喜欢",
        "自己选的",
        "非质量问题不退",
        "非质量问题",
        "不退",
        "不能退",
        "you liked it",
        "you chose it",
        "no returns",
        "don't take returns",
        "do not take returns",
        "unless it's a quality problem",
        "non-quality",
    ];

    fn at(month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day)
            .and_then(|date| date.and_hms_opt(hour, minute, 0))
            .expect("a valid test time")
    }

    fn yuan(major: i64) -> Money {
        Money::new(major * 100, Currency::CNY)
    }

    fn order() -> OrderNo {
        OrderNo::from_trusted("DEMO-1004")
    }

    /// A decision on a return and refund, its window ending with 9 March.
    fn decision(verdict: Verdict, rule: RuleId, next: NextStep) -> DecisionText {
        DecisionText {
            verdict,
            rule,
            next,
            outcome: Outcome::ReturnRefund,
            deadline: Some(at(3, 9, 23, 59)),
            window: Some(Length::Days(7)),
            review_by: None,
            return_shipping: None,
            freight_insurance: false,
            shipping_cash_back: false,
            refund_cap: yuan(199),
            refund_working_days: 3,
            still_possible: Vec::new(),
        }
    }

    fn opened(decision: DecisionText) -> Msg {
        Msg::CaseOpened { id: CaseId::from_seq(1001), decision }
    }

    /// One fact of every kind, as `aftersales policy explain` shows them.
    fn all_facts() -> Vec<Fact<NaiveDateTime>> {
        vec![
            Fact::RequestedAt(at(3, 5, 10, 30)),
            Fact::Stage(Stage::Delivered),
            Fact::PaidAt(at(2, 26, 20, 15)),
            Fact::DeliveredAt(at(3, 2, 14, 5)),
            Fact::Window { from: at(3, 3, 0, 0), length: Length::Days(7), ends: at(3, 10, 0, 0) },
            Fact::Category { name: "apparel".into(), no_reason_return: true },
            Fact::Photos { have: 2, need: 3 },
            Fact::ResaleIntact(true),
            Fact::ExchangesUsed { used: 1, allowed: 1 },
            Fact::Units { asked: 1, claimed: 2, of: 3 },
            Fact::ReplacementDeliveredAt(at(3, 1, 9, 0)),
            Fact::Paid(yuan(199)),
            Fact::AlreadyRefunded(yuan(50)),
            Fact::FreightInsurance(true),
            Fact::ReviewBy { working_days: 1, by: at(3, 10, 18, 0) },
        ]
    }

    /// The bot's commands, as `conversation::Command::name` spells them.
    const COMMANDS: [&str; 7] = ["start", "new", "cases", "agent", "lang", "cancel", "help"];

    const VERDICTS: [Verdict; 3] = [Verdict::Approved, Verdict::NeedsReview, Verdict::NotEligible];
    const RULES: [RuleId; 25] = [
        RuleId::OrderUnpaid,
        RuleId::RefundBeforeShipping,
        RuleId::RefundInTransit,
        RuleId::CarrierCheck,
        RuleId::RefundOnlyAfterReceipt,
        RuleId::NoReasonReturn,
        RuleId::NoReasonWindowPassed,
        RuleId::ExcludedCategory,
        RuleId::ResaleImpaired,
        RuleId::ExchangeInWindow,
        RuleId::ExchangeWindowPassed,
        RuleId::ExchangeAlreadyUsed,
        RuleId::ReturnAfterExchange,
        RuleId::ReturnAfterExchangeWindowPassed,
        RuleId::QualityClaim,
        RuleId::QualityReportWindowPassed,
        RuleId::WarrantyPassed,
        RuleId::LogisticsClaim,
        RuleId::PriceProtection,
        RuleId::PriceProtectionWindowPassed,
        RuleId::CashBack,
        RuleId::NothingLeftToRefund,
        RuleId::UnitsAlreadyClaimed,
        RuleId::EvidenceMissing,
        RuleId::OutcomeNotOffered,
    ];
    const NEXT_STEPS: [NextStep; 12] = [
        NextStep::CancelUnpaidOrder,
        NextStep::RefundToOriginalPayment,
        NextStep::InterceptAndRefuseDelivery,
        NextStep::SendItemBack,
        NextStep::Review,
        NextStep::CarrierVerifies,
        NextStep::ChooseReturnInstead,
        NextStep::QualityClaimOrPerson,
        NextStep::TalkToPerson,
        NextStep::AddPhotos,
        NextStep::CashBackAfterReview,
        NextStep::SeeExistingCase,
    ];
    const PAYERS: [Option<ShippingPayer>; 4] =
        [None, Some(ShippingPayer::Customer), Some(ShippingPayer::Shop), Some(ShippingPayer::Carrier)];
    const WINDOWS: [Option<Length>; 4] =
        [Some(Length::Days(7)), Some(Length::Hours(48)), Some(Length::Days(365)), None];
    const STATUSES: [CaseStatus; 5] = CaseStatus::ALL;
    const OFFER_KINDS: [OfferKind; 4] =
        [OfferKind::Coupon, OfferKind::Gift, OfferKind::KeepDiscount, OfferKind::OtherStyle];
    const KINDS: [EvidenceKind; 4] =
        [EvidenceKind::Defect, EvidenceKind::SizeLabel, EvidenceKind::WhatArrived, EvidenceKind::AsReceived];

    /// Who pays the return parcel, freight insurance and cash-back: every combination.
    fn shipping(turn: usize) -> (Option<ShippingPayer>, bool, bool) {
        (PAYERS[turn % 4], (turn / 4) % 2 == 1, (turn / 8) % 2 == 1)
    }

    /// Every verdict, rule, next step and outcome (the rest of the decision
    /// taking turns), and every window, deadline, review time and shipping
    /// for a few typical decisions: bounded, but each text is seen.
    fn case_opened_samples() -> Vec<Msg> {
        let mut samples = Vec::new();
        let mut turn = 0usize;
        for verdict in VERDICTS {
            for rule in RULES {
                for next in NEXT_STEPS {
                    for outcome in Outcome::ALL {
                        let (return_shipping, freight_insurance, shipping_cash_back) = shipping(turn / 8);
                        samples.push(opened(DecisionText {
                            outcome,
                            deadline: (turn % 5 != 4).then(|| at(3, 9, 23, 59)),
                            window: WINDOWS[(turn / 3) % WINDOWS.len()],
                            review_by: (turn % 3 != 2).then(|| at(3, 10, 18, 0)),
                            return_shipping,
                            freight_insurance,
                            shipping_cash_back,
                            // Only a refusal names alternatives.
                            still_possible: match turn % 4 {
                                _ if verdict != Verdict::NotEligible => Vec::new(),
                                0 => Vec::new(),
                                1 => vec![Possible::Exchange { until: at(3, 17, 23, 59) }],
                                2 => vec![Possible::QualityClaim { until: at(3, 2, 23, 59) }],
                                _ => vec![
                                    Possible::Exchange { until: at(3, 17, 23, 59) },
                                    Possible::QualityClaim { until: at(3, 2, 23, 59) },
                                ],
                            },
                            ..decision(verdict, rule, next)
                        }));
                        turn += 1;
                    }
                }
            }
        }
        let typical = [
            (Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack),
            (Verdict::Approved, RuleId::ReturnAfterExchange, NextStep::SendItemBack),
            (Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review),
            (Verdict::NeedsReview, RuleId::CashBack, NextStep::CashBackAfterReview),
            (Verdict::NotEligible, RuleId::ResaleImpaired, NextStep::QualityClaimOrPerson),
        ];
        for (verdict, rule, next) in typical {
            for window in WINDOWS {
                for deadline in [Some(at(3, 9, 23, 59)), None] {
                    for review_by in [Some(at(3, 10, 18, 0)), None] {
                        for (return_shipping, freight_insurance, shipping_cash_back) in (0..16).map(shipping) {
                            samples.push(opened(DecisionText {
                                window,
                                deadline,
                                review_by,
                                return_shipping,
                                freight_insurance,
                                shipping_cash_back,
                                ..decision(verdict, rule, next)
                            }));
                        }
                    }
                }
            }
        }
        samples
    }

    /// One sample (at least) of every variant, with every label it can carry.
    fn samples(data: &Data) -> Vec<Msg> {
        let mut samples = vec![
            Msg::Greeting { name: data.name.into(), shop: data.shop.into() },
            Msg::Greeting { name: String::new(), shop: String::new() },
            Msg::Greeting { name: " ".into(), shop: data.shop.into() },
            Msg::MenuPrompt,
            Msg::Help,
            Msg::TerminalCommands,
            Msg::PhotoUnreadable { path: "/home/lin/notes/crack.jpg".into() },
            Msg::PhotoTooLarge { path: "crack.mov".into(), max_mb: 20 },
            Msg::CommandDescription { command: "unknown".into() },
            Msg::AskOrderNo,
            Msg::OrderNoMalformed,
            Msg::OrderNotFound { order: "TB-123456".into(), tries_left: 2 },
            Msg::OrderNotFound { order: "TB-123456".into(), tries_left: 0 },
            Msg::OrderLocked { until: at(3, 9, 23, 59) },
            Msg::AskProof { order: order() },
            Msg::ProofMalformed,
            Msg::ProofLockedNow { until: at(3, 9, 23, 59) },
            Msg::ProofByContactOnly,
            Msg::ContactNotOwn,
            Msg::ContactNoOrders,
            Msg::ContactVerified,
            Msg::PickOrder,
            Msg::OrderUnpaid { order: order() },
            Msg::PickLine { order: order() },
            Msg::AskQuantity { item: data.item.into(), max: 3 },
            Msg::AskReason { item: data.item.into(), shipped: true },
            Msg::AskReason { item: data.item.into(), shipped: false },
            Msg::AskDetail,
            Msg::EvidenceFull { max: 5 },
            Msg::DetailNoted,
            Msg::NotAPhoto,
            Msg::NotEvidence,
            Msg::AskOutcome,
            Msg::Cancelled,
            Msg::Cases(Vec::new()),
            Msg::NoCases,
            Msg::NoSuchCase { id: CaseId::from_seq(1001) },
            Msg::CaseNoLongerOpen { id: CaseId::from_seq(1001) },
            Msg::UnitsClaimed {
                item: data.item.into(),
                of: 1,
                // The statuses a case holding units can have.
                cases: [
                    (CaseStatus::Approved, Outcome::ReturnRefund),
                    (CaseStatus::Approved, Outcome::Reship),
                    (CaseStatus::NeedsReview, Outcome::Exchange),
                    (CaseStatus::Closed, Outcome::PartialRefund),
                ]
                .into_iter()
                .zip(1001..)
                .map(|((status, outcome), seq)| ClaimLine {
                    id: CaseId::from_seq(seq),
                    own: seq % 2 == 1,
                    quantity: 1,
                    outcome,
                    status,
                })
                .collect(),
            },
            Msg::UnitsClaimed {
                item: data.item.into(),
                of: 2,
                cases: vec![ClaimLine {
                    id: CaseId::from_seq(1009),
                    own: false,
                    quantity: 2,
                    outcome: Outcome::Exchange,
                    status: CaseStatus::NeedsReview,
                }],
            },
            Msg::UnitsPartlyClaimed {
                item: data.item.into(),
                left: 1,
                of: 3,
                cases: vec![CaseId::from_seq(1001), CaseId::from_seq(1002)],
            },
            Msg::AskAddition { id: CaseId::from_seq(1001) },
            Msg::AddedToCase { id: CaseId::from_seq(1001) },
            Msg::WhatNow,
            Msg::AdditionsDone { id: CaseId::from_seq(1001) },
            Msg::AgentQueued { case: Some(CaseId::from_seq(1001)), wait_minutes: 30 },
            Msg::AgentQueued { case: None, wait_minutes: 120 },
            Msg::ShopWillReply {
                case: Some(CaseId::from_seq(1001)),
                contact: "Mon–Fri 9:00–18:00, 400-800-1234".into(),
            },
            Msg::ShopWillReply { case: None, contact: String::new() },
            Msg::LanguagePrompt,
            Msg::LanguageSet,
            Msg::StaleButton,
            Msg::TextTooLong { max: 1000 },
            Msg::UseButtons,
            Msg::NumberOutOfRange { max: 7 },
            Msg::UnexpectedMedia,
            Msg::Unsupported,
            Msg::EditNotRead,
            Msg::AskCondition { item: data.item.into() },
            Msg::OfferDeclined,
            Msg::OtherStyleChosen,
            Msg::Explanation {
                decision: DecisionText {
                    verdict: Verdict::NeedsReview,
                    rule: RuleId::QualityClaim,
                    next: NextStep::Review,
                    window: Some(Length::Hours(48)),
                    review_by: Some(at(3, 10, 18, 0)),
                    return_shipping: Some(ShippingPayer::Shop),
                    shipping_cash_back: true,
                    ..decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review)
                },
                facts: all_facts(),
            },
            Msg::Explanation {
                decision: decision(Verdict::NotEligible, RuleId::OrderUnpaid, NextStep::CancelUnpaidOrder),
                facts: Vec::new(),
            },
        ];
        for kind in OFFER_KINDS {
            for value in [Some(yuan(10)), None] {
                for first in [true, false] {
                    samples.push(Msg::RetentionOffer { text: data.offer.into(), kind, value, first });
                }
                samples.push(Msg::Retained { id: CaseId::from_seq(1001), text: data.offer.into(), kind, value });
            }
        }
        samples.extend(COMMANDS.map(|command| Msg::CommandDescription { command: command.into() }));
        samples.extend((0..=3).map(|tries_left| Msg::ProofWrong { tries_left }));
        samples.extend(KINDS.into_iter().flat_map(|kind| {
            [(3, 5), (1, 5), (0, 5), (2, 2)].into_iter().map(move |(min, max)| Msg::AskEvidence { kind, min, max })
        }));
        samples.extend(
            [(3, 5), (0, 5), (1, 1)]
                .into_iter()
                .flat_map(|(min, max)| (0..=5).map(move |have| Msg::EvidenceReceived { have, min, max })),
        );
        samples.extend(Reason::ALL.into_iter().zip(Outcome::ALL.into_iter().cycle()).flat_map(|(reason, outcome)| {
            [(data.detail, 3), ("", 0)].map(|(detail, photos)| Msg::Summary {
                order: order(),
                item: data.item.into(),
                quantity: 2,
                reason,
                detail: detail.into(),
                photos,
                outcome,
                resale_intact: None,
            })
        }));
        samples.extend([Some(true), Some(false)].map(|resale_intact| Msg::Summary {
            order: order(),
            item: data.item.into(),
            quantity: 1,
            reason: Reason::ChangedMind,
            detail: String::new(),
            photos: 0,
            outcome: Outcome::ReturnRefund,
            resale_intact,
        }));
        samples.push(Msg::Cases(
            STATUSES
                .into_iter()
                .zip(Outcome::ALL)
                .enumerate()
                .map(|(seq, (status, outcome))| CaseLine {
                    id: CaseId::from_seq(1001 + seq as i64),
                    item: if seq == 0 { data.long_item.into() } else { data.item.into() },
                    outcome,
                    status,
                    opened: at(3, 2, 15, 0),
                })
                .collect(),
        ));
        samples.extend(case_detail_samples(data));
        samples.extend(case_opened_samples());
        samples.extend(agent_samples(data));
        samples.extend(followup_samples(data));
        let buttons = buttons(data);
        samples.extend(buttons.iter().cloned().map(|button| Msg::Chosen(Box::new(button))));
        samples.extend(buttons);
        samples
    }

    /// A card with `entries` timeline lines and `earlier` left out; with a case
    /// when `decision` is given.
    fn card(data: &Data, decision: Option<DecisionText>, entries: usize, earlier: usize) -> CardView {
        use crate::catalogue::card::CardCase;
        use crate::catalogue::card::TimelineLine;
        use crate::escalation::Assignee;
        let case = decision.map(|decision| CardCase {
            id: CaseId::from_seq(1001),
            order: order(),
            item: data.item.into(),
            sku: "WC-2026-BLK-M".into(),
            quantity: 2,
            unit_price: yuan(199),
            paid: yuan(398),
            reason: Reason::QualityDefect,
            detail: [data.detail; 40].join(" "),
            outcome: Outcome::ReturnRefund,
            status: CaseStatus::NeedsReview,
            decision,
            agreed: Some(yuan(100)),
            responsibility: Some(2),
            evidence: 3,
        });
        let kinds = ["case_opened", "escalated", "taken", "note", "customer_message", "agent_message"];
        CardView {
            case,
            customer: data.name.into(),
            phone: Some("138****5678".into()),
            customer_lang: Lang::Zh,
            why: Why::Review,
            status: Status::Taken,
            assignee: Some(Assignee { user_id: 7, name: data.agent.into() }),
            opened: at(3, 5, 10, 30),
            timeline: (0..entries)
                .map(|entry| TimelineLine {
                    at: at(3, 5, 10, entry as u32),
                    actor: if entry.is_multiple_of(2) { data.name.into() } else { data.agent.into() },
                    kind: kinds[entry % kinds.len()].into(),
                    detail: data.detail.repeat(entry + 1),
                })
                .collect(),
            earlier,
        }
    }

    fn queue_line(data: &Data, why: Why, seq: usize) -> QueueLine {
        QueueLine {
            case: (seq % 3 != 2).then(|| CaseId::from_seq(1001 + seq as i64)),
            customer: data.name.into(),
            why,
            status: if seq.is_multiple_of(2) { Status::Queued } else { Status::Taken },
            assignee: (seq % 2 == 1).then(|| data.agent.into()),
            waited_minutes: 25 * seq as i64,
        }
    }

    /// One sample (at least) of every text of the human-agents feature.
    fn agent_samples(data: &Data) -> Vec<Msg> {
        let case = || CaseId::from_seq(1001);
        let review = decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review);
        let mut samples = vec![
            Msg::WaitLonger,
            Msg::AgentJoined { agent: Some(data.agent.into()) },
            Msg::AgentJoined { agent: Some(" ".into()) },
            Msg::AgentJoined { agent: None },
            Msg::AgentSays { agent: data.agent.into(), text: data.detail.into() },
            Msg::AgentRejected { case: case(), reason: data.refusal.into() },
            Msg::AgentRejected { case: case(), reason: String::new() },
            Msg::BackWithBot,
            Msg::CaseClosedByAgent { case: Some(case()) },
            Msg::CaseClosedByAgent { case: None },
            Msg::WithAPerson,
            Msg::Card(Box::new(card(data, Some(review.clone()), TIMELINE_SHOWN, 5))),
            Msg::Card(Box::new(card(data, None, 3, 0))),
            Msg::Card(Box::new(CardView {
                phone: None,
                assignee: None,
                customer_lang: Lang::En,
                status: Status::Queued,
                ..card(data, Some(review), 0, 0)
            })),
            Msg::TopicName { case: Some(case()), reason: Some(Reason::QualityDefect), customer: data.name.into() },
            Msg::TopicName { case: Some(case()), reason: None, customer: data.name.into() },
            Msg::TopicName { case: None, reason: None, customer: data.name.into() },
            Msg::TopicName {
                case: Some(case()),
                reason: Some(Reason::SignedNotReceived),
                customer: data.long_item.repeat(9),
            },
            Msg::NotAnAgent,
            Msg::NoteSaved,
            Msg::TakenBy { agent: data.agent.into() },
            Msg::AlreadyYours,
            Msg::TookCase { agent: data.agent.into() },
            Msg::Released { agent: data.agent.into() },
            Msg::NotAssigned,
            Msg::HandedBack { agent: data.agent.into() },
            Msg::ClosedByAgent { agent: data.agent.into() },
            Msg::NoCaseToDecide,
            Msg::CaseAlreadyClosed { case: case() },
            Msg::AmountAboveCap { asked: yuan(500), cap: yuan(398) },
            Msg::EscalationClosed,
            Msg::CaseReopened,
            Msg::Queue(Vec::new()),
            Msg::Queue(Why::ALL.into_iter().enumerate().map(|(seq, why)| queue_line(data, why, seq)).collect()),
            Msg::Queue((0..45).map(|seq| queue_line(data, Why::CustomerAsked, seq)).collect()),
            Msg::CustomerSent(Described::Sticker { emoji: Some("😀".into()) }),
            Msg::CustomerSent(Described::Sticker { emoji: None }),
            Msg::CustomerSent(Described::Location),
            Msg::CustomerSent(Described::Poll),
            Msg::CustomerSent(Described::Other),
            Msg::CannotRelay,
            Msg::AgentsHelp,
        ];
        samples.extend(agent_buttons());
        samples.extend(
            [0, 1, 45, 59, 60, 61, 90, 120, 2879, 2880, 10_000, i64::MAX]
                .into_iter()
                .flat_map(|wait_minutes| [Some(case()), None].map(|case| Msg::AgentQueued { case, wait_minutes })),
        );
        for (seq, outcome) in Outcome::ALL.into_iter().enumerate() {
            let amount = seq.is_multiple_of(2).then(|| yuan(50));
            let reason = (outcome == Outcome::CashBack).then(|| data.cash_back.into());
            samples.push(Msg::AgentDecided { case: case(), outcome, amount, reason });
            for status in [CaseStatus::Approved, CaseStatus::NotEligible] {
                samples.push(Msg::DecisionRecorded { agent: data.agent.into(), outcome, status, amount });
            }
        }
        samples.extend((0..=10).map(|code| Msg::ResponsibilitySet { code }));
        for (seq, why) in Why::ALL.into_iter().enumerate() {
            let case = seq.is_multiple_of(2).then(case);
            samples.push(Msg::SlaPing { case, why, waited_minutes: 30 << seq, pings: seq as u32 + 1 });
        }
        samples.extend(
            [Usage::Note, Usage::Reject, Usage::PartialRefund, Usage::CashBack, Usage::Refund, Usage::Responsibility]
                .map(|usage| Msg::CommandUsage(usage.syntax().into())),
        );
        samples.extend(Status::ALL.map(|status| Msg::NotRelayed { status }));
        samples
    }

    /// A return tracking number as the customer types it.
    const TRACKING: &str = "SF1234567890123";
    const WAITINGS: [Waiting; 3] = [Waiting::Review, Waiting::Inspection, Waiting::Refund];

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).expect("a valid test day")
    }

    fn return_address(data: &Data) -> ReturnAddress {
        ReturnAddress { address: data.address.into(), recipient: data.recipient.into(), phone: "0755-8888-6666".into() }
    }

    fn no_address() -> ReturnAddress {
        ReturnAddress { address: String::new(), recipient: String::new(), phone: String::new() }
    }

    fn confirm_tracking(carrier_zh: &str, carrier_en: &str) -> Msg {
        Msg::ConfirmTracking {
            case: CaseId::from_seq(1001),
            carrier_zh: carrier_zh.into(),
            carrier_en: carrier_en.into(),
            number: TRACKING.into(),
        }
    }

    fn followup_buttons() -> Vec<Msg> {
        let mut buttons = vec![
            Msg::TrackingRight,
            Msg::TrackingWrong,
            Msg::ReplaceTrackingButton,
            Msg::KeepTrackingButton,
            Msg::NoCommentButton,
        ];
        buttons.extend((1..=5).map(|score| Msg::RatingButton { score }));
        buttons
    }

    /// One sample (at least) of every text of the follow-ups feature.
    fn followup_samples(data: &Data) -> Vec<Msg> {
        let case = || CaseId::from_seq(1001);
        let mut samples = vec![
            confirm_tracking("顺丰速运", "SF Express"),
            confirm_tracking("", ""),
            Msg::TrackingSaved {
                case: case(),
                carrier_zh: "顺丰速运".into(),
                carrier_en: "SF Express".into(),
                number: TRACKING.into(),
            },
            Msg::AskTrackingAgain { case: case() },
            Msg::WhichCaseForParcel {
                carrier_zh: "顺丰速运".into(),
                carrier_en: "SF Express".into(),
                number: TRACKING.into(),
            },
            Msg::WhichCaseForParcel { carrier_zh: String::new(), carrier_en: String::new(), number: TRACKING.into() },
            Msg::ConfirmReplaceTracking { case: case(), old: TRACKING.into(), number: "YT1234567890123".into() },
            Msg::TrackingReplaced { case: case(), old: TRACKING.into(), number: "YT1234567890123".into() },
            Msg::TrackingKept { case: case(), number: TRACKING.into() },
            Msg::TrackingAlreadySaved { case: case(), number: TRACKING.into() },
            Msg::ParcelAlreadyArrived { case: case() },
            Msg::TrackingNudge { case: case() },
            Msg::NoScanUpdate { case: case() },
            Msg::InspectionFailed { case: case(), reason: data.inspection.into() },
            Msg::InspectionFailed { case: case(), reason: " ".into() },
            Msg::ExchangeInspected { case: case() },
            Msg::RefundIssued { case: case(), amount: yuan(268), arrive_by: day(3, 12) },
            Msg::SurveyAsk { case: case() },
            Msg::SurveyReminder { case: case() },
            Msg::SurveyThanks,
            Msg::SurveyAlreadyAnswered,
            Msg::AlertNoScan { case: case(), number: TRACKING.into(), since: Some(at(3, 5, 10, 30)) },
            Msg::AlertNoScan { case: case(), number: TRACKING.into(), since: None },
            Msg::AlertNoScan { case: case(), number: String::new(), since: None },
            Msg::AlertParcelException { case: case(), number: TRACKING.into(), detail: data.scan.into() },
            Msg::AlertParcelException { case: case(), number: String::new(), detail: String::new() },
            Msg::AlertRefundOverdue { case: case(), days: 3 },
            Msg::AlertRefundOverdue { case: case(), days: 1 },
            Msg::AlertRefundRefused { case: case(), why: data.refund_error.into() },
            Msg::AlertRefundRefused { case: case(), why: String::new() },
            Msg::AlertManualRefund { case: case(), amount: yuan(268) },
            Msg::AlertShipReplacement { case: case() },
            Msg::AlertSurveyComment { case: case(), comment: data.comment.into() },
            Msg::AlertFollowupStopped { case: case() },
            Msg::AlertProofContactOnly { order: order(), wrong: 10, chats: 5, hours: 24 },
            Msg::InspectionRecorded { case: case(), passed: true },
            Msg::InspectionRecorded { case: case(), passed: false },
            Msg::RefundRecorded { case: case(), amount: yuan(268) },
            Msg::NoReturnAtStage { case: Some(case()) },
            Msg::NoReturnAtStage { case: None },
        ];
        for outcome in Outcome::ALL {
            samples.push(Msg::ReturnInstructions { case: case(), outcome, address: return_address(data) });
        }
        let partial = ReturnAddress { recipient: String::new(), phone: " ".into(), ..return_address(data) };
        for address in [no_address(), partial] {
            samples.push(Msg::ReturnInstructions { case: case(), outcome: Outcome::ReturnRefund, address });
        }
        for item in [data.item, data.long_item, ""] {
            samples.push(Msg::ParcelCaseButton { case: case(), item: item.into() });
            samples.push(Msg::ParcelCaseButton { case: CaseId::from_seq(i64::MAX), item: item.into() });
        }
        for status in ParcelStatus::ALL {
            for detail in [data.scan, ""] {
                samples.push(Msg::ParcelUpdate { case: case(), status, detail: detail.into() });
            }
        }
        samples.extend(WAITINGS.map(|waiting| Msg::Progress { case: case(), waiting }));
        for score in 1..=5 {
            samples.push(Msg::SurveyAskComment { score });
            samples.push(Msg::SurveySorry { score });
            samples.push(Msg::AlertLowScore { case: case(), score });
        }
        let buttons = followup_buttons();
        samples.extend(buttons.iter().cloned().map(|button| Msg::Chosen(Box::new(button))));
        samples.extend(buttons);
        samples
    }

    /// A case in full at every next step, with what can happen on it.
    fn case_detail_samples(data: &Data) -> Vec<Msg> {
        let approved = |outcome| AgentDecision { approved: true, outcome, reason: None };
        let milestones = vec![
            Milestone::Opened,
            Milestone::Added,
            Milestone::WithAPerson,
            Milestone::Decided(approved(Outcome::Exchange)),
            Milestone::Decided(AgentDecision {
                approved: false,
                outcome: Outcome::ReturnRefund,
                reason: Some(data.refusal.into()),
            }),
            Milestone::ReturnInstructions,
            Milestone::TrackingNumber { number: "SF1234567890".into() },
            Milestone::InspectionPassed,
            Milestone::InspectionFailed,
            Milestone::Refunded { amount: yuan(399) },
            Milestone::Kept,
            Milestone::Closed,
        ]
        .into_iter()
        .chain(ParcelStatus::ALL.map(Milestone::Parcel));
        let latest: Vec<(NaiveDateTime, Milestone)> =
            milestones.map(|milestone| (at(3, 2, 15, 0), milestone)).collect();
        let nexts = [
            CaseNext::Review,
            CaseNext::SendBack,
            CaseNext::ParcelOnItsWay,
            CaseNext::CarryingOut,
            CaseNext::PersonCanHelp,
            CaseNext::Settled,
        ];
        let mut samples: Vec<Msg> = nexts
            .into_iter()
            .zip(STATUSES.into_iter().cycle())
            .enumerate()
            .map(|(index, (next, status))| {
                let (verdict, rule, step) = match index % 3 {
                    0 => (Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review),
                    1 => (Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack),
                    _ => (Verdict::NotEligible, RuleId::NoReasonWindowPassed, NextStep::TalkToPerson),
                };
                let decision = DecisionText { review_by: Some(at(3, 3, 18, 0)), ..decision(verdict, rule, step) };
                Msg::CaseDetail(Box::new(CaseView {
                    id: CaseId::from_seq(1001),
                    order: order(),
                    item: if index == 0 { data.long_item.into() } else { data.item.into() },
                    quantity: 1,
                    reason: Reason::ALL[index % Reason::ALL.len()],
                    outcome: Outcome::ALL[index % Outcome::ALL.len()],
                    status,
                    opened: at(3, 2, 15, 0),
                    decision,
                    agent_decision: (index % 2 == 1).then(|| approved(Outcome::Exchange)),
                    next,
                    latest: if index == 0 { latest.clone() } else { latest[..1].to_vec() },
                    earlier: index,
                }))
            })
            .collect();
        samples.extend(
            [data.item, data.long_item].map(|item| Msg::CaseButton { id: CaseId::from_seq(1001), item: item.into() }),
        );
        samples
    }

    fn agent_buttons() -> [Msg; 5] {
        [Msg::TakeButton, Msg::ReleaseButton, Msg::ApproveButton, Msg::HandBackButton, Msg::CloseButton]
    }

    fn buttons(data: &Data) -> Vec<Msg> {
        let mut buttons = vec![
            Msg::MenuNew,
            Msg::MenuCases,
            Msg::MenuAgent,
            Msg::MenuLanguage,
            Msg::ShareContactButton,
            Msg::SkipButton,
            Msg::ConfirmButton,
            Msg::ChangeButton,
            Msg::CancelButton,
            Msg::AddToCaseButton { id: CaseId::from_seq(1001) },
            Msg::OtherItemButton,
            Msg::FinishedAddingButton,
            Msg::ExchangeInsteadButton,
            Msg::QualityClaimButton,
            Msg::Quantity(1),
            Msg::Quantity(12),
            Msg::LanguageName(Lang::Zh),
            Msg::LanguageName(Lang::En),
            Msg::ConditionIntactButton,
            Msg::ConditionUsedButton,
            Msg::AnotherOfferButton,
            Msg::DeclineOfferButton,
        ];
        buttons.extend(OFFER_KINDS.map(|kind| Msg::AcceptOfferButton { kind }));
        for (item, lines) in [(data.item, 1), (data.item, 2), (data.long_item, 12), ("", 3), (data.item, 0)] {
            buttons.push(Msg::OrderButton { order: order(), first_item: item.into(), lines, total: yuan(597) });
        }
        let long_order = OrderNo::from_trusted("TB-2026-0301-0000-0000-000001");
        buttons.push(Msg::OrderButton {
            order: long_order,
            first_item: data.long_item.into(),
            lines: 3,
            total: yuan(12_999),
        });
        for item in [data.item, data.long_item] {
            buttons.push(Msg::LineButton { item: item.into(), quantity: 1, unit_price: yuan(399) });
        }
        buttons.extend(Reason::ALL.map(Msg::ReasonLabel));
        buttons.extend(Outcome::ALL.map(Msg::OutcomeLabel));
        buttons
    }

    /// The longest a label may be, for the variants shown on a button or a popup.
    fn label_limit(msg: &Msg) -> Option<usize> {
        match msg {
            // An order number may have 32 characters: then it and the total are all that fit.
            Msg::OrderButton { order, total, .. } => {
                Some(40.max(order.as_str().chars().count() + total.to_string().chars().count() + 8))
            }
            Msg::MenuNew | Msg::MenuCases | Msg::MenuAgent | Msg::MenuLanguage => Some(24),
            Msg::ReasonLabel(_) => Some(20),
            Msg::ShareContactButton
            | Msg::LineButton { .. }
            | Msg::Quantity(_)
            | Msg::SkipButton
            | Msg::OutcomeLabel(_)
            | Msg::ConfirmButton
            | Msg::ChangeButton
            | Msg::CancelButton
            | Msg::LanguageName(_)
            | Msg::ConditionIntactButton
            | Msg::ConditionUsedButton
            | Msg::AcceptOfferButton { .. }
            | Msg::AnotherOfferButton
            | Msg::DeclineOfferButton
            | Msg::TakeButton
            | Msg::ReleaseButton
            | Msg::ApproveButton
            | Msg::HandBackButton
            | Msg::CloseButton
            | Msg::TrackingRight
            | Msg::TrackingWrong
            | Msg::ReplaceTrackingButton
            | Msg::KeepTrackingButton
            | Msg::ParcelCaseButton { .. }
            | Msg::NoCommentButton
            | Msg::CaseButton { .. } => Some(40),
            // Five in a row.
            Msg::RatingButton { .. } => Some(8),
            // Telegram's limit for a forum topic's name.
            Msg::TopicName { .. } => Some(128),
            Msg::StaleButton => Some(60),
            // Telegram allows 256; the command menu shows far fewer.
            Msg::CommandDescription { .. } => Some(40),
            _ => None,
        }
    }

    /// Texts that name a language in its own words, and so mix scripts.
    fn names_languages(msg: &Msg) -> bool {
        match msg {
            Msg::MenuLanguage | Msg::LanguagePrompt | Msg::LanguageName(_) => true,
            Msg::CommandDescription { command } => command == "lang",
            Msg::Chosen(inner) => names_languages(inner),
            _ => false,
        }
    }

    fn has_cjk(text: &str) -> bool {
        text.chars().any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}'))
    }

    /// The variant's name, as serde spells it.
    fn variant_name(msg: &Msg) -> String {
        match serde_json::to_value(msg).expect("a message serialises") {
            serde_json::Value::String(name) => name,
            serde_json::Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
            other => panic!("unexpected serialisation {other}"),
        }
    }

    /// Every variant of `Msg`, read from serde's "unknown variant" error so
    /// that a new variant shows up here without anyone listing it.
    fn all_variant_names() -> BTreeSet<String> {
        let error = serde_json::from_str::<Msg>("\"\"").expect_err("the empty variant is unknown").to_string();
        let (_, expected) = error.split_once("expected one of").expect("serde lists the variants");
        expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
    }

    fn check_all(lang: Lang, data: &Data) {
        for msg in samples(data) {
            let text = render(lang, &msg);
            let chars = text.chars().count();
            assert!(!text.trim().is_empty(), "{lang:?} {msg:?} is empty");
            assert!(chars < 4096, "{lang:?} {msg:?} is {chars} characters");
            if let Some(limit) = label_limit(&msg) {
                assert!(chars <= limit, "{lang:?} label {text:?} is {chars} characters, above {limit}");
                assert!(!text.contains('\n'), "{lang:?} label {text:?} spans lines");
            }
            if matches!(msg, Msg::CaseOpened { .. }) {
                assert!(chars <= 700, "{lang:?} decision is {chars} characters:\n{text}");
            }
            match lang {
                Lang::Zh
                    if msg != Msg::LanguageName(Lang::En)
                        && msg != Msg::Chosen(Box::new(Msg::LanguageName(Lang::En))) =>
                {
                    assert!(has_cjk(&text), "zh {msg:?} has no Chinese: {text:?}")
                }
                Lang::En if !names_languages(&msg) => assert!(!has_cjk(&text), "en {msg:?} has Chinese: {text:?}"),
                _ => {}
            }
            let lower = text.to_lowercase();
            for phrase in FORBIDDEN {
                assert!(!lower.contains(phrase), "{lang:?} {msg:?} uses the forbidden {phrase:?}: {text}");
            }
            for leftover in ["{", "}", "**", "__", "<b>", "</", "`", "[", "]("] {
                // Plain text on purpose: what the customer sent is described to agents
                // "[in brackets]", and a card shows the customer's masked phone (138****5678).
                if (leftover == "[" && matches!(msg, Msg::CustomerSent(_)))
                    || (leftover == "**" && matches!(msg, Msg::Card(_)))
                {
                    continue;
                }
                assert!(!text.contains(leftover), "{lang:?} {msg:?} has {leftover:?}: {text}");
            }
        }
    }

    #[test]
    fn the_samples_cover_every_message_variant() {
        let sampled: BTreeSet<String> = samples(&EN_DATA).iter().chain(&samples(&ZH_DATA)).map(variant_name).collect();
        let all = all_variant_names();
        assert!(all.len() > 50, "serde listed only {all:?}");
        let missing: Vec<_> = all.difference(&sampled).collect();
        assert!(missing.is_empty(), "no sample of {missing:?}");
    }

    #[test]
    fn every_chinese_text_is_short_chinese_plain_and_polite() {
        check_all(Lang::Zh, &ZH_DATA);
    }

    #[test]
    fn every_english_text_is_short_english_plain_and_polite() {
        check_all(Lang::En, &EN_DATA);
    }

    /// A Chinese character, or full-width punctuation.
    fn is_cjk(c: char) -> bool {
        has_cjk(c.encode_utf8(&mut [0; 4]))
    }

    #[test]
    fn chinese_texts_use_full_width_punctuation_next_to_chinese() {
        for msg in samples(&ZH_DATA) {
            let text = render(Lang::Zh, &msg);
            let chars: Vec<char> = text.chars().collect();
            for (index, pair) in chars.windows(2).enumerate() {
                let half_width = |c: char| ",!?:;".contains(c);
                let clash = (is_cjk(pair[0]) && half_width(pair[1])) || (half_width(pair[0]) && is_cjk(pair[1]));
                assert!(!clash, "zh {msg:?} has {:?} at {index}: {text}", pair.iter().collect::<String>());
            }
        }
    }

    /// The sentences of a text, cut after full stops, question and exclamation marks and line ends.
    fn sentences(text: &str) -> Vec<String> {
        let mut sentences = Vec::new();
        let mut current = String::new();
        for c in text.chars() {
            current.push(c);
            if "。！？.!?\n".contains(c) {
                let sentence = current.trim().trim_end_matches(['.', '!', '?']).to_owned();
                // Short pieces (a list mark, "1.", an emoji) may well repeat.
                if sentence.chars().count() > 6 {
                    sentences.push(sentence);
                }
                current.clear();
            }
        }
        sentences
    }

    #[test]
    fn no_text_says_the_same_sentence_twice() {
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            // A queue lists rows of the same shape, which may well read alike.
            for msg in samples(data).into_iter().filter(|msg| !matches!(msg, Msg::Queue(_))) {
                let text = render(lang, &msg);
                let mut seen = BTreeSet::new();
                for sentence in sentences(&text) {
                    assert!(seen.insert(sentence.clone()), "{lang:?} {msg:?} repeats {sentence:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn a_transit_problem_blames_the_carrier_once() {
        for cash_back in [false, true] {
            let claim = opened(DecisionText {
                return_shipping: Some(ShippingPayer::Carrier),
                shipping_cash_back: cash_back,
                ..decision(Verdict::Approved, RuleId::LogisticsClaim, NextStep::SendItemBack)
            });
            let (zh, en) = (render(Lang::Zh, &claim), render(Lang::En, &claim));
            assert_eq!(zh.matches("快递公司").count() + zh.matches("快递方").count(), 1, "{zh}");
            assert_eq!(en.matches("carrier").count(), 1, "{en}");
        }
    }

    #[test]
    fn a_customer_paying_the_return_is_asked_politely_and_told_of_freight_insurance() {
        for insured in [false, true] {
            let text = |lang| {
                render(
                    lang,
                    &opened(DecisionText {
                        return_shipping: Some(ShippingPayer::Customer),
                        freight_insurance: insured,
                        ..decision(Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack)
                    }),
                )
            };
            let (zh, en) = (text(Lang::Zh), text(Lang::En));
            assert_eq!(zh.contains("运费险"), insured, "{zh}");
            assert_eq!(en.contains("freight insurance"), insured, "{en}");
            assert!(!zh.contains("由您承担。") && !en.contains("is on you"), "{zh}\n{en}");
        }
    }

    #[test]
    fn an_upper_limit_is_named_only_where_the_amount_is_agreed_later() {
        for msg in case_opened_samples() {
            let Msg::CaseOpened { decision, .. } = &msg else { unreachable!() };
            let capped = decision.outcome == Outcome::PartialRefund;
            for (lang, up_to) in [(Lang::Zh, "最多¥"), (Lang::En, "up to ¥")] {
                let text = render(lang, &msg);
                assert!(capped || !text.contains(up_to), "{lang:?} {decision:?}: {text}");
            }
        }
    }

    #[test]
    fn the_reason_question_fits_the_orders_stage() {
        let ask = |shipped| Msg::AskReason { item: "保温杯".into(), shipped };
        assert!(render(Lang::Zh, &ask(true)).contains("遇到了什么问题"));
        assert!(render(Lang::Zh, &ask(false)).contains("为什么想取消"));
        assert!(render(Lang::En, &ask(false)).contains("Why would you like to cancel"));
    }

    #[test]
    fn lock_times_are_written_the_way_each_language_writes_them() {
        let locked = Msg::OrderLocked { until: at(3, 9, 23, 59) };
        assert!(render(Lang::En, &locked).contains("23:59 on 9 March"));
        assert!(render(Lang::Zh, &locked).contains("3月9日 23:59"));
    }

    #[test]
    fn a_refusal_names_its_rule_and_points_to_a_person() {
        let refused = opened(decision(Verdict::NotEligible, RuleId::NoReasonWindowPassed, NextStep::TalkToPerson));
        for (lang, window_ended) in [
            (Lang::En, "7-day no-reason return period ended at 23:59 on 9 March"),
            (Lang::Zh, "7天无理由退货期已于3月9日 23:59结束"),
        ] {
            let text = render(lang, &refused);
            assert!(text.contains(window_ended), "{text}");
            assert!(text.contains(&render(lang, &Msg::MenuAgent)), "{text}");
            assert!(!text.contains("¥199.00"), "a refusal promises no money: {text}");
        }
    }

    #[test]
    fn an_approved_return_tells_the_refund_cap_the_payer_and_the_freight_insurance() {
        let approved = opened(DecisionText {
            return_shipping: Some(ShippingPayer::Customer),
            freight_insurance: true,
            ..decision(Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack)
        });
        let expectations = [
            (Lang::En, ["freight insurance", "7-day no-reason return", "23:59 on 9 March", "3 working days"]),
            (Lang::Zh, ["运费险", "7天无理由退货", "3月9日 23:59", "3个工作日"]),
        ];
        for (lang, expected) in expectations {
            let text = render(lang, &approved);
            for expected in ["AS-1001", "¥199.00"].into_iter().chain(expected) {
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
            }
        }
    }

    #[test]
    fn an_exchange_promises_no_refund() {
        let exchange = opened(DecisionText {
            outcome: Outcome::Exchange,
            ..decision(Verdict::Approved, RuleId::ExchangeInWindow, NextStep::SendItemBack)
        });
        for lang in [Lang::Zh, Lang::En] {
            assert!(!render(lang, &exchange).contains("¥199.00"));
        }
    }

    #[test]
    fn only_a_refund_that_may_go_ahead_names_an_amount() {
        for msg in case_opened_samples() {
            let Msg::CaseOpened { decision, .. } = &msg else { unreachable!() };
            if decision.verdict == Verdict::NotEligible || !decision.outcome.refunds() {
                for lang in [Lang::Zh, Lang::En] {
                    let text = render(lang, &msg);
                    assert!(!text.contains("¥199.00"), "{lang:?} promises money: {decision:?}\n{text}");
                }
            }
        }
    }

    #[test]
    fn a_quality_window_in_hours_says_how_many_hours() {
        let claim = opened(DecisionText {
            window: Some(Length::Hours(48)),
            deadline: Some(at(3, 4, 14, 4)),
            ..decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review)
        });
        let late = opened(DecisionText {
            window: Some(Length::Hours(48)),
            deadline: Some(at(3, 4, 14, 4)),
            ..decision(Verdict::NotEligible, RuleId::QualityReportWindowPassed, NextStep::TalkToPerson)
        });
        for msg in [claim, late] {
            for (lang, expected) in
                [(Lang::En, ["48 hours", "14:04 on 4 March"]), (Lang::Zh, ["48小时", "3月4日 14:04"])]
            {
                let text = render(lang, &msg);
                for expected in expected {
                    assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn a_request_under_review_says_when_a_person_answers() {
        for next in [NextStep::Review, NextStep::CashBackAfterReview] {
            let review = opened(DecisionText {
                review_by: Some(at(3, 10, 18, 0)),
                ..decision(Verdict::NeedsReview, RuleId::QualityClaim, next)
            });
            for (lang, by) in [(Lang::En, "by 18:00 on Tuesday 10 March"), (Lang::Zh, "3月10日 18:00前")] {
                let text = render(lang, &review);
                assert!(text.contains(by), "{lang:?} lacks {by:?}: {text}");
            }
        }
        let unknown = opened(decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review));
        for lang in [Lang::Zh, Lang::En] {
            assert!(!render(lang, &unknown).contains("18:00"));
        }
    }

    #[test]
    fn an_advanced_return_shipping_is_repaid_as_cash_back() {
        let advanced = opened(DecisionText {
            return_shipping: Some(ShippingPayer::Shop),
            shipping_cash_back: true,
            ..decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review)
        });
        for (lang, expected) in
            [(Lang::En, ["advance", "cash-back", "tracking number"]), (Lang::Zh, ["垫付", "返现", "单号"])]
        {
            let text = render(lang, &advanced);
            for expected in expected {
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
            }
        }
    }

    #[test]
    fn a_retention_offer_asks_first_and_names_the_decline_button() {
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            let decline = render(lang, &Msg::DeclineOfferButton);
            for first in [true, false] {
                let offer = Msg::RetentionOffer {
                    text: data.offer.into(),
                    kind: OfferKind::Coupon,
                    value: Some(yuan(10)),
                    first,
                };
                let text = render(lang, &offer);
                for expected in [decline.as_str(), data.offer, "¥10.00"] {
                    assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
                }
                assert_eq!(text.contains(['?', '？']), first, "{lang:?} first={first}: {text}");
            }
        }
    }

    #[test]
    fn a_kept_item_names_its_case_and_the_offer() {
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            let retained = Msg::Retained {
                id: CaseId::from_seq(1001),
                text: data.offer.into(),
                kind: OfferKind::Coupon,
                value: Some(yuan(10)),
            };
            let text = render(lang, &retained);
            for expected in ["AS-1001", data.offer, "¥10.00"] {
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
            }
        }
    }

    #[test]
    fn an_explanation_lists_every_fact_it_was_given() {
        let facts = all_facts();
        let explanation = Msg::Explanation {
            decision: decision(Verdict::NotEligible, RuleId::NoReasonWindowPassed, NextStep::QualityClaimOrPerson),
            facts: facts.clone(),
        };
        let expectations = [
            (
                Lang::En,
                [
                    "Facts used:",
                    "no_reason_window_passed",
                    "10:30 on 5 March 2026",
                    "20:15 on 26 February 2026",
                    "14:05 on 2 March 2026",
                    "7 days from 00:00 on 3 March 2026",
                    "23:59 on 9 March 2026",
                    "apparel",
                    "2 sent, 3 needed",
                    "1 of 1",
                    "09:00 on 1 March 2026",
                    "¥199.00",
                    "¥50.00",
                    "Freight insurance: yes",
                    "18:00 on 10 March 2026",
                ],
            ),
            (
                Lang::Zh,
                [
                    "依据的事实",
                    "no_reason_window_passed",
                    "2026年3月5日 10:30",
                    "2026年2月26日 20:15",
                    "2026年3月2日 14:05",
                    "从2026年3月3日 00:00起算",
                    "2026年3月9日 23:59",
                    "apparel",
                    "已传2张，至少需要3张",
                    "1次（最多1次）",
                    "2026年3月1日 09:00",
                    "¥199.00",
                    "¥50.00",
                    "运费险：有",
                    "2026年3月10日 18:00",
                ],
            ),
        ];
        for (lang, expected) in expectations {
            let text = render(lang, &explanation);
            for expected in expected {
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}:\n{text}");
            }
            assert_eq!(text.matches("\n• ").count(), facts.len(), "{lang:?}: one line per fact:\n{text}");
            let body = render(
                lang,
                &opened(decision(Verdict::NotEligible, RuleId::NoReasonWindowPassed, NextStep::QualityClaimOrPerson)),
            );
            for line in body.lines().skip(1) {
                assert!(text.contains(line), "{lang:?} explanation lacks {line:?}:\n{text}");
            }
        }
    }

    #[test]
    fn a_chosen_button_is_echoed_with_one_tick() {
        for lang in [Lang::Zh, Lang::En] {
            let label = render(lang, &Msg::OutcomeLabel(Outcome::Exchange));
            assert_eq!(
                render(lang, &Msg::Chosen(Box::new(Msg::OutcomeLabel(Outcome::Exchange)))),
                format!("✓ {label}")
            );
            let confirmed = render(lang, &Msg::Chosen(Box::new(Msg::ConfirmButton)));
            assert_eq!(confirmed.matches('✓').count(), 1, "one tick is enough: {confirmed}");
        }
    }

    #[test]
    fn an_empty_case_list_reads_like_no_cases() {
        for lang in [Lang::Zh, Lang::En] {
            assert_eq!(render(lang, &Msg::Cases(Vec::new())), render(lang, &Msg::NoCases));
        }
    }

    #[test]
    fn a_greeting_without_a_shop_name_speaks_of_our_shop() {
        let greeting = Msg::Greeting { name: String::new(), shop: String::new() };
        assert!(render(Lang::En, &greeting).contains("our shop"));
        assert!(render(Lang::Zh, &greeting).contains("本店"));
    }

    #[test]
    fn texts_that_mention_a_button_use_its_exact_label() {
        for lang in [Lang::Zh, Lang::En] {
            let pairs = [
                (Msg::AskDetail, Msg::SkipButton),
                (Msg::AskOrderNo, Msg::ShareContactButton),
                (Msg::NoCases, Msg::MenuNew),
                (Msg::OrderNotFound { order: "TB-123456".into(), tries_left: 0 }, Msg::MenuAgent),
                (
                    opened(decision(
                        Verdict::NotEligible,
                        RuleId::RefundOnlyAfterReceipt,
                        NextStep::ChooseReturnInstead,
                    )),
                    Msg::MenuNew,
                ),
                (
                    opened(decision(
                        Verdict::NotEligible,
                        RuleId::RefundOnlyAfterReceipt,
                        NextStep::ChooseReturnInstead,
                    )),
                    Msg::OutcomeLabel(Outcome::ReturnRefund),
                ),
                (
                    opened(decision(Verdict::NotEligible, RuleId::ResaleImpaired, NextStep::QualityClaimOrPerson)),
                    Msg::MenuNew,
                ),
                (
                    opened(decision(Verdict::NotEligible, RuleId::ResaleImpaired, NextStep::QualityClaimOrPerson)),
                    Msg::MenuAgent,
                ),
                (
                    opened(decision(Verdict::NotEligible, RuleId::ResaleImpaired, NextStep::QualityClaimOrPerson)),
                    Msg::ReasonLabel(Reason::QualityDefect),
                ),
                (
                    Msg::RetentionOffer { text: "A gift".into(), kind: OfferKind::Gift, value: None, first: true },
                    Msg::DeclineOfferButton,
                ),
                (Msg::SurveyAskComment { score: 4 }, Msg::NoCommentButton),
            ];
            for (text, button) in pairs {
                let (text, label) = (render(lang, &text), render(lang, &button));
                assert!(text.contains(&label), "{lang:?}: {text:?} does not name {label:?}");
            }
        }
    }

    #[test]
    fn help_lists_every_command_with_its_menu_description() {
        for lang in [Lang::Zh, Lang::En] {
            let help = render(lang, &Msg::Help);
            let fallback = render(lang, &Msg::CommandDescription { command: "unknown".into() });
            for command in COMMANDS {
                let description = render(lang, &Msg::CommandDescription { command: command.into() });
                assert_ne!(description, fallback, "{lang:?} has no description of /{command}");
                assert!(help.contains(&format!("/{command} – {description}")), "{lang:?} help lacks /{command}");
            }
        }
    }

    #[test]
    fn the_agents_texts_carry_their_key_phrases() {
        let case = || CaseId::from_seq(1001);
        let contact = || "400-800-1234".to_owned();
        let expectations: [(Msg, &str, &str); 24] = [
            (Msg::AgentQueued { case: Some(case()), wait_minutes: 30 }, "a colleague will take over", "人工客服"),
            (Msg::ShopWillReply { case: Some(case()), contact: contact() }, "400-800-1234", "400-800-1234"),
            (Msg::ShopWillReply { case: None, contact: String::new() }, "reply to you here", "在这里回复您"),
            (Msg::AgentQueued { case: Some(case()), wait_minutes: 30 }, "about 30 minutes", "约30分钟"),
            (Msg::AgentQueued { case: None, wait_minutes: 120 }, "about 2 hours", "约2小时"),
            (Msg::WaitLonger, "longer than we promised", "比承诺的时间长"),
            (Msg::AgentJoined { agent: None }, "now looking after your case", "正在为您处理"),
            (
                Msg::AgentJoined { agent: Some("Wei".into()) },
                "Wei from our team is now looking after your case",
                "客服Wei正在为您处理",
            ),
            (Msg::AgentSays { agent: "Wei".into(), text: "hi".into() }, "Wei: hi", "Wei（客服）：hi"),
            (
                Msg::AgentDecided {
                    case: case(),
                    outcome: Outcome::PartialRefund,
                    amount: Some(yuan(50)),
                    reason: None,
                },
                "Good news about case AS-1001:",
                "售后单 AS-1001 有结果了：",
            ),
            (Msg::AgentRejected { case: case(), reason: "worn".into() }, "we can't approve case AS-1001", "原因：worn"),
            (Msg::AgentRejected { case: case(), reason: "worn".into() }, "Reason: worn", "/new"),
            (Msg::BackWithBot, "back with the assistant", "智能助手"),
            (Msg::CaseClosedByAgent { case: Some(case()) }, "Case AS-1001 is closed", "售后单 AS-1001 已关闭"),
            (Msg::WithAPerson, "A colleague is handling", "人工客服正在处理"),
            (
                Msg::SlaPing { case: Some(case()), why: Why::HighValue, waited_minutes: 120, pings: 3 },
                "AS-1001 has waited 2 hours for an agent (reminder 3)",
                "售后单 AS-1001 已等待2小时",
            ),
            (Msg::TakenBy { agent: "Wei".into() }, "Wei has this case.", "此单已由 Wei 接手。"),
            (Msg::TookCase { agent: "Wei".into() }, "Wei took the case.", "Wei 已接单。"),
            (
                Msg::NotAnAgent,
                "Only the shop's agents can act on cases. This attempt was logged.",
                "只有本店客服可以处理售后单，此操作已记录。",
            ),
            (Msg::NoteSaved, "📝 Note saved (not sent to the customer).", "📝 备注已保存（客户看不到）。"),
            (Msg::Queue(Vec::new()), "No open cases. 🎉", "没有待处理的售后单。🎉"),
            (
                Msg::Queue(vec![QueueLine {
                    case: Some(case()),
                    customer: "Fang".into(),
                    why: Why::Review,
                    status: Status::Queued,
                    assignee: None,
                    waited_minutes: 90,
                }]),
                "Open cases, oldest first:\nAS-1001 · evidence needs a person's review · Fang · 1.5 hours · unassigned",
                "AS-1001 · 证据需人工审核 · Fang · 已等1个半小时 · 未接单",
            ),
            (
                Msg::DecisionRecorded {
                    agent: "Wei".into(),
                    outcome: Outcome::Exchange,
                    status: CaseStatus::NotEligible,
                    amount: None,
                },
                "Wei decided: rejected — the customer has been told.",
                "Wei 已处理：拒绝，已通知客户。",
            ),
            (
                Msg::AmountAboveCap { asked: yuan(500), cap: yuan(398) },
                "¥500.00 is more than can be refunded on this case (at most ¥398.00).",
                "金额 ¥500.00 超过本单可退上限 ¥398.00。",
            ),
        ];
        for (msg, en, zh) in expectations {
            for (lang, expected) in [(Lang::En, en), (Lang::Zh, zh)] {
                let text = render(lang, &msg);
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
            }
        }
        let review = decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review);
        let full = Msg::Card(Box::new(card(&EN_DATA, Some(review), TIMELINE_SHOWN, 5)));
        let bare = Msg::Card(Box::new(card(&EN_DATA, None, 1, 0)));
        let card_phrases = [
            (
                Lang::En,
                &full,
                vec![
                    "📋 Case AS-1001 · Quality problem",
                    "Status: taken · Wei · case under review",
                    "Timeline:",
                    "(+5 earlier)",
                    "Evidence: 3 photos (album below)",
                    "Responsibility: 2 supplier",
                    "Why a person: evidence needs a person's review",
                ],
            ),
            (Lang::En, &bare, vec!["📋 Request without a case", "Status:", "Timeline:"]),
            (
                Lang::Zh,
                &full,
                vec![
                    "📋 售后单 AS-1001 · 质量问题",
                    "状态：处理中 · Wei · 售后单审核中",
                    "时间线：",
                    "（之前还有5条）",
                    "责任归属：2 供应商",
                ],
            ),
            (Lang::Zh, &bare, vec!["售后单", "状态：", "时间线："]),
        ];
        for (lang, msg, expected) in card_phrases {
            let text = render(lang, msg);
            for expected in expected {
                assert!(text.contains(expected), "{lang:?} card lacks {expected:?}:\n{text}");
            }
        }
    }

    #[test]
    fn waits_are_rounded_up_into_words() {
        let table = [
            (-5, "1 minute", "1分钟"),
            (1, "1 minute", "1分钟"),
            (30, "30 minutes", "30分钟"),
            (59, "59 minutes", "59分钟"),
            (60, "1 hour", "1小时"),
            (61, "1.5 hours", "1个半小时"),
            (120, "2 hours", "2小时"),
            (150, "2.5 hours", "2个半小时"),
            (2879, "48 hours", "48小时"),
            (2880, "2 days", "2天"),
            (2881, "3 days", "3天"),
            (i64::MAX, "6405119470038039 days", "6405119470038039天"),
        ];
        for (minutes, en, zh) in table {
            assert_eq!(en::wait(minutes), en, "{minutes}");
            assert_eq!(zh::wait(minutes), zh, "{minutes}");
        }
    }

    #[test]
    fn a_worst_case_card_fits_one_message() {
        let long = |unit: &str| unit.repeat(1000);
        for (lang, unit) in [(Lang::En, "x"), (Lang::Zh, "长"), (Lang::En, "long words "), (Lang::Zh, "很长 ")] {
            let text = long(unit);
            let data = Data {
                name: text.clone().leak(),
                item: text.clone().leak(),
                detail: text.clone().leak(),
                agent: text.clone().leak(),
                ..EN_DATA
            };
            let mut longest = 0;
            for verdict in VERDICTS {
                for next in NEXT_STEPS {
                    let decision = DecisionText {
                        review_by: Some(at(3, 10, 18, 0)),
                        ..decision(verdict, RuleId::ReturnAfterExchangeWindowPassed, next)
                    };
                    let mut view = card(&data, Some(decision), TIMELINE_SHOWN + 8, 9_999);
                    view.phone = Some(text.clone());
                    for entry in &mut view.timeline {
                        entry.actor = text.clone();
                        entry.kind = text.clone();
                    }
                    if let Some(case) = &mut view.case {
                        case.sku = text.clone();
                        case.order = OrderNo::from_trusted(&"9".repeat(200));
                        case.responsibility = Some(5);
                    }
                    let rendered = render(lang, &Msg::Card(Box::new(view)));
                    assert_eq!(rendered.lines().filter(|line| line.starts_with("03-05")).count(), TIMELINE_SHOWN);
                    longest = longest.max(rendered.chars().count());
                }
            }
            // Telegram's limit is 4096; the card keeps a margin for edits in place.
            assert!(longest <= 3500, "{lang:?} card of {longest} characters, near Telegram's 4096");
        }
    }

    #[test]
    fn the_agents_texts_show_no_debug_output() {
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            for msg in agent_samples(data).into_iter().chain(followup_samples(data)) {
                let text = render(lang, &msg);
                for leak in [
                    "{",
                    "}",
                    "Some(",
                    "None",
                    "CaseId",
                    "OrderNo",
                    "Money",
                    "minor",
                    "Why::",
                    "Status::",
                    "ReturnAddress",
                    "Waiting::",
                    "NaiveDate",
                ] {
                    assert!(!text.contains(leak), "{lang:?} {msg:?} shows {leak:?}: {text}");
                }
                let debug_names =
                    Why::ALL.map(|why| format!("{why:?}")).into_iter().chain(Status::ALL.map(|s| format!("{s:?}")));
                // Names of two words and more (CustomerAsked): "Exchange" is also plain English.
                let debug_names = debug_names
                    .chain(Outcome::ALL.map(|o| format!("{o:?}")))
                    .chain(ParcelStatus::ALL.map(|p| format!("{p:?}")))
                    .filter(|name| name.chars().filter(char::is_ascii_uppercase).count() > 1);
                for name in debug_names {
                    assert!(!text.contains(&name), "{lang:?} {msg:?} shows {name:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn the_agents_help_lists_every_command_and_what_plain_text_does() {
        for (lang, plain) in [(Lang::En, "goes to the customer"), (Lang::Zh, "转发给客户")] {
            let help = render(lang, &Msg::AgentsHelp);
            for name in crate::agent_command::AgentCommand::NAMES {
                assert!(
                    help.lines().any(|line| line.starts_with(&format!("/{name} "))),
                    "{lang:?} lacks /{name}:\n{help}"
                );
            }
            assert!(help.contains("/partial AMOUNT") && help.contains("/resp 1-9"), "{help}");
            assert!(help.contains(plain), "{help}");
        }
    }

    #[test]
    fn a_topic_name_names_the_case_or_the_request() {
        let topic = |case: Option<CaseId>, customer: &str| Msg::TopicName {
            case: case.clone(),
            reason: case.map(|_| Reason::QualityDefect),
            customer: customer.into(),
        };
        assert_eq!(render(Lang::En, &topic(Some(CaseId::from_seq(1001)), "Fang")), "AS-1001 · Quality problem · Fang");
        assert_eq!(render(Lang::Zh, &topic(Some(CaseId::from_seq(1001)), "王芳")), "AS-1001 · 质量问题 · 王芳");
        assert_eq!(render(Lang::En, &topic(None, "Fang")), "Fang · request");
        assert_eq!(render(Lang::Zh, &topic(None, "王芳")), "王芳 · 咨询");
        for lang in [Lang::Zh, Lang::En] {
            let long = render(lang, &topic(Some(CaseId::from_seq(1001)), &"王".repeat(500)));
            assert!(long.chars().count() <= 128 && long.starts_with("AS-1001"), "{long}");
        }
    }

    #[test]
    fn an_agents_decision_tells_what_happens_next() {
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            let cash_back = Msg::AgentDecided {
                case: CaseId::from_seq(1001),
                outcome: Outcome::CashBack,
                amount: Some(yuan(8)),
                reason: Some(data.cash_back.into()),
            };
            let text = render(lang, &cash_back);
            for expected in ["AS-1001", "¥8.00", data.cash_back, &render(lang, &Msg::OutcomeLabel(Outcome::CashBack))]
            {
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
            }
            let reship = render(
                lang,
                &Msg::AgentDecided {
                    case: CaseId::from_seq(1001),
                    outcome: Outcome::Reship,
                    amount: None,
                    reason: None,
                },
            );
            let tracking = if lang == Lang::En { "tracking number" } else { "快递单号" };
            assert!(reship.contains(tracking), "{reship}");
            let refusal =
                render(lang, &Msg::AgentRejected { case: CaseId::from_seq(1001), reason: data.refusal.into() });
            assert!(refusal.contains(data.refusal) && refusal.contains("/new"), "{refusal}");
        }
    }
    #[test]
    fn a_tracking_number_is_confirmed_with_its_carrier() {
        let saved = Msg::TrackingSaved {
            case: CaseId::from_seq(1001),
            carrier_zh: "顺丰速运".into(),
            carrier_en: "SF Express".into(),
            number: TRACKING.into(),
        };
        for (lang, carrier, other) in [(Lang::En, "SF Express", "顺丰速运"), (Lang::Zh, "顺丰速运", "SF Express")]
        {
            for msg in [confirm_tracking("顺丰速运", "SF Express"), saved.clone()] {
                let text = render(lang, &msg);
                for expected in [format!("{carrier} {TRACKING}").as_str(), "AS-1001"] {
                    assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
                }
                assert!(!text.contains(other), "{lang:?} names the carrier in the other language: {text}");
            }
            let bare = render(lang, &confirm_tracking("", ""));
            assert!(bare.lines().any(|line| line.starts_with(TRACKING)), "{lang:?}: {bare}");
            assert!(!bare.contains(&format!(" {TRACKING}")), "{lang:?} leaves a gap for the carrier: {bare}");
        }
        assert!(render(Lang::En, &confirm_tracking("", "")).contains("Is this your return tracking number?"));
        assert!(render(Lang::Zh, &confirm_tracking("", "")).contains("这是您的退货快递单号吗？"));
    }

    #[test]
    fn a_refund_shows_its_amount_and_arrival_date() {
        let refund = Msg::RefundIssued { case: CaseId::from_seq(1001), amount: yuan(268), arrive_by: day(3, 12) };
        for (lang, expected) in [
            (Lang::En, ["¥268.00", "should arrive by 12 March", "original payment method", "AS-1001"]),
            (Lang::Zh, ["¥268.00", "预计3月12日前到账", "原路退回", "AS-1001"]),
        ] {
            let text = render(lang, &refund);
            for expected in expected {
                assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
            }
        }
        for (lang, recorded) in [(Lang::En, "refund of ¥268.00 recorded"), (Lang::Zh, "已记录退款 ¥268.00")] {
            let text = render(lang, &Msg::RefundRecorded { case: CaseId::from_seq(1001), amount: yuan(268) });
            assert!(text.contains(recorded), "{lang:?} lacks {recorded:?}: {text}");
            let manual = render(lang, &Msg::AlertManualRefund { case: CaseId::from_seq(1001), amount: yuan(268) });
            assert!(manual.contains("¥268.00") && manual.contains("/refunded"), "{manual}");
        }
    }

    #[test]
    fn return_instructions_show_the_address_or_promise_it() {
        let case = || CaseId::from_seq(1001);
        let cases = [
            (Lang::En, &EN_DATA, ["Recipient:", "Phone:", "Address:"], "A colleague will send you the return address"),
            (Lang::Zh, &ZH_DATA, ["收件人：", "电话：", "地址："], "客服会在这里发给您退货地址"),
        ];
        for (lang, data, labels, promise) in cases {
            let [recipient, phone, address] = labels;
            let full = render(
                lang,
                &Msg::ReturnInstructions {
                    case: case(),
                    outcome: Outcome::ReturnRefund,
                    address: return_address(data),
                },
            );
            let expected = [
                format!("{recipient} {}", data.recipient),
                format!("{phone} 0755-8888-6666"),
                format!("{address} {}", data.address),
            ];
            for expected in expected {
                let expected = expected.replace("： ", "：");
                assert!(full.lines().any(|line| line == expected), "{lang:?} lacks the line {expected:?}:\n{full}");
            }
            let (tracking, no_cod) = if lang == Lang::En {
                ("return tracking number", "cash on delivery")
            } else {
                ("退货快递单号", "到付")
            };
            for expected in ["AS-1001", tracking, no_cod] {
                assert!(full.contains(expected), "{lang:?} lacks {expected:?}:\n{full}");
            }
            assert!(!full.contains(promise), "{lang:?} promises an address it shows:\n{full}");

            let empty = render(
                lang,
                &Msg::ReturnInstructions { case: case(), outcome: Outcome::ReturnRefund, address: no_address() },
            );
            assert!(empty.contains(promise), "{lang:?} does not promise the address:\n{empty}");
            for label in labels {
                assert!(
                    !empty.lines().any(|line| line.starts_with(label)),
                    "{lang:?} shows an empty {label:?}:\n{empty}"
                );
            }
            assert!(empty.contains(tracking), "{lang:?}:\n{empty}");

            let partial = ReturnAddress { recipient: String::new(), phone: " ".into(), ..return_address(data) };
            let partial =
                render(lang, &Msg::ReturnInstructions { case: case(), outcome: Outcome::Exchange, address: partial });
            assert!(partial.contains(data.address), "{lang:?}:\n{partial}");
            assert!(!partial.lines().any(|line| line.starts_with(recipient) || line.starts_with(phone)), "{partial}");
            let replacement = if lang == Lang::En { "replacement" } else { "新商品" };
            assert!(partial.contains(replacement), "{lang:?} exchange without its replacement:\n{partial}");
        }
    }

    #[test]
    fn each_parcel_status_reads_differently() {
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            let update = |status, detail: &str| {
                render(lang, &Msg::ParcelUpdate { case: CaseId::from_seq(1001), status, detail: detail.into() })
            };
            let texts: BTreeSet<String> = ParcelStatus::ALL.into_iter().map(|status| update(status, "")).collect();
            assert_eq!(texts.len(), ParcelStatus::ALL.len(), "{lang:?}: {texts:?}");
            for status in ParcelStatus::ALL {
                let bare = update(status, "  ");
                assert!(bare.contains("AS-1001") && !bare.contains('\n'), "{lang:?}: {bare}");
                let detailed = update(status, data.scan);
                assert!(detailed.starts_with(&bare) && detailed.contains(data.scan), "{lang:?}: {detailed}");
            }
        }
        let delivered = |lang| {
            render(
                lang,
                &Msg::ParcelUpdate {
                    case: CaseId::from_seq(1001),
                    status: ParcelStatus::Delivered,
                    detail: String::new(),
                },
            )
        };
        assert!(delivered(Lang::En).contains("warehouse") && delivered(Lang::En).contains("inspect"));
        assert!(delivered(Lang::Zh).contains("仓库") && delivered(Lang::Zh).contains("验货"));
    }

    #[test]
    fn the_follow_up_texts_carry_their_key_phrases() {
        let case = || CaseId::from_seq(1001);
        let expectations: [(Msg, &str, &str); 19] = [
            (Msg::TrackingNudge { case: case() }, "No rush", "不着急"),
            (Msg::TrackingNudge { case: case() }, "return tracking number", "退货快递单号"),
            (Msg::AskTrackingAgain { case: case() }, "type the return tracking number", "重新输入"),
            (Msg::NoScanUpdate { case: case() }, "checking with the carrier", "和快递公司核实"),
            (
                Msg::InspectionFailed { case: case(), reason: EN_DATA.inspection.into() },
                "Why: the tags were cut off",
                "原因：the tags were cut off",
            ),
            (
                Msg::InspectionFailed { case: case(), reason: String::new() },
                "A colleague will contact you here",
                "客服同事会在这里联系您",
            ),
            (Msg::InspectionFailed { case: case(), reason: String::new() }, "photos or questions", "照片或疑问"),
            (Msg::ExchangeInspected { case: case() }, "ship your replacement", "寄出新商品"),
            (Msg::Progress { case: case(), waiting: Waiting::Review }, "still reviewing", "还在审核"),
            (Msg::Progress { case: case(), waiting: Waiting::Inspection }, "waiting for inspection", "等待验货"),
            (Msg::Progress { case: case(), waiting: Waiting::Refund }, "refund is being processed", "退款正在处理"),
            (Msg::SurveyAsk { case: case() }, "1 = very unhappy, 5 = very happy", "1 = 非常不满意，5 = 非常满意"),
            (Msg::SurveyAskComment { score: 4 }, "Thank you for the 4", "感谢您的4分评价"),
            (Msg::SurveySorry { score: 1 }, "We're sorry", "很抱歉"),
            (
                Msg::AlertNoScan { case: case(), number: TRACKING.into(), since: Some(at(3, 5, 10, 30)) },
                "since 10:30 on 5 March",
                "自3月5日 10:30起",
            ),
            (
                Msg::AlertNoScan { case: case(), number: TRACKING.into(), since: None },
                "since the customer gave the number",
                "自客户提供单号以来",
            ),
            (Msg::AlertRefundOverdue { case: case(), days: 3 }, "within 3 working days", "3个工作日内"),
            (Msg::AlertLowScore { case: case(), score: 2 }, "⚠️ AS-1001 · survey score 2/5", "满意度评分 2/5"),
            (
                Msg::NoReturnAtStage { case: Some(case()) },
                "/inspect works once the customer has sent the parcel, /refunded once the inspection passed",
                "客户寄出包裹后才能用 /inspect，验货通过后才能用 /refunded",
            ),
        ];
        for (msg, en, zh) in expectations {
            for (lang, expected) in [(Lang::En, en), (Lang::Zh, zh)] {
                let text = render(lang, &msg);
                for expected in [expected, "AS-1001"] {
                    if matches!(msg, Msg::SurveyAskComment { .. } | Msg::SurveySorry { .. }) && expected == "AS-1001" {
                        continue;
                    }
                    assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
                }
            }
        }
        for waiting in WAITINGS {
            for (lang, daily) in [(Lang::En, "every day until it's solved"), (Lang::Zh, "每天")] {
                let text = render(lang, &Msg::Progress { case: case(), waiting });
                assert!(text.contains(daily), "{lang:?} lacks {daily:?}: {text}");
            }
        }
        let refused = Msg::AlertRefundRefused { case: case(), why: EN_DATA.refund_error.into() };
        for lang in [Lang::En, Lang::Zh] {
            let text = render(lang, &refused);
            assert!(text.contains(EN_DATA.refund_error) && text.contains("/refunded"), "{text}");
            let ship = render(lang, &Msg::AlertShipReplacement { case: case() });
            assert!(ship.contains("/close"), "{ship}");
        }
        // The agents scan alerts by their emoji and case id.
        for (lang, data) in [(Lang::Zh, &ZH_DATA), (Lang::En, &EN_DATA)] {
            for msg in followup_samples(data) {
                let is_alert = matches!(
                    msg,
                    Msg::AlertNoScan { .. }
                        | Msg::AlertParcelException { .. }
                        | Msg::AlertRefundOverdue { .. }
                        | Msg::AlertRefundRefused { .. }
                        | Msg::AlertManualRefund { .. }
                        | Msg::AlertShipReplacement { .. }
                        | Msg::AlertLowScore { .. }
                        | Msg::AlertSurveyComment { .. }
                        | Msg::AlertFollowupStopped { .. }
                        | Msg::InspectionRecorded { .. }
                        | Msg::RefundRecorded { .. }
                        | Msg::NoReturnAtStage { case: Some(_) }
                );
                if is_alert {
                    let text = render(lang, &msg);
                    let head: String = text.chars().take(12).collect();
                    assert!(
                        text.starts_with(|c: char| !c.is_ascii_alphanumeric() && !has_cjk(&c.to_string()))
                            && head.contains("AS-1001"),
                        "{lang:?} alert does not open with an emoji and the case: {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_agents_help_names_the_follow_up_commands() {
        for lang in [Lang::En, Lang::Zh] {
            let help = render(lang, &Msg::AgentsHelp);
            for expected in ["/inspect pass", "/inspect fail REASON", "\n/refunded "] {
                assert!(help.contains(expected), "{lang:?} lacks {expected:?}:\n{help}");
            }
        }
        for lang in [Lang::En, Lang::Zh] {
            let ping = |why| render(lang, &Msg::SlaPing { case: None, why, waited_minutes: 30, pings: 1 });
            let pings: BTreeSet<String> = Why::ALL.into_iter().map(ping).collect();
            assert_eq!(pings.len(), Why::ALL.len(), "{lang:?}: every reason for a person reads differently");
        }
    }

    #[test]
    fn the_longest_follow_up_texts_fit_one_message() {
        for (lang, unit) in [(Lang::En, "x"), (Lang::Zh, "长"), (Lang::En, "long words "), (Lang::Zh, "很长 ")] {
            let long = unit.repeat(5000);
            let case = || CaseId::from_seq(i64::MAX);
            let address = ReturnAddress { address: long.clone(), recipient: long.clone(), phone: long.clone() };
            let msgs = [
                Msg::ReturnInstructions { case: case(), outcome: Outcome::Exchange, address },
                Msg::ConfirmTracking {
                    case: case(),
                    carrier_zh: long.chars().take(60).collect(),
                    carrier_en: long.chars().take(60).collect(),
                    number: "9".repeat(30),
                },
                Msg::ParcelUpdate { case: case(), status: ParcelStatus::Exception, detail: long.clone() },
                Msg::InspectionFailed { case: case(), reason: long.clone() },
                Msg::AlertParcelException { case: case(), number: "9".repeat(30), detail: long.clone() },
                Msg::AlertRefundRefused { case: case(), why: long.clone() },
                Msg::AlertSurveyComment { case: case(), comment: long.clone() },
            ];
            for msg in msgs {
                let chars = render(lang, &msg).chars().count();
                assert!(chars < 4096, "{lang:?} {} is {chars} characters", variant_name(&msg));
            }
        }
    }
}
