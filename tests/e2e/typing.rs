//! Customers type the way people do: their own words for a person,
//! full-width digits and invisible characters, a number or a part of a
//! button's label instead of pressing it.

use crate::helpers::{Customer, Shop, spawn_bot};

#[tokio::test]
async fn a_chinese_customer_types_full_width_and_asks_for_a_person_in_their_own_words() {
    let (fake, _shop, _bot) = spawn_bot().await;
    let wang = Customer::new(&fake, 601, "王芳", None);

    wang.says("/new").await;
    let proof = wang.says("\u{200B}ＤＥＭＯ－１００４ ").await;
    assert!(proof.text.contains("DEMO-1004") && proof.text.contains("后4位"), "{}", proof.text);
    let items = wang.says("８０００").await;
    assert!(items.labels().iter().any(|label| label.contains("女士防风夹克")), "{:?}", items.labels());
    let reasons = wang.says("9").await;
    assert!(reasons.text.contains("请输入 1 到 3 之间的数字"), "two items and Cancel: {}", reasons.text);
    let reasons = wang.says("夹克").await;
    assert!(
        reasons.text.contains("「女士防风夹克」遇到了什么问题"),
        "part of the name picks the item: {}",
        reasons.text
    );

    for request in ["我要人工", "找客服"] {
        let noted = wang.says(request).await;
        assert!(noted.text.contains("已记下您想找人工客服"), "{request}: {}", noted.text);
    }
    let detail = wang.says("不想要").await;
    assert!(detail.text.contains("可以简单描述一下"), "part of a reason's label picks it: {}", detail.text);
    for request in ["转人工客服", "人工服务"] {
        let noted = wang.says(request).await;
        assert!(noted.text.contains("已记下您想找人工客服"), "{request} at the description: {}", noted.text);
    }
    let account = "收到的颜色和图片不一样，之前问过客服说可以换，但是一直没有人回复我，麻烦尽快处理";
    let next = wang.says(account).await;
    assert!(!next.text.contains("已记下"), "a long account is a description, not a request: {}", next.text);
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[tokio::test]
async fn an_english_customer_types_numbers_and_parts_of_labels() {
    let (fake, _shop, _bot) = spawn_bot().await;
    let alice = Customer::new(&fake, 602, "Alice", Some("en"));

    alice.says("/new").await;
    alice.says("demo\u{2011}1004").await;
    alice.says("8000").await;
    let quantity = alice.says("T恤").await;
    assert!(quantity.text.contains("How many of “纯棉短袖T恤”"), "{}", quantity.text);
    let refused = alice.says("3").await;
    assert!(refused.text.contains("type a number from 1 to 2"), "only 2 were bought: {}", refused.text);
    assert!(!refused.text.contains("out of date"), "{}", refused.text);
    let reasons = alice.says("2").await;
    assert!(reasons.text.contains("What's the matter"), "{}", reasons.text);
    for request in ["I want to talk to a human", "can I speak to someone"] {
        let noted = alice.says(request).await;
        assert!(noted.text.contains("Noted: you'd like to talk to a person."), "{request}: {}", noted.text);
    }
}

#[test]
fn the_terminal_reads_numbers_parts_of_labels_and_requests_for_a_person() {
    let shop = Shop::new();
    let script = "/new\nＤＥＭＯ－１００４\n８０００\n9\n夹克\n人工服务\n";
    let mut child = shop
        .command(&["chat"])
        .env("LANG", "en_US.UTF-8")
        .env("USER", "lin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn chat");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), script.as_bytes()).expect("script");
    let output = child.wait_with_output().expect("chat output");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = String::from_utf8(output.stdout).expect("utf-8");
    let after = |typed: &str| output.split(&format!("you> {typed}\n")).nth(1).unwrap_or_else(|| panic!("{output}"));
    assert!(after("ＤＥＭＯ－１００４").starts_with("bot> To protect your privacy"), "{output}");
    assert!(after("9").starts_with("bot> There is no choice with that number: type a number from 1 to 3"), "{output}");
    assert!(after("夹克").contains("What's the matter with “女士防风夹克”"), "{output}");
    assert!(after("人工服务").starts_with("bot> Noted: you'd like to talk to a person."), "{output}");
}

#[tokio::test]
async fn an_edited_order_number_is_read_as_the_new_answer() {
    let (fake, _shop, _bot) = spawn_bot().await;
    let wang = Customer::new(&fake, 603, "王芳", None);

    wang.says("/new").await;
    let mut typo = 0;
    let missed = wang.expect_reply(|| typo = fake.send_text(603, "DEMO-1040")).await;
    assert!(missed.text.contains("DEMO-1040"), "{}", missed.text);
    let proof = wang.expect_reply(|| fake.edit_text(603, typo, "DEMO-1004")).await;
    assert!(proof.text.contains("DEMO-1004") && proof.text.contains("后4位"), "the edit is the answer: {}", proof.text);
    let moved_on = wang.expect_reply(|| fake.edit_text(603, typo, "DEMO-1005")).await;
    assert!(moved_on.text.contains("我只能读取新消息"), "its question was answered: {}", moved_on.text);
    assert!(moved_on.text.contains("DEMO-1004") && moved_on.text.contains("后4位"), "{}", moved_on.text);
    let items = wang.says("8000").await;
    assert!(items.labels().iter().any(|label| label.contains("女士防风夹克")), "{}", items.text);
}

#[tokio::test]
async fn an_edit_of_an_answer_already_moved_past_is_said_not_to_be_read() {
    let (fake, _shop, _bot) = spawn_bot().await;
    let alice = Customer::new(&fake, 604, "Alice", Some("en"));

    alice.says("/new").await;
    alice.says("demo-1004").await;
    let mut digits = 0;
    alice.expect_reply(|| digits = fake.send_text(604, "8000")).await;
    alice.presses("女士防风夹克").await;
    let told = alice.expect_reply(|| fake.edit_text(604, digits, "8001")).await;
    assert!(told.text.contains("I only read new messages"), "{}", told.text);
    assert!(told.text.contains("What's the matter with “女士防风夹克”"), "the question again: {}", told.text);
    let detail = alice.presses("Changed my mind").await;
    assert!(detail.text.contains("in your own words"), "the flow goes on: {}", detail.text);
}
