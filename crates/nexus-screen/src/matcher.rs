//! Scoring a query against the list: retrieve candidate names through the
//! index, align name parts, weigh them by rarity, adjust by birth date,
//! nationality and document, and explain.

use crate::index::ScreeningIndex;
use crate::query::Query;
use nexus_formats::lists::{BirthDate, ListedEntry, NameQuality, SubjectKind};
use nexus_model::explain::{Phrase, PhraseKey as K, Value};
use nexus_model::Country;
use nexus_names::{compare_parts_at_least, letters_of, wade_giles, Evidence, NamePart, PartRole};
/// Maps keyed by name parts, hashed with foldhash: a screening run looks up
/// hundreds of thousands of parts, and SipHash's resistance to chosen keys
/// buys nothing for a map that lives one run.
type PartMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use std::borrow::Cow;
use std::sync::Arc;

/// The threshold recommended to users: at it, the evaluation on the real
/// UN list (see BENCHMARKS.md) finds ≥ 98% of true variants while fewer
/// than 0.1% of ordinary names raise an alert.
pub const DEFAULT_THRESHOLD: f32 = 0.80;

/// Parts less similar than this are not the same part.
const PART_MIN: f32 = 0.75;

/// Share of the score that comes from covering the query's parts; the rest
/// from covering the list name's parts.
const QUERY_SHARE: f32 = 0.65;

/// Aligned parts less similar than this are rough…
const ROUGH_PART: f32 = 0.9;
/// …and every rough part after the first costs this much.
const ROUGH_PENALTY: f32 = 0.08;

/// At most this many parts of a query are used (names are not essays).
const MAX_QUERY_PARTS: usize = 16;

/// Most a birth date, nationality and document can add together.
const MAX_BONUS: f32 = 0.24;

/// How alike an initial and the name it may stand for count (squared in
/// the score like any rough part).
const INITIAL_SIMILARITY: f32 = 0.7;

/// The similarity of initials in a row standing for names in a row.
const ABBREVIATION_SIMILARITY: f32 = 0.9;

/// Credit of a short part one typed letter off its listed part, where the
/// rest of the name agrees.
const SHORT_SLIP_SIMILARITY: f32 = 0.7;

/// Shortest identifying word of an organisation's name read as a slip
/// when one typed letter off.
const ORGANISATION_SLIP_MIN_LEN: usize = 6;

/// Credit of the second half of an `Abd` compound standing for the
/// compound: the name it is called by, but `Rahman` is also a name alone.
const HALF_SIMILARITY: f32 = 0.8;

/// What a patronymic that disagrees costs (Ibrahimovich / Magomedovich):
/// in Central Asia and Russia it names the father, so two of them that
/// differ are two people as surely as two birth years are.
const PATRONYMIC_CONFLICT: f32 = 0.12;

/// What numbers that disagree cost (Fund I / Fund II, Brigade 313 / 314).
const NUMBER_CONFLICT: f32 = 0.2;

/// What a query's lone `Abd` costs where the listed name has no `Abd`
/// compound for it to stand for (Abdul Hong-Sop / Ri Hong-Sop).
const LONE_ABD_UNMATCHED: f32 = 0.1;

fn role_factor(role: PartRole) -> f32 {
    match role {
        PartRole::Name => 1.0,
        PartRole::Patronymic => 0.35,
        PartRole::Initial => 0.2,
        PartRole::Legal => 0.1,
    }
}

/// The numbers of the query's name, read when first needed.
type QueryNumbers = std::cell::OnceCell<Vec<u32>>;

/// What the scoring of one candidate name reads from the query's name as
/// written, besides its parts.
#[derive(Clone, Copy)]
struct QueryWritten<'q> {
    numbers: &'q QueryNumbers,
    /// Its letters run together, where the candidate was found by them.
    letters: Option<&'q str>,
}

/// The bit of a candidate name's hit mask that says it was found by its
/// letters (the query's parts take the bits below `MAX_QUERY_PARTS`).
const BY_LETTERS: u32 = 1 << 31;

/// Longer names are not looked up by their letters (each letter left out
/// is one more lookup; no one's name is this long).
const WHOLE_LETTERS_MAX: usize = 64;

/// Names must be this long, in letters, for their letters compared whole
/// to say they are one name: a short name one letter off is another name.
const WHOLE_LETTERS_MIN: usize = 10;

/// The score of two names whose letters agree whole, spaced otherwise.
const WHOLE_LETTERS_SAME: f32 = 0.95;

/// The similarity of two names whose letters agree whole — spaced
/// otherwise (0.95), or but for one typed letter (0.9) — and the phrase
/// that says so; `None` otherwise.
fn whole_letters(a: &str, b: &str) -> Option<(f32, K)> {
    if a.len().min(b.len()) < WHOLE_LETTERS_MIN {
        return None;
    }
    if a == b {
        return Some((WHOLE_LETTERS_SAME, K::SameLetters));
    }
    let one_apart = nexus_names::one_letter_apart(a, b) || {
        // A letter added or left out at either end of the whole name.
        let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
        long.len() == short.len() + 1 && (long.starts_with(short) || long.ends_with(short))
    };
    one_apart.then_some((0.9, K::LettersOneApart))
}

/// How many parts of a name are legal forms, titles or numbers.
fn legal_count(roles: impl Iterator<Item = PartRole>) -> usize {
    roles.filter(|r| *r == PartRole::Legal).count()
}

/// A part's share of its weight by role. The legal parts of a name weigh
/// together as one (a long form — Open Joint Stock Company — no more than
/// its short form, OAO).
fn role_weight(role: PartRole, legal_parts: usize) -> f32 {
    match role {
        PartRole::Legal => role_factor(role) / legal_parts.max(1) as f32,
        _ => role_factor(role),
    }
}

/// One aligned pair of name parts.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedPart {
    /// The query's part as written.
    pub query: String,
    /// The list name's part as written.
    pub list: String,
    pub similarity: f32,
    pub evidence: Evidence,
}

/// A list entry a query matched, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the entry in [`ScreeningIndex::entries`].
    pub entry: usize,
    /// Index of the matched name in the entry's `names`.
    pub name: usize,
    /// Final score in 0..=1.
    pub score: f32,
    /// The score of the names alone.
    pub name_score: f32,
    pub parts: Vec<MatchedPart>,
    /// Parts of the list name the query does not have.
    pub list_only: Vec<String>,
    /// Parts of the query the list name does not have.
    pub query_only: Vec<String>,
    /// What birth date, country and document added or took away.
    pub adjustments: Vec<(Phrase, f32)>,
    pub quality: NameQuality,
}

impl Match {
    /// One line: aligned parts with evidence and similarity, unaligned
    /// parts, and the contributions of dates, countries and documents.
    pub fn explanation(&self) -> String {
        use std::fmt::Write;
        // Written straight into one string: a screening run writes tens of
        // thousands of these.
        let mut out = String::with_capacity(96);
        for p in &self.parts {
            if !out.is_empty() {
                out.push_str("; ");
            }
            let _ = write!(
                out,
                "{}~{} {} {:.2}",
                p.query,
                p.list,
                p.evidence.as_str(),
                p.similarity
            );
        }
        let joined = |out: &mut String, what: &str, parts: &[String]| {
            out.push_str(what);
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(part);
            }
        };
        if !self.query_only.is_empty() {
            joined(&mut out, "; query only: ", &self.query_only);
        }
        if !self.list_only.is_empty() {
            joined(&mut out, "; list only: ", &self.list_only);
        }
        if self.quality != NameQuality::Primary {
            let _ = write!(out, "; via {}", self.quality.as_str());
        }
        for (what, delta) in &self.adjustments {
            let _ = write!(out, "; {what} {delta:+.2}");
        }
        out
    }

    /// The same explanation as phrases, for readers in other languages
    /// (the FIU's alerts); [`Match::explanation`] is its English, written
    /// directly because a screening run writes tens of thousands.
    pub fn explanation_phrases(&self) -> Vec<Phrase> {
        let mut out = Vec::new();
        for p in &self.parts {
            if !out.is_empty() {
                out.push(Phrase::new(K::Separator));
            }
            out.push(
                Phrase::new(K::MatchPart)
                    .with("query", Value::text(&p.query))
                    .with("listed", Value::text(&p.list))
                    .with("evidence", Value::term("evidence", p.evidence.as_str()))
                    .with("similarity", Value::number(f64::from(p.similarity), 2)),
            );
        }
        for (key, parts) in [
            (K::QueryOnly, &self.query_only),
            (K::ListOnly, &self.list_only),
        ] {
            if !parts.is_empty() {
                out.push(Phrase::new(K::Separator));
                out.push(Phrase::new(key).with("parts", Value::text(parts.join(" "))));
            }
        }
        if self.quality != NameQuality::Primary {
            out.push(Phrase::new(K::Separator));
            out.push(
                Phrase::new(K::Via).with("quality", Value::term("quality", self.quality.as_str())),
            );
        }
        for (what, delta) in &self.adjustments {
            out.push(Phrase::new(K::Separator));
            out.push(
                Phrase::new(K::Adjustment)
                    .with("what", Value::Phrase(Box::new(what.clone())))
                    .with(
                        "delta",
                        Value::Signed {
                            value: f64::from(*delta),
                            decimals: 2,
                        },
                    ),
            );
        }
        out
    }
}

