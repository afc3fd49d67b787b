//! The library's integration tests, in one binary (linked once, not once
//! per file). Each module is one concern; `common` holds the helpers and
//! reads test data from this repository's `testdata/` only.
//!
//! `tests/alloc.rs` stays a binary of its own: it installs a counting
//! global allocator, which would count every other test's allocations too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod adversarial;
mod algorithms;
mod batch;
mod canonical_flags_php;
mod canonical_php;
mod common;
mod fuzz_replay;
mod gkm_vectors;
mod http;
mod http_hostile;
mod key_distribution;
mod keys;
mod license;
mod license_integrity;
mod license_json;
mod license_member_first;
mod license_writer;
mod malformed;
mod properties;
mod response_codes;
mod sign;
mod state;
mod tamper;
mod wycheproof;
