//! The lead: what only one instance may do at a time — deliver the outbox
//! (Telegram's rate limits are per bot), run the due jobs, fetch evidence —
//! is done by the instance holding it. On PostgreSQL it is a session
//! advisory lock held on a connection of its own, so when the leading
//! process dies its connection ends and another instance takes the lead
//! at its next try. A SQLite file is served by one process: it leads at once.

use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};

use super::{Store, StoreError};

/// The advisory lock's key: "aftersales lead" (any constant the store's
/// other locks do not use; advisory locks are per database).
const LEAD_LOCK: i64 = 0x6166_7465_724c_6561;

/// How often the leader checks that its lock's connection is alive: the
/// longest it may go on leading after losing the lead to a broken connection.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// A check that takes longer counts as a lost connection.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Holding the lead; dropping it gives the lead up.
pub struct Lead {
    lock: Option<PgConnection>,
}

/// An instance trying to take the lead, on a connection kept between
/// tries (opening one costs more than trying: a password exchange).
pub struct Contender {
    options: Option<PgConnectOptions>,
    conn: Option<PgConnection>,
}

impl Store {
    pub fn contender(&self) -> Contender {
        Contender { options: self.postgres_options().cloned(), conn: None }
    }
}

impl Contender {
    /// The lead if no other instance holds it; `None` if one does.
    pub async fn try_lead(&mut self) -> Result<Option<Lead>, StoreError> {
        let Some(options) = &self.options else {
            return Ok(Some(Lead { lock: None }));
        };
        let mut conn = match self.conn.take() {
            Some(conn) => conn,
            None => options.connect().await?,
        };
        let locked: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LEAD_LOCK).fetch_one(&mut conn).await?;
        if locked {
            Ok(Some(Lead { lock: Some(conn) }))
        } else {
            self.conn = Some(conn);
            Ok(None)
        }
    }
}

impl Lead {
    /// Returns when the lead is lost: its connection broke or stopped
    /// answering (never on SQLite).
    pub async fn lost(&mut self) {
        let Some(conn) = self.lock.as_mut() else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(CHECK_EVERY).await;
            match tokio::time::timeout(CHECK_TIMEOUT, conn.ping()).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::warn!(%error, "the lead's connection broke");
                    return;
                }
                Err(_) => {
                    tracing::warn!("the lead's connection stopped answering");
                    return;
                }
            }
        }
    }
}
