//! The floor under respsig's strict read of the signed payload: how fast
//! the fastest JSON readers in Rust read the same bytes, doing less (none
//! refuses duplicate keys), measured in one run with alternating batches
//! so load from other work hits every reader alike. See README.md.
//!
//! `cargo run --release --manifest-path benches/floor/Cargo.toml`;
//! `FLOOR_ROUNDS` (default 200) rounds of about 4 ms per reader.

use std::hint::black_box;
use std::time::Instant;

use base64ct::{Base64, Encoding};
use respsig::{Error, Keyring, Limits, Policy, PublicKey};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A payload and the two envelopes whose read difference is respsig's
/// strict read of it.
struct Input {
    name: String,
    /// The decoded `response_base64`: what each reader reads.
    payload: Vec<u8>,
    /// The compact envelope: `{"response":PAYLOAD,...}`.
    envelope: String,
    /// The same envelope with `response` replaced by `{}`.
    empty: String,
}

fn file(path: &str) -> String {
    let full = format!("{ROOT}/{path}");
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn input(name: &str, envelope: String) -> Input {
    let v: serde_json::Value = serde_json::from_str(&envelope).unwrap();
    let payload = Base64::decode_vec(v["response_base64"].as_str().unwrap()).unwrap();
    // Compact envelopes only: `response` holds the payload's own bytes.
    let prefix = format!("{{\"response\":{},", std::str::from_utf8(&payload).unwrap());
    let rest = envelope
        .strip_prefix(prefix.as_str())
        .unwrap_or_else(|| panic!("{name}: `response` is not the payload's bytes"));
    let empty = format!("{{\"response\":{{}},{rest}");
    Input {
        name: name.to_owned(),
        payload,
        envelope,
        empty,
    }
}

fn inputs() -> Vec<Input> {
    let dir = format!("{ROOT}/target/curve");
    if !std::path::Path::new(&dir).join("100.json").exists() {
        eprintln!("no curve payloads: run `php benches/curve/make.php . target/curve` first");
        std::process::exit(2);
    }
    let mut all: Vec<Input> = ["100", "1024", "2048", "8192", "65536", "1048576"]
        .iter()
        .map(|n| input(n, file(&format!("target/curve/{n}.json"))))
        .collect();
    let two_k = input(
        "payload-2k",
        file("testdata/bench/envelope-2k-rsa2048.json"),
    );
    assert_eq!(
        two_k.payload,
        file("testdata/bench/payload-2k.json").as_bytes()
    );
    all.insert(3, two_k);
    all
}

/// simd-json's fastest validating read: a tape, into buffers and a tape
/// kept across calls. It unescapes strings in place, so every call first
/// copies the payload into the padded buffer (that copy is timed; the
/// `memcpy` row times it alone).
struct SimdJson {
    buf: Vec<u8>,
    len: usize,
    buffers: simd_json::Buffers,
    tape: Option<simd_json::Tape<'static>>,
}

impl SimdJson {
    fn new(len: usize) -> SimdJson {
        SimdJson {
            buf: vec![0; len + simd_json::INPUT_PADDING],
            len,
            buffers: simd_json::Buffers::new(len),
            tape: Some(simd_json::Tape::null()),
        }
    }

    fn copy(&mut self, payload: &[u8]) {
        self.buf[..self.len].copy_from_slice(payload);
    }

    fn read(&mut self, payload: &[u8]) -> bool {
        assert_eq!(payload.len(), self.len);
        self.copy(payload);
        let mut tape = self.tape.take().unwrap_or_else(simd_json::Tape::null);
        let ok = simd_json::fill_tape_padded(&mut self.buf, self.len, &mut self.buffers, &mut tape)
            .is_ok();
        self.tape = Some(black_box(tape).reset());
        ok
    }
}

/// A reader run once on some bytes: whether it accepted them.
type Accepts = fn(&[u8]) -> bool;

fn serde_ignored(p: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(p).is_ok()
}

/// The same after `from_utf8`: what a light scanner over a `&str` costs.
fn serde_str_ignored(p: &[u8]) -> bool {
    std::str::from_utf8(p).is_ok_and(|s| serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok())
}

fn serde_value(p: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(p).is_ok()
}

fn sonic_ignored(p: &[u8]) -> bool {
    sonic_rs::from_slice::<serde::de::IgnoredAny>(p).is_ok()
}

fn sonic_value(p: &[u8]) -> bool {
    sonic_rs::from_slice::<sonic_rs::Value>(p).is_ok()
}

fn utf8(p: &[u8]) -> bool {
    std::str::from_utf8(p).is_ok()
}

fn canonical(p: &[u8]) -> bool {
    respsig::canonical::read(p).is_ok()
}

/// The timed sides of one input, each returning whether it accepted.
struct Side<'a> {
    label: &'static str,
    run: Box<dyn FnMut() -> bool + 'a>,
}

