//! What a customer's step is decided on, read in one statement: the order
//! it names with everything about it, and the customer's own history.
//!
//! A statement is a round trip to sqlx's SQLite worker thread, two thread
//! wake-ups: about 20 µs of CPU on a 2-core machine, where SQLite's own work
//! for these reads is about 1 µs. A step runs on every message, so its reads
//! are put together as columns of one SELECT (lists as JSON), built from
//! the same pieces the single reads use.

use std::collections::HashMap;

use crate::store::{Db, Dialect};
use chrono::{DateTime, Utc};

use crate::case::{CaseId, CaseSummary, Claim};
use crate::order::{Order, OrderNo};
use crate::policy::LineHistory;
use crate::retention;
use crate::store::orders::{self, OrderRow};
use crate::store::ownership::{ProofWindows, Standing, StandingRow, standing_columns};
use crate::store::{StoreError, cases};

/// An order and what the step needs to know about it.
pub struct OrderFacts {
    pub order: Order,
    /// The customer's lock on it and the wrong answers about it.
    pub standing: Standing,
    /// What earlier cases did to each of its lines.
    pub line_history: HashMap<String, LineHistory>,
    /// The cases holding units of its lines.
    pub claims: Vec<Claim>,
}

#[derive(sqlx::FromRow)]
struct OrderFactsRow {
    #[sqlx(flatten)]
    order: OrderRow,
    #[sqlx(flatten)]
    standing: StandingRow,
    line_history: String,
    claims: String,
}

impl OrderFactsRow {
    fn read(self) -> Result<OrderFacts, StoreError> {
        Ok(OrderFacts {
            order: self.order.into_order()?,
            standing: self.standing.read()?,
            line_history: cases::read_line_history(&self.line_history)?,
            claims: cases::read_claims(&self.claims)?,
        })
    }
}

/// What a customer's step is decided on.
pub struct StepFacts {
    pub customer: CustomerFacts,
    /// The order the step names, if it is stored.
    pub order: Option<OrderFacts>,
}

#[derive(sqlx::FromRow)]
struct StepFactsRow {
    #[sqlx(flatten)]
    order: OrderFactsRow,
    #[sqlx(flatten)]
    customer: CustomerFactsRow,
}

/// `customer_id`'s facts at `now` (at most `cases_listed` of their cases)
/// and those of `order` for them, wrong answers counted within `windows`:
/// one statement when the step names a stored order, as most steps do.
pub async fn read(
    conn: &mut Db,
    customer_id: i64,
    order: Option<&OrderNo>,
    windows: ProofWindows,
    now: DateTime<Utc>,
    cases_listed: u32,
) -> Result<StepFacts, StoreError> {
    if let Some(no) = order {
        let dialect = conn.dialect();
        let sql = format!(
            "SELECT {}, {}, {}, {}, {} FROM orders o WHERE o.order_no = ?2",
            orders::columns(dialect, "o"),
            standing_columns(dialect, "?1", "?2", "?3", "?4"),
            cases::line_history_column(dialect, "?2", "?5"),
            cases::claims_column(dialect, "?2", "?1"),
            customer_columns(dialect, "?1", "?6", "?7"),
        );
        let row: Option<StepFactsRow> = crate::store::query_as(&sql)
            .bind(customer_id)
            .bind(no.as_str())
            .bind(windows.chat_since)
            .bind(windows.since)
            .bind(i64::MAX)
            .bind(cases::retention_since(now))
            .bind(cases_listed)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = row {
            return Ok(StepFacts { customer: row.customer.read()?, order: Some(row.order.read()?) });
        }
    }
    Ok(StepFacts { customer: customer(conn, customer_id, now, cases_listed).await?, order: None })
}

/// The customer's side of a step.
pub struct CustomerFacts {
    /// What retention offers are conditioned on.
    pub retention: retention::History,
    /// Their latest cases, newest first.
    pub cases: Vec<CaseSummary>,
    /// The id a case opened now would get.
    pub next_case_id: CaseId,
}

#[derive(sqlx::FromRow)]
struct CustomerFactsRow {
    #[sqlx(flatten)]
    retention: cases::RetentionRow,
    cases: String,
    next_seq: i64,
}

impl CustomerFactsRow {
    fn read(self) -> Result<CustomerFacts, StoreError> {
        Ok(CustomerFacts {
            retention: self.retention.read()?,
            cases: cases::read_summaries(&self.cases)?,
            next_case_id: CaseId::from_seq(self.next_seq),
        })
    }
}

