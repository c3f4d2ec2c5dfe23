//! The shared vocabulary of nexus.
//!
//! Every other crate speaks in these types: the readers in `nexus-formats`
//! produce them, the simulator, the screening and the graph engines consume
//! them. This crate does no I/O and has no opinion about file formats beyond
//! the spelling of its closed vocabularies (`Channel::as_str`, …), which is
//! the interchange spelling documented in `docs/formats.md`.

/// Declares a closed vocabulary with its interchange spelling, so that the
/// CSV writer, the CSV reader and the documentation cannot drift apart.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in interchange files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the interchange spelling (exact, lower case).
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    <D::Error as $crate::__serde::de::Error>::custom(format!(
                        "{:?} is not a {}",
                        text,
                        stringify!($name)
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[doc(hidden)]
pub use serde as __serde;

pub mod codes;
pub mod countries;
pub mod entities;
pub mod explain;
pub mod money;
pub mod time;
pub mod vocab;

pub use countries::countries_in;
pub use entities::{
    Account, AccountKind, Address, Channel, Country, Gender, IdDocument, Institution,
    InstitutionKind, Label, Party, PartyKind, Script, Transaction,
};
pub use explain::{AccountRef, Explanation, Phrase, PhraseKey, Value, Wording};
pub use money::{AmountError, Currency, Minor};
pub use time::{Date, TimeError, Timestamp};
pub use vocab::{
    AlertKind, AlertStatus, CaseRole, CaseStatus, ClearanceStatus, EntityKind, FreezeStatus,
    ReportStatus, Role, Typology,
};
