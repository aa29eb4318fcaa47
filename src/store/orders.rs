//! Imported orders and their lines: written by the importer and the demo
//! seed, read when a customer names an order or a shared contact.

use crate::store::{Db, Dialect};
use chrono::{DateTime, Utc};

use crate::money::{Currency, Money};
use crate::order::{Order, OrderLine, OrderNo, Phone};
use crate::store::{StoreError, Tx, from_json};

/// Inserts `order`, or replaces the stored order of the same number together
/// with all its lines: lines missing from the new version are removed.
///
/// The order row is updated in place rather than deleted, so cases that refer
/// to the order keep their reference.
pub async fn upsert(tx: &mut Tx, order: &Order, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "INSERT INTO orders (order_no, phone, phone_tail, customer_name, currency, paid_at, shipped_at,
                             delivered_at, carrier, tracking_no, freight_insurance, imported_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_no) DO UPDATE SET
             phone = excluded.phone,
             phone_tail = excluded.phone_tail,
             customer_name = excluded.customer_name,
             currency = excluded.currency,
             paid_at = excluded.paid_at,
             shipped_at = excluded.shipped_at,
             delivered_at = excluded.delivered_at,
             carrier = excluded.carrier,
             tracking_no = excluded.tracking_no,
             freight_insurance = excluded.freight_insurance,
             imported_at = excluded.imported_at",
    )
    .bind(order.no.as_str())
    .bind(order.phone.as_str())
    .bind(phone_tail(&order.phone))
    .bind(&order.customer_name)
    .bind(order.currency.as_str())
    .bind(order.paid_at)
    .bind(order.shipped_at)
    .bind(order.delivered_at)
    .bind(&order.carrier)
    .bind(&order.tracking_no)
    .bind(order.freight_insurance)
    .bind(now)
    .execute(tx)
    .await?;

    crate::store::query("DELETE FROM order_lines WHERE order_no = ?").bind(order.no.as_str()).execute(tx).await?;
    for (line_no, line) in (1i64..).zip(&order.lines) {
        crate::store::query(
            "INSERT INTO order_lines (order_no, line_no, sku, item_name, category, quantity, unit_price_minor)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(order.no.as_str())
        .bind(line_no)
        .bind(&line.sku)
        .bind(&line.item_name)
        .bind(&line.category)
        .bind(i64::from(line.quantity))
        .bind(line.unit_price.minor)
        .execute(tx)
        .await?;
    }
    Ok(())
}

