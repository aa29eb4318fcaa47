//! The `aftersales` command line: the Telegram bot, the terminal chat, the
//! order tools, the policy tools and the cases.

mod cases_cli;
mod db_cli;
mod records_cli;
mod report_cli;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use aftersales::app::App;
use aftersales::catalogue::{self, Msg};
use aftersales::clock::Clock;
use aftersales::config::Config;
use aftersales::lang::Lang;
use aftersales::order::{OrderNo, OrderStage};
use aftersales::policy::{self, Outcome, Request};
use aftersales::reason::Reason;
use aftersales::replay::{self, ReplayError, Report};
use aftersales::rulebook;
use aftersales::store::{Store, cases, decisions, orders, shown_url};
use aftersales::telegram::Telegram;
use aftersales::telegram::webhook::Webhook;
use aftersales::{demo, import, terminal};

#[derive(Parser)]
#[command(name = "aftersales", version, about = "A shop's after-sales desk as a chat bot")]
struct Cli {
    /// The database: a SQLite file (sqlite://FILE) or PostgreSQL (postgres://USER:PASSWORD@HOST/NAME).
    #[arg(long, global = true, env = "AFTERSALES_DB", default_value = "sqlite://aftersales.db")]
    db: String,
    /// The shop's settings (see aftersales.example.toml); built-in defaults without it.
    #[arg(long, global = true, env = "AFTERSALES_CONFIG")]
    config: Option<PathBuf>,
    /// How log lines on stderr look: text for people, json (one object a line) for log collectors.
    #[arg(long, global = true, env = "AFTERSALES_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run the Telegram bot (token from TELOXIDE_TOKEN).
    Serve {
        /// Another Bot API server: a self-hosted telegram-bot-api, or a test fake.
        #[arg(long, env = "TELOXIDE_API_URL")]
        api_url: Option<String>,
        /// Receive updates at this https URL instead of long polling; the secret token is
        /// AFTERSALES_WEBHOOK_SECRET, or derived from the bot token.
        #[arg(long, env = "AFTERSALES_WEBHOOK", requires = "listen")]
        webhook: Option<String>,
        /// Where the webhook listens (behind the reverse proxy that serves --webhook's URL).
        #[arg(long, env = "AFTERSALES_WEBHOOK_LISTEN", requires = "webhook")]
        listen: Option<String>,
    },
    /// Chat with the bot in this terminal (also from a pipe).
    Chat {
        /// Seed the demo orders first.
        #[arg(long)]
        demo: bool,
    },
    /// Manage the imported orders.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Seed demo orders covering every order stage, dated relative to now.
    Demo,
    /// Explain, check and try out the shop's after-sales rules.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Look at the cases: list them, or show one with its decision and timeline.
    Cases {
        #[command(subcommand)]
        command: cases_cli::CasesCommand,
    },
    /// A period's after-sales figures (volume, return rate, reasons, money, policy, retention,
    /// logistics, responsibility, agents, satisfaction), as a table, CSV, JSON or an HTML page. Reads only.
    Report(report_cli::ReportArgs),
    /// The records kept ([records] keep, at least 3 years after a case closed), and their purge.
    Records {
        #[command(subcommand)]
        command: records_cli::RecordsCommand,
    },
    /// Move the shop's data between databases: copy SQLite into PostgreSQL.
    Db {
        #[command(subcommand)]
        command: db_cli::DbCommand,
    },
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Import orders from a CSV or JSON file; an invalid row imports nothing.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Decide a request on a stored order and show the decision with every fact it used.
    Explain(ExplainArgs),
    /// Validate the config (--config) and summarise the rules in force; needs no database.
    Check,
    /// Decide every stored case again under draft rules and list what would change.
    /// Nothing stored is rewritten.
    Replay {
        /// The draft: a config file whose [shop], [policy], [calendar] and [retention]
        /// tables replace the current ones (tables it leaves out stay as they are).
        #[arg(long)]
        rules: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ExplainArgs {
    /// The order number.
    #[arg(long)]
    order: String,
    /// The SKU of the order line.
    #[arg(long)]
    line: String,
    /// The reason code, e.g. changed_mind, quality_defect.
    #[arg(long)]
    reason: String,
    /// When the request is made (RFC 3339); now without it.
    #[arg(long, value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    /// The outcome code, e.g. return_refund; the first one offered without it.
    #[arg(long)]
    outcome: Option<String>,
    /// How many of the line's items the request is about.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    quantity: u32,
    /// Photos the customer sent.
    #[arg(long, default_value_t = 0)]
    photos: usize,
    /// The customer's word that the item is unused, with tags and packaging; not asked without it.
    #[arg(long)]
    resale_intact: Option<YesNo>,
    /// The language of the explanation (zh or en); the shop's default language without it.
    #[arg(long, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Print the decision as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum YesNo {
    Yes,
    No,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| format!("{error}; write a time such as 2026-03-05T12:00:00+08:00"))
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::from_code(text).ok_or_else(|| "the languages are zh and en".to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "aftersales=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a file or a collector.
        .with_ansi(std::io::stderr().is_terminal());
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let config = Arc::new(Config::load(cli.config.as_deref())?);
    // Each command opens the store itself, so those without one (policy check) never touch a database.
    let db = cli.db.as_str();
    // The shell's one clock: what the desk reads, and what "now" means to the order tools.
    let clock = Clock::from_env();
    match cli.command {
        Commands::Serve { api_url, webhook, listen } => {
            let token =
                std::env::var("TELOXIDE_TOKEN").context("TELOXIDE_TOKEN is not set: put the BotFather token there")?;
            let webhook = match (webhook, listen) {
                (Some(url), Some(listen)) => {
                    let secret = std::env::var("AFTERSALES_WEBHOOK_SECRET").ok();
                    Some(Webhook::new(&url, &listen, secret, &token)?)
                }
                _ => None,
            };
            let app = App::open(db, config, clock).await?;
            app.serve(Telegram::new(token, api_url.as_deref())?, webhook).await?;
        }
        Commands::Chat { demo } => {
            let app = App::open(db, config, clock).await?;
            if demo {
                demo::seed(app.desk().store(), app.desk().now()).await?;
            }
            let user = std::env::var("USER").ok();
            let language = std::env::var("LANG").ok();
            let identity = terminal::identity(user.as_deref(), language);
            let prompt = std::io::stdin().is_terminal();
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            app.chat(identity, stdin, std::io::stdout(), prompt).await?;
        }
        Commands::Orders { command: OrdersCommand::Import { file } } => {
            let store = open_store(db).await?;
            let checks = import::Checks { currency: config.shop.currency, now: clock.now() };
            let report = import::import_file(&store, &file, checks).await?;
            println!(
                "imported {} orders ({} new, {} updated) with {} lines from {}",
                report.orders,
                report.created,
                report.updated,
                report.lines,
                file.display()
            );
        }
        Commands::Demo => {
            let store = open_store(db).await?;
            let now = clock.now();
            let orders = demo::seed(&store, now).await?;
            print!("{}", demo::table(&orders, now));
        }
        Commands::Policy { command: PolicyCommand::Check } => print!("{}", rulebook::summary(&config)),
        Commands::Policy { command: PolicyCommand::Explain(args) } => {
            explain(&open_store(db).await?, &config, args, clock.now()).await?;
        }
        Commands::Policy { command: PolicyCommand::Replay { rules, json } } => {
            replay_cases(&open_store(db).await?, &config, &rules, json).await?;
        }
        Commands::Cases { command } => cases_cli::run(&open_store(db).await?, &config, command).await?,
        Commands::Report(args) => report_cli::run(&open_store(db).await?, &config, args, clock.now()).await?,
        Commands::Records { command } => {
            records_cli::run(&open_store(db).await?, &config, command, clock.now()).await?;
        }
        Commands::Db { command } => db_cli::run(command).await?,
    }
    Ok(())
}

async fn open_store(db: &str) -> anyhow::Result<Store> {
    Store::open(db).await.with_context(|| format!("opening the database {}", shown_url(db)))
}

/// `policy explain`: one request decided under the rules in force.
async fn explain(store: &Store, config: &Config, args: ExplainArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let Some(reason) = Reason::from_code(args.reason.trim()) else {
        bail!("unknown reason {:?}; the reason codes are: {}", args.reason, codes(Reason::ALL.map(Reason::code)));
    };
    let requested_outcome = match &args.outcome {
        Some(code) => match Outcome::from_code(code.trim()) {
            Some(outcome) => Some(outcome),
            None => {
                bail!("unknown outcome {code:?}; the outcome codes are: {}", codes(Outcome::ALL.map(Outcome::code)))
            }
        },
        None => None,
    };
    let order_no = OrderNo::from_trusted(&args.order);
    let mut conn = store.read().await.context("reading the database")?;
    let order = orders::find(&mut conn, &order_no)
        .await?
        .with_context(|| format!("no order {order_no} in the database; import it first (aftersales orders import)"))?;
    let Some(line) = order.line(args.line.trim()) else {
        let skus: Vec<String> = order.lines.iter().map(|line| format!("{} ({})", line.sku, line.item_name)).collect();
        bail!("order {order_no} has no line with SKU {:?}; its lines are: {}", args.line, skus.join(", "));
    };
    if args.quantity > line.quantity {
        bail!("--quantity {}: the line {} has {} of them", args.quantity, line.sku, line.quantity);
    }
    let history = cases::line_history(&mut conn, &order.no, None).await?.remove(&line.sku).unwrap_or_default();
    let offered = policy::outcomes_for(&order, reason, &history, &config.policy);
    let outcome = match requested_outcome {
        Some(outcome) => outcome,
        None => match offered.first() {
            Some(first) => *first,
            // Nothing is offered on an unpaid order; the decision says why.
            None if order.stage() == OrderStage::Unpaid => Outcome::RefundOnly,
            None => bail!(
                "reason {} offers no outcome on order {order_no} at its stage ({:?}); pass --outcome to see why one \
                 is refused (outcome codes: {})",
                reason.code(),
                policy::Stage::from(order.stage()),
                codes(Outcome::ALL.map(Outcome::code))
            ),
        },
    };
    let request = Request {
        order: &order,
        line,
        quantity: args.quantity,
        reason,
        outcome,
        photos: args.photos,
        resale_intact: args.resale_intact.map(|answer| matches!(answer, YesNo::Yes)),
        history: &history,
        at: args.at.unwrap_or(now),
    };
    let decision = policy::decide(&request, &config.policy());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&decision)?);
    } else {
        let lang = args.lang.unwrap_or(config.shop.default_language);
        println!("{}", catalogue::render(lang, &Msg::explanation(&decision, config.shop.timezone.0)));
    }
    Ok(())
}

