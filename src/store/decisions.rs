//! Stored cases read back as requests with their decisions, for
//! `aftersales policy replay`. Read only: a stored decision is history and
//! is never rewritten.

use crate::store::Db;
use chrono::{DateTime, Utc};

use crate::case::CaseId;
use crate::order::OrderNo;
use crate::policy::Outcome;
use crate::reason::Reason;
pub use crate::replay::{StoredDecision, StoredRequest};
use crate::store::StoreError;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    order_no: String,
    sku: String,
    quantity: i64,
    reason: String,
    outcome: String,
    photos: i64,
    resale_intact: Option<bool>,
    created_at: DateTime<Utc>,
    decision: String,
    rules_version: String,
}

/// Every case's request and stored decision, oldest first.
pub async fn stored_requests(conn: &mut Db) -> Result<Vec<StoredRequest>, StoreError> {
    let rows: Vec<Row> = crate::store::query_as(
        "SELECT c.id, c.order_no, c.sku, c.quantity, c.reason, c.outcome, c.resale_intact, c.created_at,
                c.decision, c.rules_version,
                (SELECT COUNT(*) FROM evidence e WHERE e.case_id = c.id) AS photos
         FROM cases c ORDER BY c.seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(Row::into_request).collect()
}

impl Row {
    fn into_request(self) -> Result<StoredRequest, StoreError> {
        let id = self.id;
        let corrupt = |detail: String| StoreError::Corrupt { what: "case", detail: format!("{id}: {detail}") };
        let reason = Reason::from_code(&self.reason).ok_or_else(|| corrupt(format!("reason {}", self.reason)))?;
        let outcome = Outcome::from_code(&self.outcome).ok_or_else(|| corrupt(format!("outcome {}", self.outcome)))?;
        let quantity = u32::try_from(self.quantity).map_err(|_| corrupt(format!("quantity {}", self.quantity)))?;
        // Read loosely: decisions stored by older versions lack newer fields.
        let decision: serde_json::Value =
            serde_json::from_str(&self.decision).map_err(|error| corrupt(format!("decision: {error}")))?;
        Ok(StoredRequest {
            id: CaseId::from_trusted(&id),
            order_no: OrderNo::from_trusted(&self.order_no),
            sku: self.sku,
            quantity,
            reason,
            outcome,
            photos: usize::try_from(self.photos).unwrap_or(0),
            resale_intact: self.resale_intact,
            created_at: self.created_at,
            decision: StoredDecision::from_json(&decision, &self.rules_version),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::scratch;
    use chrono::TimeZone;

    use super::*;
    use crate::store::Store;

    /// A database with one customer, one order and, under `decision`, one case.
    async fn store_with_case(decision: &str, rules_version: &str) -> (scratch::Guard, Store) {
        let (db, store) = scratch::store().await;
        let at = Utc.with_ymd_and_hms(2026, 3, 3, 4, 0, 0).single().expect("time");
        let mut tx = store.write().await.expect("begin");
        for sql in [
            "INSERT INTO customers (id, channel, external_id, chat_id, lang, created_at)
             VALUES (1, 'terminal', 'lin', 1, 'en', ?)",
            "INSERT INTO orders (order_no, phone, phone_tail, customer_name, currency, imported_at)
             VALUES ('T-000001', '13800138000', '0138000', '王芳', 'CNY', ?)",
        ] {
            crate::store::query(sql).bind(at).execute(&mut tx).await.expect("seed");
        }
        for (id, seq) in [("AS-1002", 1002), ("AS-1001", 1001)] {
            crate::store::query(
                "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, outcome, status, decision,
                                    created_at, updated_at, rules_version, resale_intact)
                 VALUES (?, ?, 1, 'T-000001', 'COAT-M', 1, 'changed_mind', 'return_refund', 'approved', ?, ?, ?, ?, TRUE)",
            )
            .bind(id)
            .bind(seq)
            .bind(decision)
            .bind(at)
            .bind(at)
            .bind(rules_version)
            .execute(&mut tx)
            .await
            .expect("case");
        }
        for file in ["a", "b"] {
            crate::store::query(
                "INSERT INTO evidence (case_id, kind, file_id, file_unique_id, received_at)
                 VALUES ('AS-1001', 'photo', ?, ?, ?)",
            )
            .bind(file)
            .bind(file)
            .bind(at)
            .execute(&mut tx)
            .await
            .expect("evidence");
        }
        tx.commit().await.expect("commit");
        (db, store)
    }

    #[tokio::test]
    async fn cases_read_back_in_order_with_their_photos_and_an_old_decision() {
        let old = r#"{"verdict":"approved","rule":"no_reason_return","deadline":"2026-03-09T16:00:00Z"}"#;
        let (_dir, store) = store_with_case(old, "").await;
        let mut conn = store.read().await.expect("connection");
        let requests = stored_requests(&mut conn).await.expect("stored requests");
        let ids: Vec<&str> = requests.iter().map(|request| request.id.as_str()).collect();
        assert_eq!(ids, ["AS-1001", "AS-1002"]);
        let first = &requests[0];
        assert_eq!((first.photos, requests[1].photos), (2, 0));
        assert_eq!(
            (first.reason, first.outcome, first.resale_intact),
            (Reason::ChangedMind, Outcome::ReturnRefund, Some(true))
        );
        assert_eq!(first.created_at, Utc.with_ymd_and_hms(2026, 3, 3, 4, 0, 0).single().expect("time"));
        assert_eq!(first.decision.verdict, "approved");
        assert_eq!(first.decision.rule, "no_reason_return");
        assert_eq!(first.decision.deadline, Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 0).single());
        assert_eq!(first.decision.rules_version, "");
    }

    #[tokio::test]
    async fn the_case_column_gives_the_rules_version() {
        let (_dir, store) = store_with_case(r#"{"verdict":"approved","rules_version":"old"}"#, "abc123").await;
        let mut conn = store.read().await.expect("connection");
        let requests = stored_requests(&mut conn).await.expect("stored requests");
        assert_eq!(requests[0].decision.rules_version, "abc123");
    }

    #[tokio::test]
    async fn an_unreadable_decision_names_the_case() {
        let (_dir, store) = store_with_case("not json", "").await;
        let mut conn = store.read().await.expect("connection");
        let error = stored_requests(&mut conn).await.err().map(|error| error.to_string()).unwrap_or_default();
        assert!(error.contains("AS-1001"), "{error}");
    }
}
