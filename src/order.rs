//! Orders as the shop's order system knows them: imported, never edited by
//! the bot. An order's stage (unpaid … delivered) drives what a customer may
//! ask for.

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

/// An order number as typed by a customer, trimmed and upper-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderNo(String);

impl OrderNo {
    /// Accepts `text` if the whole of it matches the shop's order-number pattern.
    pub fn parse(text: &str, pattern: &Regex) -> Option<OrderNo> {
        let text = text.trim();
        let whole_match = pattern.find(text).is_some_and(|m| m.start() == 0 && m.end() == text.len());
        whole_match.then(|| OrderNo(text.to_uppercase()))
    }

    /// The first order number inside a sentence ("DEMO-1005 收到的东西坏了"),
    /// with the rest of the sentence. Only a match that stands on its own
    /// (not part of a longer word) and holds a digit counts, so that
    /// ordinary words are not taken for order numbers.
    pub fn find_in(text: &str, pattern: &Regex) -> Option<(OrderNo, String)> {
        let joined = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let found = pattern.find_iter(text).find(|m| {
            m.as_str().bytes().any(|b| b.is_ascii_digit())
                && !joined(text[..m.start()].chars().next_back())
                && !joined(text[m.end()..].chars().next())
        })?;
        let filler = |c: char| c.is_whitespace() || c.is_ascii_punctuation() || "，。：；、！？".contains(c);
        let before = text[..found.start()].trim_matches(filler);
        let after = text[found.end()..].trim_matches(filler);
        let rest =
            if before.is_empty() || after.is_empty() { [before, after].concat() } else { format!("{before} {after}") };
        Some((OrderNo(found.as_str().to_uppercase()), rest))
    }

