use super::*;

fn settings() -> Settings {
    Settings { listen: None, poll_stale: Span(Duration::from_secs(30)), outbox_stuck: Span(Duration::from_secs(60)) }
}

fn failing(checks: &Checks) -> Vec<&'static str> {
    checks.iter().filter(|(_, check)| check.is_err()).map(|(name, _)| *name).collect()
}

#[test]
fn settings_problems_name_their_key() {
    let poll_timeout = Duration::from_secs(10);
    assert!(Settings::default().problems(poll_timeout).is_empty());
    let bad = Settings {
        listen: Some("localhost:9187".to_owned()),
        poll_stale: Span(Duration::from_secs(10)),
        outbox_stuck: Span(Duration::ZERO),
    };
    let problems = bad.problems(poll_timeout).join("; ");
    assert!(problems.contains("ops.listen: \"localhost:9187\""), "{problems}");
    assert!(problems.contains("ops.poll_stale"), "{problems}");
    assert!(problems.contains("ops.outbox_stuck"), "{problems}");
    let good = Settings { listen: Some("127.0.0.1:0".to_owned()), ..settings() };
    assert!(good.problems(poll_timeout).is_empty());
}

#[test]
fn the_histogram_is_cumulative_and_counts_every_update() {
    let metrics = Metrics::default();
    for millis in [1, 3, 40, 40, 700, 20_000] {
        metrics.handled(Duration::from_millis(millis));
    }
    metrics.sent();
    metrics.throttled();
    let gauges = Gauges {
        outbox_pending: 2,
        oldest_pending: Some(Duration::from_millis(1500)),
        due_jobs: 1,
        cases: vec![("exchange".to_owned(), 1), ("return_refund".to_owned(), 3)],
    };
    let text = render(&metrics, &gauges);
    let line = |prefix: &str| text.lines().find(|line| line.starts_with(prefix)).map(str::to_owned);
    assert_eq!(line("aftersales_updates_handled_total ").as_deref(), Some("aftersales_updates_handled_total 6"));
    assert_eq!(line("aftersales_replies_sent_total ").as_deref(), Some("aftersales_replies_sent_total 1"));
    assert_eq!(line("aftersales_telegram_throttled_total ").as_deref(), Some("aftersales_telegram_throttled_total 1"));
    assert_eq!(
        line("aftersales_outbox_oldest_pending_seconds ").as_deref(),
        Some("aftersales_outbox_oldest_pending_seconds 1.5")
    );
    assert!(text.contains("aftersales_cases_opened_total{outcome=\"return_refund\"} 3\n"), "{text}");
    assert!(text.contains("# TYPE aftersales_update_handling_seconds histogram\n"), "{text}");
    let buckets: Vec<(String, u64)> = text
        .lines()
        .filter_map(|line| line.strip_prefix("aftersales_update_handling_seconds_bucket{le=\""))
        .filter_map(|rest| rest.split_once("\"} "))
        .map(|(bound, count)| (bound.to_owned(), count.parse().unwrap_or(u64::MAX)))
        .collect();
    assert_eq!(buckets.len(), BUCKETS.len() + 1);
    assert_eq!(buckets[0], ("0.005".to_owned(), 2));
    assert_eq!(buckets[3], ("0.05".to_owned(), 4));
    assert_eq!(buckets[6], ("0.5".to_owned(), 4));
    assert_eq!(buckets[7], ("1".to_owned(), 5));
    assert_eq!(buckets[BUCKETS.len()], ("+Inf".to_owned(), 6));
    assert!(buckets.windows(2).all(|pair| pair[0].1 <= pair[1].1), "{buckets:?}");
    assert_eq!(
        line("aftersales_update_handling_seconds_count ").as_deref(),
        Some("aftersales_update_handling_seconds_count 6")
    );
    assert_eq!(
        line("aftersales_update_handling_seconds_sum ").as_deref(),
        Some("aftersales_update_handling_seconds_sum 20.784")
    );
}

#[test]
fn health_names_each_failing_check() {
    let fine = Ok(Gauges { oldest_pending: Some(Duration::from_secs(59)), ..Gauges::default() });
    assert!(failing(&checks(&fine, Some(Duration::from_secs(29)), &settings())).is_empty());
    // The terminal channel does not poll, and that is no failure.
    assert!(failing(&checks(&fine, None, &settings())).is_empty());
    assert_eq!(failing(&checks(&fine, Some(Duration::from_secs(31)), &settings())), ["polling"]);

    let stuck = Ok(Gauges { oldest_pending: Some(Duration::from_secs(61)), ..Gauges::default() });
    let checked = checks(&stuck, Some(Duration::ZERO), &settings());
    assert_eq!(failing(&checked), ["outbox"]);
    assert_eq!(checked[2].1, Err("a reply has been due for 61s (ops.outbox_stuck is 60s)".to_owned()));

    let unreachable = Err("no answer within 5s".to_owned());
    assert_eq!(failing(&checks(&unreachable, Some(Duration::ZERO), &settings())), ["database", "outbox"]);
}