/// [`CustomerFacts`] as columns of a SELECT, the placeholders naming the
/// customer, the start of [`cases::retention_since`] and how many cases.
fn customer_columns(dialect: Dialect, customer: &str, since: &str, cases_listed: &str) -> String {
    format!(
        "{}, {}, {}",
        cases::retention_columns(dialect, customer, since),
        cases::summaries_column(dialect, customer, cases_listed),
        cases::NEXT_SEQ
    )
}

/// `customer_id`'s facts alone.
async fn customer(
    conn: &mut Db,
    customer_id: i64,
    now: DateTime<Utc>,
    cases_listed: u32,
) -> Result<CustomerFacts, StoreError> {
    let row: CustomerFactsRow =
        crate::store::query_as(format!("SELECT {}", customer_columns(conn.dialect(), "?1", "?2", "?3")))
            .bind(customer_id)
            .bind(cases::retention_since(now))
            .bind(cases_listed)
            .fetch_one(&mut *conn)
            .await?;
    row.read()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::scratch;
    use crate::store::{Store, ownership};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    /// Customers 1 and 2; order T-1 with two lines (in line order B, A);
    /// on it, customer 1's approved return of A, a closed refund of B and an
    /// exchange of B whose replacement was signed for, and customer 2's case
    /// left not eligible; wrong answers from both, a lock on customer 1,
    /// and two retention offers of customer 1 accepted, one a year ago.
    async fn seeded() -> (scratch::Guard, Store) {
        let (db, store) = scratch::store().await;
        let mut tx = store.write().await.expect("tx");
        let case = |id: u32, customer: u32, sku: &str, outcome: &str, status: &str, extra: &str| {
            format!(
                "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, outcome, status, decision,
                                    created_at, updated_at, rules_version, refunded_minor, replacement_delivered_at)
                 VALUES ('AS-{id}', {id}, {customer}, 'T-1', '{sku}', 1, 'changed_mind', '{outcome}', '{status}', '{{}}',
                         '2025-03-0{}T10:00:00+00:00', '2025-03-01T10:00:00+00:00', 'v1', {extra})",
                id - 1000
            )
        };
        let seed = [
            "INSERT INTO customers (id, channel, external_id, chat_id, lang, created_at)
             VALUES (1, 'telegram', '1', 1, 'en', '2025-03-01T10:00:00Z'),
                    (2, 'telegram', '2', 2, 'en', '2025-03-01T10:00:00Z')"
                .to_owned(),
            "INSERT INTO orders (order_no, phone, phone_tail, customer_name, currency, delivered_at, imported_at)
             VALUES ('T-1', '13800138000', '0138000', 'Lin', 'CNY', '2025-02-28T10:00:00+00:00',
                     '2025-03-01T10:00:00Z')"
                .to_owned(),
            "INSERT INTO order_lines (order_no, line_no, sku, item_name, category, quantity, unit_price_minor)
             VALUES ('T-1', 2, 'A', 'Coat', 'clothing', 2, 39900), ('T-1', 1, 'B', 'Vase', 'home', 3, 26800)"
                .to_owned(),
            case(1001, 1, "A", "return_refund", "approved", "0, NULL"),
            case(1002, 1, "B", "return_refund", "closed", "26800, NULL"),
            case(1003, 1, "B", "exchange", "approved", "0, '2025-03-05T10:00:00+00:00'"),
            case(1004, 2, "A", "return_refund", "not_eligible", "0, NULL"),
            "INSERT INTO proof_failures (order_no, customer_id, at)
             VALUES ('T-1', 1, '2025-03-09T09:00:00+00:00'), ('T-1', 2, '2025-03-09T09:30:00+00:00'),
                    ('T-1', 2, '2025-03-01T09:30:00+00:00')"
                .to_owned(),
            "INSERT INTO order_locks (customer_id, order_no, until) VALUES (1, 'T-1', '2025-03-09T12:00:00+00:00')"
                .to_owned(),
            "INSERT INTO retention_offers (case_id, customer_id, offer_id, kind, result, at)
             VALUES ('AS-1001', 1, 'coupon-10', 'coupon', 'accepted', '2025-03-08T10:00:00+00:00'),
                    ('AS-1002', 1, 'gift-1', 'gift', 'accepted', '2024-03-08T10:00:00+00:00'),
                    ('AS-1003', 1, 'coupon-20', 'coupon', 'declined', '2025-03-08T10:00:00+00:00')"
                .to_owned(),
        ];
        for sql in seed {
            crate::store::query(&sql).execute(&mut tx).await.unwrap_or_else(|error| panic!("{error}: {sql}"));
        }
        tx.commit().await.expect("commit");
        (db, store)
    }

    fn windows() -> ProofWindows {
        ProofWindows { chat_since: at("2025-03-09T08:00:00Z"), since: at("2025-03-08T10:00:00Z") }
    }

    /// The order's facts of [`read`], which must find `no`.
    async fn order(conn: &mut Db, customer: i64, no: &OrderNo) -> OrderFacts {
        let now = at("2025-03-10T10:00:00Z");
        read(conn, customer, Some(no), windows(), now, 10).await.expect("facts").order.expect("found")
    }

    #[tokio::test]
    async fn an_orders_facts_in_one_statement_are_what_the_single_reads_find() {
        let (_db, store) = seeded().await;
        let mut conn = store.read().await.expect("conn");
        let no = OrderNo::from_trusted("T-1");
        for customer in [1, 2] {
            let facts = order(&mut conn, customer, &no).await;
            assert_eq!(Some(&facts.order), orders::find(&mut conn, &no).await.expect("order").as_ref());
            let standing = ownership::standing(&mut conn, customer, &no, windows()).await.expect("standing");
            assert_eq!(facts.standing, standing);
            assert_eq!(facts.line_history, cases::line_history(&mut conn, &no, None).await.expect("history"));
            assert_eq!(facts.claims, cases::claims(&mut conn, &no, customer).await.expect("claims"));
        }
        // What the single reads find, spelled out once.
        let facts = order(&mut conn, 1, &no).await;
        let skus: Vec<&str> = facts.order.lines.iter().map(|line| line.sku.as_str()).collect();
        assert_eq!(skus, ["B", "A"], "lines in line order");
        assert_eq!(facts.order.lines[0].unit_price.minor, 26800);
        assert_eq!(facts.standing.locked_until, Some(at("2025-03-09T12:00:00Z")));
        assert_eq!(
            (facts.standing.failures.here, facts.standing.failures.everywhere, facts.standing.failures.chats),
            (1, 2, 2)
        );
        let vase = &facts.line_history["B"];
        assert_eq!((vase.exchanges, vase.refunded_minor, vase.claimed_units), (1, 26800, 1));
        assert_eq!(vase.replacement_delivered_at, Some(at("2025-03-05T10:00:00Z")));
        let claims: Vec<(&str, bool)> = facts.claims.iter().map(|claim| (claim.id.as_str(), claim.own)).collect();
        assert_eq!(claims, [("AS-1001", true), ("AS-1002", true)]);
        let other = order(&mut conn, 2, &no).await;
        assert_eq!(other.standing.locked_until, None);
        assert!(other.claims.iter().all(|claim| !claim.own));
        let unknown = OrderNo::from_trusted("T-404");
        let facts = read(&mut conn, 1, Some(&unknown), windows(), at("2025-03-10T10:00:00Z"), 10).await.expect("facts");
        assert!(facts.order.is_none());
        let cases = cases::for_customer(&mut conn, 1, 10).await.expect("cases");
        assert_eq!(facts.customer.cases, cases, "the customer's facts all the same");
    }

    #[tokio::test]
    async fn a_customers_facts_in_one_statement_are_their_cases_offers_and_the_next_id() {
        let (_db, store) = seeded().await;
        let mut conn = store.read().await.expect("conn");
        let now = at("2025-03-10T10:00:00Z");
        let facts = customer(&mut conn, 1, now, 2).await.expect("facts");
        let with_order =
            read(&mut conn, 1, Some(&OrderNo::from_trusted("T-1")), windows(), now, 2).await.expect("facts");
        let without = read(&mut conn, 1, None, windows(), now, 2).await.expect("facts");
        for read in [&with_order.customer, &without.customer] {
            assert_eq!(
                (&read.cases, &read.retention, &read.next_case_id),
                (&facts.cases, &facts.retention, &facts.next_case_id)
            );
        }
        assert_eq!(facts.cases, cases::for_customer(&mut conn, 1, 2).await.expect("cases"));
        let ids: Vec<&str> = facts.cases.iter().map(|case| case.id.as_str()).collect();
        assert_eq!(ids, ["AS-1003", "AS-1002"], "newest first, at most 2");
        assert_eq!(facts.cases[1].item_name, "Vase");
        assert_eq!(facts.retention.past_cases, 3);
        assert_eq!(facts.retention.accepted_recently, ["coupon-10"], "accepted within 30 days");
        assert_eq!(facts.next_case_id, cases::next_id(&mut conn).await.expect("next id"));
        assert_eq!(facts.next_case_id.as_str(), "AS-1005");
        let stranger = customer(&mut conn, 3, now, 2).await.expect("facts");
        assert!(stranger.cases.is_empty() && stranger.retention.accepted_recently.is_empty());
        assert_eq!(stranger.retention.past_cases, 0);
    }
}
