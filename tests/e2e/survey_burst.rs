//! A burst: satisfaction surveys fall due at the same moment. They all go
//! out, within Telegram's limits (30 messages a second overall), with no 429
//! from the fake Bot API, whose flood limits are on. The suite runs 300; the
//! 5,000 of a big sale take minutes and run from `scripts/bench.sh`.

use std::time::{Duration, Instant};

use aftersales::store::query;

use crate::fake_telegram::FakeTelegram;
use crate::helpers::{Shop, TEST_CONFIG};

const FIRST_USER: i64 = 100_000;

/// `count` customers speaking `lang` from user id `first_user`, each with a
/// case (from AS-`first_case`) closed with a refund and its survey due now.
pub async fn seed_due_surveys(
    shop: &Shop,
    fake: &FakeTelegram,
    first_user: i64,
    first_case: i64,
    count: i64,
    lang: &str,
) {
    let mut tx = shop.store().await.write().await.expect("begin");
    let now = chrono::Utc::now();
    for n in 0..count {
        let user = first_user + n;
        fake.add_user(user, &format!("Customer {n}"), Some(lang));
        let case = format!("AS-{}", first_case + n);
        query("INSERT INTO customers (id, channel, external_id, chat_id, first_name, lang, created_at) VALUES (?, 'telegram', ?, ?, ?, ?, ?)")
            .bind(user)
            .bind(user.to_string())
            .bind(user)
            .bind(format!("Customer {n}"))
            .bind(lang)
            .bind(now)
            .execute(&mut tx)
            .await
            .expect("customer");
        query(
            "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, outcome, status, decision,
                                created_at, updated_at)
             VALUES (?, ?, ?, 'DEMO-1004', 'JKT-WB-M', 1, 'changed_mind', 'return_refund', 'closed', '{}', ?, ?)",
        )
        .bind(&case)
        .bind(first_case + n)
        .bind(user)
        .bind(now)
        .bind(now)
        .execute(&mut tx)
        .await
        .expect("case");
        query("INSERT INTO jobs (key, kind, due_at, data, created_at) VALUES (?, 'survey', ?, ?, ?)")
            .bind(format!("survey:{case}"))
            .bind(now)
            .bind(serde_json::json!({ "case": case }).to_string())
            .bind(now)
            .execute(&mut tx)
            .await
            .expect("job");
    }
    tx.commit().await.expect("commit");
}

/// `surveys` surveys due at once, sent by a freshly started bot: each exactly
/// once, no 429, at most 30 in any second. Prints the rate.
async fn burst(surveys: i64) {
    let fake = FakeTelegram::start().await;
    let shop = Shop::with_config(TEST_CONFIG);
    seed_due_surveys(&shop, &fake, FIRST_USER, 10_000, surveys, "en").await;

    let started = Instant::now();
    let _bot = shop.serve_logging(&fake, "aftersales=info,warn");
    // Counted in place: the wait runs this on every call the fake answers,
    // and copying thousands of calls each time would hold the fake's lock
    // and steal the bot's CPU, slowing down the very burst it measures.
    let sent_surveys = |fake: &FakeTelegram| {
        fake.count_calls("sendmessage", |call| {
            call.ok && call.body["text"].as_str().is_some_and(|text| text.contains("How satisfied"))
        })
    };
    // Twice the time 30 a second needs, and a minute to start.
    let patience = Duration::from_secs(60 + 2 * surveys.unsigned_abs() / 30);
    let all = fake.wait_until(|fake| sent_surveys(fake) as i64 >= surveys, patience).await;
    let elapsed = started.elapsed();
    assert!(all, "only {} of {surveys} surveys arrived", sent_surveys(&fake));

    let sends: Vec<Duration> = fake.calls_to("sendmessage").iter().filter(|call| call.ok).map(|call| call.at).collect();
    let busiest = sends
        .iter()
        .map(|start| sends.iter().filter(|at| **at >= *start && **at < *start + Duration::from_secs(1)).count())
        .max()
        .unwrap_or(0);
    println!(
        "survey burst: {surveys} surveys in {:.1} s ({:.1}/s; ideal at 30/s: {:.1} s), busiest second {busiest}, \
         429s {}",
        elapsed.as_secs_f64(),
        surveys as f64 / elapsed.as_secs_f64(),
        surveys as f64 / 30.0,
        fake.too_many_requests(),
    );
    // For scripts/bench.sh's summary.
    println!(
        "BENCH survey_burst_n={surveys} survey_burst_s={:.1} survey_burst_ideal_s={:.1}",
        elapsed.as_secs_f64(),
        surveys as f64 / 30.0
    );
    assert_eq!(fake.too_many_requests(), 0, "no 429 from Telegram's flood limits");
    assert!(busiest <= 30, "at most 30 messages in any second, saw {busiest}");
    assert_eq!(sent_surveys(&fake) as i64, surveys, "each survey exactly once");
    let sent =
        format!("SELECT COUNT(*) FROM cases WHERE {} IS NOT NULL", shop.dialect().json_text("survey", "sent_at"));
    assert_eq!(shop.count(&sent).await, surveys, "each case records its survey");
}

#[tokio::test]
async fn three_hundred_surveys_due_at_once_go_out_within_telegrams_limits() {
    burst(300).await;
}

/// The big sale's burst, minutes long: `scripts/bench.sh` runs it.
#[tokio::test]
#[ignore = "minutes long: run by scripts/bench.sh"]
async fn five_thousand_surveys_due_at_once_go_out_within_telegrams_limits() {
    burst(5_000).await;
}
