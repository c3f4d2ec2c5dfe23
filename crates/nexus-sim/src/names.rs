//! Names by each country's conventions, in native script, and how each
//! institution writes them down.

use crate::rng::Rng;
use crate::world::Culture;
use nexus_model::Gender;
use nexus_names::{transliterate, Scheme};

/// A name part from a fixed table: native script, the Latin spellings in use
/// (most common first) and a Russian Cyrillic spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed {
    pub native: &'static str,
    pub latin: &'static [&'static str],
    pub cyrillic: &'static str,
}

const fn f(native: &'static str, latin: &'static [&'static str], cyrillic: &'static str) -> Fixed {
    Fixed {
        native,
        latin,
        cyrillic,
    }
}

/// One part of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Written in a Cyrillic alphabet; every scheme is derived from it.
    Cyrillic(String),
    /// From a fixed table (Arabic script, Han, Turkish, German).
    Fixed(Fixed),
}

/// A person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub culture: Culture,
    pub given: Part,
    pub patronymic: Option<Part>,
    pub surname: Part,
}

/// A name as one institution recorded it, split as goAML wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub full: String,
    pub first: String,
    pub middle: String,
    pub last: String,
}

// --- tables -----------------------------------------------------------------

const TAJIK_MALE: &[&str] = &[
    "Ҷамшед",
    "Фаррух",
    "Шерзод",
    "Бахтиёр",
    "Далер",
    "Зафар",
    "Илҳом",
    "Комрон",
    "Манучеҳр",
    "Наврӯз",
    "Парвиз",
    "Раҳмон",
    "Суҳроб",
    "Умед",
    "Фирӯз",
    "Хуршед",
    "Шаҳром",
    "Эраҷ",
    "Абдуллоҳ",
    "Муҳаммад",
    "Қобил",
    "Ғайрат",
    "Исмоил",
    "Рустам",
    "Алишер",
    "Сиёвуш",
    "Нозим",
    "Дилшод",
    "Ёқуб",
    "Сафар",
];
const TAJIK_FEMALE: &[&str] = &[
    "Нигина",
    "Мадина",
    "Шаҳло",
    "Зарина",
    "Гулнора",
    "Фарангис",
    "Малика",
    "Дилором",
    "Меҳрангез",
    "Таҳмина",
    "Нилуфар",
    "Ҳилола",
    "Сарвиноз",
    "Мавҷуда",
    "Гулчеҳра",
    "Парвина",
    "Сабоҳат",
    "Зулфия",
];
const TAJIK_STEMS: &[&str] = &[
    "Раҳим",
    "Қурбон",
    "Сафар",
    "Назар",
    "Шариф",
    "Ҷӯра",
    "Икром",
    "Ҳасан",
    "Карам",
    "Мирзо",
    "Саид",
    "Азиз",
    "Раҷаб",
    "Давлат",
    "Исмоил",
    "Носир",
    "Файзулло",
    "Ҳамид",
    "Убайдулло",
    "Бобо",
    "Латиф",
    "Ғаффор",
    "Зуҳур",
    "Абдураҳмон",
    "Холмат",
    "Одина",
    "Шоҳ",
    "Ёр",
    "Ғулом",
    "Саъдулло",
];

const UZBEK_MALE: &[&str] = &[
    "Ўткир",
    "Жасур",
    "Шуҳрат",
    "Ғайрат",
    "Қодир",
    "Акмал",
    "Баҳодир",
    "Бобур",
    "Дилшод",
    "Жамшид",
    "Зафар",
    "Илҳом",
    "Нодир",
    "Отабек",
    "Равшан",
    "Санжар",
    "Темур",
    "Улуғбек",
    "Фаррух",
    "Ҳусан",
    "Шерзод",
    "Азиз",
    "Алишер",
    "Анвар",
    "Лочин",
    "Сардор",
    "Ботир",
    "Даврон",
];
const UZBEK_FEMALE: &[&str] = &[
    "Гулноза",
    "Дилноза",
    "Зулфия",
    "Камола",
    "Лола",
    "Мафтуна",
    "Нигора",
    "Феруза",
    "Шаҳноза",
    "Юлдуз",
    "Ўғилой",
    "Мадина",
    "Нодира",
    "Барно",
    "Севара",
    "Умида",
];
const UZBEK_STEMS: &[&str] = &[
    "Юсуп",
    "Абдулла",
    "Тошмат",
    "Эргаш",
    "Усмон",
    "Холмат",
    "Қурбон",
    "Раҳим",
    "Жўра",
    "Назар",
    "Мирза",
    "Султон",
    "Ҳамид",
    "Умар",
    "Исмоил",
    "Ғани",
    "Норбой",
    "Тўхта",
    "Саид",
    "Каримбой",
    "Турсун",
    "Шукур",
];

