//! `aftersales orders import FILE`: reads the shop's order export (CSV or
//! JSON), validates all of it, and only then writes every order in one
//! transaction, so a file with one bad row imports nothing. Every bad row
//! is reported (the first 50, then how many more), so one export can be
//! fixed in one go.
//!
//! CSV has one row per order line; rows with the same `order_no` are merged
//! into one order and must agree on the order-level columns. Columns are
//! found by their header name, in any order:
//!
//! | column | required | value |
//! |---|---|---|
//! | `order_no` | yes | 6–32 letters, digits or dashes (stored upper-case) |
//! | `phone` | yes | 7–20 digits; spaces, dashes and `+` are ignored |
//! | `customer_name` | yes | text, may be empty |
//! | `sku` | yes | text, unique within an order |
//! | `item_name` | yes | text |
//! | `category` | yes | text, e.g. `clothing`, `underwear`, `furniture` |
//! | `quantity` | yes | a positive whole number |
//! | `unit_price` | yes | major units with up to 2 decimals: `199`, `199.5`, `199.00` |
//! | `currency` | no | ISO 4217, the shop's (`[shop] currency`); empty = the shop's |
//! | `paid_at`, `shipped_at`, `delivered_at` | yes | RFC 3339 with any offset, empty = not yet; paid ≤ shipped ≤ delivered, none more than an hour ahead of now |
//! | `carrier`, `tracking_no` | no | text, empty = none |
//! | `freight_insurance` | no | `true`/`false`/`1`/`0`/`yes`/`no`, empty = false |
//!
//! JSON is an array of orders with the same fields and the lines nested:
//! `[{"order_no": "TB-1001", "phone": "13800138000", "customer_name": "王芳",
//! "currency": "CNY", "paid_at": "2025-03-01T10:00:00+08:00", "shipped_at": null,
//! "freight_insurance": true, "lines": [{"sku": "J-01", "item_name": "夹克",
//! "category": "clothing", "quantity": 1, "unit_price": "199.00"}]}]`.
//! Missing or null times, carrier and tracking number mean "none"; a
//! missing or null currency means the shop's.
//!
//! A currency other than the shop's is refused even when it is a real
//! one: retention offers, refund caps and agents' amounts are all in the
//! shop's currency, and comparing them with another would be wrong.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::money::{Currency, Money};
use crate::order::{Order, OrderLine, OrderNo, Phone};
use crate::store::{Store, StoreError, orders};

mod csv_rows;
mod json_orders;

pub use csv_rows::parse_csv;
pub use json_orders::parse_json;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A CSV cell is invalid. Lines are 1-based; the header is line 1.
    #[error("{file}:{line}: column {column}: {reason}")]
    Row { file: String, line: usize, column: String, reason: String },
    /// A CSV line cannot be read at all (wrong number of fields, bad quoting).
    #[error("{file}:{line}: {reason}")]
    Line { file: String, line: usize, reason: String },
    /// A JSON field is invalid: `index` is the order's 0-based position in
    /// the array, `path` the field within it (`lines[1].quantity`), empty
    /// when the order itself is wrong.
    #[error("{file}: order [{index}]{}: {reason}", field_suffix(.path))]
    Field { file: String, index: usize, path: String, reason: String },
    /// The file as a whole cannot be read.
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    /// More than one row is wrong: each of the first [`MAX_PROBLEMS`], one
    /// per line, and how many more there are. A single problem is
    /// reported as itself.
    #[error("{}", problem_list(.problems, *.more))]
    Problems { problems: Vec<ImportError>, more: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn field_suffix(path: &str) -> String {
    if path.is_empty() { String::new() } else { format!(", field {path}") }
}

/// How many problems an import reports one by one; beyond that, a count.
pub const MAX_PROBLEMS: usize = 50;

fn problem_list(problems: &[ImportError], more: usize) -> String {
    let mut text = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    if more > 0 {
        text.push_str(&format!("\n… and {more} more problems"));
    }
    text
}

/// Problems gathered over a whole file, so all of them are reported at once.
#[derive(Default)]
struct Problems {
    problems: Vec<ImportError>,
    more: usize,
}

impl Problems {
    fn add(&mut self, problem: ImportError) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.more += 1;
        }
    }

    /// The orders when there was no problem; else the problem, or all of them.
    fn or<T>(mut self, parsed: T) -> Result<T, ImportError> {
        match (self.problems.len(), self.more) {
            (0, _) => Ok(parsed),
            (1, 0) => Err(self.problems.remove(0)),
            _ => Err(ImportError::Problems { problems: self.problems, more: self.more }),
        }
    }
}

