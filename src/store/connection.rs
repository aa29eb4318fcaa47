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
