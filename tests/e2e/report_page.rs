//! `aftersales report --format html` opened in a real browser: headless
//! Chromium (from the OS packages; CI installs it) loads the page from disk
//! with the network unused, and its screenshot shows each chart drawn in
//! its colour. The screenshot is kept in `target/artefacts/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use aftersales::report::html::{CSAT_COLOUR, PER_DAY_COLOUR, REASONS_COLOUR};
use aftersales::store::query;

use crate::report::{report, shop_with_two_cases};

/// The browser: `chromium` on the PATH. A missing browser fails the test:
/// the page would go untested.
fn chromium() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|path| path.is_file())
        .expect("chromium is not installed (apt-get install chromium): the report page needs a real browser")
}

/// Chromium headless on `page` with `args`; its stdout.
fn browse(page: &Path, profile: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=412,2000"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// `#rrggbb` as bytes.
fn rgb(colour: &str) -> [u8; 3] {
    let byte = |at: usize| u8::from_str_radix(&colour[at..at + 2], 16).expect("a hex colour");
    [byte(1), byte(3), byte(5)]
}

/// The rows of the screenshot's pixels of exactly `colour` (the inside of
/// a filled shape, not its anti-aliased edge).
fn rows_of(image: &[u8], width: usize, channels: usize, colour: [u8; 3]) -> Vec<usize> {
    image
        .chunks_exact(channels)
        .enumerate()
        .filter(|(_, pixel)| pixel[..3] == colour)
        .map(|(at, _)| at / width)
        .collect()
}

#[tokio::test]
async fn the_report_page_draws_its_charts_in_a_real_browser() {
    let shop = shop_with_two_cases();
    // Both customers rated their case (5 and 4), so the CSAT chart has columns.
    let mut tx = shop.store().await.write().await.expect("begin");
    for (case, score) in [("AS-1001", 5), ("AS-1002", 4)] {
        query("UPDATE cases SET survey = ?, survey_score = ? WHERE id = ?")
            .bind(serde_json::json!({ "sent_at": chrono::Utc::now().to_rfc3339() }).to_string())
            .bind(score)
            .bind(case)
            .execute(&mut tx)
            .await
            .expect("a survey answer");
    }
    tx.commit().await.expect("commit");

    let page = shop.path().join("report.html");
    let printed = report(&shop, &["--format", "html", "--out", page.to_str().expect("a path")]);
    assert!(printed.is_empty(), "--out writes the page instead: {printed}");
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("售后原因"), "Chinese by default");

    let profile = tempfile::tempdir().expect("a browser profile");
    let dom = String::from_utf8(browse(&page, profile.path(), &["--dump-dom"])).expect("utf-8 DOM");
    // One reason (changed mind), a dot for each of the 32 days, five scores.
    assert_eq!(dom.matches("class=\"bar\"").count(), 1, "{dom}");
    assert_eq!(dom.matches("class=\"dot\"").count(), 32, "{dom}");
    // Five scores, and five buckets each of first response and resolution times.
    assert_eq!(dom.matches("class=\"column\"").count(), 15, "{dom}");
    for section in ["reasons", "per-day", "csat", "money", "logistics", "responsibility", "agents", "low-scores"] {
        assert!(dom.contains(&format!("<section id=\"{section}\">")), "{section}: {dom}");
    }
    assert!(dom.contains("<div id=\"response-times\">"), "{dom}");

    let artefacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("artefacts");
    std::fs::create_dir_all(&artefacts).expect("the artefacts folder");
    let screenshot = artefacts.join("report-page.png");
    let _ = std::fs::remove_file(&screenshot);
    browse(&page, profile.path(), &[&format!("--screenshot={}", screenshot.display())]);

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&screenshot).expect("the screenshot")));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut image = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut image).expect("the pixels");
    let (width, channels) = (frame.width as usize, frame.color_type.samples());
    assert_eq!((frame.width, frame.height), (412, 2000));
    let image = &image[..frame.buffer_size()];

    // Each chart is drawn (enough pixels of its colour), in the page's order.
    let mut previous = 0;
    for (chart, colour, least) in
        [("reasons", REASONS_COLOUR, 1_000), ("per day", PER_DAY_COLOUR, 500), ("CSAT", CSAT_COLOUR, 2_000)]
    {
        let rows = rows_of(image, width, channels, rgb(colour));
        assert!(
            rows.len() >= least,
            "the {chart} chart has {} pixels of {colour}: {}",
            rows.len(),
            screenshot.display()
        );
        let top = rows.iter().min().copied().unwrap_or_default();
        assert!(top > previous, "the {chart} chart starts at row {top}, above the chart before it ({previous})");
        previous = top;
    }
}
