//! `aftersales report`: a period's after-sales figures as an aligned table,
//! CSV or JSON, read from the store only.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};

use aftersales::config::Config;
use aftersales::lang::Lang;
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
    /// The table's language (zh or en); the shop's default language without it.
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
}

/// `now` (the shell's clock) picks the default period, the last full month.
pub async fn run(store: &Store, config: &Config, args: ReportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let zone = config.shop.timezone.0;
    let (first, last) = days(&args, zone, now)?;
    let period = period(zone, first, last)?;
    let mut tx = store.reader().begin().await.context("reading the database")?;
    let rows = rows::rows(&mut tx, period).await?;
    let report = report::build(period, config.shop.currency, &rows);
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Table => report::table(&report, args.lang.unwrap_or(config.shop.default_language), zone),
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

/// The first and last day of the period, in the shop's zone.
fn days(args: &ReportArgs, zone: Tz, now: DateTime<Utc>) -> anyhow::Result<(NaiveDate, NaiveDate)> {
    let first = match (&args.month, args.from, args.to) {
        (_, Some(from), Some(to)) => return Ok((from, to)),
        (Some(month), _, _) => NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
            .ok()
            .with_context(|| format!("--month {month:?}: write a month such as 2026-11"))?,
        // The last full month: the one before today's, in the shop's zone.
        _ => {
            let today = now.with_timezone(&zone).date_naive();
            today.with_day(1).and_then(|day| day.checked_sub_months(Months::new(1))).context("no previous month")?
        }
    };
    let last = first.checked_add_months(Months::new(1)).and_then(|next| next.pred_opt()).context("month too late")?;
    Ok((first, last))
}

/// The shop's days `first` to `last`, both included, as UTC bounds.
pub fn period(zone: Tz, first: NaiveDate, last: NaiveDate) -> anyhow::Result<Period> {
    if first > last {
        bail!("--from {first} is after --to {last}");
    }
    Ok(Period { from: midnight(zone, first)?, to: midnight(zone, next_day(last)?)? })
}

fn next_day(day: NaiveDate) -> anyhow::Result<NaiveDate> {
    day.succ_opt().with_context(|| format!("{day} is the last day there is"))
}

/// The first instant of `day` in `zone`, in UTC.
fn midnight(zone: Tz, day: NaiveDate) -> anyhow::Result<DateTime<Utc>> {
    let start = day.and_hms_opt(0, 0, 0).context("midnight")?;
    // A zone whose clocks jump over midnight starts the day at the first instant after.
    let local = zone.from_local_datetime(&start).earliest().or_else(|| {
        let after = start + chrono::TimeDelta::hours(1);
        zone.from_local_datetime(&after).earliest()
    });
    Ok(local.with_context(|| format!("{day} has no midnight in {zone}"))?.with_timezone(&Utc))
}
