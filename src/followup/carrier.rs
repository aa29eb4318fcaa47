//! Recognising a return tracking number and its carrier from what the
//! customer typed. The patterns are the shop's (`[[followup.carriers]]`);
//! the defaults cover the common Chinese carriers, tried in order.

use regex::Regex;
use serde::Deserialize;

use crate::parcel::TrackingNo;
use crate::setting::Pattern;

/// The carrier code of a number no pattern claimed.
pub const OTHER: &str = "other";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Carrier {
    /// Stored with the parcel and sent to the tracking provider ("sf").
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The whole number must match, after upper-casing and removing spaces and dashes.
    #[serde(deserialize_with = "anchored")]
    pub pattern: Pattern,
}

impl PartialEq for Carrier {
    fn eq(&self, other: &Carrier) -> bool {
        (&self.code, &self.name_zh, &self.name_en, self.pattern.0.as_str())
            == (&other.code, &other.name_zh, &other.name_en, other.pattern.0.as_str())
    }
}

impl Eq for Carrier {}

/// The default carriers: (code, 中文, English, pattern).
const DEFAULTS: [(&str, &str, &str, &str); 7] = [
    ("sf", "顺丰速运", "SF Express", r"SF\d{12,15}"),
    ("jd", "京东物流", "JD Logistics", r"JD[0-9A-Z]{11,16}"),
    ("yto", "圆通速递", "YTO Express", r"YT\d{12,16}"),
    ("sto", "申通快递", "STO Express", r"77\d{13}"),
    ("zto", "中通快递", "ZTO Express", r"7[3568]\d{12}"),
    ("yunda", "韵达快递", "Yunda Express", r"(31|43|46|38)\d{11}"),
    ("ems", "中国邮政 EMS", "China Post EMS", r"E[A-Z]\d{9}CN|1\d{12}"),
];

pub fn defaults() -> Vec<Carrier> {
    DEFAULTS
        .iter()
        .filter_map(|(code, zh, en, pattern)| {
            Some(Carrier {
                code: (*code).into(),
                name_zh: (*zh).into(),
                name_en: (*en).into(),
                pattern: whole(pattern).ok()?,
            })
        })
        .collect()
}

/// A pattern that must match a whole word.
fn whole(pattern: &str) -> Result<Pattern, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$")).map(Pattern)
}

fn anchored<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Pattern, D::Error> {
    let text = String::deserialize(deserializer)?;
    whole(&text).map_err(serde::de::Error::custom)
}

/// The first tracking number in `text`: a word a carrier's pattern matches,
/// or else a word that looks like one (10–30 letters and digits, at least
/// 12 digits, so that phone numbers are not taken), with carrier [`OTHER`]. Words are split at whitespace and
/// punctuation, so "单号：SF1234567890123，谢谢" works.
pub fn recognise(text: &str, carriers: &[Carrier]) -> Option<TrackingNo> {
    // "sf 1234-5678-90123" is one number typed in groups.
    let whole: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let whole = whole.chars().all(|c| c.is_ascii_alphanumeric()).then(|| whole.to_ascii_uppercase());
    let words: Vec<String> = whole
        .into_iter()
        .chain(
            text.split(|c: char| c.is_whitespace() || (!c.is_ascii_alphanumeric() && c != '-'))
                .map(|word| word.chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase())
                .filter(|word| !word.is_empty()),
        )
        .collect();
    let known = words.iter().find_map(|word| {
        let carrier = carriers.iter().find(|carrier| carrier.pattern.0.is_match(word))?;
        Some(TrackingNo { carrier: carrier.code.clone(), number: word.clone() })
    });
    known.or_else(|| {
        words
            .iter()
            .find(|word| looks_like_tracking(word))
            .map(|word| TrackingNo { carrier: OTHER.into(), number: word.clone() })
    })
}

fn looks_like_tracking(word: &str) -> bool {
    (10..=30).contains(&word.len())
        && word.chars().all(|c| c.is_ascii_alphanumeric())
        && word.chars().filter(char::is_ascii_digit).count() >= 12
}

/// The carrier's names for texts: (中文, English); the code itself when the
/// carrier is not configured.
pub fn names(code: &str, carriers: &[Carrier]) -> (String, String) {
    match carriers.iter().find(|carrier| carrier.code == code) {
        Some(carrier) => (carrier.name_zh.clone(), carrier.name_en.clone()),
        None if code == OTHER => ("快递".into(), "carrier".into()),
        None => (code.into(), code.into()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_common_carriers_are_recognised() {
        let carriers = defaults();
        assert_eq!(carriers.len(), DEFAULTS.len(), "every default pattern compiles");
        let table = [
            ("SF1234567890123", "sf"),
            ("sf 1234-5678-90123", "sf"),
            ("单号：SF1234567890123，谢谢", "sf"),
            ("JDVA12345678901", "jd"),
            ("JDX000123456789", "jd"),
            ("YT1234567890123", "yto"),
            ("773123456789012", "sto"),
            ("73123456789012", "zto"),
            ("78123456789012", "zto"),
            ("3112345678901", "yunda"),
            ("4612345678901", "yunda"),
            ("EA123456789CN", "ems"),
            ("1123456789012", "ems"),
            ("my parcel is XYZ001234567890", OTHER),
        ];
        for (text, code) in table {
            let found = recognise(text, &carriers).unwrap_or_else(|| panic!("{text}: not recognised"));
            assert_eq!(found.carrier, code, "{text}");
        }
        assert_eq!(recognise("sf 1234-5678-90123", &carriers).map(|no| no.number), Some("SF1234567890123".to_owned()));
    }

    #[test]
    fn order_numbers_and_chatter_are_not_tracking_numbers() {
        let carriers = defaults();
        for text in ["DEMO-1004", "hello", "", "好的谢谢", "12345", "ABCDEFGHIJKL", "13800138000x"] {
            assert_eq!(recognise(text, &carriers), None, "{text}");
        }
    }

    #[test]
    fn a_shop_pattern_comes_before_the_fallback() {
        let mut carriers = defaults();
        carriers.insert(
            0,
            Carrier {
                code: "dbl".into(),
                name_zh: "德邦快递".into(),
                name_en: "Deppon".into(),
                pattern: whole("DPK\\d{12}").expect("pattern"),
            },
        );
        assert_eq!(recognise("DPK123456789012", &carriers).map(|no| no.carrier), Some("dbl".to_owned()));
        assert_eq!(names("dbl", &carriers).1, "Deppon");
        assert_eq!(names(OTHER, &carriers).1, "carrier");
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_panicking(text in "\\PC{0,200}") {
            if let Some(found) = recognise(&text, &defaults()) {
                prop_assert!(found.number.chars().all(|c| c.is_ascii_alphanumeric()));
                prop_assert!(!found.number.is_empty());
            }
        }
    }
}
