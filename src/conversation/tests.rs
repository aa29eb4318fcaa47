use super::buttons::CaseAct;
use super::*;
use crate::case::CaseSummary;
use crate::catalogue::CaseView;
use crate::money::{Currency, Money};
use crate::order::OrderLine;
use crate::policy::{self, Verdict};
use crate::retention::{Offer, OfferKind, OfferResult};

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

/// The parts of the shop's settings a conversation reads (the config
/// composes them in the shop; here they start as the defaults).
#[derive(Clone, Default)]
struct Settings {
    shop: crate::shop::Shop,
    intake: Intake,
    policy: PolicyRules,
    calendar: crate::calendar::Calendar,
    retention: retention::Script,
    agents: agents::Settings,
}

impl Settings {
    fn setup(&self) -> Setup<'_> {
        Setup {
            shop: &self.shop,
            intake: &self.intake,
            policy: &self.policy,
            calendar: &self.calendar,
            retention: &self.retention,
            agents: &self.agents,
            rules_version: "test",
        }
    }
}

/// The conversation with a small shop around it: the facts it needs,
/// and what its effects did.
struct World {
    config: Settings,
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
            config: Settings::default(),
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
            .map(|phone| self.orders.iter().filter(|o| o.phone.same_line_as(phone)).map(OrderSummary::from).collect())
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
        let case =
            needs.case.as_ref().and_then(|id| self.opened.iter().find(|case| case.id == *id)).map(|case| CaseDetail {
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
        let facts = Facts {
            line_history,
            claims,
            retention: retention::History { past_cases: self.opened.len() as u32, accepted_recently },
            setup: self.config.setup(),
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
    assert!(says(&effects, |m| matches!(m, Msg::Summary { detail, photos: 3, .. } if detail.contains("left sleeve"))));
}

#[test]
fn every_button_press_edits_its_question_then_is_answered() {
    let mut world = World::new();
    at_reason(&mut world);
    let effects = world.press(Msg::ReasonLabel(Reason::ChangedMind));
    assert!(matches!(effects.last(), Some(Effect::AnswerButton { notice: None, .. })));
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
    world.press(Msg::LineButton { item: "风衣".into(), quantity: 1, unit_price: Money::new(59_900, Currency::CNY) });
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
fn a_case_id_typed_where_a_button_is_wanted_shows_the_case_and_the_request_waits() {
    let mut world = World::new();
    let id = approved_return(&mut world);
    world.command(Command::New);
    world.text("TB-100002");
    // Where the answer is typed (here the phone digits), a case id is only an answer.
    assert!(detail(&world.text("AS-1001")).is_none());
    world.text("8000");
    assert_eq!(world.state.step, Step::PickLine);
    let effects = world.text("as 1001");
    assert_eq!(detail(&effects).map(|view| view.id), Some(id), "{:?}", said(&effects));
    assert_eq!(world.state.step, Step::PickLine, "the request is kept");
    // Other words still get the buttons' reminder.
    assert!(says(&world.text("what?"), |m| *m == Msg::UseButtons));
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
    assert!(says(&effects, |m| matches!(m, Msg::CaseOpened { decision, .. } if decision.still_possible.len() == 2)));
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
    assert!(matches!(effects.last(), Some(Effect::AnswerButton { notice: Some(Msg::StaleButton), .. })));
    assert!(says(&effects, |m| matches!(m, Msg::AskReason { .. })));
    assert_eq!(world.state.step, Step::Reason);
    let effects = world.send(Input::Button { data: "garbage".into(), callback_id: Some("x".into()), message_id: None });
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
    world.press(Msg::LineButton { item: "风衣".into(), quantity: 1, unit_price: Money::new(59_900, Currency::CNY) });
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
    assert!(effects.contains(&Effect::RequestAgent { case: Some(CaseId::from_seq(1001)), why: Why::CustomerAsked }));
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
