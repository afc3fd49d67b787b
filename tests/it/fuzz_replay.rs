//! Replays the committed fuzz inputs through the fuzz targets' own bodies
//! (`fuzz/bodies.rs`, the same file the fuzz crate compiles), so the stable
//! test suite exercises them: every file of the seed corpus
//! `fuzz/seeds/<target>/` and every crash found by the fuzzer and kept as a
//! regression input under `fuzz/regressions/<target>/`.
#[path = "../../fuzz/bodies.rs"]
mod bodies;

use respsig::Policy;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; none if the folder does
/// not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The regression inputs listed in `fuzz/regressions/OPEN`: bugs reported
/// and not fixed yet, as `<target>/<file>`.
fn open_findings() -> BTreeSet<String> {
    let text = std::fs::read_to_string(fuzz_dir().join("regressions/OPEN")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Runs every seed and regression input of `target` through its body. A
/// failed property panics inside the body; the file is then named here.
/// Regression inputs listed as open must still panic (strict expected
/// failure), so fixing the bug is noticed and the listing removed.
fn replay(target: &str) {
    let body = bodies::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, body)| *body)
        .unwrap();
    let seeds = inputs("seeds", target);
    assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ is empty");
    let regressions = inputs("regressions", target);
    let open = open_findings();
    let mut still_open = 0;
    for file in seeds.iter().chain(&regressions) {
        let data = std::fs::read(file).unwrap();
        let shown = file.strip_prefix(fuzz_dir()).unwrap();
        let open_entry = shown
            .strip_prefix("regressions")
            .ok()
            .and_then(|p| p.to_str());
        let expect_panic = open_entry.is_some_and(|e| open.contains(e));
        let outcome = std::panic::catch_unwind(|| body(&data));
        if expect_panic {
            assert!(
                outcome.is_err(),
                "fuzz/{} no longer fails: the bug is fixed, delete its line from fuzz/regressions/OPEN",
                shown.display()
            );
            still_open += 1;
        } else {
            assert!(
                outcome.is_ok(),
                "fuzz target {target} panicked on fuzz/{}",
                shown.display()
            );
        }
    }
    // Every open entry of this target names an existing file.
    let prefix = format!("{target}/");
    for entry in open.iter().filter(|e| e.starts_with(&prefix)) {
        assert!(
            fuzz_dir().join("regressions").join(entry).is_file(),
            "fuzz/regressions/OPEN lists a missing file: {entry}"
        );
    }
    println!(
        "fuzz target {target}: replayed {} seed files and {} regression files ({still_open} of them open bugs that still fail as expected)",
        seeds.len(),
        regressions.len()
    );
}

#[test]
fn envelope() {
    replay("envelope");
}

#[test]
fn verify() {
    replay("verify");
}

#[test]
fn canonical() {
    replay("canonical");
}

#[test]
fn key() {
    replay("key");
}

#[test]
fn sign() {
    replay("sign");
}

#[test]
fn license() {
    replay("license");
}

/// The list of bodies, the fuzz targets, the `[[bin]]`s of the fuzz crate
/// and the seed folders name the same seven targets, so none is left out of
/// the replay above or of `fuzz/run.sh`.
#[test]
fn every_target_has_a_body_a_binary_and_seeds() {
    let bodies: BTreeSet<&str> = bodies::TARGETS.iter().map(|(name, _)| *name).collect();
    let expected: BTreeSet<&str> = [
        "canonical",
        "envelope",
        "key",
        "license",
        "sign",
        "state",
        "verify",
    ]
    .into();
    assert_eq!(bodies, expected);

    let names_in = |dir: &str, suffix: &str| -> BTreeSet<String> {
        std::fs::read_dir(fuzz_dir().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter_map(|n| n.strip_suffix(suffix).map(str::to_owned))
            .collect()
    };
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(names_in("fuzz_targets", ".rs"), expected);
    assert_eq!(names_in("seeds", ""), expected);

    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for target in &expected {
        let bin = format!("[[bin]]\nname = \"{target}\"\npath = \"fuzz_targets/{target}.rs\"\n");
        assert!(manifest.contains(&bin), "fuzz/Cargo.toml lacks {bin}");
        let source =
            std::fs::read_to_string(fuzz_dir().join("fuzz_targets").join(format!("{target}.rs")))
                .unwrap();
        assert!(
            source.contains(&format!("respsig_fuzz::{target}(data)")),
            "fuzz_targets/{target}.rs does not call its body"
        );
    }
}

/// The verify seeds start the fuzzer past the signature check: exactly the
/// real envelopes whose signatures are genuine verify. They are 43 in
/// `gkm-docs-vectors.json`, 42 distinct (two pages of the docs show the
/// same envelope, and the seed corpus holds each distinct input once), and
/// one of them again with an agreeing `signature_metadata`.
#[test]
fn verify_seeds_include_the_genuine_envelopes() {
    let pem = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/gkm/gkm-demo-public.pem"),
    )
    .unwrap();
    let key = respsig::PublicKey::from_pem(&pem).unwrap();
    let keyring = respsig::Keyring::new()
        .with("product", key.clone())
        .unwrap()
        .with("global", key)
        .unwrap();
    let mut accepted_files = Vec::new();
    let mut payloads = BTreeSet::new();
    for file in inputs("seeds", "verify") {
        let data = std::fs::read(&file).unwrap();
        if let Ok(v) = keyring.verify(&data, &Policy::any_age()) {
            accepted_files.push(file.file_name().unwrap().to_str().unwrap().to_owned());
            payloads.insert(v.payload_bytes().to_vec());
        }
    }
    // Plus one of them with an agreeing `signature_metadata` added.
    assert_eq!(accepted_files.len(), 43, "{accepted_files:?}");
    let (hand, vectors): (Vec<_>, Vec<_>) =
        accepted_files.iter().partition(|f| f.starts_with("hand-"));
    assert_eq!(hand, ["hand-metadata-agrees.json"]);
    assert!(vectors.iter().all(|f| f.starts_with("vector-")));
    assert_eq!(payloads.len(), 42);
}

#[test]
fn state() {
    replay("state");
}

/// The `state` seeds are the genuine stores the body itself makes, in its
/// input form: they must still be what the body makes (regenerate with
/// `RESPSIG_WRITE_SEEDS=1 cargo test --test it fuzz_replay::state_seeds`).
#[test]
fn state_seeds() {
    let dir = fuzz_dir().join("seeds/state");
    let stores = bodies::state_genuine_stores();
    if std::env::var("RESPSIG_WRITE_SEEDS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, store) in stores.iter().enumerate() {
            std::fs::write(
                dir.join(format!("genuine-{i}")),
                bodies::state_encode(store),
            )
            .unwrap();
        }
    }
    for (i, store) in stores.iter().enumerate() {
        let path = dir.join(format!("genuine-{i}"));
        let seed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(seed, bodies::state_encode(store), "{}", path.display());
    }
}
