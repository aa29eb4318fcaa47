//! What customers type, read the way a person means it: one normal form for
//! every matcher (order numbers, tracking numbers, digits, case ids,
//! phrases), phrases found in a message, and a typed number or part of a
//! label that presses a button. Pure.

use unicode_normalization::UnicodeNormalization;

/// The text as every matcher sees it: NFKC (full-width digits and letters
/// become ASCII, "ＡＳ－１００１" reads "AS-1001"), without zero-width
/// characters, every dash-like character a '-', and trimmed. Full-width
/// punctuation of Chinese prose (，？！：；（）～) stays, so a description
/// keeps its commas.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().filter(|c| !is_zero_width(*c)) {
        if is_prose_punctuation(c) {
            out.extend(run.nfkc());
            run.clear();
            out.push(c);
        } else {
            run.push(c);
        }
    }
    out.extend(run.nfkc());
    let dashed: String = out.chars().map(|c| if is_dash(c) { '-' } else { c }).collect();
    dashed.trim().to_owned()
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn is_prose_punctuation(c: char) -> bool {
    matches!(c, '，' | '？' | '！' | '：' | '；' | '（' | '）' | '～')
}

fn is_dash(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}')
}

/// Whether `phrase` occurs in `text`, case aside: a Latin phrase as whole
/// words ("sue" is not in "issue", "speak to someone" is in "can I speak to
/// someone?"), any other as a substring (Chinese has no spaces to split on).
pub fn mentions(text: &str, phrase: &str) -> bool {
    let phrase = normalise(phrase).to_lowercase();
    if phrase.is_empty() {
        return false;
    }
    let text = text.to_lowercase();
    if !phrase.is_ascii() {
        return text.contains(&phrase);
    }
    let spaced = |s: &str| {
        let words: Vec<&str> = s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
        format!(" {} ", words.join(" "))
    };
    spaced(&text).contains(&spaced(&phrase))
}

/// How long a message is, in words: a Latin word counts one, and so does
/// each Chinese character.
pub fn words(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            count += usize::from(!in_word);
            in_word = true;
        } else {
            in_word = false;
            count += usize::from(c.is_alphanumeric());
        }
    }
    count
}

/// What a typed answer does to the buttons on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picked {
    /// It presses the button at this index (in reading order).
    Button(usize),
    /// A number, but no button has it: buttons are numbered 1 to `max`.
    OutOfRange { max: usize },
    /// It is not about the buttons.
    Nothing,
}

/// Which button a typed line means, the labels in reading order. A number
/// presses the button whose label is that number (a quantity, a rating),
/// or else the button at that position, counting from 1. Otherwise the
/// whole label, or a part of only one label ("jacket" for "Women's
/// windbreaker jacket × 1"), presses it; letters and digits count,
/// case and symbols do not.
pub fn pick<S: AsRef<str>>(typed: &str, labels: &[S]) -> Picked {
    let typed = normalise(typed);
    if let Ok(number) = typed.parse::<usize>() {
        let numbers: Vec<Option<usize>> = labels.iter().map(|label| label_number(label.as_ref())).collect();
        if numbers.iter().any(Option::is_some) {
            // Typed numbers mean the labels' numbers here, never positions.
            return numbers.iter().position(|n| *n == Some(number)).map_or(Picked::Nothing, Picked::Button);
        }
        return match number {
            n if (1..=labels.len()).contains(&n) => Picked::Button(n - 1),
            _ if labels.is_empty() => Picked::Nothing,
            _ => Picked::OutOfRange { max: labels.len() },
        };
    }
    let typed = loose(&typed);
    if typed.is_empty() {
        return Picked::Nothing;
    }
    let looses: Vec<String> = labels.iter().map(|label| loose(label.as_ref())).collect();
    if let Some(index) = looses.iter().position(|label| *label == typed) {
        return Picked::Button(index);
    }
    // One character would match too much by chance.
    if typed.chars().count() < 2 {
        return Picked::Nothing;
    }
    let mut containing = looses.iter().enumerate().filter(|(_, label)| label.contains(&typed));
    match (containing.next(), containing.next()) {
        (Some((index, _)), None) => Picked::Button(index),
        _ => Picked::Nothing,
    }
}

/// Whether `typed` is the whole of `label`, as [`pick`] compares them.
pub fn is_label(typed: &str, label: &str) -> bool {
    let typed = loose(&normalise(typed));
    !typed.is_empty() && typed == loose(label)
}

