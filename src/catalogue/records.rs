//! The words of `aftersales records purge`: what it removed (or would), by
//! kind, in Chinese and English. The counts are `records`'.

use chrono::{Datelike, NaiveDate};

use crate::lang::Lang;
use crate::records::{Kind, Purged};
use crate::setting::Years;

/// What a purge did: the rule it applied (kept `keep`, so cases closed
/// before `cutoff`, a day in the shop's zone, were due) and the counts; a
/// dry run says it changed nothing.
pub fn purged(lang: Lang, purged: &Purged, keep: Years, cutoff: NaiveDate, dry_run: bool) -> String {
    let (y, m, d) = (cutoff.year(), cutoff.month(), cutoff.day());
    let mut out = match lang {
        Lang::Zh => format!("案件结案后保存{}年：{y}年{m}月{d}日之前结案的到期。\n", keep.0),
        Lang::En => {
            format!("Cases are kept {} years after they close: those closed before {cutoff} are due.\n", keep.0)
        }
    };
    let head = match (lang, purged.is_empty(), dry_run) {
        (Lang::Zh, true, _) => "没有需要清除的个人信息。\n",
        (Lang::En, true, _) => "Nothing to purge.\n",
        (Lang::Zh, false, true) => "试运行，没有做任何更改。将清除：\n",
        (Lang::En, false, true) => "Dry run, nothing was changed. A purge would remove:\n",
        (Lang::Zh, false, false) => "已清除：\n",
        (Lang::En, false, false) => "Purged:\n",
    };
    out.push_str(head);
    if purged.is_empty() {
        return out;
    }
    for (kind, count) in purged.counts() {
        let line = match lang {
            Lang::Zh => format!("  {}：{count}\n", zh(kind)),
            Lang::En => format!("  {}: {count}\n", en(kind)),
        };
        out.push_str(&line);
    }
    out
}

fn zh(kind: Kind) -> &'static str {
    match kind {
        Kind::Cases => "案件（已标记清除）",
        Kind::Customers => "客户（姓名、用户名、Telegram ID）",
        Kind::Orders => "订单（收货人姓名、电话）",
        Kind::Conversations => "对话状态",
        Kind::Descriptions => "客户描述",
        Kind::TimelineTexts => "时间线中的文字",
        Kind::SurveyComments => "评价留言",
        Kind::Flags => "投诉与威胁记录的原文",
        Kind::Evidence => "凭证（Telegram 文件 ID）",
        Kind::Files => "凭证文件（已从媒体文件夹删除）",
        Kind::Messages => "发件箱消息",
        Kind::Topics => "客服群话题（名称、卡片）",
        Kind::Relays => "转发记录",
        Kind::Audit => "审计、锁定与验证记录",
    }
}

fn en(kind: Kind) -> &'static str {
    match kind {
        Kind::Cases => "cases (marked purged)",
        Kind::Customers => "customers (names, usernames, Telegram ids)",
        Kind::Orders => "orders (the buyer's name and phone)",
        Kind::Conversations => "conversation states",
        Kind::Descriptions => "customers' descriptions",
        Kind::TimelineTexts => "timeline texts",
        Kind::SurveyComments => "survey comments",
        Kind::Flags => "texts of threats and complaints",
        Kind::Evidence => "evidence (Telegram file ids)",
        Kind::Files => "evidence files (deleted from the media folder)",
        Kind::Messages => "outbox messages",
        Kind::Topics => "agents' topics (names, cards)",
        Kind::Relays => "relay links",
        Kind::Audit => "audit entries, locks and failed proofs",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purge_is_told_with_its_rule_and_a_line_per_kind() {
        let cutoff = NaiveDate::from_ymd_opt(2026, 12, 8).expect("a day");
        let done = Purged { cases: 2, customers: 1, files: 3, ..Purged::default() };
        let en = purged(Lang::En, &done, Years(3), cutoff, false);
        assert!(en.starts_with("Cases are kept 3 years after they close: those closed before 2026-12-08"), "{en}");
        assert!(en.contains("Purged:\n  cases (marked purged): 2\n  customers"), "{en}");
        assert_eq!(en.lines().count(), 2 + 14, "{en}");
        let zh = purged(Lang::Zh, &done, Years(3), cutoff, true);
        assert!(
            zh.contains("2026年12月8日") && zh.contains("试运行") && zh.contains("凭证文件（已从媒体文件夹删除）：3"),
            "{zh}"
        );
        let nothing = purged(Lang::En, &Purged::default(), Years(3), cutoff, false);
        assert!(nothing.ends_with("Nothing to purge.\n"), "{nothing}");
    }
}
