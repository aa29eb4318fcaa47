//! `aftersales report` over cases opened the way customers open them: one
//! customer keeps the vase for a coupon, another declines it and returns
//! the jacket.

use chrono::{TimeDelta, Utc};
use serde_json::Value;

use crate::agents::{GROUP, LI, agents_desk, damaged_case, in_topic_text, topic};
use crate::helpers::{COUPON_OFFER, Customer, Shop, TEST_CONFIG};

/// The demo shop with two change-of-mind returns: AS-1001 kept for the
/// coupon, AS-1002 going ahead, its parcel sent with SF Express.
pub(crate) fn shop_with_two_cases() -> Shop {
    let shop = Shop::with_config(&format!("{TEST_CONFIG}\n{COUPON_OFFER}"));
    open_two_cases(&shop);
    shop
}

/// Two customers open their cases in the terminal, and the one returning
/// the jacket sends its parcel; `shop` has the coupon offer.
pub(crate) fn open_two_cases(shop: &Shop) {
    let kept = shop.chat_as(
        "mei",
        "en_US.UTF-8",
        "/new\nDEMO-1005\n8000\nChanged my mind\nSkip\nReturn and refund\nYes, unused\ntake the coupon\n",
    );
    assert!(kept.contains("AS-1001"), "{kept}");
    let returned = shop.chat_as(
        "wang",
        "en_US.UTF-8",
        "/new\nDEMO-1004\n8000\n1\nChanged my mind\nSkip\nReturn and refund\nYes, unused\nNo thanks\nConfirm\n",
    );
    assert!(returned.contains("AS-1002"), "{returned}");
    let sent = shop.chat_as("wang", "en_US.UTF-8", "SF1234567890123\nYes, that's it\n");
    assert!(sent.contains("SF Express SF1234567890123 for case AS-1002"), "{sent}");
}

