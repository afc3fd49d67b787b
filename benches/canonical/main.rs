//! Canonicalize throughput (the library, Criterion) on the four 1 MiB
//! inputs of the PHP comparison (`run.sh` here, whole processes): `5e-324`
//! repeated, random doubles (bit patterns), random integers, and strings
//! full of escapes and non-ASCII. Made here by the recipe of `inputs.py`
//! (the same generator and pieces; doubles in Rust's shortest form instead
//! of Python's). Each is read, written (`to_vec`), and both
//! (`canonicalize`); each input's canonical bytes are checked to read back
//! to themselves first.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use respsig::canonical;

const SIZE: usize = 1 << 20;

/// inputs.py's generator: xorshift64* from the same seed.
fn xorshift() -> impl FnMut() -> u64 {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// A JSON array of items, at most 1 MiB.
fn array(mut item: impl FnMut() -> String) -> String {
    let mut out = String::from("[");
    loop {
        let next = item();
        if out.len() + next.len() + 2 > SIZE {
            break;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&next);
    }
    out.push(']');
    out
}

const PIECES: [&str; 18] = [
    "\\n",
    "\\\"",
    "\\\\",
    "/",
    "\\/",
    "\\t",
    "\\u0001",
    "\\u00e9",
    "é",
    "ü",
    "日本語",
    "€",
    "😀",
    "\\ud83d\\ude00",
    "a",
    "Zürich ",
    "\u{2028}",
    "\u{7f}",
];

fn inputs() -> Vec<(&'static str, String)> {
    let denormals = array(|| "5e-324".to_owned());
    let mut next = xorshift();
    let doubles = array(|| {
        loop {
            let f = f64::from_bits(next());
            if f.is_finite() {
                return format!("{f:?}");
            }
        }
    });
    let mut next = xorshift();
    let integers = array(|| ((next() ^ (1 << 63)) as i64).to_string());
    let mut next = xorshift();
    let strings = array(|| {
        let r = next();
        let n = 4 + r % 24;
        let mut s = String::from("\"");
        for i in 0..n {
            s.push_str(PIECES[((r >> (2 * i)) % PIECES.len() as u64) as usize]);
        }
        s.push('"');
        s
    });
    vec![
        ("denormals", denormals),
        ("doubles", doubles),
        ("integers", integers),
        ("strings", strings),
    ]
}

fn canonicalize(c: &mut Criterion) {
    let mut g = c.benchmark_group("canonical_1mib");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    for (name, text) in inputs() {
        let bytes = canonical::canonicalize(text.as_bytes()).unwrap();
        assert_eq!(canonical::canonicalize(&bytes).unwrap(), bytes);
        let value = canonical::read(text.as_bytes()).unwrap();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("canonicalize/{name}"), |b| {
            b.iter(|| canonical::canonicalize(black_box(text.as_bytes())))
        });
        g.bench_function(format!("read/{name}"), |b| {
            b.iter(|| canonical::read(black_box(text.as_bytes())))
        });
        g.bench_function(format!("to_vec/{name}"), |b| {
            b.iter(|| canonical::to_vec(black_box(&value)))
        });
    }
    g.finish();
}

criterion_group!(benches, canonicalize);
criterion_main!(benches);
