//! The code lists goAML reports are written in: ISO 3166 country codes and
//! ISO 4217 currency codes, as the goAML 5.0.1 generic schema enumerates
//! them (`country_type`, `currency_type`: current codes plus the reserved
//! and historic ones FIUs still receive, e.g. `XK`, `AN`, `RUR`). A code of
//! the right shape that is not on the list (`DOL`, `XX`) is refused.

use std::collections::HashSet;
use std::sync::OnceLock;

const COUNTRIES: &str = include_str!("iso3166.txt");
const CURRENCIES: &str = include_str!("iso4217.txt");

fn set(
    text: &'static str,
    cell: &'static OnceLock<HashSet<&'static str>>,
) -> &'static HashSet<&'static str> {
    cell.get_or_init(|| text.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether `code` is on goAML's country code list.
pub fn is_country_code(code: &str) -> bool {
    static CELL: OnceLock<HashSet<&'static str>> = OnceLock::new();
    set(COUNTRIES, &CELL).contains(code)
}

/// Whether `code` is on goAML's currency code list.
pub fn is_currency_code(code: &str) -> bool {
    static CELL: OnceLock<HashSet<&'static str>> = OnceLock::new();
    set(CURRENCIES, &CELL).contains(code)
}

/// Every country code of the list, in alphabetical order.
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    COUNTRIES.lines().filter(|l| !l.is_empty())
}

/// Every currency code of the list, in alphabetical order.
pub fn currency_codes() -> impl Iterator<Item = &'static str> {
    CURRENCIES.lines().filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_hold_the_region_and_refuse_made_up_codes() {
        for c in ["TJ", "UZ", "KZ", "KG", "TM", "AF", "RU", "XK"] {
            assert!(is_country_code(c), "{c}");
        }
        for c in [
            "TJS", "UZS", "KZT", "KGS", "TMT", "AFN", "RUB", "USD", "EUR",
        ] {
            assert!(is_currency_code(c), "{c}");
        }
        for c in ["XX", "tj", "TJK", ""] {
            assert!(!is_country_code(c), "{c}");
        }
        for c in ["DOL", "usd", "US"] {
            assert!(!is_currency_code(c), "{c}");
        }
        assert!(country_codes().count() > 240 && currency_codes().count() > 170);
    }
}
