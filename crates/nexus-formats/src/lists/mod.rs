//! Sanctions and watch lists in their published formats, read into one
//! model ([`ListedEntry`]) that screening indexes.
//!
//! Formats: the UN Security Council Consolidated List XML, the OFAC SDN
//! legacy CSV (`sdn.csv` with `alt.csv`, `add.csv`, `sdn_comments.csv`
//! beside it), the EU Financial Sanctions Files XML, FollowTheMoney entity
//! JSON lines (OpenSanctions exports) and a plain CSV for national lists.
//! [`load_list`] detects the format from the file itself.
//!
//! Every name counts: primary names, names in the original script, good
//! aliases, weak (low-quality) aliases and former names, each with its
//! quality. An entry that cannot be used is reported in
//! [`LoadedList::skipped`] with its id and the reason.

mod eu;
mod ftm;
mod ofac;
mod plain;

use crate::error::FormatError;
use crate::unlist::{parse_un_list, UnDateOfBirth, UnEntry};
use nexus_model::{countries_in, Country, Date, PartyKind};
use std::path::{Path, PathBuf};

pub use eu::parse_eu_list;
pub use ftm::parse_ftm_lines;
pub use ofac::{parse_ofac_sdn, read_ofac_sdn};
pub use plain::parse_plain_csv;

/// What a listed subject is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Person,
    Organisation,
    Vessel,
    Aircraft,
    Unknown,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Person => "person",
            SubjectKind::Organisation => "organisation",
            SubjectKind::Vessel => "vessel",
            SubjectKind::Aircraft => "aircraft",
            SubjectKind::Unknown => "unknown",
        }
    }

    /// Reads the words lists and users write for a kind.
    pub fn parse(text: &str) -> Option<SubjectKind> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" | "people" | "natural person" | "p" => SubjectKind::Person,
            "organisation" | "organization" | "entity" | "company" | "legalentity"
            | "enterprise" | "legal person" | "o" | "e" => SubjectKind::Organisation,
            "vessel" => SubjectKind::Vessel,
            "aircraft" => SubjectKind::Aircraft,
            "" | "unknown" => SubjectKind::Unknown,
            _ => return None,
        })
    }
}

impl From<PartyKind> for SubjectKind {
    fn from(k: PartyKind) -> SubjectKind {
        match k {
            PartyKind::Person => SubjectKind::Person,
            PartyKind::Organisation => SubjectKind::Organisation,
        }
    }
}

/// How much a name can be trusted to identify the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameQuality {
    /// The listed name.
    Primary,
    /// The listed name in the subject's own script.
    OriginalScript,
    /// A good-quality alias (UN "Good", OFAC a.k.a., EU strong alias).
    Good,
    /// A former name (f.k.a.).
    Former,
    /// A low-quality alias: a nickname or a kunya (UN "Low", OFAC weak a.k.a.).
    Weak,
    /// The initials of an organisation's listed name (LIFG for the Libyan
    /// Islamic Fighting Group), made by the screening index, not the list.
    Acronym,
}

impl NameQuality {
    /// Every quality, in declaration order.
    pub const ALL: &'static [NameQuality] = &[
        NameQuality::Primary,
        NameQuality::OriginalScript,
        NameQuality::Good,
        NameQuality::Former,
        NameQuality::Weak,
        NameQuality::Acronym,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NameQuality::Primary => "primary",
            NameQuality::OriginalScript => "original_script",
            NameQuality::Good => "alias",
            NameQuality::Former => "former_name",
            NameQuality::Weak => "weak_alias",
            NameQuality::Acronym => "acronym",
        }
    }
}

/// One name of a listed subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedName {
    pub text: String,
    pub quality: NameQuality,
}

/// A date of birth as precise as the list gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BirthDate {
    Exact(Date),
    /// A month of a year (OFAC "Jan 1970", FtM "1970-01").
    Month {
        year: i32,
        month: u8,
    },
    Year {
        year: i32,
        approximately: bool,
    },
    Between {
        from: i32,
        to: i32,
    },
}

impl BirthDate {
    /// The range of years this date allows.
    pub fn years(self) -> (i32, i32) {
        match self {
            BirthDate::Exact(d) => (d.year, d.year),
            BirthDate::Month { year, .. } => (year, year),
            BirthDate::Year {
                year,
                approximately: false,
            } => (year, year),
            BirthDate::Year { year, .. } => (year - 2, year + 2),
            BirthDate::Between { from, to } => (from.min(to), from.max(to)),
        }
    }