/// `report` for the last 30 days up to tomorrow (in Shanghai, the shop's
/// zone), which holds every demo delivery and both cases.
pub(crate) fn report(shop: &Shop, args: &[&str]) -> String {
    let zone = chrono_tz::Asia::Shanghai;
    let day = |delta: TimeDelta| (Utc::now() + delta).with_timezone(&zone).date_naive().to_string();
    let (from, to) = (day(TimeDelta::days(-30)), day(TimeDelta::days(1)));
    let output =
        shop.command(&[&["report", "--from", &from, "--to", &to][..], args].concat()).output().expect("run report");
    assert!(output.status.success(), "report failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[test]
fn the_json_report_counts_the_cases_customers_opened() {
    let shop = shop_with_two_cases();
    let json: Value = serde_json::from_str(&report(&shop, &["--format", "json"])).expect("json");

    let volume = &json["volume"];
    assert_eq!((&volume["opened"], &volume["closed"], &volume["open_at_end"]), (&2.into(), &1.into(), &1.into()));
    assert_eq!(volume["by_outcome"]["return_refund"], 2, "{volume}");
    assert_eq!((&volume["by_status"]["retained"], &volume["by_status"]["approved"]), (&1.into(), &1.into()));
    // Six demo order lines were delivered in the last ten days.
    let overall = &json["return_rate"]["overall"];
    assert_eq!((&overall["cases"], &overall["delivered"]), (&2.into(), &6.into()), "{overall}");
    assert_eq!(overall["rate_pct"], 33.33);
    assert_eq!(json["return_rate"]["by_category"][0]["key"], "clothing");
    assert_eq!(json["reasons"][0]["reason"], "changed_mind");
    assert_eq!(json["reasons"][0]["share_pct"], 100.0);
    // The vase is home ware, the jacket clothing: one change of mind each.
    let by_category = &json["reasons_by_category"];
    assert_eq!(
        (&by_category[0]["category"], &by_category[0]["cases"]),
        (&"clothing".into(), &1.into()),
        "{by_category}"
    );
    assert_eq!(by_category[1]["reasons"][0]["reason"], "changed_mind", "{by_category}");
    assert_eq!(by_category[1]["reasons"][0]["share_pct"], 100.0, "{by_category}");
    // The jacket's parcel is the customer's to pay (no freight insurance); every payer is listed.
    let shipping = &json["money"]["return_shipping"];
    let payers: Vec<&Value> = shipping.as_array().expect("payers").iter().map(|line| &line["payer"]).collect();
    assert_eq!(payers, ["customer", "shop", "carrier"], "{shipping}");
    assert_eq!((&shipping[0]["parcels"], &shipping[0]["freight_insurance"]), (&1.into(), &0.into()), "{shipping}");
    // Sent with SF Express within seconds of approval; not arrived yet.
    let logistics = &json["logistics"];
    assert_eq!((&logistics["overall"]["sent"], &logistics["carriers"][0]["carrier"]), (&1.into(), &"sf".into()));
    assert_eq!(logistics["carriers"][0]["to_tracking"]["measured"], 1, "{logistics}");
    assert!(logistics["carriers"][0]["to_tracking"]["median"].as_f64().is_some_and(|days| days < 0.01), "{logistics}");
    assert_eq!(logistics["overall"]["in_transit"]["measured"], 0, "{logistics}");
    assert_eq!(logistics["delivery_problems"], Value::Array(vec![]), "{logistics}");
    // Nothing closed with a responsibility code; the kept vase closed without one.
    assert_eq!(json["responsibility"]["codes"].as_array().map(Vec::len), Some(9));
    assert_eq!(json["responsibility"]["unset"], 1);
    assert_eq!(json["money"]["retention_coupons"]["minor"], 1000);
    assert_eq!(json["money"]["retention_coupons"]["currency"], "CNY");
    assert_eq!(json["policy"]["rules"][0]["rule"], "no_reason_return");
    assert_eq!(json["policy"]["rules"][0]["approved"], 2);
    let retention = &json["retention"];
    assert_eq!(retention["offers"][0]["offer_id"], "coupon10");
    assert_eq!((&retention["offers"][0]["accepted"], &retention["offers"][0]["declined"]), (&1.into(), &1.into()));
    // The kept vase would have refunded its price, ¥268.00.
    assert_eq!((&retention["cases_kept"], &retention["not_refunded"]["minor"]), (&1.into(), &26_800.into()));
    assert_eq!(json["satisfaction"]["sent"], 0);
}

#[test]
fn the_table_report_has_every_section_in_english_or_chinese() {
    let shop = shop_with_two_cases();
    let table = report(&shop, &["--format", "table", "--lang", "en"]);
    for title in ["Volume", "Return rate", "Reasons", "Money", "Policy", "Retention", "Satisfaction"] {
        assert!(table.contains(&format!("== {title} ==")), "{title}: {table}");
    }
    assert!(table.contains("Changed my mind"), "{table}");
    assert!(table.contains("coupon10"), "{table}");
    assert!(table.contains("\nReturn shipping by who paid:\n"), "{table}");
    assert!(table.contains("\n== Logistics ==\n") && table.contains("\n== Responsibility ==\n"), "{table}");
    assert!(table.contains("\n  sf                                                   1"), "{table}");
    assert!(table.lines().all(|line| line.chars().count() <= 100), "{table}");

    let out = shop.path().join("report.txt");
    let printed = report(&shop, &["--out", out.to_str().expect("a path")]);
    assert!(printed.is_empty(), "--out writes the file instead: {printed}");
    let chinese = std::fs::read_to_string(&out).expect("the report file");
    assert!(chinese.starts_with("售后月报") && chinese.contains("== 退货率 =="), "{chinese}");
    assert!(chinese.contains("\n退货运费（按承担方）:\n"), "{chinese}");
    assert!(chinese.contains("\n== 物流 ==\n") && chinese.contains("\n== 责任归属 ==\n"), "{chinese}");
    assert!(chinese.contains("\n  6 运输                                               0"), "{chinese}");

    // Without a period, the last full month: nothing happened then.
    let output = shop.command(&["report", "--format", "json"]).output().expect("run report");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["volume"]["opened"], 0);
}

#[test]
fn the_csv_report_writes_a_file_per_section_or_prints_them_one_after_another() {
    let shop = shop_with_two_cases();
    let folder = shop.path().join("november");
    let printed = report(&shop, &["--format", "csv", "--out", folder.to_str().expect("a path")]);
    assert!(printed.is_empty(), "--out writes the files instead: {printed}");
    let read = |name: &str| std::fs::read_to_string(folder.join(format!("{name}.csv"))).expect(name);
    for name in ["volume", "return_rate", "reasons", "money", "policy", "retention", "satisfaction"] {
        assert!(!read(name).is_empty(), "{name}.csv");
    }
    let by_category = read("reasons_by_category");
    assert!(by_category.starts_with("category,reason,cases,share_pct\n"), "{by_category}");
    assert!(by_category.contains("\nhome,changed_mind,1,100.0\n"), "{by_category}");
    let shipping = read("return_shipping");
    assert_eq!(shipping, "payer,parcels,freight_insurance,cash_back\ncustomer,1,0,0\nshop,0,0,0\ncarrier,0,0,0\n");
    let logistics = read("logistics");
    assert!(logistics.starts_with("figure,carrier,sent,to_tracking_measured,"), "{logistics}");
    assert!(logistics.contains("\ncarrier,sf,1,1,"), "{logistics}");
    let problems = read("delivery_problems");
    assert_eq!(problems, "carrier,damaged_in_transit,lost_parcel,missing_items,wrong_item,signed_not_received,cases\n");
    let responsibility = read("responsibility");
    assert!(responsibility.starts_with("code,cases,paid,currency\n1,0,0.00,CNY\n"), "{responsibility}");
    assert!(responsibility.ends_with("\nunset,1,,\n"), "{responsibility}");
    let volume = read("volume");
    assert!(volume.starts_with("figure,key,cases\nopened,,2\nclosed,,1\n"), "{volume}");
    let rate = read("return_rate");
    assert!(rate.starts_with("figure,key,cases,delivered,rate_pct\noverall,,2,6,33.33\n"), "{rate}");
    let money = read("money");
    assert!(money.starts_with("figure,amount,currency\n"), "{money}");
    assert!(money.contains("\nretention_coupons,10.00,CNY\n"), "{money}");
    let retention = read("retention");
    assert!(retention.contains("\ncases_kept,,1,268.00,CNY\n"), "{retention}");

    let stdout = report(&shop, &["--format", "csv"]);
    assert!(stdout.starts_with("# volume\nfigure,key,cases\n"), "{stdout}");
    assert!(
        stdout.contains("\n\n# reasons\nreason,cases,share_pct,refunded,currency\nchanged_mind,2,100.0,"),
        "{stdout}"
    );
}

/// An agent answers a customer whose jacket came damaged (SF Express
/// brought it), sets responsibility 6 (transport) and closes the case.
#[tokio::test]
async fn the_report_counts_an_agents_case_its_times_delivery_problem_and_responsibility() {
    let (fake, shop, _bot) = agents_desk("[reports]\nmin_ratings = 2\n").await;
    let alice = Customer::new(&fake, 701, "Alice", Some("en"));
    damaged_case(&alice).await;
    let topic = topic(&fake, "AS-1001").await;
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "Sorry about the jacket, Li here.");
    alice.gets("Sorry about the jacket, Li here.").await;
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "/resp 6");
    in_topic_text(&fake, topic.thread_id, "Responsibility set").await;
    fake.send_text_in_topic(GROUP, LI, topic.thread_id, "/close");
    in_topic_text(&fake, topic.thread_id, "Li closed the case").await;

    let json: Value = serde_json::from_str(&report(&shop, &["--format", "json"])).expect("json");
    let problems = &json["logistics"]["delivery_problems"];
    assert_eq!((&problems[0]["carrier"], &problems[0]["cases"]), (&"顺丰速运".into(), &1.into()), "{problems}");
    assert_eq!(problems[0]["by_reason"]["damaged_in_transit"], 1, "{problems}");
    assert_eq!(problems[0]["by_reason"]["signed_not_received"], 0, "{problems}");
    let transport = &json["responsibility"]["codes"][5];
    assert_eq!((&transport["code"], &transport["cases"]), (&6.into(), &1.into()), "{transport}");
    assert_eq!(transport["paid"]["minor"], 0, "{transport}");
    assert_eq!(json["responsibility"]["unset"], 0);
    // Li answered and closed the one hand-over; nobody rated it yet.
    let agents = &json["agents"];
    assert_eq!((&agents["overall"]["cases_handled"], &agents["overall"]["sla_pings"]), (&1.into(), &0.into()));
    let li = &agents["agents"][0];
    assert_eq!(
        (&li["agent"]["name"], &li["agent"]["id"], &li["cases_handled"]),
        (&"Li".into(), &901.into(), &1.into())
    );
    for (measure, clock) in [("first_response", "wall_clock"), ("resolution", "working_hours")] {
        assert_eq!(li[measure][clock]["measured"], 1, "{measure} {clock}: {li}");
    }
    let under_an_hour = li["first_response"]["wall_clock"]["buckets"][0].clone();
    assert_eq!(under_an_hour, 1, "{li}");
    assert_eq!(
        (&li["csat_count"], &agents["most_satisfying"], &agents["min_ratings"]),
        (&0.into(), &Value::Null, &2.into())
    );

    let table = report(&shop, &["--lang", "en"]);
    assert!(
        table.contains("\n  顺丰速运                                             1\n    Damaged in transit"),
        "{table}"
    );
    assert!(table.contains("\n  6 transport                                          1           ¥0.00\n"), "{table}");
    assert!(
        table.contains("\n== Agents ==\n")
            && table.contains(
                "\n  Li                                                   1               0               –\n"
            ),
        "{table}"
    );
    assert!(table.contains("\n  Ratings needed                                       2\n"), "{table}");
    let chinese = report(&shop, &[]);
    assert!(chinese.contains("\n== 客服 ==\n") && chinese.contains("\n客户最满意的客服:\n  无\n"), "{chinese}");
    let folder = shop.path().join("csv");
    report(&shop, &["--format", "csv", "--out", folder.to_str().expect("a path")]);
    let problems = std::fs::read_to_string(folder.join("delivery_problems.csv")).expect("delivery_problems.csv");
    assert!(problems.ends_with("\n顺丰速运,1,0,0,0,0,1\n"), "{problems}");
    let agents = std::fs::read_to_string(folder.join("agents.csv")).expect("agents.csv");
    assert!(agents.starts_with("agent,agent_id,cases_handled,sla_pings,csat_average,csat_count,most_satisfying\n,,1,0,,0,\nLi,901,1,0,,0,\n"), "{agents}");
    let times = std::fs::read_to_string(folder.join("agent_times.csv")).expect("agent_times.csv");
    assert!(times.starts_with("agent,agent_id,measure,clock,measured,average_hours,"), "{times}");
    assert_eq!(times.lines().filter(|line| line.starts_with("Li,901,")).count(), 4, "{times}");
}

