//! A connection to either database, as the store's functions take it: a
//! write transaction, a read transaction, or a pooled reader.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

/// Which SQL a statement must be written in, where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A JSON array of the SQL expressions `items` (comma-separated).
    pub fn json_array(self, items: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_array({items})"),
            Dialect::Postgres => format!("json_build_array({items})"),
        }
    }

    /// The JSON value `json` as text, to be read as a column.
    pub fn json_column(self, json: &str) -> String {
        match self {
            Dialect::Sqlite => json.to_owned(),
            Dialect::Postgres => format!("({json})::text"),
        }
    }

    /// The JSON array (as text) of `item` over a group's rows, ordered by
    /// `order` when not empty; `[]` over none.
    pub fn json_group_array(self, item: &str, order: &str) -> String {
        let order = if order.is_empty() { String::new() } else { format!(" ORDER BY {order}") };
        match self {
            Dialect::Sqlite => format!("json_group_array({item}{order})"),
            Dialect::Postgres => format!("COALESCE(json_agg({item}{order}), '[]')::text"),
        }
    }

    /// The value at `path` (keys joined by dots) in the JSON text column
    /// `column`: SQLite keeps JSON's numbers and booleans, PostgreSQL gives
    /// text, cast to `pg_type` unless that is `text`.
    pub fn json_value(self, column: &str, path: &str, pg_type: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.{path}')"),
            Dialect::Postgres => {
                let text = format!("({column}::jsonb #>> '{{{}}}')", path.replace('.', ","));
                if pg_type == "text" { text } else { format!("{text}::{pg_type}") }
            }
        }
    }

    /// [`json_value`](Self::json_value) as text.
    pub fn json_text(self, column: &str, path: &str) -> String {
        self.json_value(column, path, "text")
    }
}

/// A connection the store's functions run their statements on.
pub enum Db {
    SqliteTx(Transaction<'static, Sqlite>),
    Sqlite(PoolConnection<Sqlite>),
    PostgresTx(Transaction<'static, Postgres>),
    Postgres(PoolConnection<Postgres>),
}

/// The driver's own connection under a [`Db`].
pub(super) enum Raw<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Db {
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::SqliteTx(_) | Db::Sqlite(_) => Dialect::Sqlite,
            Db::PostgresTx(_) | Db::Postgres(_) => Dialect::Postgres,
        }
    }

    pub(super) fn raw(&mut self) -> Raw<'_> {
        match self {
            Db::SqliteTx(tx) => Raw::Sqlite(tx),
            Db::Sqlite(conn) => Raw::Sqlite(conn),
            Db::PostgresTx(tx) => Raw::Postgres(tx),
            Db::Postgres(conn) => Raw::Postgres(conn),
        }
    }
}

/// A transaction: everything done through it commits together or not at all
/// (dropped uncommitted, it rolls back).
pub struct Tx(Db);

impl Tx {
    pub(super) fn sqlite(tx: Transaction<'static, Sqlite>) -> Tx {
        Tx(Db::SqliteTx(tx))
    }

    pub(super) fn postgres(tx: Transaction<'static, Postgres>) -> Tx {
        Tx(Db::PostgresTx(tx))
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Db::SqliteTx(tx) => tx.commit().await,
            Db::PostgresTx(tx) => tx.commit().await,
            Db::Sqlite(_) | Db::Postgres(_) => Ok(()),
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Db::SqliteTx(tx) => tx.rollback().await,
            Db::PostgresTx(tx) => tx.rollback().await,
            Db::Sqlite(_) | Db::Postgres(_) => Ok(()),
        }
    }
}

impl Deref for Tx {
    type Target = Db;

    fn deref(&self) -> &Db {
        &self.0
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Db {
        &mut self.0
    }
}