const KYRGYZ_MALE: &[&str] = &[
    "Азамат",
    "Нурбек",
    "Бакыт",
    "Эрлан",
    "Эмил",
    "Алмазбек",
    "Бектур",
    "Темирлан",
    "Өмүрбек",
    "Жоомарт",
    "Медер",
    "Талант",
    "Улан",
    "Чыңгыз",
    "Дастан",
    "Айбек",
    "Эркин",
    "Нурлан",
    "Бекболот",
];
const KYRGYZ_FEMALE: &[&str] = &[
    "Айпери",
    "Бермет",
    "Жылдыз",
    "Нургүл",
    "Айсулуу",
    "Гүлзат",
    "Чолпон",
    "Мээрим",
    "Асель",
    "Айдана",
    "Үмүт",
    "Бактыгүл",
];
const KYRGYZ_STEMS: &[&str] = &[
    "Асан",
    "Үсөн",
    "Токтогул",
    "Бекмамат",
    "Өмүр",
    "Кадыр",
    "Мамыт",
    "Сыдык",
    "Абдыкер",
    "Турдубай",
    "Жумабек",
    "Осмон",
    "Сатыбалды",
    "Төлөгөн",
    "Карыбек",
    "Шаршен",
];

const KAZAKH_MALE: &[&str] = &[
    "Нұрлан",
    "Ерлан",
    "Асқар",
    "Дәурен",
    "Ғалым",
    "Қайрат",
    "Бауыржан",
    "Ержан",
    "Жанболат",
    "Мұрат",
    "Серік",
    "Талғат",
    "Әлібек",
    "Айдос",
    "Арман",
    "Бекзат",
    "Дархан",
    "Нұрбол",
    "Ербол",
];
const KAZAKH_FEMALE: &[&str] = &[
    "Айгүл",
    "Әсел",
    "Гүлнар",
    "Динара",
    "Жанар",
    "Қарлығаш",
    "Мәдина",
    "Салтанат",
    "Ләззат",
    "Айжан",
    "Ақмарал",
    "Назгүл",
    "Аружан",
];
const KAZAKH_STEMS: &[&str] = &[
    "Ахмет",
    "Жұмабай",
    "Серікбай",
    "Қасым",
    "Сәрсен",
    "Тоқтар",
    "Омар",
    "Әбен",
    "Мұхамеджан",
    "Байжан",
    "Нұрғали",
    "Ысқақ",
    "Жақып",
    "Ерғали",
    "Сейіт",
    "Оспан",
];

const TURKMEN_MALE: &[&str] = &[
    "Мердан",
    "Сердар",
    "Довлет",
    "Батыр",
    "Мырат",
    "Ровшен",
    "Айдогды",
    "Бегенч",
    "Атаджан",
    "Максат",
    "Нурмухаммет",
    "Мекан",
    "Дидар",
];
const TURKMEN_FEMALE: &[&str] = &[
    "Айна",
    "Гозел",
    "Джерен",
    "Мяхри",
    "Бахар",
    "Лейли",
    "Огулшат",
    "Майса",
];
const TURKMEN_STEMS: &[&str] = &[
    "Анна",
    "Ораз",
    "Берди",
    "Аман",
    "Сапар",
    "Ата",
    "Нурягды",
    "Чары",
    "Ходжамурад",
    "Байрам",
    "Гельды",
];