/// `cases export` from yesterday to tomorrow (Shanghai days), the rows
/// parsed back from the CSV.
fn export(shop: &Shop, args: &[&str]) -> Vec<Vec<String>> {
    let zone = chrono_tz::Asia::Shanghai;
    let day = |delta: TimeDelta| (Utc::now() + delta).with_timezone(&zone).date_naive().to_string();
    let (from, to) = (day(TimeDelta::days(-1)), day(TimeDelta::days(1)));
    let command = [&["cases", "export", "--from", &from, "--to", &to, "--format", "csv"][..], args].concat();
    let output = shop.command(&command).output().expect("run cases export");
    assert!(output.status.success(), "export failed: {}", String::from_utf8_lossy(&output.stderr));
    parse_csv(&output.stdout)
}

pub(crate) fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    reader.records().map(|record| record.expect("a csv row").iter().map(str::to_owned).collect()).collect()
}

#[test]
fn cases_export_writes_a_row_per_case_opened_in_the_period() {
    let shop = shop_with_two_cases();
    let rows = export(&shop, &[]);
    let header = "opened_at,case,order_no,item,sku,quantity,reason,refunded,agreed,currency,outcome,status,\
                  responsibility,agent,satisfaction";
    assert_eq!(rows[0].join(","), header);
    assert_eq!(rows.len(), 3, "{rows:?}");
    // Opened just now, in Shanghai's time.
    let opened = chrono::DateTime::parse_from_rfc3339(&rows[1][0]).expect("an RFC 3339 time");
    assert_eq!(opened.offset().local_minus_utc(), 8 * 3600, "{}", rows[1][0]);
    assert!((Utc::now() - opened.with_timezone(&Utc)).num_minutes().abs() < 10, "{}", rows[1][0]);
    let kept = "AS-1001,DEMO-1005,青瓷花瓶,VASE-CL-30,1,changed_mind,0.00,,CNY,return_refund,retained,,,";
    assert_eq!(rows[1][1..].join(","), kept);
    let returned = "AS-1002,DEMO-1004,女士防风夹克,JKT-WB-M,1,changed_mind,0.00,,CNY,return_refund,approved,,,";
    assert_eq!(rows[2][1..].join(","), returned);

    // --out writes the same rows to a file; a period without cases has the header alone.
    let file = shop.path().join("cases.csv");
    let printed = export(&shop, &["--out", file.to_str().expect("a path")]);
    assert!(printed.is_empty(), "--out writes the file instead: {printed:?}");
    assert_eq!(parse_csv(&std::fs::read(&file).expect("the export file")), rows);
    let output = shop
        .command(&["cases", "export", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv"])
        .output()
        .expect("run cases export");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), format!("{header}\n"));
}
