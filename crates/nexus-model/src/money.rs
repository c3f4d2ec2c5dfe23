//! Amounts in minor units (hundredths) with an ISO 4217 currency code.
//!
//! Integers, not floats: sums of millions of transactions must add up to the
//! cent, and the same input must always print the same bytes.

use std::fmt;

/// An ISO 4217 alphabetic currency code (three upper-case ASCII letters).
/// `XBT` is used for bitcoin and `USDT` is not representable on purpose:
/// crypto assets other than bitcoin are carried as `XXX` plus the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    /// ISO 4217 "no currency": a code this nexus cannot read.
    pub const XXX: Currency = Currency(*b"XXX");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const RUB: Currency = Currency(*b"RUB");
    pub const TJS: Currency = Currency(*b"TJS");
    pub const UZS: Currency = Currency(*b"UZS");
    pub const KGS: Currency = Currency(*b"KGS");
    pub const KZT: Currency = Currency(*b"KZT");
    pub const TMT: Currency = Currency(*b"TMT");
    pub const AFN: Currency = Currency(*b"AFN");
    pub const TRY: Currency = Currency(*b"TRY");
    pub const AED: Currency = Currency(*b"AED");
    pub const CNY: Currency = Currency(*b"CNY");
    pub const XBT: Currency = Currency(*b"XBT");

    /// Accepts exactly three ASCII letters, upper-casing them.
    pub fn parse(text: &str) -> Option<Currency> {
        let b = text.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        Some(Currency([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-negative or negative amount in hundredths of the major unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Minor(pub i64);

/// Why an amount text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a decimal amount such as 1250.50, got {0:?}")]
pub struct AmountError(pub String);

impl Minor {
    /// From a float in major units, rounded half away from zero to the cent.
    pub fn from_major_f64(v: f64) -> Minor {
        Minor((v * 100.0).round() as i64)
    }

    pub fn as_major_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Parses a plain decimal (`1250`, `1250.5`, `-3.25`); more than two
    /// decimals are rounded half away from zero; no exponent, no grouping.
    pub fn parse(text: &str) -> Result<Minor, AmountError> {
        let bad = || AmountError(text.to_string());
        let t = text.trim();
        let (neg, digits) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        if !int_part.bytes().all(|c| c.is_ascii_digit())
            || !frac_part.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let mut v: i64 = 0;
        for c in int_part.bytes() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(c - b'0')))
                .ok_or_else(bad)?;
        }
        let fb = frac_part.as_bytes();
        let d1 = fb.first().map_or(0, |c| i64::from(c - b'0'));
        let d2 = fb.get(1).map_or(0, |c| i64::from(c - b'0'));
        let round_up = fb.get(2).is_some_and(|c| *c >= b'5');
        v = v
            .checked_mul(100)
            .and_then(|v| v.checked_add(d1 * 10 + d2 + i64::from(round_up)))
            .ok_or_else(bad)?;
        Ok(Minor(if neg { -v } else { v }))
    }

    /// Writes the amount with exactly two decimals (`1250.50`).
    pub fn write_decimal(self, out: &mut Vec<u8>) {
        let v = self.0;
        if v < 0 {
            out.push(b'-');
        }
        let a = v.unsigned_abs();
        let mut tmp = [0u8; 24];
        let mut i = tmp.len();
        let mut n = a / 100;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&tmp[i..]);
        out.push(b'.');
        let c = a % 100;
        out.push(b'0' + (c / 10) as u8);
        out.push(b'0' + (c % 10) as u8);
    }
}

impl fmt::Display for Minor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = Vec::new();
        self.write_decimal(&mut v);
        f.write_str(std::str::from_utf8(&v).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!(Minor::parse("1250.5").unwrap(), Minor(125_050));
        assert_eq!(Minor::parse("0.005").unwrap(), Minor(1));
        assert_eq!(Minor::parse("-3.25").unwrap().to_string(), "-3.25");
        assert_eq!(Minor(7).to_string(), "0.07");
        assert!(Minor::parse("1e5").is_err());
        assert!(Minor::parse("").is_err());
        assert!(Minor::parse(".").is_err());
        assert!(Minor::parse("1,000").is_err());
        assert!(Minor::parse("99999999999999999999").is_err());
        assert_eq!(Currency::parse("tjs"), Some(Currency::TJS));
        assert_eq!(Currency::parse("TJ"), None);
    }

    proptest! {
        #[test]
        fn roundtrip(v in -10_000_000_000_000i64..10_000_000_000_000) {
            prop_assert_eq!(Minor::parse(&Minor(v).to_string()).unwrap(), Minor(v));
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = Minor::parse(&s);
            let _ = Currency::parse(&s);
        }
    }
}
