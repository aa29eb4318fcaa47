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

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::money::{Currency, Money};
use crate::order::{Order, OrderLine, OrderNo, Phone};
use crate::store::{Store, StoreError, orders};

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

/// CSV columns in the order the documentation lists them.
const COLUMNS: [&str; 15] = [
    "order_no",
    "phone",
    "customer_name",
    "sku",
    "item_name",
    "category",
    "quantity",
    "unit_price",
    "currency",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "carrier",
    "tracking_no",
    "freight_insurance",
];

/// Columns a CSV file may leave out; a missing one reads as empty.
const OPTIONAL_COLUMNS: [&str; 4] = ["currency", "carrier", "tracking_no", "freight_insurance"];

/// Parses CSV text; `file` names it in error messages.
pub fn parse_csv(file: &str, text: &str, checks: Checks) -> Result<Vec<Order>, ImportError> {
    let row_error = |line: usize, Invalid { column, reason }: Invalid| ImportError::Row {
        file: file.to_owned(),
        line,
        column,
        reason,
    };
    let line_error = |error: csv::Error| {
        let line = error.position().map_or(1, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        let reason = match error.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("this line has {len} fields but the header has {expected_len}")
            }
            _ => error.to_string(),
        };
        ImportError::Line { file: file.to_owned(), line, reason }
    };
    let text = without_bom(text);
    if text.trim().is_empty() {
        return Err(file_error(file, "the file is empty"));
    }

    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(line_error)?.clone();
    let header_line = header.position().map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (position, name) in header.iter().enumerate() {
        let Some(&column) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
            let reason = format!("unknown column; the columns are {}", COLUMNS.join(", "));
            let name = if name.is_empty() { format!("#{} (no name)", position + 1) } else { name.to_owned() };
            return Err(row_error(header_line, invalid(name, reason)));
        };
        if index.insert(column, position).is_some() {
            return Err(row_error(header_line, invalid(name, "this column appears twice in the header")));
        }
    }
    if let Some(&missing) = COLUMNS.iter().find(|c| !index.contains_key(*c) && !OPTIONAL_COLUMNS.contains(c)) {
        return Err(row_error(header_line, invalid(missing, "required column is missing from the header")));
    }

    let mut merged = Merged::default();
    let mut problems = Problems::default();
    let mut rows = 0;
    for record in reader.records() {
        rows += 1;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.add(line_error(error));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        let cell = |column: &str| index.get(column).and_then(|&i| record.get(i)).unwrap_or("");
        let added = parse_row(&cell, checks).and_then(|(no, head, order_line)| merged.add(no, head, order_line, line));
        if let Err(error) = added {
            problems.add(row_error(line, error));
        }
    }
    if rows == 0 {
        return Err(file_error(file, "the file has a header but no orders"));
    }
    problems.or(merged.into_orders())
}

/// Parses JSON text (an array of orders); `file` names it in error messages.
pub fn parse_json(file: &str, text: &str, checks: Checks) -> Result<Vec<Order>, ImportError> {
    let document: Value = serde_json::from_str(without_bom(text))
        .map_err(|error| file_error(file, format!("not valid JSON: {error}")))?;
    let Value::Array(entries) = document else {
        return Err(file_error(file, format!("expected an array of orders [{{…}}, …], found {}", kind(&document))));
    };
    if entries.is_empty() {
        return Err(file_error(file, "the file has no orders, only an empty array"));
    }
    let mut parsed: Vec<Order> = Vec::with_capacity(entries.len());
    let mut seen: HashMap<OrderNo, usize> = HashMap::new();
    let mut problems = Problems::default();
    for (index, entry) in entries.iter().enumerate() {
        let field_error = |Invalid { column, reason }: Invalid| ImportError::Field {
            file: file.to_owned(),
            index,
            path: column,
            reason,
        };
        let order = match json_order(entry, checks) {
            Ok(order) => order,
            Err(error) => {
                problems.add(field_error(error));
                continue;
            }
        };
        if let Some(first) = seen.insert(order.no.clone(), index) {
            let reason = format!("order {} already appears at [{first}]; give each order once", order.no);
            problems.add(field_error(invalid("order_no", reason)));
            continue;
        }
        parsed.push(order);
    }
    problems.or(parsed)
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

/// An order's own fields, repeated on every CSV row of the order.
#[derive(Clone)]
struct Head {
    phone: Phone,
    customer_name: String,
    currency: Currency,
    paid_at: Option<DateTime<Utc>>,
    shipped_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    carrier: Option<String>,
    tracking_no: Option<String>,
    freight_insurance: bool,
}

impl Head {
    /// Each field by its column name, as one normalised text, so two rows
    /// can be compared and a difference shown.
    fn normalised(&self) -> [(&'static str, String); 9] {
        let time = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339()).unwrap_or_default();
        [
            ("phone", self.phone.as_str().to_owned()),
            ("customer_name", self.customer_name.clone()),
            ("currency", self.currency.as_str().to_owned()),
            ("paid_at", time(self.paid_at)),
            ("shipped_at", time(self.shipped_at)),
            ("delivered_at", time(self.delivered_at)),
            ("carrier", self.carrier.clone().unwrap_or_default()),
            ("tracking_no", self.tracking_no.clone().unwrap_or_default()),
            ("freight_insurance", self.freight_insurance.to_string()),
        ]
    }

    /// An order is paid before it ships and ships before it is delivered,
    /// and none of it happened later than now.
    fn check_times(&self, now: DateTime<Utc>) -> Result<(), Invalid> {
        let times = [("paid_at", self.paid_at), ("shipped_at", self.shipped_at), ("delivered_at", self.delivered_at)];
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
        if self.shipped_at.is_some() && self.paid_at.is_none() {
            return Err(invalid(
                "shipped_at",
                "shipped_at is set but paid_at is empty: an order is paid before it ships",
            ));
        }
        if self.delivered_at.is_some() && self.shipped_at.is_none() {
            return Err(invalid(
                "delivered_at",
                "delivered_at is set but shipped_at is empty: an order ships before it is delivered",
            ));
        }
        Ok(())
    }

    fn into_order(self, no: OrderNo, lines: Vec<OrderLine>) -> Order {
        Order {
            no,
            phone: self.phone,
            customer_name: self.customer_name,
            currency: self.currency,
            lines,
            paid_at: self.paid_at,
            shipped_at: self.shipped_at,
            delivered_at: self.delivered_at,
            carrier: self.carrier,
            tracking_no: self.tracking_no,
            freight_insurance: self.freight_insurance,
        }
    }
}

/// Reads one CSV row: the order it belongs to, the order's fields, its line.
fn parse_row<'a>(cell: &impl Fn(&str) -> &'a str, checks: Checks) -> Result<(OrderNo, Head, OrderLine), Invalid> {
    let at = |column: &'static str| time(cell(column)).map_err(within(column));
    let no = order_no(cell("order_no")).map_err(within("order_no"))?;
    let currency = currency(cell("currency"), checks.currency).map_err(within("currency"))?;
    let head = Head {
        phone: phone(cell("phone")).map_err(within("phone"))?,
        customer_name: cell("customer_name").to_owned(),
        currency,
        paid_at: at("paid_at")?,
        shipped_at: at("shipped_at")?,
        delivered_at: at("delivered_at")?,
        carrier: optional_text(cell("carrier")),
        tracking_no: optional_text(cell("tracking_no")),
        freight_insurance: flag(cell("freight_insurance")).map_err(within("freight_insurance"))?,
    };
    head.check_times(checks.now)?;
    let line = OrderLine {
        sku: required_text(cell("sku")).map_err(within("sku"))?,
        item_name: required_text(cell("item_name")).map_err(within("item_name"))?,
        category: required_text(cell("category")).map_err(within("category"))?,
        quantity: quantity(cell("quantity")).map_err(within("quantity"))?,
        unit_price: unit_price(cell("unit_price"), currency).map_err(within("unit_price"))?,
    };
    Ok((no, head, line))
}

