//! Spawning the bot and acting as its customers.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aftersales::store::scratch::Scratch;
use aftersales::store::{Dialect, Store, query_scalar};
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

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

/// A 1x1 JPEG as a camera app saves it.
const JPEG_1X1: &[u8] = &[
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d, 0x0e, 0x12, 0x11, 0x10,
    0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33,
    0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67,
    0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x11,
    0x12, 0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x01, 0x00, 0x01, 0x03, 0x01, 0x22, 0x00,
    0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x15, 0x01, 0x01,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05, 0xff, 0xc4,
    0x00, 0x14, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x98, 0x00, 0x2c, 0x3f,
    0xff, 0xd9,
];

/// A real 1x1 PNG.
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0x90, 0xe0, 0x00, 0x00, 0x03, 0x44, 0x01, 0x61, 0x40, 0x9b, 0x84, 0x18,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A real 1x1 JPEG photo, a different file for each `tag` (a comment
/// segment carries it), since the bot keeps each photo once by content.
pub fn jpeg(tag: &[u8]) -> Vec<u8> {
    let length = u16::try_from(tag.len() + 2).expect("a short tag");
    let mut bytes = JPEG_1X1[..2].to_vec();
    bytes.extend([0xFF, 0xFE]);
    bytes.extend(length.to_be_bytes());
    bytes.extend(tag);
    bytes.extend(&JPEG_1X1[2..]);
    bytes
}

/// A port that was free a moment ago, for one of the bot's endpoints.
/// The order [`Shop::import_own_orders`] made for the customer of `chat`,
/// and the last 4 digits of its phone.
pub fn own_order(chat: i64) -> (String, String) {
    (format!("OWN-{chat}"), format!("{:04}", chat % 10_000))
}

/// The PostgreSQL server (`postgres://user:password@host:port`) that tests
/// needing PostgreSQL whatever the suite runs on create their databases on.
/// Never skipped: without it those tests fail, saying so.
pub fn postgres_server() -> String {
    std::env::var("AFTERSALES_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "set AFTERSALES_TEST_POSTGRES to a PostgreSQL server the tests may create databases on \
             (postgres://user:password@host:port); .ci/run starts one"
        )
    })
}

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_aftersales")
}

/// A ¥10 coupon as the shop's first retention offer, for `Shop::with_config`
/// after `TEST_CONFIG`.
pub const COUPON_OFFER: &str = r#"
[[retention.offers]]
id = "coupon10"
kind = "coupon"
text_zh = "送您一张10元无门槛优惠券"
text_en = "A coupon for your next order, no minimum spend"
value = "10.00"
"#;

/// A fresh working folder with a database of demo orders and a config. The
/// database is a scratch one: `shop.db` in the folder, or a fresh database on
/// the PostgreSQL server `AFTERSALES_TEST_DB` names. Fields drop in order:
/// the test's connections, then the database, then the folder.
pub struct Shop {
    store: OnceCell<Store>,
    scratch: Scratch,
    pub dir: tempfile::TempDir,
}

impl Shop {
    pub fn new() -> Shop {
        Shop::with_config(TEST_CONFIG)
    }

    /// A shop with these settings (TOML without a `[media]` table).
    pub fn with_config(settings: &str) -> Shop {
        Shop::on(settings, |dir| Scratch::new(&dir.join("shop.db")))
    }

    /// A shop of the test settings on a fresh database of the PostgreSQL
    /// server `server`, whatever database the suite runs on.
    pub fn on_postgres(server: &str) -> Shop {
        Shop::on(TEST_CONFIG, |_| Scratch::on_server(server))
    }

    fn on(settings: &str, scratch: impl FnOnce(&Path) -> Scratch) -> Shop {
        let dir = tempfile::tempdir().expect("tempdir");
        let media = dir.path().join("media");
        let config = format!("{settings}\n[media]\ndir = {:?}\n", media.display().to_string());
        std::fs::write(dir.path().join("shop.toml"), config).expect("write config");
        let scratch = scratch(dir.path());
        let shop = Shop { store: OnceCell::new(), scratch, dir };
        let status = shop.command(&["demo"]).stdout(Stdio::null()).status().expect("run demo");
        assert!(status.success(), "aftersales demo failed");
        shop
    }

    pub fn db_url(&self) -> &str {
        self.scratch.url()
    }

    /// The SQL its database speaks, for the few statements written per dialect.
    pub fn dialect(&self) -> Dialect {
        self.scratch.dialect()
    }

