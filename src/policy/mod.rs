//! The shop's rules for after-sales requests (docs/domain.md §1, §4): which
//! reasons and outcomes an order allows, how many photos a reason needs, and
//! the decision on a request — with the rule that made it, the facts it
//! used, the next step, and the version of the rules. Pure: the time of the
//! request, the line's history and the rules are parameters.

mod rules;
#[cfg(test)]
pub(crate) mod tests;

pub use rules::{CategoryPolicy, CategoryRules, PhotoRange, PolicyRules};

use chrono::{DateTime, Days, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::money::Money;
use crate::order::{Order, OrderLine, OrderStage};
use crate::reason::{EvidenceKind, Reason, ReasonClass};

/// What the customer asks for (docs/domain.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 仅退款: money back, nothing sent back.
    RefundOnly,
    /// 退货退款.
    ReturnRefund,
    /// 换货: once per order line.
    Exchange,
    /// 补发.
    Reship,
    /// 折价: part of the price back, the customer keeps the item.
    PartialRefund,
    /// 保价: the difference after a price drop.
    PriceProtection,
    /// 返现: money the order system cannot refund, paid as a transfer.
    CashBack,
    /// 维修.
    Repair,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::RefundOnly,
        Outcome::ReturnRefund,
        Outcome::Exchange,
        Outcome::Reship,
        Outcome::PartialRefund,
        Outcome::PriceProtection,
        Outcome::CashBack,
        Outcome::Repair,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::RefundOnly => "refund_only",
            Outcome::ReturnRefund => "return_refund",
            Outcome::Exchange => "exchange",
            Outcome::Reship => "reship",
            Outcome::PartialRefund => "partial_refund",
            Outcome::PriceProtection => "price_protection",
            Outcome::CashBack => "cash_back",
            Outcome::Repair => "repair",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    /// Whether the item travels back to the shop.
    pub fn sends_item_back(self) -> bool {
        matches!(self, Outcome::ReturnRefund | Outcome::Exchange | Outcome::Repair)
    }

    /// Whether the outcome settles units of the line (sends them back,
    /// replaces, repairs or refunds them). Price protection and cash-back
    /// settle money owed beside the goods, so they claim no unit.
    pub fn claims_units(self) -> bool {
        !matches!(self, Outcome::PriceProtection | Outcome::CashBack)
    }

    /// Whether the outcome pays money back out of what the order paid.
    pub fn refunds(self) -> bool {
        matches!(self, Outcome::RefundOnly | Outcome::ReturnRefund | Outcome::PartialRefund | Outcome::PriceProtection)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    NeedsReview,
    NotEligible,
}

/// The rule that decided, so the customer and the agents see why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    OrderUnpaid,
    RefundBeforeShipping,
    RefundInTransit,
    CarrierCheck,
    /// Received goods are not refunded without being sent back (docs/domain.md §1.3).
    RefundOnlyAfterReceipt,
    NoReasonReturn,
    NoReasonWindowPassed,
    ExcludedCategory,
    ResaleImpaired,
    ExchangeInWindow,
    ExchangeWindowPassed,
    ExchangeAlreadyUsed,
    ReturnAfterExchange,
    ReturnAfterExchangeWindowPassed,
    QualityClaim,
    QualityReportWindowPassed,
    WarrantyPassed,
    LogisticsClaim,
    PriceProtection,
    PriceProtectionWindowPassed,
    CashBack,
    NothingLeftToRefund,
    /// Every unit asked about is already under an open or approved case, or
    /// was refunded or exchanged: one unit, one claim.
    UnitsAlreadyClaimed,
    EvidenceMissing,
    OutcomeNotOffered,
}

impl RuleId {
    pub fn code(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// What happens next, in the customer's words once rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Cancel the unpaid order in the shop; nothing was charged.
    CancelUnpaidOrder,
    /// Refund to the original payment route (原路退回).
    RefundToOriginalPayment,
    /// The carrier is asked to intercept; refuse the delivery.
    InterceptAndRefuseDelivery,
    /// Send the item back; the return address follows.
    SendItemBack,
    /// A person checks the request and answers by the decision's `review_by`.
    Review,
    /// The carrier verifies the parcel in 1–2 working days.
    CarrierVerifies,
    /// Ask for a return and refund instead of a refund only.
    ChooseReturnInstead,
    /// A defect is still covered by the warranty; otherwise a person helps.
    QualityClaimOrPerson,
    /// A person can look at what is still possible (repair, an exception).
    TalkToPerson,
    /// Add the photos the reason needs.
    AddPhotos,
    /// Once approved, the transfer is paid in the same day's batch.
    CashBackAfterReview,
    /// The units are in an earlier case: add to that one, or ask a person.
    SeeExistingCase,
}

/// Who pays the parcel back to the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippingPayer {
    Customer,
    Shop,
    Carrier,
}

