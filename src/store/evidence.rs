//! Evidence files still to be copied into the media folder.

use crate::store::Db;

use crate::case::StoredFile;
use crate::store::StoreError;

/// Downloads are given up after this many failures; the Telegram file id stays.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub file_id: String,
}

/// A case's evidence file: where it is in the media folder (`None` until
/// copied), or why it could not be copied.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct File {
    pub kind: String,
    pub path: Option<String>,
    pub error: Option<String>,
}

pub async fn for_case(conn: &mut Db, case: &crate::case::CaseId) -> Result<Vec<File>, StoreError> {
    Ok(crate::store::query_as(
        "SELECT kind, local_path AS path, download_error AS error FROM evidence WHERE case_id = ? ORDER BY id",
    )
    .bind(case.as_str())
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn pending(conn: &mut Db, limit: u32) -> Result<Vec<Pending>, StoreError> {
    Ok(crate::store::query_as(
        "SELECT id, file_id FROM evidence WHERE sha256 IS NULL AND download_error IS NULL ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn stored(conn: &mut Db, id: i64, file: &StoredFile) -> Result<(), StoreError> {
    crate::store::query("UPDATE evidence SET sha256 = ?, local_path = ?, size_bytes = ? WHERE id = ?")
        .bind(&file.sha256)
        .bind(&file.path)
        .bind(i64::try_from(file.size_bytes).unwrap_or(i64::MAX))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a failed download; a permanent one (too large) ends the tries.
pub async fn failed(conn: &mut Db, id: i64, error: &str, permanent: bool) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE evidence SET download_attempts = download_attempts + 1,
             download_error = CASE WHEN ? OR download_attempts + 1 >= ? THEN ? ELSE NULL END
         WHERE id = ?",
    )
    .bind(permanent)
    .bind(MAX_ATTEMPTS)
    .bind(error)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
