//! The countries of the scenario, their money, towns, time zones, reporting
//! thresholds and financial institutions.

use nexus_model::{Country, Currency, InstitutionKind};

/// How people of a country are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Culture {
    Tajik,
    Uzbek,
    Kyrgyz,
    Kazakh,
    Turkmen,
    Russian,
    Afghan,
    Turkish,
    Emirati,
    Chinese,
    German,
}

/// A town: native name, Latin name, and whether it lies on a border crossing
/// used by the Northern Route.
#[derive(Debug, Clone, Copy)]
pub struct Town {
    pub native: &'static str,
    pub latin: &'static str,
    pub border: bool,
    /// A high-risk area for terrorist financing (conflict zone or its edge).
    pub high_risk: bool,
}

const fn town(native: &'static str, latin: &'static str) -> Town {
    Town {
        native,
        latin,
        border: false,
        high_risk: false,
    }
}

const fn border(native: &'static str, latin: &'static str) -> Town {
    Town {
        native,
        latin,
        border: true,
        high_risk: false,
    }
}

const fn risky(native: &'static str, latin: &'static str) -> Town {
    Town {
        native,
        latin,
        border: true,
        high_risk: true,
    }
}

/// One jurisdiction of the scenario.
#[derive(Debug, Clone)]
pub struct CountryInfo {
    pub code: Country,
    /// English short name as the UN list writes it.
    pub un_name: &'static str,
    pub currency: Currency,
    /// Local currency units per US dollar (scenario rate, fixed).
    pub per_usd: f64,
    /// Cash transaction reporting threshold in local currency (scenario
    /// default, configurable; not a statement of national law).
    pub cash_threshold: f64,
    /// Hours ahead of UTC.
    pub utc_offset_hours: f64,
    pub culture: Culture,
    pub towns: &'static [Town],
    /// Median monthly salary in US dollars.
    pub salary_usd: f64,
    /// Share of the scenario's population resident here.
    pub population_share: f64,
    /// Institutions: (name, kind, name scheme).
    pub institutions: &'static [(&'static str, InstitutionKind, &'static str)],
}

use InstitutionKind::{Bank, CryptoAssetServiceProvider as Casp, MoneyTransferOperator as Mto};