/// `policy replay`: every stored case decided again under the draft rules.
/// Reads only, in one read transaction so that the cases and orders agree.
async fn replay_cases(store: &Store, config: &Config, rules: &Path, json: bool) -> anyhow::Result<()> {
    let draft = load_draft(config, rules)?;
    let policy = draft.policy();
    let mut report = Report::new(config.rules_version(), policy.version.clone());
    let mut tx = store.snapshot().await.context("reading the database")?;
    let mut order_cache = std::collections::HashMap::new();
    for stored in decisions::stored_requests(&mut tx).await? {
        if !order_cache.contains_key(&stored.order_no) {
            let order = orders::find(&mut tx, &stored.order_no).await?;
            order_cache.insert(stored.order_no.clone(), order);
        }
        let result = match order_cache.get(&stored.order_no).and_then(Option::as_ref) {
            Some(order) => {
                let mut histories = cases::line_history(&mut tx, &order.no, Some(&stored.id)).await?;
                let history = histories.remove(&stored.sku).unwrap_or_default();
                replay::compare(&stored, order, &history, &policy)
            }
            None => Err(ReplayError::OrderGone { case: stored.id.clone(), order_no: stored.order_no.clone() }),
        };
        report.record(result);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.text(config.shop.timezone.0));
    }
    Ok(())
}

/// The current config with the draft's rule tables in place of its own: a
/// draft may hold only the [policy] table and keep the shop's zone and
/// calendar. A table the draft has replaces the current one whole, as any
/// config file replaces the defaults.
fn load_draft(current: &Config, path: &Path) -> anyhow::Result<Config> {
    let draft = Config::load(Some(path)).context("reading the draft rules (--rules)")?;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let tables: toml::Table = toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    let mut merged = current.clone();
    if tables.contains_key("shop") {
        merged.shop = draft.shop;
    }
    if tables.contains_key("policy") {
        merged.policy = draft.policy;
    }
    if tables.contains_key("calendar") {
        merged.calendar = draft.calendar;
    }
    if tables.contains_key("retention") {
        merged.retention = draft.retention;
    }
    Ok(merged)
}

fn codes<const N: usize>(codes: [&str; N]) -> String {
    codes.join(", ")
}
