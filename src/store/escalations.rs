//! Escalations (hand-overs to the agents), what the case card shows, the
//! relayed messages behind edits, and the case changes agents make.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::store::Db;

use crate::agents::Escalation;

use crate::escalation::Assignee;

use crate::escalation::Status;

use crate::case::{CaseId, CaseStatus, Event, MediaKind};
use crate::escalation::Why;
use crate::money::{Currency, Money};
use crate::order::OrderNo;
use crate::outgoing::{AlbumItem, AlbumKind};
use crate::policy::{Decision, Outcome};
use crate::reason::Reason;
use crate::store::cases::read_event;
use crate::store::{StoreError, from_json};

#[derive(FromRow)]
struct Row {
    id: i64,
    customer_id: i64,
    case_id: Option<String>,
    topic_key: String,
    why: String,
    status: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    opened_at: DateTime<Utc>,
    taken_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    pings: i64,
    told_late: bool,
}

const COLUMNS: &str = "id, customer_id, case_id, topic_key, why, status, assignee_id, assignee_name, opened_at,
                       taken_at, closed_at, pings, told_late";

impl TryFrom<Row> for Escalation {
    type Error = StoreError;

    fn try_from(row: Row) -> Result<Self, StoreError> {
        let corrupt = |what, detail: &str| StoreError::Corrupt { what, detail: detail.to_owned() };
        Ok(Escalation {
            id: row.id,
            customer_id: row.customer_id,
            case: row.case_id.as_deref().map(CaseId::from_trusted),
            topic_key: row.topic_key,
            why: Why::from_code(&row.why).ok_or_else(|| corrupt("escalation reason", &row.why))?,
            status: Status::from_code(&row.status).ok_or_else(|| corrupt("escalation status", &row.status))?,
            assignee: row.assignee_id.map(|user_id| Assignee { user_id, name: row.assignee_name.unwrap_or_default() }),
            opened_at: row.opened_at,
            taken_at: row.taken_at,
            closed_at: row.closed_at,
            pings: u32::try_from(row.pings).unwrap_or(u32::MAX),
            told_late: row.told_late,
        })
    }
}

