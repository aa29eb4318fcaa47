//! `aftersales db copy`: a shop's SQLite database mirrored into PostgreSQL.
//!
//! The source is read in one read transaction, so the copy is one moment of
//! a shop whose bot keeps running (SQLite's WAL lets it write meanwhile).
//! The tables and their columns come from SQLite's own schema, in
//! foreign-key order, and must match the target's (both migrated by the same
//! binary). Rows go over as JSON objects SQLite builds, in rowid order, a
//! batch per statement, and PostgreSQL turns them into the target columns'
//! types (`json_to_recordset`: 0/1 into booleans, RFC 3339 text into
//! timestamptz, cut to the microsecond; JSON text columns kept as the same
//! text).
//!
//! The target ends up holding what the source held: new rows are inserted,
//! rows that changed since an earlier copy are updated, rows the source no
//! longer has (jobs that ran, purged data) are removed. So a copy taken
//! while the bot runs can be caught up by a second one after it stops, and a
//! copy with nothing new changes nothing and says so. Each batch commits on
//! its own: an interrupted copy keeps what it wrote, and running it again
//! finishes it. Once the bot runs on PostgreSQL, copying the old file again
//! would undo what it did there.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::migrate::MigrateDatabase;

use super::{Db, Store, StoreError, is_postgres, query, query_as, query_scalar, shown_url};

/// Rows per statement: few enough that a batch's JSON stays small, enough
/// that a round trip per batch costs little.
const BATCH: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("--from must name a SQLite database (sqlite://…), not {0}: the copy goes from SQLite to PostgreSQL only")]
    Source(String),
    #[error(
        "--to must name a PostgreSQL database (postgres://…), not {0}: the copy goes from SQLite to PostgreSQL only"
    )]
    Target(String),
    #[error("there is no SQLite database at {0}")]
    Missing(String),
    #[error("could not open {url}")]
    Open { url: String, source: StoreError },
    #[error("the two databases' tables differ ({0}); copy with the aftersales version that made the source")]
    Schema(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// How far a table's copy is: `done` reaches `total` at its last report.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a> {
    pub table: &'a str,
    pub done: u64,
    pub total: u64,
}

/// What a copy did to a table of the target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub table: String,
    /// Rows the target did not have.
    pub copied: u64,
    /// Rows the target had with other values.
    pub updated: u64,
    /// Rows the target had and the source no longer has.
    pub removed: u64,
    /// Rows the target already had as they are.
    pub unchanged: u64,
    /// Rows in the target's table afterwards.
    pub total: u64,
}

/// A table as the copy sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Table {
    name: String,
    columns: Vec<String>,
    /// The primary key's columns; empty for a table without one.
    key: Vec<String>,
    /// The tables its foreign keys point to.
    parents: BTreeSet<String>,
    /// Each column's type in the target, as PostgreSQL writes it.
    types: Vec<String>,
}

/// Copies the SQLite database `from` into the PostgreSQL database `to`
/// (created and migrated if need be), reporting each table's progress.
pub async fn copy(from: &str, to: &str, mut progress: impl FnMut(&Progress<'_>)) -> Result<Vec<Counts>, CopyError> {
    let (source, target) = open(from, to).await?;
    let mut snapshot = source.snapshot().await?;
    let mut tables = in_key_order(source_tables(&mut snapshot).await?)?;
    let identities = check_target(&target, &mut tables).await?;
    let mut counts: Vec<Counts> =
        tables.iter().map(|t| Counts { table: t.name.clone(), ..Counts::default() }).collect();
    // Children first, so no row removed is still referred to.
    for (table, count) in tables.iter().zip(counts.iter_mut()).rev() {
        let keys: String = query_scalar(format!(
            "SELECT json_group_array({}) FROM {}",
            object(match_columns(table)),
            ident(&table.name)
        ))
        .fetch_one(&mut snapshot)
        .await?;
        let mut tx = target.write().await?;
        let removed: i64 = query_scalar(remove_sql(table)).bind(keys).fetch_one(&mut tx).await?;
        tx.commit().await?;
        count.removed = count_of(removed);
    }
    for (table, count) in tables.iter().zip(counts.iter_mut()) {
        copy_table(&mut snapshot, &target, table, count, &mut progress).await?;
        let mut tx = target.write().await?;
        for column in identities.get(&table.name).into_iter().flatten() {
            // Rows inserted later get ids past the copied ones.
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence(?, ?), max({})) FROM {}",
                ident(column),
                ident(&table.name)
            );
            query(sql).bind(ident(&table.name)).bind(column.as_str()).execute(&mut tx).await?;
        }
        let total: i64 =
            query_scalar(format!("SELECT COUNT(*) FROM {}", ident(&table.name))).fetch_one(&mut tx).await?;
        tx.commit().await?;
        count.total = count_of(total);
    }
    snapshot.rollback().await?;
    Ok(counts)
}

