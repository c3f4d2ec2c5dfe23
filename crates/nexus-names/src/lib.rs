//! Names across scripts.
//!
//! Used alike by the simulator (to record one person the way different
//! institutions do), by screening (to generate the same variants as search
//! keys) and by cross-border matching (transliteration-invariant keys).

pub mod fold;
pub mod parts;
pub mod phonetic;
pub mod script;
pub mod translit;
pub mod wade_giles;

pub use fold::{fold_tokens, FoldedToken};
pub use parts::{
    abd_compound_rest, abd_halves, analyse, analyse_with_letters, compare_parts,
    compare_parts_at_least, ending_halves, is_abd_compound, is_lone_abd, is_lone_ending,
    letters_of, numbers_in, one_letter_apart, Evidence, NamePart, PartRole,
};
pub use phonetic::{consonant_classes, key_similarity, phonetic_key, skeleton};

pub use script::{char_script, detect_script, script_runs};
pub use translit::{transliterate, Scheme};