const RUSSIAN_MALE: &[&str] = &[
    "Александр",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Алексей",
    "Иван",
    "Михаил",
    "Николай",
    "Евгений",
    "Владимир",
    "Юрий",
    "Павел",
    "Игорь",
    "Олег",
    "Роман",
    "Артём",
    "Максим",
    "Виктор",
];
const RUSSIAN_FEMALE: &[&str] = &[
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Ксения",
    "Галина",
];
const RUSSIAN_STEMS: &[&str] = &[
    "Иван",
    "Смирн",
    "Кузнец",
    "Поп",
    "Васильев",
    "Петр",
    "Сокол",
    "Михайл",
    "Новик",
    "Фёдор",
    "Мороз",
    "Волк",
    "Алексеев",
    "Лебедев",
    "Семён",
    "Егор",
    "Павл",
    "Козл",
    "Степан",
    "Николаев",
    "Орл",
    "Зайцев",
];

const AFGHAN_MALE: &[Fixed] = &[
    f(
        "محمد",
        &["Mohammad", "Muhammad", "Mohammed", "Mohamad"],
        "Мохаммад",
    ),
    f("احمد", &["Ahmad", "Ahmed"], "Ахмад"),
    f("عبدالله", &["Abdullah", "Abdulla", "Abdollah"], "Абдулла"),
    f(
        "حبیب الله",
        &["Habibullah", "Habibollah", "Habib Ullah"],
        "Хабибулла",
    ),
    f(
        "عبدالرحمن",
        &["Abdul Rahman", "Abdulrahman", "Abdurrahman"],
        "Абдуррахман",
    ),
    f(
        "ذبیح الله",
        &["Zabihullah", "Zabiullah", "Zabihollah"],
        "Забихулла",
    ),
    f("خالد", &["Khalid", "Khaled"], "Халид"),
    f("فرید", &["Farid", "Fareed"], "Фарид"),
    f("جاوید", &["Javid", "Jawed", "Javed"], "Джавид"),
    f("نجیب", &["Najib", "Najeeb"], "Наджиб"),
    f("شفیق", &["Shafiq", "Shafik", "Shafeeq"], "Шафик"),
    f("رحیم", &["Rahim", "Raheem"], "Рахим"),
    f("کریم", &["Karim", "Kareem"], "Карим"),
    f("ولی", &["Wali", "Vali"], "Вали"),
    f("امین", &["Amin", "Ameen"], "Амин"),
    f("بصیر", &["Basir", "Baseer"], "Басир"),
    f(
        "هدایت الله",
        &["Hedayatullah", "Hidayatullah"],
        "Хидаятулла",
    ),
    f("نور", &["Noor", "Nur"], "Нур"),
    f("گل", &["Gul", "Gol"], "Гуль"),
    f("یوسف", &["Yousuf", "Yusuf", "Yosef"], "Юсуф"),
];
const AFGHAN_FEMALE: &[Fixed] = &[
    f("فاطمه", &["Fatima", "Fatema", "Fatemah"], "Фатима"),
    f("مریم", &["Maryam", "Mariam"], "Марьям"),
    f("زهرا", &["Zahra", "Zahraa"], "Захра"),
    f("شکیلا", &["Shakila", "Shakeela"], "Шакила"),
    f("نرگس", &["Nargis", "Narges"], "Наргис"),
    f("فریبا", &["Fariba", "Fareeba"], "Фариба"),
    f("ملالی", &["Malalai", "Malalay"], "Малалай"),
    f("پروین", &["Parwin", "Parveen", "Parvin"], "Парвин"),
];
const AFGHAN_SURNAMES: &[Fixed] = &[
    f("احمدزی", &["Ahmadzai", "Ahmadzay"], "Ахмадзай"),
    f("پوپلزی", &["Popalzai", "Popalzay"], "Попалзай"),
    f("یوسفزی", &["Yousafzai", "Yusufzai", "Yousufzai"], "Юсуфзай"),
    f("صدیقی", &["Siddiqui", "Sediqi", "Siddiqi"], "Сиддики"),
    f("حکیمی", &["Hakimi", "Hakeemi"], "Хакими"),
    f("رحیمی", &["Rahimi", "Raheemi"], "Рахими"),
    f("نوری", &["Noori", "Nuri"], "Нури"),
    f("کریمی", &["Karimi", "Kareemi"], "Карими"),
    f("امیری", &["Amiri", "Ameeri"], "Амири"),
    f("ستانکزی", &["Stanekzai", "Stanikzai"], "Станекзай"),
    f("وردک", &["Wardak", "Wardag"], "Вардак"),
    f("هاشمی", &["Hashimi", "Hashemi"], "Хашими"),
    f("قادری", &["Qaderi", "Kadiri", "Qadiri"], "Кадири"),
    f("محمدی", &["Mohammadi", "Muhammadi"], "Мохаммади"),
    f("شینواری", &["Shinwari", "Shinwary"], "Шинвари"),
    f("حقانی", &["Haqqani", "Haqani"], "Хаккани"),
];