impl ShippingPayer {
    /// As the decision's JSON writes it.
    pub fn code(self) -> &'static str {
        match self {
            ShippingPayer::Customer => "customer",
            ShippingPayer::Shop => "shop",
            ShippingPayer::Carrier => "carrier",
        }
    }
}

/// The length of a window, as the rule counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Length {
    Days(u32),
    Hours(u32),
}

/// The order's stage, without its dates (those are facts of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Unpaid,
    PaidNotShipped,
    InTransit,
    Delivered,
}

impl From<OrderStage> for Stage {
    fn from(stage: OrderStage) -> Stage {
        match stage {
            OrderStage::Unpaid => Stage::Unpaid,
            OrderStage::PaidNotShipped => Stage::PaidNotShipped,
            OrderStage::InTransit => Stage::InTransit,
            OrderStage::Delivered { .. } => Stage::Delivered,
        }
    }
}

/// A fact a decision used. `T` is the time type: UTC in a stored decision,
/// the shop's local time once it is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T = DateTime<Utc>> {
    RequestedAt(T),
    Stage(Stage),
    PaidAt(T),
    DeliveredAt(T),
    /// A window: where it starts counting, how long it is, when it ends (exclusive).
    Window {
        from: T,
        length: Length,
        ends: T,
    },
    Category {
        name: String,
        no_reason_return: bool,
    },
    Photos {
        have: usize,
        need: u8,
    },
    ResaleIntact(bool),
    ExchangesUsed {
        used: u32,
        allowed: u32,
    },
    /// Units asked for, units of the line already claimed by other cases,
    /// and the line's quantity.
    Units {
        asked: u32,
        claimed: u32,
        of: u32,
    },
    ReplacementDeliveredAt(T),
    /// What the customer paid for the quantity asked about.
    Paid(Money),
    AlreadyRefunded(Money),
    FreightInsurance(bool),
    /// A person answers by then (working days on the shop's calendar).
    ReviewBy {
        working_days: u32,
        by: T,
    },
}

