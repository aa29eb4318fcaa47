//! A shop owner moves a running shop from SQLite to PostgreSQL with `db
//! copy`: every table's rows arrive, a second copy finds nothing new, one
//! after the shop went on catches up (an order re-imported with a line
//! fewer), the read commands say the same on both databases, and the bot
//! carries on from the copy.

use std::process::Output;

use aftersales::store::scratch::Scratch;
use chrono::{TimeDelta, Utc};

use crate::helpers::{COUPON_OFFER, Shop, TEST_CONFIG, jpeg, postgres_server};

/// The order import's columns, and an order of two jackets' lines.
const ORDER: &str = "order_no,phone,customer_name,sku,item_name,category,quantity,unit_price,currency,\
                     paid_at,shipped_at,delivered_at,carrier,tracking_no,freight_insurance\n\
                     IMP-000001,13800138000,王芳,JK-1,女士防风夹克,clothing,1,19.90,CNY,\
                     2026-03-01T10:00:00+08:00,2026-03-02T10:00:00+08:00,,,,false\n";
const SECOND_LINE: &str = "IMP-000001,13800138000,王芳,JK-2,\"男士夹克, \"\"加厚\"\"\",clothing,2,29.90,CNY,\
                           2026-03-01T10:00:00+08:00,2026-03-02T10:00:00+08:00,,,,false\n";

/// When `policy explain` decides, so that both databases' answers match.
const AT: &str = "2026-03-03T10:00:00+08:00";