const TURKISH_MALE: &[Fixed] = &[
    f("Mehmet", &["Mehmet", "Mehmed"], "Мехмет"),
    f("Mustafa", &["Mustafa"], "Мустафа"),
    f("Ahmet", &["Ahmet", "Ahmed"], "Ахмет"),
    f("Hüseyin", &["Huseyin", "Hüseyin"], "Хусейн"),
    f("Emre", &["Emre"], "Эмре"),
    f("Yusuf", &["Yusuf"], "Юсуф"),
];
const TURKISH_FEMALE: &[Fixed] = &[
    f("Ayşe", &["Ayse", "Aysche"], "Айше"),
    f("Fatma", &["Fatma"], "Фатма"),
    f("Zeynep", &["Zeynep"], "Зейнеп"),
    f("Elif", &["Elif"], "Элиф"),
];
const TURKISH_SURNAMES: &[Fixed] = &[
    f("Yılmaz", &["Yilmaz", "Yılmaz"], "Йылмаз"),
    f("Kaya", &["Kaya"], "Кая"),
    f("Demir", &["Demir"], "Демир"),
    f("Şahin", &["Sahin", "Şahin"], "Шахин"),
    f("Çelik", &["Celik", "Çelik"], "Челик"),
    f("Öztürk", &["Ozturk", "Öztürk"], "Озтюрк"),
];
const ARAB_MALE: &[Fixed] = &[
    f("محمد", &["Mohammed", "Muhammad", "Mohamed"], "Мухаммед"),
    f("خالد", &["Khalid", "Khaled"], "Халид"),
    f("سعيد", &["Saeed", "Said"], "Саид"),
    f("راشد", &["Rashid", "Rashed"], "Рашид"),
    f("عمر", &["Omar", "Umar"], "Омар"),
];
const ARAB_FEMALE: &[Fixed] = &[
    f("عائشة", &["Aisha", "Aysha"], "Аиша"),
    f("مريم", &["Mariam", "Maryam"], "Марьям"),
    f("نورة", &["Noura", "Nura"], "Нура"),
];
const ARAB_SURNAMES: &[Fixed] = &[
    f("المنصوري", &["Al Mansouri", "Al-Mansoori"], "Аль-Мансури"),
    f("الهاشمي", &["Al Hashimi", "Al-Hashemi"], "Аль-Хашими"),
    f("الشامسي", &["Al Shamsi", "Alshamsi"], "Аль-Шамси"),
    f("الكعبي", &["Al Kaabi", "Al-Ka'bi"], "Аль-Кааби"),
];
const CHINESE_GIVEN: &[Fixed] = &[
    f("伟", &["Wei"], "Вэй"),
    f("芳", &["Fang"], "Фан"),
    f("军", &["Jun"], "Цзюнь"),
    f("丽", &["Li"], "Ли"),
    f("强", &["Qiang"], "Цян"),
    f("明", &["Ming"], "Мин"),
];
const CHINESE_SURNAMES: &[Fixed] = &[
    f("王", &["Wang"], "Ван"),
    f("李", &["Li"], "Ли"),
    f("张", &["Zhang"], "Чжан"),
    f("刘", &["Liu"], "Лю"),
    f("陈", &["Chen"], "Чэнь"),
    f("马", &["Ma"], "Ма"),
];
const GERMAN_MALE: &[Fixed] = &[
    f("Thomas", &["Thomas"], "Томас"),
    f("Michael", &["Michael"], "Михаэль"),
    f("Stefan", &["Stefan"], "Штефан"),
    f("Jürgen", &["Juergen", "Jurgen"], "Юрген"),
];
const GERMAN_FEMALE: &[Fixed] = &[
    f("Sabine", &["Sabine"], "Забине"),
    f("Petra", &["Petra"], "Петра"),
    f("Monika", &["Monika"], "Моника"),
];
const GERMAN_SURNAMES: &[Fixed] = &[
    f("Müller", &["Mueller", "Muller"], "Мюллер"),
    f("Schmidt", &["Schmidt"], "Шмидт"),
    f("Schneider", &["Schneider"], "Шнайдер"),
    f("Weber", &["Weber"], "Вебер"),
];