/// What a file is checked against beyond itself.
#[derive(Clone, Copy, Debug)]
pub struct Checks {
    /// The shop's currency: orders must be in it.
    pub currency: Currency,
    /// The time of the import: no order time may be more than an hour after it.
    pub now: DateTime<Utc>,
}

/// How far ahead of the import an order time may be, for clocks that differ a little.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::hours(1);

/// What an import wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub orders: usize,
    pub lines: usize,
    /// Orders that were not stored before.
    pub created: usize,
    /// Orders that replaced a stored one of the same number.
    pub updated: usize,
}

/// Reads and validates the file; touches no database. The format is chosen
/// by extension (`.csv`, `.json`), else by the first non-blank character
/// (`[` or `{` means JSON).
pub fn parse_file(path: &Path, checks: Checks) -> Result<Vec<Order>, ImportError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| file_error(&file, format!("cannot read the file: {error}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        file_error(&file, "the file is not UTF-8 text; save it as \"CSV UTF-8\" (or UTF-8 JSON) and try again")
    })?;
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv") => parse_csv(&file, &text, checks),
        Some("json") => parse_json(&file, &text, checks),
        _ if matches!(without_bom(&text).trim_start().chars().next(), Some('[' | '{')) => {
            parse_json(&file, &text, checks)
        }
        _ => parse_csv(&file, &text, checks),
    }
}

/// Parses the file, then inserts or replaces every order in one transaction.
pub async fn import_file(store: &Store, path: &Path, checks: Checks) -> Result<ImportReport, ImportError> {
    let parsed = parse_file(path, checks)?;
    let mut report = ImportReport::default();
    let mut tx = store.write().await?;
    for order in &parsed {
        if orders::exists(&mut tx, &order.no).await? {
            report.updated += 1;
        } else {
            report.created += 1;
        }
        orders::upsert(&mut tx, order, checks.now).await?;
        report.orders += 1;
        report.lines += order.lines.len();
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report)
}

/// One invalid value: the column (CSV) or field path (JSON) and why.
struct Invalid {
    column: String,
    reason: String,
}

fn invalid(column: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid { column: column.into(), reason: reason.into() }
}

/// Turns a value's reason into an error about `column`.
fn within(column: &'static str) -> impl FnOnce(String) -> Invalid {
    move |reason| invalid(column, reason)
}

/// An order is paid before it ships and ships before it is delivered,
/// and none of it happened later than now.
fn check_times(order: &Order, now: DateTime<Utc>) -> Result<(), Invalid> {
    let times = [("paid_at", order.paid_at), ("shipped_at", order.shipped_at), ("delivered_at", order.delivered_at)];
    for (column, at) in times {
        if let Some(at) = at.filter(|at| *at > now + CLOCK_SLACK) {
            let reason = format!(
                "{column} {} is in the future (the import runs at {}); an order's times have already happened",
                at.to_rfc3339(),
                now.to_rfc3339()
            );
            return Err(invalid(column, reason));
        }
    }
    for pair in times.windows(2) {
        if let [(earlier, Some(before)), (later, Some(after))] = pair
            && after < before
        {
            let reason = format!(
                "{later} {} is before {earlier} {}: an order is paid, then shipped, then delivered",
                after.to_rfc3339(),
                before.to_rfc3339()
            );
            return Err(invalid(*later, reason));
        }
    }
    if order.shipped_at.is_some() && order.paid_at.is_none() {
        return Err(invalid("shipped_at", "shipped_at is set but paid_at is empty: an order is paid before it ships"));
    }
    if order.delivered_at.is_some() && order.shipped_at.is_none() {
        return Err(invalid(
            "delivered_at",
            "delivered_at is set but shipped_at is empty: an order ships before it is delivered",
        ));
    }
    Ok(())
}

/// An order's own fields as the file writes them, CSV cells or JSON values
/// alike; the flag is already read, as JSON may write it as true/false.
struct HeadText<'a> {
    order_no: &'a str,
    phone: &'a str,
    customer_name: &'a str,
    currency: &'a str,
    paid_at: &'a str,
    shipped_at: &'a str,
    delivered_at: &'a str,
    carrier: &'a str,
    tracking_no: &'a str,
    freight_insurance: bool,
}

