//! JSON exports: an array of orders with their lines nested. Each order is
//! deserialized on its own, so every bad order is reported, into structs
//! that refuse unknown fields; `serde_path_to_error` names the field that
//! does not fit (`lines[1].quantity`).

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::Value;

use super::{Checks, HeadText, ImportError, Invalid, LineText, Problems, file_error, flag, invalid, without_bom};
use crate::money::Currency;
use crate::order::{Order, OrderLine, OrderNo};

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
        let order = match deserialize(entry).and_then(|order| order.read(checks)) {
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

/// One order as written, or the path of the field that does not fit ("" for
/// the order itself) and why.
fn deserialize(entry: &Value) -> Result<JsonOrder, Invalid> {
    serde_path_to_error::deserialize(entry).map_err(|error| {
        let path = match error.path().iter().next() {
            None => String::new(),
            Some(_) => error.path().to_string(),
        };
        invalid(path, error.into_inner().to_string())
    })
}

/// An order as written. Missing fields read as null, except where the
/// difference matters (`customer_name`, `lines`).
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "an object {…}")]
struct JsonOrder {
    order_no: Text,
    phone: Text,
    #[serde(deserialize_with = "present")]
    customer_name: Option<Text>,
    currency: Text,
    paid_at: Text,
    shipped_at: Text,
    delivered_at: Text,
    carrier: Text,
    tracking_no: Text,
    freight_insurance: Flag,
    #[serde(deserialize_with = "present")]
    lines: Option<Lines>,
}

#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "an object {…}")]
struct JsonLine {
    sku: Text,
    item_name: Text,
    category: Text,
    #[serde(deserialize_with = "present")]
    quantity: Option<Amount>,
    #[serde(deserialize_with = "present")]
    unit_price: Option<Amount>,
}

impl JsonOrder {
    fn read(&self, checks: Checks) -> Result<Order, Invalid> {
        let customer_name = self
            .customer_name
            .as_ref()
            .ok_or_else(|| invalid("customer_name", "missing; give the customer's name, or \"\" if unknown"))?;
        let head = HeadText {
            order_no: required("order_no", &self.order_no)?,
            phone: required("phone", &self.phone)?,
            customer_name: &customer_name.0,
            currency: &self.currency.0,
            paid_at: &self.paid_at.0,
            shipped_at: &self.shipped_at.0,
            delivered_at: &self.delivered_at.0,
            carrier: &self.carrier.0,
            tracking_no: &self.tracking_no.0,
            freight_insurance: self.freight_insurance.0,
        };
        let head = head.read(checks)?;
        let lines = match &self.lines {
            Some(Lines(lines)) if !lines.is_empty() => lines,
            Some(_) => return Err(invalid("lines", "an order needs at least one line")),
            None => return Err(invalid("lines", "missing; an order needs at least one line")),
        };
        let mut order_lines: Vec<OrderLine> = Vec::with_capacity(lines.len());
        for (index, line) in lines.iter().enumerate() {
            let in_line = |Invalid { column, reason }: Invalid| invalid(format!("lines[{index}].{column}"), reason);
            let order_line = line.read(head.currency).map_err(in_line)?;
            if let Some(earlier) = order_lines.iter().position(|l| l.sku == order_line.sku) {
                let reason = format!(
                    "sku {:?} is already in lines[{earlier}]; give each item once with its total quantity",
                    order_line.sku
                );
                return Err(in_line(invalid("sku", reason)));
            }
            order_lines.push(order_line);
        }
        Ok(Order { lines: order_lines, ..head })
    }
}

impl JsonLine {
    fn read(&self, currency: Currency) -> Result<OrderLine, Invalid> {
        let line = LineText {
            sku: required("sku", &self.sku)?,
            item_name: required("item_name", &self.item_name)?,
            category: required("category", &self.category)?,
            quantity: number("quantity", &self.quantity)?,
            unit_price: number("unit_price", &self.unit_price)?,
        };
        line.read(currency)
    }
}

fn number<'a>(name: &'static str, amount: &'a Option<Amount>) -> Result<&'a str, Invalid> {
    match amount {
        Some(Amount(text)) => Ok(text),
        None => Err(invalid(name, "missing")),
    }
}

fn required<'a>(name: &'static str, text: &'a Text) -> Result<&'a str, Invalid> {
    if text.0.is_empty() { Err(invalid(name, "missing or empty")) } else { Ok(&text.0) }
}

/// A field that is there, null included: left out, it stays `None`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Text: a string, trimmed; a whole number as its digits (phones, SKUs);
/// null as empty.
#[derive(Default)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect;
        impl Visitor<'_> for Expect {
            type Value = Text;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a string")
            }
            fn visit_str<E>(self, text: &str) -> Result<Text, E> {
                Ok(Text(text.trim().to_owned()))
            }
            fn visit_u64<E>(self, number: u64) -> Result<Text, E> {
                Ok(Text(number.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
        }
        deserializer.deserialize_any(Expect)
    }
}

/// An amount or count: a number or a string holding one, as its text, so
/// CSV and JSON are checked alike.
struct Amount(String);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect;
        impl Visitor<'_> for Expect {
            type Value = Amount;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a number")
            }
            fn visit_str<E>(self, text: &str) -> Result<Amount, E> {
                Ok(Amount(text.trim().to_owned()))
            }
            fn visit_u64<E>(self, number: u64) -> Result<Amount, E> {
                Ok(Amount(number.to_string()))
            }
            fn visit_i64<E>(self, number: i64) -> Result<Amount, E> {
                Ok(Amount(number.to_string()))
            }
            fn visit_f64<E>(self, number: f64) -> Result<Amount, E> {
                // As JSON writes it ("399.0"), not as Rust does ("399").
                Ok(Amount(serde_json::Number::from_f64(number).map_or_else(|| number.to_string(), |n| n.to_string())))
            }
        }
        deserializer.deserialize_any(Expect)
    }
}

/// true/false, or the texts a CSV cell may hold; null is false.
#[derive(Default)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect;
        impl Visitor<'_> for Expect {
            type Value = Flag;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("true or false")
            }
            fn visit_bool<E>(self, value: bool) -> Result<Flag, E> {
                Ok(Flag(value))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Flag, E> {
                flag(text).map(Flag).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<Flag, E> {
                self.visit_str(&number.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<Flag, E> {
                self.visit_str(&number.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<Flag, E> {
                self.visit_str(&number.to_string())
            }
            fn visit_unit<E>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
        }
        deserializer.deserialize_any(Expect)
    }
}

/// An order's lines; "an array" in the error when they are not one.
struct Lines(Vec<JsonLine>);

impl<'de> Deserialize<'de> for Lines {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect;
        impl<'de> Visitor<'de> for Expect {
            type Value = Lines;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an array of lines [{…}, …]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lines, A::Error> {
                let mut lines = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(line) = seq.next_element()? {
                    lines.push(line);
                }
                Ok(Lines(lines))
            }
        }
        deserializer.deserialize_seq(Expect)
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