fn is_vowel(c: char) -> bool {
    "аеёиоуыэюяӣӯўүұәөіАЕЁИОУЫЭЮЯ".contains(c)
}

fn ends_with_vowel(s: &str) -> bool {
    s.chars().last().is_some_and(is_vowel)
}

/// Russian-style surname from a stem: Раҳим → Раҳимов / Раҳимова.
fn ov_surname(stem: &str, gender: Gender) -> String {
    let stem = stem.trim_end_matches('ь').trim_end_matches('й');
    let base = if ends_with_vowel(stem) || stem.ends_with("ев") {
        if stem.ends_with("ев") {
            stem.to_string()
        } else {
            format!("{stem}ев")
        }
    } else {
        format!("{stem}ов")
    };
    match gender {
        Gender::Male => base,
        Gender::Female => format!("{base}а"),
    }
}

/// Russian-style patronymic from the father's given name.
fn ovich_patronymic(father: &str, gender: Gender) -> String {
    let (stem, soft) = if let Some(s) = father.strip_suffix('й') {
        (s.to_string(), true)
    } else if let Some(s) = father.strip_suffix('ь') {
        (s.to_string(), true)
    } else if ends_with_vowel(father) {
        (father.to_string(), true)
    } else {
        (father.to_string(), false)
    };
    match (gender, soft) {
        (Gender::Male, false) => format!("{stem}ович"),
        (Gender::Male, true) => format!("{stem}евич"),
        (Gender::Female, false) => format!("{stem}овна"),
        (Gender::Female, true) => format!("{stem}евна"),
    }
}

fn cyr(s: impl Into<String>) -> Part {
    Part::Cyrillic(s.into())
}

