//! What `aftersales report` reads for a period: the cases that touch it,
//! the order lines delivered in it, the retention offers made in it and
//! the return parcels that moved in it. Only reads, one query a kind of row.

use crate::store::{Db, Dialect};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::case::CaseStatus;
use crate::policy::Outcome;
use crate::reason::Reason;
use crate::report::{AgentId, CaseRow, DeliveredLine, EscalationRow, OfferRow, Period, ReturnRow, Rows};
use crate::store::StoreError;

/// Everything the report of `period` is computed from, read in one go
/// (pass a read transaction so the three reads agree).
pub async fn rows(conn: &mut Db, period: Period) -> Result<Rows, StoreError> {
    Ok(Rows {
        cases: cases(conn, period).await?,
        delivered: delivered(conn, period).await?,
        offers: offers(conn, period).await?,
        returns: returns(conn, period).await?,
        escalations: escalations(conn, period).await?,
    })
}

#[derive(sqlx::FromRow)]
struct Case {
    id: String,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    reason: String,
    outcome: String,
    status: String,
    category: String,
    sku: String,
    refunded_minor: i64,
    agreed_minor: Option<i64>,
    refund_cap_minor: Option<i64>,
    rule: Option<String>,
    verdict: Option<String>,
    rules_version: String,
    survey_sent_at: Option<String>,
    survey_score: Option<i64>,
    survey_comment: Option<String>,
    responsibility: Option<i64>,
    outbound_carrier: Option<String>,
    agent_id: Option<i64>,
    agent_name: Option<String>,
}

/// When the case `c` closed, NULL while it is open: its first closing event
/// (closed by the follow-ups or an agent, or kept for a retention offer;
/// the column `closed_at`, kept by a trigger, migration 0007); a refusal
/// is over when it is decided. `records purge` counts its years from here too.
pub(crate) const CLOSED_AT: &str = "coalesce(c.closed_at, CASE WHEN c.status = 'not_eligible' THEN c.created_at END)";

/// Cases opened before the period ends that were still open at its start,
/// closed in it, or surveyed in it, found through indexes (opened in the
/// period; closed after its start; never closed; surveyed after its start)
/// so that a month reads its own cases, not every case before it. A rated
/// case comes with the agent who last took it (for the agents' CSAT; found
/// by the case's topic key, which `escalations_by_topic` indexes).
async fn cases(conn: &mut Db, period: Period) -> Result<Vec<CaseRow>, StoreError> {
    let dialect = conn.dialect();
    let json = |column: &str, path: &str, pg_type: &str| dialect.json_value(column, path, pg_type);
    let refund_cap = json("c.decision", "refund_cap.minor", "bigint");
    let rule = json("c.decision", "rule", "text");
    let verdict = json("c.decision", "verdict", "text");
    let sent_at = json("c.survey", "sent_at", "text");
    let sent_since = json("survey", "sent_at", "timestamptz");
    // SQLite finds a case by its rowid fastest; PostgreSQL has none.
    let key = match dialect {
        Dialect::Sqlite => "rowid",
        Dialect::Postgres => "id",
    };
    let sql = format!(
        "SELECT c.id, c.created_at, {CLOSED_AT} AS closed_at,
                c.reason, c.outcome, c.status, coalesce(l.category, '') AS category, c.sku,
                c.refunded_minor, c.agreed_minor,
                {refund_cap} AS refund_cap_minor, {rule} AS rule, {verdict} AS verdict,
                c.rules_version, {sent_at} AS survey_sent_at,
                c.survey_score, c.survey_comment, c.responsibility, o.carrier AS outbound_carrier,
                a.assignee_id AS agent_id, a.assignee_name AS agent_name
         FROM cases c LEFT JOIN order_lines l ON l.order_no = c.order_no AND l.sku = c.sku
              LEFT JOIN orders o ON o.order_no = c.order_no
              LEFT JOIN escalations a
                     ON c.survey_score IS NOT NULL
                        AND a.id = (SELECT max(e.id) FROM escalations e
                                     WHERE e.topic_key = 'case:' || c.id AND e.assignee_id IS NOT NULL)
         WHERE c.{key} IN (
             SELECT {key} FROM cases WHERE created_at >= ?1 AND created_at < ?2
             UNION ALL SELECT {key} FROM cases WHERE closed_at >= ?1 AND created_at < ?1
             UNION ALL SELECT {key} FROM cases WHERE closed_at IS NULL AND status != 'not_eligible' AND created_at < ?1
             UNION ALL SELECT {key} FROM cases WHERE {sent_since} >= ?1 AND created_at < ?2)
         ORDER BY c.seq"
    );
    let rows: Vec<Case> = crate::store::query_as(&sql).bind(period.from).bind(period.to).fetch_all(&mut *conn).await?;
    let mut cases = Vec::with_capacity(rows.len());
    for row in rows {
        let case = case_row(row)?;
        let touches = |at: Option<DateTime<Utc>>| at.is_none_or(|at| at >= period.from);
        if touches(case.closed_at) || case.survey_sent_at.is_some_and(|at| at >= period.from) {
            cases.push(case);
        }
    }
    Ok(cases)
}

