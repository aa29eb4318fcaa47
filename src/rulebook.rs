//! `aftersales policy check`: the rules in force, as a shop operator reads
//! them. Operator-facing English, not customer text, so it lives here rather
//! than in the catalogue.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::config::Config;
use crate::policy::photos_needed;
use crate::reason::Reason;
use crate::retention::{Offer, OfferKind};

/// Where the values start, so the labels line up.
const LABEL_WIDTH: usize = 26;

/// A readable summary of the rules `config` puts in force.
pub fn summary(config: &Config) -> String {
    let rules = &config.policy;
    let mut out = Summary::default();
    out.line(&format!("Rules version {}", config.rules_version()));
    out.row("time zone", config.shop.timezone.0.name());
    out.row("currency", config.shop.currency.as_str());

    out.heading("Windows");
    out.row("no-reason return", &format!("{}, from 00:00 the day after delivery", days(rules.no_reason_return_days)));
    out.row("exchange", &format!("{}, counted the same way", days(rules.exchange_days)));
    out.row("exchanges per line", &rules.exchanges_per_line.to_string());
    out.row(
        "return after exchange",
        &format!("{}, from the day after the replacement's delivery", days(rules.return_after_exchange_days)),
    );
    out.row("warranty", &format!("{} from delivery", days(rules.warranty_days)));
    out.row("price protection", &format!("{}, from the day after payment", days(rules.price_protection_days)));

    out.heading("Working days");
    out.row("review answered within", &working_days(rules.review_working_days));
    out.row("refund after inspection", &working_days(rules.refund_working_days));

    let calendar = &config.calendar;
    out.heading("Calendar");
    let weekend: Vec<String> = calendar.weekend.iter().map(|day| day.to_string().to_lowercase()).collect();
    out.row("weekend", &list(weekend));
    out.row("holidays", &list(calendar.holidays.iter().map(NaiveDate::to_string)));
    out.row("make-up workdays", &list(calendar.workdays.iter().map(NaiveDate::to_string)));

    out.heading("Category exceptions");
    out.row("sizes (size reasons offered)", &list(rules.sized_categories.iter().cloned()));
    if rules.categories.is_empty() {
        out.line("  none: every category follows the rules above");
    }
    for name in rules.categories.keys() {
        let category = rules.category(name);
        let mut notes = Vec::new();
        if !category.no_reason_return {
            notes.push("no return or exchange for a subjective reason".to_owned());
        }
        if category.no_reason_return_days != rules.no_reason_return_days {
            notes.push(format!("no-reason return {}", days(category.no_reason_return_days)));
        }
        if category.exchange_days != rules.exchange_days {
            notes.push(format!("exchange {}", days(category.exchange_days)));
        }
        if category.warranty_days != rules.warranty_days {
            notes.push(format!("warranty {}", days(category.warranty_days)));
        }
        if let Some(hours) = category.quality_report_hours {
            notes.push(format!("quality problems reported within {} of delivery", count(hours, "hour")));
        }
        if notes.is_empty() {
            notes.push("as above".to_owned());
        }
        out.row(&category.name, &notes.join("; "));
    }

    out.heading("Photos per reason (at least–at most)");
    let mut any = false;
    for reason in Reason::ALL {
        let range = photos_needed(reason, rules);
        if range.min > 0 {
            any = true;
            out.row(reason.code(), &format!("{}–{}", range.min, range.max));
        }
    }
    if !any {
        out.line("  none required");
    }
    out.line(&format!("  other reasons: optional, up to {}", rules.other_photos.max));

    let script = &config.retention;
    out.heading(&format!("Retention script: {}", if script.enabled { "enabled" } else { "disabled" }));
    if script.offers.is_empty() {
        out.line("  no offers");
    }
    for (index, offer) in script.offers.iter().enumerate() {
        out.line(&format!("  {}. {}", index + 1, offer_line(offer, config)));
        out.line(&format!("     \"{}\"", offer.text_en));
        out.line(&format!("     when: {}", conditions(offer, config)));
    }

    out.heading("Records");
    out.row(
        "kept",
        &format!("{} years after a case closes; then `records purge` removes its personal data", config.records.keep.0),
    );
    out.text
}

/// "coupon10: coupon worth ¥10.00".
fn offer_line(offer: &Offer, config: &Config) -> String {
    let value = match (&offer.value, offer.value_in(config.shop.currency)) {
        (_, Some(money)) => format!(" worth {money}"),
        (Some(raw), None) => format!(" worth {raw}"),
        (None, None) => String::new(),
    };
    let kind = match offer.kind {
        OfferKind::Coupon => "coupon",
        OfferKind::Gift => "gift",
        OfferKind::KeepDiscount => "part of the price back to keep the item",
        OfferKind::OtherStyle => "another size or style (an exchange)",
    };
    format!("{} ({}): {kind}{value}", offer.id, offer.kind.code())
}

