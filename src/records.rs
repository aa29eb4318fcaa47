//! Records (issue 13): every case is kept `[records] keep` (at least three
//! years, as the handbooks ask) after it closed. Then `aftersales records
//! purge` removes what names or quotes a person and keeps the anonymous
//! facts the reports count. Pure: the setting, which timeline fields hold
//! what people wrote, what is left of an outgoing message, and the counts;
//! `store::records` finds the cases and writes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Added, Event, Ruling};
use crate::outgoing::{Keyboard, Outgoing};
use crate::parcel::Scan;
use crate::setting::Years;

/// The handbooks keep every case at least this long.
pub const MIN_KEEP: Years = Years(3);

/// `[records]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// How long after a case closed its personal data is kept.
    pub keep: Years,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { keep: MIN_KEEP }
    }
}

impl Settings {
    pub fn problems(&self) -> Vec<String> {
        match self.keep < MIN_KEEP {
            true => vec![format!(
                "records.keep: must be at least \"{MIN_KEEP}\" (every case is kept {} years), not \"{}\"",
                MIN_KEEP.0, self.keep
            )],
            false => Vec::new(),
        }
    }

    /// Cases closed before this instant are due at `now`.
    pub fn cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.keep.before(now)
    }
}

/// A timeline event without what a person wrote in it — the customer's
/// and agents' messages, notes, survey comments, an agent's reasons, a
/// carrier's scan words (which may name who signed) — or `None` when it
/// holds no such words. Every other fact (times, codes, amounts, the agent)
/// stays. A new kind of event must be placed here before it compiles.
pub fn scrub_event(event: &Event) -> Option<Event> {
    let blank = |text: &str| (!text.is_empty()).then(String::new);
    let ruling = |ruling: &Ruling| ruling.reason.is_some().then(|| Ruling { reason: None, ..ruling.clone() });
    match event {
        Event::Added(Added::Text { text }) => blank(text).map(|text| Event::Added(Added::Text { text })),
        Event::CustomerMessage { text } => blank(text).map(|text| Event::CustomerMessage { text }),
        Event::Edited { text } => blank(text).map(|text| Event::Edited { text }),
        Event::AgentMessage { text, by } => blank(text).map(|text| Event::AgentMessage { text, by: by.clone() }),
        Event::Note { text, by } => blank(text).map(|text| Event::Note { text, by: by.clone() }),
        Event::SurveyComment { comment } => blank(comment).map(|comment| Event::SurveyComment { comment }),
        Event::ParcelScan(scan) => blank(&scan.detail).map(|detail| Event::ParcelScan(Scan { detail, ..scan.clone() })),
        Event::Approved(r) => ruling(r).map(Event::Approved),
        Event::Rejected(r) => ruling(r).map(Event::Rejected),
        Event::Exchange(r) => ruling(r).map(Event::Exchange),
        Event::Reship(r) => ruling(r).map(Event::Reship),
        Event::PartialRefund(r) => ruling(r).map(Event::PartialRefund),
        Event::CashBack(r) => ruling(r).map(Event::CashBack),
        Event::Refund(r) => ruling(r).map(Event::Refund),
        // Codes, times, amounts, the shop's and carriers' own words.
        Event::Opened { .. }
        | Event::Decided(_)
        | Event::OfferAccepted(_)
        | Event::OfferDeclined(_)
        | Event::ClosedRetained {}
        | Event::Added(Added::Evidence { .. })
        | Event::Escalated { .. }
        | Event::Taken { .. }
        | Event::Released { .. }
        | Event::HandedBack { .. }
        | Event::Responsibility { .. }
        | Event::EscalationReopened {}
        | Event::ReturnInstructions { .. }
        | Event::TrackingNumber(_)
        | Event::TrackingCorrected { .. }
        | Event::TrackingNudged {}
        | Event::TrackingMissing {}
        | Event::NoScan { .. }
        | Event::InspectionPassed {}
        | Event::InspectionFailed { .. }
        | Event::RefundOverdue {}
        | Event::Refunded { .. }
        | Event::RefundRefused { .. }
        | Event::SurveySent {}
        | Event::SurveyRated { .. }
        | Event::FollowupStopped { .. }
        | Event::Closed { .. } => None,
    }
}

/// An outgoing message as it stays in the outbox once purged: the same kind
/// (so the row still reads), without its words, buttons, media or the chat
/// a copy came from.
pub fn scrub_outgoing(outgoing: Outgoing) -> Outgoing {
    match outgoing {
        Outgoing::Send { .. } => Outgoing::Send { text: String::new(), keyboard: Keyboard::None },
        Outgoing::Edit { message_id, .. } => {
            Outgoing::Edit { message_id, text: String::new(), keyboard: Keyboard::None }
        }
        Outgoing::AnswerButton { callback_id, .. } => Outgoing::AnswerButton { callback_id, notice: None },
        Outgoing::Copy { message_id, .. } => Outgoing::Copy { from_chat_id: 0, message_id, caption: None },
        Outgoing::Album { .. } => Outgoing::Album { items: Vec::new(), caption: None },
        Outgoing::Document { file_name, .. } => Outgoing::Document { path: String::new(), file_name, caption: None },
        Outgoing::EditCopy { outbox_id, media, .. } => Outgoing::EditCopy { outbox_id, text: String::new(), media },
        Outgoing::Card => Outgoing::Card,
        Outgoing::TopicState { open } => Outgoing::TopicState { open },
    }
}

