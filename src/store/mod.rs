//! The SQLite store: the only module that holds SQL. Functions here take a
//! connection or transaction, so that one update and everything it causes
//! commit together.

pub mod cases;
pub mod customers;
pub mod decisions;
pub mod escalations;
pub mod evidence;
pub mod facts;
pub mod flags;
pub mod jobs;
pub mod orders;
pub mod outbox;
pub mod ownership;
pub mod records;
pub mod report;
pub mod returns;
pub mod topics;
pub mod updates;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored {what} is not readable: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

pub type Tx = Transaction<'static, Sqlite>;

/// Prepared statements kept per connection: more than the store has.
const STATEMENTS_CACHED: usize = 400;

/// Two pools over one file: a single writer (SQLite allows one at a time, and
/// a deferred transaction that upgrades fails at once) and a few readers.
#[derive(Clone, Debug)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and applies the
    /// embedded migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Every statement the store has stays prepared (sqlx keeps 100
            // by default, fewer than the store writes): a step re-prepares none.
            .statement_cache_capacity(STATEMENTS_CACHED);
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        sqlx::migrate!().run(&writer).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        Ok(Store { writer, reader })
    }

    /// A write transaction that holds the write lock from its first statement.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A pool for reads that need no transaction.
    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

/// Reads a JSON column, naming what it was if it cannot be read.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt { what, detail: error.to_string() })
}

/// Writes a value to a JSON column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Our own types serialise infallibly: no maps with non-string keys.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
