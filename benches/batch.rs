//! Batch throughput on a shared machine: `Keyring::verify` from rayon's
//! `par_iter` (the README's way to verify many envelopes; `Keyring` is
//! `Sync`) on the default rayon pool (one thread per core)
//! against a pool of one thread and against a plain loop of `verify`, over
//! 64, 1024 and 8192 seed envelopes.
//!
//! Stable on a shared VM by construction: each timing is one long batch
//! (about `BATCH_SECONDS`, default 0.3 s, of whole passes over the
//! envelopes), the three ways take turns (order rotated every round), and
//! of `BATCH_ROUNDS` (default 7) rounds each way's best throughput counts,
//! since load from other work only ever slows a batch down. The spread is
//! that of the per-round speedups (each round's all-threads throughput over
//! the same round's one-thread throughput): min, median, max.
//!
//! What the machine itself gives at that moment is measured in the same
//! rounds: ring's raw verify of the same number of envelopes on one thread
//! and split over two plain threads (the analogue of `openssl speed -multi
//! 2`). A shared VM's second core comes and goes with other work; the
//! per-round efficiency (the crate's speedup over the raw one of the same
//! round) is what the crate controls.
//!
//! `cargo bench --bench batch`
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::hint::black_box;
use std::time::Instant;

use respsig::Policy;

use common::{DEMO_KEY, Envelope, Key, SEEDS};

fn main() {
    let var = |name: &str, default: f64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let seconds = var("BATCH_SECONDS", 0.3);
    let rounds = var("BATCH_ROUNDS", 7.0) as usize;
    let key = Key::from_pem_file(DEMO_KEY);
    let keyring = key.keyring();
    let seeds: Vec<Envelope> = SEEDS.iter().map(|(_, p)| Envelope::from_file(p)).collect();
    let texts: Vec<String> = SEEDS.iter().map(|(_, path)| common::read(path)).collect();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let all = rayon::ThreadPoolBuilder::new().build().unwrap();
    let threads = all.current_num_threads();
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("threads: {threads}; loadavg at start: {}", load().trim());
    println!(
        "| envelopes | plain loop (best) | 1-thread pool (best) | {threads}-thread pool (best) | speedup best/best | per-round speedup min – median – max | over plain loop (best/best) | raw ring, 2 threads / 1 (best/best; per-round median) | per-round efficiency min – median – max |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [64, 1024, 8192] {
        let batch: Vec<&str> = (0..n).map(|i| texts[i % texts.len()].as_str()).collect();
        assert!(
            common::verify_all(&keyring, &batch)
                .iter()
                .all(Result::is_ok)
        );
        // Envelopes per second of `f` (one pass over `batch` per call),
        // passes repeated for about `seconds`.
        let rate = |f: &dyn Fn()| {
            let start = Instant::now();
            let mut passes = 0u32;
            while passes == 0 || start.elapsed().as_secs_f64() < seconds {
                f();
                passes += 1;
            }
            f64::from(passes) * n as f64 / start.elapsed().as_secs_f64()
        };
        let plain = || {
            for e in &batch {
                black_box(keyring.verify(black_box(*e), &Policy::any_age()).is_ok());
            }
        };
        let pool1 = || {
            black_box(one.install(|| common::verify_all(&keyring, black_box(&batch))));
        };
        let pool_all = || {
            black_box(all.install(|| common::verify_all(&keyring, black_box(&batch))));
        };
        let raw = |range: std::ops::Range<usize>| {
            for i in range {
                let e = &seeds[i % seeds.len()];
                black_box(key.ring_verify(black_box(&e.signed), black_box(&e.signature)));
            }
        };
        let raw1 = || raw(0..n);
        let raw2 = || {
            std::thread::scope(|s| {
                s.spawn(|| raw(0..n / 2));
                raw(n / 2..n);
            })
        };
        let ways: [&dyn Fn(); 5] = [&plain, &pool1, &pool_all, &raw1, &raw2];
        let mut best = [0f64; 5];
        let (mut speedups, mut raw_speedups, mut efficiency) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let mut r = [0f64; 5];
            for k in 0..5 {
                let way = (round + k) % 5;
                r[way] = rate(ways[way]);
            }
            for (b, x) in best.iter_mut().zip(r) {
                *b = b.max(x);
            }
            speedups.push(r[2] / r[1]);
            raw_speedups.push(r[4] / r[3]);
            efficiency.push((r[2] / r[1]) / (r[4] / r[3]));
        }
        for v in [&mut speedups, &mut raw_speedups, &mut efficiency] {
            v.sort_by(f64::total_cmp);
        }
        let mid = rounds / 2;
        println!(
            "| {n} | {:.0}/s | {:.0}/s | {:.0}/s | **{:.2}x** | {:.2} – {:.2} – {:.2} | {:.2}x | {:.2}x; {:.2}x | **{:.2}** – **{:.2}** – {:.2} |",
            best[0],
            best[1],
            best[2],
            best[2] / best[1],
            speedups[0],
            speedups[mid],
            speedups[rounds - 1],
            best[2] / best[0],
            best[4] / best[3],
            raw_speedups[mid],
            efficiency[0],
            efficiency[mid],
            efficiency[rounds - 1],
        );
    }
    println!("loadavg at end: {}", load().trim());
}
