//! The shop owner imports an order export: orders that cannot be real are
//! refused, every bad row is named by file, line and column, and nothing
//! is imported until the whole file is right.

use crate::helpers::Shop;

const HEADER: &str = "order_no,phone,customer_name,sku,item_name,category,quantity,unit_price,currency,\
                      paid_at,shipped_at,delivered_at,carrier,tracking_no,freight_insurance";

/// An order of one jacket; `currency` and the three times as given.
fn row(no: &str, currency: &str, paid: &str, shipped: &str, delivered: &str) -> String {
    format!("{no},13800138000,王芳,JK-1,女士防风夹克,clothing,1,19.90,{currency},{paid},{shipped},{delivered},,,false")
}

/// `aftersales orders import FILE` with `rows` under the header: success, and stdout or stderr.
fn import(shop: &Shop, rows: &[String]) -> (bool, String) {
    std::fs::write(shop.path().join("orders.csv"), format!("{HEADER}\n{}\n", rows.join("\n"))).expect("write csv");
    let output = shop.command(&["orders", "import", "orders.csv"]).output().expect("run import");
    let shown = if output.status.success() { output.stdout } else { output.stderr };
    (output.status.success(), String::from_utf8(shown).expect("utf-8 output"))
}

#[tokio::test]
async fn orders_that_cannot_be_real_are_all_reported_and_nothing_is_imported() {
    let shop = Shop::new();
    let orders_before = shop.count("SELECT COUNT(*) FROM orders").await;
    let paid = "2025-03-01T10:00:00+08:00";
    let shipped = "2025-03-02T10:00:00+08:00";
    let rows = [
        row("IMP-000001", "CNY", paid, shipped, "2025-03-03T10:00:00+08:00"),
        row("IMP-000002", "XYZ", paid, shipped, ""),
        row("IMP-000003", "CNY", "2025-03-05T10:00:00+08:00", shipped, "2025-03-04T10:00:00+08:00"),
        row("IMP-000004", "CNY", paid, shipped, "2099-01-01T00:00:00Z"),
        row("IMP-000005", "USD", paid, "", ""),
    ];
    let (imported, report) = import(&shop, &rows);
    assert!(!imported, "a file with bad rows is refused: {report}");
    for expected in [
        "orders.csv:3: column currency: currency \"XYZ\" is not an ISO 4217",
        "orders.csv:4: column shipped_at: ",
        "orders.csv:5: column delivered_at: delivered_at 2099-01-01T00:00:00+00:00 is in the future",
        "orders.csv:6: column currency: currency USD is not the shop's currency CNY",
    ] {
        assert!(report.contains(expected), "{expected:?} in:\n{report}");
    }
    assert!(!report.contains("orders.csv:2:"), "the good row is not blamed:\n{report}");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders").await, orders_before, "nothing imported");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders WHERE order_no LIKE 'IMP-%'").await, 0);

    // The same export, fixed (the currency left empty is the shop's), imports whole.
    let fixed = [
        row("IMP-000001", "CNY", paid, shipped, "2025-03-03T10:00:00+08:00"),
        row("IMP-000002", "", paid, shipped, ""),
        row("IMP-000003", "CNY", paid, shipped, "2025-03-04T10:00:00+08:00"),
    ];
    let (imported, report) = import(&shop, &fixed);
    assert!(imported, "{report}");
    assert!(report.contains("imported 3 orders (3 new, 0 updated)"), "{report}");
    assert_eq!(shop.count("SELECT COUNT(*) FROM orders WHERE order_no LIKE 'IMP-%' AND currency = 'CNY'").await, 3);
}
