//! `aftersales report`: a period's after-sales figures as an aligned table,
//! CSV, JSON or an HTML page, read from the store only.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};

use aftersales::config::Config;
use aftersales::lang::Lang;
use aftersales::month::Month;
use aftersales::report::{self, Period};
use aftersales::store::{Store, report as rows};

#[derive(Args)]
pub struct ReportArgs {
    /// A calendar month in the shop's time zone, e.g. 2026-11; the last full month without it.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    month: Option<String>,
    /// The first day (YYYY-MM-DD, shop time); needs --to.
    #[arg(long, requires = "to")]
    from: Option<NaiveDate>,
    /// The last day, included (YYYY-MM-DD, shop time); needs --from.
    #[arg(long, requires = "from")]
    to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// The table's or page's language (zh or en); the shop's default language without it.
    #[arg(long, value_parser = crate::parse_lang)]
    lang: Option<Lang>,
    /// Write the report to this file instead of stdout; with --format csv, a
    /// folder that gets one file per section (volume.csv, …).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
    /// One self-contained page with charts.
    Html,
}

/// `now` (the shell's clock) picks the default period, the last full month.
pub async fn run(store: &Store, config: &Config, args: ReportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let zone = config.shop.timezone.0;
    let period = period(&args, zone, now)?;
    let mut tx = store.snapshot().await.context("reading the database")?;
    let rows = rows::rows(&mut tx, period).await?;
    let report = report::build(period, &config.report_setup(), &rows);
    let lang = args.lang.unwrap_or(config.shop.default_language);
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Table => report::table(&report, lang, zone),
        Format::Html => report::html::page(&report, lang, zone),
        Format::Csv => return write_csv(&report, args.out.as_deref()),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}

/// One file per section in `folder` (made if missing), or the sections on
/// stdout, each under a `# name` line and apart by a blank line.
fn write_csv(report: &report::Report, folder: Option<&Path>) -> anyhow::Result<()> {
    if let Some(folder) = folder {
        std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    let mut printed = Vec::new();
    for sheet in report::csv::sheets(report) {
        let text = sheet.to_csv().with_context(|| format!("writing the {} table", sheet.name))?;
        match folder {
            Some(folder) => {
                let path = folder.join(format!("{}.csv", sheet.name));
                std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            }
            None => printed.push(format!("# {}\n{text}", sheet.name)),
        }
    }
    print!("{}", printed.join("\n"));
    Ok(())
}

/// The period asked for, in the shop's zone: the days given, the month, or
/// else the last full month before `now`.
fn period(args: &ReportArgs, zone: Tz, now: DateTime<Utc>) -> anyhow::Result<Period> {
    let month = match (&args.month, args.from, args.to) {
        (_, Some(from), Some(to)) => {
            return Period::days(zone, from, to).with_context(|| format!("--from {from} --to {to}"));
        }
        (Some(month), _, _) => {
            Month::parse(month).with_context(|| format!("--month {month:?}: write a month such as 2026-11"))?
        }
        _ => Month::before(now.with_timezone(&zone).date_naive()).context("no previous month")?,
    };
    Period::month(zone, month).with_context(|| format!("--month {month}"))
}
