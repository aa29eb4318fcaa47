//! One statement for either database. The store writes its SQL once, in
//! SQLite's form (`?` and `?N` parameters), binds plain Rust values, and runs
//! it here on whichever database the connection holds: natively through
//! sqlx's own driver (so chrono times and the drivers' type checks stay), with
//! the parameters renumbered `$N` for PostgreSQL. The few statements whose SQL
//! differs between the two pick it by [`Dialect`](super::Dialect).
//!
//! Not sqlx's `Any`: it has no chrono types and leaves placeholders alone, so
//! the store would still need per-database SQL and would lose its types.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Postgres, Sqlite};

use super::connection::{Db, Raw};

/// A row type both databases can decode.
pub trait Record: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}

impl<T> Record for T where T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}

/// A bound value, kept as the type both drivers encode natively.
#[derive(Clone, Debug)]
pub enum Arg<'q> {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<Cow<'q, str>>),
    Time(Option<DateTime<Utc>>),
}

/// A Rust value the store binds.
pub trait Param<'q> {
    fn arg(self) -> Arg<'q>;
    /// The NULL of this value's type (PostgreSQL types its parameters).
    fn null() -> Arg<'q>;
}

macro_rules! param {
    ($type:ty, $variant:ident, |$value:ident| $into:expr) => {
        impl<'q> Param<'q> for $type {
            fn arg(self) -> Arg<'q> {
                let $value = self;
                Arg::$variant(Some($into))
            }
            fn null() -> Arg<'q> {
                Arg::$variant(None)
            }
        }
    };
}

param!(i64, Int, |v| v);
param!(i32, Int, |v| i64::from(v));
param!(u32, Int, |v| i64::from(v));
param!(bool, Bool, |v| v);
// Times go as they are: SQLite keeps nanoseconds (and rows written before
// must still compare equal); PostgreSQL keeps microseconds, truncating the
// stored and the compared value alike.
param!(DateTime<Utc>, Time, |v| v);
param!(String, Text, |v| Cow::Owned(v));
param!(&'q str, Text, |v| Cow::Borrowed(v));
param!(&'q String, Text, |v| Cow::Borrowed(v.as_str()));

impl<'q, T: Param<'q>> Param<'q> for Option<T> {
    fn arg(self) -> Arg<'q> {
        self.map_or_else(T::null, Param::arg)
    }
    fn null() -> Arg<'q> {
        T::null()
    }
}

impl<'q> Param<'q> for &'q Option<String> {
    fn arg(self) -> Arg<'q> {
        self.as_deref().arg()
    }
    fn null() -> Arg<'q> {
        Arg::Text(None)
    }
}

/// What a statement changed.
#[derive(Clone, Copy, Debug)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement and its parameters, not yet run.
#[derive(Clone, Debug)]
pub struct Query<'q> {
    sql: Cow<'q, str>,
    args: Vec<Arg<'q>>,
}

/// A statement whose rows decode into `T`.
pub struct QueryAs<'q, T> {
    query: Query<'q>,
    row: std::marker::PhantomData<fn() -> T>,
}

/// A statement whose rows are one column of `T`.
pub struct QueryScalar<'q, T> {
    query: QueryAs<'q, (T,)>,
}

pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q> {
    Query { sql: sql.into(), args: Vec::new() }
}

pub fn query_as<'q, T: Record>(sql: impl Into<Cow<'q, str>>) -> QueryAs<'q, T> {
    QueryAs { query: query(sql), row: std::marker::PhantomData }
}

pub fn query_scalar<'q, T>(sql: impl Into<Cow<'q, str>>) -> QueryScalar<'q, T>
where
    (T,): Record,
{
    QueryScalar { query: query_as(sql) }
}

/// Binds every argument onto a sqlx query of either database.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::Time(v) => query.bind(v),
            };
        }
        query
    }};
}

impl<'q> Query<'q> {
    pub fn bind(mut self, value: impl Param<'q>) -> Self {
        self.args.push(value.arg());
        self
    }

    pub async fn execute(self, db: &mut Db) -> Result<Done, sqlx::Error> {
        let rows_affected = match db.raw() {
            Raw::Sqlite(conn) => {
                bind_all!(sqlx::query::<Sqlite>(&self.sql), self.args).execute(conn).await?.rows_affected()
            }
            Raw::Postgres(conn) => {
                let sql = numbered(&self.sql);
                bind_all!(sqlx::query::<Postgres>(&sql), self.args).execute(conn).await?.rows_affected()
            }
        };
        Ok(Done { rows_affected })
    }
}

/// Runs `$fetch` (fetch_one, fetch_optional, fetch_all) on either database.
macro_rules! fetch {
    ($query:expr, $db:expr, $row:ty, $fetch:ident) => {{
        let Query { sql, args } = $query;
        match $db.raw() {
            Raw::Sqlite(conn) => bind_all!(sqlx::query_as::<Sqlite, $row>(&sql), args).$fetch(conn).await,
            Raw::Postgres(conn) => {
                let sql = numbered(&sql);
                bind_all!(sqlx::query_as::<Postgres, $row>(&sql), args).$fetch(conn).await
            }
        }
    }};
}

impl<'q, T: Record> QueryAs<'q, T> {
    pub fn bind(mut self, value: impl Param<'q>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one(self, db: &mut Db) -> Result<T, sqlx::Error> {
        fetch!(self.query, db, T, fetch_one)
    }

    pub async fn fetch_optional(self, db: &mut Db) -> Result<Option<T>, sqlx::Error> {
        fetch!(self.query, db, T, fetch_optional)
    }

    pub async fn fetch_all(self, db: &mut Db) -> Result<Vec<T>, sqlx::Error> {
        fetch!(self.query, db, T, fetch_all)
    }
}

impl<'q, T> QueryScalar<'q, T>
where
    (T,): Record,
{
    pub fn bind(mut self, value: impl Param<'q>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one(self, db: &mut Db) -> Result<T, sqlx::Error> {
        Ok(self.query.fetch_one(db).await?.0)
    }

    pub async fn fetch_optional(self, db: &mut Db) -> Result<Option<T>, sqlx::Error> {
        Ok(self.query.fetch_optional(db).await?.map(|(value,)| value))
    }

    pub async fn fetch_all(self, db: &mut Db) -> Result<Vec<T>, sqlx::Error> {
        Ok(self.query.fetch_all(db).await?.into_iter().map(|(value,)| value).collect())
    }
}

/// SQLite's parameters (`?`, `?N`) as PostgreSQL's (`$N`), by SQLite's own
/// rule: a bare `?` is one more than the largest number given so far. Quoted
/// text and identifiers are left alone.
pub fn numbered(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut largest = 0u32;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(open), _) => {
                if c == open {
                    quote = None;
                }
                out.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                let n = match digits.parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => largest + 1,
                };
                largest = largest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            (None, _) => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn parameters_are_numbered_as_sqlite_numbers_them() {
        for (sqlite, postgres) in [
            ("SELECT 1", "SELECT 1"),
            ("a = ? AND b = ?", "a = $1 AND b = $2"),
            ("a = ?2 AND b = ?1 OR c = ?2", "a = $2 AND b = $1 OR c = $2"),
            ("a = ?3 AND b = ?", "a = $3 AND b = $4"),
            ("x = '?' AND y = ?", "x = '?' AND y = $1"),
            ("x = 'it''s ?' AND \"a?\" = ?", "x = 'it''s ?' AND \"a?\" = $1"),
            ("json_extract(d, '$.n') = ?", "json_extract(d, '$.n') = $1"),
        ] {
            assert_eq!(numbered(sqlite), postgres, "{sqlite}");
        }
    }
}