impl<T> Fact<T> {
    /// The same fact with its times converted.
    pub fn map_time<U>(self, f: impl Fn(T) -> U) -> Fact<U> {
        match self {
            Fact::RequestedAt(at) => Fact::RequestedAt(f(at)),
            Fact::Stage(stage) => Fact::Stage(stage),
            Fact::PaidAt(at) => Fact::PaidAt(f(at)),
            Fact::DeliveredAt(at) => Fact::DeliveredAt(f(at)),
            Fact::Window { from, length, ends } => Fact::Window { from: f(from), length, ends: f(ends) },
            Fact::Category { name, no_reason_return } => Fact::Category { name, no_reason_return },
            Fact::Photos { have, need } => Fact::Photos { have, need },
            Fact::ResaleIntact(intact) => Fact::ResaleIntact(intact),
            Fact::ExchangesUsed { used, allowed } => Fact::ExchangesUsed { used, allowed },
            Fact::Units { asked, claimed, of } => Fact::Units { asked, claimed, of },
            Fact::ReplacementDeliveredAt(at) => Fact::ReplacementDeliveredAt(f(at)),
            Fact::Paid(money) => Fact::Paid(money),
            Fact::AlreadyRefunded(money) => Fact::AlreadyRefunded(money),
            Fact::FreightInsurance(insured) => Fact::FreightInsurance(insured),
            Fact::ReviewBy { working_days, by } => Fact::ReviewBy { working_days, by: f(by) },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: RuleId,
    pub next: NextStep,
    /// What was asked for.
    pub outcome: Outcome,
    /// The deadline the rule counts to (exclusive), when one applies.
    pub deadline: Option<DateTime<Utc>>,
    /// The window behind the deadline ("7 days", "48 hours").
    pub window: Option<Length>,
    /// When a person answers, for requests that need review.
    pub review_by: Option<DateTime<Utc>>,
    /// Who pays the return parcel, when one is sent back.
    pub return_shipping: Option<ShippingPayer>,
    /// Freight insurance (运费险) refunds the customer's return shipping.
    pub freight_insurance: bool,
    /// The customer advances the return shipping and the shop repays it as a
    /// cash-back once the tracking number arrives (垫付).
    pub shipping_cash_back: bool,
    /// The most that can be refunded: what was paid for the quantity, and
    /// never more than what is left of the line after earlier refunds.
    pub refund_cap: Money,
    /// Working days from a passed inspection to the refund.
    pub refund_working_days: u32,
    /// Everything the rule looked at, for the explanation.
    pub facts: Vec<Fact>,
    /// For a refusal: what the customer can still ask for on this item, and until when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub still_possible: Vec<Possible>,
    /// The content hash of the rules that decided (see [`rules_version`]).
    pub rules_version: String,
}

/// Something a refused customer can still ask for on the same item. `T`
/// is the time type, as for [`Fact`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Possible<T = DateTime<Utc>> {
    /// An exchange for the same reason, until its window ends (exclusive).
    Exchange { until: T },
    /// A quality claim, until the warranty or report window ends (exclusive).
    QualityClaim { until: T },
}

impl<T> Possible<T> {
    /// The same, with its time converted.
    pub fn map_time<U>(self, f: impl Fn(T) -> U) -> Possible<U> {
        match self {
            Possible::Exchange { until } => Possible::Exchange { until: f(until) },
            Possible::QualityClaim { until } => Possible::QualityClaim { until: f(until) },
        }
    }
}

/// What earlier cases did to an order line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineHistory {
    /// Exchanges already granted (or under way) on this line.
    pub exchanges: u32,
    /// When the replacement of the latest exchange was signed for.
    pub replacement_delivered_at: Option<DateTime<Utc>>,
    /// Money already refunded on this line, in minor units of the order's currency.
    pub refunded_minor: i64,
    /// Units under open or approved cases, or already refunded or exchanged.
    #[serde(default)]
    pub claimed_units: u32,
}

impl LineHistory {
    /// Units of a line of `quantity` that no case has claimed yet.
    pub fn units_left(&self, quantity: u32) -> u32 {
        quantity.saturating_sub(self.claimed_units)
    }
}

/// One request, as the customer put it together.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub order: &'a Order,
    pub line: &'a OrderLine,
    pub quantity: u32,
    pub reason: Reason,
    pub outcome: Outcome,
    pub photos: usize,
    /// The customer's word that the item is unused, with tags and packaging;
    /// `None` when it was not asked.
    pub resale_intact: Option<bool>,
    pub history: &'a LineHistory,
    pub at: DateTime<Utc>,
}

/// The rules a decision is made under.
#[derive(Clone, Debug)]
pub struct Policy<'a> {
    pub rules: &'a PolicyRules,
    pub calendar: &'a Calendar,
    pub zone: Tz,
    pub version: String,
}

impl<'a> Policy<'a> {
    /// The rules under `version` (`Config::rules_version`: hashing the rules
    /// costs more than a decision, and a running shop's rules do not change).
    pub fn new(rules: &'a PolicyRules, calendar: &'a Calendar, zone: Tz, version: &str) -> Policy<'a> {
        Policy { rules, calendar, zone, version: version.to_owned() }
    }
}

/// The reasons that fit an item of `category` at this order's stage, in
/// the order offered: size reasons only for sized goods, and once the goods
/// are received, no subjective reasons for a category that takes none back
/// (they could only be refused).
pub fn reasons_for(stage: OrderStage, category: &CategoryPolicy) -> Vec<Reason> {
    let delivered = matches!(stage, OrderStage::Delivered { .. });
    let mut reasons = stage_reasons(stage);
    reasons.retain(|reason| {
        let sizeless = reason.about_size() && !category.sized;
        let excluded = delivered && !category.no_reason_return && reason.class() == ReasonClass::Subjective;
        !sizeless && !excluded
    });
    reasons
}