    /// Parses the forms lists write: `1970-01-31`, `1970-01`, `1970`,
    /// `31 Jan 1970`, `Jan 1970`, `circa 1970`, `1968 to 1970`, `1968-1970`.
    pub fn parse_loose(text: &str) -> Option<BirthDate> {
        let t = text.trim().trim_end_matches('.').trim();
        if t.is_empty() {
            return None;
        }
        if let Ok(d) = Date::parse(t) {
            return Some(BirthDate::Exact(d));
        }
        let lower = t.to_ascii_lowercase();
        for prefix in [
            "circa ",
            "approximately ",
            "approx. ",
            "about ",
            "c. ",
            "ca. ",
        ] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let year = parse_year(rest)?;
                return Some(BirthDate::Year {
                    year,
                    approximately: true,
                });
            }
        }
        for sep in [" to ", " - ", "-", "/"] {
            if let Some((a, b)) = lower.split_once(sep) {
                if let (Some(from), Some(to)) = (parse_year(a), parse_year(b)) {
                    return Some(BirthDate::Between { from, to });
                }
            }
        }
        if let Some(year) = parse_year(&lower) {
            return Some(BirthDate::Year {
                year,
                approximately: false,
            });
        }
        // YYYY-MM
        if lower.len() == 7 && lower.as_bytes()[4] == b'-' {
            let year = parse_year(&lower[..4])?;
            let month: u8 = lower[5..].parse().ok()?;
            if (1..=12).contains(&month) {
                return Some(BirthDate::Month { year, month });
            }
        }
        // [DD] Mon YYYY
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.as_slice() {
            [day, mon, year] => {
                let d = Date::new(parse_year(year)?, month_number(mon)?, day.parse().ok()?)?;
                Some(BirthDate::Exact(d))
            }
            [mon, year] => Some(BirthDate::Month {
                year: parse_year(year)?,
                month: month_number(mon)?,
            }),
            _ => None,
        }
    }
}

fn parse_year(text: &str) -> Option<i32> {
    let t = text.trim();
    if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = t.parse().ok()?;
    (1800..=2100).contains(&y).then_some(y)
}

fn month_number(text: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let t = text.trim_end_matches('.');
    let prefix = t.get(..3)?;
    MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u8 + 1)
}

/// An identity document of a listed subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDocument {
    pub kind: String,
    pub number: String,
    pub country: Option<Country>,
}

/// A listed subject in any list's format.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedEntry {
    /// The list's own identifier (UN DATAID, OFAC ent_num, EU logicalId, FtM id).
    pub id: String,
    /// The public reference (UN QDi.372, EU/UN reference, OFAC programme).
    pub reference: String,
    pub kind: SubjectKind,
    pub names: Vec<ListedName>,
    pub birth_dates: Vec<BirthDate>,
    /// Nationalities and citizenships.
    pub nationalities: Vec<Country>,
    /// Countries of addresses and places of birth.
    pub countries: Vec<Country>,
    pub documents: Vec<ListedDocument>,
    /// Digital-currency addresses (OFAC remarks, FtM CryptoWallet).
    pub crypto_addresses: Vec<String>,
    /// Sanctions programmes or regimes (SDGT, 1267 …).
    pub programmes: Vec<String>,
    /// Date of listing, as written.
    pub listed_on: String,
    /// Line in the source file (1-based; 0 when not from a file).
    pub line: u64,
}

impl ListedEntry {
    /// An entry with an id and kind and nothing else yet.
    pub fn new(id: impl Into<String>, kind: SubjectKind) -> ListedEntry {
        ListedEntry {
            id: id.into(),
            reference: String::new(),
            kind,
            names: Vec::new(),
            birth_dates: Vec::new(),
            nationalities: Vec::new(),
            countries: Vec::new(),
            documents: Vec::new(),
            crypto_addresses: Vec::new(),
            programmes: Vec::new(),
            listed_on: String::new(),
            line: 0,
        }
    }

    /// Adds a name unless it is empty or already there.
    pub fn add_name(&mut self, text: &str, quality: NameQuality) {
        let text = text.trim();
        if text.is_empty() || self.names.iter().any(|n| n.text == text) {
            return;
        }
        self.names.push(ListedName {
            text: text.to_string(),
            quality,
        });
    }

    /// The first name of the best quality.
    pub fn display_name(&self) -> &str {
        self.names
            .iter()
            .min_by_key(|n| n.quality)
            .map(|n| n.text.as_str())
            .unwrap_or("")
    }

    fn add_countries(list: &mut Vec<Country>, text: &str) {
        for c in countries_in(text) {
            if !list.contains(&c) {
                list.push(c);
            }
        }
    }
}

/// An entry the loader could not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedListEntry {
    pub line: u64,
    pub id: String,
    pub reason: String,
}

/// The formats [`load_list`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Un,
    OfacSdn,
    EuFsf,
    FollowTheMoney,
    PlainCsv,
}

