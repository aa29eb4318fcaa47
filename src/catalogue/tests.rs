use std::collections::BTreeSet;

use super::samples::*;
use super::*;
use crate::catalogue::card::TIMELINE_SHOWN;
use crate::policy::tests::{Shop, any_ask, decide_at};

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

/// The variant's name.
fn variant_name(msg: &Msg) -> String {
    <&'static str>::from(msg).to_owned()
}

/// Every variant of `Msg`, so that a new variant shows up here without anyone listing it.
fn all_variant_names() -> BTreeSet<String> {
    <Msg as strum::VariantNames>::VARIANTS.iter().map(|name| (*name).to_owned()).collect()
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
                if msg != Msg::LanguageName(Lang::En) && msg != Msg::Chosen(Box::new(Msg::LanguageName(Lang::En))) =>
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
    assert!(all.len() > 50, "strum listed only {all:?}");
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
        for (lang, expected) in [(Lang::En, ["48 hours", "14:04 on 4 March"]), (Lang::Zh, ["48小时", "3月4日 14:04"])]
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
            let offer =
                Msg::RetentionOffer { text: data.offer.into(), kind: OfferKind::Coupon, value: Some(yuan(10)), first };
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
        assert_eq!(render(lang, &Msg::Chosen(Box::new(Msg::OutcomeLabel(Outcome::Exchange)))), format!("✓ {label}"));
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
                opened(decision(Verdict::NotEligible, RuleId::RefundOnlyAfterReceipt, NextStep::ChooseReturnInstead)),
                Msg::MenuNew,
            ),
            (
                opened(decision(Verdict::NotEligible, RuleId::RefundOnlyAfterReceipt, NextStep::ChooseReturnInstead)),
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
            Msg::AgentDecided { case: case(), outcome: Outcome::PartialRefund, amount: Some(yuan(50)), reason: None },
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
            assert!(help.lines().any(|line| line.starts_with(&format!("/{name} "))), "{lang:?} lacks /{name}:\n{help}");
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
        for expected in ["AS-1001", "¥8.00", data.cash_back, &render(lang, &Msg::OutcomeLabel(Outcome::CashBack))] {
            assert!(text.contains(expected), "{lang:?} lacks {expected:?}: {text}");
        }
        let reship = render(
            lang,
            &Msg::AgentDecided { case: CaseId::from_seq(1001), outcome: Outcome::Reship, amount: None, reason: None },
        );
        let tracking = if lang == Lang::En { "tracking number" } else { "快递单号" };
        assert!(reship.contains(tracking), "{reship}");
        let refusal = render(lang, &Msg::AgentRejected { case: CaseId::from_seq(1001), reason: data.refusal.into() });
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
    for (lang, carrier, other) in [(Lang::En, "SF Express", "顺丰速运"), (Lang::Zh, "顺丰速运", "SF Express")] {
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
            &Msg::ReturnInstructions { case: case(), outcome: Outcome::ReturnRefund, address: return_address(data) },
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
            assert!(!empty.lines().any(|line| line.starts_with(label)), "{lang:?} shows an empty {label:?}:\n{empty}");
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
            &Msg::ParcelUpdate { case: CaseId::from_seq(1001), status: ParcelStatus::Delivered, detail: String::new() },
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

proptest::proptest! {
    /// Whatever the policy decides, the customer reads why, in either language.
    #[test]
    fn no_decision_goes_without_an_explanation((ask, quantity, minutes) in any_ask()) {
        let (_, decision) = decide_at(&Shop::new(), &ask, quantity, minutes);
        for lang in [Lang::Zh, Lang::En] {
            let text = render(lang, &Msg::explanation(&decision, chrono_tz::Asia::Shanghai));
            proptest::prop_assert!(text.chars().count() > 40, "{lang:?}: {text}");
        }
    }
}
