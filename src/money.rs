//! Money in integer minor units (fen, cents) with its currency, so that no
//! amount is ever rounded by floating point.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code such as `CNY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency must be three letters such as CNY, got {0:?}")]
    Currency(String),
    #[error("amount {0:?} is not a number with at most 2 decimals")]
    Amount(String),
    #[error("amount {0:?} is too large")]
    TooLarge(String),
}

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");

    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        let code = code.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b, c] if code.bytes().all(|b| b.is_ascii_uppercase()) => Ok(Currency([*a, *b, *c])),
            _ => Err(MoneyError::Currency(code)),
        }
    }

    /// Whether this is a currency in circulation under ISO 4217 (funds,
    /// precious metals and test codes are not), so `XYZ` is caught before
    /// a customer reads it as a price.
    pub fn is_iso4217(&self) -> bool {
        ISO_4217.binary_search(&self.as_str()).is_ok()
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The symbol customers expect in front of an amount.
    pub fn symbol(&self) -> &str {
        match self.as_str() {
            "CNY" => "¥",
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            other => other,
        }
    }
}

/// The active ISO 4217 currencies in circulation, sorted.
const ISO_4217: [&str; 156] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: minor units (1/100 of the currency unit) and a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Parses a major-unit amount with up to two decimals ("12", "12.5", "12.50").
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let text = text.trim();
        let bad = || MoneyError::Amount(text.to_owned());
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (text.contains('.') && frac.is_empty())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge(text.to_owned()))?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .map(|minor| Money::new(minor, currency))
            .ok_or_else(|| MoneyError::TooLarge(text.to_owned()))
    }

    /// This amount times a quantity, saturating rather than overflowing.
    pub fn times(self, quantity: u32) -> Money {
        Money::new(self.minor.saturating_mul(i64::from(quantity)), self.currency)
    }

    /// The amount in major units with two decimals and no symbol
    /// ("268.00", "-0.05"), as files for other programs write it.
    pub fn major(&self) -> String {
        self.with_symbol("")
    }

    fn with_symbol(&self, symbol: &str) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{symbol}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_symbol(self.currency.symbol()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_amounts_parse_into_exact_minor_units() {
        let table = [("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0.01", 1), ("199.99", 19999)];
        for (text, minor) in table {
            assert_eq!(Money::parse_major(text, Currency::CNY), Ok(Money::new(minor, Currency::CNY)), "{text}");
        }
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for text in ["", "1.234", "-1", "1,5", "abc", "1.", ".5", "99999999999999999999"] {
            assert!(Money::parse_major(text, Currency::CNY).is_err(), "{text}");
        }
    }

    #[test]
    fn only_currencies_in_circulation_are_iso_4217() {
        assert!(ISO_4217.is_sorted(), "binary search needs a sorted table");
        for code in ["CNY", "usd", "EUR", "JPY", "HKD", "ZWG"] {
            assert!(Currency::parse(code).expect("three letters").is_iso4217(), "{code}");
        }
        for code in ["XYZ", "RMB", "XTS", "XAU", "HRK"] {
            assert!(!Currency::parse(code).expect("three letters").is_iso4217(), "{code}");
        }
    }

    #[test]
    fn money_displays_with_symbol_and_two_decimals() {
        assert_eq!(Money::new(19999, Currency::CNY).to_string(), "¥199.99");
        assert_eq!(Money::new(5, Currency::parse("usd").unwrap()).to_string(), "$0.05");
        assert_eq!(Money::new(26_800, Currency::CNY).major(), "268.00");
        assert_eq!(Money::new(-5, Currency::CNY).major(), "-0.05");
    }
}
