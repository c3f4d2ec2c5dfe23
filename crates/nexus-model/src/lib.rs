//! The shared vocabulary of nexus.
//!
//! Every other crate speaks in these types: the readers in `nexus-formats`
//! produce them, the simulator, the screening and the graph engines consume
//! them. This crate does no I/O and has no opinion about file formats beyond
//! the spelling of its closed vocabularies (`Channel::as_str`, …), which is
//! the interchange spelling documented in `docs/formats.md`.

pub mod countries;
pub mod entities;
pub mod money;
pub mod time;

pub use countries::countries_in;
pub use entities::{
    Account, AccountKind, Address, Channel, Country, Gender, IdDocument, Institution,
    InstitutionKind, Label, Party, PartyKind, Script, Transaction,
};
pub use money::{AmountError, Currency, Minor};
pub use time::{Date, TimeError, Timestamp};