impl HeadText<'_> {
    /// The order without its lines, checked against the shop.
    fn read(&self, checks: Checks) -> Result<Order, Invalid> {
        let at = |column: &'static str, text: &str| time(text).map_err(within(column));
        let head = Order {
            no: order_no(self.order_no).map_err(within("order_no"))?,
            currency: currency(self.currency, checks.currency).map_err(within("currency"))?,
            phone: phone(self.phone).map_err(within("phone"))?,
            customer_name: self.customer_name.trim().to_owned(),
            paid_at: at("paid_at", self.paid_at)?,
            shipped_at: at("shipped_at", self.shipped_at)?,
            delivered_at: at("delivered_at", self.delivered_at)?,
            carrier: optional_text(self.carrier),
            tracking_no: optional_text(self.tracking_no),
            freight_insurance: self.freight_insurance,
            lines: Vec::new(),
        };
        check_times(&head, checks.now)?;
        Ok(head)
    }
}

/// One order line as the file writes it.
struct LineText<'a> {
    sku: &'a str,
    item_name: &'a str,
    category: &'a str,
    quantity: &'a str,
    unit_price: &'a str,
}

impl LineText<'_> {
    fn read(&self, currency: Currency) -> Result<OrderLine, Invalid> {
        Ok(OrderLine {
            sku: required_text(self.sku).map_err(within("sku"))?,
            item_name: required_text(self.item_name).map_err(within("item_name"))?,
            category: required_text(self.category).map_err(within("category"))?,
            quantity: quantity(self.quantity).map_err(within("quantity"))?,
            unit_price: unit_price(self.unit_price, currency).map_err(within("unit_price"))?,
        })
    }
}

// Values shared by CSV and JSON. Each returns the friendly reason on error.

fn order_no(text: &str) -> Result<OrderNo, String> {
    let text = text.trim();
    let valid = (6..=32).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(OrderNo::from_trusted(text))
    } else if text.is_empty() {
        Err("the order number is empty".into())
    } else {
        Err(format!("order number {text:?} must be 6 to 32 letters, digits or dashes"))
    }
}

fn phone(text: &str) -> Result<Phone, String> {
    let text = text.trim();
    if text.contains(['E', 'e']) && text.contains('.') {
        return Err(format!(
            "phone {text:?} was turned into a number by a spreadsheet; format the column as text and export again"
        ));
    }
    if !text.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return Err(format!("phone {text:?} may hold only digits, spaces, +, - and brackets"));
    }
    Phone::parse(text).ok_or_else(|| format!("phone {text:?} must have 7 to 20 digits, such as 13800138000"))
}

/// The order's currency: an ISO 4217 code, and the shop's; empty means the shop's.
fn currency(text: &str, shop: Currency) -> Result<Currency, String> {
    if text.trim().is_empty() {
        return Ok(shop);
    }
    let currency = Currency::parse(text)
        .ok()
        .filter(Currency::is_iso4217)
        .ok_or_else(|| format!("currency {text:?} is not an ISO 4217 currency code such as CNY, USD or EUR"))?;
    if currency != shop {
        return Err(format!(
            "currency {currency} is not the shop's currency {shop}; offers and refunds are in {shop} \
             (set [shop] currency in the config if the shop sells in {currency})"
        ));
    }
    Ok(currency)
}

fn unit_price(text: &str, currency: Currency) -> Result<Money, String> {
    if text.trim().is_empty() {
        return Err("the price is empty".into());
    }
    Money::parse_major(text, currency).map_err(|_| {
        format!("price {text:?} must be an amount in {currency} with at most 2 decimals, such as 199 or 199.00")
    })
}

fn quantity(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(quantity) if quantity > 0 => Ok(quantity),
        _ => Err(format!("quantity {text:?} must be a whole number of at least 1")),
    }
}

fn time(text: &str) -> Result<Option<DateTime<Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(text).map(|at| Some(at.with_timezone(&Utc))).map_err(|_| {
        format!(
            "time {text:?} must be RFC 3339 with an offset, such as 2025-03-01T14:30:00+08:00, or empty for not yet"
        )
    })
}

fn flag(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" => Ok(false),
        "true" | "1" | "yes" => Ok(true),
        _ => Err(format!("{text:?} must be true or false (or 1/0, yes/no, empty for false)")),
    }
}

fn required_text(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() { Err("must not be empty".into()) } else { Ok(text.to_owned()) }
}

fn optional_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn file_error(file: &str, reason: impl Into<String>) -> ImportError {
    ImportError::File { file: file.to_owned(), reason: reason.into() }
}

#[cfg(test)]
mod tests;