/// CSV rows merged by order number, in the order orders first appear.
#[derive(Default)]
struct Merged {
    orders: Vec<MergedOrder>,
    by_no: HashMap<OrderNo, usize>,
}

struct MergedOrder {
    no: OrderNo,
    head: Head,
    first_line: usize,
    lines: Vec<OrderLine>,
    sku_lines: HashMap<String, usize>,
}

impl Merged {
    fn add(&mut self, no: OrderNo, head: Head, order_line: OrderLine, line: usize) -> Result<(), Invalid> {
        let Some(&position) = self.by_no.get(&no) else {
            self.by_no.insert(no.clone(), self.orders.len());
            let sku_lines = HashMap::from([(order_line.sku.clone(), line)]);
            self.orders.push(MergedOrder { no, head, first_line: line, lines: vec![order_line], sku_lines });
            return Ok(());
        };
        let order = &mut self.orders[position];
        let first = order.head.normalised();
        for ((column, theirs), (_, ours)) in first.iter().zip(head.normalised()) {
            if *theirs != ours {
                let reason = format!(
                    "{ours:?} differs from {theirs:?} on line {} of order {}; \
                     order-level columns must be the same on every line of an order",
                    order.first_line, order.no
                );
                return Err(invalid(*column, reason));
            }
        }
        if let Some(earlier) = order.sku_lines.insert(order_line.sku.clone(), line) {
            let reason = format!(
                "sku {:?} is already on line {earlier} of order {}; give each item once with its total quantity",
                order_line.sku, order.no
            );
            return Err(invalid("sku", reason));
        }
        order.lines.push(order_line);
        Ok(())
    }

    fn into_orders(self) -> Vec<Order> {
        self.orders.into_iter().map(|order| order.head.into_order(order.no, order.lines)).collect()
    }
}

/// Reads one JSON order; errors carry the field path within it.
fn json_order(entry: &Value, checks: Checks) -> Result<Order, Invalid> {
    let fields = Fields::of(entry, ORDER_FIELDS)?;
    let at = |name: &'static str| time(&fields.text(name)?).map_err(within(name));
    let no = order_no(&fields.required("order_no")?).map_err(within("order_no"))?;
    let currency = currency(&fields.text("currency")?, checks.currency).map_err(within("currency"))?;
    if !fields.has("customer_name") {
        return Err(invalid("customer_name", "missing; give the customer's name, or \"\" if unknown"));
    }
    let head = Head {
        phone: phone(&fields.required("phone")?).map_err(within("phone"))?,
        customer_name: fields.text("customer_name")?,
        currency,
        paid_at: at("paid_at")?,
        shipped_at: at("shipped_at")?,
        delivered_at: at("delivered_at")?,
        carrier: optional_text(&fields.text("carrier")?),
        tracking_no: optional_text(&fields.text("tracking_no")?),
        freight_insurance: fields.flag("freight_insurance")?,
    };
    head.check_times(checks.now)?;

    let lines = match fields.get("lines") {
        Some(Value::Array(lines)) if !lines.is_empty() => lines,
        Some(Value::Array(_)) => return Err(invalid("lines", "an order needs at least one line")),
        Some(other) => {
            return Err(invalid("lines", format!("expected an array of lines, found {}", kind(other))));
        }
        None => {
            return Err(invalid("lines", "missing; an order needs at least one line"));
        }
    };
    let mut order_lines: Vec<OrderLine> = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let in_line = |Invalid { column, reason }: Invalid| {
            let path = if column.is_empty() { format!("lines[{index}]") } else { format!("lines[{index}].{column}") };
            invalid(path, reason)
        };
        let order_line = json_line(line, currency).map_err(in_line)?;
        if let Some(earlier) = order_lines.iter().position(|l| l.sku == order_line.sku) {
            let reason = format!(
                "sku {:?} is already in lines[{earlier}]; give each item once with its total quantity",
                order_line.sku
            );
            return Err(in_line(invalid("sku", reason)));
        }
        order_lines.push(order_line);
    }
    Ok(head.into_order(no, order_lines))
}