/// A vocabulary part a query part may be: id, similarity, evidence.
type Candidate = (u32, f32, Evidence);

/// The candidates of one query part: best first, and by vocabulary id for
/// the alignment's lookups (a common part has hundreds; a linear search
/// per listed part was a quarter of the screening time). Shared, as names
/// repeat.
struct CandidateList {
    best_first: Vec<Candidate>,
    by_vocab: Vec<Candidate>,
}

impl CandidateList {
    fn new(best_first: Vec<Candidate>) -> CandidateList {
        let mut by_vocab = best_first.clone();
        by_vocab.sort_unstable_by_key(|c| c.0);
        CandidateList {
            best_first,
            by_vocab,
        }
    }

    fn first(&self) -> Option<&Candidate> {
        self.best_first.first()
    }

    fn iter(&self) -> std::slice::Iter<'_, Candidate> {
        self.best_first.iter()
    }

    /// The candidate that is vocabulary part `vocab`.
    fn find(&self, vocab: u32) -> Option<&Candidate> {
        self.by_vocab
            .binary_search_by_key(&vocab, |c| c.0)
            .ok()
            .map(|i| &self.by_vocab[i])
    }
}

type Candidates = Arc<CandidateList>;

struct QueryPart<'q> {
    part: &'q NamePart,
    weight: f32,
    /// Vocabulary parts at least `PART_MIN` similar, best first.
    candidates: Candidates,
}

/// Screens queries against one index; holds scratch space, so keep one per
/// thread.
pub struct Screener<'a> {
    index: &'a ScreeningIndex,
    threshold: f32,
    accumulated: Vec<f32>,
    hit_parts: Vec<u32>,
    touched: Vec<u32>,
    retrieved: Vec<u32>,
    /// Candidates of parts seen before: names repeat (Muhammad, Ahmad,
    /// Ltd), and comparing a part with the vocabulary is most of the work.
    known_parts: PartMap<(String, bool), Candidates>,
    /// One name of one entry left out of the list (leave-one-name-out
    /// evaluation): entry index and name position.
    excluded: Option<(u32, u16)>,
    /// Buffers of the alignment, reused from one candidate name to the next.
    scratch: Scratch,
}

/// A candidate pair of a query part and a listed part: their positions,
/// similarity and evidence.
type Pair = (usize, usize, f32, Evidence);

/// The alignment's working buffers (every query screens hundreds of
/// candidate names; allocating these for each was a fifth of the time).
#[derive(Default)]
struct Scratch {
    pairs: Vec<Pair>,
    aligned: Vec<Pair>,
    list_weights: Vec<f32>,
    q_used: Vec<bool>,
    l_used: Vec<bool>,
}

/// The part cache is emptied when it holds this many parts.
const KNOWN_PARTS_MAX: usize = 200_000;

