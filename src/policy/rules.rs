//! The shop's policy settings (`[policy]` in the config): windows, quotas,
//! evidence and per-category exceptions. Defaults are docs/domain.md §4's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::reason::Reason;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyRules {
    /// 7天无理由: counted from 00:00 (shop time) of the day after sign-off.
    pub no_reason_return_days: u32,
    /// Exchanges for a subjective reason, counted the same way.
    pub exchange_days: u32,
    /// Exchanges allowed per order line (换货只换一次).
    pub exchanges_per_line: u32,
    /// After an exchange, a no-reason return counts from the replacement's sign-off.
    pub return_after_exchange_days: u32,
    /// Quality problems are covered this long after delivery, unless the
    /// category sets `quality_report_hours`.
    pub warranty_days: u32,
    /// 保价: a price drop is refunded within this many days of purchase.
    pub price_protection_days: u32,
    /// A person answers a request that needs review within this many working days.
    pub review_working_days: u32,
    /// The refund is issued within this many working days after inspection.
    pub refund_working_days: u32,
    /// Photos for damage and quality claims: at least, at most.
    pub defect_photos: PhotoRange,
    /// Photos for the other reasons that need them.
    pub other_photos: PhotoRange,
    /// Per-reason photo ranges, by reason code, over the two above.
    pub photos: BTreeMap<String, PhotoRange>,
    /// Categories (lower case) whose goods come in sizes: only their items
    /// are offered the size reasons (no "wrong size" for a thermos).
    pub sized_categories: Vec<String>,
    /// Exceptions by product category (lower case). Listing this table
    /// replaces the built-in one.
    pub categories: BTreeMap<String, CategoryRules>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoRange {
    pub min: u8,
    pub max: u8,
}

/// A category's exceptions; what is left out keeps the shop-wide rule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRules {
    /// `false`: no return or exchange for a subjective reason (custom-made,
    /// underwear, perishables, opened software). Quality problems stay covered.
    pub no_reason_return: Option<bool>,
    pub no_reason_return_days: Option<u32>,
    pub exchange_days: Option<u32>,
    pub warranty_days: Option<u32>,
    /// Quality problems must be reported within this many hours of delivery (furniture: 48).
    pub quality_report_hours: Option<u32>,
}

/// The rules in force for one category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryPolicy {
    pub name: String,
    pub no_reason_return: bool,
    pub no_reason_return_days: u32,
    pub exchange_days: u32,
    pub warranty_days: u32,
    pub quality_report_hours: Option<u32>,
    /// The goods come in sizes (`[policy] sized_categories`).
    pub sized: bool,
}

impl Default for PolicyRules {
    fn default() -> Self {
        let excluded = CategoryRules { no_reason_return: Some(false), ..CategoryRules::default() };
        let mut categories: BTreeMap<String, CategoryRules> =
            ["custom", "underwear", "perishable", "software"].map(|name| (name.to_owned(), excluded.clone())).into();
        categories
            .insert("furniture".into(), CategoryRules { quality_report_hours: Some(48), ..CategoryRules::default() });
        PolicyRules {
            no_reason_return_days: 7,
            exchange_days: 15,
            exchanges_per_line: 1,
            return_after_exchange_days: 7,
            warranty_days: 365,
            price_protection_days: 7,
            review_working_days: 1,
            refund_working_days: 3,
            defect_photos: PhotoRange { min: 3, max: 5 },
            other_photos: PhotoRange { min: 1, max: 5 },
            photos: BTreeMap::new(),
            sized_categories: ["clothing", "apparel", "shoes", "underwear"].map(str::to_owned).to_vec(),
            categories,
        }
    }
}

impl PolicyRules {
    /// The rules for a product category, its exceptions over the shop's.
    pub fn category(&self, name: &str) -> CategoryPolicy {
        let name = name.trim().to_lowercase();
        let own = self.categories.get(&name).cloned().unwrap_or_default();
        CategoryPolicy {
            no_reason_return: own.no_reason_return.unwrap_or(true),
            no_reason_return_days: own.no_reason_return_days.unwrap_or(self.no_reason_return_days),
            exchange_days: own.exchange_days.unwrap_or(self.exchange_days),
            warranty_days: own.warranty_days.unwrap_or(self.warranty_days),
            quality_report_hours: own.quality_report_hours,
            sized: self.sized_categories.contains(&name),
            name,
        }
    }

    /// Problems with these settings, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut range = |key: String, range: &PhotoRange| {
            if range.min > range.max {
                problems.push(format!("{key}: min is above max"));
            }
            if range.max > 10 {
                problems.push(format!("{key}: max is at most 10 (one album)"));
            }
        };
        range("policy.defect_photos".into(), &self.defect_photos);
        range("policy.other_photos".into(), &self.other_photos);
        for (code, photos) in &self.photos {
            range(format!("policy.photos.{code}"), photos);
        }
        for code in self.photos.keys() {
            if Reason::from_code(code).is_none() {
                problems.push(format!("policy.photos.{code}: not a reason code (e.g. quality_defect, wrong_item)"));
            }
        }
        for name in self.categories.keys() {
            if name.trim().is_empty() || *name != name.to_lowercase() {
                problems.push(format!("policy.categories.{name}: category names are written in lower case"));
            }
        }
        for name in &self.sized_categories {
            if name.trim().is_empty() || *name != name.to_lowercase() {
                problems.push(format!("policy.sized_categories: \"{name}\": category names are written in lower case"));
            }
        }
        if self.exchanges_per_line > 10 {
            problems.push("policy.exchanges_per_line: at most 10".into());
        }
        problems
    }
}
