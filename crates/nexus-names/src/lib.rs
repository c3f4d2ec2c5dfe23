//! Names across scripts.
//!
//! Used alike by the simulator (to record one person the way different
//! institutions do), by screening (to generate the same variants as search
//! keys) and by cross-border matching (transliteration-invariant keys).

pub mod script;
pub mod translit;

pub use script::{char_script, detect_script};
pub use translit::{transliterate, Scheme};