/// The offer's conditions and limit, in words.
fn conditions(offer: &Offer, config: &Config) -> String {
    let mut parts = vec![match offer.reasons.is_empty() {
        true => "any subjective reason".to_owned(),
        false => format!("reasons {}", offer.reasons.join(", ")),
    }];
    parts.push(match offer.categories.is_empty() {
        true => "any category".to_owned(),
        false => format!("categories {}", offer.categories.join(", ")),
    });
    if let Some(min) = &offer.min_order_value {
        let shown = crate::money::Money::parse_major(min, config.shop.currency)
            .map(|money| money.to_string())
            .unwrap_or_else(|_| min.clone());
        parts.push(format!("orders of at least {shown}"));
    }
    if let Some(max) = offer.max_past_cases {
        parts.push(format!("customers with at most {} before", count(max, "case")));
    }
    parts.push(format!("accepted at most {} per customer in 30 days", count(offer.per_customer_per_month, "time")));
    parts.join("; ")
}

fn count(n: u32, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

fn days(n: u32) -> String {
    count(n, "day")
}

fn working_days(n: u32) -> String {
    count(n, "working day")
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}

/// The text being written.
#[derive(Default)]
struct Summary {
    text: String,
}

impl Summary {
    fn line(&mut self, line: &str) {
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "{line}");
    }

    fn heading(&mut self, heading: &str) {
        self.line("");
        self.line(heading);
    }

    fn row(&mut self, label: &str, value: &str) {
        let label = format!("{label}:");
        self.line(&format!("  {label:<LABEL_WIDTH$} {value}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_summarised() {
        let config = Config::default();
        let text = summary(&config);
        assert!(text.starts_with(&format!("Rules version {}\n", config.rules_version())), "{text}");
        assert!(text.contains("Asia/Shanghai"), "{text}");
        assert!(text.contains("no-reason return:") && text.contains("7 days, from 00:00"), "{text}");
        assert!(text.contains("15 days"), "{text}");
        assert!(text.contains("365 days"), "{text}");
        assert!(text.contains("1 working day\n"), "{text}");
        assert!(text.contains("3 working days"), "{text}");
        assert!(text.contains("sat, sun"), "{text}");
        let furniture = text.lines().find(|line| line.trim_start().starts_with("furniture:")).unwrap_or_default();
        assert!(furniture.contains("48 hours"), "{text}");
        let underwear = text.lines().find(|line| line.trim_start().starts_with("underwear:")).unwrap_or_default();
        assert!(underwear.contains("no return or exchange"), "{text}");
        assert!(text.contains("quality_defect:") && text.contains("3–5"), "{text}");
        assert!(!text.contains("changed_mind:"), "a reason needing no photos is not listed: {text}");
        assert!(text.contains("Retention script: enabled"), "{text}");
        assert!(text.contains("1. other_style (other_style)"), "{text}");
        assert!(text.contains("at most 3 times per customer"), "{text}");
        assert!(text.contains("kept:") && text.contains("3 years after a case closes"), "{text}");
    }

    #[test]
    fn a_shops_own_rules_are_summarised() {
        let config = Config::parse(
            r#"
[shop]
timezone = "Europe/Berlin"
currency = "EUR"

[policy]
exchange_days = 30
[policy.photos]
wrong_item = { min = 2, max = 4 }
[policy.categories.shoes]
exchange_days = 10
warranty_days = 180

[calendar]
weekend = ["sun"]
holidays = ["2026-10-01", "2026-10-02"]
workdays = ["2026-10-10"]

[retention]
enabled = false
[[retention.offers]]
id = "coupon10"
kind = "coupon"
text_zh = "优惠券"
text_en = "A coupon for your next order"
value = "10.00"
reasons = ["changed_mind"]
min_order_value = "50"
max_past_cases = 2
"#,
        )
        .expect("config");
        let text = summary(&config);
        assert!(text.contains("Europe/Berlin") && text.contains("EUR"), "{text}");
        assert!(text.contains("exchange:") && text.contains("30 days, counted"), "{text}");
        assert!(text.contains("shoes:") && text.contains("exchange 10 days; warranty 180 days"), "{text}");
        assert!(!text.contains("furniture"), "the listed categories replace the built-in ones: {text}");
        assert!(text.contains("wrong_item:") && text.contains("2–4"), "{text}");
        assert!(text.contains("2026-10-01, 2026-10-02") && text.contains("2026-10-10"), "{text}");
        assert!(text.contains("weekend:") && text.contains(" sun\n"), "{text}");
        assert!(text.contains("Retention script: disabled"), "{text}");
        assert!(text.contains("1. coupon10 (coupon): coupon worth €10.00"), "{text}");
        assert!(text.contains("reasons changed_mind; any category; orders of at least €50.00"), "{text}");
        assert!(text.contains("at most 2 cases before; accepted at most 1 time per customer"), "{text}");
    }
}
