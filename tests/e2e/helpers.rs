//! Spawning the bot and acting as its customers.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::fake_telegram::{BotMessage, FakeTelegram, TOKEN};

pub const WAIT: Duration = Duration::from_secs(20);

/// Settings that keep tests quick without breaking Telegram's limits.
pub const TEST_CONFIG: &str = r#"
[intake]
album_quiet = "400ms"

[telegram]
poll_timeout = "1s"
per_chat_gap = "350ms"
"#;

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_aftersales")
}

/// A fresh working folder with a database of demo orders and a config.
pub struct Shop {
    pub dir: tempfile::TempDir,
}

impl Shop {
    pub fn new() -> Shop {
        Shop::with_config(TEST_CONFIG)
    }

    /// A shop with these settings (TOML without a `[media]` table).
    pub fn with_config(settings: &str) -> Shop {
        let dir = tempfile::tempdir().expect("tempdir");
        let media = dir.path().join("media");
        let config = format!("{settings}\n[media]\ndir = {:?}\n", media.display().to_string());
        std::fs::write(dir.path().join("shop.toml"), config).expect("write config");
        let shop = Shop { dir };
        let status = shop.command(&["demo"]).stdout(Stdio::null()).status().expect("run demo");
        assert!(status.success(), "aftersales demo failed");
        shop
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.db_path().display())
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("shop.db")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The binary with this shop's database and config.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command
            .args(args)
            .arg("--db")
            .arg(self.db_url())
            .arg("--config")
            .arg(self.dir.path().join("shop.toml"))
            .current_dir(self.dir.path())
            .env_remove("AFTERSALES_DB")
            .env_remove("AFTERSALES_CONFIG")
            .env("RUST_LOG", "aftersales=debug,warn");
        command
    }

    /// `aftersales serve` against the fake Bot API.
    pub fn serve(&self, fake: &FakeTelegram) -> BotProcess {
        self.serve_logging(fake, "aftersales=debug,warn")
    }

    pub fn serve_logging(&self, fake: &FakeTelegram, filter: &str) -> BotProcess {
        self.serve_with(fake, filter, &[])
    }

    /// `serve` with a log filter and extra environment (e.g. the test clock);
    /// each start appends to `serve.log`.
    pub fn serve_with(&self, fake: &FakeTelegram, filter: &str, env: &[(&str, &Path)]) -> BotProcess {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("serve.log"))
            .expect("log file");
        let mut command = self.command(&["serve", "--api-url", &fake.api_url()]);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("RUST_LOG", filter)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn aftersales serve");
        BotProcess { child }
    }

    /// A count from the store, read with the sqlite3-free route: the binary's own database through sqlx.
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::ConnectOptions;
        let options: sqlx::sqlite::SqliteConnectOptions = self.db_url().parse().expect("db url");
        let mut conn = options.read_only(true).connect().await.expect("open db");
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("count query")
    }
}

impl Shop {
    /// Waits until the count reaches `expected`; whether it did.
    pub async fn eventually(&self, sql: &str, expected: i64) -> bool {
        let deadline = std::time::Instant::now() + WAIT;
        while std::time::Instant::now() < deadline {
            if self.count(sql).await == expected {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

/// A fake Telegram, a shop with demo orders, and the bot serving it.
pub async fn spawn_bot() -> (FakeTelegram, Shop, BotProcess) {
    let fake = FakeTelegram::start().await;
    let shop = Shop::new();
    let bot = shop.serve(&fake);
    (fake, shop, bot)
}

pub struct BotProcess {
    child: Child,
}

impl BotProcess {
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Telegram user chatting with the bot.
pub struct Customer<'a> {
    pub fake: &'a FakeTelegram,
    pub id: i64,
}

impl<'a> Customer<'a> {
    pub fn new(fake: &'a FakeTelegram, id: i64, name: &str, language_code: Option<&str>) -> Customer<'a> {
        fake.add_user(id, name, language_code);
        Customer { fake, id }
    }

    /// Everything the chat shows now: (message id, edits) per message.
    fn version(&self) -> Vec<(i64, u32)> {
        self.fake.messages(self.id).iter().map(|m| (m.message_id, m.edits)).collect()
    }

    /// Does `act`, then waits for the bot's reply: a new message or an edit.
    pub async fn expect_reply(&self, act: impl FnOnce()) -> BotMessage {
        let before = self.version();
        act();
        let changed = self.fake.wait_until(|_| self.version() != before, WAIT).await;
        assert!(changed, "the bot did not answer; chat so far: {:#?}", self.texts());
        let now = self.fake.messages(self.id);
        // The newest message, or the one that was edited.
        let edited = now.iter().find(|m| before.iter().any(|(id, edits)| *id == m.message_id && *edits != m.edits));
        let newest = now.iter().rfind(|m| !before.iter().any(|(id, _)| *id == m.message_id));
        newest.or(edited).cloned().expect("a changed message")
    }

    pub async fn says(&self, text: &str) -> BotMessage {
        self.expect_reply(|| {
            self.fake.send_text(self.id, text);
        })
        .await
    }

    /// Presses the button whose label contains `label` on the newest message that has one.
    pub async fn presses(&self, label: &str) -> BotMessage {
        let message = self
            .fake
            .messages(self.id)
            .into_iter()
            .rev()
            .find(|m| m.button(label).is_some())
            .unwrap_or_else(|| panic!("no button {label:?}; chat: {:#?}", self.texts()));
        self.expect_reply(|| {
            self.fake.press_button(self.id, &message, label);
        })
        .await
    }

    /// Waits for a message from the bot containing `text` (one the
    /// customer's own action did not prompt: a relay, a follow-up).
    pub async fn gets(&self, text: &str) -> BotMessage {
        let message = self.fake.wait_for_message(self.id, |m| m.text.contains(text), WAIT).await;
        message.unwrap_or_else(|| panic!("the customer never got {text:?}; chat: {:#?}", self.texts()))
    }

    pub fn texts(&self) -> Vec<String> {
        self.fake.messages(self.id).into_iter().map(|m| m.text).collect()
    }
}