/// The reasons that make sense at an order stage.
fn stage_reasons(stage: OrderStage) -> Vec<Reason> {
    use Reason::*;
    match stage {
        OrderStage::Unpaid => Vec::new(),
        OrderStage::PaidNotShipped => vec![ChangedMind, WrongSizeOrdered, NoLongerNeeded, FoundCheaper, OrderChanged],
        OrderStage::InTransit => vec![
            ChangedMind,
            WrongSizeOrdered,
            NoLongerNeeded,
            FoundCheaper,
            OrderChanged,
            LostParcel,
            NoTrackingUpdate,
        ],
        OrderStage::Delivered { .. } => vec![
            QualityDefect,
            NotAsDescribed,
            SizeProblem,
            DamagedInTransit,
            MissingItems,
            WrongItem,
            SignedNotReceived,
            ChangedMind,
            WrongSizeOrdered,
            NoLongerNeeded,
            FoundCheaper,
            PriceDropped,
            ShippingFee,
            PromisedDiscount,
        ],
    }
}

/// The outcomes a reason allows at an order stage (docs/domain.md §1), before
/// anything about the line's history.
fn allowed(stage: OrderStage, reason: Reason) -> Vec<Outcome> {
    use Outcome::*;
    use Reason::*;
    match stage {
        OrderStage::Unpaid => Vec::new(),
        OrderStage::PaidNotShipped => vec![RefundOnly],
        OrderStage::InTransit => match reason {
            LostParcel | NoTrackingUpdate => vec![Reship, RefundOnly],
            _ => vec![RefundOnly],
        },
        OrderStage::Delivered { .. } => match reason {
            QualityDefect | NotAsDescribed => vec![ReturnRefund, Exchange, Repair, PartialRefund],
            SizeProblem | WrongItem => vec![Exchange, ReturnRefund],
            // Broken goods that will not be reshipped may be refunded only.
            DamagedInTransit => vec![Reship, ReturnRefund, RefundOnly, PartialRefund],
            MissingItems | SignedNotReceived => vec![Reship, RefundOnly],
            PriceDropped => vec![PriceProtection],
            ShippingFee | PromisedDiscount => vec![CashBack],
            _ if reason.class() == ReasonClass::Subjective => vec![ReturnRefund, Exchange],
            _ => Vec::new(),
        },
    }
}

/// The outcomes offered for a reason on this line: what the stage allows,
/// less an exchange the line has already had.
pub fn outcomes_for(order: &Order, reason: Reason, history: &LineHistory, rules: &PolicyRules) -> Vec<Outcome> {
    let mut outcomes = allowed(order.stage(), reason);
    if history.exchanges >= rules.exchanges_per_line {
        outcomes.retain(|outcome| *outcome != Outcome::Exchange);
    }
    outcomes
}

/// How many photos the reason needs, at least and at most; a minimum of 0
/// means photos are welcome but optional.
pub fn photos_needed(reason: Reason, rules: &PolicyRules) -> PhotoRange {
    if let Some(range) = rules.photos.get(reason.code()) {
        return *range;
    }
    match reason.evidence_kind() {
        Some(EvidenceKind::Defect) => rules.defect_photos,
        Some(_) => rules.other_photos,
        None => PhotoRange { min: 0, max: rules.other_photos.max },
    }
}