/// What a purge removed (or, in a dry run, would remove), by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Cases closed longer ago than `keep`, now marked purged.
    pub cases: u64,
    /// Their customers: names, Telegram ids and usernames removed.
    pub customers: u64,
    /// Orders with no other case left: the name and phone removed.
    pub orders: u64,
    /// Conversation states deleted.
    pub conversations: u64,
    /// The customers' descriptions on their cases.
    pub descriptions: u64,
    /// Timeline entries whose texts were removed.
    pub timeline_texts: u64,
    pub survey_comments: u64,
    /// Threats' and complaints' texts.
    pub flags: u64,
    /// Evidence whose Telegram file ids were removed…
    pub evidence: u64,
    /// …and files deleted from the media folder.
    pub files: u64,
    /// Outbox rows: the texts sent to the customer, and copies and cards in
    /// the agents' group.
    pub messages: u64,
    /// The agents' topics: names and cards.
    pub topics: u64,
    /// Relayed messages' links between chats.
    pub relays: u64,
    /// Audit entries, order locks and failed proofs of the customers.
    pub audit: u64,
}

/// One kind of [`Purged`] count, for the words that name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Cases,
    Customers,
    Orders,
    Conversations,
    Descriptions,
    TimelineTexts,
    SurveyComments,
    Flags,
    Evidence,
    Files,
    Messages,
    Topics,
    Relays,
    Audit,
}

impl Purged {
    pub fn is_empty(&self) -> bool {
        *self == Purged::default()
    }

    /// Every count with its kind, in the order they are printed.
    pub fn counts(&self) -> [(Kind, u64); 14] {
        [
            (Kind::Cases, self.cases),
            (Kind::Customers, self.customers),
            (Kind::Orders, self.orders),
            (Kind::Conversations, self.conversations),
            (Kind::Descriptions, self.descriptions),
            (Kind::TimelineTexts, self.timeline_texts),
            (Kind::SurveyComments, self.survey_comments),
            (Kind::Flags, self.flags),
            (Kind::Evidence, self.evidence),
            (Kind::Files, self.files),
            (Kind::Messages, self.messages),
            (Kind::Topics, self.topics),
            (Kind::Relays, self.relays),
            (Kind::Audit, self.audit),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{ByAgent, MediaKind};
    use crate::outgoing::{AlbumItem, AlbumKind};
    use crate::parcel::ParcelStatus;
    use crate::policy::Outcome;

    #[test]
    fn three_years_are_kept_and_less_is_refused() {
        assert_eq!(Settings::default().keep, Years(3));
        assert!(Settings { keep: Years(5) }.problems().is_empty());
        let problems = Settings { keep: Years(2) }.problems();
        assert!(problems.len() == 1 && problems[0].starts_with("records.keep"), "{problems:?}");
        let now = DateTime::parse_from_rfc3339("2029-12-08T01:00:00Z").expect("time").to_utc();
        assert_eq!(Settings::default().cutoff(now).to_rfc3339(), "2026-12-08T01:00:00+00:00");
    }

    #[test]
    fn what_people_wrote_leaves_an_event_and_its_facts_stay() {
        let li = ByAgent { agent: "Li".into(), agent_id: 7 };
        let message = Event::AgentMessage { text: "my address is …".into(), by: li.clone() };
        assert_eq!(scrub_event(&message), Some(Event::AgentMessage { text: String::new(), by: li.clone() }));
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").expect("time").to_utc();
        let scan = Scan { status: ParcelStatus::Delivered, at, detail: "signed by Wang".into() };
        let scrubbed = Scan { detail: String::new(), ..scan.clone() };
        assert_eq!(scrub_event(&Event::ParcelScan(scan)), Some(Event::ParcelScan(scrubbed)));
        let rejected = Ruling { outcome: Outcome::RefundOnly, amount_minor: None, reason: Some("rude".into()), by: li };
        let kept = Ruling { reason: None, ..rejected.clone() };
        assert_eq!(scrub_event(&Event::Rejected(rejected)), Some(Event::Rejected(kept.clone())));
        // Nothing written, nothing to remove: a second purge finds nothing.
        assert_eq!(scrub_event(&Event::Rejected(kept)), None);
        assert_eq!(scrub_event(&Event::Added(Added::Text { text: String::new() })), None);
        assert_eq!(scrub_event(&Event::Added(Added::Evidence { evidence: MediaKind::Photo })), None);
        assert_eq!(scrub_event(&Event::SurveyRated { score: 2 }), None);
    }

    #[test]
    fn an_outgoing_message_keeps_its_kind_and_loses_its_words() {
        let album = Outgoing::Album {
            items: vec![AlbumItem { kind: AlbumKind::Photo, file_id: "AgAD".into() }],
            caption: Some("broken".into()),
        };
        assert_eq!(scrub_outgoing(album), Outgoing::Album { items: vec![], caption: None });
        let copy = Outgoing::Copy { from_chat_id: 521, message_id: 9, caption: Some("hi".into()) };
        assert_eq!(scrub_outgoing(copy), Outgoing::Copy { from_chat_id: 0, message_id: 9, caption: None });
        let sent = Outgoing::Send { text: "Hello Chen".into(), keyboard: Keyboard::Remove };
        assert_eq!(scrub_outgoing(sent), Outgoing::Send { text: String::new(), keyboard: Keyboard::None });
        assert_eq!(scrub_outgoing(Outgoing::Card), Outgoing::Card);
    }
}