/// Opens both databases, refusing any direction but SQLite to PostgreSQL and
/// a source that does not exist (opening it would make an empty one).
async fn open(from: &str, to: &str) -> Result<(Store, Store), CopyError> {
    if !from.starts_with("sqlite:") {
        return Err(CopyError::Source(shown_url(from)));
    }
    if !is_postgres(to) {
        return Err(CopyError::Target(shown_url(to)));
    }
    let exists = sqlx::Sqlite::database_exists(from)
        .await
        .map_err(|error| CopyError::Open { url: shown_url(from), source: error.into() })?;
    if !exists {
        return Err(CopyError::Missing(shown_url(from)));
    }
    let source = Store::open(from).await.map_err(|source| CopyError::Open { url: shown_url(from), source })?;
    let target = Store::open(to).await.map_err(|source| CopyError::Open { url: shown_url(to), source })?;
    Ok((source, target))
}

/// One table's rows, batch by batch in rowid order.
async fn copy_table(
    snapshot: &mut Db,
    target: &Store,
    table: &Table,
    count: &mut Counts,
    progress: &mut impl FnMut(&Progress<'_>),
) -> Result<(), CopyError> {
    let total: i64 =
        query_scalar(format!("SELECT COUNT(*) FROM {}", ident(&table.name))).fetch_one(&mut *snapshot).await?;
    let total = count_of(total);
    progress(&Progress { table: &table.name, done: 0, total });
    let read = format!(
        "SELECT rowid, {} FROM {} WHERE rowid > ? ORDER BY rowid LIMIT ?",
        object(&table.columns),
        ident(&table.name)
    );
    let write = write_sql(table);
    // A table without a key goes in one statement, which compares it whole.
    let limit = if table.key.is_empty() { i64::MAX } else { BATCH };
    let (mut after, mut done) = (i64::MIN, 0);
    loop {
        let rows: Vec<(i64, String)> =
            query_as(read.as_str()).bind(after).bind(limit).fetch_all(&mut *snapshot).await?;
        let Some((last, _)) = rows.last() else { break };
        after = *last;
        let n = rows.len() as u64;
        let batch = format!("[{}]", rows.into_iter().map(|(_, row)| row).collect::<Vec<_>>().join(","));
        let mut tx = target.write().await?;
        let (copied, updated): (i64, i64) = query_as(write.as_str()).bind(batch).fetch_one(&mut tx).await?;
        tx.commit().await?;
        let (copied, updated) = (count_of(copied), count_of(updated));
        count.copied += copied;
        count.updated += updated;
        count.unchanged += n.saturating_sub(copied + updated);
        done += n;
        progress(&Progress { table: &table.name, done, total });
    }
    Ok(())
}

/// The source's tables (but sqlx's own), with columns, keys and parents.
async fn source_tables(db: &mut Db) -> Result<Vec<Table>, CopyError> {
    let columns: Vec<(String, String, i64)> = query_as(
        "SELECT m.name, c.name, c.pk FROM sqlite_master m JOIN pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name != '_sqlx_migrations'
         ORDER BY m.name, c.cid",
    )
    .fetch_all(&mut *db)
    .await?;
    let parents: Vec<(String, String)> = query_as(
        "SELECT DISTINCT m.name, f.\"table\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table'",
    )
    .fetch_all(&mut *db)
    .await?;
    let mut tables: BTreeMap<String, (Table, Vec<(i64, String)>)> = BTreeMap::new();
    for (name, column, pk) in columns {
        let (table, key) = tables.entry(name.clone()).or_insert_with(|| {
            let table =
                Table { name, columns: Vec::new(), key: Vec::new(), parents: BTreeSet::new(), types: Vec::new() };
            (table, Vec::new())
        });
        if pk > 0 {
            key.push((pk, column.clone()));
        }
        table.columns.push(column);
    }
    for (child, parent) in parents {
        if let Some((table, _)) = tables.get_mut(&child) {
            table.parents.insert(parent);
        }
    }
    Ok(tables
        .into_values()
        .map(|(mut table, mut key)| {
            key.sort();
            table.key = key.into_iter().map(|(_, column)| column).collect();
            table
        })
        .collect())
}

/// Checks that the target has the same tables with the same columns, notes
/// their types there, and returns each table's identity columns.
async fn check_target(target: &Store, tables: &mut [Table]) -> Result<BTreeMap<String, Vec<String>>, CopyError> {
    let rows: Vec<(String, String, String, bool)> = query_as(
        "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attidentity <> ''
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
           AND c.relname <> '_sqlx_migrations' AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname, a.attnum",
    )
    .fetch_all(&mut target.read().await?)
    .await?;
    let mut types: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut identities: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column, pg_type, identity) in rows {
        if identity {
            identities.entry(table.clone()).or_default().push(column.clone());
        }
        types.entry(table).or_default().insert(column, pg_type);
    }
    let columns = |schema: &BTreeMap<String, BTreeMap<String, String>>| -> BTreeMap<String, BTreeSet<String>> {
        schema.iter().map(|(table, columns)| (table.clone(), columns.keys().cloned().collect())).collect()
    };
    let source = tables.iter().map(|t| (t.name.clone(), t.columns.iter().cloned().collect())).collect();
    if let Some(difference) = difference(&source, &columns(&types)) {
        return Err(CopyError::Schema(difference));
    }
    for table in tables.iter_mut() {
        let theirs = types.get(&table.name);
        table.types =
            table.columns.iter().map(|c| theirs.and_then(|t| t.get(c)).cloned().unwrap_or_default()).collect();
    }
    Ok(identities)
}

