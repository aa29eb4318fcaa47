//! Steps per second of the pure conversation core: a whole no-reason return,
//! from /new through the condition question and a declined retention offer
//! to the case, with no store and no network.

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use aftersales::case::CaseId;
use aftersales::config::Config;
use aftersales::conversation::{self, Command, Conversation, Effect, Facts, Input, Keys, Reply};
use aftersales::lang::Lang;
use aftersales::policy::{self, LineHistory, Outcome, Request};
use aftersales::reason::Reason;

fn intake(config: &Config, rules_version: &str, now: DateTime<Utc>) -> usize {
    let order = aftersales::demo::demo_orders(now).into_iter().find(|order| order.no.as_str() == "DEMO-1005");
    let mut state = Conversation::new(Lang::En);
    let mut steps = 0;
    let mut buttons: Vec<String> = Vec::new();
    // Typed answers, then buttons pressed by what their data says.
    let script = [
        "/new",
        "DEMO-1005",
        "8000",
        "press:changed_mind",
        "press:skip",
        "press:return_refund",
        "press:c:1",
        "press:decline",
        "press:yes",
    ];
    let mut opened = false;
    for line in script {
        let input = match line.strip_prefix("press:") {
            Some(wanted) => {
                let data = buttons.iter().find(|data| data.ends_with(wanted)).cloned().unwrap_or_default();
                Input::Button { data, callback_id: None, message_id: None }
            }
            None => match Command::parse(line) {
                Some(command) => Input::Command(command),
                None => Input::Text(line.into()),
            },
        };
        let facts = Facts {
            setup: config.setup(rules_version),
            now,
            first_name: "Lin",
            order: order.clone(),
            order_locked_until: None,
            wrong_answers: Default::default(),
            phone_orders: Vec::new(),
            cases: Vec::new(),
            case: None,
            next_case_id: CaseId::from_seq(1001),
            line_history: Default::default(),
            claims: Vec::new(),
            retention: Default::default(),
        };
        let (next, effects) = conversation::step(state, input, &facts);
        state = next;
        steps += 1;
        for effect in effects {
            if let Effect::OpenCase(case) = &effect {
                assert_eq!(case.id, CaseId::from_seq(1001));
                opened = true;
            }
            if let Effect::Reply(Reply { keys: Keys::Buttons(rows), .. }) = effect {
                buttons = rows.into_iter().flatten().map(|button| button.data).collect();
            }
        }
    }
    assert!(opened, "the script opens a case");
    steps
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let now = Utc::now();
    let version = config.rules_version();
    let steps = intake(&config, &version, now);
    let mut group = c.benchmark_group("conversation");
    group.throughput(Throughput::Elements(steps as u64));
    group.bench_function("intake_steps", |b| b.iter(|| intake(&config, &version, now)));
    group.finish();

    // One decision, under rules whose version is known (as the desk does).
    let orders = aftersales::demo::demo_orders(now);
    let Some(order) = orders.iter().find(|order| order.no.as_str() == "DEMO-1005") else { return };
    let history = LineHistory::default();
    let request = Request {
        order,
        line: &order.lines[0],
        quantity: 1,
        reason: Reason::ChangedMind,
        outcome: Outcome::ReturnRefund,
        photos: 0,
        resale_intact: Some(true),
        history: &history,
        at: now,
    };
    c.bench_function("policy_decide", |b| b.iter(|| policy::decide(&request, &config.setup(&version).decider())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
