//! The report as one self-contained HTML page (`--format html`, and the
//! document agents get with `/report`): inline CSS and SVG charts, no
//! script, nothing fetched, laid out for a phone first. Pure: text in,
//! text out; every text from data is escaped.

use std::fmt::Write as _;

use chrono_tz::Tz;

use super::table::{days, median_p90, percent};
use super::{AgentLine, CarrierLine, Report, headline};
use crate::catalogue::report::{Label, label};
use crate::lang::Lang;

/// The charts' colours, one per chart, so a screenshot shows which is drawn.
pub const REASONS_COLOUR: &str = "#2563eb";
pub const PER_DAY_COLOUR: &str = "#16a34a";
pub const CSAT_COLOUR: &str = "#f59e0b";
pub const PROBLEMS_COLOUR: &str = "#dc2626";
pub const FIRST_RESPONSE_COLOUR: &str = "#7c3aed";
pub const RESOLUTION_COLOUR: &str = "#0891b2";

/// The response-time buckets' names under their columns, in hours.
const BUCKETS: [&str; 5] = ["0–1", "1–4", "4–8", "8–24", "24+"];

/// The SVG charts' coordinate width; they scale to the page's width.
const WIDTH: f64 = 400.0;

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;background:#f8fafc;color:#0f172a;\
font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;line-height:1.4}\
main{max-width:760px;margin:0 auto;padding:12px}\
h1{font-size:1.35rem;margin:.4rem 0 0}\
h2{font-size:1.05rem;margin:0 0 .5rem}\
.period{color:#475569;margin:.2rem 0 .8rem}\
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin-bottom:12px}\
.figure,section{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:10px 12px}\
.figure .value{display:block;font-size:1.5rem;font-weight:600}\
.figure .name{color:#475569;font-size:.85rem}\
section{margin-bottom:12px}\
svg{display:block;width:100%;height:auto}\
svg text{font-size:13px;fill:#334155}\
table{border-collapse:collapse;width:100%}\
th,td{padding:4px 4px 4px 0;border-bottom:1px solid #f1f5f9;text-align:left;vertical-align:top}\
th{font-weight:600;font-size:.85rem;color:#475569}\
.n{text-align:right;padding-left:10px}\
.scroll{overflow-x:auto}\
.wide td,.wide th{white-space:nowrap}\
h3{font-size:.95rem;margin:.8rem 0 .3rem}\
.none{color:#64748b}";

/// The page of `report` in `lang`, its days in `zone`.
pub fn page(report: &Report, lang: Lang, zone: Tz) -> String {
    let l = |key: Label| label(lang, key);
    let top = headline(report, zone);
    let title = format!("{} {} – {}", l(Label::Title), top.first_day, top.last_day);
    let mut out = String::new();
    let html_lang = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n",
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<h1>{}</h1><p class=\"period\">{} {} – {}</p>",
        esc(&l(Label::Title)),
        esc(&l(Label::Period)),
        top.first_day,
        top.last_day
    );

    let csat = top.csat_average.map_or_else(|| "–".to_owned(), |avg| format!("{avg:.2}"));
    let figures = [
        (l(Label::Opened), top.opened.to_string()),
        (l(Label::ReturnRate), percent(top.return_rate_pct)),
        (l(Label::Refunded), top.refunded.to_string()),
        (l(Label::Csat), csat),
        (l(Label::Closed), top.closed.to_string()),
        (l(Label::OpenAtEnd), top.open_at_end.to_string()),
    ];
    out.push_str("<div class=\"figures\">");
    for (name, value) in figures {
        let _ = write!(
            out,
            "<div class=\"figure\"><span class=\"value\">{}</span><span class=\"name\">{}</span></div>",
            esc(&value),
            esc(&name)
        );
    }
    out.push_str("</div>\n");

    let reasons: Vec<Bar> = report
        .reasons
        .iter()
        .map(|line| Bar {
            label: l(Label::Reason(line.reason)),
            value: line.cases,
            shown: format!("{} · {}", line.cases, percent(Some(line.share_pct))),
        })
        .collect();
    let chart = if reasons.is_empty() { none(lang) } else { bars(&reasons, REASONS_COLOUR) };
    section(&mut out, "reasons", &l(Label::Reasons), &chart);

    let days: Vec<(String, u32)> =
        report.volume.opened_per_day.iter().map(|day| (day.day.format("%m-%d").to_string(), day.cases)).collect();
    let chart = if days.is_empty() { none(lang) } else { line(&days, PER_DAY_COLOUR) };
    section(&mut out, "per-day", &l(Label::PerDay), &chart);

    let survey = &report.satisfaction;
    let scores: Vec<(String, u32)> = (1..=5).zip(survey.distribution).map(|(s, n)| (s.to_string(), n)).collect();
    let title = format!("{} · {}", l(Label::Satisfaction), l(Label::Distribution));
    section(&mut out, "csat", &title, &columns(&scores, CSAT_COLOUR));

    let money = &report.money;
    let rows = [
        (l(Label::Refunded), money.refunded.to_string()),
        (l(Label::PartialRefunds), money.partial_refunds.to_string()),
        (l(Label::CashBack), money.cash_back.to_string()),
        (l(Label::Coupons), money.retention_coupons.to_string()),
        (l(Label::KeptValue), report.retention.not_refunded.to_string()),
    ];
    section(&mut out, "money", &l(Label::Money), &table(&rows));
    section(&mut out, "logistics", &l(Label::Logistics), &logistics(report, lang));
    section(&mut out, "responsibility", &l(Label::Responsibility), &responsibility(report, lang));
    let agents_body = format!("{}{}", response_times(report, lang), agents(report, lang));
    section(&mut out, "agents", &l(Label::Agents), &agents_body);

    let low: Vec<(String, String)> = survey
        .low_scores
        .iter()
        .map(|low| (format!("{} · {}", low.case, low.score), low.comment.clone().unwrap_or_default()))
        .collect();
    let low = if low.is_empty() { none(lang) } else { table(&low) };
    section(&mut out, "low-scores", &l(Label::LowScores), &low);

    out.push_str("</main></body></html>\n");
    out
}

/// Return parcels per carrier, then the delivery problems customers
/// reported per outbound carrier, as bars and by reason.
fn logistics(report: &Report, lang: Lang) -> String {
    let l = |key: Label| label(lang, key);
    let logistics = &report.logistics;
    let name = |line: &CarrierLine| match line.carrier.as_str() {
        "" => l(Label::Overall),
        carrier => carrier.to_owned(),
    };
    let figures =
        [Label::ParcelsSent, Label::DaysToTracking, Label::DaysInTransit, Label::NoScanAlerts, Label::Exceptions];
    let head: Vec<String> = std::iter::once(String::new()).chain(figures.map(l)).collect();
    let parcels: Vec<Vec<String>> = std::iter::once(&logistics.overall)
        .chain(&logistics.carriers)
        .map(|line| {
            let (sent, no_scan, exceptions) = (line.sent, line.no_scan_alerts, line.exceptions);
            let (to_tracking, in_transit) = (days(&line.to_tracking), days(&line.in_transit));
            vec![name(line), sent.to_string(), to_tracking, in_transit, no_scan.to_string(), exceptions.to_string()]
        })
        .collect();
    let mut out = format!("<h3>{}</h3>{}", esc(&l(Label::ReturnParcels)), grid(&head, &parcels));
    let _ = write!(out, "<h3>{}</h3>", esc(&l(Label::DeliveryProblems)));
    if logistics.delivery_problems.is_empty() {
        out.push_str(&none(lang));
        return out;
    }
    let carrier = |name: &str| if name.is_empty() { l(Label::Unknown) } else { name.to_owned() };
    let bars_of: Vec<Bar> = logistics
        .delivery_problems
        .iter()
        .map(|line| Bar { label: carrier(&line.carrier), value: line.cases, shown: line.cases.to_string() })
        .collect();
    out.push_str(&bars(&bars_of, PROBLEMS_COLOUR));
    let by_reason: Vec<Vec<String>> = logistics
        .delivery_problems
        .iter()
        .flat_map(|line| {
            let carrier = carrier(&line.carrier);
            line.by_reason
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(move |(reason, n)| vec![carrier.clone(), l(Label::Reason(*reason)), n.to_string()])
        })
        .collect();
    out.push_str(&grid(&[String::new(), l(Label::Reasons), l(Label::Cases)], &by_reason));
    out
}

/// Cases closed per responsibility code, with what they paid.
fn responsibility(report: &Report, lang: Lang) -> String {
    let l = |key: Label| label(lang, key);
    let responsibility = &report.responsibility;
    let mut rows: Vec<Vec<String>> = responsibility
        .codes
        .iter()
        .filter(|line| line.cases > 0)
        .map(|line| vec![l(Label::Code(line.code)), line.cases.to_string(), line.paid.to_string()])
        .collect();
    rows.push(vec![l(Label::NotSet), responsibility.unset.to_string(), String::new()]);
    grid(&[String::new(), l(Label::Cases), l(Label::Paid)], &rows)
}

/// All hand-overs' first response and resolution times (wall clock) as
/// columns per bucket.
fn response_times(report: &Report, lang: Lang) -> String {
    let overall = &report.agents.overall;
    let charts = [
        (Label::FirstResponseBuckets, &overall.first_response, FIRST_RESPONSE_COLOUR),
        (Label::ResolutionBuckets, &overall.resolution, RESOLUTION_COLOUR),
    ];
    let mut out = String::from("<div id=\"response-times\">");
    for (title, times, colour) in charts {
        let columns_of: Vec<(String, u32)> =
            BUCKETS.iter().zip(times.wall_clock.buckets).map(|(name, n)| ((*name).to_owned(), n)).collect();
        let _ = write!(out, "<h3>{} · {}</h3>", esc(&label(lang, title)), esc(&label(lang, Label::WallClock)));
        out.push_str(&columns(&columns_of, colour));
    }
    out.push_str("</div>");
    out
}

/// Per agent and overall: cases handled, times (wall clock and working
/// hours), pings and CSAT; then the agent customers were most satisfied with.
fn agents(report: &Report, lang: Lang) -> String {
    let l = |key: Label| label(lang, key);
    let section = &report.agents;
    let name = |line: &AgentLine| line.agent.as_ref().map_or_else(|| l(Label::Overall), |agent| agent.name.clone());
    let csat =
        |average: Option<f64>, count: u32| average.map_or_else(|| "–".to_owned(), |avg| format!("{avg:.2} ({count})"));
    let head = [
        String::new(),
        l(Label::Handled),
        format!("{} · {}", l(Label::FirstResponseTimes), l(Label::WallClock)),
        format!("{} · {}", l(Label::FirstResponseTimes), l(Label::WorkingHours)),
        format!("{} · {}", l(Label::ResolutionTimes), l(Label::WallClock)),
        format!("{} · {}", l(Label::ResolutionTimes), l(Label::WorkingHours)),
        l(Label::SlaPings),
        l(Label::Csat),
    ];
    let rows: Vec<Vec<String>> = std::iter::once(&section.overall)
        .chain(&section.agents)
        .map(|line| {
            let (first, resolved) = (&line.first_response, &line.resolution);
            vec![
                name(line),
                line.cases_handled.to_string(),
                median_p90(&first.wall_clock),
                median_p90(&first.working_hours),
                median_p90(&resolved.wall_clock),
                median_p90(&resolved.working_hours),
                line.sla_pings.to_string(),
                csat(line.csat_average, line.csat_count),
            ]
        })
        .collect();
    let mut out = grid(&head, &rows);
    let star = match &section.most_satisfying {
        Some(star) => format!("{} {}", star.agent.name, csat(Some(star.csat_average), star.csat_count)),
        None => l(Label::Nothing),
    };
    let _ = write!(out, "<h3>{}</h3><p>{}</p>", esc(&l(Label::MostSatisfying)), esc(&star));
    out
}

fn section(out: &mut String, id: &str, title: &str, body: &str) {
    let _ = writeln!(out, "<section id=\"{id}\"><h2>{}</h2>{body}</section>", esc(title));
}

fn none(lang: Lang) -> String {
    format!("<p class=\"none\">{}</p>", esc(&label(lang, Label::Nothing)))
}

/// Two columns: a name and its figure.
fn table(rows: &[(String, String)]) -> String {
    let rows: Vec<Vec<String>> = rows.iter().map(|(name, value)| vec![name.clone(), value.clone()]).collect();
    grid(&[], &rows)
}

/// A table under `head` (none when empty), scrolling sideways on a narrow
/// screen; the first column names the row, the others are figures.
fn grid(head: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<div class=\"scroll\">");
    if head.is_empty() {
        out.push_str("<table>");
    } else {
        // Columns of figures stay on one line each; the table scrolls instead.
        out.push_str("<table class=\"wide\"><tr>");
        for (index, cell) in head.iter().enumerate() {
            let class = if index == 0 { "" } else { " class=\"n\"" };
            let _ = write!(out, "<th{class}>{}</th>", esc(cell));
        }
        out.push_str("</tr>");
    }
    for row in rows {
        out.push_str("<tr>");
        for (index, cell) in row.iter().enumerate() {
            let class = if index == 0 { "" } else { " class=\"n\"" };
            let _ = write!(out, "<td{class}>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></div>");
    out
}

/// One horizontal bar: its label, its count and the text shown after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u32,
    pub shown: String,
}

/// Horizontal bars, one per row, each as long as its value is of the
/// largest value's bar.
pub fn bars(rows: &[Bar], colour: &str) -> String {
    const ROW: f64 = 30.0;
    const LABEL: f64 = 132.0;
    // Room after the longest bar for its figure.
    const AFTER: f64 = 90.0;
    let max = rows.iter().map(|row| row.value).max().unwrap_or(0).max(1);
    let height = ROW * rows.len() as f64;
    let mut out = svg_open(height);
    for (index, row) in rows.iter().enumerate() {
        let y = ROW * index as f64;
        let width = (WIDTH - LABEL - AFTER) * f64::from(row.value) / f64::from(max);
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{:.1}\">{}</text>\
             <rect class=\"bar\" x=\"{LABEL}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"20\" rx=\"3\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            y + 19.0,
            esc(&row.label),
            y + 4.0,
            LABEL + width + 6.0,
            y + 19.0,
            esc(&row.shown)
        );
    }
    out.push_str("</svg>");
    out
}

/// A line through `points` (a label and a value each), from left to right,
/// with a dot on each point; the first and last labels under the axis.
pub fn line(points: &[(String, u32)], colour: &str) -> String {
    const HEIGHT: f64 = 180.0;
    const LEFT: f64 = 30.0;
    const RIGHT: f64 = 10.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 28.0;
    let max = points.iter().map(|(_, value)| *value).max().unwrap_or(0).max(1);
    let plot = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let step = if points.len() > 1 { plot.0 / (points.len() - 1) as f64 } else { 0.0 };
    let at = |index: usize, value: u32| {
        let x = if points.len() > 1 { LEFT + step * index as f64 } else { LEFT + plot.0 / 2.0 };
        (x, TOP + plot.1 * (1.0 - f64::from(value) / f64::from(max)))
    };
    let base = TOP + plot.1;
    let mut out = svg_open(HEIGHT);
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#94a3b8\"/>\
         <text x=\"0\" y=\"{}\">{max}</text><text x=\"0\" y=\"{base}\">0</text>",
        WIDTH - RIGHT,
        TOP + 4.0
    );
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(index, (_, value))| {
            let (x, y) = at(index, *value);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        out,
        "<polyline class=\"line\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"3\" \
         stroke-linejoin=\"round\"/>",
        path.join(" ")
    );
    for (index, (_, value)) in points.iter().enumerate() {
        let (x, y) = at(index, *value);
        let _ = write!(out, "<circle class=\"dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\"/>");
    }
    if let (Some((first, _)), Some((last, _))) = (points.first(), points.last()) {
        let y = HEIGHT - 6.0;
        let _ = write!(out, "<text x=\"{LEFT}\" y=\"{y}\">{}</text>", esc(first));
        if points.len() > 1 {
            let x = WIDTH - RIGHT;
            let _ = write!(out, "<text x=\"{x}\" y=\"{y}\" text-anchor=\"end\">{}</text>", esc(last));
        }
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns, one per row, as tall as its value is of the largest;
/// the label under each column, its value above.
pub fn columns(rows: &[(String, u32)], colour: &str) -> String {
    const HEIGHT: f64 = 160.0;
    const TOP: f64 = 20.0;
    const BOTTOM: f64 = 24.0;
    let max = rows.iter().map(|(_, value)| *value).max().unwrap_or(0).max(1);
    let slot = WIDTH / rows.len().max(1) as f64;
    let plot = HEIGHT - TOP - BOTTOM;
    let mut out = svg_open(HEIGHT);
    for (index, (name, value)) in rows.iter().enumerate() {
        let height = plot * f64::from(*value) / f64::from(max);
        let (x, centre) = (slot * index as f64 + slot * 0.2, slot * (index as f64 + 0.5));
        let y = TOP + plot - height;
        let _ = write!(
            out,
            "<rect class=\"column\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{height:.1}\" rx=\"3\" \
             fill=\"{colour}\"/><text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{value}</text>\
             <text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            slot * 0.6,
            y - 5.0,
            HEIGHT - 6.0,
            esc(name)
        );
    }
    out.push_str("</svg>");
    out
}

fn svg_open(height: f64) -> String {
    format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\">")
}

/// `text` safe inside an element or a quoted attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}