/// The first difference between two schemas (table → columns), in words.
fn difference(
    source: &BTreeMap<String, BTreeSet<String>>,
    target: &BTreeMap<String, BTreeSet<String>>,
) -> Option<String> {
    for (table, columns) in source {
        let Some(theirs) = target.get(table) else { return Some(format!("the target has no table {table}")) };
        if let Some(column) = columns.symmetric_difference(theirs).next() {
            let side = if columns.contains(column) { "target" } else { "source" };
            return Some(format!("the {side} has no column {table}.{column}"));
        }
    }
    let extra = target.keys().find(|table| !source.contains_key(*table))?;
    Some(format!("the source has no table {extra}"))
}

/// The tables with every table after those its foreign keys point to
/// (alphabetical where the keys leave a choice).
fn in_key_order(tables: Vec<Table>) -> Result<Vec<Table>, CopyError> {
    let mut left: BTreeMap<String, Table> = tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut ordered: Vec<Table> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready: Vec<String> = left
            .values()
            .filter(|t| t.parents.iter().all(|p| *p == t.name || !left.contains_key(p)))
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            let names: Vec<&str> = left.keys().map(String::as_str).collect();
            return Err(CopyError::Schema(format!("foreign keys in a cycle among {}", names.join(", "))));
        }
        ordered.extend(ready.iter().filter_map(|name| left.remove(name)));
    }
    Ok(ordered)
}

/// The columns that tell a table's rows apart: its key, or all of them.
fn match_columns(table: &Table) -> &[String] {
    if table.key.is_empty() { &table.columns } else { &table.key }
}

/// SQLite's JSON object of `columns`, each under its own name.
fn object(columns: &[String]) -> String {
    let pairs: Vec<String> = columns.iter().map(|c| format!("'{}', {}", c.replace('\'', "''"), ident(c))).collect();
    format!("json_object({})", pairs.join(", "))
}

/// PostgreSQL: the rows of the JSON array bound, typed as the table's
/// columns. Times are cut to the microsecond, as sqlx sends them (PostgreSQL
/// would round the text SQLite keeps, nanoseconds, to the nearest one), so a
/// copied time equals the one the bot would have written.
fn incoming(table: &Table) -> String {
    let columns = table.columns.iter().zip(&table.types);
    let (mut declared, mut selected) = (Vec::new(), Vec::new());
    for (column, pg_type) in columns {
        let c = ident(column);
        if pg_type == TIMESTAMPTZ {
            declared.push(format!("{c} text"));
            selected.push(format!("regexp_replace(r.{c}, '(\\.[0-9]{{6}})[0-9]+', '\\1')::timestamptz AS {c}"));
        } else {
            declared.push(format!("{c} {pg_type}"));
            selected.push(format!("r.{c}"));
        }
    }
    format!("SELECT {} FROM json_to_recordset(?::json) AS r({})", selected.join(", "), declared.join(", "))
}

const TIMESTAMPTZ: &str = "timestamp with time zone";

/// PostgreSQL: removes the rows whose key is not in the JSON array bound,
/// and counts them.
fn remove_sql(table: &Table) -> String {
    let name = ident(&table.name);
    let same: Vec<String> = match_columns(table).iter().map(|c| format!("s.{c} = {name}.{c}", c = ident(c))).collect();
    format!(
        "WITH gone AS (DELETE FROM {name} WHERE NOT EXISTS (SELECT 1 FROM ({}) AS s WHERE {}) RETURNING 1)
         SELECT COUNT(*) FROM gone",
        incoming(table),
        same.join(" AND ")
    )
}