/// Draws a name for a person of `culture`.
pub fn person_name(rng: &mut Rng, culture: Culture, gender: Gender) -> PersonName {
    let male = gender == Gender::Male;
    let pick_gender = |rng: &mut Rng, m: &[&'static str], w: &[&'static str]| -> String {
        (*rng.pick(if male { m } else { w })).to_string()
    };
    let pick_fixed = |rng: &mut Rng, m: &[Fixed], w: &[Fixed]| -> Part {
        Part::Fixed(*rng.pick(if male { m } else { w }))
    };
    let (given, patronymic, surname) = match culture {
        Culture::Tajik => {
            let given = pick_gender(rng, TAJIK_MALE, TAJIK_FEMALE);
            let stem = *rng.pick(TAJIK_STEMS);
            let father = *rng.pick(TAJIK_MALE);
            // Since 2007 many Tajiks drop the Russian -ов for -зода or -ӣ.
            let surname = match rng.below(10) {
                0..=5 => ov_surname(stem, gender),
                6..=8 => format!("{stem}зода"),
                _ => format!("{stem}ӣ"),
            };
            (
                cyr(given),
                Some(cyr(ovich_patronymic(father, gender))),
                cyr(surname),
            )
        }
        Culture::Uzbek => {
            let given = pick_gender(rng, UZBEK_MALE, UZBEK_FEMALE);
            let stem = *rng.pick(UZBEK_STEMS);
            let father = *rng.pick(UZBEK_MALE);
            let patronymic = if rng.chance(0.5) {
                format!("{father} {}", if male { "ўғли" } else { "қизи" })
            } else {
                ovich_patronymic(father, gender)
            };
            (
                cyr(given),
                Some(cyr(patronymic)),
                cyr(ov_surname(stem, gender)),
            )
        }
        Culture::Kyrgyz => {
            let given = pick_gender(rng, KYRGYZ_MALE, KYRGYZ_FEMALE);
            let stem = *rng.pick(KYRGYZ_STEMS);
            let father = *rng.pick(KYRGYZ_MALE);
            // Traditional form: "Азамат Нурбек уулу" with no surname.
            if rng.chance(0.2) {
                let sur = format!("{father} {}", if male { "уулу" } else { "кызы" });
                (cyr(given), None, cyr(sur))
            } else {
                (
                    cyr(given),
                    Some(cyr(ovich_patronymic(father, gender))),
                    cyr(ov_surname(stem, gender)),
                )
            }
        }
        Culture::Kazakh => {
            let given = pick_gender(rng, KAZAKH_MALE, KAZAKH_FEMALE);
            let stem = *rng.pick(KAZAKH_STEMS);
            let father = *rng.pick(KAZAKH_MALE);
            let patronymic = if rng.chance(0.3) {
                format!("{father}{}", if male { "ұлы" } else { "қызы" })
            } else {
                ovich_patronymic(father, gender)
            };
            (
                cyr(given),
                Some(cyr(patronymic)),
                cyr(ov_surname(stem, gender)),
            )
        }
        Culture::Turkmen => {
            let given = pick_gender(rng, TURKMEN_MALE, TURKMEN_FEMALE);
            let stem = *rng.pick(TURKMEN_STEMS);
            let father = *rng.pick(TURKMEN_MALE);
            (
                cyr(given),
                Some(cyr(ovich_patronymic(father, gender))),
                cyr(ov_surname(stem, gender)),
            )
        }
        Culture::Russian => {
            let given = pick_gender(rng, RUSSIAN_MALE, RUSSIAN_FEMALE);
            let stem = *rng.pick(RUSSIAN_STEMS);
            let father = *rng.pick(RUSSIAN_MALE);
            (
                cyr(given),
                Some(cyr(ovich_patronymic(father, gender))),
                cyr(ov_surname(stem, gender)),
            )
        }
        Culture::Afghan => (
            pick_fixed(rng, AFGHAN_MALE, AFGHAN_FEMALE),
            None,
            Part::Fixed(*rng.pick(AFGHAN_SURNAMES)),
        ),
        Culture::Turkish => (
            pick_fixed(rng, TURKISH_MALE, TURKISH_FEMALE),
            None,
            Part::Fixed(*rng.pick(TURKISH_SURNAMES)),
        ),
        Culture::Emirati => (
            pick_fixed(rng, ARAB_MALE, ARAB_FEMALE),
            None,
            Part::Fixed(*rng.pick(ARAB_SURNAMES)),
        ),
        Culture::Chinese => (
            Part::Fixed(*rng.pick(CHINESE_GIVEN)),
            None,
            Part::Fixed(*rng.pick(CHINESE_SURNAMES)),
        ),
        Culture::German => (
            pick_fixed(rng, GERMAN_MALE, GERMAN_FEMALE),
            None,
            Part::Fixed(*rng.pick(GERMAN_SURNAMES)),
        ),
    };
    PersonName {
        culture,
        given,
        patronymic,
        surname,
    }
}

/// The romanisation a country's passports use.
pub fn passport_scheme(culture: Culture) -> Scheme {
    match culture {
        Culture::Tajik => Scheme::TajikLatin,
        Culture::Uzbek => Scheme::UzbekLatin,
        Culture::Kyrgyz => Scheme::KyrgyzLatin,
        Culture::Turkmen => Scheme::TurkmenLatin,
        _ => Scheme::Icao,
    }
}

/// How a name part is written in `scheme`. `variant` picks among the Latin
/// spellings of table names (a clerk's choice, stable per institution).
fn render_part(part: &Part, scheme: &str, culture: Culture, variant: usize) -> String {
    match part {
        Part::Cyrillic(s) => match scheme {
            "native" => s.clone(),
            "passport" => transliterate(s, passport_scheme(culture)),
            other => transliterate(s, Scheme::parse(other).unwrap_or(Scheme::Icao)),
        },
        Part::Fixed(fx) => match scheme {
            "native" => fx.native.to_string(),
            "russian_cyrillic" => fx.cyrillic.to_string(),
            "passport" => fx.latin[0].to_string(),
            _ => fx.latin[variant % fx.latin.len()].to_string(),
        },
    }
}

