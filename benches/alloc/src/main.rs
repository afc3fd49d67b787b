//! Heap allocations per operation: a counting global allocator around the
//! system allocator, then each operation run once (after one warm-up call)
//! and counted exactly. Prints a table: allocations, bytes allocated, and
//! peak bytes live above the starting point, per call.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use respsig::{Keyring, Limits, PublicKey, SigningKey, canonical, dangerous};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(size: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    BYTES.fetch_add(size, Relaxed);
    let live = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are
// atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as one allocation of the new size (a move, in general).
        LIVE.fetch_sub(layout.size(), Relaxed);
        grow(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations, bytes and peak live bytes of one call of `f` (its result
/// dropped inside the measurement, as a caller would drop it).
fn count<T>(mut f: impl FnMut() -> T) -> (usize, usize, usize) {
    drop(black_box(f()));
    let (a0, b0, l0) = (
        ALLOCS.load(Relaxed),
        BYTES.load(Relaxed),
        LIVE.load(Relaxed),
    );
    PEAK.store(l0, Relaxed);
    drop(black_box(f()));
    (
        ALLOCS.load(Relaxed) - a0,
        BYTES.load(Relaxed) - b0,
        PEAK.load(Relaxed) - l0,
    )
}

fn read(path: &str) -> String {
    let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn keyring(pem: &str) -> Keyring {
    let key = PublicKey::from_pem(&read(pem)).unwrap_or_else(|e| panic!("{pem}: {e}"));
    let ring = Keyring::new().with("product", key.clone());
    ring.and_then(|r| r.with("global", key))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let demo = keyring("testdata/gkm/gkm-demo-public.pem");
    let k2048 = keyring("testdata/keys/rsa2048.pub.pem");
    let k4096 = keyring("testdata/keys/rsa4096.pub.pem");
    let seed = read("testdata/gkm/seed-373-update-product-meta.json");
    let big2048 = read("testdata/bench/envelope-2k-rsa2048.json");
    let big4096 = read("testdata/bench/envelope-2k-rsa4096.json");
    let limits = Limits::default();
    let signing =
        SigningKey::from_pem(&read("testdata/keys/rsa2048.pem")).unwrap_or_else(|e| panic!("{e}"));
    let seed_response = dangerous::read(seed.as_bytes(), &limits)
        .unwrap_or_else(|e| panic!("{e}"))
        .response()
        .clone();
    let payload_2k = canonical::read(read("testdata/bench/payload-2k.json").as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));

    let rows: Vec<(&str, (usize, usize, usize))> = vec![
        (
            "verify seed_373 (2048)",
            count(|| demo.verify(seed.as_str(), &respsig::Policy::any_age()).unwrap()),
        ),
        (
            "verify 2k payload (2048)",
            count(|| k2048.verify(big2048.as_str(), &respsig::Policy::any_age()).unwrap()),
        ),
        (
            "verify 2k payload (4096)",
            count(|| k4096.verify(big4096.as_str(), &respsig::Policy::any_age()).unwrap()),
        ),
        (
            "parse seed_373 (dangerous::read)",
            count(|| dangerous::read(seed.as_bytes(), &limits).unwrap()),
        ),
        (
            "parse 2k envelope (dangerous::read)",
            count(|| dangerous::read(big2048.as_bytes(), &limits).unwrap()),
        ),
        (
            "sign seed_373 (2048)",
            count(|| signing.sign_envelope("product", &seed_response).unwrap()),
        ),
        (
            "canonical::to_vec 2k payload",
            count(|| canonical::to_vec(&payload_2k)),
        ),
    ];
    println!("| operation | allocations | bytes allocated | peak live bytes |");
    println!("|---|---:|---:|---:|");
    for (name, (allocs, bytes, peak)) in rows {
        println!("| {name} | {allocs} | {bytes} | {peak} |");
    }
}
