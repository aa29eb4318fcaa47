//! A shop without an agents' group, as its customers and its owner see it:
//! asking for a person is answered honestly with the shop's contact,
//! threats are flagged on the case, and `cases list|show` lets the owner
//! find them.

use crate::fake_telegram::FakeTelegram;
use crate::helpers::{Customer, Shop, TEST_CONFIG, WAIT};

const CONTACT: &str = "Mon–Fri 9:00–18:00 · 400-800-1234 · help@example.com";

fn shop_with_contact() -> Shop {
    Shop::with_config(&format!("{TEST_CONFIG}\n[shop]\ncontact = \"{CONTACT}\"\n"))
}

/// `aftersales cases …`: its standard output, after checking it succeeded.
fn cases(shop: &Shop, args: &[&str]) -> String {
    let mut all = vec!["cases"];
    all.extend_from_slice(args);
    let output = shop.command(&all).output().expect("run cases");
    assert!(output.status.success(), "cases {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[tokio::test]
async fn without_an_agents_group_asking_for_a_person_gets_the_shops_contact_and_serve_warns() {
    let fake = FakeTelegram::start().await;
    let shop = shop_with_contact();
    let _bot = shop.serve(&fake);
    let log = shop.path().join("serve.log");
    let warned = fake
        .wait_until(|_| std::fs::read_to_string(&log).is_ok_and(|log| log.contains("no agents' group is set")), WAIT)
        .await;
    assert!(warned, "serve warns at start: {}", std::fs::read_to_string(&log).unwrap_or_default());

    let lin = Customer::new(&fake, 801, "Lin", Some("en"));
    lin.says("/start").await;
    let reply = lin.says("/agent").await;
    assert!(reply.text.contains("Noted") && reply.text.contains(CONTACT), "{}", reply.text);
    assert!(!reply.text.contains("2 hours") && !reply.text.contains("colleague will take over"), "{}", reply.text);
    assert!(reply.button("My cases").is_some(), "the bot keeps serving: {:?}", reply.labels());
    let recorded = "SELECT COUNT(*) FROM escalations e JOIN customers c ON c.id = e.customer_id \
                    WHERE c.chat_id = 801 AND e.case_id IS NULL AND e.why = 'customer_asked'";
    assert!(shop.eventually(recorded, 1).await, "the request is recorded on the customer");

    let wang = Customer::new(&fake, 802, "王芳", None);
    let reply = wang.says("人工").await;
    assert!(reply.text.contains("已记下您想找人工客服") && reply.text.contains(CONTACT), "{}", reply.text);
}

#[test]
fn threats_are_flagged_on_the_case_and_the_owner_lists_and_shows_them() {
    let shop = Shop::new();
    // A change-of-mind return on DEMO-1005, then words a shop must not miss, in both languages.
    let script = "1\nDEMO-1005\n8000\nChanged my mind\nSkip\nReturn and refund\n1\n2\n1\n\
                  I will complain to 12315 if this drags on\n我要找律师\nthere is an issue with the tape\nhuman\n";
    let output = shop.chat_as("lin", "en_US.UTF-8", script);
    assert!(output.contains("AS-1001"), "{output}");
    assert!(output.contains("reply to you here in this chat"), "no contact set, no promise of a time: {output}");
    // Another customer's case, with nothing flagged.
    let output = shop.chat_as("wang", "zh_CN.UTF-8", "1\nDEMO-1004\n8000\n1\n8\n跳过\n1\n1\n2\n1\n");
    assert!(output.contains("AS-1002"), "{output}");

    let all = cases(&shop, &["list"]);
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines[0].starts_with("CASE") && lines[0].contains("FLAGS"), "{all}");
    assert!(all.contains("AS-1001") && all.contains("AS-1002") && all.ends_with("2 cases\n"), "{all}");
    let status_column = lines[0].find("STATUS").expect("a status column");
    assert!(lines[1..3].iter().all(|line| line.get(status_column..).is_some()), "aligned: {all}");

    let flagged = cases(&shop, &["list", "--flagged"]);
    assert!(flagged.contains("AS-1001") && !flagged.contains("AS-1002"), "{flagged}");
    assert!(flagged.ends_with("1 case\n"), "{flagged}");
    let json: serde_json::Value = serde_json::from_str(&cases(&shop, &["list", "--flagged", "--json"])).expect("JSON");
    assert_eq!(json[0]["id"], "AS-1001", "{json}");
    assert_eq!(json[0]["flags"], 2, "the English and the Chinese threat, not the issue: {json}");
    let approved: serde_json::Value =
        serde_json::from_str(&cases(&shop, &["list", "--status", "approved", "--json"])).expect("JSON");
    assert_eq!(approved.as_array().map(Vec::len), Some(2), "{approved}");

    let shown = cases(&shop, &["show", "AS-1001"]);
    for expected in ["DEMO-1005", "Flags (2)", "12315", "我要找律师", "Decision", "no_reason", "Timeline", "opened"]
    {
        assert!(shown.contains(expected), "show lacks {expected:?}:\n{shown}");
    }
    assert!(!shown.contains("Some(") && !shown.contains("CaseId("), "no Rust Debug output:\n{shown}");
    let json: serde_json::Value = serde_json::from_str(&cases(&shop, &["show", "AS-1001", "--json"])).expect("JSON");
    assert_eq!(json["case"]["id"], "AS-1001");
    assert_eq!(json["flags"][1]["text"], "我要找律师");
    assert!(json["decision"]["rule"].as_str().is_some_and(|rule| !rule.is_empty()), "{json}");
    assert!(json["timeline"].as_array().is_some_and(|events| !events.is_empty()), "{json}");

    let missing = shop.command(&["cases", "show", "AS-9999"]).output().expect("run");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no case AS-9999"));
}

#[tokio::test]
async fn a_rating_of_one_is_apologised_for_and_its_person_button_works_in_both_languages() {
    let fake = FakeTelegram::start().await;
    // No quiet hours: the survey goes whatever the hour.
    let shop =
        Shop::with_config(&format!("{TEST_CONFIG}\n[shop]\ncontact = \"{CONTACT}\"\n[followup]\nquiet_hours = \"\"\n"));
    crate::survey_burst::seed_due_surveys(&shop, &fake, 601, 2001, 1, "en").await;
    crate::survey_burst::seed_due_surveys(&shop, &fake, 611, 2011, 1, "zh").await;
    let _bot = shop.serve(&fake);

    let ann = Customer::new(&fake, 601, "Customer 0", Some("en"));
    ann.gets("How satisfied").await;
    let sorry = ann.presses("⭐ 1").await;
    assert!(sorry.text.contains("We're sorry") && !sorry.text.contains("Thank you for the 1"), "{}", sorry.text);
    assert_eq!(sorry.labels(), ["Talk to a person", "No comment"]);
    let person = ann.presses("Talk to a person").await;
    assert!(person.text.contains("AS-2001") && person.text.contains(CONTACT), "{}", person.text);
    let recorded = "SELECT COUNT(*) FROM escalations WHERE case_id = 'AS-2001' AND why = 'customer_asked'";
    assert!(shop.eventually(recorded, 1).await, "the request is recorded on the case");

    let bo = Customer::new(&fake, 611, "Customer 0", Some("zh"));
    bo.gets("满意").await;
    let sorry = bo.presses("⭐ 1分").await;
    assert!(sorry.text.contains("很抱歉") && !sorry.text.contains("感谢您的1分"), "{}", sorry.text);
    let person = bo.presses("转人工客服").await;
    assert!(person.text.contains("AS-2011") && person.text.contains(CONTACT), "{}", person.text);
    assert!(fake.every_callback_answered(WAIT).await, "every press is answered: {:#?}", fake.unanswered_callbacks());
}