fn case_row(row: Case) -> Result<CaseRow, StoreError> {
    let corrupt = |what: &'static str, detail: &str| StoreError::Corrupt { what, detail: detail.to_owned() };
    let reason = Reason::from_code(&row.reason).ok_or_else(|| corrupt("case reason", &row.reason))?;
    let outcome = Outcome::from_code(&row.outcome).ok_or_else(|| corrupt("case outcome", &row.outcome))?;
    let status = CaseStatus::from_code(&row.status).ok_or_else(|| corrupt("case status", &row.status))?;
    let survey_sent_at = row.survey_sent_at.as_deref().map(|text| time("survey time", text)).transpose()?;
    Ok(CaseRow {
        id: row.id,
        opened_at: row.created_at,
        closed_at: row.closed_at,
        reason,
        outcome,
        status,
        category: row.category,
        sku: row.sku,
        refunded_minor: row.refunded_minor,
        agreed_minor: row.agreed_minor,
        refund_cap_minor: row.refund_cap_minor.unwrap_or(0),
        rule: code("decision rule", row.rule.as_deref())?,
        verdict: code("decision verdict", row.verdict.as_deref())?,
        rules_version: row.rules_version,
        survey_sent_at,
        survey_score: row.survey_score.and_then(|score| u8::try_from(score).ok()),
        survey_comment: row.survey_comment,
        responsibility: row.responsibility.and_then(|code| u8::try_from(code).ok()),
        outbound_carrier: row.outbound_carrier,
        agent: agent(row.agent_id, row.agent_name),
    })
}

fn agent(id: Option<i64>, name: Option<String>) -> Option<AgentId> {
    id.map(|id| AgentId { name: name.unwrap_or_default(), id })
}

/// An RFC 3339 time as the store writes it into JSON and `group_concat`s.
fn time(what: &'static str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| StoreError::Corrupt { what, detail: format!("{text}: {error}") })
}

/// A value stored as its snake_case code.
fn code<T: DeserializeOwned>(what: &'static str, text: Option<&str>) -> Result<T, StoreError> {
    let text = text.unwrap_or_default();
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StoreError::Corrupt { what, detail: text.to_owned() })
}

async fn delivered(conn: &mut Db, period: Period) -> Result<Vec<DeliveredLine>, StoreError> {
    let rows: Vec<(String, String)> = crate::store::query_as(
        "SELECT l.category, l.sku FROM order_lines l JOIN orders o ON o.order_no = l.order_no
         WHERE o.delivered_at >= ? AND o.delivered_at < ?",
    )
    .bind(period.from)
    .bind(period.to)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(category, sku)| DeliveredLine { category, sku }).collect())
}