/// Whether a scheme writes the surname first with the patronymic (the
/// post-Soviet register order: Раҳимов Ҷамшед Икромович).
fn surname_first(culture: Culture, scheme: &str) -> bool {
    let cis = matches!(
        culture,
        Culture::Tajik
            | Culture::Uzbek
            | Culture::Kyrgyz
            | Culture::Kazakh
            | Culture::Turkmen
            | Culture::Russian
    );
    cis && matches!(scheme, "native" | "russian_cyrillic")
}

impl PersonName {
    /// The name in its own script, in the order of the country's registers.
    pub fn native(&self) -> String {
        self.record("native", 0).full
    }

    /// The passport Latin form (given name first, no patronymic).
    pub fn latin(&self) -> String {
        self.record("passport", 0).full
    }

    /// The name as an institution with `scheme` records it.
    pub fn record(&self, scheme: &str, variant: usize) -> Recorded {
        let given = render_part(&self.given, scheme, self.culture, variant);
        let surname = render_part(&self.surname, scheme, self.culture, variant / 3);
        let patronymic = self
            .patronymic
            .as_ref()
            .map(|p| render_part(p, scheme, self.culture, variant))
            .unwrap_or_default();
        let upper = scheme == "icao_9303";
        let fix = |s: String| if upper { s.to_uppercase() } else { s };
        let (given, surname, patronymic) = (fix(given), fix(surname), fix(patronymic));
        if surname_first(self.culture, scheme) {
            let full = [surname.as_str(), given.as_str(), patronymic.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            Recorded {
                full,
                first: given,
                middle: patronymic,
                last: surname,
            }
        } else {
            Recorded {
                full: format!("{given} {surname}"),
                first: given,
                middle: String::new(),
                last: surname,
            }
        }
    }
}

/// A clerk's typing slip: a doubled or dropped letter, or two letters swapped.
pub fn typo(rng: &mut Rng, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.is_empty() {
        return name.to_string();
    }
    let i = *rng.pick(&letters);
    let mut out = chars.clone();
    match rng.below(3) {
        0 => out.insert(i, chars[i]),
        1 => {
            out.remove(i);
        }
        _ => {
            if chars[i + 1].is_alphabetic() {
                out.swap(i, i + 1);
            } else {
                out.insert(i, chars[i]);
            }
        }
    }
    out.into_iter().collect()
}

/// A company name: native form and Latin form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName {
    pub native: String,
    pub latin: String,
    pub legal_form: &'static str,
}