// Indexes of the two envelope reads in `sides`.
const FULL: usize = 0;
const EMPTY: usize = 1;

fn sides<'a>(input: &'a Input, unknown: &'a Keyring, options: &'a Policy) -> Vec<Side<'a>> {
    let p = input.payload.as_slice();
    // `UnknownKeyName`: the envelope reader ran to its end, and no further.
    let read = move |text: &'a str| {
        move || {
            matches!(
                unknown.verify(black_box(text), options),
                Err(Error::UnknownKeyName { .. })
            )
        }
    };
    let mut simd = SimdJson::new(p.len());
    let mut copy = SimdJson::new(p.len());
    let side = |label, run: Box<dyn FnMut() -> bool + 'a>| Side { label, run };
    vec![
        side("respsig envelope read", Box::new(read(&input.envelope))),
        side(
            "respsig envelope read, `response` {}",
            Box::new(read(&input.empty)),
        ),
        side("std::str::from_utf8", Box::new(move || utf8(black_box(p)))),
        side(
            "memcpy into a padded buffer",
            Box::new(move || {
                copy.copy(black_box(p));
                black_box(&copy.buf);
                true
            }),
        ),
        side(
            "simd-json fill_tape_padded (incl. memcpy)",
            Box::new(move || simd.read(black_box(p))),
        ),
        side(
            "sonic-rs from_slice::<IgnoredAny>",
            Box::new(move || sonic_ignored(black_box(p))),
        ),
        side(
            "sonic-rs from_slice::<Value>",
            Box::new(move || sonic_value(black_box(p))),
        ),
        side(
            "serde_json from_slice::<IgnoredAny>",
            Box::new(move || serde_ignored(black_box(p))),
        ),
        side(
            "serde_json from_utf8 + from_str::<IgnoredAny>",
            Box::new(move || serde_str_ignored(black_box(p))),
        ),
        side(
            "serde_json from_slice::<Value>",
            Box::new(move || serde_value(black_box(p))),
        ),
        side(
            "respsig canonical::read (strict, builds a Value)",
            Box::new(move || canonical(black_box(p))),
        ),
    ]
}