/// Opens an escalation, queued. The caller checked there is no active one.
pub async fn open(
    conn: &mut Db,
    customer_id: i64,
    case: Option<&CaseId>,
    why: Why,
    now: DateTime<Utc>,
) -> Result<Escalation, StoreError> {
    let topic_key = Escalation::topic_key_for(case, customer_id);
    let row: Row = crate::store::query_as(format!(
        "INSERT INTO escalations (customer_id, case_id, topic_key, why, status, opened_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?) RETURNING {COLUMNS}"
    ))
    .bind(customer_id)
    .bind(case.map(CaseId::as_str))
    .bind(&topic_key)
    .bind(why.code())
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(case) = case {
        crate::store::query("UPDATE cases SET wants_agent = TRUE, updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(case.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Escalation::try_from(row)
}

/// Stores an escalation's new state.
pub async fn save(conn: &mut Db, escalation: &Escalation, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE escalations SET status = ?, assignee_id = ?, assignee_name = ?, opened_at = ?, taken_at = ?,
                                closed_at = ?, pings = ?, told_late = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(escalation.status.code())
    .bind(escalation.assignee.as_ref().map(|assignee| assignee.user_id))
    .bind(escalation.assignee.as_ref().map(|assignee| assignee.name.as_str()))
    .bind(escalation.opened_at)
    .bind(escalation.taken_at)
    .bind(escalation.closed_at)
    .bind(i64::from(escalation.pings))
    .bind(escalation.told_late)
    .bind(now)
    .bind(escalation.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Db, id: i64) -> Result<Option<Escalation>, StoreError> {
    let row: Option<Row> = crate::store::query_as(format!("SELECT {COLUMNS} FROM escalations WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(Escalation::try_from).transpose()
}

/// The customer's latest escalation, active or not.
pub async fn latest_for_customer(conn: &mut Db, customer_id: i64) -> Result<Option<Escalation>, StoreError> {
    let row: Option<Row> = crate::store::query_as(format!(
        "SELECT {COLUMNS} FROM escalations WHERE customer_id = ? ORDER BY id DESC LIMIT 1"
    ))
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Escalation::try_from).transpose()
}

/// The latest escalation shown in a topic.
pub async fn latest_for_topic(conn: &mut Db, topic_key: &str) -> Result<Option<Escalation>, StoreError> {
    let row: Option<Row> = crate::store::query_as(format!(
        "SELECT {COLUMNS} FROM escalations WHERE topic_key = ? ORDER BY id DESC LIMIT 1"
    ))
    .bind(topic_key)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Escalation::try_from).transpose()
}

/// Escalations still with the agents (queued or taken), oldest first, for `/queue`.
pub async fn open_by_age(conn: &mut Db, limit: u32) -> Result<Vec<(Escalation, String)>, StoreError> {
    let rows: Vec<(i64, String)> = crate::store::query_as(
        "SELECT e.id, c.first_name FROM escalations AS e JOIN customers AS c ON c.id = e.customer_id
         WHERE e.status IN ('queued', 'taken') ORDER BY e.opened_at, e.id LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    let mut open = Vec::with_capacity(rows.len());
    for (id, first_name) in rows {
        if let Some(escalation) = get(conn, id).await? {
            open.push((escalation, first_name));
        }
    }
    Ok(open)
}

/// A case as the agents see it.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub id: CaseId,
    pub order: OrderNo,
    pub phone: String,
    pub item: String,
    pub sku: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub reason: Reason,
    pub detail: String,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub decision: Decision,
    pub agreed: Option<Money>,
    pub responsibility: Option<u8>,
    pub evidence: Vec<AlbumItem>,
}

#[derive(FromRow)]
struct CaseRow {
    id: String,
    order_no: String,
    phone: String,
    item_name: String,
    sku: String,
    quantity: i64,
    unit_price_minor: i64,
    currency: String,
    reason: String,
    detail: String,
    outcome: String,
    status: String,
    decision: String,
    agreed_minor: Option<i64>,
    responsibility: Option<i64>,
}

pub async fn case(conn: &mut Db, id: &CaseId) -> Result<Option<CaseRecord>, StoreError> {
    let row: Option<CaseRow> = crate::store::query_as(
        "SELECT c.id, c.order_no, o.phone, l.item_name, c.sku, c.quantity, l.unit_price_minor, o.currency, c.reason,
                c.detail, c.outcome, c.status, c.decision, c.agreed_minor, c.responsibility
         FROM cases AS c JOIN orders AS o ON o.order_no = c.order_no
         JOIN order_lines AS l ON l.order_no = c.order_no AND l.sku = c.sku
         WHERE c.id = ?",
    )
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let corrupt = |what, detail: &str| StoreError::Corrupt { what, detail: detail.to_owned() };
    let currency = Currency::parse(&row.currency).map_err(|_| corrupt("order currency", &row.currency))?;
    let kinds: Vec<(String, String)> =
        crate::store::query_as("SELECT kind, file_id FROM evidence WHERE case_id = ? ORDER BY id LIMIT 10")
            .bind(id.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let evidence = kinds
        .into_iter()
        .filter_map(|(kind, file_id)| {
            let kind = match MediaKind::from_code(&kind)? {
                MediaKind::Photo => AlbumKind::Photo,
                MediaKind::Video => AlbumKind::Video,
                MediaKind::ImageFile => AlbumKind::Document,
            };
            Some(AlbumItem { kind, file_id })
        })
        .collect();
    Ok(Some(CaseRecord {
        id: CaseId::from_trusted(&row.id),
        order: OrderNo::from_trusted(&row.order_no),
        phone: row.phone,
        item: row.item_name,
        sku: row.sku,
        quantity: u32::try_from(row.quantity).map_err(|_| corrupt("case quantity", &row.quantity.to_string()))?,
        unit_price: Money::new(row.unit_price_minor, currency),
        reason: Reason::from_code(&row.reason).ok_or_else(|| corrupt("case reason", &row.reason))?,
        detail: row.detail,
        outcome: Outcome::from_code(&row.outcome).ok_or_else(|| corrupt("case outcome", &row.outcome))?,
        status: CaseStatus::from_code(&row.status).ok_or_else(|| corrupt("case status", &row.status))?,
        decision: from_json("case decision", &row.decision)?,
        agreed: row.agreed_minor.map(|minor| Money::new(minor, currency)),
        responsibility: row.responsibility.and_then(|code| u8::try_from(code).ok()),
        evidence,
    }))
}

/// An agent's decision on a case.
pub async fn decide(
    conn: &mut Db,
    id: &CaseId,
    status: CaseStatus,
    outcome: Outcome,
    agreed: Option<Money>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE cases SET status = ?, outcome = ?, agreed_minor = coalesce(?, agreed_minor), updated_at = ?
         WHERE id = ?",
    )
    .bind(status.code())
    .bind(outcome.code())
    .bind(agreed.map(|money| money.minor))
    .bind(now)
    .bind(id.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_responsibility(conn: &mut Db, id: &CaseId, code: u8, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE cases SET responsibility = ?, updated_at = ? WHERE id = ?")
        .bind(i64::from(code))
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One entry of a case's timeline: when, who, what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub event: Event,
}

/// The newest `limit` events of a case, oldest first, and how many older ones were left out.
pub async fn timeline(conn: &mut Db, id: &CaseId, limit: u32) -> Result<(Vec<Entry>, usize), StoreError> {
    let total: i64 = crate::store::query_scalar("SELECT count(*) FROM case_events WHERE case_id = ?")
        .bind(id.as_str())
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<(DateTime<Utc>, String, String, String)> = crate::store::query_as(
        "SELECT at, actor, kind, data FROM case_events WHERE case_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(id.as_str())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    let mut entries = rows
        .into_iter()
        .map(|(at, actor, kind, data)| Ok(Entry { at, actor, event: read_event(&kind, &data)? }))
        .collect::<Result<Vec<_>, StoreError>>()?;
    entries.reverse();
    let earlier = usize::try_from(total).unwrap_or(0).saturating_sub(entries.len());
    Ok((entries, earlier))
}

/// Remembers which outbox row carried the copy of a relayed message.
pub async fn record_relay(
    conn: &mut Db,
    escalation_id: i64,
    from_chat: i64,
    from_message_id: i32,
    outbox_id: i64,
) -> Result<(), StoreError> {
    crate::store::query(
        "INSERT INTO relays (escalation_id, from_chat, from_message_id, outbox_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (from_chat, from_message_id) DO NOTHING",
    )
    .bind(escalation_id)
    .bind(from_chat)
    .bind(from_message_id)
    .bind(outbox_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The escalation and the copy's outbox row of a relayed message.
pub async fn relay_of(conn: &mut Db, from_chat: i64, from_message_id: i32) -> Result<Option<(i64, i64)>, StoreError> {
    let found = crate::store::query_as(
        "SELECT escalation_id, outbox_id FROM relays WHERE from_chat = ? AND from_message_id = ?",
    )
    .bind(from_chat)
    .bind(from_message_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found)
}

/// The escalation whose relayed copy went out as outbox row `outbox_id`.
pub async fn relay_by_copy(conn: &mut Db, outbox_id: i64) -> Result<Option<i64>, StoreError> {
    let found = crate::store::query_scalar("SELECT escalation_id FROM relays WHERE outbox_id = ?")
        .bind(outbox_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found)
}

/// Logs an attempt by someone who is not an agent.
pub async fn audit_refused(conn: &mut Db, user_id: i64, what: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let data = serde_json::json!({ "user_id": user_id, "what": what });
    crate::store::query("INSERT INTO audit (at, customer_id, kind, data) VALUES (?, NULL, 'agent_refused', ?)")
        .bind(now)
        .bind(data.to_string())
        .execute(&mut *conn)
        .await?;
    tracing::warn!(user_id, what, "refused: not an agent");
    Ok(())
}

/// A coalesced album replaced outbox row `from` by `to`: its earlier photos' relays follow.
pub async fn repoint_relays(conn: &mut Db, from: i64, to: i64) -> Result<(), StoreError> {
    crate::store::query("UPDATE relays SET outbox_id = ? WHERE outbox_id = ?")
        .bind(to)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
