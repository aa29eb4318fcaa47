//! What a button means, and its callback data (at most 64 bytes, as
//! Telegram allows): flow buttons carry the number of their question.

use crate::case::CaseId;
use crate::lang::Lang;
use crate::policy::Outcome;
use crate::reason::Reason;

/// A button's meaning. Flow buttons carry the question they belong to; menu
/// and language buttons work whenever they are pressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Choice {
    New,
    Cases,
    Agent,
    Language,
    SetLang(Lang),
    Order(usize),
    Line(usize),
    AddTo(usize),
    /// Nothing more to add to the case.
    Finished,
    /// Take what a refusal said is still possible (its index).
    Instead(usize),
    /// A case's own button: it works whenever pressed, for the case it names.
    Case(CaseId, CaseAct),
    Quantity(u32),
    Reason(Reason),
    Outcome(Outcome),
    Skip,
    Intact(bool),
    Accept,
    Another,
    Decline,
    Confirm,
    Change,
    Cancel,
}

/// What a case's button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CaseAct {
    Show,
    Add,
    Agent,
}

impl CaseAct {
    pub(super) const ALL: [CaseAct; 3] = [CaseAct::Show, CaseAct::Add, CaseAct::Agent];

    fn code(self) -> &'static str {
        match self {
            CaseAct::Show => "show",
            CaseAct::Add => "add",
            CaseAct::Agent => "agent",
        }
    }
}

impl Choice {
    pub(super) fn encode(&self, question: u32) -> String {
        let flow = |tail: String| format!("q{question}:{tail}");
        match self {
            Choice::New => "m:new".into(),
            Choice::Cases => "m:cases".into(),
            Choice::Agent => "m:agent".into(),
            Choice::Language => "m:lang".into(),
            Choice::SetLang(lang) => format!("l:{}", lang.code()),
            Choice::Case(id, act) => format!("c:{}:{}", act.code(), id),
            Choice::Order(index) => flow(format!("o:{index}")),
            Choice::Line(index) => flow(format!("i:{index}")),
            Choice::AddTo(index) => flow(format!("a:{index}")),
            Choice::Finished => flow("fin".into()),
            Choice::Instead(index) => flow(format!("s:{index}")),
            Choice::Quantity(n) => flow(format!("n:{n}")),
            Choice::Reason(reason) => flow(format!("r:{}", reason.code())),
            Choice::Outcome(outcome) => flow(format!("u:{}", outcome.code())),
            Choice::Skip => flow("skip".into()),
            Choice::Intact(intact) => flow(format!("c:{}", u8::from(*intact))),
            Choice::Accept => flow("accept".into()),
            Choice::Another => flow("another".into()),
            Choice::Decline => flow("decline".into()),
            Choice::Confirm => flow("yes".into()),
            Choice::Change => flow("change".into()),
            Choice::Cancel => flow("cancel".into()),
        }
    }

    /// The question number (for flow buttons) and the choice.
    pub(super) fn parse(data: &str) -> Option<(Option<u32>, Choice)> {
        let (head, tail) = data.split_once(':')?;
        match head {
            "m" => {
                let choice = match tail {
                    "new" => Choice::New,
                    "cases" => Choice::Cases,
                    "agent" => Choice::Agent,
                    "lang" => Choice::Language,
                    _ => return None,
                };
                Some((None, choice))
            }
            "l" => Some((None, Choice::SetLang(Lang::from_code(tail)?))),
            "c" => {
                let (act, id) = tail.split_once(':')?;
                let act = CaseAct::ALL.into_iter().find(|known| known.code() == act)?;
                Some((None, Choice::Case(CaseId::parse(id)?, act)))
            }
            _ => {
                let question = head.strip_prefix('q')?.parse().ok()?;
                let (kind, value) = tail.split_once(':').unwrap_or((tail, ""));
                let choice = match kind {
                    "o" => Choice::Order(value.parse().ok()?),
                    "i" => Choice::Line(value.parse().ok()?),
                    "a" => Choice::AddTo(value.parse().ok()?),
                    "fin" => Choice::Finished,
                    "s" => Choice::Instead(value.parse().ok()?),
                    "n" => Choice::Quantity(value.parse().ok()?),
                    "r" => Choice::Reason(Reason::from_code(value)?),
                    "u" => Choice::Outcome(Outcome::from_code(value)?),
                    "skip" => Choice::Skip,
                    "c" => Choice::Intact(match value {
                        "1" => true,
                        "0" => false,
                        _ => return None,
                    }),
                    "accept" => Choice::Accept,
                    "another" => Choice::Another,
                    "decline" => Choice::Decline,
                    "yes" => Choice::Confirm,
                    "change" => Choice::Change,
                    "cancel" => Choice::Cancel,
                    _ => return None,
                };
                Some((Some(question), choice))
            }
        }
    }
}