async fn offers(conn: &mut Db, period: Period) -> Result<Vec<OfferRow>, StoreError> {
    let rows: Vec<(String, String, Option<i64>, String)> = crate::store::query_as(
        "SELECT offer_id, kind, value_minor, result FROM retention_offers WHERE at >= ? AND at < ? ORDER BY id",
    )
    .bind(period.from)
    .bind(period.to)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(offer_id, kind, value_minor, result)| {
            Ok(OfferRow {
                offer_id,
                kind: code("offer kind", Some(&kind))?,
                value_minor,
                result: code("offer result", Some(&result))?,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct Return {
    case_id: String,
    carrier: Option<String>,
    created_at: DateTime<Utc>,
    payer: Option<String>,
    freight_insurance: Option<bool>,
    shipping_cash_back: Option<bool>,
    tracking_at: Option<DateTime<Utc>>,
    delivered_at: Option<String>,
    inspected_at: Option<DateTime<Utc>>,
    no_scans: Option<String>,
    exceptions: Option<String>,
}

/// Return parcels opened before the period ends that changed in it, or
/// may have: still waiting for a number or on the way (a repeated no-scan
/// alert leaves the row as it was). Their steps come from the case's
/// timeline: the first tracking number, the delivered scan (its own time),
/// the inspection, the no-scan alerts and exception scans.
async fn returns(conn: &mut Db, period: Period) -> Result<Vec<ReturnRow>, StoreError> {
    let dialect = conn.dialect();
    let json = |column: &str, path: &str, pg_type: &str| dialect.json_value(column, path, pg_type);
    let carrier = json("r.state", "parcel.carrier", "text");
    let payer = json("c.decision", "return_shipping", "text");
    let insured = json("c.decision", "freight_insurance", "boolean");
    let cash_back = json("c.decision", "shipping_cash_back", "boolean");
    let scan_at = json("e.data", "at", "text");
    let scan_status = json("e.data", "status", "text");
    // Times as RFC 3339 text, space-separated.
    let times = match dialect {
        Dialect::Sqlite => "group_concat(e.at, ' ')",
        Dialect::Postgres => "string_agg(to_json(e.at) #>> '{}', ' ')",
    };
    let rows: Vec<Return> = crate::store::query_as(format!(
        "SELECT r.case_id, {carrier} AS carrier, r.created_at,
                {payer} AS payer, {insured} AS freight_insurance, {cash_back} AS shipping_cash_back,
                (SELECT min(e.at) FROM case_events e
                  WHERE e.case_id = r.case_id AND e.kind = 'tracking_number') AS tracking_at,
                (SELECT min({scan_at}) FROM case_events e
                  WHERE e.case_id = r.case_id AND e.kind = 'parcel_scan' AND {scan_status} = 'delivered') AS delivered_at,
                (SELECT min(e.at) FROM case_events e
                  WHERE e.case_id = r.case_id AND e.kind IN ('inspection_passed', 'inspection_failed')) AS inspected_at,
                (SELECT {times} FROM case_events e
                  WHERE e.case_id = r.case_id AND e.kind = 'no_scan') AS no_scans,
                (SELECT {times} FROM case_events e
                  WHERE e.case_id = r.case_id AND e.kind = 'parcel_scan' AND {scan_status} = 'exception') AS exceptions
         FROM returns r JOIN cases c ON c.id = r.case_id
         WHERE r.created_at < ? AND (r.updated_at >= ? OR r.stage IN ('awaiting_parcel', 'on_the_way'))
         ORDER BY r.created_at"
    ))
    .bind(period.to)
    .bind(period.from)
    .fetch_all(&mut *conn)
    .await?;
    let times = |what: &'static str, list: Option<&str>| -> Result<Vec<DateTime<Utc>>, StoreError> {
        list.unwrap_or_default().split_whitespace().map(|text| time(what, text)).collect()
    };
    rows.into_iter()
        .map(|row| {
            let delivered_at = row.delivered_at.as_deref().map(|text| time("delivered scan", text)).transpose()?;
            Ok(ReturnRow {
                case: row.case_id,
                carrier: row.carrier,
                approved_at: row.created_at,
                payer: row.payer.as_deref().map(|payer| code("return shipping payer", Some(payer))).transpose()?,
                freight_insurance: row.freight_insurance.unwrap_or(false),
                shipping_cash_back: row.shipping_cash_back.unwrap_or(false),
                tracking_at: row.tracking_at,
                arrived_at: delivered_at.or(row.inspected_at),
                no_scans: times("no-scan alert", row.no_scans.as_deref())?,
                exceptions: times("exception scan", row.exceptions.as_deref())?,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct Escalation {
    topic_key: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    opened_at: DateTime<Utc>,
    taken_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    pings: i64,
}

/// Hand-overs changed since the period began (each step saves the row).
/// Releasing or reopening moves `opened_at`, so the hand-over's start is
/// its `escalated` event: the case's last one before the first take.
/// Resolved: closed, or handed back (the case's last hand-back event).
async fn escalations(conn: &mut Db, period: Period) -> Result<Vec<EscalationRow>, StoreError> {
    let rows: Vec<Escalation> = crate::store::query_as(
        "SELECT e.topic_key, e.assignee_id, e.assignee_name,
                coalesce((SELECT max(ev.at) FROM case_events ev
                           WHERE ev.case_id = e.case_id AND ev.kind = 'escalated'
                             AND ev.at <= coalesce(e.taken_at, e.opened_at)), e.opened_at) AS opened_at,
                e.taken_at,
                CASE e.status
                  WHEN 'closed' THEN e.closed_at
                  WHEN 'handed_back' THEN coalesce((SELECT max(ev.at) FROM case_events ev
                                                     WHERE ev.case_id = e.case_id AND ev.kind = 'handed_back'),
                                                    e.updated_at)
                END AS resolved_at,
                e.pings
         FROM escalations e
         WHERE e.updated_at >= ?
         ORDER BY e.id",
    )
    .bind(period.from)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| EscalationRow {
            topic: row.topic_key,
            agent: agent(row.assignee_id, row.assignee_name),
            opened_at: row.opened_at,
            responded_at: row.taken_at,
            resolved_at: row.resolved_at,
            pings: u32::try_from(row.pings).unwrap_or(u32::MAX),
        })
        .collect())
}
