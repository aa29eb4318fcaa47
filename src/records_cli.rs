//! `aftersales records purge`: the personal data of cases closed longer ago
//! than `[records] keep`, removed in one transaction, and the evidence files
//! deleted from the media folder.

use std::io::ErrorKind;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Subcommand;

use aftersales::catalogue;
use aftersales::config::Config;
use aftersales::lang::Lang;
use aftersales::store::{Store, records};

#[derive(Subcommand)]
pub enum RecordsCommand {
    /// Remove the names, phones, Telegram ids, chat texts and evidence files of cases closed
    /// longer ago than [records] keep, keeping the anonymous facts the reports count.
    Purge {
        /// Count what a purge would remove, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The language of the summary (zh or en); the shop's default language without it.
        #[arg(long, value_parser = crate::parse_lang)]
        lang: Option<Lang>,
    },
}

/// `now` is the shell's clock: what "closed longer ago than keep" is counted from.
pub async fn run(store: &Store, config: &Config, command: RecordsCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let RecordsCommand::Purge { dry_run, lang } = command;
    let settings = &config.records;
    let cutoff = settings.cutoff(now);
    let mut tx = store.write().await.context("opening a write transaction")?;
    let (purged, files) = records::purge(&mut tx, cutoff, now).await?;
    if dry_run {
        tx.rollback().await.context("rolling the dry run back")?;
    } else {
        // Before the commit: should a file not go, the store still names it and a rerun tries again.
        for file in &files {
            match std::fs::remove_file(file) {
                Err(error) if error.kind() != ErrorKind::NotFound => {
                    return Err(error).with_context(|| format!("deleting {}", file.display()));
                }
                _ => {}
            }
        }
        tx.commit().await.context("committing the purge")?;
    }
    let day = cutoff.with_timezone(&config.shop.timezone.0).date_naive();
    let lang = lang.unwrap_or(config.shop.default_language);
    print!("{}", catalogue::records::purged(lang, &purged, settings.keep, day, dry_run));
    Ok(())
}
