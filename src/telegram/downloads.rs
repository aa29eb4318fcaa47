//! Evidence from Telegram into the media folder. A customer's photo, video
//! or file is fetched and checked by its content (`media::store_evidence`)
//! before the desk sees it, so what is not a photo or video never counts.
//! One that could not be fetched then (Telegram unreachable, too large)
//! goes on unchecked and is copied after its case is stored, by the same
//! check; a file too large, gone or not evidence is noted on the evidence
//! row and keeps its Telegram file id.

use std::path::PathBuf;
use std::time::Duration;

use teloxide::net::Download;
use teloxide::payloads::GetFile;
use teloxide::prelude::*;
use teloxide::types::FileId;
use tokio::sync::watch;

use crate::conversation::Input;
use crate::desk::{Desk, Incoming};
use crate::media::{self, EvidenceError};
use crate::store::evidence;
use crate::telegram::api;

const BATCH: u32 = 20;
const IDLE: Duration = Duration::from_secs(2);

pub async fn run(bot: Bot, desk: Desk, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        let copied = match download_pending(&bot, &desk).await {
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

/// A customer's media, checked: stored when it is a photo or video,
/// `Input::NotEvidence` when it is not, unchanged when it cannot be fetched.
pub async fn check(bot: &Bot, desk: &Desk, incoming: Incoming) -> Incoming {
    let Input::Media { kind, file_id, file_unique_id, media_group_id, stored: None, caption } = incoming.input else {
        return incoming;
    };
    let input = match fetch(bot, desk, &file_id).await {
        Ok(stored) => Input::Media { kind, file_id, file_unique_id, media_group_id, stored: Some(stored), caption },
        Err(Fetched::NotEvidence(why)) => {
            tracing::info!(%why, file_id, "refused a file that is not evidence");
            Input::NotEvidence
        }
        Err(Fetched::Failed(error, _)) => {
            tracing::warn!(%error, file_id, "could not check the file now; it is copied later");
            Input::Media { kind, file_id, file_unique_id, media_group_id, stored: None, caption }
        }
    };
    Incoming { input, ..incoming }
}

async fn download_pending(bot: &Bot, desk: &Desk) -> Result<usize, crate::store::StoreError> {
    let pending = {
        let mut conn = desk.store().read().await?;
        evidence::pending(&mut conn, BATCH).await?
    };
    let mut copied = 0;
    for item in pending {
        let outcome = fetch(bot, desk, &item.file_id).await;
        let mut tx = desk.store().write().await?;
        match outcome {
            Ok(file) => {
                evidence::stored(&mut tx, item.id, &file).await?;
                copied += 1;
            }
            Err(Fetched::NotEvidence(why)) => {
                tracing::warn!(%why, evidence = item.id, "evidence is not a photo or video; not stored");
                evidence::failed(&mut tx, item.id, &why.to_string(), true).await?;
            }
            Err(Fetched::Failed(error, permanent)) => {
                tracing::warn!(%error, evidence = item.id, "evidence download failed");
                evidence::failed(&mut tx, item.id, &error, permanent).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(copied)
}

/// Why a file is not in the media folder.
enum Fetched {
    NotEvidence(media::NotEvidence),
    /// The error, and whether retrying is pointless.
    Failed(String, bool),
}

/// The file downloaded and stored, if it is a photo or video.
async fn fetch(bot: &Bot, desk: &Desk, file_id: &str) -> Result<crate::case::StoredFile, Fetched> {
    let settings = &desk.config().media;
    let max_bytes = settings.max_bytes;
    let too_large =
        |size: u64| Fetched::Failed(format!("file of {size} bytes is over the {max_bytes}-byte limit"), true);
    let file = api::call(bot, &GetFile::new(FileId(file_id.to_owned())))
        .await
        .map_err(|error| Fetched::Failed(error.to_string(), false))?;
    if u64::from(file.size) > max_bytes {
        return Err(too_large(u64::from(file.size)));
    }
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes).await.map_err(|error| Fetched::Failed(error.to_string(), false))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err(too_large(u64::try_from(bytes.len()).unwrap_or(u64::MAX)));
    }
    match media::store_evidence(&PathBuf::from(&settings.dir), &bytes) {
        Ok((stored, _)) => Ok(stored),
        Err(EvidenceError::NotEvidence(why)) => Err(Fetched::NotEvidence(why)),
        Err(EvidenceError::Io(error)) => Err(Fetched::Failed(error.to_string(), false)),
    }
}
