//! Why a customer wants to send something back: the taxonomy of docs/domain.md §3,
//! used by the policy, by the reports and for the evidence we ask for.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    // Customer-side, "no-reason" returns (主观原因).
    ChangedMind,
    WrongSizeOrdered,
    NoLongerNeeded,
    FoundCheaper,
    // Product.
    QualityDefect,
    NotAsDescribed,
    SizeProblem,
    // Logistics (物流问题).
    DamagedInTransit,
    LostParcel,
    MissingItems,
    WrongItem,
    NoTrackingUpdate,
    SignedNotReceived,
    // Other.
    OrderChanged,
    ServiceComplaint,
    // Money owed on a received order (docs/domain.md §1.3).
    /// 保价: the price dropped soon after purchase.
    PriceDropped,
    /// The shipping fee the customer paid or advanced.
    ShippingFee,
    /// A discount or gift promised and not given.
    PromisedDiscount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReasonClass {
    Subjective,
    Product,
    Logistics,
    Other,
    /// Money owed, settled without sending anything back.
    Money,
}

/// What the photos must show, so the customer is asked for the right ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvidenceKind {
    /// Clear photos of the damage or defect.
    Defect,
    /// The size label, tag or care label.
    SizeLabel,
    /// Everything that arrived, with the parcel.
    WhatArrived,
    /// The item or parcel as received.
    AsReceived,
}

impl Reason {
    pub const ALL: [Reason; 18] = [
        Reason::ChangedMind,
        Reason::WrongSizeOrdered,
        Reason::NoLongerNeeded,
        Reason::FoundCheaper,
        Reason::QualityDefect,
        Reason::NotAsDescribed,
        Reason::SizeProblem,
        Reason::DamagedInTransit,
        Reason::LostParcel,
        Reason::MissingItems,
        Reason::WrongItem,
        Reason::NoTrackingUpdate,
        Reason::SignedNotReceived,
        Reason::OrderChanged,
        Reason::ServiceComplaint,
        Reason::PriceDropped,
        Reason::ShippingFee,
        Reason::PromisedDiscount,
    ];

    pub fn class(self) -> ReasonClass {
        use Reason::*;
        match self {
            ChangedMind | WrongSizeOrdered | NoLongerNeeded | FoundCheaper => ReasonClass::Subjective,
            QualityDefect | NotAsDescribed | SizeProblem => ReasonClass::Product,
            DamagedInTransit | LostParcel | MissingItems | WrongItem | NoTrackingUpdate | SignedNotReceived => {
                ReasonClass::Logistics
            }
            OrderChanged | ServiceComplaint => ReasonClass::Other,
            PriceDropped | ShippingFee | PromisedDiscount => ReasonClass::Money,
        }
    }

    /// Whether the reason is about the item's size, which only sized goods have.
    pub fn about_size(self) -> bool {
        matches!(self, Reason::WrongSizeOrdered | Reason::SizeProblem)
    }

    /// A stable short code, used in button data, the store and the CLI.
    pub fn code(self) -> &'static str {
        use Reason::*;
        match self {
            ChangedMind => "changed_mind",
            WrongSizeOrdered => "wrong_size_ordered",
            NoLongerNeeded => "no_longer_needed",
            FoundCheaper => "found_cheaper",
            QualityDefect => "quality_defect",
            NotAsDescribed => "not_as_described",
            SizeProblem => "size_problem",
            DamagedInTransit => "damaged_in_transit",
            LostParcel => "lost_parcel",
            MissingItems => "missing_items",
            WrongItem => "wrong_item",
            NoTrackingUpdate => "no_tracking_update",
            SignedNotReceived => "signed_not_received",
            OrderChanged => "order_changed",
            ServiceComplaint => "service_complaint",
            PriceDropped => "price_dropped",
            ShippingFee => "shipping_fee",
            PromisedDiscount => "promised_discount",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|reason| reason.code() == code)
    }

    /// What the photos must show; `None` when photos are optional.
    pub fn evidence_kind(self) -> Option<EvidenceKind> {
        use Reason::*;
        match self {
            QualityDefect | NotAsDescribed | DamagedInTransit => Some(EvidenceKind::Defect),
            SizeProblem => Some(EvidenceKind::SizeLabel),
            MissingItems => Some(EvidenceKind::WhatArrived),
            WrongItem => Some(EvidenceKind::AsReceived),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_code_reads_back_as_itself() {
        for reason in Reason::ALL {
            assert_eq!(Reason::from_code(reason.code()), Some(reason));
        }
    }
}
