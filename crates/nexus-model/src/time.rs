//! Civil dates and UTC timestamps without a calendar dependency.
//!
//! Timestamps are whole seconds since the Unix epoch, UTC. The interchange
//! format writes them as RFC 3339 (`2026-03-01T09:15:00Z`); parsing also accepts
//! fractional seconds and numeric offsets, which are normalised to UTC.
//! The day arithmetic is Howard Hinnant's `days_from_civil`, exact for the
//! proleptic Gregorian calendar.

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Why a date or timestamp text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("expected a date as YYYY-MM-DD, got {0:?}")]
    BadDate(String),
    #[error("expected an RFC 3339 timestamp such as 2026-03-01T09:15:00Z, got {0:?}")]
    BadTimestamp(String),
}

pub const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (days since 1970-01-01).
pub fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    Date {
        year: (y + i64::from(m <= 2)) as i32,
        month: m,
        day: d,
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A validated date.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01.
    pub fn day_number(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// Monday = 0 … Sunday = 6.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (3).
        ((self.day_number() + 3).rem_euclid(7)) as u8
    }

    /// Midnight UTC of this date.
    pub fn midnight(self) -> Timestamp {
        Timestamp(self.day_number() * SECONDS_PER_DAY)
    }

    pub fn add_days(self, days: i64) -> Date {
        civil_from_days(self.day_number() + days)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, TimeError> {
        let bad = || TimeError::BadDate(text.to_string());
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let year = parse_digits(&b[0..4]).ok_or_else(bad)? as i32;
        let month = parse_digits(&b[5..7]).ok_or_else(bad)? as u8;
        let day = parse_digits(&b[8..10]).ok_or_else(bad)? as u8;
        Date::new(year, month, day).ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn parse_digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(v)
}

impl Timestamp {
    pub fn date(self) -> Date {
        civil_from_days(self.0.div_euclid(SECONDS_PER_DAY))
    }

    /// Seconds since midnight UTC.
    pub fn second_of_day(self) -> u32 {
        self.0.rem_euclid(SECONDS_PER_DAY) as u32
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` into `out` without allocating.
    pub fn write_rfc3339(self, out: &mut Vec<u8>) {
        let d = self.date();
        let s = self.second_of_day();
        let mut buf = *b"0000-00-00T00:00:00Z";
        let y = d.year.clamp(0, 9999) as u32;
        put2(&mut buf[0..2], y / 100);
        put2(&mut buf[2..4], y % 100);
        put2(&mut buf[5..7], u32::from(d.month));
        put2(&mut buf[8..10], u32::from(d.day));
        put2(&mut buf[11..13], s / 3600);
        put2(&mut buf[14..16], (s / 60) % 60);
        put2(&mut buf[17..19], s % 60);
        out.extend_from_slice(&buf);
    }

    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`; a space may stand for `T`.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimeError> {
        let bad = || TimeError::BadTimestamp(text.to_string());
        let b = text.as_bytes();
        if b.len() < 19 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
            return Err(bad());
        }
        let date = Date::parse(&text[0..10]).map_err(|_| bad())?;
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let h = parse_digits(&b[11..13]).ok_or_else(bad)?;
        let mi = parse_digits(&b[14..16]).ok_or_else(bad)?;
        let s = parse_digits(&b[17..19]).ok_or_else(bad)?;
        if h > 23 || mi > 59 || s > 60 {
            return Err(bad());
        }
        let mut rest = &b[19..];
        if rest.first() == Some(&b'.') {
            let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return Err(bad());
            }
            rest = &rest[1 + digits..];
        }
        let offset: i64 = match rest {
            b"Z" | b"z" => 0,
            [sign @ (b'+' | b'-'), hh @ .., b':', m1, m2] if hh.len() == 2 => {
                let oh = parse_digits(hh).ok_or_else(bad)?;
                let om = parse_digits(&[*m1, *m2]).ok_or_else(bad)?;
                let o = i64::from(oh * 3600 + om * 60);
                if *sign == b'+' {
                    o
                } else {
                    -o
                }
            }
            _ => return Err(bad()),
        };
        Ok(Timestamp(
            date.day_number() * SECONDS_PER_DAY + i64::from(h * 3600 + mi * 60 + s.min(59))
                - offset,
        ))
    }
}

fn put2(dst: &mut [u8], v: u32) {
    dst[0] = b'0' + (v / 10 % 10) as u8;
    dst[1] = b'0' + (v % 10) as u8;
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = Vec::with_capacity(20);
        self.write_rfc3339(&mut v);
        f.write_str(std::str::from_utf8(&v).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(Date::parse("2026-11-23").unwrap().weekday(), 0); // a Monday
        let t = Timestamp::parse_rfc3339("2026-03-01T09:15:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-01T09:15:00Z");
        let t2 = Timestamp::parse_rfc3339("2026-03-01T14:15:00.250+05:00").unwrap();
        assert_eq!(t, t2);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::parse("2026-02-30").is_err());
        assert!(Date::parse("2026-13-01").is_err());
        assert!(Date::parse("26-01-01").is_err());
        assert!(Timestamp::parse_rfc3339("2026-03-01T25:00:00Z").is_err());
        assert!(Timestamp::parse_rfc3339("2026-03-01T09:15:00").is_err());
    }

    proptest! {
        #[test]
        fn day_roundtrip(days in -1_000_000i64..1_000_000) {
            let d = civil_from_days(days);
            prop_assert_eq!(d.day_number(), days);
            prop_assert!(Date::new(d.year, d.month, d.day).is_some());
        }

        #[test]
        fn timestamp_roundtrip(secs in 0i64..253_402_300_799) {
            let t = Timestamp(secs);
            prop_assert_eq!(Timestamp::parse_rfc3339(&t.to_string()).unwrap(), t);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Timestamp::parse_rfc3339(&s);
            let _ = Date::parse(&s);
        }
    }
}
