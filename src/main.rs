//! The `aftersales` command line: the Telegram bot, the terminal chat, and
//! the order tools.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use teloxide::Bot;

use aftersales::config::Config;
use aftersales::desk::Desk;
use aftersales::store::Store;
use aftersales::{demo, import, telegram, terminal};

#[derive(Parser)]
#[command(name = "aftersales", version, about = "A shop's after-sales desk as a chat bot")]
struct Cli {
    /// The SQLite database.
    #[arg(long, global = true, env = "AFTERSALES_DB", default_value = "sqlite://aftersales.db")]
    db: String,
    /// The shop's settings (see aftersales.example.toml); built-in defaults without it.
    #[arg(long, global = true, env = "AFTERSALES_CONFIG")]
    config: Option<PathBuf>,
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
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Import orders from a CSV or JSON file; an invalid row imports nothing.
    Import { file: PathBuf },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "aftersales=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = Arc::new(Config::load(cli.config.as_deref())?);
    let store = Store::open(&cli.db).await.with_context(|| format!("opening the database {}", cli.db))?;
    match cli.command {
        Commands::Serve { api_url } => {
            let token =
                std::env::var("TELOXIDE_TOKEN").context("TELOXIDE_TOKEN is not set: put the BotFather token there")?;
            let mut bot = Bot::new(token);
            if let Some(url) = api_url {
                bot = bot.set_api_url(url.parse().with_context(|| format!("--api-url {url} is not a URL"))?);
            }
            let (stop, shutdown) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                wait_for_signal().await;
                tracing::info!("shutting down");
                let _ = stop.send(true);
            });
            telegram::serve(bot, Desk::new(store, config), shutdown).await?;
        }
        Commands::Chat { demo } => {
            if demo {
                demo::seed(&store, chrono::Utc::now()).await?;
            }
            let user = std::env::var("USER").unwrap_or_else(|_| "customer".into());
            let language = std::env::var("LANG").ok();
            let identity = terminal::identity(&user, language);
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            terminal::run(&Desk::new(store, config), identity, stdin, std::io::stdout()).await?;
        }
        Commands::Orders { command: OrdersCommand::Import { file } } => {
            let report = import::import_file(&store, &file, chrono::Utc::now()).await?;
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
            let orders = demo::seed(&store, chrono::Utc::now()).await?;
            for order in orders {
                println!("{}  phone {}  {:?}", order.no, order.phone.as_str(), order.stage());
            }
        }
    }
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