/// Whether an order with this number is stored.
pub async fn exists(conn: &mut Db, no: &OrderNo) -> Result<bool, StoreError> {
    let found: Option<i32> = crate::store::query_scalar("SELECT 1 FROM orders WHERE order_no = ?")
        .bind(no.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// The order with this number and its lines in their original order.
///
/// Callers pass `&mut *tx` inside a transaction or a pooled connection.
pub async fn find(conn: &mut Db, no: &OrderNo) -> Result<Option<Order>, StoreError> {
    let row: Option<OrderRow> =
        crate::store::query_as(format!("SELECT {} FROM orders o WHERE o.order_no = ?", columns(conn.dialect(), "o")))
            .bind(no.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(OrderRow::into_order).transpose()
}

/// A customer's orders found by a shared contact: same last 7 digits and the
/// same line by [`Phone::same_line_as`] (with or without a country code).
/// Newest payment first; unpaid orders last; at most `limit` of them.
pub async fn recent_for_phone(conn: &mut Db, phone: &Phone, limit: u32) -> Result<Vec<Order>, StoreError> {
    let rows: Vec<OrderRow> =
        crate::store::query_as(format!("SELECT {} FROM orders o WHERE o.phone_tail = ?", columns(conn.dialect(), "o")))
            .bind(phone_tail(phone))
            .fetch_all(&mut *conn)
            .await?;
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        let order = row.into_order()?;
        if order.phone.same_line_as(phone) {
            orders.push(order);
        }
    }
    // Paid orders newest first, then unpaid ones; the number breaks ties so
    // the order is stable.
    orders.sort_by(|a, b| {
        let by_payment = match (a.paid_at, b.paid_at) {
            (Some(a), Some(b)) => b.cmp(&a),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_payment.then_with(|| a.no.cmp(&b.no))
    });
    orders.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(orders)
}

/// How many orders are stored.
pub async fn count(conn: &mut Db) -> Result<i64, StoreError> {
    Ok(crate::store::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(conn).await?)
}

/// The digits a shared contact is looked up by: the last 7.
fn phone_tail(phone: &Phone) -> &str {
    let digits = phone.as_str();
    &digits[digits.len().saturating_sub(7)..]
}

/// An order's columns and its lines (as one JSON column, so an order is one
/// statement), the orders table aliased `alias`: read by [`OrderRow`].
pub(super) fn columns(dialect: Dialect, alias: &str) -> String {
    let line = dialect.json_array("sku, item_name, category, quantity, unit_price_minor");
    let lines = dialect.json_group_array(&line, "line_no");
    format!(
        "{alias}.order_no, {alias}.phone, {alias}.customer_name, {alias}.currency, {alias}.paid_at, \
         {alias}.shipped_at, {alias}.delivered_at, {alias}.carrier, {alias}.tracking_no, {alias}.freight_insurance, \
         (SELECT {lines} \
          FROM order_lines WHERE order_no = {alias}.order_no) AS lines"
    )
}

/// An order as [`columns`] reads it.
#[derive(sqlx::FromRow)]
pub(super) struct OrderRow {
    order_no: String,
    phone: String,
    customer_name: String,
    currency: String,
    paid_at: Option<DateTime<Utc>>,
    shipped_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    carrier: Option<String>,
    tracking_no: Option<String>,
    freight_insurance: bool,
    lines: String,
}

/// A line as [`columns`] writes it: sku, item name, category, quantity, unit price.
type LineRow = (String, String, String, i64, i64);

impl OrderRow {
    pub(super) fn into_order(self) -> Result<Order, StoreError> {
        let no = OrderNo::from_trusted(&self.order_no);
        let phone =
            Phone::parse(&self.phone).ok_or_else(|| corrupt(format!("order {no} has phone {:?}", self.phone)))?;
        let currency = Currency::parse(&self.currency).map_err(|error| corrupt(format!("order {no}: {error}")))?;
        let lines: Vec<LineRow> = from_json("order lines", &self.lines)?;
        let lines = lines
            .into_iter()
            .map(|(sku, item_name, category, quantity, unit_price_minor)| {
                let quantity = u32::try_from(quantity)
                    .map_err(|_| corrupt(format!("order {no} line {sku} has quantity {quantity}")))?;
                Ok(OrderLine { sku, item_name, category, quantity, unit_price: Money::new(unit_price_minor, currency) })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Order {
            no,
            phone,
            customer_name: self.customer_name,
            currency,
            lines,
            paid_at: self.paid_at,
            shipped_at: self.shipped_at,
            delivered_at: self.delivered_at,
            carrier: self.carrier,
            tracking_no: self.tracking_no,
            freight_insurance: self.freight_insurance,
        })
    }
}

fn corrupt(detail: String) -> StoreError {
    StoreError::Corrupt { what: "order", detail }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::money::{Currency, Money};
    use crate::order::{Order, OrderLine, OrderNo, Phone};
    use crate::store::Store;
    use crate::store::orders;

    struct Db {
        store: Store,
        _guard: crate::store::scratch::Guard,
    }

    async fn fresh_db() -> Db {
        let (guard, store) = crate::store::scratch::store().await;
        Db { store, _guard: guard }
    }

    fn at(day: u32, hour: u32) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0).single().expect("valid time")
    }

    fn line(sku: &str, quantity: u32, yuan: i64) -> OrderLine {
        OrderLine {
            sku: sku.into(),
            item_name: format!("商品 {sku}"),
            category: "clothing".into(),
            quantity,
            unit_price: Money::new(yuan * 100, Currency::CNY),
        }
    }

    fn order(no: &str, phone: &str, paid_day: Option<u32>, lines: Vec<OrderLine>) -> Order {
        Order {
            no: OrderNo::from_trusted(no),
            phone: Phone::parse(phone).expect("phone"),
            customer_name: "王芳".into(),
            currency: Currency::CNY,
            lines,
            paid_at: paid_day.map(|day| at(day, 10)),
            shipped_at: paid_day.map(|day| at(day + 1, 9)),
            delivered_at: None,
            carrier: paid_day.map(|_| "顺丰速运".into()),
            tracking_no: paid_day.map(|_| "SF1234567890".into()),
            freight_insurance: true,
        }
    }

    async fn save(store: &Store, orders_to_save: &[Order]) {
        let mut tx = store.write().await.expect("begin");
        for order in orders_to_save {
            orders::upsert(&mut tx, order, at(20, 0)).await.expect("upsert");
        }
        tx.commit().await.expect("commit");
    }

    #[tokio::test]
    async fn an_order_reads_back_as_it_was_written_with_lines_in_order() {
        let db = fresh_db().await;
        let written = order("TB-000001", "13800138000", Some(1), vec![line("B", 1, 399), line("A", 2, 79)]);
        save(&db.store, std::slice::from_ref(&written)).await;

        let mut conn = db.store.read().await.expect("connection");
        assert_eq!(orders::find(&mut conn, &written.no).await.expect("find"), Some(written));
        assert_eq!(orders::find(&mut conn, &OrderNo::from_trusted("TB-404404")).await.expect("find"), None);
        assert_eq!(orders::count(&mut conn).await.expect("count"), 1);
    }

    #[tokio::test]
    async fn an_unpaid_order_without_carrier_reads_back_with_nothing_set() {
        let db = fresh_db().await;
        let mut written = order("TB-000002", "13800138000", None, vec![line("A", 1, 10)]);
        written.freight_insurance = false;
        save(&db.store, std::slice::from_ref(&written)).await;

        let mut tx = db.store.write().await.expect("begin");
        assert_eq!(orders::find(&mut tx, &written.no).await.expect("find"), Some(written));
    }

    #[tokio::test]
    async fn a_reimport_replaces_the_order_and_drops_lines_it_no_longer_has() {
        let db = fresh_db().await;
        let first = order("TB-000003", "13800138000", Some(1), vec![line("A", 1, 10), line("B", 1, 20)]);
        save(&db.store, &[first]).await;
        let mut second = order("TB-000003", "13900139000", Some(2), vec![line("C", 3, 30), line("A", 2, 10)]);
        second.delivered_at = Some(at(5, 12));
        save(&db.store, std::slice::from_ref(&second)).await;

        let mut conn = db.store.read().await.expect("connection");
        assert_eq!(orders::find(&mut conn, &second.no).await.expect("find"), Some(second));
        assert_eq!(orders::count(&mut conn).await.expect("count"), 1);
        assert!(orders::exists(&mut conn, &OrderNo::from_trusted("tb-000003")).await.expect("exists"));
    }

    #[tokio::test]
    async fn a_phone_finds_its_orders_with_or_without_country_code_newest_paid_first() {
        let db = fresh_db().await;
        save(
            &db.store,
            &[
                order("TB-000010", "13800138000", Some(1), vec![line("A", 1, 10)]),
                order("TB-000011", "+86 138 0013 8000", Some(3), vec![line("A", 1, 10)]),
                order("TB-000012", "138-0013-8000", None, vec![line("A", 1, 10)]),
                order("TB-000013", "13800138000", Some(2), vec![line("A", 1, 10)]),
                // Same last 7 digits, another line.
                order("TB-000014", "13900138000", Some(4), vec![line("A", 1, 10)]),
                order("TB-000015", "13700137000", Some(4), vec![line("A", 1, 10)]),
            ],
        )
        .await;
        let numbers = |found: Vec<Order>| found.into_iter().map(|o| o.no.as_str().to_owned()).collect::<Vec<_>>();

        let mut conn = db.store.read().await.expect("connection");
        let local = Phone::parse("13800138000").expect("phone");
        let found = orders::recent_for_phone(&mut conn, &local, 10).await.expect("lookup");
        assert!(found.iter().all(|o| o.lines.len() == 1));
        assert_eq!(numbers(found), ["TB-000011", "TB-000013", "TB-000010", "TB-000012"]);

        let international = Phone::parse("+8613800138000").expect("phone");
        let found = orders::recent_for_phone(&mut conn, &international, 2).await.expect("lookup");
        assert_eq!(numbers(found), ["TB-000011", "TB-000013"]);

        let stranger = Phone::parse("13600136000").expect("phone");
        assert_eq!(orders::recent_for_phone(&mut conn, &stranger, 10).await.expect("lookup"), []);
    }
}
