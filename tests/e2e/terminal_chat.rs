//! The terminal channel, scripted through a pipe.

use std::io::Write;
use std::process::Stdio;

use crate::helpers::Shop;

fn chat(shop: &Shop, script: &str) -> String {
    let mut child = shop
        .command(&["chat"])
        .env("LANG", "en_US.UTF-8")
        .env("USER", "lin")
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

#[test]
fn a_whole_quality_case_can_be_scripted_through_a_pipe() {
    let shop = Shop::new();
    let photo = shop.path().join("crack.jpg");
    std::fs::write(&photo, b"\xFF\xD8 a cracked vase").expect("photo");
    let photo = photo.display();
    let script = format!(
        "/start\n1\nDEMO-1005\n8000\nQuality problem\nThe glaze is cracked\n/sticker\n\
         /photo {photo}\n/photo {photo}\n/photo {photo}.missing\n"
    );
    let partial = chat(&shop, &script);
    assert!(partial.contains("Received 1 photo"), "{partial}");
    assert!(partial.contains("cannot read"), "a missing file is reported: {partial}");

    // The conversation survives between runs: it is in the store.
    let second = shop.path().join("crack2.jpg");
    let third = shop.path().join("crack3.jpg");
    std::fs::write(&second, b"\xFF\xD8 second").expect("photo");
    std::fs::write(&third, b"\xFF\xD8 third").expect("photo");
    let script =
        format!("/photo {}\n/photo {}\nDone\nReturn and refund\nConfirm\n/cases\n", second.display(), third.display());
    let output = chat(&shop, &script);
    assert!(output.contains("AS-1001"), "{output}");
    assert!(output.contains("Your cases"), "{output}");
    let media = std::fs::read_dir(shop.path().join("media")).expect("media folder").count();
    assert_eq!(media, 3, "three different photos, stored once each");
}
