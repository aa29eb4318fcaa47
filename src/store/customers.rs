//! Customers, one per channel identity, with their language and their
//! conversation's state.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::store::Db;

use crate::conversation::Conversation;
use crate::lang::Lang;
use crate::store::{StoreError, from_json, to_json};

/// Who wrote: a channel ("telegram", "terminal") and the id it gives the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub channel: &'static str,
    pub external_id: String,
    pub chat_id: i64,
    pub first_name: String,
    /// The language the client reports, if any (Telegram's language_code).
    pub language_code: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Customer {
    pub id: i64,
    pub first_name: String,
    pub conversation: Conversation,
}

/// Finds the customer behind `identity`, creating them (and a fresh
/// conversation in their client's language) on first contact.
pub async fn find_or_create(
    conn: &mut Db,
    identity: &Identity,
    default_lang: Lang,
    now: DateTime<Utc>,
) -> Result<Customer, StoreError> {
    let row: Option<(i64, String, Option<String>)> = crate::store::query_as(
        "SELECT c.id, c.first_name, v.state FROM customers c LEFT JOIN conversations v ON v.customer_id = c.id
         WHERE c.channel = ? AND c.external_id = ?",
    )
    .bind(identity.channel)
    .bind(&identity.external_id)
    .fetch_optional(&mut *conn)
    .await?;
    let lang = Lang::from_client(identity.language_code.as_deref(), default_lang);
    match row {
        Some((id, first_name, state)) => {
            let conversation = match state {
                Some(state) => from_json("conversation state", &state)?,
                None => Conversation::new(lang),
            };
            Ok(Customer { id, first_name, conversation })
        }
        None => {
            let id: i64 = crate::store::query_scalar(
                "INSERT INTO customers (channel, external_id, chat_id, first_name, lang, created_at)
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(identity.channel)
            .bind(&identity.external_id)
            .bind(identity.chat_id)
            .bind(&identity.first_name)
            .bind(lang.code())
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            Ok(Customer { id, first_name: identity.first_name.clone(), conversation: Conversation::new(lang) })
        }
    }
}

/// Who the customer is, for the card and for relaying.
#[derive(Clone, Debug, FromRow)]
pub struct CustomerInfo {
    pub id: i64,
    pub channel: String,
    pub chat_id: i64,
    pub first_name: String,
    pub lang: String,
}

impl CustomerInfo {
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.lang).unwrap_or(Lang::Zh)
    }
}

pub async fn by_id(conn: &mut Db, id: i64) -> Result<Option<CustomerInfo>, StoreError> {
    let info = crate::store::query_as("SELECT id, channel, chat_id, first_name, lang FROM customers WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(info)
}

/// The first name of the customer whose replies go to `chat_id` on `channel`.
pub async fn name_by_chat(conn: &mut Db, channel: &str, chat_id: i64) -> Result<Option<String>, StoreError> {
    let name = crate::store::query_scalar("SELECT first_name FROM customers WHERE channel = ? AND chat_id = ? LIMIT 1")
        .bind(channel)
        .bind(chat_id)
        .fetch_optional(conn)
        .await?;
    Ok(name)
}

/// The customer behind `identity`, if they have written before.
pub async fn find(conn: &mut Db, identity: &Identity) -> Result<Option<Customer>, StoreError> {
    let row: Option<(i64, String, Option<String>, String)> = crate::store::query_as(
        "SELECT c.id, c.first_name, v.state, c.lang FROM customers c LEFT JOIN conversations v ON v.customer_id = c.id
         WHERE c.channel = ? AND c.external_id = ?",
    )
    .bind(identity.channel)
    .bind(&identity.external_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(id, first_name, state, lang)| {
        let conversation = match state {
            Some(state) => from_json("conversation state", &state)?,
            None => Conversation::new(Lang::from_code(&lang).unwrap_or(Lang::Zh)),
        };
        Ok(Customer { id, first_name, conversation })
    })
    .transpose()
}

/// A customer's conversation, if they have one.
pub async fn conversation(conn: &mut Db, customer_id: i64) -> Result<Option<Conversation>, StoreError> {
    let state: Option<String> = crate::store::query_scalar("SELECT state FROM conversations WHERE customer_id = ?")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    state.map(|state| from_json("conversation state", &state)).transpose()
}

/// Saves the conversation (its language goes to the customer with [`set_lang`]).
pub async fn save_conversation(
    conn: &mut Db,
    customer_id: i64,
    conversation: &Conversation,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query(
        "INSERT INTO conversations (customer_id, state, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (customer_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    )
    .bind(customer_id)
    .bind(to_json(conversation))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The language the customer chose, for what reaches them outside their
/// conversation (follow-ups, agents' replies). Written only when it
/// changes, beside [`save_conversation`], which does not write it.
pub async fn set_lang(conn: &mut Db, customer_id: i64, lang: Lang) -> Result<(), StoreError> {
    crate::store::query("UPDATE customers SET lang = ? WHERE id = ?")
        .bind(lang.code())
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
