//! Money paid and coupons given, how return parcels were paid for, and
//! what retention offers did.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CaseRow, Period, ReturnRow, Rows, count};
use crate::case::CaseStatus;
use crate::money::Money;
use crate::policy::{Outcome, ShippingPayer};
use crate::retention::{OfferKind, OfferResult};

/// Money paid on cases closed in the period, and coupons given by retention
/// in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoneySection {
    pub refunded: Money,
    pub partial_refunds: Money,
    pub cash_back: Money,
    pub retention_coupons: Money,
    /// Return parcels sent in the period (tracking number given) by who pays
    /// their shipping; the store keeps no fee, so parcels are counted.
    pub return_shipping: Vec<ShippingLine>,
}

/// Return parcels whose shipping one party pays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShippingLine {
    pub payer: ShippingPayer,
    pub parcels: u32,
    /// Of the customer's, those freight insurance (运费险) refunds.
    pub freight_insurance: u32,
    /// Of those, shipping the customer advanced and the shop repays as a cash-back (垫付).
    pub cash_back: u32,
}

/// Every payer is listed, with or without parcels.
const PAYERS: [ShippingPayer; 3] = [ShippingPayer::Customer, ShippingPayer::Shop, ShippingPayer::Carrier];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RetentionSection {
    pub offers: Vec<OfferLine>,
    /// Cases opened in the period whose customer kept the goods.
    pub cases_kept: u32,
    /// What those cases could have refunded.
    pub not_refunded: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferLine {
    pub offer_id: String,
    pub made: u32,
    pub accepted: u32,
    pub declined: u32,
}

pub(super) fn money(period: Period, rows: &Rows, money: impl Fn(i64) -> Money) -> MoneySection {
    let closed = || rows.cases.iter().filter(|case| case.closed_at.is_some_and(|at| period.contains(at)));
    let paid = |outcomes: &[Outcome]| closed().filter(|case| outcomes.contains(&case.outcome)).map(CaseRow::paid).sum();
    let coupons = rows
        .offers
        .iter()
        .filter(|offer| offer.kind == OfferKind::Coupon && offer.result == OfferResult::Accepted)
        .filter_map(|offer| offer.value_minor)
        .sum();
    MoneySection {
        refunded: money(paid(&[Outcome::RefundOnly, Outcome::ReturnRefund, Outcome::PriceProtection])),
        partial_refunds: money(paid(&[Outcome::PartialRefund])),
        cash_back: money(paid(&[Outcome::CashBack])),
        retention_coupons: money(coupons),
        return_shipping: return_shipping(period, rows),
    }
}

fn return_shipping(period: Period, rows: &Rows) -> Vec<ShippingLine> {
    let sent: Vec<&ReturnRow> =
        rows.returns.iter().filter(|parcel| parcel.tracking_at.is_some_and(|at| period.contains(at))).collect();
    PAYERS
        .into_iter()
        .map(|payer| {
            let parcels: Vec<&&ReturnRow> = sent.iter().filter(|parcel| parcel.payer == Some(payer)).collect();
            let with = |flag: fn(&ReturnRow) -> bool| count(parcels.iter().filter(|parcel| flag(parcel)).count());
            ShippingLine {
                payer,
                parcels: count(parcels.len()),
                freight_insurance: with(|parcel| {
                    parcel.freight_insurance && parcel.payer == Some(ShippingPayer::Customer)
                }),
                cash_back: with(|parcel| parcel.shipping_cash_back),
            }
        })
        .collect()
}

pub(super) fn retention(rows: &Rows, opened: &[&CaseRow], money: impl Fn(i64) -> Money) -> RetentionSection {
    let mut offers: BTreeMap<&str, OfferLine> = BTreeMap::new();
    for offer in &rows.offers {
        let line = offers.entry(&offer.offer_id).or_insert_with(|| OfferLine {
            offer_id: offer.offer_id.clone(),
            made: 0,
            accepted: 0,
            declined: 0,
        });
        line.made += 1;
        match offer.result {
            OfferResult::Accepted => line.accepted += 1,
            OfferResult::Declined => line.declined += 1,
        }
    }
    let kept: Vec<&&CaseRow> = opened.iter().filter(|case| case.status == CaseStatus::Retained).collect();
    RetentionSection {
        offers: offers.into_values().collect(),
        cases_kept: count(kept.len()),
        not_refunded: money(kept.iter().map(|case| case.refund_cap_minor).sum()),
    }
}
