//! Copies evidence photos from Telegram into the media folder after their
//! case is stored. Runs beside the bot; a file too large or gone is noted
//! on the evidence row and keeps its Telegram file id.

use std::path::PathBuf;
use std::time::Duration;

use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::FileId;
use tokio::sync::watch;

use crate::desk::Desk;
use crate::media;
use crate::store::evidence;

const BATCH: u32 = 20;
const IDLE: Duration = Duration::from_secs(2);

pub async fn run(bot: Bot, desk: Desk, mut shutdown: watch::Receiver<bool>) {
    let dir = PathBuf::from(&desk.config().media.dir);
    let max_bytes = desk.config().media.max_bytes;
    while !*shutdown.borrow() {
        let copied = match download_pending(&bot, &desk, &dir, max_bytes).await {
            Ok(copied) => copied,
            Err(error) => {
                tracing::warn!(%error, "evidence download pass failed");
                0
            }
        };
        if copied == 0 {
            tokio::select! {
                _ = tokio::time::sleep(IDLE) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

async fn download_pending(
    bot: &Bot,
    desk: &Desk,
    dir: &std::path::Path,
    max_bytes: u64,
) -> Result<usize, crate::store::StoreError> {
    let pending = {
        let mut conn = desk.store().reader().acquire().await?;
        evidence::pending(&mut conn, BATCH).await?
    };
    let mut copied = 0;
    for item in pending {
        let outcome = fetch(bot, &item.file_id, dir, max_bytes).await;
        let mut tx = desk.store().write().await?;
        match outcome {
            Ok(file) => {
                evidence::stored(&mut tx, item.id, &file).await?;
                copied += 1;
            }
            Err((error, permanent)) => {
                tracing::warn!(%error, evidence = item.id, "evidence download failed");
                evidence::failed(&mut tx, item.id, &error, permanent).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(copied)
}

/// The stored copy, or the error and whether retrying is pointless.
async fn fetch(
    bot: &Bot,
    file_id: &str,
    dir: &std::path::Path,
    max_bytes: u64,
) -> Result<crate::case::StoredFile, (String, bool)> {
    let file = bot.get_file(FileId(file_id.to_owned())).await.map_err(|error| (error.to_string(), false))?;
    if u64::from(file.size) > max_bytes {
        return Err((format!("file of {} bytes is over the {max_bytes}-byte limit", file.size), true));
    }
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes).await.map_err(|error| (error.to_string(), false))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err((format!("file of {} bytes is over the {max_bytes}-byte limit", bytes.len()), true));
    }
    media::store_bytes(dir, &bytes, media::extension_of(&file.path)).map_err(|error| (error.to_string(), false))
}
