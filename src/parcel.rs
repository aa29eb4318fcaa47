//! The return parcel as carriers and the warehouse report it: its status,
//! scans, tracking number, the warehouse's inspection, and the address it
//! goes to. Plain facts shared by the follow-ups, the agents' commands, the
//! tracking provider and the push endpoint.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A return parcel's status as carriers and the shop's systems report it;
/// each is told to the customer once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    PickedUp,
    InTransit,
    /// Delivered to the shop's warehouse.
    Delivered,
    Exception,
}

impl ParcelStatus {
    pub const ALL: [ParcelStatus; 4] =
        [ParcelStatus::PickedUp, ParcelStatus::InTransit, ParcelStatus::Delivered, ParcelStatus::Exception];

    pub fn code(self) -> &'static str {
        match self {
            ParcelStatus::PickedUp => "picked_up",
            ParcelStatus::InTransit => "in_transit",
            ParcelStatus::Delivered => "delivered",
            ParcelStatus::Exception => "exception",
        }
    }

    pub fn from_code(code: &str) -> Option<ParcelStatus> {
        ParcelStatus::ALL.into_iter().find(|status| status.code() == code)
    }
}

/// One scan of a parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    pub status: ParcelStatus,
    pub at: DateTime<Utc>,
    /// The carrier's words, if any ("已揽收 深圳南山").
    pub detail: String,
}

/// A tracking number with the carrier it belongs to (a carrier code from
/// the config, e.g. "sf"; "other" when no pattern matched).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingNo {
    pub carrier: String,
    pub number: String,
}

/// The warehouse's check of a returned parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inspection {
    Passed,
    /// Failed, with the reason the customer is told.
    Failed(String),
}

/// Where a return goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnAddress {
    pub address: String,
    pub recipient: String,
    pub phone: String,
}
