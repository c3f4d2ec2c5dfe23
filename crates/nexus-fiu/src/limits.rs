//! The service's limits on what outside parties can make it do: sizes,
//! depth, counts, rates and times. Every value has a safe default; a
//! deployment changes them with `nexus serve --limits FILE` (`key = value`
//! lines, `#` comments). The table in `docs/security.md` lists each key.

use std::time::Duration;

/// Limits of one running service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body of `POST /api/v1/reports` (one report or a zip).
    pub max_upload: usize,
    /// Largest report, also each report inside a zip once uncompressed.
    pub max_report: usize,
    /// Most reports in one zip.
    pub max_reports_per_zip: usize,
    /// Most bytes all reports of one zip may have once uncompressed.
    pub max_unzipped: usize,
    /// Largest uncompressed / compressed ratio of a zip entry above 1 MiB
    /// (XML compresses 10–30×; a zip bomb 1,000×).
    pub max_zip_ratio: u64,
    /// Deepest element nesting of an XML report.
    pub max_xml_depth: usize,
    /// Most elements in one report.
    pub max_report_elements: usize,
    /// Problems listed per report (then one line counts the rest).
    pub max_problems: usize,
    /// Reports parsed at the same time (bounds memory under many uploads).
    pub concurrent_intake: usize,
    /// Largest body of `POST /api/v1/transactions`.
    pub max_batch: usize,
    /// Most rows in one transactions batch.
    pub max_batch_rows: usize,
    /// Largest document attached to a case.
    pub max_document: usize,
    /// Largest body of every other request (forms, JSON).
    pub max_form: usize,
    /// Largest envelope a partner FIU may send to the inbox.
    pub max_envelope: usize,
    /// Failed sign-ins of one user name in `signin_window` before each
    /// further attempt must wait (doubling from one minute).
    pub signin_user_failures: u32,
    /// Failed sign-ins from one address in `signin_window` before it is refused.
    pub signin_address_failures: u32,
    pub signin_window: Duration,
    /// Password checks (argon2id, 19 MiB each) running at the same time.
    pub concurrent_password_checks: usize,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body.
    pub body_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one address.
    pub max_connections_per_address: usize,
    /// Reports older than this many days may be purged: the bounds an
    /// administrator's retention setting must stay within.
    pub min_retention_days: i64,
    pub max_retention_days: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_upload: 20 << 20,
            max_report: 10 << 20,
            max_reports_per_zip: 1000,
            max_unzipped: 64 << 20,
            max_zip_ratio: 200,
            max_xml_depth: 64,
            max_report_elements: 500_000,
            max_problems: 200,
            concurrent_intake: 2,
            max_batch: 20 << 20,
            max_batch_rows: 200_000,
            max_document: 20 << 20,
            max_form: 256 << 10,
            max_envelope: 64 << 20,
            signin_user_failures: 5,
            signin_address_failures: 30,
            signin_window: Duration::from_secs(15 * 60),
            concurrent_password_checks: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_connections_per_address: 128,
            min_retention_days: 30,
            max_retention_days: 36_500,
        }
    }
}

/// A line of a limits file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LimitsError {
    pub line: usize,
    pub message: String,
}

/// Every key of a limits file with its unit: `bytes`, `count` or `seconds`.
pub const KEYS: &[(&str, &str)] = &[
    ("max_upload", "bytes"),
    ("max_report", "bytes"),
    ("max_reports_per_zip", "count"),
    ("max_unzipped", "bytes"),
    ("max_zip_ratio", "count"),
    ("max_xml_depth", "count"),
    ("max_report_elements", "count"),
    ("max_problems", "count"),
    ("concurrent_intake", "count"),
    ("max_batch", "bytes"),
    ("max_batch_rows", "count"),
    ("max_document", "bytes"),
    ("max_form", "bytes"),
    ("max_envelope", "bytes"),
    ("signin_user_failures", "count"),
    ("signin_address_failures", "count"),
    ("signin_window", "seconds"),
    ("concurrent_password_checks", "count"),
    ("header_timeout", "seconds"),
    ("body_timeout", "seconds"),
    ("max_connections", "count"),
    ("max_connections_per_address", "count"),
    ("min_retention_days", "count"),
    ("max_retention_days", "count"),
];