/// `aftersales ARGS` on the database `db`, successful: its stdout.
fn run(shop: &Shop, db: &str, args: &[&str]) -> String {
    let output: Output = shop.command_on(db, args).output().expect("run aftersales");
    assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// `db copy` from `from` to `to`: its stdout and stderr.
fn copy(shop: &Shop, from: &str, to: &str) -> (String, String) {
    let output = shop.command(&["db", "copy", "--from", from, "--to", to]).output().expect("run db copy");
    let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
    assert!(output.status.success(), "db copy failed: {stderr}");
    (String::from_utf8(output.stdout).expect("utf-8 output"), stderr)
}

/// The counts `db copy` printed per table: copied, updated, removed, already there, total.
fn tables(printed: &str) -> Vec<(&str, Vec<u64>)> {
    let rows = printed.lines().skip(1).map(|line| line.split_whitespace().collect::<Vec<_>>());
    rows.filter_map(|fields| Some((fields[0], fields[1..].iter().map(|n| n.parse().ok()).collect::<Option<_>>()?)))
        .collect()
}

/// The counts `db copy` printed for `table`.
fn counts(printed: &str, table: &str) -> Vec<u64> {
    let found = tables(printed).into_iter().find(|(name, _)| *name == table);
    found.unwrap_or_else(|| panic!("no line for {table}: {printed}")).1
}

/// What the shop owner reads, on the database `db`.
fn readings(shop: &Shop, db: &str) -> Vec<String> {
    let zone = chrono_tz::Asia::Shanghai;
    let day = |delta: TimeDelta| (Utc::now() + delta).with_timezone(&zone).date_naive().to_string();
    let (from, to) = (day(TimeDelta::days(-30)), day(TimeDelta::days(1)));
    let period = ["--from", from.as_str(), "--to", to.as_str()];
    let commands: [Vec<&str>; 8] = [
        vec!["cases", "list"],
        vec!["cases", "list", "--json"],
        vec!["cases", "show", "AS-1001", "--json"],
        vec!["cases", "show", "AS-1002"],
        vec!["cases", "show", "AS-1003", "--json"],
        [&["cases", "export"][..], &period].concat(),
        [&["report"][..], &period, &["--format", "json"]].concat(),
        vec!["policy", "explain", "--order", "IMP-000001", "--line", "JK-1", "--reason", "changed_mind", "--at", AT],
    ];
    commands.iter().map(|args| format!("{args:?}\n{}", microseconds(&run(shop, db, args)))).collect()
}

/// `text` with its times' fractions of a second cut to microseconds, as
/// PostgreSQL keeps them (SQLite keeps what it was given: nanoseconds).
fn microseconds(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = None;
    for c in text.chars() {
        digits = match (c, digits) {
            ('.', _) => Some(0),
            (c, Some(n)) if c.is_ascii_digit() => Some(n + 1),
            _ => None,
        };
        if digits.is_none_or(|n| n <= 6) {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn a_shop_moves_to_postgresql_and_carries_on_there() {
    let target = Scratch::on_server(&postgres_server());
    let postgres = target.url();
    let shop = Shop::with_config(&format!("{TEST_CONFIG}\n{COUPON_OFFER}"));
    // The shop's own database is SQLite whatever the suite runs on: the copy's source.
    let sqlite = format!("sqlite://{}", shop.path().join("live.db").display());
    run(&shop, &sqlite, &["demo"]);
    std::fs::write(shop.path().join("orders.csv"), format!("{ORDER}{SECOND_LINE}")).expect("write orders");
    run(&shop, &sqlite, &["orders", "import", "orders.csv"]);

    // Three customers: a coupon kept, a return with its parcel on the way,
    // a quality claim with photos.
    let kept = "/new\nDEMO-1005\n8000\nChanged my mind\nSkip\nReturn and refund\nYes, unused\ntake the coupon\n";
    assert!(shop.chat_on(&sqlite, "mei", "en_US.UTF-8", kept).contains("AS-1001"));
    let returned =
        "/new\nDEMO-1004\n8000\n1\nChanged my mind\nSkip\nReturn and refund\nYes, unused\nNo thanks\nConfirm\n";
    assert!(shop.chat_on(&sqlite, "wang", "en_US.UTF-8", returned).contains("AS-1002"));
    let sent = shop.chat_on(&sqlite, "wang", "en_US.UTF-8", "SF1234567890123\nYes, that's it\n");
    assert!(sent.contains("SF Express SF1234567890123 for case AS-1002"), "{sent}");
    let mut claim = "/new\nDEMO-1006\n5006\nQuality problem\n裂了，“很明显”\n".to_owned();
    for n in 0..3u8 {
        let photo = shop.path().join(format!("crack{n}.jpg"));
        std::fs::write(&photo, jpeg(&[b'c', n])).expect("photo");
        claim += &format!("/photo {}\n", photo.display());
    }
    claim += "Return and refund\nConfirm\n";
    let claimed = shop.chat_on(&sqlite, "lin", "en_US.UTF-8", &claim);
    assert!(claimed.contains("AS-1003"), "{claimed}");

    // Five chats guess DEMO-1008's phone twice each: it is left to a shared
    // phone, and that is recorded once (a table without a key).
    for guest in ["g1", "g2", "g3", "g4", "g5"] {
        shop.chat_on(&sqlite, guest, "en_US.UTF-8", "/new\nDEMO-1008\n1111\n2222\n");
    }

    let (printed, progress) = copy(&shop, &sqlite, postgres);
    assert_eq!(counts(&printed, "proof_failures"), [10, 0, 0, 0, 10], "{printed}");
    assert_eq!(counts(&printed, "proof_alerts"), [1, 0, 0, 0, 1], "{printed}");
    for (table, copied) in [("cases", 3), ("evidence", 3), ("customers", 8), ("orders", 9), ("order_lines", 11)] {
        assert_eq!(counts(&printed, table), [copied, 0, 0, 0, copied], "{table}: {printed}");
    }
    for table in ["case_events", "outbox", "jobs", "retention_offers", "returns", "conversations"] {
        assert!(counts(&printed, table)[0] > 0, "{table} copied: {printed}");
    }
    assert!(!printed.contains("_sqlx_migrations"), "{printed}");
    let copied: u64 = tables(&printed).iter().map(|(_, counts)| counts[0]).sum();
    assert_eq!(tables(&printed).len(), 22, "every table: {printed}");
    let said = format!("Copied {copied} rows, updated 0, removed 0; 0 were already there.");
    assert!(printed.ends_with(&format!("{said}\n")), "{printed}");
    // Not a terminal: a line per table once it is done.
    assert!(progress.lines().any(|line| line.starts_with("cases ") && line.ends_with(" 3 / 3 rows")), "{progress}");
    assert_eq!(progress.lines().count(), printed.lines().count() - 2, "{progress}");

    let (again, _) = copy(&shop, &sqlite, postgres);
    assert!(again.ends_with(&format!("Nothing new: the target already had all {copied} rows.\n")), "{again}");
    assert_eq!(counts(&again, "cases"), [0, 0, 0, 3, 3], "{again}");
    assert_eq!(counts(&again, "proof_alerts"), [0, 0, 0, 1, 1], "{again}");

    // The shop goes on: the order is imported again without its second
    // line, and Mei looks at her case. The next copy catches up.
    std::fs::write(shop.path().join("orders.csv"), ORDER).expect("write orders");
    run(&shop, &sqlite, &["orders", "import", "orders.csv"]);
    assert!(shop.chat_on(&sqlite, "mei", "en_US.UTF-8", "AS-1001\n").contains("Case AS-1001"));
    let (caught_up, _) = copy(&shop, &sqlite, postgres);
    assert_eq!(counts(&caught_up, "order_lines"), [0, 0, 1, 10, 10], "{caught_up}");
    assert_eq!(counts(&caught_up, "orders")[1], 1, "re-imported: {caught_up}");
    assert!(counts(&caught_up, "outbox")[0] > 0, "Mei's replies: {caught_up}");
    for (copied, original) in readings(&shop, postgres).iter().zip(readings(&shop, &sqlite)) {
        assert_eq!(*copied, original, "the same shop on both databases");
    }

    // The bot carries on from the copy: new rows take ids past the copied ones.
    let more =
        "/new\nDEMO-1004\n8000\n2\n1\nChanged my mind\nSkip\nReturn and refund\nYes, unused\nNo thanks\nConfirm\n";
    let opened = shop.chat_on(postgres, "lin", "en_US.UTF-8", more);
    assert!(opened.contains("AS-1004"), "{opened}");
    let shown = run(&shop, postgres, &["cases", "show", "AS-1004"]);
    assert!(shown.contains("DEMO-1004"), "{shown}");
    assert!(!run(&shop, &sqlite, &["cases", "list"]).contains("AS-1004"), "the SQLite file stays as it was");
}