/// PostgreSQL: writes the rows of the JSON array bound, and counts those
/// inserted and those updated. A keyed row already there is updated only if
/// it differs; a table without a key gets the rows it lacks (as a multiset).
fn write_sql(table: &Table) -> String {
    let name = ident(&table.name);
    let columns: Vec<String> = table.columns.iter().map(|c| ident(c)).collect();
    let into = format!("INSERT INTO {name} ({})", columns.join(", "));
    let write = if table.key.is_empty() {
        format!(
            "{into} {} EXCEPT ALL SELECT {} FROM {name} RETURNING TRUE AS inserted",
            incoming(table),
            columns.join(", ")
        )
    } else {
        let key: Vec<String> = table.key.iter().map(|c| ident(c)).collect();
        let set: Vec<String> = columns.iter().map(|c| format!("{c} = EXCLUDED.{c}")).collect();
        // A row inserted has no deleting transaction yet (xmax 0); one updated has.
        format!(
            "{into} {} ON CONFLICT ({}) DO UPDATE SET {}
             WHERE ({name}.*) IS DISTINCT FROM (EXCLUDED.*) RETURNING (xmax = 0) AS inserted",
            incoming(table),
            key.join(", "),
            set.join(", ")
        )
    };
    format!(
        "WITH written AS ({write})
         SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) FROM written"
    )
}

/// A quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn count_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, parents: &[&str]) -> Table {
        Table {
            name: name.to_owned(),
            columns: vec!["id".to_owned()],
            key: vec!["id".to_owned()],
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            types: vec!["bigint".to_owned()],
        }
    }

    fn names(tables: &[Table]) -> Vec<&str> {
        tables.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn tables_come_after_the_tables_their_keys_point_to() {
        let tables = vec![
            table("relays", &["escalations", "outbox"]),
            table("cases", &["customers", "orders"]),
            table("escalations", &["customers", "cases"]),
            table("outbox", &[]),
            table("customers", &[]),
            table("orders", &[]),
            table("tree", &["tree"]),
        ];
        let ordered = in_key_order(tables).expect("no cycle");
        assert_eq!(names(&ordered), ["customers", "orders", "outbox", "tree", "cases", "escalations", "relays"]);
    }

    #[test]
    fn a_cycle_of_foreign_keys_is_refused_by_name() {
        let error = in_key_order(vec![table("a", &["b"]), table("b", &["a"]), table("c", &[])]).expect_err("a cycle");
        assert!(error.to_string().contains("cycle among a, b"), "{error}");
    }

    #[test]
    fn schemas_differing_in_a_table_or_a_column_are_named() {
        let schema = |tables: &[(&str, &[&str])]| -> BTreeMap<String, BTreeSet<String>> {
            tables.iter().map(|(t, cs)| ((*t).to_owned(), cs.iter().map(|c| (*c).to_owned()).collect())).collect()
        };
        let source = schema(&[("cases", &["id", "seq"]), ("jobs", &["id"])]);
        assert_eq!(difference(&source, &source.clone()), None);
        let cases = [
            (schema(&[("cases", &["id", "seq"])]), "the target has no table jobs"),
            (schema(&[("cases", &["id"]), ("jobs", &["id"])]), "the target has no column cases.seq"),
            (schema(&[("cases", &["id", "seq", "x"]), ("jobs", &["id"])]), "the source has no column cases.x"),
            (schema(&[("cases", &["id", "seq"]), ("jobs", &["id"]), ("new", &["id"])]), "the source has no table new"),
        ];
        for (target, said) in cases {
            assert_eq!(difference(&source, &target).as_deref(), Some(said));
        }
    }

    #[tokio::test]
    async fn every_table_of_the_migrations_is_found_in_key_order_with_its_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&format!("sqlite://{}", dir.path().join("shop.db").display())).await.expect("store");
        let mut db = store.read().await.expect("reader");
        let tables = in_key_order(source_tables(&mut db).await.expect("tables")).expect("no cycle");
        let position = |name: &str| tables.iter().position(|t| t.name == name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(tables.len(), 22, "{:?}", names(&tables));
        assert!(!tables.iter().any(|t| t.name.starts_with("_sqlx") || t.name == "agent_requests"));
        for (parent, child) in
            [("customers", "cases"), ("orders", "order_lines"), ("cases", "case_events"), ("escalations", "relays")]
        {
            assert!(position(parent) < position(child), "{parent} before {child}");
        }
        let key = |name: &str| tables[position(name)].key.clone();
        assert_eq!(key("order_lines"), ["order_no", "sku"]);
        assert_eq!(key("processed_updates"), ["channel", "update_id"]);
        assert_eq!(key("proof_alerts"), Vec::<String>::new());
        assert_eq!(tables[position("outbox")].columns.first().map(String::as_str), Some("id"));
    }
}