fn quantile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Per-round times (ns per call) of every side: each round gives every
/// side about 4 ms, in alternating batches, the order rotated every round.
/// A side's 4 ms is split into up to 8 short batches and the fastest one
/// counts, so a batch that lost the core to other work on this shared
/// machine does not count; without that, respsig's number (a difference
/// of two reads) swings past its own size on small payloads. The two
/// envelope reads run back to back (their order swapped every round),
/// so their difference is taken under the same conditions.
fn measure(sides: &mut [Side], rounds: usize) -> Vec<Vec<f64>> {
    let plan: Vec<(u32, u32)> = sides
        .iter_mut()
        .map(|s| {
            let start = Instant::now();
            let mut calls = 0u32;
            while calls < 3 || start.elapsed().as_millis() < 20 {
                black_box((s.run)());
                calls += 1;
            }
            let per_call = start.elapsed().as_secs_f64() / f64::from(calls);
            let calls = ((0.5e-3 / per_call).ceil() as u32).max(1);
            let batches = (4e-3 / (per_call * f64::from(calls))).round() as u32;
            (calls, batches.clamp(2, 8))
        })
        .collect();
    let mut time = |i: usize| {
        let (calls, batches) = plan[i];
        let mut best = f64::INFINITY;
        for _ in 0..batches {
            let t = Instant::now();
            for _ in 0..calls {
                black_box((sides[i].run)());
            }
            best = best.min(t.elapsed().as_secs_f64() * 1e9 / f64::from(calls));
        }
        best
    };
    let n = plan.len();
    // Units of the rotation: the two envelope reads together, then each
    // other side.
    let units: Vec<Vec<usize>> = std::iter::once(vec![FULL, EMPTY])
        .chain((0..n).filter(|&i| i != FULL && i != EMPTY).map(|i| vec![i]))
        .collect();
    let mut times = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..units.len() {
            let unit = &units[(round + k) % units.len()];
            let mut order = unit.clone();
            if round % 2 == 1 {
                order.reverse();
            }
            for i in order {
                times[i].push(time(i));
            }
        }
    }
    times
}

/// One reader's result on one input: ns per payload byte (median) and
/// the ratio to respsig's strict read (median and IQR of per-round
/// ratios).
#[derive(Clone, Copy)]
struct Cell {
    ns_per_byte: f64,
    ratio: [f64; 3],
}

/// One input's results: respsig's two envelope reads (median ns per call),
/// its strict read (median ns per payload byte) and every other reader.
struct Row {
    full: f64,
    empty: f64,
    strict: f64,
    cells: Vec<Cell>,
}