impl<'a> Screener<'a> {
    pub fn new(index: &'a ScreeningIndex, threshold: f32) -> Screener<'a> {
        let n = index.names.len();
        Screener {
            index,
            threshold,
            accumulated: vec![0.0; n],
            hit_parts: vec![0; n],
            touched: Vec::new(),
            retrieved: Vec::new(),
            known_parts: PartMap::default(),
            excluded: None,
            scratch: Scratch::default(),
        }
    }

    /// Screens as if name `name` of entry `entry` were not on the list: the
    /// entry must then be found through its other names. How an evaluation
    /// queries a list with its own aliases without the answer in the index.
    pub fn screen_without(&mut self, query: &Query, entry: usize, name: usize) -> Vec<Match> {
        self.excluded = Some((entry as u32, name as u16));
        let out = self.screen(query);
        self.excluded = None;
        out
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// All entries matching `query` at or above the threshold, best first,
    /// one match (the best name) per entry.
    pub fn screen(&mut self, query: &Query) -> Vec<Match> {
        let analysed = analyse_query(query);
        let found = self.screen_analysed(query, &analysed);
        self.with_other_reading(query, &analysed.parts, found)
    }

    /// Screens a query whose name was analysed, its parts' vocabulary
    /// candidates looked up through the cache.
    fn screen_analysed(&mut self, query: &Query, analysed: &AnalysedQuery) -> Vec<Match> {
        let with_candidates: Vec<(&NamePart, Candidates)> = analysed
            .parts
            .iter()
            .map(|part| (part, self.candidates_of(part)))
            .collect();
        self.screen_parts(query, with_candidates, &analysed.letters)
    }

    /// The vocabulary candidates of a part, from the cache when it was seen.
    fn candidates_of(&mut self, part: &NamePart) -> Candidates {
        let cache_key = (part.folded.clone(), part.vowelless);
        if let Some(c) = self.known_parts.get(&cache_key) {
            return Arc::clone(c);
        }
        let c: Candidates = Arc::new(CandidateList::new(part_candidates(
            self.index,
            part,
            &mut self.retrieved,
        )));
        if self.known_parts.len() >= KNOWN_PARTS_MAX {
            self.known_parts.clear();
        }
        self.known_parts.insert(cache_key, Arc::clone(&c));
        c
    }

    /// Adds the matches of the query read with its words joined or split
    /// as the list writes them ("SergeiLavrov" as "sergei lavrov", "Patr
    /// ushev" as "patrushev"), when such a reading exists; the best match
    /// per entry is kept, and says how it read the name.
    fn with_other_reading(
        &mut self,
        query: &Query,
        parts: &[NamePart],
        mut found: Vec<Match>,
    ) -> Vec<Match> {
        // A name in two scripts is screened as each rendering too.
        let mut readings: Vec<String> = nexus_names::script_runs(&query.name).unwrap_or_default();
        readings.extend(other_reading(self.index, parts));
        if readings.is_empty() {
            return found;
        }
        for text in readings {
            let variant = Query {
                name: text.clone(),
                ..query.clone()
            };
            let variant_analysed = analyse_query(&variant);
            for mut m in self.screen_analysed(&variant, &variant_analysed) {
                m.adjustments.insert(
                    0,
                    (Phrase::new(K::ReadAs).with("text", Value::text(&text)), 0.0),
                );
                match found.iter_mut().find(|b| b.entry == m.entry) {
                    Some(b) if b.score >= m.score => {}
                    Some(b) => *b = m,
                    None => found.push(m),
                }
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        found
    }

    /// Screens a query whose parts were analysed and matched against the
    /// vocabulary already (see [`screen_all`]).
    fn screen_parts(
        &mut self,
        query: &Query,
        parts: Vec<(&NamePart, Candidates)>,
        query_letters: &str,
    ) -> Vec<Match> {
        let index = self.index;
        if parts.is_empty() {
            return Vec::new();
        }
        let mut qparts: Vec<QueryPart> = Vec::with_capacity(parts.len());
        let legal_parts = legal_count(parts.iter().map(|(p, _)| p.role));
        for (part, candidates) in parts {
            let base = candidates
                .first()
                .map_or(index.unseen_weight, |c| index.vocab[c.0 as usize].weight);
            qparts.push(QueryPart {
                weight: base * role_weight(part.role, legal_parts),
                part,
                candidates,
            });
        }
        let total_weight: f32 = qparts.iter().map(|p| p.weight).sum();
        if total_weight <= 0.0 {
            return Vec::new();
        }
        let is_common = |id: u32| index.vocab[id as usize].df > index.common_df;
        let only_common = qparts
            .iter()
            .filter(|p| p.part.role == PartRole::Name)
            .all(|p| p.candidates.iter().all(|c| is_common(c.0)));
        // Gather candidate names with the weight their parts could reach.
        let mut common_weight = 0.0f32;
        // The parts counted in `common_weight`, by bit.
        let mut common_mask = 0u32;
        for (i, qp) in qparts.iter().enumerate() {
            let bit = 1u32 << i;
            let mut any_common = false;
            for &(id, sim, _) in qp.candidates.iter() {
                if is_common(id) && !only_common {
                    any_common = true;
                    continue;
                }
                for &name in index.postings(id) {
                    let n = name as usize;
                    if self.hit_parts[n] == 0 {
                        self.touched.push(name);
                    }
                    if self.hit_parts[n] & bit == 0 {
                        self.hit_parts[n] |= bit;
                        self.accumulated[n] += qp.weight * sim;
                    }
                }
            }
            if any_common {
                common_weight += qp.weight;
                common_mask |= bit;
            }
        }
        // A query's initials may stand for names of any listed name
        // (V. Putin, U.S. …), which they do not retrieve: what they could
        // add counts in the reach like common parts.
        for (i, p) in qparts.iter().enumerate() {
            if p.part.role == PartRole::Initial {
                common_weight += p.weight;
                common_mask |= 1 << i;
            }
        }
        let bonus = max_bonus(query);
        let mut best: Vec<Match> = Vec::new();
        // Read once per query, and only when a listed name carries numbers.
        let query_numbers = QueryNumbers::new();
        // Names whose letters run together are the query's (or the query's
        // with one letter left out) are scored whatever their parts reach:
        // their spaces may have fallen elsewhere.
        // (Marked by a bit of their hit mask above the query's parts.)
        if (WHOLE_LETTERS_MIN..=WHOLE_LETTERS_MAX).contains(&query_letters.len()) {
            index.names_by_letters(query_letters, |n| {
                let hit = &mut self.hit_parts[n as usize];
                if *hit == 0 {
                    self.touched.push(n);
                }
                *hit |= BY_LETTERS;
            });
        }
        let touched = std::mem::take(&mut self.touched);
        let mut scratch = std::mem::take(&mut self.scratch);
        for &name in &touched {
            let n = name as usize;
            let mut reach = ((self.accumulated[n] + common_weight) / total_weight).min(1.0);
            let hit = self.hit_parts[n] & !BY_LETTERS;
            let by_letters = self.hit_parts[n] & BY_LETTERS != 0;
            self.accumulated[n] = 0.0;
            self.hit_parts[n] = 0;
            if !by_letters && QUERY_SHARE * reach + (1.0 - QUERY_SHARE) + bonus < self.threshold {
                // The listed name's initials may stand for query names that
                // retrieved nothing (U.S. Oil Company / United States Oil
                // Company), and in a name of three or more parts one more
                // may be a short part one letter off (Col / Chol): what the
                // largest of those could add counts too.
                let initials = index.initials_of(n);
                // (Only where every other part of the query was retrieved,
                // as the alignment then requires.)
                let reached = hit | common_mask;
                let left = (0..qparts.len()).find(|i| reached & (1 << i) == 0);
                let slip = qparts.len() >= 3
                    && reached.count_ones() as usize + 1 == qparts.len()
                    && index.names[n].parts.len() >= 3
                    && left.is_some_and(|i| {
                        let q = &qparts[i].part.folded;
                        index.names[n].parts.iter().any(|&(v, role)| {
                            role == PartRole::Name
                                && nexus_names::one_letter_apart(
                                    q,
                                    &index.vocab[v as usize].part.folded,
                                )
                        })
                    });
                if initials > 0 || slip {
                    // (On the stack: this runs for many candidate names.)
                    let mut free = [0.0f32; MAX_QUERY_PARTS];
                    let mut count = 0;
                    for (i, p) in qparts.iter().enumerate() {
                        if hit & (1 << i) == 0 && p.part.role == PartRole::Name {
                            free[count] = p.weight;
                            count += 1;
                        }
                    }
                    let free = &mut free[..count];
                    free.sort_by(|a, b| b.total_cmp(a));
                    let mut extra: f32 = free.iter().take(initials).sum();
                    if slip {
                        extra += left.map_or(0.0, |i| qparts[i].weight * SHORT_SLIP_SIMILARITY);
                    }
                    reach = ((reach * total_weight + extra) / total_weight).min(1.0);
                }
                if QUERY_SHARE * reach + (1.0 - QUERY_SHARE) + bonus < self.threshold {
                    continue;
                }
            }
            let indexed = &index.names[n];
            if self.excluded.is_some_and(|(e, n)| {
                e == indexed.entry
                    && (n == indexed.name
                        || index.derived_from(e as usize, indexed.name as usize)
                            == Some(n as usize))
            }) {
                continue;
            }
            let entry = &index.entries[indexed.entry as usize];
            if !kinds_compatible(query.kind, entry.kind) {
                continue;
            }
            let Some(m) = self.score_name(
                query,
                &qparts,
                QueryWritten {
                    numbers: &query_numbers,
                    letters: by_letters.then_some(query_letters),
                },
                total_weight,
                n,
                &mut scratch,
            ) else {
                continue;
            };
            if m.score < self.threshold {
                continue;
            }
            match best.iter_mut().find(|b| b.entry == m.entry) {
                Some(b) if b.score >= m.score => {}
                Some(b) => *b = m,
                None => best.push(m),
            }
        }
        self.touched = touched;
        self.touched.clear();
        self.scratch = scratch;
        best.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        best
    }

    fn score_name(
        &self,
        query: &Query,
        qparts: &[QueryPart],
        written: QueryWritten,
        total_weight: f32,
        name: usize,
        scratch: &mut Scratch,
    ) -> Option<Match> {
        let QueryWritten {
            numbers: query_numbers,
            letters: query_letters,
        } = written;
        let index = self.index;
        let indexed = &index.names[name];
        let entry = &index.entries[indexed.entry as usize];
        let Scratch {
            pairs,
            aligned,
            list_weights,
            q_used,
            l_used,
        } = scratch;
        // Candidate pairs, then a greedy one-to-one alignment.
        pairs.clear();
        for (i, qp) in qparts.iter().enumerate() {
            for (j, &(vocab, _)) in indexed.parts.iter().enumerate() {
                if let Some(c) = qp.candidates.find(vocab) {
                    pairs.push((i, j, c.1, c.2));
                }
            }
        }
        let legal_parts = legal_count(indexed.parts.iter().map(|p| p.1));
        list_weights.clear();
        list_weights.extend(
            indexed
                .parts
                .iter()
                .map(|&(v, role)| index.vocab[v as usize].weight * role_weight(role, legal_parts)),
        );
        pairs.sort_by(|a, b| {
            let wa = a.2 * (qparts[a.0].weight + list_weights[a.1]);
            let wb = b.2 * (qparts[b.0].weight + list_weights[b.1]);
            wb.total_cmp(&wa)
        });
        q_used.clear();
        q_used.resize(qparts.len(), false);
        l_used.clear();
        l_used.resize(indexed.parts.len(), false);
        aligned.clear();
        for &p in pairs.iter() {
            if !q_used[p.0] && !l_used[p.1] {
                q_used[p.0] = true;
                l_used[p.1] = true;
                aligned.push(p);
            }
        }
        if aligned.is_empty() {
            return None;
        }
        // A query word of two to four capitals is an abbreviation where the
        // listed name writes its letters as initials in a row (JP Morgan /
        // J.P. Morgan): aligned with the first, the others taken with it.
        let list_initials = index.initials_of(name);
        for i in (0..qparts.len()).filter(|_| list_initials >= 2) {
            let q = &qparts[i].part;
            let letters = q.folded.as_bytes();
            if q_used[i]
                || q.role != PartRole::Name
                || !(2..=4).contains(&letters.len())
                || !q.original.bytes().all(|b| b.is_ascii_uppercase())
            {
                continue;
            }
            let n = indexed.parts.len();
            let start = (0..n.saturating_sub(letters.len() - 1)).find(|&j| {
                letters.iter().enumerate().all(|(k, &c)| {
                    let (vocab, role) = indexed.parts[j + k];
                    !l_used[j + k]
                        && role == PartRole::Initial
                        && index.vocab[vocab as usize].part.folded.as_bytes() == [c]
                })
            });
            if let Some(j) = start {
                q_used[i] = true;
                for used in &mut l_used[j..j + letters.len()] {
                    *used = true;
                }
                aligned.push((i, j, ABBREVIATION_SIMILARITY, Evidence::Initial));
            }
        }
        // An initial left over stands for a name left over that starts with
        // it (V. Putin / Vladimir Putin; Tufail, S.M. / Mohammed Tufail), at
        // a modest credit: it cannot tell Vladimir from Viktor.
        let first_letter = |p: &NamePart| p.folded.chars().next();
        for i in 0..qparts.len() {
            if q_used[i] {
                continue;
            }
            let q = &qparts[i].part;
            for (j, &(vocab, role)) in indexed.parts.iter().enumerate() {
                if l_used[j] {
                    continue;
                }
                let l = &index.vocab[vocab as usize].part;
                let pair = (q.role, role);
                let stands_for = match pair {
                    // A lone `Abd` stands for an `Abd` compound (Abdul / Abdul
                    // Ghani), not for any name starting with its letter.
                    (PartRole::Initial, PartRole::Name) if nexus_names::is_lone_abd(q) => {
                        nexus_names::is_abd_compound(l)
                    }
                    (PartRole::Name, PartRole::Initial) if nexus_names::is_lone_abd(l) => {
                        nexus_names::is_abd_compound(q)
                    }
                    (PartRole::Initial, PartRole::Name) | (PartRole::Name, PartRole::Initial) => {
                        first_letter(q).is_some() && first_letter(q) == first_letter(l)
                    }
                    _ => false,
                };
                if stands_for {
                    q_used[i] = true;
                    l_used[j] = true;
                    aligned.push((i, j, INITIAL_SIMILARITY, Evidence::Initial));
                    break;
                }
            }
        }
        // One name part left over on each side, one typed letter apart,
        // where every other part agrees in a name of three or more: a
        // typing slip even in a short part (Kim Yong Col / Kim Yong Chol),
        // which alone would be another name (Amin / Amir).
        let left = |used: &[bool]| used.iter().filter(|u| !**u).count();
        if left(q_used) == 1
            && left(l_used) == 1
            && qparts.len() >= 3
            && indexed.parts.len() >= 3
            && aligned.iter().all(|a| a.2 >= ROUGH_PART)
        {
            let i = q_used.iter().position(|u| !u).unwrap_or_default();
            let j = l_used.iter().position(|u| !u).unwrap_or_default();
            let q = qparts[i].part;
            let l = &index.vocab[indexed.parts[j].0 as usize].part;
            if q.role == PartRole::Name
                && indexed.parts[j].1 == PartRole::Name
                && q.vowelless == l.vowelless
                && nexus_names::one_letter_apart(&q.folded, &l.folded)
            {
                q_used[i] = true;
                l_used[j] = true;
                aligned.push((i, j, SHORT_SLIP_SIMILARITY, Evidence::Slip));
            }
        }
        // An organisation's name whose one identifying word is one typed
        // letter off the listed one (Rabfta Trust / Rabita Trust), all else
        // agreeing: a slip, not a rough likeness — the word is all the
        // evidence the name has. (Not for persons: Khalid Haqqani is not
        // Khalil Haqqani.)
        if entry.kind == SubjectKind::Organisation
            && !q_used.contains(&false)
            && !l_used.contains(&false)
        {
            let mut identifying = (0..aligned.len()).filter(|&k| {
                qparts[aligned[k].0].part.role == PartRole::Name
                    && indexed.parts[aligned[k].1].1 == PartRole::Name
            });
            if let (Some(k), None) = (identifying.next(), identifying.next()) {
                let (i, j, _, evidence) = aligned[k];
                let q = &qparts[i].part.folded;
                let l = &index.vocab[indexed.parts[j].0 as usize].part.folded;
                if evidence == Evidence::Spelling
                    && q.len().min(l.len()) >= ORGANISATION_SLIP_MIN_LEN
                    && nexus_names::one_letter_apart(q, l)
                    && aligned
                        .iter()
                        .enumerate()
                        .all(|(m, a)| m == k || a.2 >= ROUGH_PART)
                {
                    aligned[k].3 = Evidence::Slip;
                }
            }
        }
        // Initials in a row standing for names in a row are an
        // abbreviation (U.S. / United States, J.P. / John Paul): surer than
        // one initial alone.
        let in_a_row: Vec<bool> = aligned
            .iter()
            .map(|a| {
                a.3 == Evidence::Initial
                    && aligned.iter().any(|b| {
                        b.3 == Evidence::Initial
                            && ((b.0 == a.0 + 1 && b.1 == a.1 + 1)
                                || (b.0 + 1 == a.0 && b.1 + 1 == a.1))
                    })
            })
            .collect();
        for (a, abbreviation) in aligned.iter_mut().zip(in_a_row) {
            if abbreviation {
                a.2 = ABBREVIATION_SIMILARITY;
            }
        }
        // Squared: parts that are only roughly alike count for less; a
        // typing slip is one known kind of error and keeps its similarity.
        let credit = |sim: f32, evidence: Evidence| {
            if evidence == Evidence::Slip {
                sim
            } else {
                sim * sim
            }
        };
        let q_cover: f32 = aligned
            .iter()
            .map(|a| qparts[a.0].weight * credit(a.2, a.3))
            .sum::<f32>()
            / total_weight;
        let list_total: f32 = list_weights.iter().sum();
        let l_cover: f32 = if list_total > 0.0 {
            aligned
                .iter()
                .map(|a| list_weights[a.1] * credit(a.2, a.3))
                .sum::<f32>()
                / list_total
        } else {
            0.0
        };
        let mut name_score = QUERY_SHARE * q_cover + (1.0 - QUERY_SHARE) * l_cover;
        // Several parts that are each only roughly alike make a weak match:
        // one slip is a typo, two are another person.
        let rough = aligned
            .iter()
            .filter(|a| a.2 < ROUGH_PART && !matches!(a.3, Evidence::Slip | Evidence::Initial))
            .count();
        if rough >= 2 {
            name_score -= ROUGH_PENALTY * (rough - 1) as f32;
        }
        // A lone `Abd` weighs as an initial where it stands for a compound
        // of the listed name; standing for none, it is a first name of the
        // query the listed name does not have.
        let abd_unmatched = qparts.iter().enumerate().any(|(i, p)| {
            !q_used[i] && p.part.role == PartRole::Initial && nexus_names::is_lone_abd(p.part)
        });
        if abd_unmatched {
            name_score -= LONE_ABD_UNMATCHED;
        }
        // A common part alone never makes a match: two names of two or more
        // identifying parts must share at least two of them.
        let identifying = |role: PartRole| role == PartRole::Name;
        let matched_identifying = aligned
            .iter()
            .filter(|a| identifying(qparts[a.0].part.role) && identifying(indexed.parts[a.1].1))
            .count();
        let q_identifying = qparts.iter().filter(|p| identifying(p.part.role)).count();
        let l_identifying = indexed.parts.iter().filter(|p| identifying(p.1)).count();
        if matched_identifying < 2 && q_identifying >= 2 && l_identifying >= 2 {
            name_score = name_score.min(0.6);
        }
        if matches!(indexed.quality, NameQuality::Weak | NameQuality::Acronym) {
            name_score *= 0.9;
        }
        // Birth date, nationality and document add at most MAX_BONUS, the
        // conflicts only take away: a name that cannot reach the threshold
        // is left before its explanation is written.
        let bonus = max_bonus(query);
        // A name whose spaces or hyphens fell elsewhere (Sai-Fal-Din /
        // Saif-al-Din, Alb-Arassi / Al-Barassi), or that is one typed letter
        // off over its whole length, is the same name whatever parts the
        // analysis made of it: where parts were left over, the letters of
        // both names are compared whole.
        // (Only names found by their letters, whatever the threshold:
        // screening at it finds what screening everything and filtering
        // finds.)
        let mut whole = None;
        if let Some(q_letters) = query_letters.filter(|_| {
            name_score < WHOLE_LETTERS_SAME && (q_used.contains(&false) || l_used.contains(&false))
        }) {
            let l_letters = letters_of(&entry.names[indexed.name as usize].text);
            whole = whole_letters(q_letters, &l_letters);
            if let Some((similarity, _)) = whole {
                name_score = name_score.max(similarity);
            }
        }
        if name_score + bonus < self.threshold {
            return None;
        }
        let mut adjustments = adjustments(query, entry);
        if let Some((_, phrase)) = whole {
            adjustments.insert(0, (Phrase::new(phrase), 0.0));
        }
        adjustments.extend(self.conflicts(query, qparts, query_numbers, indexed, aligned));
        let score = (name_score + adjustments.iter().map(|a| a.1).sum::<f32>()).clamp(0.0, 1.0);
        aligned.sort_by_key(|a| a.0);
        let written = |j: usize| {
            index
                .spelling(indexed.entry, indexed.name, j, indexed.parts[j].0)
                .to_string()
        };
        // An abbreviation aligned with initials in a row shows them all (JP~J.P.).
        let abbreviated = |a: &(usize, usize, f32, Evidence)| {
            let letters = qparts[a.0].part.folded.as_bytes();
            let run = indexed.parts.get(a.1..a.1 + letters.len())?;
            let is_run = a.3 == Evidence::Initial
                && letters.len() >= 2
                && run.iter().zip(letters).all(|(&(v, role), &c)| {
                    role == PartRole::Initial
                        && index.vocab[v as usize].part.folded.as_bytes() == [c]
                });
            is_run.then(|| {
                (a.1..a.1 + letters.len())
                    .map(|j| written(j) + ".")
                    .collect::<String>()
            })
        };
        Some(Match {
            entry: indexed.entry as usize,
            name: indexed.name as usize,
            score,
            name_score,
            parts: aligned
                .iter()
                .map(|a| MatchedPart {
                    query: qparts[a.0].part.original.clone(),
                    list: abbreviated(a).unwrap_or_else(|| written(a.1)),
                    similarity: a.2,
                    evidence: a.3,
                })
                .collect(),
            list_only: indexed
                .parts
                .iter()
                .enumerate()
                .filter(|(j, _)| !l_used[*j])
                .map(|(j, _)| written(j))
                .collect(),
            query_only: qparts
                .iter()
                .enumerate()
                .filter(|(i, _)| !q_used[*i])
                .map(|(_, p)| p.part.original.clone())
                .collect(),
            adjustments,
            quality: indexed.quality,
        })
    }
}

impl Screener<'_> {
    /// Evidence against inside the names: patronymics that both sides give
    /// and that disagree, numbers that disagree.
    fn conflicts(
        &self,
        query: &Query,
        qparts: &[QueryPart],
        query_numbers: &QueryNumbers,
        indexed: &crate::index::IndexedName,
        aligned: &[(usize, usize, f32, Evidence)],
    ) -> Vec<(Phrase, f32)> {
        let index = self.index;
        let mut out = Vec::new();
        let is_patronymic =
            |p: &NamePart| p.role == PartRole::Patronymic && !p.is_patronymic_marker();
        let q_patronymics: Vec<usize> = (0..qparts.len())
            .filter(|&i| is_patronymic(qparts[i].part))
            .collect();
        let l_patronymics: Vec<usize> = (0..indexed.parts.len())
            .filter(|&j| is_patronymic(&index.vocab[indexed.parts[j].0 as usize].part))
            .collect();
        if !q_patronymics.is_empty() && !l_patronymics.is_empty() {
            let agree = aligned.iter().any(|a| {
                q_patronymics.contains(&a.0) && l_patronymics.contains(&a.1) && a.2 >= ROUGH_PART
            });
            if !agree {
                out.push((
                    Phrase::new(K::PatronymicConflict)
                        .with(
                            "query",
                            Value::text(&qparts[q_patronymics[0]].part.original),
                        )
                        .with(
                            "listed",
                            Value::text(index.spelling(
                                indexed.entry,
                                indexed.name,
                                l_patronymics[0],
                                indexed.parts[l_patronymics[0]].0,
                            )),
                        ),
                    -PATRONYMIC_CONFLICT,
                ));
            }
        }
        // A surname in one gender's form against the other's (Chernov /
        // Chernova): a brother and a sister, a husband and a wife.
        if let Some(a) = aligned.iter().find(|a| {
            let q = &qparts[a.0].part.folded;
            let l = &index.vocab[indexed.parts[a.1].0 as usize].part.folded;
            other_gender(q, l)
        }) {
            // As both names write them, not folded.
            let listed = index.spelling(indexed.entry, indexed.name, a.1, indexed.parts[a.1].0);
            out.push((
                Phrase::new(K::GenderConflict)
                    .with("query", Value::text(&qparts[a.0].part.original))
                    .with("listed", Value::text(listed)),
                -PATRONYMIC_CONFLICT,
            ));
        }
        if !indexed.numbers.is_empty() {
            let numbers = query_numbers.get_or_init(|| nexus_names::numbers_in(&query.name));
            if !numbers.is_empty() && *numbers != indexed.numbers {
                let show = |n: &[u32]| n.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
                out.push((
                    Phrase::new(K::NumberConflict)
                        .with("query", Value::text(show(numbers)))
                        .with("listed", Value::text(show(&indexed.numbers))),
                    -NUMBER_CONFLICT,
                ));
            }
        }
        out
    }
}

/// The most a query's birth date, country and document can add to a
/// name's score (none when it gives none of them).
fn max_bonus(query: &Query) -> f32 {
    if query.birth_date.is_some() || query.country.is_some() || !query.document.is_empty() {
        MAX_BONUS
    } else {
        0.0
    }
}

/// A query's name as screened: its parts, and its letters run together
/// (one folding for both).
struct AnalysedQuery {
    parts: Vec<NamePart>,
    letters: String,
}

/// Analyses a query's name for screening.
fn analyse_query(query: &Query) -> AnalysedQuery {
    let (mut parts, letters) = nexus_names::analyse_with_letters(&query.name);
    parts.truncate(MAX_QUERY_PARTS);
    AnalysedQuery { parts, letters }
}

/// Vocabulary parts at least `PART_MIN` similar to `part`, best first.
/// `scratch` is reused between calls.
fn part_candidates(
    index: &ScreeningIndex,
    part: &NamePart,
    scratch: &mut Vec<u32>,
) -> Vec<Candidate> {
    scratch.clear();
    index.retrieve(part, |id| scratch.push(id));
    scratch.sort_unstable();
    scratch.dedup();
    let mut candidates: Vec<Candidate> = scratch
        .iter()
        .filter_map(|&id| {
            compare_parts_at_least(part, &index.vocab[id as usize].part, PART_MIN)
                .map(|(s, e)| (id, s, e))
        })
        .collect();
    // The second half of an `Abd` compound alone stands for the compound,
    // and the compound for its second half (Rahman / Abdul Rahman).
    index.halves(part, |id| {
        if !candidates.iter().any(|c| c.0 == id) {
            candidates.push((id, HALF_SIMILARITY, Evidence::Half));
        }
    });
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    candidates
}

/// Persons match persons and organisations organisations; an unknown kind
/// on either side matches both.
fn kinds_compatible(query: SubjectKind, listed: SubjectKind) -> bool {
    use SubjectKind::*;
    match (query, listed) {
        (Unknown, _) | (_, Unknown) => true,
        (Person, Person) => true,
        (Person, _) | (_, Person) => false,
        _ => true,
    }
}

/// Birth date, nationality and document: what they add or take away.
fn adjustments(query: &Query, entry: &ListedEntry) -> Vec<(Phrase, f32)> {
    let mut out = Vec::new();
    if let Some(qd) = query.birth_date {
        if !entry.birth_dates.is_empty() {
            let mut best: Option<(Phrase, f32)> = None;
            for &ld in &entry.birth_dates {
                let c = compare_birth(qd, ld);
                if best.as_ref().is_none_or(|b| c.1 > b.1) {
                    best = Some(c);
                }
            }
            out.extend(best);
        }
    }
    if let Some(c) = query.country {
        if entry.nationalities.contains(&c) {
            out.push((
                Phrase::new(K::Nationality).with("country", Value::text(c.as_str())),
                0.03,
            ));
        } else if entry.countries.contains(&c) {
            out.push((
                Phrase::new(K::CountryInAddresses).with("country", Value::text(c.as_str())),
                0.02,
            ));
        } else if !entry.nationalities.is_empty() {
            let listed: Vec<&str> = entry.nationalities.iter().map(|c| c.as_str()).collect();
            out.push((
                Phrase::new(K::CountryNotNationality)
                    .with("country", Value::text(c.as_str()))
                    .with("listed", Value::text(listed.join("/"))),
                -0.04,
            ));
        }
    }
    let qdoc = normalise_document(&query.document);
    if !qdoc.is_empty() {
        if let Some(d) = entry
            .documents
            .iter()
            .find(|d| normalise_document(&d.number) == qdoc)
        {
            out.push((
                Phrase::new(K::DocumentMatches)
                    .with("document", Value::text(&query.document))
                    .with("kind", Value::text(&d.kind)),
                0.15,
            ));
        }
    }
    out
}

fn normalise_document(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn describe(d: BirthDate) -> String {
    match d {
        BirthDate::Exact(d) => d.to_string(),
        BirthDate::Month { year, month } => format!("{year}-{month:02}"),
        BirthDate::Year {
            year,
            approximately: false,
        } => year.to_string(),
        BirthDate::Year { year, .. } => format!("circa {year}"),
        BirthDate::Between { from, to } => format!("{from}–{to}"),
    }
}

/// How a query's birth date relates to one listed birth date.
fn compare_birth(query: BirthDate, listed: BirthDate) -> (Phrase, f32) {
    let what = Phrase::new(K::BirthDates)
        .with("query", Value::text(describe(query)))
        .with("listed", Value::text(describe(listed)));
    if let (BirthDate::Exact(a), BirthDate::Exact(b)) = (query, listed) {
        if a == b {
            return (what, 0.06);
        }
        // Same year, day and month swapped or mistyped: neither for nor against.
        if a.year == b.year {
            return (what, 0.0);
        }
    }
    let (qa, qb) = query.years();
    let (la, lb) = listed.years();
    let gap = if qb < la {
        la - qb
    } else if lb < qa {
        qa - lb
    } else {
        0
    };
    // Graded: a year or two is a recording error, a decade is another
    // person (a son named after his father, a common name).
    match gap {
        0 => (what, 0.03),
        1 => (what, 0.0),
        2..=4 => (what, -0.12),
        5..=9 => (what, -0.2),
        _ => (what, -0.3),
    }
}

/// Screens every query on `threads` threads; the result has one vector of
/// matches per query, in query order. Parts shared by several queries
/// (Muhammad, Ahmad, Ltd) are matched against the vocabulary once, by all
/// threads together, before the queries are scored.
pub fn screen_all(
    index: &ScreeningIndex,
    queries: &[Query],
    threshold: f32,
    threads: usize,
) -> Vec<Vec<Match>> {
    // Identical queries — a counterparty paid a hundred times in one batch —
    // are screened once: the name, birth date, country, kind and document
    // decide the matches (the id and the counterparty do not).
    type Subject<'q> = (
        &'q str,
        Option<BirthDate>,
        Option<Country>,
        SubjectKind,
        &'q str,
    );
    let mut first: PartMap<Subject, usize> = PartMap::default();
    let mut unique: Vec<usize> = Vec::new();
    let slots: Vec<usize> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let subject = (
                q.name.as_str(),
                q.birth_date,
                q.country,
                q.kind,
                q.document.as_str(),
            );
            *first.entry(subject).or_insert_with(|| {
                unique.push(i);
                unique.len() - 1
            })
        })
        .collect();
    if unique.len() == queries.len() {
        return screen_distinct(index, queries, threshold, threads);
    }
    let unique: Vec<Query> = unique.into_iter().map(|i| queries[i].clone()).collect();
    let found = screen_distinct(index, &unique, threshold, threads);
    slots.into_iter().map(|i| found[i].clone()).collect()
}

/// [`screen_all`] on queries that are all different.
fn screen_distinct(
    index: &ScreeningIndex,
    queries: &[Query],
    threshold: f32,
    threads: usize,
) -> Vec<Vec<Match>> {
    let threads = threads.clamp(1, 256);
    let analysed: Vec<AnalysedQuery> = crate::parallel::map_chunks(queries, threads, |qs| {
        qs.iter().map(analyse_query).collect()
    });
    // Distinct parts, in order of first appearance.
    let mut distinct: Vec<&NamePart> = Vec::new();
    let mut position: PartMap<(&str, bool), usize> = PartMap::default();
    for a in &analysed {
        for p in &a.parts {
            position
                .entry((p.folded.as_str(), p.vowelless))
                .or_insert_with(|| {
                    distinct.push(p);
                    distinct.len() - 1
                });
        }
    }
    let candidates: Vec<Candidates> = crate::parallel::map_chunks(&distinct, threads, |ps| {
        let mut scratch = Vec::new();
        ps.iter()
            .map(|p| Arc::new(CandidateList::new(part_candidates(index, p, &mut scratch))))
            .collect()
    });
    let jobs: Vec<(&Query, &AnalysedQuery)> = queries.iter().zip(&analysed).collect();
    crate::parallel::map_chunks(&jobs, threads, |chunk| {
        let mut s = Screener::new(index, threshold);
        chunk
            .iter()
            .map(|(q, analysed)| {
                let with: Vec<(&NamePart, Candidates)> = analysed
                    .parts
                    .iter()
                    .map(|p| {
                        let i = position[&(p.folded.as_str(), p.vowelless)];
                        (p, Arc::clone(&candidates[i]))
                    })
                    .collect();
                let found = s.screen_parts(q, with, &analysed.letters);
                s.with_other_reading(q, &analysed.parts, found)
            })
            .collect()
    })
}

/// Of matches screened at a floor under `threshold` (best first): every
/// one at or above the threshold and the best `top` below it — the
/// candidates an FIU looks at when tuning its threshold.
pub fn with_top_below(found: Vec<Match>, threshold: f32, top: usize) -> Vec<Match> {
    let mut below = 0;
    found
        .into_iter()
        .filter(|m| {
            if m.score >= threshold {
                return true;
            }
            below += 1;
            below <= top
        })
        .collect()
}

/// The query's name read as the list may write it: two adjacent parts
/// that are not both words of the list but make one when joined; one long
/// part that is not a word of the list but splits into two that are; a
/// part written with the Uzbek Latin `x` for `kh` (Axund, Axmedov) whose
/// `kh` spelling is a word of the list (the key reads `x` between vowels
/// as `ks`, as in Alexander); a Slavic name with the Latvian or Lithuanian
/// nominative `-s` (Lavrovs, Sergejs, Putins) without it; Wade–Giles
/// syllables the list writes in Pinyin (Mao Tse-tung / Mao Zedong);
/// initials in a row the list writes as one word (A.B.C. / ABC). Empty
/// when there is no such reading.
fn other_reading(index: &ScreeningIndex, parts: &[NamePart]) -> Vec<String> {
    let known = |f: &str| index.is_word(f);
    let rejoined = compounds_rejoined(index, parts);
    if !rejoined.is_empty() {
        return rejoined;
    }
    // Unchanged parts are borrowed, and the joined pair is built in one
    // buffer: this runs for every query, most of which read no other way.
    let mut out: Vec<Cow<str>> = Vec::with_capacity(parts.len());
    let mut buf = String::new();
    let mut changed = false;
    let mut chinese: Option<bool> = None;
    let mut i = 0;
    while i < parts.len() {
        let p = &parts[i];
        // Initials in a row that the list writes as one word (A.B.C. / ABC).
        if p.role == PartRole::Initial {
            let run = parts[i..]
                .iter()
                .take_while(|q| q.role == PartRole::Initial)
                .count();
            if run >= 2 {
                let joined: String = parts[i..i + run]
                    .iter()
                    .map(|q| q.folded.as_str())
                    .collect();
                if known(&joined) {
                    out.push(joined.into());
                    changed = true;
                    i += run;
                    continue;
                }
            }
        }
        if let Some(next) = parts.get(i + 1) {
            if !(known(&p.folded) && known(&next.folded)) {
                buf.clear();
                buf.push_str(&p.folded);
                buf.push_str(&next.folded);
                if known(&buf) {
                    out.push(buf.clone().into());
                    changed = true;
                    i += 2;
                    continue;
                }
                // A Chinese given name in Wade–Giles syllables (Tse-tung)
                // that the list writes in Pinyin as one word (Zedong).
                if let Some(pinyin) = wade_giles::joined_to_pinyin(
                    [p.original.as_str(), next.original.as_str()],
                    known,
                ) {
                    out.push(pinyin.into());
                    changed = true;
                    i += 2;
                    continue;
                }
            }
        }
        let f = p.folded.as_str();
        if f.len() >= 7 && f.is_ascii() && !known(f) {
            if let Some(k) = (3..=f.len() - 3).find(|&k| known(&f[..k]) && known(&f[k..])) {
                out.push(format!("{} {}", &f[..k], &f[k..]).into());
                changed = true;
                i += 1;
                continue;
            }
        }
        if f.is_ascii() && !known(f) {
            if f.contains('x') {
                let kh = f.replace('x', "kh");
                if known(&kh) {
                    out.push(kh.into());
                    changed = true;
                    i += 1;
                    continue;
                }
            }
            if let Some(stem) = baltic_stem(f) {
                out.push(stem.into());
                changed = true;
                i += 1;
                continue;
            }
            // A Wade–Giles syllable the list writes in Pinyin (Teng / Deng),
            // in a name that reads as Chinese: two of its syllables make a
            // given name the list knows. Alone, a syllable is too short to
            // say so (SSA would read as Sa).
            let chinese = *chinese.get_or_insert_with(|| {
                parts.windows(2).any(|w| {
                    wade_giles::joined_to_pinyin(
                        [w[0].original.as_str(), w[1].original.as_str()],
                        known,
                    )
                    .is_some()
                })
            });
            if let Some(pinyin) = chinese
                .then(|| wade_giles::readings(&p.original))
                .into_iter()
                .flatten()
                .find(|py| known(py))
            {
                out.push(pinyin.into());
                changed = true;
                i += 1;
                continue;
            }
        }
        out.push(Cow::Borrowed(&p.folded));
        i += 1;
    }
    changed.then(|| out.join(" ")).into_iter().collect()
}

/// A query whose compound names were taken apart by reordering: an
/// `Abd`/`Abdul` moved away from its second part ("Qader Abdul Hai Hazem
/// Abdul" for Abdul Qader Abdul Hai Hazem), or an ending (`al-Din`,
/// `Allah`) moved away from its first ("Taha al-Din Saif" for Saif al-Din
/// Taha), which the analysis then joins with the wrong neighbour or with
/// nothing. Each such half is joined again with the word that makes a
/// compound the list knows, and the word it was wrongly joined with stands
/// alone. An `Abd` that makes no known compound stays, alone at the end,
/// where the analysis reads it as an initial of a compound ("Abdul Agha"
/// for Abdul Ghani Agha, its second half dropped); an ending is left out.
/// A half alone that makes a known compound with several words gives a
/// reading for each (at most three). None unless some half joined again or
/// an `Abd` was parted from a word it makes no known compound with.
fn compounds_rejoined(index: &ScreeningIndex, parts: &[NamePart]) -> Vec<String> {
    // (Checked first, without allocating: this runs for every query.)
    let may_be_taken_apart = |p: &NamePart| {
        nexus_names::is_lone_abd(p)
            || nexus_names::is_lone_ending(p)
            || p.original.contains(' ')
                && (nexus_names::abd_halves(p).is_some() || nexus_names::ending_halves(p).is_some())
    };
    if !parts.iter().any(may_be_taken_apart) {
        return dropped_abd(index, parts).into_iter().collect();
    }
    let mut words: Vec<String> = Vec::with_capacity(parts.len());
    let (mut heads, mut tails): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    // In Arabic script `عبد` is followed by a divine name with its article
    // (الغفور, الرحمن) or by الله: joined with a word without one, it was
    // joined with the wrong neighbour for certain (its own was dropped).
    let mut certain = false;
    // An `Abd` joined with a word that makes no compound the list knows.
    let mut parted = false;
    for p in parts {
        if nexus_names::is_lone_abd(p) {
            heads.push(p.original.clone());
            continue;
        }
        if nexus_names::is_lone_ending(p) {
            tails.push(p.original.clone());
            continue;
        }
        // Only a part joined from two words can be a compound (checked
        // first: this runs for every query).
        if p.original.contains(' ') && !index.knows_key(p) {
            if let Some((head, rest)) = nexus_names::abd_halves(p) {
                certain |= p.vowelless && !rest.starts_with("ال");
                parted = true;
                heads.push(head.to_string());
                words.push(rest.to_string());
                continue;
            }
            if let Some((rest, tail)) = nexus_names::ending_halves(p) {
                words.push(rest.to_string());
                tails.push(tail.to_string());
                continue;
            }
        }
        words.push(p.original.clone());
    }
    if heads.is_empty() && tails.is_empty() || words.is_empty() {
        return dropped_abd(index, parts).into_iter().collect();
    }
    let mut joined = vec![false; words.len()];
    let mut alone: Vec<String> = Vec::new();
    let known = |text: &str| {
        let parts = nexus_names::analyse(text);
        parts.len() == 1 && index.knows_key(&parts[0])
    };
    let compound = |half: &str, head: bool, word: &str| {
        if head {
            format!("{half} {word}")
        } else {
            format!("{word} {half}")
        }
    };
    // One half alone may make a known compound with more than one word
    // (عبد with الرحمان and with الاحد): each is a reading, the better
    // score per entry counts.
    if heads.len() + tails.len() == 1 {
        let (half, head) = match heads.first() {
            Some(h) => (h.as_str(), true),
            None => (tails[0].as_str(), false),
        };
        let mut readings: Vec<String> = (0..words.len())
            .filter(|&i| known(&compound(half, head, &words[i])))
            .take(MAX_REJOINED_READINGS)
            .map(|i| {
                let mut w = words.clone();
                w[i] = compound(half, head, &w[i]);
                w.join(" ")
            })
            .collect();
        if readings.is_empty() && (certain || parted) {
            let mut w = words.clone();
            if head {
                w.push(half.to_string());
            }
            readings.push(w.join(" "));
        }
        return readings;
    }
    // Each half joins the first free word it makes a known compound with:
    // a head before the word, a tail after it.
    let halves = heads
        .iter()
        .map(|h| (h, true))
        .chain(tails.iter().map(|t| (t, false)));
    for (half, head) in halves {
        if let Some(i) =
            (0..words.len()).find(|&i| !joined[i] && known(&compound(half, head, &words[i])))
        {
            words[i] = compound(half, head, &words[i]);
            joined[i] = true;
        } else if head {
            alone.push(half.clone());
        }
    }
    words.extend(alone);
    (certain || parted || joined.contains(&true))
        .then(|| words.join(" "))
        .into_iter()
        .collect()
}

/// At most this many readings of one compound half joined again.
const MAX_REJOINED_READINGS: usize = 3;

/// An Arabic-script name whose `عبد` was dropped from a compound: a
/// divine name standing alone (الستار, الله), which is no one's name by
/// itself, read with `عبد` again where the list knows that compound.
fn dropped_abd(index: &ScreeningIndex, parts: &[NamePart]) -> Option<String> {
    // (Checked first, without allocating: this runs for nearly every query.)
    let may_have_lost_abd =
        |p: &NamePart| p.vowelless && !p.original.contains(' ') && p.original.starts_with("ال");
    if !parts.iter().any(may_have_lost_abd) {
        return None;
    }
    let mut changed = false;
    let words: Vec<String> = parts
        .iter()
        .map(|p| {
            let alone = may_have_lost_abd(p) && {
                let with = nexus_names::analyse(&format!("عبد {}", p.original));
                with.len() == 1 && index.knows_key(&with[0])
            };
            if alone {
                changed = true;
                format!("عبد {}", p.original)
            } else {
                p.original.clone()
            }
        })
        .collect();
    changed.then(|| words.join(" "))
}

/// Whether two folded surnames are one name in its male and female forms
/// (-ov/-ova, -ev/-eva, -in/-ina, -sky/-skaya).
fn other_gender(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let male = ["ov", "ev", "yov", "in", "yn"];
    if long.len() == short.len() + 1
        && long.starts_with(short)
        && long.ends_with('a')
        && short.len() >= 4
        && male.iter().any(|m| short.ends_with(m))
    {
        return true;
    }
    let stem = |x: &str| -> Option<String> {
        ["skiy", "skii", "skiy", "sky", "ski"]
            .iter()
            .find_map(|e| x.strip_suffix(e).map(|s| s.to_string()))
    };
    match (stem(short), long.strip_suffix("skaya")) {
        (Some(m), Some(f)) => m == f && m.len() >= 3,
        _ => match (stem(long), short.strip_suffix("skaya")) {
            (Some(m), Some(f)) => m == f && m.len() >= 3,
            _ => false,
        },
    }
}

/// A Slavic name as Latvian and Lithuanian write it, with the nominative
/// `-s` after the Slavic ending (Lavrov-s, Medvedev-s, Putin-s, Sergej-s,
/// Nikolaj-s, Jurij-s): the name without it.
fn baltic_stem(folded: &str) -> Option<&str> {
    let stem = folded.strip_suffix('s')?;
    let slavic = ["ov", "ev", "in", "yn", "ej", "aj", "ij", "oj"];
    (stem.len() >= 4 && slavic.iter().any(|e| stem.ends_with(e))).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_formats::lists::ListedEntry;
    use nexus_model::{Country, Date};

    fn index(names: &[(&str, SubjectKind)]) -> ScreeningIndex {
        let entries = names
            .iter()
            .enumerate()
            .map(|(i, (n, k))| {
                let mut e = ListedEntry::new(format!("E{i}"), *k);
                for alt in n.split('|') {
                    e.add_name(alt, NameQuality::Primary);
                }
                e
            })
            .collect();
        ScreeningIndex::build(entries)
    }

    fn top(index: &ScreeningIndex, q: &Query) -> Option<(String, f32)> {
        let mut s = Screener::new(index, 0.0);
        s.screen(q)
            .first()
            .map(|m| (index.entries[m.entry].id.clone(), m.score))
    }

    fn person_list() -> ScreeningIndex {
        index(&[
            ("Jamshed Juraev", SubjectKind::Person),
            ("Osman Qurbanov", SubjectKind::Person),
            ("Muhammad Omar", SubjectKind::Person),
            ("Muhammad Rahimov", SubjectKind::Person),
            ("Muhammad Karimov", SubjectKind::Person),
            ("Sirajuddin Haqqani", SubjectKind::Person),
            ("Haqqani Network", SubjectKind::Organisation),
        ])
    }

    #[test]
    fn variants_match_across_habits() {
        let idx = person_list();
        for (q, want) in [
            ("Dzhuraev Dzhamshed", "E0"),
            ("Джураев Джамшед", "E0"),
            ("Usmon Kurbonov", "E1"),
            ("Усмон Қурбонов", "E1"),
            ("Siraj al-Din Haqani", "E5"),
            ("HAQQANI, Sirajuddin", "E5"),
        ] {
            let (id, score) = top(&idx, &Query::new("q", q)).unwrap_or_default();
            assert_eq!(id, want, "{q}");
            assert!(score >= DEFAULT_THRESHOLD, "{q}: {score}");
        }
    }

    #[test]
    fn an_explanation_writes_the_matched_entrys_own_spelling() {
        // Both entries fold `Алмаз`/`Almaz` and `Чернова`/`Chernova` alike;
        // the explanation of a match on the second shows its Latin letters.
        let idx = index(&[
            ("Алмаз Чернова", SubjectKind::Person),
            ("Almaz Chernov", SubjectKind::Person),
        ]);
        let mut s = Screener::new(&idx, 0.0);
        let found = s.screen(&Query::new("q", "Almaz Chernova"));
        let m = found
            .iter()
            .find(|m| idx.entries[m.entry].id == "E1")
            .unwrap();
        let e = m.explanation();
        assert!(e.contains("Almaz~Almaz"), "{e}");
        assert!(e.contains("surname Chernova vs listed Chernov"), "{e}");
        assert!(!e.contains('А') && !e.contains('Ч'), "{e}");
    }

    #[test]
    fn a_common_part_alone_is_no_match() {
        let idx = person_list();
        let mut s = Screener::new(&idx, DEFAULT_THRESHOLD);
        assert!(s.screen(&Query::new("q", "Muhammad Nazarov")).is_empty());
        assert!(s.screen(&Query::new("q", "Jamshed Omar")).is_empty());
    }

    #[test]
    fn persons_do_not_match_organisations() {
        let idx = person_list();
        let mut s = Screener::new(&idx, DEFAULT_THRESHOLD);
        let mut q = Query::new("q", "Haqqani Network");
        q.kind = SubjectKind::Person;
        assert!(s.screen(&q).is_empty());
        q.kind = SubjectKind::Organisation;
        assert_eq!(s.screen(&q).len(), 1);
    }

    #[test]
    fn birth_date_and_country_move_the_score() {
        let mut e = ListedEntry::new("E0", SubjectKind::Person);
        e.add_name("Jamshed Juraev", NameQuality::Primary);
        e.birth_dates
            .push(BirthDate::Exact(Date::new(1975, 3, 2).unwrap()));
        e.nationalities.push(Country::parse("TJ").unwrap());
        let idx = ScreeningIndex::build(vec![e]);
        let mut s = Screener::new(&idx, 0.0);
        let base = s.screen(&Query::new("q", "Jamshed Juraev"))[0].score;
        let mut q = Query::new("q", "Jamshed Juraev");
        q.birth_date = Some(BirthDate::Exact(Date::new(1975, 3, 2).unwrap()));
        q.country = Country::parse("TJ");
        let same = s.screen(&q)[0].clone();
        q.birth_date = Some(BirthDate::Year {
            year: 1990,
            approximately: false,
        });
        q.country = Country::parse("DE");
        let other = s.screen(&q)[0].score;
        assert!(same.score > other, "{} {}", same.score, other);
        assert!(other < base);
        let why = same.explanation();
        assert!(
            why.contains("birth 1975-03-02 vs listed 1975-03-02 +0.06"),
            "{why}"
        );
        assert!(why.contains("nationality TJ +0.03"), "{why}");
        // The phrases other languages get say the same in English.
        let phrases = nexus_model::Explanation(same.explanation_phrases());
        assert_eq!(phrases.to_string(), why);
        let mut q = Query::new("q", "Jamshed Juraev Karimovich");
        q.birth_date = Some(BirthDate::Year {
            year: 1990,
            approximately: true,
        });
        let m = s.screen(&q)[0].clone();
        assert_eq!(
            nexus_model::Explanation(m.explanation_phrases()).to_string(),
            m.explanation()
        );
    }

    #[test]
    fn explains_alignment() {
        let idx = person_list();
        let mut s = Screener::new(&idx, DEFAULT_THRESHOLD);
        let m = &s.screen(&Query::new("q", "Dzhuraev Dzhamshed"))[0];
        assert_eq!(
            m.explanation(),
            "Dzhuraev~Juraev phonetic 0.98; Dzhamshed~Jamshed phonetic 0.98"
        );
    }

    #[test]
    fn hostile_input_never_panics() {
        let idx = person_list();
        let mut s = Screener::new(&idx, DEFAULT_THRESHOLD);
        for q in [
            "",
            "\u{0}\u{1}\u{2}",
            "----",
            &"Muhammad ".repeat(10_000),
            "Jamshed Раҳимов محمد 王",
            &"x".repeat(100_000),
        ] {
            let _ = s.screen(&Query::new("q", q));
        }
    }

    /// A batch screens the same on one thread or several, and a query
    /// repeated in it (screened once) gets the matches it gets alone —
    /// also where a mistyped `Abd` stands alone (Adbul), whose cached
    /// candidates once depended on which spelling came first.
    #[test]
    fn a_batch_screens_alike_on_any_number_of_threads() {
        let idx = index(&[
            ("Abdul Ghani Agha", SubjectKind::Person),
            ("Ghalib Abdullah al-Zaidi", SubjectKind::Person),
            ("Jamshed Juraev", SubjectKind::Person),
        ]);
        let names = [
            "Adbul",
            "Abdul al-Zaidi",
            "Abdyl Agha",
            "Abdul",
            "Jamshed Juraev",
            "Abdul al-Zaidi",
        ];
        let queries: Vec<Query> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Query::new(format!("q{i}"), *n))
            .collect();
        let summary = |found: Vec<Vec<Match>>| -> Vec<Vec<(usize, u32)>> {
            found
                .iter()
                .map(|ms| ms.iter().map(|m| (m.entry, m.score.to_bits())).collect())
                .collect()
        };
        let one = summary(screen_all(&idx, &queries, DEFAULT_THRESHOLD, 1));
        let two = summary(screen_all(&idx, &queries, DEFAULT_THRESHOLD, 2));
        assert_eq!(one, two);
        assert_eq!(one[1], one[5], "a repeated query");
        for (i, q) in queries.iter().enumerate() {
            let alone = summary(screen_all(
                &idx,
                std::slice::from_ref(q),
                DEFAULT_THRESHOLD,
                1,
            ));
            assert_eq!(alone[0], one[i], "{}", q.name);
        }
    }

