//! The store, on SQLite or PostgreSQL: the only module that holds SQL. Functions here take a
//! connection or transaction, so that one update and everything it causes
//! commit together.

pub mod cases;
pub mod copy;
pub mod customers;
pub mod decisions;
pub mod escalations;
pub mod evidence;
pub mod facts;
pub mod flags;
pub mod jobs;
pub mod lead;
pub mod orders;
pub mod outbox;
pub mod ownership;
pub mod records;
pub mod report;
pub mod returns;
pub mod scratch;
pub mod topics;
pub mod updates;

mod connection;
mod query;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use connection::{Db, Dialect, Tx};
pub use query::{Done, Param, Record, query, query_as, query_scalar};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored {what} is not readable: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

/// The advisory lock every write transaction takes on PostgreSQL:
/// "aftersales write".
const WRITER_LOCK: i64 = 0x6166_7465_7257_7269;

/// Prepared statements kept per connection: more than the store has.
const STATEMENTS_CACHED: usize = 400;

/// The store's database: SQLite in one file (the default), or PostgreSQL.
/// Either way two pools: a single writer (SQLite allows one at a time, and a
/// deferred transaction that upgrades fails at once; on PostgreSQL one writer
/// keeps an instance's steps in the order they arrived) and a few readers.
#[derive(Clone, Debug)]
pub struct Store {
    pools: Pools,
}

#[derive(Clone, Debug)]
enum Pools {
    Sqlite { writer: SqlitePool, reader: SqlitePool },
    Postgres { writer: PgPool, reader: PgPool, options: Box<PgConnectOptions> },
}

/// Whether `url` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A database URL as it may be shown: without its password, whether given
/// as `user:password@` or as a `password=` parameter.
pub fn shown_url(url: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (url, None),
    };
    let mut shown = match url.split_once("://") {
        Some((scheme, rest)) => {
            match rest[..rest.find('/').unwrap_or(rest.len())].rfind('@').map(|at| rest.split_at(at)) {
                Some((user, host)) => match user.split_once(':') {
                    Some((user, _password)) => format!("{scheme}://{user}:***{host}"),
                    None => format!("{scheme}://{rest}"),
                },
                None => format!("{scheme}://{rest}"),
            }
        }
        None => url.to_owned(),
    };
    if let Some(query) = query {
        let parameters: Vec<String> = query
            .split('&')
            .map(|parameter| match parameter.split_once('=') {
                Some(("password", _)) => "password=***".to_owned(),
                _ => parameter.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&parameters.join("&"));
    }
    shown
}

impl Store {
    /// Opens (creating if missing) the database at `url` — `sqlite://…` or
    /// `postgres://…` — and applies that database's embedded migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let pools = if is_postgres(url) { open_postgres(url).await? } else { open_sqlite(url).await? };
        Ok(Store { pools })
    }

    pub fn dialect(&self) -> Dialect {
        match self.pools {
            Pools::Sqlite { .. } => Dialect::Sqlite,
            Pools::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// A write transaction; on SQLite it holds the write lock from its first
    /// statement.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pools {
            Pools::Sqlite { writer, .. } => Tx::sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres { writer, .. } => {
                let mut tx = writer.begin().await?;
                // One writer at a time across every instance on the
                // database, as SQLite has it: a chat's steps stay in order,
                // and case numbers and the processed-update check unique.
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITER_LOCK).execute(&mut *tx).await?;
                Tx::postgres(tx)
            }
        })
    }

    /// How to open connections of its own on PostgreSQL.
    pub(super) fn postgres_options(&self) -> Option<&PgConnectOptions> {
        match &self.pools {
            Pools::Sqlite { .. } => None,
            Pools::Postgres { options, .. } => Some(options),
        }
    }

    /// A reader for reads that need no transaction.
    pub async fn read(&self) -> Result<Db, StoreError> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => Db::Sqlite(reader.acquire().await?),
            Pools::Postgres { reader, .. } => Db::Postgres(reader.acquire().await?),
        })
    }

    /// A read transaction: several reads that see one moment of the store.
    pub async fn snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => Tx::sqlite(reader.begin().await?),
            Pools::Postgres { reader, .. } => {
                Tx::postgres(reader.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        })
    }
}

async fn open_sqlite(url: &str) -> Result<Pools, StoreError> {
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
    sqlx::migrate!("migrations/sqlite").run(&writer).await?;
    let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
    Ok(Pools::Sqlite { writer, reader })
}

async fn open_postgres(url: &str) -> Result<Pools, StoreError> {
    if !sqlx::Postgres::database_exists(url).await? {
        sqlx::Postgres::create_database(url).await?;
    }
    let options = PgConnectOptions::from_str(url)?.statement_cache_capacity(STATEMENTS_CACHED);
    let writer = PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
    sqlx::migrate!("migrations/postgres").run(&writer).await?;
    let reader = PgPoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
    Ok(Pools::Postgres { writer, reader, options: Box::new(options) })
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

#[cfg(test)]
mod tests {
    use super::shown_url;

    #[test]
    fn passwords_are_not_shown() {
        for (url, seen) in [
            ("postgres://shop:secret@db.example:5432/aftersales", "postgres://shop:***@db.example:5432/aftersales"),
            ("postgres://shop:p@ss@db/x?sslmode=require", "postgres://shop:***@db/x?sslmode=require"),
            ("postgres://shop@db/x", "postgres://shop@db/x"),
            ("postgres://db/x?user=a@b", "postgres://db/x?user=a@b"),
            ("sqlite://shop.db", "sqlite://shop.db"),
            (
                "postgres://db/x?user=shop&password=secret&sslmode=require",
                "postgres://db/x?user=shop&password=***&sslmode=require",
            ),
            ("mysql:shop", "mysql:shop"),
        ] {
            assert_eq!(shown_url(url), seen);
        }
    }
}