    /// The shop's store as the test reads (and, to set a scene, writes) it:
    /// opened once, beside the binary's own connections.
    pub async fn store(&self) -> &Store {
        self.store.get_or_init(|| async { Store::open(self.db_url()).await.expect("open the shop's store") }).await
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Imports one order per chat the way a shop does (`aftersales orders
    /// import`): a delivered vase with freight insurance, numbered and with a
    /// phone as [`own_order`] tells its customer.
    pub fn import_own_orders(&self, chats: &[i64]) {
        let at = |days: i64| (Utc::now() - chrono::Duration::days(days)).to_rfc3339();
        let mut csv = String::from(
            "order_no,phone,customer_name,sku,item_name,category,quantity,unit_price,currency,paid_at,shipped_at,\
             delivered_at,carrier,tracking_no,freight_insurance\n",
        );
        for chat in chats {
            let (order, _) = own_order(*chat);
            csv.push_str(&format!(
                "{order},139{chat:08},Customer {chat},VASE-1,Ceramic vase,home,1,268.00,CNY,{},{},{},YTO,YT{chat:010},true\n",
                at(3),
                at(2),
                at(1)
            ));
        }
        let file = self.path().join("own-orders.csv");
        std::fs::write(&file, csv).expect("write orders");
        let status = self
            .command(&["orders", "import", &file.display().to_string()])
            .stdout(Stdio::null())
            .status()
            .expect("run import");
        assert!(status.success(), "aftersales orders import failed");
    }

    /// The binary with this shop's database and config.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_on(self.db_url(), args)
    }

    /// The binary with this shop's config on the database `db`.
    pub fn command_on(&self, db: &str, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command
            .args(args)
            .arg("--db")
            .arg(db)
            .arg("--config")
            .arg(self.dir.path().join("shop.toml"))
            .current_dir(self.dir.path())
            .env_remove("AFTERSALES_DB")
            .env_remove("AFTERSALES_CONFIG")
            .env_remove("AFTERSALES_WEBHOOK")
            .env_remove("AFTERSALES_WEBHOOK_LISTEN")
            .env_remove("AFTERSALES_WEBHOOK_SECRET")
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
        self.serve_args(fake, filter, env, &[])
    }

    /// `serve` receiving updates at `url` (a webhook), listening on `listen`.
    pub fn serve_webhook(&self, fake: &FakeTelegram, url: &str, listen: &str) -> BotProcess {
        self.serve_args(fake, "aftersales=debug,warn", &[], &["--webhook", url, "--listen", listen])
    }

    fn serve_args(&self, fake: &FakeTelegram, filter: &str, env: &[(&str, &Path)], args: &[&str]) -> BotProcess {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("serve.log"))
            .expect("log file");
        let mut command = self.command(&[&["serve", "--api-url", &fake.api_url()], args].concat());
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

    /// A count from the store (SQL in SQLite's form, as the store takes it).
    pub async fn count(&self, sql: &str) -> i64 {
        let mut db = self.store().await.read().await.expect("a reader");
        query_scalar(sql).fetch_one(&mut db).await.unwrap_or_else(|error| panic!("{error}: {sql}"))
    }
}

impl Shop {
    /// Runs `aftersales chat` as `user` in `lang` with `script` on its
    /// stdin, and returns what it printed.
    pub fn chat_as(&self, user: &str, lang: &str, script: &str) -> String {
        self.chat_on(self.db_url(), user, lang, script)
    }

    /// `chat_as` on the database `db`.
    pub fn chat_on(&self, db: &str, user: &str, lang: &str, script: &str) -> String {
        let mut child = self
            .command_on(db, &["chat"])
            .env("LANG", lang)
            .env("USER", user)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn chat");
        child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write script");
        let output = child.wait_with_output().expect("chat output");
        assert!(output.status.success(), "chat failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8 output")
    }

    /// `chat_as` an English-speaking terminal user.
    pub fn chat(&self, script: &str) -> String {
        self.chat_as("lin", "en_US.UTF-8", script)
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

    /// Waits until the bot has done all it had to by `now`: no job due by
    /// then (each job leaves the table in the transaction that queues what
    /// it causes), then nothing pending in the outbox (a row turns `sent`
    /// once Telegram has the message). After that, "nothing more was sent"
    /// is a fact, not a guess at how long the bot needs. Whether it settled.
    pub async fn settled_at(&self, now: DateTime<Utc>) -> bool {
        let deadline = std::time::Instant::now() + WAIT;
        while std::time::Instant::now() < deadline {
            let mut db = self.store().await.read().await.expect("a reader");
            let due: i64 = query_scalar("SELECT COUNT(*) FROM jobs WHERE due_at <= ?")
                .bind(now)
                .fetch_one(&mut db)
                .await
                .expect("due jobs");
            if due == 0 && self.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").await == 0 {
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

    /// SIGTERM, then waits (up to `WAIT`) for the process to end; how it ended.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill -TERM failed");
        let deadline = std::time::Instant::now() + WAIT;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
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

    /// Opens a change-of-mind return of `order` (its `item`, when the order
    /// has several), which the 7-day rule approves; the confirmation.
    pub async fn opens_approved_return(&self, order: &str, item: Option<&str>) -> BotMessage {
        self.says("/new").await;
        self.says(order).await;
        self.says("8000").await;
        if let Some(item) = item {
            self.presses(item).await;
        }
        self.presses("Changed my mind").await;
        self.presses("Skip").await;
        self.presses("Return and refund").await;
        self.presses("Yes, unused").await;
        self.presses("No thanks").await;
        self.presses("Confirm").await
    }

    pub fn texts(&self) -> Vec<String> {
        self.fake.messages(self.id).into_iter().map(|m| m.text).collect()
    }
}