/// The scenario's jurisdictions: the seven of the Northern Route, then partners.
pub fn countries() -> Vec<CountryInfo> {
    vec![
        CountryInfo {
            code: Country::from_code(b"TJ"),
            un_name: "Tajikistan",
            currency: Currency::TJS,
            per_usd: 10.7,
            cash_threshold: 70_000.0,
            utc_offset_hours: 5.0,
            culture: Culture::Tajik,
            towns: const {
                &[
                    town("Душанбе", "Dushanbe"),
                    town("Хуҷанд", "Khujand"),
                    town("Бохтар", "Bokhtar"),
                    town("Кӯлоб", "Kulob"),
                    town("Турсунзода", "Tursunzoda"),
                    border("Хоруғ", "Khorog"),
                    border("Панҷ", "Panj"),
                    border("Ишкошим", "Ishkoshim"),
                    border("Шаҳритус", "Shahritus"),
                ]
            },
            salary_usd: 220.0,
            population_share: 0.20,
            institutions: &[
                ("Pamir Savings Bank", Bank, "native"),
                ("Sughd Commerce Bank", Bank, "native"),
                ("Somon International Bank", Bank, "tajik_latin"),
                ("Dushanbe Express Transfers", Mto, "native"),
                ("Zarafshon Mobile Wallet", Mto, "informal"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"UZ"),
            un_name: "Uzbekistan",
            currency: Currency::UZS,
            per_usd: 12_700.0,
            cash_threshold: 150_000_000.0,
            utc_offset_hours: 5.0,
            culture: Culture::Uzbek,
            towns: const {
                &[
                    town("Тошкент", "Tashkent"),
                    town("Самарқанд", "Samarkand"),
                    town("Бухоро", "Bukhara"),
                    town("Наманган", "Namangan"),
                    town("Андижон", "Andijan"),
                    town("Фарғона", "Fergana"),
                    border("Термиз", "Termez"),
                ]
            },
            salary_usd: 380.0,
            population_share: 0.22,
            institutions: &[
                ("Turon Capital Bank", Bank, "uzbek_latin"),
                ("Registon Bank", Bank, "native"),
                ("Amu Trade Bank", Bank, "uzbek_latin"),
                ("Tashkent Money Express", Mto, "uzbek_latin"),
                ("Kokand Digital Exchange", Casp, "uzbek_latin"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"KG"),
            un_name: "Kyrgyzstan",
            currency: Currency::KGS,
            per_usd: 87.5,
            cash_threshold: 1_000_000.0,
            utc_offset_hours: 6.0,
            culture: Culture::Kyrgyz,
            towns: const {
                &[
                    town("Бишкек", "Bishkek"),
                    town("Ош", "Osh"),
                    town("Жалал-Абад", "Jalal-Abad"),
                    town("Каракол", "Karakol"),
                    border("Баткен", "Batken"),
                ]
            },
            salary_usd: 330.0,
            population_share: 0.10,
            institutions: &[
                ("Ala-Too Bank", Bank, "russian_cyrillic"),
                ("Issyk-Kul Investment Bank", Bank, "kyrgyz_latin"),
                ("Tunduk Transfers", Mto, "native"),
                ("Manas Crypto Exchange", Casp, "kyrgyz_latin"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"KZ"),
            un_name: "Kazakhstan",
            currency: Currency::KZT,
            per_usd: 505.0,
            cash_threshold: 7_000_000.0,
            utc_offset_hours: 5.0,
            culture: Culture::Kazakh,
            towns: const {
                &[
                    town("Алматы", "Almaty"),
                    town("Астана", "Astana"),
                    town("Шымкент", "Shymkent"),
                    town("Қарағанды", "Karaganda"),
                    town("Ақтау", "Aktau"),
                ]
            },
            salary_usd: 650.0,
            population_share: 0.15,
            institutions: &[
                ("Steppe National Bank", Bank, "russian_cyrillic"),
                ("Altyn Dala Bank", Bank, "native"),
                ("Baiterek Commercial Bank", Bank, "icao_9303"),
                ("Qazaq Remit", Mto, "russian_cyrillic"),
                ("Astana Digital Assets", Casp, "kazakh_latin"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"TM"),
            un_name: "Turkmenistan",
            currency: Currency::TMT,
            per_usd: 3.5,
            cash_threshold: 50_000.0,
            utc_offset_hours: 5.0,
            culture: Culture::Turkmen,
            towns: const {
                &[
                    town("Ашхабад", "Ashgabat"),
                    town("Мары", "Mary"),
                    town("Туркменабад", "Turkmenabat"),
                    border("Серхетабат", "Serhetabat"),
                ]
            },
            salary_usd: 300.0,
            population_share: 0.03,
            institutions: &[
                ("Garagum State Bank", Bank, "russian_cyrillic"),
                ("Kopetdag Bank", Bank, "turkmen_latin"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"AF"),
            un_name: "Afghanistan",
            currency: Currency::AFN,
            per_usd: 70.0,
            cash_threshold: 1_000_000.0,
            utc_offset_hours: 4.5,
            culture: Culture::Afghan,
            towns: const {
                &[
                    town("کابل", "Kabul"),
                    town("هرات", "Herat"),
                    border("مزار شریف", "Mazar-i-Sharif"),
                    risky("قندوز", "Kunduz"),
                    risky("فیض آباد", "Faizabad"),
                    border("شیرخان بندر", "Sherkhan Bandar"),
                ]
            },
            salary_usd: 150.0,
            population_share: 0.08,
            institutions: &[
                ("Hindu Kush Bank", Bank, "native"),
                ("Amu Darya Bank", Bank, "passport"),
                ("Kabul Hawala Network", Mto, "native"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"RU"),
            un_name: "Russian Federation",
            currency: Currency::RUB,
            per_usd: 90.0,
            cash_threshold: 600_000.0,
            utc_offset_hours: 3.0,
            culture: Culture::Russian,
            towns: const {
                &[
                    town("Москва", "Moscow"),
                    town("Санкт-Петербург", "Saint Petersburg"),
                    town("Екатеринбург", "Yekaterinburg"),
                    town("Новосибирск", "Novosibirsk"),
                    town("Казань", "Kazan"),
                    border("Оренбург", "Orenburg"),
                ]
            },
            salary_usd: 950.0,
            population_share: 0.17,
            institutions: &[
                ("Volga Commercial Bank", Bank, "russian_cyrillic"),
                ("Ural Savings Bank", Bank, "russian_cyrillic"),
                ("Neva International Bank", Bank, "icao_9303"),
                ("Zolotoy Most Transfers", Mto, "russian_cyrillic"),
                ("Bystraya Pochta Remit", Mto, "bgn_pcgn"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"TR"),
            un_name: "Türkiye",
            currency: Currency::TRY,
            per_usd: 40.0,
            cash_threshold: 400_000.0,
            utc_offset_hours: 3.0,
            culture: Culture::Turkish,
            towns: const {
                &[
                    town("İstanbul", "Istanbul"),
                    town("Ankara", "Ankara"),
                    risky("Gaziantep", "Gaziantep"),
                    risky("Hatay", "Hatay"),
                ]
            },
            salary_usd: 700.0,
            population_share: 0.02,
            institutions: &[
                ("Bosphorus Participation Bank", Bank, "passport"),
                ("Anatolia Trade Bank", Bank, "passport"),
                ("Silk Road Money Transfer", Mto, "passport"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"AE"),
            un_name: "United Arab Emirates",
            currency: Currency::AED,
            per_usd: 3.67,
            cash_threshold: 55_000.0,
            utc_offset_hours: 4.0,
            culture: Culture::Emirati,
            towns: const { &[town("دبي", "Dubai"), town("الشارقة", "Sharjah")] },
            salary_usd: 2500.0,
            population_share: 0.015,
            institutions: &[
                ("Creek Commercial Bank", Bank, "passport"),
                ("Gulf Pearl Bank", Bank, "passport"),
                ("Dhow Virtual Assets", Casp, "passport"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"CN"),
            un_name: "China",
            currency: Currency::CNY,
            per_usd: 7.2,
            cash_threshold: 50_000.0,
            utc_offset_hours: 8.0,
            culture: Culture::Chinese,
            towns: const {
                &[
                    town("乌鲁木齐", "Urumqi"),
                    town("喀什", "Kashgar"),
                    town("义乌", "Yiwu"),
                ]
            },
            salary_usd: 1100.0,
            population_share: 0.01,
            institutions: &[
                ("Tianshan Commercial Bank", Bank, "passport"),
                ("Yiwu Merchants Bank", Bank, "passport"),
            ],
        },
        CountryInfo {
            code: Country::from_code(b"DE"),
            un_name: "Germany",
            currency: Currency::EUR,
            per_usd: 0.92,
            cash_threshold: 10_000.0,
            utc_offset_hours: 1.0,
            culture: Culture::German,
            towns: const {
                &[
                    town("Berlin", "Berlin"),
                    town("Frankfurt am Main", "Frankfurt am Main"),
                ]
            },
            salary_usd: 3500.0,
            population_share: 0.005,
            institutions: &[("Hansa Handelsbank", Bank, "german")],
        },
    ]
}

/// Whether migrants from this country work in Russia and Kazakhstan and
/// send money home.
pub fn is_migrant_origin(c: Country) -> bool {
    matches!(c.as_str(), "TJ" | "UZ" | "KG")
}

/// Remittance seasonality: labour migrants leave in spring, earn through
/// summer and autumn, and come home for winter.
pub fn remittance_season(month: u8) -> f64 {
    match month {
        1 | 2 => 0.6,
        3 => 0.75,
        4 | 5 => 0.95,
        6..=10 => 1.3,
        11 => 1.1,
        _ => 0.9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one() {
        let s: f64 = countries().iter().map(|c| c.population_share).sum();
        assert!((s - 1.0).abs() < 1e-9, "{s}");
        for c in countries() {
            assert!(!c.institutions.is_empty() && !c.towns.is_empty());
        }
    }
}
