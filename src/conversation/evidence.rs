//! Evidence and description: photos, videos and the customer's own words.

use crate::case::Evidence;
use crate::catalogue::Msg;
use crate::policy;
use crate::reason::Reason;

use super::turn::Turn;
use super::{Addition, Effect, Step};

impl Turn<'_, '_> {
    /// A photo or video. The photo question ends by itself once enough have
    /// come; earlier ones (sent with the first words) and later ones (the
    /// rest of the album, or an afterthought) are still added while the
    /// request is being made, up to the maximum.
    pub(super) fn media(&mut self, evidence: Evidence, caption: Option<&str>) {
        if let Step::AddToCase { case } = &self.state.step {
            let case = case.clone();
            if let Some(caption) = caption.map(str::trim).filter(|caption| !caption.is_empty()) {
                self.effects
                    .push(Effect::AddToCase { case: case.clone(), addition: Addition::Text(caption.to_owned()) });
            }
            return self.add_to_case(case, Addition::Evidence(evidence));
        }
        if !self.takes_media() {
            return self.ask_again(Msg::UnexpectedMedia);
        }
        let collecting = self.state.step == Step::Evidence;
        if let Some(caption) = caption {
            self.add_detail(caption);
        }
        let range = self.photo_range();
        let evidence_list = &mut self.state.draft.evidence;
        let duplicate = evidence_list.iter().any(|seen| seen.file_unique_id == evidence.file_unique_id);
        let full = evidence_list.len() >= usize::from(range.max);
        if !full && !duplicate {
            evidence_list.push(evidence);
        }
        let have = evidence_list.len();
        let notice = match full && !duplicate {
            true => Msg::EvidenceFull { max: range.max },
            false => Msg::EvidenceReceived { have, min: range.min, max: range.max },
        };
        if !collecting {
            // The same question again, under the same number: its buttons
            // already on the screen stay good.
            return self.put(vec![notice], None);
        }
        if self.evidence_complete() {
            return self.after_evidence(vec![notice], None);
        }
        self.ask(Vec::new(), None);
    }

    /// Whether a photo now is evidence: for a case of the customer's, at the
    /// photo question, and kept for it before (sent with the first words)
    /// and after (the rest of an album, an afterthought).
    pub(super) fn takes_media(&self) -> bool {
        match self.state.step {
            Step::AddToCase { .. } | Step::Evidence => true,
            Step::PickLine | Step::Quantity | Step::Reason | Step::Detail => true,
            Step::Outcome | Step::Condition | Step::Retention { .. } | Step::Confirm => self.photo_range().min > 0,
            _ => false,
        }
    }

    /// Adds the customer's own words to the request's description.
    pub(super) fn add_detail(&mut self, words: &str) {
        let words = words.trim();
        let detail = &mut self.state.draft.detail;
        if words.is_empty() || detail.contains(words) {
            return;
        }
        if !detail.is_empty() {
            detail.push_str(" / ");
        }
        detail.push_str(words);
        let max = self.facts.setup.intake.max_text_chars;
        if detail.chars().count() > max {
            *detail = detail.chars().take(max).collect();
        }
    }

    /// Photos next, unless the reason needs none or they are all here
    /// (kept from before the customer changed the request).
    pub(super) fn after_detail(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        if self.photo_range().min == 0 || self.evidence_complete() {
            return self.after_evidence(prefix, edit);
        }
        self.state.step = Step::Evidence;
        self.ask(prefix, edit);
    }

    fn after_evidence(&mut self, prefix: Vec<Msg>, edit: Option<i32>) {
        let Some(order) = self.facts.order.as_ref() else { return self.ask_again(Msg::StaleButton) };
        let offered = self.offered_outcomes(order);
        if let [only] = offered.as_slice() {
            self.state.draft.outcome = Some(*only);
            return self.after_outcome(order, prefix, edit);
        }
        self.state.step = Step::Outcome;
        self.ask(prefix, edit);
    }

    pub(super) fn photo_range(&self) -> policy::PhotoRange {
        let reason = self.state.draft.reason.unwrap_or(Reason::ChangedMind);
        policy::photos_needed(reason, self.facts.setup.policy)
    }

    fn evidence_complete(&self) -> bool {
        let have = self.state.draft.evidence.len();
        have >= usize::from(self.photo_range().min)
    }
}