    /// An order number read back from the store or an import file.
    pub fn from_trusted(text: &str) -> OrderNo {
        OrderNo(text.trim().to_uppercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrderNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number reduced to its digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Keeps the digits; a number needs at least 7 of them.
    pub fn parse(text: &str) -> Option<Phone> {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        (digits.len() >= 7 && digits.len() <= 20).then_some(Phone(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The same line written with or without a country code: one number ends
    /// with the other, and the shorter keeps at least 7 digits.
    pub fn same_line_as(&self, other: &Phone) -> bool {
        let (short, long) = if self.0.len() <= other.0.len() { (&self.0, &other.0) } else { (&other.0, &self.0) };
        long.ends_with(short.as_str())
    }

    /// The number as agents may see it: all but the last four digits hidden.
    pub fn masked(&self) -> String {
        format!("{}{}", "*".repeat(self.0.len() - 4), self.last4())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: String,
    pub item_name: String,
    pub category: String,
    pub quantity: u32,
    pub unit_price: Money,
}

impl OrderLine {
    pub fn paid(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub no: OrderNo,
    pub phone: Phone,
    pub customer_name: String,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub freight_insurance: bool,
}

/// Where an order stands, which decides what can be asked of it (docs/domain.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStage {
    Unpaid,
    PaidNotShipped,
    InTransit,
    Delivered { at: DateTime<Utc> },
}

impl Order {
    pub fn stage(&self) -> OrderStage {
        match (self.paid_at, self.shipped_at, self.delivered_at) {
            (None, _, _) => OrderStage::Unpaid,
            (Some(_), _, Some(at)) => OrderStage::Delivered { at },
            (Some(_), Some(_), None) => OrderStage::InTransit,
            (Some(_), None, None) => OrderStage::PaidNotShipped,
        }
    }

    pub fn line(&self, sku: &str) -> Option<&OrderLine> {
        self.lines.iter().find(|line| line.sku == sku)
    }

    pub fn total(&self) -> Money {
        let minor = self.lines.iter().map(|line| line.paid().minor).fold(0i64, i64::saturating_add);
        Money::new(minor, self.currency)
    }
}

/// A short view of an order, for lists of a customer's recent orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub no: OrderNo,
    pub first_item: String,
    pub lines: usize,
    pub total: Money,
}

impl From<&Order> for OrderSummary {
    fn from(order: &Order) -> Self {
        OrderSummary {
            no: order.no.clone(),
            first_item: order.lines.first().map(|line| line.item_name.clone()).unwrap_or_default(),
            lines: order.lines.len(),
            total: order.total(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern() -> Regex {
        Regex::new(r"[A-Za-z0-9-]{6,32}").unwrap()
    }

    #[test]
    fn an_order_number_must_match_the_whole_pattern() {
        assert_eq!(OrderNo::parse("  tb-2024-0001 ", &pattern()).map(|n| n.0), Some("TB-2024-0001".into()));
        assert!(OrderNo::parse("12345", &pattern()).is_none());
        assert!(OrderNo::parse("order 123456", &pattern()).is_none());
        assert!(OrderNo::parse(&"9".repeat(33), &pattern()).is_none());
    }

    #[test]
    fn an_order_number_is_found_inside_a_sentence() {
        let found = |text: &str| OrderNo::find_in(text, &pattern()).map(|(no, rest)| (no.0, rest));
        assert_eq!(found("DEMO-1005 收到的东西坏了"), Some(("DEMO-1005".into(), "收到的东西坏了".into())));
        assert_eq!(found("订单demo-1005，花瓶碎了。"), Some(("DEMO-1005".into(), "订单 花瓶碎了".into())));
        assert_eq!(
            found("my order DEMO-1005 arrived broken"),
            Some(("DEMO-1005".into(), "my order arrived broken".into()))
        );
        assert_eq!(found("DEMO-1005"), Some(("DEMO-1005".into(), String::new())));
        assert_eq!(found("the parcel arrived damaged"), None, "words without a digit are no order numbers");
        assert_eq!(found(&format!("ref {}", "9".repeat(40))), None, "part of a longer word");
    }

    #[test]
    fn a_phone_with_a_country_code_is_the_same_line() {
        let local = Phone::parse("138-0013-8000").unwrap();
        let international = Phone::parse("+86 138 0013 8000").unwrap();
        assert!(local.same_line_as(&international));
        assert!(international.same_line_as(&local));
        assert!(!local.same_line_as(&Phone::parse("13800138001").unwrap()));
        assert_eq!(local.last4(), "8000");
        assert_eq!(local.masked(), "*******8000");
        assert!(Phone::parse("12345").is_none());
    }
}

/// Orders for the core's tests: a coat bought on 1 March 2026 in Shanghai.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::money::Currency;

    /// An RFC 3339 time.
    pub fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_else(|_| panic!("time {text}"))
    }

    /// Paid at 10:00 on 1 March, shipped at 18:00, signed for at 15:00 on 2 March.
    pub const PAID: &str = "2026-03-01T10:00:00+08:00";
    pub const SHIPPED: &str = "2026-03-01T18:00:00+08:00";
    pub const SIGNED: &str = "2026-03-02T15:00:00+08:00";

    /// One line of `quantity` × `yuan` in `category`.
    pub fn line(sku: &str, category: &str, quantity: u32, yuan: i64) -> OrderLine {
        OrderLine {
            sku: sku.into(),
            item_name: "外套".into(),
            category: category.into(),
            quantity,
            unit_price: Money::new(yuan * 100, Currency::CNY),
        }
    }

    /// An order of that line, paid, shipped and signed for at the given times.
    pub fn order(line: OrderLine, paid: Option<&str>, shipped: Option<&str>, signed: Option<&str>) -> Order {
        Order {
            no: OrderNo::from_trusted("T-000001"),
            phone: Phone::parse("13800138000").unwrap_or_else(|| unreachable!()),
            customer_name: "王芳".into(),
            currency: Currency::CNY,
            lines: vec![line],
            paid_at: paid.map(at),
            shipped_at: shipped.map(at),
            delivered_at: signed.map(at),
            carrier: None,
            tracking_no: None,
            freight_insurance: false,
        }
    }
}
