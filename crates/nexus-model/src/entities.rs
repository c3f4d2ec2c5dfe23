//! Institutions, parties, accounts, transactions and labels.

use crate::money::{Currency, Minor};
use crate::time::{Date, Timestamp};
use std::fmt;

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

impl Country {
    pub const fn from_code(code: &[u8; 2]) -> Country {
        Country(*code)
    }

    /// Accepts exactly two ASCII letters.
    pub fn parse(text: &str) -> Option<Country> {
        let b = text.as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        Some(Country([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

vocabulary!(
    /// What kind of reporting entity an institution is.
    InstitutionKind {
        Bank => "bank",
        MoneyTransferOperator => "money_transfer_operator",
        CryptoAssetServiceProvider => "crypto_asset_service_provider",
    }
);

vocabulary!(
    /// Natural person or legal person / arrangement.
    PartyKind {
        Person => "person",
        Organisation => "organisation",
    }
);

vocabulary!(
    /// What an account is.
    AccountKind {
        Current => "current",
        Card => "card",
        MobileWallet => "mobile_wallet",
        MoneyTransfer => "money_transfer",
        CryptoAddress => "crypto_address",
        Cash => "cash",
    }
);

vocabulary!(
    /// How value moved. The last three exist for the public AMLworld data.
    Channel {
        Wire => "wire",
        DomesticTransfer => "domestic_transfer",
        CashDeposit => "cash_deposit",
        CashWithdrawal => "cash_withdrawal",
        Remittance => "remittance",
        Card => "card",
        Crypto => "crypto",
        InformalValueTransfer => "informal_value_transfer",
        Cheque => "cheque",
        Ach => "ach",
        Reinvestment => "reinvestment",
    }
);

vocabulary!(
    /// The writing system a name is recorded in.
    Script {
        Latin => "latin",
        Cyrillic => "cyrillic",
        Arabic => "arabic",
        Han => "han",
        Mixed => "mixed",
        Other => "other",
    }
);

vocabulary!(
    /// Recorded sex of a person (as in the UN list and goAML: M / F).
    Gender {
        Male => "male",
        Female => "female",
    }
);

/// A bank, money-transfer operator or crypto-asset service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    pub id: String,
    pub name: String,
    pub kind: InstitutionKind,
    pub country: Country,
    /// How this institution records names (`native`, `ru_passport`, `bgn_pcgn`, …).
    /// Different institutions spell the same person differently; this says how.
    pub name_scheme: String,
}

/// An identity document as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdDocument {
    /// `passport`, `national_id`, `registration` (companies), …
    pub kind: String,
    pub number: String,
    pub country: Country,
}

/// A postal address, as much as is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub country: Country,
    pub city: String,
    pub line: String,
}

/// A person or an organisation, with the name in its own script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: String,
    pub kind: PartyKind,
    /// The name in the party's own script (Ҷамшед Раҳимов, جاوید احمدزی).
    pub name: String,
    pub name_script: Script,
    /// The standard Latin form of the name (national or passport romanisation).
    pub name_latin: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<Date>,
    pub nationality: Option<Country>,
    pub id_document: Option<IdDocument>,
    pub address: Option<Address>,
}

/// An account held by a party at an institution. Cash accounts stand for the
/// cash desk of an institution: a cash deposit is a transfer from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub institution_id: String,
    /// Empty for cash desks and for counterparties the data does not identify.
    pub party_id: String,
    /// The holder's name exactly as this institution recorded it.
    pub holder_name: String,
    pub holder_name_script: Script,
    pub currency: Currency,
    pub kind: AccountKind,
    pub opened: Option<Date>,
}

/// One movement of value between two accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: String,
    pub timestamp: Timestamp,
    pub from_account: String,
    pub to_account: String,
    pub amount: Minor,
    pub currency: Currency,
    pub channel: Channel,
}

/// Ground truth: a transaction or an account taking part in a planted or
/// known pattern. Exactly one of `transaction_id` / `account_id` is non-empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub pattern_id: String,
    pub typology: String,
    pub transaction_id: String,
    pub account_id: String,
    pub role: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_roundtrip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        for k in AccountKind::ALL {
            assert_eq!(AccountKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Channel::parse("Wire"), None);
        assert_eq!(Country::parse("tj").unwrap().as_str(), "TJ");
        assert!(Country::parse("TJK").is_none());
    }
}
