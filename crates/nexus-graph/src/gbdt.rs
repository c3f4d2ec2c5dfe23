//! Gradient-boosted trees (filled in below).
