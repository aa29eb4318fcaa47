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
        ("an order number longer than 32", &[("order_no", "999999999999999999999999999999999")], "order_no", "6 to 32"),
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
    assert_eq!(error.to_string(), "orders.csv:2: column quantity: quantity \"0\" must be a whole number of at least 1");
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
    let lines = |order: &Order| order.lines.iter().map(|l| format!("{} x{}", l.sku, l.quantity)).collect::<Vec<_>>();
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
    let rows =
        [row(&[]), row(&[("sku", "TEE-02"), ("item_name", "纯棉短袖T恤"), ("quantity", "2"), ("unit_price", "79")])];
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
fn a_json_value_of_the_wrong_kind_is_named_by_its_path_with_what_was_expected() {
    let mut order = json_order();
    order["lines"][0]["quantity"] = json!(true);
    let error = parse_json("orders.json", &json!([order]).to_string()).expect_err("invalid");
    assert_eq!(
        error.to_string(),
        "orders.json: order [0], field lines[0].quantity: invalid type: boolean `true`, expected a number"
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
    _guard: crate::store::scratch::Guard,
}

async fn fresh_db() -> Db {
    let (guard, store) = crate::store::scratch::store().await;
    Db { store, dir: tempfile::tempdir().expect("tempdir"), _guard: guard }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 20, 8, 0, 0).single().expect("valid time")
}

async fn stored(store: &Store, no: &str) -> Option<Order> {
    let mut conn = store.read().await.expect("connection");
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
    let mut conn = db.store.read().await.expect("connection");
    assert_eq!(orders::count(&mut conn).await.expect("count"), 3);
}

#[tokio::test]
async fn a_file_with_one_bad_row_imports_nothing() {
    let db = fresh_db().await;
    let path = db.dir.path().join("orders.csv");
    std::fs::write(&path, csv(&[row(&[]), row(&[("order_no", "TB-200002"), ("currency", "RMB¥")])])).expect("write");
    let error = import_file(&db.store, &path, checks()).await.expect_err("invalid");
    assert!(matches!(&error, ImportError::Row { line: 3, column, .. } if column == "currency"), "{error:?}");
    assert!(error.to_string().starts_with(&format!("{}:3: column currency: ", path.display())), "{error}");
    assert_eq!(stored(&db.store, "TB-100001").await, None);
}