/// A label as typed: letters and digits only, lower case, so "done"
/// presses "Done ✓".
fn loose(label: &str) -> String {
    normalise(label).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The number a label is, give or take a unit: "2", "2件", "⭐ 3分".
fn label_number(label: &str) -> Option<usize> {
    let kept = loose(label);
    let digits = kept.chars().take_while(char::is_ascii_digit).count();
    let unit = kept.chars().skip(digits).count();
    match (digits, unit) {
        (0, _) => None,
        (_, 0) => kept.parse().ok(),
        (_, 1) if !kept.is_ascii() => kept[..digits].parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_invisible_characters_read_as_typed_on_a_plain_keyboard() {
        assert_eq!(normalise("\u{200B} ＡＳ－１００１\u{FEFF} "), "AS-1001");
        assert_eq!(normalise("TB\u{2011}100001"), "TB-100001");
        assert_eq!(normalise("DEMO—1004"), "DEMO-1004");
        assert_eq!(normalise("DEMO–1004"), "DEMO-1004");
        assert_eq!(normalise("８０００"), "8000");
        assert_eq!(normalise("SF\u{200D}1234567890"), "SF1234567890");
        assert_eq!(normalise("拉链坏了，能换吗？"), "拉链坏了，能换吗？", "Chinese punctuation stays");
    }

    #[test]
    fn phrases_are_whole_words_in_latin_and_substrings_in_chinese() {
        assert!(mentions("can i speak to someone?", "speak to someone"));
        assert!(mentions("I want to talk to a HUMAN", "human"));
        assert!(!mentions("humane packaging", "human"));
        assert!(!mentions("that is an issue", "sue"));
        assert!(mentions("我要转人工客服", "人工"));
        assert!(!mentions("anything", " "));
    }

    #[test]
    fn words_count_latin_words_and_chinese_characters() {
        assert_eq!(words("can I speak to someone?"), 5);
        assert_eq!(words("我要人工"), 4);
        assert_eq!(words("AS-1001 坏了"), 4);
        assert_eq!(words(""), 0);
    }

    #[test]
    fn a_number_or_part_of_a_label_presses_a_button() {
        let labels = ["Women's windbreaker jacket × 1 · ¥399.00", "Silk scarf × 1 · ¥129.00", "Cancel"];
        assert_eq!(pick("2", &labels), Picked::Button(1));
        assert_eq!(pick("２", &labels), Picked::Button(1));
        assert_eq!(pick("7", &labels), Picked::OutOfRange { max: 3 });
        assert_eq!(pick("0", &labels), Picked::OutOfRange { max: 3 });
        assert_eq!(pick("jacket", &labels), Picked::Button(0));
        assert_eq!(pick("SCARF", &labels), Picked::Button(1));
        assert_eq!(pick("cancel", &labels), Picked::Button(2));
        assert_eq!(pick("×", &labels), Picked::Nothing, "symbols alone say nothing");
        assert_eq!(pick("s", &labels), Picked::Nothing, "one letter is too little");
        assert_eq!(pick("1", &[] as &[&str]), Picked::Nothing);
        let zh = ["女士防风夹克 × 1 · ¥399.00", "真丝围巾 × 1 · ¥129.00", "取消"];
        assert_eq!(pick("夹克", &zh), Picked::Button(0));
        assert_eq!(pick("00", &zh), Picked::OutOfRange { max: 3 });
        assert_eq!(pick("¥", &zh), Picked::Nothing);
        assert_eq!(pick("99.00", &zh), Picked::Button(0), "digits of one label only");
        assert_eq!(pick("silk", &["Silk scarf", "Silk tie"]), Picked::Nothing, "a part of two labels presses neither");
    }

    #[test]
    fn numbered_labels_are_pressed_by_their_number_not_their_position() {
        let quantities = ["1件", "2件", "取消"];
        assert_eq!(pick("2", &quantities), Picked::Button(1));
        assert_eq!(pick("3", &quantities), Picked::Nothing, "3 is a quantity, not the third button");
        let ratings = ["⭐ 1", "⭐ 2", "⭐ 3", "⭐ 4", "⭐ 5"];
        assert_eq!(pick("4", &ratings), Picked::Button(3));
        assert!(is_label(" Done ", "Done ✓"));
        assert!(!is_label("✓", "Done ✓"));
    }
}