/// Which of the probes each reader refuses. respsig's row runs
/// `canonical::read`, the same strict reader the envelope's `response`
/// goes through.
fn probes() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let probes: [(&str, &[u8]); 9] = [
        ("duplicate key", br#"{"a":1,"a":2}"#),
        ("duplicate key, nested", br#"[{"b":{"a":1,"a":2}}]"#),
        ("invalid UTF-8 in a string", b"[\"\xff\"]"),
        ("lone surrogate escape", br#"["\ud800"]"#),
        ("bad hex in \\u escape", br#"["\u12g4"]"#),
        ("control byte in a string", b"[\"\x01\"]"),
        ("leading zero", b"[01]"),
        ("trailing comma", b"[1,]"),
        ("depth 200 (respsig's limit: 128)", deep.as_bytes()),
    ];
    let readers: [(&str, Accepts); 8] = [
        ("respsig", canonical),
        ("from_utf8", utf8),
        ("simd-json", |p| SimdJson::new(p.len()).read(p)),
        ("sonic IgnoredAny", sonic_ignored),
        ("sonic Value", sonic_value),
        ("serde IgnoredAny", serde_ignored),
        ("serde utf8 + IgnoredAny", serde_str_ignored),
        ("serde Value", serde_value),
    ];
    print!("| refuses? |");
    for (name, _) in &readers {
        print!(" {name} |");
    }
    print!("\n|---|");
    for _ in &readers {
        print!("---|");
    }
    println!();
    for (what, bytes) in probes {
        print!("| {what} |");
        for (_, accepts) in &readers {
            print!(" {} |", if accepts(bytes) { "no" } else { "yes" });
        }
        println!();
    }
}

/// Which SIMD the readers use: simd-json picks its kernel at run time,
/// sonic-rs and respsig's auto-vectorized loops at build time.
fn simd_note() -> String {
    #[cfg(target_arch = "x86_64")]
    let cpu = if std::is_x86_feature_detected!("avx2") {
        "has AVX2"
    } else {
        "has no AVX2"
    };
    #[cfg(not(target_arch = "x86_64"))]
    let cpu = "is not x86_64";
    let built = if cfg!(target_feature = "avx2") {
        "with AVX2"
    } else {
        "without AVX2"
    };
    format!("Built {built}; the CPU {cpu}.")
}

fn main() {
    let rounds: usize = std::env::var("FLOOR_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let key = PublicKey::from_pem(&file("testdata/keys/rsa2048.pub.pem")).unwrap();
    let unknown = Keyring::new().with("other", key).unwrap();
    let options = Policy::any_age().limits(Limits::new().max_input_bytes(8 << 20));
    let inputs = inputs();

    let mut labels = Vec::new();
    let mut results = Vec::new();
    for input in &inputs {
        let mut sides = sides(input, &unknown, &options);
        // Nothing is timed on an error path.
        for s in sides.iter_mut() {
            assert!((s.run)(), "{}: {} refused the payload", input.name, s.label);
        }
        let times = measure(&mut sides, rounds);
        let len = input.payload.len() as f64;
        let strict: Vec<f64> = times[FULL]
            .iter()
            .zip(&times[EMPTY])
            .map(|(f, e)| f - e)
            .collect();
        let cells = (0..sides.len())
            .filter(|&i| i != FULL && i != EMPTY)
            .map(|i| {
                let mut ratios: Vec<f64> =
                    times[i].iter().zip(&strict).map(|(t, s)| t / s).collect();
                Cell {
                    ns_per_byte: quantile(&mut times[i].clone(), 0.5) / len,
                    ratio: [
                        quantile(&mut ratios, 0.5),
                        quantile(&mut ratios, 0.25),
                        quantile(&mut ratios, 0.75),
                    ],
                }
            })
            .collect();
        if labels.is_empty() {
            labels = (0..sides.len())
                .filter(|&i| i != FULL && i != EMPTY)
                .map(|i| sides[i].label)
                .collect();
        }
        let mut strict = strict;
        results.push(Row {
            full: quantile(&mut times[FULL].clone(), 0.5),
            empty: quantile(&mut times[EMPTY].clone(), 0.5),
            strict: quantile(&mut strict, 0.5) / len,
            cells,
        });
        eprintln!("{}: done", input.name);
    }

    println!("Payload bytes, and respsig's envelope reads (median per call):\n");
    println!(
        "| payload | bytes | envelope read | read, `response` {{}} | strict read of `response` (difference) |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (
        input,
        Row {
            full,
            empty,
            strict,
            ..
        },
    ) in inputs.iter().zip(&results)
    {
        println!(
            "| {} | {} | {:.2} µs | {:.2} µs | {:.3} ns/B |",
            input.name,
            input.payload.len(),
            full / 1e3,
            empty / 1e3,
            strict
        );
    }

    print!(
        "\nns per payload byte (median), and in parentheses the ratio to respsig's strict read (median of per-round ratios):\n\n| reader |"
    );
    for input in &inputs {
        print!(" {} |", input.name);
    }
    print!("\n|---|");
    for _ in &inputs {
        print!("---:|");
    }
    print!("\n| **respsig strict read** (difference) |");
    for Row { strict, .. } in &results {
        print!(" **{strict:.3}** (1) |");
    }
    println!();
    for (i, label) in labels.iter().enumerate() {
        print!("| {label} |");
        for Row { cells, .. } in &results {
            print!(" {:.3} ({:.2}) |", cells[i].ns_per_byte, cells[i].ratio[0]);
        }
        println!();
    }

    print!(
        "\nRatio to respsig's strict read: interquartile range of the per-round ratios:\n\n| reader |"
    );
    for input in &inputs {
        print!(" {} |", input.name);
    }
    print!("\n|---|");
    for _ in &inputs {
        print!("---:|");
    }
    println!();
    for (i, label) in labels.iter().enumerate() {
        print!("| {label} |");
        for Row { cells, .. } in &results {
            print!(" {:.2} – {:.2} |", cells[i].ratio[1], cells[i].ratio[2]);
        }
        println!();
    }

    println!("\nWhat each reader refuses (probes; `yes` = refused):\n");
    probes();
    println!("\n{rounds} rounds per payload. {}", simd_note());
}