    #[test]
    fn letters_compared_whole() {
        assert_eq!(
            whole_letters("saifaldinfulayyih", "saifaldinfulayyih").map(|w| w.1),
            Some(K::SameLetters)
        );
        assert_eq!(
            whole_letters("qasimalxrimi", "qasimalrimi").map(|w| w.1),
            Some(K::LettersOneApart)
        );
        assert_eq!(
            whole_letters("alihasan", "alihasan"),
            None,
            "too short to say"
        );
        assert_eq!(whole_letters("qasimalrimi", "qasimalrami2"), None);
        assert_eq!(letters_of("Saif-al-Din FULAYYIH"), "saifaldinfulayyih");
    }

    /// The bound that passes over candidate names before they are scored
    /// never passes over one that would reach the threshold: screening at
    /// the threshold finds what screening everything and then filtering
    /// finds — also where a part is found by a rule the retrieval does not
    /// see (a short part one letter off, an initial, a compound's half).
    #[test]
    fn the_candidate_bound_never_loses_a_match() {
        let idx = index(&[
            ("Kim Yong Chol", SubjectKind::Person),
            ("Kim Chol Sam", SubjectKind::Person),
            ("Omar Ali Hussain", SubjectKind::Person),
            ("Hafiz Abdul Salam Bhuttavi", SubjectKind::Person),
            ("Abdul Ghani Agha", SubjectKind::Person),
            ("Vladimir Vladimirovich Putin", SubjectKind::Person),
            ("United States Oil Company", SubjectKind::Organisation),
            ("Muhammad Jibril Abdul Rahman", SubjectKind::Person),
            ("Saif-al-Din Fulayyih Hassan", SubjectKind::Person),
        ]);
        let mut at_threshold = Screener::new(&idx, DEFAULT_THRESHOLD);
        let mut everything = Screener::new(&idx, 0.0);
        for q in [
            "Kim Yong Col",
            "Kim Hcol Sam",
            "Ooar Ali Hussain",
            "Hafiz Salam Bhuttavi",
            "Abdul Agha",
            "V. Putin",
            "U.S. Oil Company",
            "Muhammad Jibril Rahman",
            "Kim Yong Sam",
            "Sai-Fal-Din Fulayyih Hassan",
            "Saif-al-Dinx Fulayyih Hassan",
        ] {
            let query = Query::new("q", q);
            let found: Vec<(usize, u32)> = at_threshold
                .screen(&query)
                .iter()
                .map(|m| (m.entry, m.score.to_bits()))
                .collect();
            let filtered: Vec<(usize, u32)> = everything
                .screen(&query)
                .iter()
                .filter(|m| m.score >= DEFAULT_THRESHOLD)
                .map(|m| (m.entry, m.score.to_bits()))
                .collect();
            assert_eq!(found, filtered, "{q}");
        }
        let kim = Query::new("q", "Kim Yong Col");
        assert_eq!(
            at_threshold.screen(&kim)[0].entry,
            0,
            "a short part one letter off"
        );
    }
}