impl ListFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::Un => "UN Consolidated List XML",
            ListFormat::OfacSdn => "OFAC SDN CSV",
            ListFormat::EuFsf => "EU Financial Sanctions Files XML",
            ListFormat::FollowTheMoney => "FollowTheMoney JSON lines",
            ListFormat::PlainCsv => "plain CSV list",
        }
    }
}

/// A list as loaded: its entries and what was skipped.
#[derive(Debug, Clone)]
pub struct LoadedList {
    pub path: PathBuf,
    pub format: ListFormat,
    /// When the publisher generated it, as written (empty when unknown).
    pub generated: String,
    pub entries: Vec<ListedEntry>,
    pub skipped: Vec<SkippedListEntry>,
}

impl LoadedList {
    /// How many names all entries carry.
    pub fn name_count(&self) -> usize {
        self.entries.iter().map(|e| e.names.len()).sum()
    }
}

/// Loads a list, detecting its format from the content: XML by its root
/// element, JSON lines by their first byte, CSV by its header (a `name`
/// column makes a plain list, a numeric first field an OFAC `sdn.csv`).
/// A directory is read as OFAC when it holds `sdn.csv`.
pub fn load_list(path: &Path) -> Result<LoadedList, FormatError> {
    if path.is_dir() {
        let sdn = path.join("sdn.csv");
        if sdn.is_file() {
            return read_ofac_sdn(&sdn);
        }
        return Err(FormatError::Line {
            path: path.to_path_buf(),
            line: 0,
            message: "a directory is read as an OFAC SDN list only when it holds sdn.csv".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
    detect_and_parse(path, &bytes, true)
}

/// Parses a list held in memory (as the FIU service keeps them), the format
/// detected from content like [`load_list`]. An OFAC `sdn.csv` is read alone
/// (its `alt.csv`, `add.csv` and comments are files beside it on disk).
pub fn parse_list(name: &Path, bytes: &[u8]) -> Result<LoadedList, FormatError> {
    detect_and_parse(name, bytes, false)
}

fn detect_and_parse(path: &Path, bytes: &[u8], on_disk: bool) -> Result<LoadedList, FormatError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(FormatError::Line {
            path: path.to_path_buf(),
            line: 1,
            message: "the list file is empty".into(),
        });
    };
    match body[first] {
        b'<' => {
            // The root element decides.
            let head = String::from_utf8_lossy(&body[first..body.len().min(first + 4096)]);
            if head.contains("<CONSOLIDATED_LIST") {
                load_un(path, body)
            } else {
                parse_eu_list(path, body)
            }
        }
        b'{' => parse_ftm_lines(path, body),
        _ => {
            let first_line = body[first..]
                .split(|&b| b == b'\n')
                .next()
                .unwrap_or_default();
            let first_field: Vec<u8> = first_line
                .iter()
                .take_while(|&&b| b != b',')
                .copied()
                .filter(|b| *b != b'"')
                .collect();
            if !first_field.is_empty() && first_field.iter().all(|b| b.is_ascii_digit()) {
                if on_disk {
                    read_ofac_sdn(path)
                } else {
                    parse_ofac_sdn(path, body)
                }
            } else {
                parse_plain_csv(path, body)
            }
        }
    }
}

/// Loads the UN Consolidated List.
pub fn load_un(path: &Path, bytes: &[u8]) -> Result<LoadedList, FormatError> {
    let (list, skipped) = parse_un_list(path, bytes)?;
    Ok(LoadedList {
        path: path.to_path_buf(),
        format: ListFormat::Un,
        generated: list.date_generated.clone(),
        entries: list.entries.iter().map(listed_from_un).collect(),
        skipped: skipped
            .into_iter()
            .map(|s| SkippedListEntry {
                line: s.line,
                id: s.data_id,
                reason: s.reason,
            })
            .collect(),
    })
}

/// One UN entry in the common model.
pub fn listed_from_un(u: &UnEntry) -> ListedEntry {
    let kind = match u.kind {
        Some(PartyKind::Organisation) => SubjectKind::Organisation,
        Some(PartyKind::Person) => SubjectKind::Person,
        None => SubjectKind::Unknown,
    };
    let mut e = ListedEntry::new(u.data_id.clone(), kind);
    e.reference = u.reference_number.clone();
    e.listed_on = u.listed_on.clone();
    e.line = u.line;
    if !u.un_list_type.is_empty() {
        e.programmes.push(u.un_list_type.clone());
    }
    e.add_name(&u.primary_name(), NameQuality::Primary);
    e.add_name(&u.name_original_script, NameQuality::OriginalScript);
    for a in &u.aliases {
        let q = match a.quality.trim().to_ascii_lowercase().as_str() {
            "low" => NameQuality::Weak,
            "f.k.a." | "fka" => NameQuality::Former,
            _ => NameQuality::Good,
        };
        // The UN sometimes lists several spellings in one alias field
        // ("Mohammad Islami; Mohamed Islami; Mohammed Islami"): each is a name.
        for name in a.name.split(';') {
            e.add_name(name.trim(), q);
        }
    }
    for d in &u.dates_of_birth {
        let parsed = match d {
            UnDateOfBirth::Exact(s) | UnDateOfBirth::ApproximateDate(s) => {
                BirthDate::parse_loose(s.get(..10).unwrap_or(s))
            }
            UnDateOfBirth::Year {
                year,
                approximately,
            } => Some(BirthDate::Year {
                year: *year,
                approximately: *approximately,
            }),
            UnDateOfBirth::Between { from, to } => Some(BirthDate::Between {
                from: *from,
                to: *to,
            }),
        };
        e.birth_dates.extend(parsed);
    }
    for n in &u.nationalities {
        ListedEntry::add_countries(&mut e.nationalities, n);
    }
    for a in u.addresses.iter().chain(&u.places_of_birth) {
        ListedEntry::add_countries(&mut e.countries, &a.country);
    }
    for d in &u.documents {
        if d.number.trim().is_empty() {
            continue;
        }
        let country = countries_in(&d.issuing_country)
            .into_iter()
            .chain(countries_in(&d.country_of_issue))
            .next();
        e.documents.push(ListedDocument {
            kind: d.type_of_document.clone(),
            number: d.number.trim().to_string(),
            country,
        });
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_un_alias_field_with_several_spellings_gives_each_as_a_name() {
        let u = UnEntry {
            data_id: "1".into(),
            name_parts: vec!["MOHAMMAD".into(), "ESLAMI".into()],
            aliases: vec![crate::unlist::UnAlias {
                quality: "Good".into(),
                name: "Mohammad Islami; Mohamed Islami;Mohammed Islami".into(),
                ..crate::unlist::UnAlias::default()
            }],
            ..UnEntry::default()
        };
        let names: Vec<String> = listed_from_un(&u)
            .names
            .into_iter()
            .map(|n| n.text)
            .collect();
        assert_eq!(
            names[1..],
            ["Mohammad Islami", "Mohamed Islami", "Mohammed Islami"]
        );
    }

    #[test]
    fn birth_date_forms() {
        let exact = BirthDate::parse_loose("1970-01-31").unwrap();
        assert_eq!(exact.years(), (1970, 1970));
        assert_eq!(
            BirthDate::parse_loose("31 Jan 1970"),
            Some(exact),
            "OFAC day month year"
        );
        assert_eq!(
            BirthDate::parse_loose("Jan 1970"),
            Some(BirthDate::Month {
                year: 1970,
                month: 1
            })
        );
        assert_eq!(
            BirthDate::parse_loose("circa 1970").map(BirthDate::years),
            Some((1968, 1972))
        );
        assert_eq!(
            BirthDate::parse_loose("1968 to 1970"),
            Some(BirthDate::Between {
                from: 1968,
                to: 1970
            })
        );
        assert_eq!(
            BirthDate::parse_loose("1970-02").map(BirthDate::years),
            Some((1970, 1970))
        );
        assert_eq!(BirthDate::parse_loose("unknown"), None);
        assert_eq!(BirthDate::parse_loose("31 Foo 1970"), None);
        assert_eq!(BirthDate::parse_loose("99 Jan 1970"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn loose_dates_never_panic(s in "\\PC{0,30}") {
            if let Some(d) = BirthDate::parse_loose(&s) {
                let (a, b) = d.years();
                prop_assert!(a <= b);
            }
        }

        #[test]
        fn readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let p = Path::new("p");
            let _ = eu::parse_eu_list(p, &bytes);
            let _ = ftm::parse_ftm_lines(p, &bytes);
            let _ = plain::parse_plain_csv(p, &bytes);
            let _ = ofac::parse_ofac_sdn(p, &bytes);
        }

        /// Whatever a plain list holds, every row is either an entry or a
        /// reported skip: nothing is dropped silently.
        #[test]
        fn plain_rows_are_accounted_for(names in proptest::collection::vec("[^\\n\\r\"]{0,12}", 0..20)) {
            let mut csv = String::from("id,name\n");
            for (i, n) in names.iter().enumerate() {
                csv.push_str(&format!("{i},\"{n}\"\n"));
            }
            let l = plain::parse_plain_csv(Path::new("p.csv"), csv.as_bytes()).unwrap();
            prop_assert_eq!(l.entries.len() + l.skipped.len(), names.len());
        }
    }
}