const ORDER_FIELDS: &[&str] = &[
    "order_no",
    "phone",
    "customer_name",
    "currency",
    "paid_at",
    "shipped_at",
    "delivered_at",
    "carrier",
    "tracking_no",
    "freight_insurance",
    "lines",
];

const LINE_FIELDS: &[&str] = &["sku", "item_name", "category", "quantity", "unit_price"];

fn json_line(line: &Value, currency: Currency) -> Result<OrderLine, Invalid> {
    let fields = Fields::of(line, LINE_FIELDS)?;
    Ok(OrderLine {
        sku: fields.required("sku")?,
        item_name: fields.required("item_name")?,
        category: fields.required("category")?,
        quantity: quantity(&fields.number("quantity")?).map_err(within("quantity"))?,
        unit_price: unit_price(&fields.number("unit_price")?, currency).map_err(within("unit_price"))?,
    })
}

/// A JSON object's fields, read as CSV cells would be.
struct Fields<'a>(HashMap<&'a str, &'a Value>);

impl<'a> Fields<'a> {
    /// The object's fields, refusing any name not in `known`. An error has
    /// an empty path: it is about the object itself.
    fn of(value: &'a Value, known: &[&str]) -> Result<Fields<'a>, Invalid> {
        let Value::Object(map) = value else {
            return Err(invalid("", format!("expected an object {{…}}, found {}", kind(value))));
        };
        if let Some(unknown) = map.keys().find(|name| !known.contains(&name.as_str())) {
            return Err(invalid(unknown.as_str(), format!("unknown field; the fields are {}", known.join(", "))));
        }
        Ok(Fields(map.iter().map(|(name, value)| (name.as_str(), value)).collect()))
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).copied()
    }