/// Where a day-counted window starts: 00:00 (shop time) of the day after
/// `from`, as the 7-day rule counts from the day after sign-off.
pub fn window_start(from: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let next_day = from.with_timezone(&zone).date_naive() + Days::new(1);
    let midnight = next_day.and_time(NaiveTime::MIN);
    // A midnight skipped by a DST change falls back to the earliest valid instant.
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The end of a `days`-day window: its start plus `days` × 24 hours (168 h for 7).
pub fn no_reason_deadline(delivered_at: DateTime<Utc>, zone: Tz, days: u32) -> DateTime<Utc> {
    window_start(delivered_at, zone) + Duration::hours(24 * i64::from(days))
}

/// A decision under the default rules in Shanghai, for the tests of the
/// modules built on the policy (which must not reach for the whole config).
#[cfg(test)]
pub(crate) fn decide_by_default(request: &Request<'_>) -> Decision {
    let (rules, calendar) = (PolicyRules::default(), Calendar::default());
    decide(request, &Policy::new(&rules, &calendar, chrono_tz::Asia::Shanghai, "test"))
}

/// Decides a request. Never a bare no: every verdict carries its rule, the
/// facts it used and a next step.
pub fn decide(request: &Request<'_>, policy: &Policy<'_>) -> Decision {
    let mut decision = Judge::new(request, policy).decide();
    if decision.verdict == Verdict::NotEligible {
        decision.still_possible = still_possible(request, policy);
    }
    decision
}

/// What a refused request can still become on the same item: an exchange
/// for the same reason, or a quality claim (with the photos it needs), each
/// where the rules would approve or review it, with the date it ends.
fn still_possible(request: &Request<'_>, policy: &Policy<'_>) -> Vec<Possible> {
    let open = |reason: Reason, outcome: Outcome, photos: usize| {
        let variant = Request { reason, outcome, photos, ..*request };
        let decision = Judge::new(&variant, policy).decide();
        decision.deadline.filter(|_| decision.verdict != Verdict::NotEligible)
    };
    let stage = request.order.stage();
    let mut possible = Vec::new();
    if request.outcome != Outcome::Exchange
        && allowed(stage, request.reason).contains(&Outcome::Exchange)
        && let Some(until) = open(request.reason, Outcome::Exchange, request.photos)
    {
        possible.push(Possible::Exchange { until });
    }
    let defect = Reason::QualityDefect;
    let photos = usize::from(photos_needed(defect, policy.rules).min).max(request.photos);
    if request.reason.class() != ReasonClass::Product
        && stage_reasons(stage).contains(&defect)
        && let Some(until) = open(defect, Outcome::ReturnRefund, photos)
    {
        possible.push(Possible::QualityClaim { until });
    }
    possible
}

/// One decision being made: the request, the rules, and the facts noted so far.
struct Judge<'r, 'p> {
    request: &'r Request<'r>,
    policy: &'p Policy<'p>,
    category: CategoryPolicy,
    refund_cap: Money,
    facts: Vec<Fact>,
}

/// A verdict without its money and dates, which the judge fills in.
struct Ruling {
    verdict: Verdict,
    rule: RuleId,
    next: NextStep,
    deadline: Option<DateTime<Utc>>,
    window: Option<Length>,
    return_shipping: Option<ShippingPayer>,
}

impl Ruling {
    fn new(verdict: Verdict, rule: RuleId, next: NextStep) -> Ruling {
        Ruling { verdict, rule, next, deadline: None, window: None, return_shipping: None }
    }

    fn until(self, deadline: DateTime<Utc>, window: Length) -> Ruling {
        Ruling { deadline: Some(deadline), window: Some(window), ..self }
    }

    fn shipping(self, payer: Option<ShippingPayer>) -> Ruling {
        Ruling { return_shipping: payer, ..self }
    }
}

impl<'r, 'p> Judge<'r, 'p> {
    fn new(request: &'r Request<'r>, policy: &'p Policy<'p>) -> Judge<'r, 'p> {
        let line = request.line;
        let quantity = request.quantity.clamp(1, line.quantity.max(1));
        let paid = line.unit_price.times(quantity);
        let left = line.paid().minor.saturating_sub(request.history.refunded_minor).max(0);
        let refund_cap = Money::new(paid.minor.min(left), paid.currency);
        let mut facts =
            vec![Fact::RequestedAt(request.at), Fact::Stage(request.order.stage().into()), Fact::Paid(paid)];
        if request.history.refunded_minor > 0 {
            facts.push(Fact::AlreadyRefunded(Money::new(request.history.refunded_minor, paid.currency)));
        }
        let category = policy.rules.category(&line.category);
        Judge { request, policy, category, refund_cap, facts }
    }

    fn decide(mut self) -> Decision {
        let ruling = self.rule();
        self.decision(ruling)
    }

    fn rule(&mut self) -> Ruling {
        use NextStep::*;
        use Verdict::*;
        let request = self.request;
        let stage = request.order.stage();
        if let Some(paid_at) = request.order.paid_at {
            self.facts.push(Fact::PaidAt(paid_at));
        }
        if stage == OrderStage::Unpaid {
            return Ruling::new(NotEligible, RuleId::OrderUnpaid, CancelUnpaidOrder);
        }
        let claimed = request.history.claimed_units;
        if request.outcome.claims_units() && claimed > 0 {
            let (asked, of) = (request.quantity.max(1), request.line.quantity);
            self.facts.push(Fact::Units { asked, claimed, of });
            if asked > request.history.units_left(of) {
                return Ruling::new(NotEligible, RuleId::UnitsAlreadyClaimed, SeeExistingCase);
            }
        }
        if !allowed(stage, request.reason).contains(&request.outcome) {
            let plain_refund = request.outcome == Outcome::RefundOnly
                && matches!(request.reason.class(), ReasonClass::Subjective | ReasonClass::Other);
            return match stage {
                OrderStage::Delivered { .. } if plain_refund => {
                    Ruling::new(NotEligible, RuleId::RefundOnlyAfterReceipt, ChooseReturnInstead)
                }
                _ => Ruling::new(NotEligible, RuleId::OutcomeNotOffered, TalkToPerson),
            };
        }
        if request.outcome == Outcome::Exchange {
            let used = request.history.exchanges;
            let allowed = self.policy.rules.exchanges_per_line;
            self.facts.push(Fact::ExchangesUsed { used, allowed });
            if used >= allowed {
                return Ruling::new(NotEligible, RuleId::ExchangeAlreadyUsed, TalkToPerson);
            }
        }
        if request.outcome.refunds() && self.refund_cap.minor == 0 {
            return Ruling::new(NotEligible, RuleId::NothingLeftToRefund, TalkToPerson);
        }
        let need = photos_needed(request.reason, self.policy.rules).min;
        if need > 0 {
            self.facts.push(Fact::Photos { have: request.photos, need });
            if request.photos < usize::from(need) {
                return Ruling::new(NotEligible, RuleId::EvidenceMissing, AddPhotos);
            }
        }
        let delivered_at = match stage {
            OrderStage::Delivered { at } => at,
            OrderStage::InTransit if request.reason.class() == ReasonClass::Logistics => {
                return Ruling::new(NeedsReview, RuleId::CarrierCheck, CarrierVerifies);
            }
            OrderStage::InTransit => {
                return Ruling::new(Approved, RuleId::RefundInTransit, InterceptAndRefuseDelivery);
            }
            _ => return Ruling::new(Approved, RuleId::RefundBeforeShipping, RefundToOriginalPayment),
        };
        self.facts.push(Fact::DeliveredAt(delivered_at));
        match (request.outcome, request.reason.class()) {
            (Outcome::PriceProtection, _) => self.price_protection(delivered_at),
            (Outcome::CashBack, _) => Ruling::new(NeedsReview, RuleId::CashBack, CashBackAfterReview),
            (_, ReasonClass::Subjective | ReasonClass::Other | ReasonClass::Money) => self.no_reason(delivered_at),
            (_, ReasonClass::Product) => self.quality(delivered_at),
            (_, ReasonClass::Logistics) => {
                let payer = match request.reason {
                    Reason::DamagedInTransit | Reason::LostParcel | Reason::SignedNotReceived => ShippingPayer::Carrier,
                    _ => ShippingPayer::Shop,
                };
                Ruling::new(NeedsReview, RuleId::LogisticsClaim, Review)
                    .shipping(request.outcome.sends_item_back().then_some(payer))
            }
        }
    }

    /// Subjective reasons: the 7-day return, the exchange window, and the
    /// return after an exchange.
    fn no_reason(&mut self, delivered_at: DateTime<Utc>) -> Ruling {
        use Verdict::*;
        let request = self.request;
        let category = &self.category;
        self.facts.push(Fact::Category { name: category.name.clone(), no_reason_return: category.no_reason_return });
        if !category.no_reason_return {
            return Ruling::new(NotEligible, RuleId::ExcludedCategory, NextStep::QualityClaimOrPerson);
        }
        let exchanging = request.outcome == Outcome::Exchange;
        let replacement = request.history.replacement_delivered_at.filter(|_| !exchanging);
        let (from, days, rules) = match (exchanging, replacement) {
            (true, _) => {
                (delivered_at, category.exchange_days, (RuleId::ExchangeInWindow, RuleId::ExchangeWindowPassed))
            }
            (false, Some(replaced)) => {
                self.facts.push(Fact::ReplacementDeliveredAt(replaced));
                let days = self.policy.rules.return_after_exchange_days;
                (replaced, days, (RuleId::ReturnAfterExchange, RuleId::ReturnAfterExchangeWindowPassed))
            }
            (false, None) => {
                (delivered_at, category.no_reason_return_days, (RuleId::NoReasonReturn, RuleId::NoReasonWindowPassed))
            }
        };
        let ends = no_reason_deadline(from, self.policy.zone, days);
        let length = Length::Days(days);
        self.facts.push(Fact::Window { from: window_start(from, self.policy.zone), length, ends });
        if request.at >= ends {
            return Ruling::new(NotEligible, rules.1, NextStep::QualityClaimOrPerson).until(ends, length);
        }
        if let Some(intact) = request.resale_intact {
            self.facts.push(Fact::ResaleIntact(intact));
            if !intact {
                return Ruling::new(NotEligible, RuleId::ResaleImpaired, NextStep::QualityClaimOrPerson)
                    .until(ends, length);
            }
        }
        Ruling::new(Approved, rules.0, NextStep::SendItemBack)
            .until(ends, length)
            .shipping(request.outcome.sends_item_back().then_some(ShippingPayer::Customer))
    }

    /// Product problems: within the category's report window or the warranty.
    fn quality(&mut self, delivered_at: DateTime<Utc>) -> Ruling {
        let category = &self.category;
        self.facts.push(Fact::Category { name: category.name.clone(), no_reason_return: category.no_reason_return });
        let (ends, length, late) = match category.quality_report_hours {
            Some(hours) => (
                delivered_at + Duration::hours(i64::from(hours)),
                Length::Hours(hours),
                RuleId::QualityReportWindowPassed,
            ),
            None => {
                let days = category.warranty_days;
                (delivered_at + Duration::days(i64::from(days)), Length::Days(days), RuleId::WarrantyPassed)
            }
        };
        self.facts.push(Fact::Window { from: delivered_at, length, ends });
        if self.request.at >= ends {
            return Ruling::new(Verdict::NotEligible, late, NextStep::TalkToPerson).until(ends, length);
        }
        let payer = self.request.outcome.sends_item_back().then_some(ShippingPayer::Shop);
        Ruling::new(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review).until(ends, length).shipping(payer)
    }

    /// 保价: within the window after purchase, a person compares the prices.
    fn price_protection(&mut self, delivered_at: DateTime<Utc>) -> Ruling {
        let days = self.policy.rules.price_protection_days;
        let paid_at = self.request.order.paid_at.unwrap_or(delivered_at);
        let ends = no_reason_deadline(paid_at, self.policy.zone, days);
        let length = Length::Days(days);
        self.facts.push(Fact::Window { from: window_start(paid_at, self.policy.zone), length, ends });
        if self.request.at >= ends {
            return Ruling::new(Verdict::NotEligible, RuleId::PriceProtectionWindowPassed, NextStep::TalkToPerson)
                .until(ends, length);
        }
        Ruling::new(Verdict::NeedsReview, RuleId::PriceProtection, NextStep::Review).until(ends, length)
    }

    fn decision(mut self, ruling: Ruling) -> Decision {
        let request = self.request;
        let policy = self.policy;
        let review_by = (ruling.verdict == Verdict::NeedsReview).then(|| {
            let working_days = policy.rules.review_working_days;
            let by = policy.calendar.add_working_days(request.at, working_days, policy.zone);
            self.facts.push(Fact::ReviewBy { working_days, by });
            by
        });
        let insured = request.order.freight_insurance;
        if ruling.return_shipping.is_some() {
            self.facts.push(Fact::FreightInsurance(insured));
        }
        let shipping_cash_back =
            !insured && ruling.return_shipping.is_some_and(|payer| payer != ShippingPayer::Customer);
        Decision {
            verdict: ruling.verdict,
            rule: ruling.rule,
            next: ruling.next,
            outcome: request.outcome,
            deadline: ruling.deadline,
            window: ruling.window,
            review_by,
            return_shipping: ruling.return_shipping,
            freight_insurance: insured,
            shipping_cash_back,
            refund_cap: self.refund_cap,
            refund_working_days: policy.rules.refund_working_days,
            facts: self.facts,
            still_possible: Vec::new(),
            rules_version: policy.version.clone(),
        }
    }
}
