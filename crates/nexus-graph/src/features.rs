//! Per-transaction graph features (filled in below).