    /// A string, trimmed; a whole number as its digits (phones, SKUs);
    /// missing or null as empty.
    fn text(&self, name: &'static str) -> Result<String, Invalid> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(text)) => Ok(text.trim().to_owned()),
            Some(Value::Number(number)) if number.is_u64() => Ok(number.to_string()),
            Some(other) => Err(invalid(name, format!("expected a string, found {}", kind(other)))),
        }
    }

    /// Like [`Fields::text`], but missing or empty is an error.
    fn required(&self, name: &'static str) -> Result<String, Invalid> {
        let text = self.text(name)?;
        if text.is_empty() { Err(invalid(name, "missing or empty")) } else { Ok(text) }
    }

    /// A number or a string holding one, as its text.
    fn number(&self, name: &'static str) -> Result<String, Invalid> {
        match self.get(name) {
            Some(Value::Number(number)) => Ok(number.to_string()),
            Some(Value::String(text)) => Ok(text.trim().to_owned()),
            Some(other) => Err(invalid(name, format!("expected a number, found {}", kind(other)))),
            None => Err(invalid(name, "missing")),
        }
    }

    /// true/false, or the same texts a CSV cell may hold; missing is false.
    fn flag(&self, name: &'static str) -> Result<bool, Invalid> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(value)) => Ok(*value),
            Some(Value::String(text)) => flag(text).map_err(within(name)),
            Some(Value::Number(number)) => flag(&number.to_string()).map_err(within(name)),
            Some(other) => Err(invalid(name, format!("expected true or false, found {}", kind(other)))),
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
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
mod tests {
    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::{Value, json};

    use crate::import::{Checks, ImportError, ImportReport, MAX_PROBLEMS, import_file};
    use crate::money::{Currency, Money};
    use crate::order::{Order, OrderNo};
    use crate::store::{Store, orders};

    /// A shop selling in CNY, importing on 20 March 2025.
    fn checks() -> Checks {
        Checks { currency: Currency::CNY, now: now() }
    }

    fn parse_csv(file: &str, text: &str) -> Result<Vec<Order>, ImportError> {
        super::parse_csv(file, text, checks())
    }

    fn parse_json(file: &str, text: &str) -> Result<Vec<Order>, ImportError> {
        super::parse_json(file, text, checks())
    }

    fn parse_file(path: &std::path::Path) -> Result<Vec<Order>, ImportError> {
        super::parse_file(path, checks())
    }

    const HEADER: &str = "order_no,phone,customer_name,sku,item_name,category,quantity,unit_price,currency,\
                          paid_at,shipped_at,delivered_at,carrier,tracking_no,freight_insurance";

    /// A valid row of order TB-100001, as (column, value) in header order.
    const VALID: [(&str, &str); 15] = [
        ("order_no", "TB-100001"),
        ("phone", "138 0013 8000"),
        ("customer_name", "王芳"),
        ("sku", "JKT-01"),
        ("item_name", "女士防风夹克"),
        ("category", "clothing"),
        ("quantity", "1"),
        ("unit_price", "399.00"),
        ("currency", "CNY"),
        ("paid_at", "2025-03-01T18:00:00+08:00"),
        ("shipped_at", "2025-03-02T09:30:00+08:00"),
        ("delivered_at", "2025-03-04T15:00:00Z"),
        ("carrier", "顺丰速运"),
        ("tracking_no", "SF1402345678901"),
        ("freight_insurance", "yes"),
    ];

    /// The valid row with some cells replaced, quoted for CSV.
    fn row(changes: &[(&str, &str)]) -> String {
        let cells = VALID.iter().map(|(column, value)| {
            let value = changes.iter().find(|(c, _)| c == column).map_or(*value, |(_, v)| *v);
            format!("\"{}\"", value.replace('"', "\"\""))
        });
        cells.collect::<Vec<_>>().join(",")
    }

    fn csv(rows: &[String]) -> String {
        let mut text = HEADER.to_owned();
        for row in rows {
            text.push('\n');
            text.push_str(row);
        }
        text.push('\n');
        text
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("test time").with_timezone(&Utc)
    }

    /// The (line, column) of a CSV row error, with its reason.
    fn row_error(text: &str) -> (usize, String, String) {
        match parse_csv("orders.csv", text) {
            Err(ImportError::Row { file, line, column, reason }) => {
                assert_eq!(file, "orders.csv");
                (line, column, reason)
            }
            other => panic!("expected a row error, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_row_becomes_an_order_with_utc_times_and_minor_units() {
        let parsed = parse_csv("orders.csv", &csv(&[row(&[])])).expect("valid");
        let line = crate::order::OrderLine {
            sku: "JKT-01".into(),
            item_name: "女士防风夹克".into(),
            category: "clothing".into(),
            quantity: 1,
            unit_price: Money::new(39900, Currency::CNY),
        };
        assert_eq!(parsed.len(), 1);
        let order = &parsed[0];
        assert_eq!(order.no, OrderNo::from_trusted("TB-100001"));
        assert_eq!(order.phone.as_str(), "13800138000");
        assert_eq!(order.customer_name, "王芳");
        assert_eq!(order.lines, [line]);
        assert_eq!(order.paid_at, Some(at("2025-03-01T10:00:00Z")));
        assert_eq!(order.shipped_at, Some(at("2025-03-02T01:30:00Z")));
        assert_eq!(order.delivered_at, Some(at("2025-03-04T15:00:00Z")));
        assert_eq!(order.carrier.as_deref(), Some("顺丰速运"));
        assert_eq!(order.tracking_no.as_deref(), Some("SF1402345678901"));
        assert!(order.freight_insurance);
    }

    #[test]
    fn empty_times_carrier_and_insurance_mean_not_yet_none_and_false() {
        let unpaid = row(&[
            ("paid_at", ""),
            ("shipped_at", ""),
            ("delivered_at", ""),
            ("carrier", ""),
            ("tracking_no", ""),
            ("freight_insurance", ""),
        ]);
        let parsed = parse_csv("orders.csv", &csv(&[unpaid])).expect("valid");
        let order = &parsed[0];
        assert_eq!((order.paid_at, order.shipped_at, order.delivered_at), (None, None, None));
        assert_eq!((order.carrier.as_deref(), order.tracking_no.as_deref()), (None, None));
        assert!(!order.freight_insurance);
    }

    #[test]
    fn every_invalid_cell_is_reported_with_its_line_and_column() {
        // (case, cells changed in a valid row, column blamed, part of the reason)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);
        let table: &[Case] = &[
            ("an order number shorter than 6", &[("order_no", "TB-12")], "order_no", "6 to 32"),
            ("an order number with a space", &[("order_no", "TB 100002")], "order_no", "letters, digits or dashes"),
            (
                "an order number longer than 32",
                &[("order_no", "999999999999999999999999999999999")],
                "order_no",
                "6 to 32",
            ),
            ("an empty order number", &[("order_no", "")], "order_no", "empty"),
            ("a phone with 5 digits", &[("phone", "12345")], "phone", "7 to 20 digits"),
            ("an empty phone", &[("phone", "")], "phone", "7 to 20 digits"),
            ("a phone with letters", &[("phone", "138-0013-800x")], "phone", "only digits"),
            ("a phone a spreadsheet made a number", &[("phone", "1.38001E+10")], "phone", "format the column as text"),
            ("an empty sku", &[("sku", "")], "sku", "must not be empty"),
            ("an empty item name", &[("item_name", " ")], "item_name", "must not be empty"),
            ("an empty category", &[("category", "")], "category", "must not be empty"),
            ("a quantity of zero", &[("quantity", "0")], "quantity", "at least 1"),
            ("a negative quantity", &[("quantity", "-1")], "quantity", "whole number"),
            ("a fractional quantity", &[("quantity", "1.5")], "quantity", "whole number"),
            ("an empty quantity", &[("quantity", "")], "quantity", "whole number"),
            ("a price with 3 decimals", &[("unit_price", "19.999")], "unit_price", "at most 2 decimals"),
            ("a price with a symbol", &[("unit_price", "¥19.99")], "unit_price", "at most 2 decimals"),
            ("a negative price", &[("unit_price", "-5")], "unit_price", "at most 2 decimals"),
            ("an empty price", &[("unit_price", "")], "unit_price", "empty"),
            ("a currency of 4 letters", &[("currency", "CNYY")], "currency", "ISO 4217"),
            ("a currency with a digit", &[("currency", "C1Y")], "currency", "ISO 4217"),
            ("a paid time without offset", &[("paid_at", "2025-03-01 10:00:00")], "paid_at", "RFC 3339"),
            ("a shipped time in words", &[("shipped_at", "tomorrow")], "shipped_at", "RFC 3339"),
            ("a delivered date without time", &[("delivered_at", "2025-03-04")], "delivered_at", "RFC 3339"),
            (
                "shipped but not paid",
                &[("paid_at", ""), ("delivered_at", "")],
                "shipped_at",
                "shipped_at is set but paid_at is empty",
            ),
            (
                "delivered but not shipped",
                &[("shipped_at", "")],
                "delivered_at",
                "delivered_at is set but shipped_at is empty",
            ),
            ("insurance maybe", &[("freight_insurance", "maybe")], "freight_insurance", "true or false"),
        ];
        let first = row(&[("order_no", "TB-000001")]);
        for (case, changes, column, reason) in table {
            let (line, got_column, got_reason) = row_error(&csv(&[first.clone(), row(changes)]));
            assert_eq!((line, got_column.as_str()), (3, *column), "{case}");
            assert!(got_reason.contains(reason), "{case}: {got_reason:?} should contain {reason:?}");
        }
    }

    #[test]
    fn an_error_reads_file_line_column_and_reason() {
        let error = parse_csv("orders.csv", &csv(&[row(&[("quantity", "0")])])).expect_err("invalid");
        assert_eq!(
            error.to_string(),
            "orders.csv:2: column quantity: quantity \"0\" must be a whole number of at least 1"
        );
    }

    #[test]
    fn rows_of_one_order_merge_into_its_lines_in_file_order() {
        let text = csv(&[
            row(&[]),
            row(&[("order_no", "TB-200002"), ("phone", "13900139000")]),
            // The order number is case-insensitive; times agree in any offset.
            row(&[
                ("order_no", "tb-100001"),
                ("sku", "TEE-02"),
                ("item_name", "纯棉短袖T恤"),
                ("quantity", "2"),
                ("unit_price", "79"),
                ("paid_at", "2025-03-01T10:00:00Z"),
            ]),
        ]);
        let parsed = parse_csv("orders.csv", &text).expect("valid");
        let lines =
            |order: &Order| order.lines.iter().map(|l| format!("{} x{}", l.sku, l.quantity)).collect::<Vec<_>>();
        assert_eq!(parsed.iter().map(|o| o.no.as_str()).collect::<Vec<_>>(), ["TB-100001", "TB-200002"]);
        assert_eq!(lines(&parsed[0]), ["JKT-01 x1", "TEE-02 x2"]);
        assert_eq!(lines(&parsed[1]), ["JKT-01 x1"]);
        assert_eq!(parsed[0].total(), Money::new(39900 + 2 * 7900, Currency::CNY));
    }

    #[test]
    fn an_order_level_cell_that_differs_between_rows_of_an_order_is_an_error_on_the_later_row() {
        let table = [
            ("phone", "13900139000"),
            ("customer_name", "王小芳"),
            ("paid_at", "2025-03-01T18:00:01+08:00"),
            ("delivered_at", ""),
            ("carrier", "中通快递"),
            ("tracking_no", ""),
            ("freight_insurance", "no"),
        ];
        for (column, value) in table {
            let second = row(&[("sku", "TEE-02"), (column, value)]);
            let (line, got_column, reason) = row_error(&csv(&[row(&[]), second]));
            assert_eq!((line, got_column.as_str()), (3, column));
            assert!(reason.contains("on line 2 of order TB-100001"), "{column}: {reason}");
        }
    }

    #[test]
    fn currencies_must_be_iso_4217_and_the_shops_and_default_to_it() {
        let table = [("XYZ", "not an ISO 4217"), ("RMB", "not an ISO 4217"), ("USD", "not the shop's currency CNY")];
        for (code, reason) in table {
            let (line, column, got) = row_error(&csv(&[row(&[("currency", code)])]));
            assert_eq!((line, column.as_str()), (2, "currency"), "{code}");
            assert!(got.contains(reason), "{code}: {got}");
        }
        let parsed = parse_csv("orders.csv", &csv(&[row(&[("currency", "")])])).expect("empty is the shop's");
        assert_eq!(parsed[0].currency, Currency::CNY);
        let usd_shop = Checks { currency: Currency::parse("USD").expect("code"), ..checks() };
        let parsed = super::parse_csv("orders.csv", &csv(&[row(&[("currency", "usd")])]), usd_shop).expect("valid");
        assert_eq!(parsed[0].lines[0].unit_price.to_string(), "$399.00");
    }

    #[test]
    fn order_times_run_paid_shipped_delivered_and_none_is_in_the_future() {
        let table = [
            (vec![("shipped_at", "2025-03-01T09:00:00+08:00")], "shipped_at", "before paid_at"),
            (vec![("delivered_at", "2025-03-02T08:00:00+08:00")], "delivered_at", "before shipped_at"),
            (vec![("paid_at", "2025-03-05T00:00:00Z")], "shipped_at", "before paid_at"),
            (vec![("delivered_at", "2025-03-20T09:00:01Z")], "delivered_at", "in the future"),
            (vec![("paid_at", "2026-01-01T00:00:00Z"), ("shipped_at", ""), ("delivered_at", "")], "paid_at", "future"),
        ];
        for (changes, column, reason) in table {
            let (line, got_column, got) = row_error(&csv(&[row(&changes)]));
            assert_eq!((line, got_column.as_str()), (2, column), "{changes:?}");
            assert!(got.contains(reason), "{changes:?}: {got}");
        }
        // Within the hour: clocks differ a little.
        let soon = row(&[("delivered_at", "2025-03-20T08:59:00Z")]);
        assert!(parse_csv("orders.csv", &csv(&[soon])).is_ok());
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        let rows = [
            row(&[("currency", "XYZ")]),
            row(&[("order_no", "TB-200002")]),
            row(&[("order_no", "TB-300003"), ("paid_at", "2025-03-05T00:00:00Z")]),
            row(&[("order_no", "TB-400004"), ("delivered_at", "2099-01-01T00:00:00Z")]),
        ];
        let error = parse_csv("orders.csv", &csv(&rows)).expect_err("three bad rows");
        let ImportError::Problems { problems, more } = &error else { panic!("expected all problems, got {error:?}") };
        let where_: Vec<(usize, &str)> = problems
            .iter()
            .map(|problem| match problem {
                ImportError::Row { line, column, .. } => (*line, column.as_str()),
                other => panic!("expected row errors, got {other:?}"),
            })
            .collect();
        assert_eq!((where_, *more), (vec![(2, "currency"), (4, "shipped_at"), (5, "delivered_at")], 0));
        let text = error.to_string();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.lines().all(|line| line.starts_with("orders.csv:")), "{text}");
    }

    #[test]
    fn past_fifty_bad_rows_the_rest_are_counted() {
        let rows: Vec<String> =
            (0..MAX_PROBLEMS + 3).map(|n| row(&[("order_no", &format!("TB-{n:06}")), ("currency", "XYZ")])).collect();
        let error = parse_csv("orders.csv", &csv(&rows)).expect_err("all bad");
        assert!(matches!(&error, ImportError::Problems { problems, more: 3 } if problems.len() == MAX_PROBLEMS));
        assert!(error.to_string().ends_with("… and 3 more problems"), "{error}");
    }

    #[test]
    fn every_bad_json_order_is_reported_with_its_index() {
        let mut bad_currency = json_order();
        bad_currency["currency"] = json!("XYZ");
        let mut unordered = json_order();
        unordered["order_no"] = json!("TB-200002");
        unordered["paid_at"] = json!("2025-03-05T00:00:00Z");
        let text = json!([bad_currency, json_order(), unordered]).to_string();
        let error = parse_json("orders.json", &text).expect_err("two bad orders");
        assert_eq!(error.to_string().lines().count(), 2, "{error}");
        assert!(error.to_string().contains("orders.json: order [0], field currency: currency \"XYZ\""), "{error}");
        assert!(error.to_string().contains("orders.json: order [2], field shipped_at: "), "{error}");
    }

    #[test]
    fn the_same_sku_twice_in_one_order_is_an_error() {
        let (line, column, reason) = row_error(&csv(&[row(&[]), row(&[("quantity", "2")])]));
        assert_eq!((line, column.as_str()), (3, "sku"));
        assert!(reason.contains("already on line 2"), "{reason}");
    }

    #[test]
    fn lines_count_physical_lines_even_when_a_quoted_cell_spans_two() {
        let text = csv(&[row(&[("item_name", "夹克\n(藏青色)")]), row(&[("order_no", "TB-300003"), ("phone", "x")])]);
        let (line, column, _) = row_error(&text);
        assert_eq!((line, column.as_str()), (4, "phone"));
    }

    #[test]
    fn the_header_may_list_columns_in_any_order_and_case_and_leave_out_the_optional_ones() {
        let text = "Quantity,ORDER_NO,phone,customer_name,sku,item_name,category,unit_price,currency,paid_at,\
                    shipped_at,delivered_at\n\
                    3,TB-100001,13800138000,,S-1,袜子,socks,9.9,cny,,,\n";
        let parsed = parse_csv("orders.csv", text).expect("valid");
        assert_eq!(parsed[0].lines[0].quantity, 3);
        assert_eq!(parsed[0].lines[0].unit_price, Money::new(990, Currency::CNY));
        assert_eq!(parsed[0].customer_name, "");
        assert!(!parsed[0].freight_insurance);
    }

    #[test]
    fn an_unknown_duplicate_or_missing_column_is_an_error_on_the_header_line() {
        let table = [
            (format!("{HEADER},colour"), "colour", "unknown column"),
            (format!("{HEADER},sku"), "sku", "appears twice"),
            (format!("{HEADER},"), "#16 (no name)", "unknown column"),
            (HEADER.replace(",unit_price", ""), "unit_price", "required column is missing"),
            (HEADER.replace(",paid_at", ""), "paid_at", "required column is missing"),
        ];
        for (header, column, reason) in table {
            let (line, got_column, got_reason) = row_error(&format!("{header}\n"));
            assert_eq!((line, got_column.as_str()), (1, column), "{header}");
            assert!(got_reason.contains(reason), "{got_reason}");
        }
    }

    #[test]
    fn a_row_with_too_few_cells_is_an_error_on_its_line() {
        let text = csv(&[row(&[]), "TB-100002,13800138000".to_owned()]);
        match parse_csv("orders.csv", &text) {
            Err(ImportError::Line { line, reason, .. }) => {
                assert_eq!(line, 3);
                assert!(reason.contains("2 fields but the header has 15"), "{reason}");
            }
            other => panic!("expected a line error, got {other:?}"),
        }
    }

    #[test]
    fn a_file_without_orders_is_an_error() {
        for text in ["", "\n", &format!("{HEADER}\n")] {
            assert!(matches!(parse_csv("orders.csv", text), Err(ImportError::File { .. })), "{text:?}");
        }
        assert!(matches!(parse_json("orders.json", "[]"), Err(ImportError::File { .. })));
    }

    #[test]
    fn a_byte_order_mark_before_the_header_is_ignored() {
        let text = format!("\u{feff}{}", csv(&[row(&[])]));
        assert_eq!(parse_csv("orders.csv", &text).expect("valid").len(), 1);
    }

    fn json_order() -> Value {
        json!({
            "order_no": "TB-100001",
            "phone": "138 0013 8000",
            "customer_name": "王芳",
            "currency": "CNY",
            "paid_at": "2025-03-01T18:00:00+08:00",
            "shipped_at": "2025-03-02T09:30:00+08:00",
            "delivered_at": "2025-03-04T15:00:00Z",
            "carrier": "顺丰速运",
            "tracking_no": "SF1402345678901",
            "freight_insurance": true,
            "lines": [
                {"sku": "JKT-01", "item_name": "女士防风夹克", "category": "clothing", "quantity": 1, "unit_price": "399.00"},
                {"sku": "TEE-02", "item_name": "纯棉短袖T恤", "category": "clothing", "quantity": 2, "unit_price": 79},
            ],
        })
    }

    #[test]
    fn a_json_order_reads_the_same_as_its_csv_rows() {
        let from_json = parse_json("orders.json", &json!([json_order()]).to_string()).expect("valid");
        let rows = [
            row(&[]),
            row(&[("sku", "TEE-02"), ("item_name", "纯棉短袖T恤"), ("quantity", "2"), ("unit_price", "79")]),
        ];
        assert_eq!(from_json, parse_csv("orders.csv", &csv(&rows)).expect("valid"));
    }

    #[test]
    fn json_times_carrier_and_insurance_may_be_null_or_left_out() {
        let mut order = json_order();
        let Value::Object(fields) = &mut order else { unreachable!() };
        for name in ["paid_at", "shipped_at", "delivered_at", "carrier"] {
            fields.insert(name.into(), Value::Null);
        }
        fields.remove("tracking_no");
        fields.remove("freight_insurance");
        let parsed = parse_json("orders.json", &json!([order]).to_string()).expect("valid");
        assert_eq!(parsed[0].stage(), crate::order::OrderStage::Unpaid);
        assert_eq!((parsed[0].carrier.as_deref(), parsed[0].tracking_no.as_deref()), (None, None));
        assert!(!parsed[0].freight_insurance);
    }

    #[test]
    fn every_invalid_json_field_is_reported_with_its_order_index_and_path() {
        let set = |pointer: &str, value: Value| {
            let pointer = pointer.to_owned();
            move |order: &mut Value| {
                *order.pointer_mut(&pointer).expect("test pointer") = value.clone();
            }
        };
        let remove = |name: &'static str| {
            move |order: &mut Value| {
                order.as_object_mut().expect("object").remove(name);
            }
        };
        type Change = Box<dyn Fn(&mut Value)>;
        let table: Vec<(&str, Change, &str, &str)> = vec![
            ("an order that is not an object", Box::new(|o: &mut Value| *o = json!(7)), "", "expected an object"),
            ("an unknown order field", Box::new(|o: &mut Value| o["colour"] = json!(1)), "colour", "unknown field"),
            ("a short order number", Box::new(set("/order_no", json!("TB-1"))), "order_no", "6 to 32"),
            ("a missing order number", Box::new(remove("order_no")), "order_no", "missing"),
            ("a phone with 5 digits", Box::new(set("/phone", json!("12345"))), "phone", "7 to 20 digits"),
            ("a phone as true", Box::new(set("/phone", json!(true))), "phone", "expected a string"),
            ("a missing customer name", Box::new(remove("customer_name")), "customer_name", "missing"),
            ("a lower-case long currency", Box::new(set("/currency", json!("yuan"))), "currency", "ISO 4217"),
            ("a paid time without offset", Box::new(set("/paid_at", json!("2025-03-01"))), "paid_at", "RFC 3339"),
            ("shipped but not paid", Box::new(set("/paid_at", Value::Null)), "shipped_at", "paid_at is empty"),
            (
                "insurance as a word",
                Box::new(set("/freight_insurance", json!("maybe"))),
                "freight_insurance",
                "true or false",
            ),
            ("no lines", Box::new(set("/lines", json!([]))), "lines", "at least one line"),
            ("lines as an object", Box::new(set("/lines", json!({}))), "lines", "expected an array"),
            ("a line that is not an object", Box::new(set("/lines/1", json!("x"))), "lines[1]", "expected an object"),
            (
                "an unknown line field",
                Box::new(|o: &mut Value| o["lines"][1]["colour"] = json!("red")),
                "lines[1].colour",
                "unknown field",
            ),
            ("an empty sku", Box::new(set("/lines/1/sku", json!(""))), "lines[1].sku", "missing or empty"),
            ("a repeated sku", Box::new(set("/lines/1/sku", json!("JKT-01"))), "lines[1].sku", "already in lines[0]"),
            ("a missing item name", Box::new(set("/lines/0/item_name", Value::Null)), "lines[0].item_name", "missing"),
            ("a quantity of zero", Box::new(set("/lines/1/quantity", json!(0))), "lines[1].quantity", "at least 1"),
            ("a fractional quantity", Box::new(set("/lines/1/quantity", json!(1.5))), "lines[1].quantity", "whole"),
            (
                "a price with 3 decimals",
                Box::new(set("/lines/1/unit_price", json!(19.999))),
                "lines[1].unit_price",
                "2 decimals",
            ),
            ("a negative price", Box::new(set("/lines/1/unit_price", json!(-1))), "lines[1].unit_price", "2 decimals"),
            (
                "a price as a list",
                Box::new(set("/lines/1/unit_price", json!([1]))),
                "lines[1].unit_price",
                "expected a number",
            ),
        ];
        let mut first = json_order();
        first["order_no"] = json!("TB-000001");
        for (case, change, path, reason) in table {
            let mut second = json_order();
            change(&mut second);
            let text = json!([first, second]).to_string();
            match parse_json("orders.json", &text) {
                Err(ImportError::Field { file, index, path: got_path, reason: got_reason }) => {
                    assert_eq!((file.as_str(), index, got_path.as_str()), ("orders.json", 1, path), "{case}");
                    assert!(got_reason.contains(reason), "{case}: {got_reason:?} should contain {reason:?}");
                }
                other => panic!("{case}: expected a field error, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_same_order_twice_in_json_is_an_error_on_the_second() {
        let text = json!([json_order(), json_order()]).to_string();
        match parse_json("orders.json", &text) {
            Err(ImportError::Field { index, path, reason, .. }) => {
                assert_eq!((index, path.as_str()), (1, "order_no"));
                assert!(reason.contains("already appears at [0]"), "{reason}");
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn json_that_is_not_an_array_of_orders_is_an_error_about_the_file() {
        for text in ["{\"orders\": []}", "[{\"order_no\": ", "\"TB-100001\""] {
            let error = parse_json("orders.json", text).expect_err("invalid");
            assert!(matches!(error, ImportError::File { .. }), "{text}: {error:?}");
            assert!(error.to_string().starts_with("orders.json: "), "{error}");
        }
    }

    #[test]
    fn a_json_error_reads_file_order_field_and_reason() {
        let mut order = json_order();
        order["lines"][1]["quantity"] = json!(0);
        let error = parse_json("orders.json", &json!([order]).to_string()).expect_err("invalid");
        assert_eq!(
            error.to_string(),
            "orders.json: order [0], field lines[1].quantity: quantity \"0\" must be a whole number of at least 1"
        );
    }

    #[test]
    fn the_format_follows_the_extension_else_the_first_character() {
        let dir = tempfile::tempdir().expect("tempdir");
        let json_text = json!([json_order()]).to_string();
        let csv_text = csv(&[row(&[])]);
        let table = [
            ("orders.csv", csv_text.clone()),
            ("orders.JSON", json_text.clone()),
            ("export.txt", format!("\n  {json_text}")),
            ("export", csv_text),
        ];
        for (name, text) in table {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            let parsed = parse_file(&path).unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(parsed[0].no.as_str(), "TB-100001", "{name}");
        }
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_with_a_hint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("gbk.csv");
        // "王芳" in GBK.
        std::fs::write(&path, [HEADER.as_bytes(), b"\n", &[0xcd, 0xf5, 0xb7, 0xbc]].concat()).expect("write");
        let error = parse_file(&path).expect_err("not UTF-8");
        assert!(error.to_string().contains("not UTF-8"), "{error}");
        assert!(error.to_string().starts_with(&path.display().to_string()), "{error}");
    }

    struct Db {
        store: Store,
        dir: tempfile::TempDir,
    }

    async fn fresh_db() -> Db {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display())).await.expect("open");
        Db { store, dir }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 20, 8, 0, 0).single().expect("valid time")
    }

    async fn stored(store: &Store, no: &str) -> Option<Order> {
        let mut conn = store.reader().acquire().await.expect("connection");
        orders::find(&mut conn, &OrderNo::from_trusted(no)).await.expect("find")
    }

    #[tokio::test]
    async fn an_import_stores_every_order_and_a_reimport_replaces_them_with_their_lines() {
        let db = fresh_db().await;
        let path = db.dir.path().join("orders.csv");
        let two_lines = row(&[("sku", "TEE-02"), ("quantity", "2"), ("unit_price", "79")]);
        std::fs::write(&path, csv(&[row(&[]), two_lines, row(&[("order_no", "TB-200002")])])).expect("write");
        let report = import_file(&db.store, &path, checks()).await.expect("import");
        assert_eq!(report, ImportReport { orders: 2, lines: 3, created: 2, updated: 0 });

        // The second export dropped the T-shirt and added a third order.
        std::fs::write(&path, csv(&[row(&[("quantity", "3")]), row(&[("order_no", "TB-300003")])])).expect("write");
        let report = import_file(&db.store, &path, checks()).await.expect("reimport");
        assert_eq!(report, ImportReport { orders: 2, lines: 2, created: 1, updated: 1 });

        let order = stored(&db.store, "TB-100001").await.expect("stored");
        assert_eq!(order.lines.iter().map(|l| (l.sku.as_str(), l.quantity)).collect::<Vec<_>>(), [("JKT-01", 3)]);
        assert!(stored(&db.store, "TB-200002").await.is_some(), "an order missing from a reimport stays");
        let mut conn = db.store.reader().acquire().await.expect("connection");
        assert_eq!(orders::count(&mut conn).await.expect("count"), 3);
    }

    #[tokio::test]
    async fn a_file_with_one_bad_row_imports_nothing() {
        let db = fresh_db().await;
        let path = db.dir.path().join("orders.csv");
        std::fs::write(&path, csv(&[row(&[]), row(&[("order_no", "TB-200002"), ("currency", "RMB¥")])]))
            .expect("write");
        let error = import_file(&db.store, &path, checks()).await.expect_err("invalid");
        assert!(matches!(&error, ImportError::Row { line: 3, column, .. } if column == "currency"), "{error:?}");
        assert!(error.to_string().starts_with(&format!("{}:3: column currency: ", path.display())), "{error}");
        assert_eq!(stored(&db.store, "TB-100001").await, None);
    }
}