/// Sizes may be written with a unit: `512k`, `20M`, `1G` (powers of 1024).
fn parse_bytes(value: &str) -> Option<u64> {
    let v = value.trim();
    let (digits, factor) = match v.char_indices().last()? {
        (i, 'k' | 'K') => (&v[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&v[..i], 1 << 20),
        (i, 'g' | 'G') => (&v[..i], 1 << 30),
        _ => (v, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(factor)
}

impl Limits {
    /// Reads a limits file over the defaults. Every value must be a whole
    /// number ≥ 1 (sizes may carry `k`, `M`, `G`); unknown keys are errors.
    pub fn parse(text: &str) -> Result<Limits, LimitsError> {
        let mut l = Limits::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let err = |message: String| LimitsError { line, message };
            let (key, value) = content
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| err(format!("expected `key = value`, got `{content}`")))?;
            let unit = KEYS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, u)| *u)
                .ok_or_else(|| err(format!("unknown limit `{key}`")))?;
            let n = match unit {
                "bytes" => parse_bytes(value),
                _ => value.parse::<u64>().ok(),
            }
            .filter(|n| *n >= 1 && *n <= i64::MAX as u64)
            .ok_or_else(|| {
                err(format!(
                    "`{key}`: `{value}` is not a whole number ≥ 1{}",
                    if unit == "bytes" {
                        " (sizes may end in k, M or G)"
                    } else {
                        ""
                    }
                ))
            })?;
            let size = n as usize;
            let secs = Duration::from_secs(n);
            match key {
                "max_upload" => l.max_upload = size,
                "max_report" => l.max_report = size,
                "max_reports_per_zip" => l.max_reports_per_zip = size,
                "max_unzipped" => l.max_unzipped = size,
                "max_zip_ratio" => l.max_zip_ratio = n,
                "max_xml_depth" => l.max_xml_depth = size,
                "max_report_elements" => l.max_report_elements = size,
                "max_problems" => l.max_problems = size,
                "concurrent_intake" => l.concurrent_intake = size,
                "max_batch" => l.max_batch = size,
                "max_batch_rows" => l.max_batch_rows = size,
                "max_document" => l.max_document = size,
                "max_form" => l.max_form = size,
                "max_envelope" => l.max_envelope = size,
                "signin_user_failures" => l.signin_user_failures = n.min(u32::MAX as u64) as u32,
                "signin_address_failures" => {
                    l.signin_address_failures = n.min(u32::MAX as u64) as u32
                }
                "signin_window" => l.signin_window = secs,
                "concurrent_password_checks" => l.concurrent_password_checks = size,
                "header_timeout" => l.header_timeout = secs,
                "body_timeout" => l.body_timeout = secs,
                "max_connections" => l.max_connections = size,
                "max_connections_per_address" => l.max_connections_per_address = size,
                "min_retention_days" => l.min_retention_days = n as i64,
                "max_retention_days" => l.max_retention_days = n as i64,
                _ => unreachable!("every key of KEYS is handled"),
            }
        }
        if l.max_xml_depth > 4096 {
            return Err(LimitsError {
                line: 0,
                message: "`max_xml_depth` above 4096 would let a report exhaust the stack".into(),
            });
        }
        if l.min_retention_days > l.max_retention_days {
            return Err(LimitsError {
                line: 0,
                message: "`min_retention_days` is above `max_retention_days`".into(),
            });
        }
        Ok(l)
    }

    /// The limits of reading one report.
    pub fn report(&self) -> nexus_formats::goaml_intake::ReportLimits {
        nexus_formats::goaml_intake::ReportLimits {
            xml: nexus_formats::xml::XmlLimits {
                max_depth: self.max_xml_depth,
                max_record_elements: self.max_report_elements,
            },
            max_problems: self.max_problems,
        }
    }

    /// The file form of these limits (every key, one per line).
    pub fn to_text(&self) -> String {
        let secs = |d: Duration| d.as_secs().to_string();
        let values = [
            self.max_upload.to_string(),
            self.max_report.to_string(),
            self.max_reports_per_zip.to_string(),
            self.max_unzipped.to_string(),
            self.max_zip_ratio.to_string(),
            self.max_xml_depth.to_string(),
            self.max_report_elements.to_string(),
            self.max_problems.to_string(),
            self.concurrent_intake.to_string(),
            self.max_batch.to_string(),
            self.max_batch_rows.to_string(),
            self.max_document.to_string(),
            self.max_form.to_string(),
            self.max_envelope.to_string(),
            self.signin_user_failures.to_string(),
            self.signin_address_failures.to_string(),
            secs(self.signin_window),
            self.concurrent_password_checks.to_string(),
            secs(self.header_timeout),
            secs(self.body_timeout),
            self.max_connections.to_string(),
            self.max_connections_per_address.to_string(),
            self.min_retention_days.to_string(),
            self.max_retention_days.to_string(),
        ];
        KEYS.iter()
            .zip(values)
            .map(|((k, unit), v)| format!("{k} = {v}   # {unit}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_the_file_form() {
        let d = Limits::default();
        assert_eq!(Limits::parse(&d.to_text()).unwrap(), d);
    }

    #[test]
    fn sizes_take_units_and_errors_name_the_line() {
        let l = Limits::parse("# comment\nmax_upload = 5M\nheader_timeout = 3\n").unwrap();
        assert_eq!(l.max_upload, 5 << 20);
        assert_eq!(l.header_timeout, Duration::from_secs(3));
        let e = Limits::parse("\nmax_uplaod = 5M").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown limit"), "{e}");
        for bad in [
            "max_report = 0",
            "max_report = -1",
            "max_report = 99999999999G",
            "max_report",
        ] {
            assert!(Limits::parse(bad).is_err(), "{bad}");
        }
        assert!(Limits::parse("max_xml_depth = 100000").is_err());
    }
}
