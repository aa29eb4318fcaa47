//! CSV exports: one row per order line, read with `csv` and serde into
//! [`Row`], whose cells are all text so each is checked with a friendly
//! reason; rows of one order are merged.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use csv::StringRecord;
use serde::Deserialize;

use super::{
    Checks, HeadText, ImportError, Invalid, LineText, Problems, file_error, flag, invalid, within, without_bom,
};
use crate::order::{Order, OrderLine, OrderNo};

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

/// One row's cells by column, trimmed; the header is checked first, so
/// only the optional columns can be missing.
#[derive(Deserialize)]
struct Row<'a> {
    order_no: &'a str,
    phone: &'a str,
    customer_name: &'a str,
    sku: &'a str,
    item_name: &'a str,
    category: &'a str,
    quantity: &'a str,
    unit_price: &'a str,
    #[serde(default)]
    currency: &'a str,
    paid_at: &'a str,
    shipped_at: &'a str,
    delivered_at: &'a str,
    #[serde(default)]
    carrier: &'a str,
    #[serde(default)]
    tracking_no: &'a str,
    #[serde(default)]
    freight_insurance: &'a str,
}

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
    let header = reader.headers().map_err(line_error)?;
    let header_line = header.position().map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
    // The header as Row's field names, so serde finds columns in any case.
    let mut names: Vec<&'static str> = Vec::with_capacity(header.len());
    for (position, name) in header.iter().enumerate() {
        let Some(&column) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
            let reason = format!("unknown column; the columns are {}", COLUMNS.join(", "));
            let name = if name.is_empty() { format!("#{} (no name)", position + 1) } else { name.to_owned() };
            return Err(row_error(header_line, invalid(name, reason)));
        };
        if names.contains(&column) {
            return Err(row_error(header_line, invalid(name, "this column appears twice in the header")));
        }
        names.push(column);
    }
    if let Some(&missing) = COLUMNS.iter().find(|c| !names.contains(c) && !OPTIONAL_COLUMNS.contains(c)) {
        return Err(row_error(header_line, invalid(missing, "required column is missing from the header")));
    }
    let names = StringRecord::from(names);

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
        // Every cell deserializes as text, so only a broken record fails here.
        let added = record.deserialize::<Row>(Some(&names)).map_err(line_error).and_then(|row| {
            read_row(&row, checks)
                .and_then(|(head, order_line)| merged.add(head, order_line, line))
                .map_err(|problem| row_error(line, problem))
        });
        if let Err(problem) = added {
            problems.add(problem);
        }
    }
    if rows == 0 {
        return Err(file_error(file, "the file has a header but no orders"));
    }
    problems.or(merged.into_orders())
}

/// Reads one CSV row: the order it belongs to (without lines), its line.
fn read_row(row: &Row, checks: Checks) -> Result<(Order, OrderLine), Invalid> {
    let head = HeadText {
        order_no: row.order_no,
        phone: row.phone,
        customer_name: row.customer_name,
        currency: row.currency,
        paid_at: row.paid_at,
        shipped_at: row.shipped_at,
        delivered_at: row.delivered_at,
        carrier: row.carrier,
        tracking_no: row.tracking_no,
        freight_insurance: flag(row.freight_insurance).map_err(within("freight_insurance"))?,
    };
    let head = head.read(checks)?;
    let line = LineText {
        sku: row.sku,
        item_name: row.item_name,
        category: row.category,
        quantity: row.quantity,
        unit_price: row.unit_price,
    };
    let line = line.read(head.currency)?;
    Ok((head, line))
}

/// CSV rows merged by order number, in the order orders first appear.
#[derive(Default)]
struct Merged {
    orders: Vec<MergedOrder>,
    by_no: HashMap<OrderNo, usize>,
}

struct MergedOrder {
    order: Order,
    first_line: usize,
    sku_lines: HashMap<String, usize>,
}

impl Merged {
    fn add(&mut self, head: Order, order_line: OrderLine, line: usize) -> Result<(), Invalid> {
        let Some(&position) = self.by_no.get(&head.no) else {
            self.by_no.insert(head.no.clone(), self.orders.len());
            let sku_lines = HashMap::from([(order_line.sku.clone(), line)]);
            let order = Order { lines: vec![order_line], ..head };
            self.orders.push(MergedOrder { order, first_line: line, sku_lines });
            return Ok(());
        };
        let merged = &mut self.orders[position];
        let first = head_fields(&merged.order);
        for ((column, theirs), (_, ours)) in first.iter().zip(head_fields(&head)) {
            if *theirs != ours {
                let reason = format!(
                    "{ours:?} differs from {theirs:?} on line {} of order {}; \
                     order-level columns must be the same on every line of an order",
                    merged.first_line, merged.order.no
                );
                return Err(invalid(*column, reason));
            }
        }
        if let Some(earlier) = merged.sku_lines.insert(order_line.sku.clone(), line) {
            let reason = format!(
                "sku {:?} is already on line {earlier} of order {}; give each item once with its total quantity",
                order_line.sku, merged.order.no
            );
            return Err(invalid("sku", reason));
        }
        merged.order.lines.push(order_line);
        Ok(())
    }

    fn into_orders(self) -> Vec<Order> {
        self.orders.into_iter().map(|merged| merged.order).collect()
    }
}

/// An order's own fields (all but its lines) by column name, each as one
/// normalised text, so two CSV rows of an order can be compared and a
/// difference shown.
fn head_fields(order: &Order) -> [(&'static str, String); 9] {
    let time = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339()).unwrap_or_default();
    [
        ("phone", order.phone.as_str().to_owned()),
        ("customer_name", order.customer_name.clone()),
        ("currency", order.currency.as_str().to_owned()),
        ("paid_at", time(order.paid_at)),
        ("shipped_at", time(order.shipped_at)),
        ("delivered_at", time(order.delivered_at)),
        ("carrier", order.carrier.clone().unwrap_or_default()),
        ("tracking_no", order.tracking_no.clone().unwrap_or_default()),
        ("freight_insurance", order.freight_insurance.to_string()),
    ]
}
