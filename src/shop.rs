//! `[shop]`: who the shop is to its customers — its name, time zone,
//! language, currency, and how it gets back to a customer without an agents'
//! group.

use serde::Deserialize;

use crate::lang::Lang;
use crate::money::Currency;
use crate::setting::TimeZone;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Shop {
    /// Shown in the greeting; empty means "the shop" in the customer's language.
    pub name: String,
    /// Deadlines and working days are counted in this zone.
    pub timezone: TimeZone,
    /// The language of customers whose Telegram client does not say English.
    pub default_language: Lang,
    /// The currency of retention offers and amounts typed into the config.
    pub currency: Currency,
    /// How the shop gets back to a customer who asks for a person when
    /// there is no agents' group (hours, phone, e-mail); empty: "here in the chat".
    pub contact: String,
}

impl Default for Shop {
    fn default() -> Self {
        Shop {
            name: String::new(),
            timezone: TimeZone(chrono_tz::Asia::Shanghai),
            default_language: Lang::Zh,
            currency: Currency::CNY,
            contact: String::new(),
        }
    }
}
