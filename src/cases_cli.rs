//! `aftersales cases list|show|export`: what a shop owner reads about the
//! cases in a terminal (aligned columns, times in the shop's zone), as JSON,
//! or as CSV for the shop's own archive.

use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use clap::{Subcommand, ValueEnum};

use aftersales::case::{CaseId, CaseStatus};
use aftersales::catalogue::{self, Msg};
use aftersales::config::Config;
use aftersales::money::{Currency, Money};
use aftersales::report::csv;
use aftersales::store::cases::{Exported, Listed};
use aftersales::store::{Store, cases, escalations, evidence, flags};

#[derive(Subcommand)]
pub enum CasesCommand {
    /// The cases, oldest first.
    List {
        /// Only cases in this status (e.g. needs_review, approved, closed).
        #[arg(long)]
        status: Option<String>,
        /// Only cases with a threat or a complaint recorded on them.
        #[arg(long)]
        flagged: bool,
        /// Print the cases as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One case: order, item, decision with its rule and facts, flags, evidence files, timeline.
    Show {
        /// The case number, e.g. AS-1001.
        id: String,
        /// Print the case as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The cases opened in a period, one row each (the handbooks' 售后服务报告单).
    Export {
        /// The first day (YYYY-MM-DD, shop time).
        #[arg(long)]
        from: NaiveDate,
        /// The last day, included (YYYY-MM-DD, shop time).
        #[arg(long)]
        to: NaiveDate,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write the rows to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
}

pub async fn run(store: &Store, config: &Config, command: CasesCommand) -> anyhow::Result<()> {
    let mut conn = store.read().await.context("reading the database")?;
    let zone = config.shop.timezone.0;
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    match command {
        CasesCommand::List { status, flagged, json } => {
            let status = match status.as_deref().map(str::trim) {
                Some(code) => match CaseStatus::from_code(code) {
                    Some(status) => Some(status),
                    None => bail!(
                        "unknown status {code:?}; the statuses are: {}",
                        CaseStatus::ALL.map(CaseStatus::code).join(", ")
                    ),
                },
                None => None,
            };
            let listed = cases::list(&mut conn, status, flagged).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&listed)?);
            } else {
                print!("{}", list_text(&listed, &local));
            }
        }
        CasesCommand::Show { id, json } => {
            let id = CaseId::from_trusted(id.trim());
            let (Some(listed), Some(record)) =
                (cases::listed(&mut conn, &id).await?, escalations::case(&mut conn, &id).await?)
            else {
                bail!("no case {id} in the database");
            };
            let flags = flags::for_case(&mut conn, &id).await?;
            let files = evidence::for_case(&mut conn, &id).await?;
            let (events, _) = escalations::timeline(&mut conn, &id, u32::MAX).await?;
            let events: Vec<(DateTime<Utc>, String, String, serde_json::Value)> = events
                .into_iter()
                .map(|entry| (entry.at, entry.actor, entry.event.kind().to_owned(), entry.event.data()))
                .collect();
            if json {
                let timeline: Vec<_> = events
                    .iter()
                    .map(|(at, actor, kind, data)| serde_json::json!({ "at": at, "actor": actor, "kind": kind, "data": data }))
                    .collect();
                let shown = serde_json::json!({
                    "case": listed,
                    "sku": record.sku,
                    "quantity": record.quantity,
                    "unit_price_minor": record.unit_price.minor,
                    "detail": record.detail,
                    "agreed_minor": record.agreed.map(|money| money.minor),
                    "decision": record.decision,
                    "flags": flags,
                    "evidence": files,
                    "timeline": timeline,
                });
                println!("{}", serde_json::to_string_pretty(&shown)?);
                return Ok(());
            }
            let mut out = String::new();
            out.push_str(&format!("Case      {}  {}  opened {}\n", listed.id, listed.status, local(listed.created_at)));
            match listed.purged_at {
                Some(at) => out.push_str(&format!(
                    "Purged    {}: names, Telegram ids, texts and evidence files removed ([records] keep)\n",
                    local(at)
                )),
                None => out.push_str(&format!("Customer  {}\n", listed.customer)),
            }
            out.push_str(&format!("Order     {}\n", listed.order_no));
            out.push_str(&format!(
                "Item      {} (SKU {}) × {} at {}\n",
                listed.item, record.sku, record.quantity, record.unit_price
            ));
            let detail = match record.detail.trim() {
                "" => String::new(),
                detail => format!(": {detail}"),
            };
            out.push_str(&format!("Reason    {}{detail}\n", listed.reason));
            match record.agreed {
                Some(agreed) => out.push_str(&format!("Outcome   {}, {agreed} agreed\n", listed.outcome)),
                None => out.push_str(&format!("Outcome   {}\n", listed.outcome)),
            }
            out.push_str(&format!("\nFlags ({})\n", flags.len()));
            for flag in &flags {
                out.push_str(&format!("  {}  {:<9}  {}\n", local(flag.at), flag.kind, one_line(&flag.text)));
            }
            let decision = catalogue::render(config.shop.default_language, &Msg::explanation(&record.decision, zone));
            out.push_str("\nDecision\n");
            for line in decision.lines() {
                out.push_str(&format!("  {line}\n"));
            }
            out.push_str(&format!("\nEvidence ({})\n", files.len()));
            for file in &files {
                let place = match (&file.path, &file.error) {
                    (Some(path), _) => path.clone(),
                    (None, Some(error)) => format!("not copied: {error}"),
                    (None, None) => "not copied yet".to_owned(),
                };
                out.push_str(&format!("  {:<10}  {place}\n", file.kind));
            }
            out.push_str(&format!("\nTimeline ({})\n", events.len()));
            let actor_width = events.iter().map(|(_, actor, _, _)| actor.chars().count()).max().unwrap_or(0);
            let kind_width = events.iter().map(|(_, _, kind, _)| kind.chars().count()).max().unwrap_or(0);
            for (at, actor, kind, data) in &events {
                let line = format!("  {}  {actor:<actor_width$}  {kind:<kind_width$}  {}", local(*at), details(data));
                out.push_str(line.trim_end());
                out.push('\n');
            }
            print!("{out}");
        }
        CasesCommand::Export { from, to, format: ExportFormat::Csv, out } => {
            let period =
                aftersales::report::Period::days(zone, from, to).with_context(|| format!("--from {from} --to {to}"))?;
            let exported = cases::export(&mut conn, period.from, period.to).await?;
            let rows = exported.iter().map(|case| export_row(case, zone)).collect::<anyhow::Result<Vec<_>>>()?;
            let text = csv::write(&EXPORT_HEADER, &rows).context("writing the cases as CSV")?;
            match &out {
                Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

const EXPORT_HEADER: [&str; 15] = [
    "opened_at",
    "case",
    "order_no",
    "item",
    "sku",
    "quantity",
    "reason",
    "refunded",
    "agreed",
    "currency",
    "outcome",
    "status",
    "responsibility",
    "agent",
    "satisfaction",
];

/// A case as a row under [`EXPORT_HEADER`]: codes as in JSON, amounts in
/// major units, the time in the shop's zone with its offset; empty cells
/// for what is not (yet) there.
fn export_row(case: &Exported, zone: Tz) -> anyhow::Result<[String; 15]> {
    let listed = &case.listed;
    let currency = Currency::parse(&case.currency).with_context(|| format!("the currency of case {}", listed.id))?;
    let major = |minor: i64| Money::new(minor, currency).major();
    let text = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
    Ok([
        listed.created_at.with_timezone(&zone).to_rfc3339_opts(SecondsFormat::Secs, true),
        listed.id.clone(),
        listed.order_no.clone(),
        listed.item.clone(),
        case.sku.clone(),
        case.quantity.to_string(),
        listed.reason.clone(),
        major(case.refunded_minor),
        case.agreed_minor.map(major).unwrap_or_default(),
        case.currency.clone(),
        listed.outcome.clone(),
        listed.status.clone(),
        text(case.responsibility),
        case.agent.clone().unwrap_or_default(),
        text(case.survey_score),
    ])
}

/// The listed cases in aligned columns, with a count at the end.
fn list_text(listed: &[Listed], local: &impl Fn(DateTime<Utc>) -> String) -> String {
    let header = ["CASE", "OPENED", "CUSTOMER", "ORDER", "ITEM", "REASON", "OUTCOME", "STATUS", "FLAGS"];
    let rows: Vec<[String; 9]> = listed
        .iter()
        .map(|case| {
            [
                case.id.clone(),
                local(case.created_at),
                case.customer.clone(),
                case.order_no.clone(),
                case.item.clone(),
                case.reason.clone(),
                case.outcome.clone(),
                case.status.clone(),
                case.flags.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(|title| title.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width.saturating_sub(display_width(cell)))))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out.push_str(&format!("{} case{}\n", rows.len(), if rows.len() == 1 { "" } else { "s" }));
    out
}

/// Columns in a terminal: CJK characters take two.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c), 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// A timeline event's data as `key: value` words; nested data (a
/// decision's facts) is left to `show --json` and the Decision above.
fn details(data: &serde_json::Value) -> String {
    let Some(object) = data.as_object() else { return String::new() };
    object
        .iter()
        .filter(|(key, value)| {
            !(value.is_null() || value.is_object() || value.is_array()) && key.as_str() != "agent_id"
        })
        .map(|(key, value)| match value.as_str() {
            Some(text) => format!("{key}: {}", one_line(text)),
            None => format!("{key}: {value}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