const BRANDS_CYR: &[&str] = &[
    "Сомон",
    "Помир",
    "Зарафшон",
    "Ситора",
    "Бахт",
    "Варзоб",
    "Нур",
    "Хатлон",
    "Суғд",
    "Алтын",
    "Тенгри",
    "Ала-Тоо",
    "Восток",
    "Шарқ",
    "Барака",
    "Оқсу",
    "Арал",
    "Жетісу",
    "Каспий",
    "Шёлковый путь",
    "Мароқанд",
];
const ACTIVITIES_CYR: &[&str] = &[
    "Савдо",
    "Транзит",
    "Импекс",
    "Агро",
    "Строй",
    "Текстиль",
    "Логистик",
    "Трейд",
    "Инвест",
    "Сервис",
    "Фарм",
    "Энерго",
    "Авто",
];
const PARTNER_COMPANIES: &[(&str, &str, &str)] = &[
    // (country, native, latin)
    (
        "TR",
        "Anadolu Tekstil Ticaret Ltd. Şti.",
        "Anadolu Tekstil Ticaret Ltd. Sti.",
    ),
    ("TR", "Boğaziçi Lojistik A.Ş.", "Bogazici Lojistik A.S."),
    (
        "TR",
        "Kervan Gıda İthalat İhracat Ltd. Şti.",
        "Kervan Gida Ithalat Ihracat Ltd. Sti.",
    ),
    (
        "AE",
        "نجمة الخليج للتجارة العامة ذ.م.م",
        "Gulf Star General Trading LLC",
    ),
    (
        "AE",
        "الواحة للتجارة العامة ذ.م.م",
        "Al Waha General Trading LLC",
    ),
    ("AE", "جسر الحرير للتجارة ذ.م.م", "Silk Bridge Trading FZE"),
    (
        "CN",
        "乌鲁木齐新隆贸易有限公司",
        "Urumqi Xinlong Trading Co., Ltd.",
    ),
    (
        "CN",
        "义乌金桥进出口有限公司",
        "Yiwu Jinqiao Import & Export Co., Ltd.",
    ),
    (
        "CN",
        "喀什丝路物流有限公司",
        "Kashgar Silk Road Logistics Co., Ltd.",
    ),
    (
        "DE",
        "Hansa Maschinenhandel GmbH",
        "Hansa Maschinenhandel GmbH",
    ),
    ("DE", "Rhein Textil Import GmbH", "Rhein Textil Import GmbH"),
    ("AF", "شرکت تجارتی آمو", "Amu Trading Company"),
    ("AF", "شرکت ترانسپورتی شمال", "Shamal Transport Company"),
    ("AF", "شرکت تجارتی بدخشان", "Badakhshan Trading Company"),
];

/// Draws a company name registered in `country` (ISO code).
pub fn company_name(rng: &mut Rng, country: &str, scheme: Scheme) -> CompanyName {
    let partners: Vec<&(&str, &str, &str)> = PARTNER_COMPANIES
        .iter()
        .filter(|c| c.0 == country)
        .collect();
    if !partners.is_empty() {
        let (_, native, latin) = **rng.pick(&partners);
        // Make same-named partners distinct with a branch number.
        let n = rng.below(90) + 10;
        return CompanyName {
            native: format!("{native} ({n})"),
            latin: format!("{latin} ({n})"),
            legal_form: "",
        };
    }
    let (form_native, form_latin) = match country {
        "TJ" => ("ҶДММ", "LLC"),
        "UZ" => ("МЧЖ", "MChJ"),
        "KG" => ("ОсОО", "LLC"),
        "KZ" => ("ЖШС", "LLP"),
        "TM" => ("ХО", "HJ"),
        _ => ("ООО", "OOO"),
    };
    let brand = *rng.pick(BRANDS_CYR);
    let activity = *rng.pick(ACTIVITIES_CYR);
    let core = format!("{brand} {activity}");
    let latin_core = transliterate(&core, scheme);
    CompanyName {
        native: format!("{form_native} «{core}»"),
        latin: format!("{latin_core} {form_latin}"),
        legal_form: form_latin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_person_many_records() {
        let name = PersonName {
            culture: Culture::Tajik,
            given: cyr("Ҷамшед"),
            patronymic: Some(cyr(ovich_patronymic("Икром", Gender::Male))),
            surname: cyr(ov_surname("Раҳим", Gender::Male)),
        };
        assert_eq!(name.native(), "Раҳимов Ҷамшед Икромович");
        assert_eq!(
            name.record("russian_cyrillic", 0).full,
            "Рахимов Джамшед Икромович"
        );
        assert_eq!(name.record("icao_9303", 0).full, "DZHAMSHED RAKHIMOV");
        assert_eq!(name.latin(), "Jamshed Rahimov");
        assert_eq!(name.record("german", 0).full, "Dshamsched Rachimow");
    }

    #[test]
    fn surnames_and_patronymics() {
        assert_eq!(ov_surname("Бобо", Gender::Female), "Бобоева");
        assert_eq!(ovich_patronymic("Сергей", Gender::Female), "Сергеевна");
        assert_eq!(ovich_patronymic("Мирзо", Gender::Male), "Мирзоевич");
    }

    #[test]
    fn typo_changes_little() {
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let t = typo(&mut rng, "Rahimov");
            let d = t.chars().count() as i64 - 7;
            assert!(d.abs() <= 1, "{t}");
        }
        assert_eq!(typo(&mut rng, ""), "");
    }
}
