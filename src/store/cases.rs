//! Cases, their timeline and their evidence.

use std::collections::HashMap;

use crate::store::{Db, Dialect};
use chrono::{DateTime, Utc};

use crate::case::{CaseDetail, CaseId, CaseStatus, CaseSummary, Claim, Event, Evidence, Milestone, NewCase};
use crate::money::Money;
use crate::order::OrderNo;
use crate::policy::{LineHistory, Outcome};
use crate::reason::Reason;
use crate::retention;
use crate::store::{StoreError, from_json, to_json};

/// Retention offers count against a customer's limit for this long.
const RETENTION_PERIOD_DAYS: i64 = 30;

/// The id the next case will get.
pub async fn next_id(conn: &mut Db) -> Result<CaseId, StoreError> {
    let seq: i64 = crate::store::query_scalar(format!("SELECT {NEXT_SEQ}")).fetch_one(&mut *conn).await?;
    Ok(CaseId::from_seq(seq))
}

/// The next case's number, as a column of a SELECT.
pub(super) const NEXT_SEQ: &str = "(SELECT COALESCE(MAX(seq), 1000) + 1 FROM cases) AS next_seq";

/// Stores a confirmed case with its evidence and the first timeline entries.
pub async fn open(conn: &mut Db, customer_id: i64, case: &NewCase, now: DateTime<Utc>) -> Result<(), StoreError> {
    let seq = case.id.seq().ok_or_else(|| StoreError::Corrupt { what: "case id", detail: case.id.to_string() })?;
    let status = case.status();
    crate::store::query(
        "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, detail, outcome, status, decision,
                            created_at, updated_at, rules_version, resale_intact)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(case.id.as_str())
    .bind(seq)
    .bind(customer_id)
    .bind(case.order_no.as_str())
    .bind(&case.sku)
    .bind(case.quantity)
    .bind(case.reason.code())
    .bind(&case.detail)
    .bind(case.outcome.code())
    .bind(status.code())
    .bind(to_json(&case.decision))
    .bind(now)
    .bind(now)
    .bind(&case.decision.rules_version)
    .bind(case.resale_intact)
    .execute(&mut *conn)
    .await?;
    for evidence in &case.evidence {
        add_evidence(conn, &case.id, evidence).await?;
    }
    for offer in &case.offers {
        crate::store::query(
            "INSERT INTO retention_offers (case_id, customer_id, offer_id, kind, value_minor, currency, result, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(case.id.as_str())
        .bind(customer_id)
        .bind(&offer.offer_id)
        .bind(offer.kind.code())
        .bind(offer.value.map(|value| value.minor))
        .bind(offer.value.map(|value| value.currency.as_str().to_owned()))
        .bind(offer.result.code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    for event in Event::opening(case) {
        let actor = match event {
            Event::Decided(_) | Event::ClosedRetained {} => "bot",
            _ => "customer",
        };
        add_event(conn, &case.id, actor, &event, now).await?;
    }
    Ok(())
}

/// The cases that hold units of their line: open or approved, or closed
/// after a refund, an exchange, a reship or a repair. Price protection and
/// cash-back settle money beside the goods and hold none; an exchange whose
/// replacement was signed for leaves the replacement to its own return rule.
const CLAIMING: &str = "outcome NOT IN ('price_protection', 'cash_back')
    AND NOT (outcome = 'exchange' AND replacement_delivered_at IS NOT NULL)
    AND (status IN ('needs_review', 'approved')
         OR (status = 'closed' AND (refunded_minor > 0 OR outcome IN ('exchange', 'reship', 'repair'))))";

/// Stores an evidence file on a case; the same file twice is kept once.
/// False when it was there already.
pub async fn add_evidence(conn: &mut Db, case: &CaseId, evidence: &Evidence) -> Result<bool, StoreError> {
    let done = crate::store::query(
        "INSERT INTO evidence (case_id, kind, file_id, file_unique_id, media_group_id, received_at,
                               sha256, local_path, size_bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, file_unique_id) DO NOTHING",
    )
    .bind(case.as_str())
    .bind(evidence.kind.code())
    .bind(&evidence.file_id)
    .bind(&evidence.file_unique_id)
    .bind(&evidence.media_group_id)
    .bind(evidence.received_at)
    .bind(evidence.stored.as_ref().map(|file| file.sha256.as_str()))
    .bind(evidence.stored.as_ref().map(|file| file.path.as_str()))
    .bind(evidence.stored.as_ref().map(|file| i64::try_from(file.size_bytes).unwrap_or(i64::MAX)))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// What earlier cases did to each line of an order, by SKU: exchanges granted
/// or under way, the latest replacement's sign-off, money refunded, units
/// claimed. With
/// `before`, only cases opened before that one count (to replay a decision).
pub async fn line_history(
    conn: &mut Db,
    order: &OrderNo,
    before: Option<&CaseId>,
) -> Result<HashMap<String, LineHistory>, StoreError> {
    let history: String =
        crate::store::query_scalar(format!("SELECT {}", line_history_column(conn.dialect(), "?1", "?2")))
            .bind(order.as_str())
            .bind(before.and_then(CaseId::seq).unwrap_or(i64::MAX))
            .fetch_one(&mut *conn)
            .await?;
    read_line_history(&history)
}

/// [`line_history`] as a JSON column of a SELECT, the placeholders naming
/// the order and the first case number that does not count.
pub(super) fn line_history_column(dialect: Dialect, order: &str, before_seq: &str) -> String {
    let line = dialect.json_array("sku, exchanges, replacement_delivered_at, refunded_minor, claimed_units");
    let lines = dialect.json_group_array(&line, "");
    format!(
        "(SELECT {lines}
          FROM (SELECT sku,
                       SUM(CASE WHEN outcome = 'exchange' AND status NOT IN ('not_eligible', 'retained')
                                THEN 1 ELSE 0 END) AS exchanges,
                       MAX(replacement_delivered_at) AS replacement_delivered_at,
                       SUM(refunded_minor) AS refunded_minor,
                       SUM(CASE WHEN {CLAIMING} THEN quantity ELSE 0 END) AS claimed_units
                FROM cases WHERE order_no = {order} AND seq < {before_seq} GROUP BY sku) AS line) AS line_history"
    )
}

pub(super) fn read_line_history(json: &str) -> Result<HashMap<String, LineHistory>, StoreError> {
    type Row = (String, i64, Option<DateTime<Utc>>, i64, i64);
    let rows: Vec<Row> = from_json("line history", json)?;
    Ok(rows
        .into_iter()
        .map(|(sku, exchanges, replacement_delivered_at, refunded_minor, claimed_units)| {
            let history = LineHistory {
                exchanges: u32::try_from(exchanges).unwrap_or(0),
                replacement_delivered_at,
                refunded_minor,
                claimed_units: u32::try_from(claimed_units).unwrap_or(0),
            };
            (sku, history)
        })
        .collect())
}

/// The cases holding units of the order's lines, oldest first; `own` marks
/// those of `customer_id`.
pub async fn claims(conn: &mut Db, order: &OrderNo, customer_id: i64) -> Result<Vec<Claim>, StoreError> {
    let claims: String = crate::store::query_scalar(format!("SELECT {}", claims_column(conn.dialect(), "?1", "?2")))
        .bind(order.as_str())
        .bind(customer_id)
        .fetch_one(&mut *conn)
        .await?;
    read_claims(&claims)
}

/// [`claims`] as a JSON column of a SELECT, the placeholders naming the
/// order and the customer.
pub(super) fn claims_column(dialect: Dialect, order: &str, customer: &str) -> String {
    let claim = dialect.json_array(&format!(
        "id, sku, quantity, status, outcome, CASE WHEN customer_id = {customer} THEN 1 ELSE 0 END"
    ));
    let claims = dialect.json_group_array(&claim, "seq");
    format!("(SELECT {claims} FROM cases WHERE order_no = {order} AND {CLAIMING}) AS claims")
}

pub(super) fn read_claims(json: &str) -> Result<Vec<Claim>, StoreError> {
    type Row = (String, String, i64, String, String, i64);
    let rows: Vec<Row> = from_json("claims", json)?;
    rows.into_iter()
        .map(|(id, sku, quantity, status, outcome, own)| {
            let corrupt = |detail: String| StoreError::Corrupt { what: "case", detail };
            Ok(Claim {
                status: CaseStatus::from_code(&status).ok_or_else(|| corrupt(format!("status {status}")))?,
                outcome: Outcome::from_code(&outcome).ok_or_else(|| corrupt(format!("outcome {outcome}")))?,
                id: CaseId::from_trusted(&id),
                sku,
                quantity: u32::try_from(quantity).unwrap_or(0),
                own: own != 0,
            })
        })
        .collect()
}

/// The customer's history that retention offers are conditioned on, as two
/// columns of a SELECT read by [`RetentionRow`]: the placeholders name the
/// customer and the start of [`retention_since`].
pub(super) fn retention_columns(dialect: Dialect, customer: &str, since: &str) -> String {
    let offers = dialect.json_group_array("offer_id", "");
    format!(
        "(SELECT COUNT(*) FROM cases WHERE customer_id = {customer}) AS past_cases,
         (SELECT {offers} FROM retention_offers
          WHERE customer_id = {customer} AND result = 'accepted' AND at >= {since}) AS accepted"
    )
}

/// Since when accepted retention offers count against a customer's limit.
pub(super) fn retention_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::days(RETENTION_PERIOD_DAYS)
}

#[derive(sqlx::FromRow)]
pub(super) struct RetentionRow {
    past_cases: i64,
    accepted: String,
}

impl RetentionRow {
    pub(super) fn read(self) -> Result<retention::History, StoreError> {
        let accepted_recently: Vec<String> = from_json("accepted retention offers", &self.accepted)?;
        Ok(retention::History { past_cases: u32::try_from(self.past_cases).unwrap_or(u32::MAX), accepted_recently })
    }
}

/// Adds `event` to the case's timeline, done by `actor` ("customer", "bot",
/// "shop", "system" or "agent:<user id>").
pub async fn add_event(
    conn: &mut Db,
    case: &CaseId,
    actor: &str,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query("INSERT INTO case_events (case_id, at, actor, kind, data) VALUES (?, ?, ?, ?, ?)")
        .bind(case.as_str())
        .bind(now)
        .bind(actor)
        .bind(event.kind())
        .bind(event.data().to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A timeline event as stored: a kind or data this build does not know is corrupt.
pub(crate) fn read_event(kind: &str, data: &str) -> Result<Event, StoreError> {
    let corrupt =
        |error: serde_json::Error| StoreError::Corrupt { what: "case event", detail: format!("{kind}: {error}") };
    Event::read(kind, serde_json::from_str(data).map_err(corrupt)?).map_err(corrupt)
}

/// A case as `aftersales cases list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Listed {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub customer: String,
    pub order_no: String,
    pub item: String,
    pub reason: String,
    pub outcome: String,
    pub status: String,
    /// Threats and complaints recorded on it.
    pub flags: i64,
    /// When `records purge` removed its personal data.
    pub purged_at: Option<DateTime<Utc>>,
}

/// All cases, oldest first; only those in `status`, only flagged ones.
pub async fn list(conn: &mut Db, status: Option<CaseStatus>, flagged: bool) -> Result<Vec<Listed>, StoreError> {
    let sql = format!(
        "SELECT {LISTED} {LISTED_FROM} WHERE (?1 IS NULL OR c.status = ?1)
           AND (NOT ?2 OR EXISTS (SELECT 1 FROM flags f WHERE f.case_id = c.id))
         ORDER BY c.seq"
    );
    Ok(crate::store::query_as(&sql).bind(status.map(CaseStatus::code)).bind(flagged).fetch_all(&mut *conn).await?)
}

/// One case as listed.
pub async fn listed(conn: &mut Db, id: &CaseId) -> Result<Option<Listed>, StoreError> {
    let sql = format!("SELECT {LISTED} {LISTED_FROM} WHERE c.id = ?");
    Ok(crate::store::query_as(&sql).bind(id.as_str()).fetch_optional(&mut *conn).await?)
}

const LISTED: &str = "c.id, c.created_at, cu.first_name AS customer, c.order_no,
        coalesce(l.item_name, c.sku) AS item, c.reason, c.outcome, c.status,
        (SELECT count(*) FROM flags f WHERE f.case_id = c.id) AS flags, c.purged_at";
const LISTED_FROM: &str = "FROM cases c JOIN customers cu ON cu.id = c.customer_id
    LEFT JOIN order_lines l ON l.order_no = c.order_no AND l.sku = c.sku";

/// A case as `aftersales cases export` writes it: as listed, with what the
/// shop's archive keeps of it (the handbooks' 售后服务报告单).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Exported {
    #[sqlx(flatten)]
    pub listed: Listed,
    pub sku: String,
    pub quantity: i64,
    /// The refund recorded, in the order's minor units.
    pub refunded_minor: i64,
    /// What an agent agreed to pay back (partial refund, cash-back).
    pub agreed_minor: Option<i64>,
    pub currency: String,
    /// The agent's responsibility code, 1–9.
    pub responsibility: Option<i64>,
    /// The agent who last took the case, if one did.
    pub agent: Option<String>,
    pub survey_score: Option<i64>,
}

/// The cases opened from `from` up to, not including, `to`, oldest first.
pub async fn export(conn: &mut Db, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Exported>, StoreError> {
    let sql = format!(
        "SELECT {LISTED}, c.sku, c.quantity, c.refunded_minor, c.agreed_minor, o.currency, c.responsibility,
                (SELECT e.assignee_name FROM escalations e
                  WHERE e.case_id = c.id AND e.assignee_name IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS agent,
                c.survey_score
         {LISTED_FROM} JOIN orders o ON o.order_no = c.order_no
         WHERE c.created_at >= ? AND c.created_at < ?
         ORDER BY c.seq"
    );
    Ok(crate::store::query_as(&sql).bind(from).bind(to).fetch_all(&mut *conn).await?)
}

/// The customer's cases, newest first.
pub async fn for_customer(conn: &mut Db, customer_id: i64, limit: u32) -> Result<Vec<CaseSummary>, StoreError> {
    let cases: String = crate::store::query_scalar(format!("SELECT {}", summaries_column(conn.dialect(), "?1", "?2")))
        .bind(customer_id)
        .bind(limit)
        .fetch_one(&mut *conn)
        .await?;
    read_summaries(&cases)
}

/// [`for_customer`] as a JSON column of a SELECT, the placeholders naming
/// the customer and how many cases at most.
pub(super) fn summaries_column(dialect: Dialect, customer: &str, limit: &str) -> String {
    let case = dialect.json_array("id, order_no, item_name, reason, outcome, status, created_at");
    let cases = dialect.json_group_array(&case, "seq DESC");
    format!(
        "(SELECT {cases}
          FROM (SELECT c.seq, c.id, c.order_no, l.item_name, c.reason, c.outcome, c.status, c.created_at
                FROM cases c LEFT JOIN order_lines l ON l.order_no = c.order_no AND l.sku = c.sku
                WHERE c.customer_id = {customer} ORDER BY c.seq DESC LIMIT {limit}) AS listed) AS cases"
    )
}

pub(super) fn read_summaries(json: &str) -> Result<Vec<CaseSummary>, StoreError> {
    type Row = (String, String, Option<String>, String, String, String, DateTime<Utc>);
    let rows: Vec<Row> = from_json("cases", json)?;
    rows.into_iter()
        .map(|(id, order_no, item_name, reason, outcome, status, created_at)| {
            let corrupt = |detail: String| StoreError::Corrupt { what: "case", detail };
            Ok(CaseSummary {
                reason: Reason::from_code(&reason).ok_or_else(|| corrupt(format!("reason {reason}")))?,
                outcome: Outcome::from_code(&outcome).ok_or_else(|| corrupt(format!("outcome {outcome}")))?,
                status: CaseStatus::from_code(&status).ok_or_else(|| corrupt(format!("status {status}")))?,
                id: CaseId::from_trusted(&id),
                order_no: OrderNo::from_trusted(&order_no),
                item_name: item_name.unwrap_or_default(),
                created_at,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: String,
    order_no: String,
    item_name: String,
    quantity: i64,
    reason: String,
    outcome: String,
    status: String,
    created_at: DateTime<Utc>,
    decision: String,
}

/// The case `id` with what happened on it, if it is `customer_id`'s: another
/// customer's case is as unknown as a case that does not exist.
pub async fn detail(conn: &mut Db, id: &CaseId, customer_id: i64) -> Result<Option<CaseDetail>, StoreError> {
    let row: Option<DetailRow> = crate::store::query_as(
        "SELECT c.id, c.order_no, coalesce(l.item_name, c.sku) AS item_name, c.quantity, c.reason, c.outcome,
                c.status, c.created_at, c.decision
         FROM cases c LEFT JOIN order_lines l ON l.order_no = c.order_no AND l.sku = c.sku
         WHERE c.id = ? AND c.customer_id = ?",
    )
    .bind(id.as_str())
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let events: Vec<(DateTime<Utc>, String, String)> =
        crate::store::query_as("SELECT at, kind, data FROM case_events WHERE case_id = ? ORDER BY id")
            .bind(id.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let mut history: Vec<(DateTime<Utc>, Milestone)> = Vec::new();
    for (at, kind, data) in events {
        let Some(milestone) = Milestone::from_event(&read_event(&kind, &data)?) else { continue };
        // An album added is one thing the customer did, not one per photo.
        if history.last().is_some_and(|(_, last)| *last == milestone) {
            continue;
        }
        history.push((at, milestone));
    }
    let corrupt = |detail: String| StoreError::Corrupt { what: "case", detail };
    Ok(Some(CaseDetail {
        reason: Reason::from_code(&row.reason).ok_or_else(|| corrupt(format!("reason {}", row.reason)))?,
        outcome: Outcome::from_code(&row.outcome).ok_or_else(|| corrupt(format!("outcome {}", row.outcome)))?,
        status: CaseStatus::from_code(&row.status).ok_or_else(|| corrupt(format!("status {}", row.status)))?,
        quantity: u32::try_from(row.quantity).map_err(|_| corrupt(format!("quantity {}", row.quantity)))?,
        decision: from_json("case decision", &row.decision)?,
        id: CaseId::from_trusted(&row.id),
        order_no: OrderNo::from_trusted(&row.order_no),
        item_name: row.item_name,
        created_at: row.created_at,
        history,
    }))
}

/// What follow-ups need to know about a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseState {
    pub id: CaseId,
    pub customer_id: i64,
    pub status: CaseStatus,
    pub outcome: Outcome,
    pub order_no: OrderNo,
    pub survey: crate::followup::Survey,
    /// Why follow-ups stopped, if they did.
    pub stopped: Option<String>,
}

pub async fn state(conn: &mut Db, id: &CaseId) -> Result<Option<CaseState>, StoreError> {
    type Row = (i64, String, String, String, Option<String>, Option<String>);
    let row: Option<Row> = crate::store::query_as(
        "SELECT customer_id, status, outcome, order_no, survey, followup_stopped FROM cases WHERE id = ?",
    )
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((customer_id, status, outcome, order_no, survey, stopped)) = row else { return Ok(None) };
    let corrupt = |what: &'static str, detail: &str| StoreError::Corrupt { what, detail: detail.to_owned() };
    let survey = match survey {
        Some(text) => serde_json::from_str(&text).map_err(|error| corrupt("survey", &error.to_string()))?,
        None => crate::followup::Survey::default(),
    };
    Ok(Some(CaseState {
        id: id.clone(),
        customer_id,
        status: CaseStatus::from_code(&status).ok_or_else(|| corrupt("case status", &status))?,
        outcome: Outcome::from_code(&outcome).ok_or_else(|| corrupt("case outcome", &outcome))?,
        order_no: OrderNo::from_trusted(&order_no),
        survey,
        stopped,
    }))
}

/// Stores the survey on the case, with its score and comment in columns of their own for reports.
pub async fn save_survey(
    conn: &mut Db,
    id: &CaseId,
    survey: &crate::followup::Survey,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE cases SET survey = ?, survey_score = ?, survey_comment = ?, updated_at = ? WHERE id = ?",
    )
    .bind(to_json(survey))
    .bind(survey.score.map(i64::from))
    .bind(&survey.comment)
    .bind(now)
    .bind(id.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The customer's case whose survey was rated and may still get a comment.
pub async fn awaiting_comment(conn: &mut Db, customer_id: i64) -> Result<Option<CaseId>, StoreError> {
    let finished = conn.dialect().json_value("survey", "finished", "boolean");
    let id: Option<String> = crate::store::query_scalar(format!(
        "SELECT id FROM cases WHERE customer_id = ? AND survey_score IS NOT NULL AND survey_comment IS NULL
         AND {finished} = FALSE ORDER BY updated_at DESC LIMIT 1"
    ))
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id.as_deref().map(CaseId::from_trusted))
}

/// Closes the case; money paid back is added to what the line has had refunded.
pub async fn close(conn: &mut Db, id: &CaseId, refunded: Option<Money>, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE cases SET status = ?, refunded_minor = refunded_minor + ?, updated_at = ? WHERE id = ?",
    )
    .bind(CaseStatus::Closed.code())
    .bind(refunded.map_or(0, |money| money.minor))
    .bind(now)
    .bind(id.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records why follow-ups on the case stopped.
pub async fn stop_followups(conn: &mut Db, id: &CaseId, why: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE cases SET followup_stopped = ?, updated_at = ? WHERE id = ?")
        .bind(why)
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many cases were opened, per outcome code, in code order.
pub async fn opened_by_outcome(conn: &mut Db) -> Result<Vec<(String, i64)>, StoreError> {
    let counts = crate::store::query_as("SELECT outcome, count(*) FROM cases GROUP BY outcome ORDER BY outcome")
        .fetch_all(conn)
        .await?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Added, ByAgent};
    use crate::store::scratch;
    use crate::store::{Store, escalations};

    /// A database with one customer, one order and case AS-1001.
    async fn store_with_case() -> (scratch::Guard, Store) {
        let (db, store) = scratch::store().await;
        let mut tx = store.write().await.expect("tx");
        for sql in [
            "INSERT INTO customers (id, channel, external_id, chat_id, lang, created_at)
             VALUES (1, 'terminal', 'lin', 1, 'en', '2025-03-01T10:00:00Z')",
            "INSERT INTO orders (order_no, phone, phone_tail, customer_name, currency, imported_at)
             VALUES ('T-1', '13800138000', '0138000', 'Lin', 'CNY', '2025-03-01T10:00:00Z')",
            "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, outcome, status, decision,
                                created_at, updated_at, rules_version)
             VALUES ('AS-1001', 1001, 1, 'T-1', 'COAT', 1, 'changed_mind', 'return_refund', 'approved', '{}',
                     '2025-03-01T10:00:00Z', '2025-03-01T10:00:00Z', 'v1')",
        ] {
            crate::store::query(sql).execute(&mut tx).await.expect("seed");
        }
        tx.commit().await.expect("commit");
        (db, store)
    }

    #[tokio::test]
    async fn events_are_stored_as_kind_and_data_and_an_unknown_kind_is_corrupt() {
        let (_db, store) = store_with_case().await;
        let case = CaseId::from_seq(1001);
        let now = DateTime::parse_from_rfc3339("2025-03-02T10:00:00Z").expect("time").to_utc();
        let events = [
            Event::Added(Added::Text { text: "scratched".into() }),
            Event::Taken { by: ByAgent { agent: "Li".into(), agent_id: 11 } },
            Event::Closed { by: None },
        ];
        let mut tx = store.write().await.expect("tx");
        for event in &events {
            add_event(&mut tx, &case, "bot", event, now).await.expect("add");
        }
        let rows: Vec<(String, String)> = crate::store::query_as("SELECT kind, data FROM case_events ORDER BY id")
            .fetch_all(&mut tx)
            .await
            .expect("rows");
        let expected =
            [("added", r#"{"text":"scratched"}"#), ("taken", r#"{"agent":"Li","agent_id":11}"#), ("closed", "{}")];
        assert_eq!(rows, expected.map(|(kind, data)| (kind.to_owned(), data.to_owned())));
        let (timeline, earlier) = escalations::timeline(&mut tx, &case, 10).await.expect("timeline");
        assert_eq!(timeline.iter().map(|entry| &entry.event).collect::<Vec<_>>(), events.iter().collect::<Vec<_>>());
        assert_eq!(earlier, 0);

        crate::store::query(
            "INSERT INTO case_events (case_id, at, actor, kind, data) VALUES ('AS-1001', ?, 'bot', 'teleported', '{}')",
        )
        .bind(now)
        .execute(&mut tx)
        .await
        .expect("insert");
        let corrupt =
            |result: Result<_, StoreError>| matches!(result, Err(StoreError::Corrupt { what: "case event", .. }));
        assert!(corrupt(escalations::timeline(&mut tx, &case, 10).await.map(drop)));
        assert!(corrupt(detail(&mut tx, &case, 1).await.map(drop)));
    }
}
