//! Evidence is checked by its content: a file that is not a photo or video
//! is refused in the customer's language and never counts or gets stored,
//! whatever its name or claimed type; a real image counts however it came.

use std::path::Path;

use crate::helpers::{Customer, PNG_1X1, Shop, WAIT, jpeg, spawn_bot};

/// The media folder's file extensions, sorted; each file begins as its extension says.
fn media_extensions(shop: &Shop) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(shop.path().join("media")) else { return Vec::new() };
    let mut extensions: Vec<String> = entries
        .map(|entry| entry.expect("entry").path())
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read");
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_owned();
            let magic: &[u8] = if extension == "png" { b"\x89PNG" } else { b"\xFF\xD8\xFF" };
            assert!(bytes.starts_with(magic), "{} holds what it claims", path.display());
            extension
        })
        .collect();
    extensions.sort();
    extensions
}

#[tokio::test]
async fn a_text_file_at_the_photo_question_is_refused_in_chinese_and_a_png_document_counts() {
    let (fake, shop, _bot) = spawn_bot().await;
    let wang = Customer::new(&fake, 521, "王芳", None);
    wang.says("DEMO-1005 收到的花瓶碎了").await;
    wang.says("8000").await;
    let photos = wang.presses("运输破损").await;
    assert!(photos.text.contains("3"), "{}", photos.text);

    let notes = wang
        .expect_reply(|| {
            fake.send_document(wang.id, "notes.txt", "text/plain", b"the vase is broken".to_vec());
        })
        .await;
    assert!(notes.text.contains("这个文件不是照片或视频，没有算作凭证。"), "{}", notes.text);
    assert!(notes.text.contains("照片"), "the photo question again: {}", notes.text);
    // Neither the name nor the claimed type makes a photo.
    let disguised = wang
        .expect_reply(|| {
            fake.send_document(wang.id, "crack.jpg", "image/jpeg", b"not really a photo".to_vec());
        })
        .await;
    assert!(disguised.text.contains("不是照片或视频"), "{}", disguised.text);

    let scan = wang
        .expect_reply(|| {
            fake.send_document(wang.id, "scan", "application/octet-stream", PNG_1X1.to_vec());
        })
        .await;
    assert!(scan.text.contains("已收到1张"), "a real image counts, whatever it claims: {}", scan.text);
    let before = fake.messages(wang.id).len();
    for n in 0..2u8 {
        fake.send_photo(wang.id, jpeg(&[n, 5]), Some("album-521"), None);
    }
    let outcomes = fake.wait_until(|_| fake.messages(wang.id).len() > before, WAIT).await;
    assert!(outcomes, "{:#?}", wang.texts());
    wang.presses("补发").await;
    let opened = wang.presses("确认提交").await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);

    let kinds = "SELECT COUNT(*) FROM evidence WHERE case_id = 'AS-1001' AND \
                 ((kind = 'image_file' AND local_path LIKE '%.png') OR (kind = 'photo' AND local_path LIKE '%.jpg'))";
    assert_eq!(shop.count(kinds).await, 3, "stored as what they are, before the case opened");
    assert_eq!(media_extensions(&shop), ["jpg", "jpg", "png"], "no text file in the media folder");
    assert!(fake.rejections().is_empty(), "Telegram refused: {:#?}", fake.rejections());
}

#[test]
fn in_the_terminal_only_real_images_count_and_a_missing_path_is_told_plainly() {
    let shop = Shop::new();
    let file = |name: &str, bytes: &[u8]| {
        let path = shop.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path.display().to_string()
    };
    let notes = file("notes.txt", b"The rim is cracked.\n");
    let disguised = file("crack.jpg", b"The rim is cracked.\n");
    let empty = file("empty.jpg", b"");
    let (first, second, scan) =
        (file("rim.jpg", &jpeg(b"rim")), file("base.jpg", &jpeg(b"base")), file("scan", PNG_1X1));
    let missing = Path::new("/no/such.jpg").display().to_string();
    let script = [
        "DEMO-1005 the vase arrived broken".to_owned(),
        "8000".to_owned(),
        "Damaged in transit".to_owned(),
        format!("/photo {notes}"),
        format!("/photo {disguised}"),
        format!("/photo {missing}"),
        format!("/photo {first} {empty} /no/such2.jpg {second} {scan} -- the rim is cracked"),
        "Reship".to_owned(),
        "Confirm".to_owned(),
    ];
    let output = shop.chat(&(script.join("\n") + "\n"));

    let refused = "That file is not a photo or a video, so it was not counted as evidence.";
    assert_eq!(output.matches(refused).count(), 3, "notes, the disguised and the empty file: {output}");
    assert!(output.contains(&format!("I can't find or open the file {missing}.")), "{output}");
    assert!(output.contains("I can't find or open the file /no/such2.jpg."), "{output}");
    assert!(!output.contains("No such file or directory") && !output.contains("os error"), "{output}");
    assert!(output.contains("Received 3 photos"), "the album's real images still count: {output}");
    assert!(output.contains("AS-1001"), "{output}");
    assert_eq!(media_extensions(&shop), ["jpg", "jpg", "png"], "only real images, under their real type");
}

#[tokio::test]
async fn a_video_counts_by_its_first_box_and_junk_sent_as_a_video_is_refused_in_english() {
    let (fake, shop, _bot) = spawn_bot().await;
    let bob = Customer::new(&fake, 522, "Bob", Some("en"));
    bob.says("DEMO-1005 the vase arrived broken").await;
    bob.says("8000").await;
    bob.presses("Damaged in transit").await;
    let junk = bob
        .expect_reply(|| {
            fake.send_video(bob.id, b"PK\x03\x04 a zip, not a film".to_vec(), None);
        })
        .await;
    assert!(junk.text.contains("That file is not a photo or a video"), "{}", junk.text);
    let film = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free".to_vec();
    let video = bob
        .expect_reply(|| {
            fake.send_video(bob.id, film, None);
        })
        .await;
    assert!(video.text.contains("Received 1 photo"), "a video counts: {}", video.text);
    let stored = std::fs::read_dir(shop.path().join("media")).expect("media").count();
    assert_eq!(stored, 1, "the junk was not stored");
    assert_eq!(shop.count("SELECT COUNT(*) FROM evidence").await, 0, "no case yet");
}
