//! Throw-away databases for tests and benches. By default a SQLite file
//! at a path the caller picks (in its temporary folder); when
//! `AFTERSALES_TEST_DB` names a PostgreSQL server (`postgres://user:pw@host`),
//! a fresh database there, dropped when the scratch is. So one suite runs
//! unchanged on either database.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::migrate::MigrateDatabase;

use super::{Dialect, Store, StoreError};

/// The variable naming the PostgreSQL server tests run on.
pub const SERVER_VAR: &str = "AFTERSALES_TEST_DB";

pub struct Scratch {
    url: String,
    dialect: Dialect,
}

impl Scratch {
    /// A new scratch database: `sqlite_file` unless tests run on PostgreSQL.
    pub fn new(sqlite_file: &Path) -> Scratch {
        match std::env::var(SERVER_VAR) {
            Ok(server) if !server.is_empty() => Scratch::on_server(&server),
            _ => Scratch { url: format!("sqlite://{}", sqlite_file.display()), dialect: Dialect::Sqlite },
        }
    }

    /// A new, not yet created, database on the PostgreSQL server `server`.
    pub fn on_server(server: &str) -> Scratch {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = chrono::Utc::now().timestamp_subsec_nanos();
        let name = format!("scratch_{}_{n}_{nanos}", std::process::id());
        Scratch { url: format!("{}/{name}", server.trim_end_matches('/')), dialect: Dialect::Postgres }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which database it is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Opens the store on it (creating and migrating the database).
    pub async fn open(&self) -> Result<Store, StoreError> {
        Store::open(&self.url).await
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.dialect == Dialect::Sqlite {
            return;
        }
        // Dropped inside a test's runtime, which must not block: a thread
        // with its own runtime drops the database (closing its connections).
        let url = self.url.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(sqlx::Postgres::force_drop_database(&url)).ok()
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            // On stderr: tests print no logs, and a leftover should be seen.
            eprintln!("could not drop the scratch database {}", self.url);
        }
    }
}

/// What keeps a test's scratch database alive: drop it last.
#[cfg(test)]
pub(crate) struct Guard {
    _scratch: Scratch,
    _dir: tempfile::TempDir,
}

/// A test's store on a scratch database of its own.
#[cfg(test)]
pub(crate) async fn store() -> (Guard, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scratch = Scratch::new(&dir.path().join("scratch.db"));
    let store = scratch.open().await.expect("open the scratch store");
    (Guard { _scratch: scratch, _dir: dir }, store)
}
