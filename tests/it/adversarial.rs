//! The adversarial corpus: every case in `testdata/adversarial/README.md`'s
//! table, run through the public API, must give exactly the `expected`
//! column. The table is the single list of cases; a file in `cases/` without
//! a row, or a row without its file, fails the test.
use crate::common;

use std::collections::BTreeSet;

use respsig::{KeyPolicy, Keyring, Policy, PublicKey};

struct Case {
    name: String,
    keyring: String,
    expected: String,
}

/// The rows of the README's case table.
fn cases() -> Vec<Case> {
    let readme = common::text("adversarial/README.md");
    let table = readme
        .split_once("## Cases\n")
        .expect("README has a `## Cases` section")
        .1;
    table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| case "))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            assert!(cells.len() >= 4, "malformed row: {line}");
            let unquote = |cell: &str| cell.trim_matches('`').to_owned();
            Case {
                name: unquote(cells[0].trim_start_matches("| ")),
                keyring: cells[1].to_owned(),
                expected: unquote(cells[2]),
            }
        })
        .collect()
}

fn keyring(name: &str) -> Keyring {
    match name {
        "demo" => common::demo_keyring(),
        "pair" => Keyring::new()
            .with("product", common::public("keys/rsa2048.pub.pem"))
            .unwrap()
            .with("global", common::public("keys/other2048.pub.pem"))
            .unwrap(),
        "e3" => {
            let pem = common::text("adversarial/keys/e3-2048.pub.pem");
            let key = KeyPolicy::default()
                .allow_small_exponent()
                .load(pem.as_bytes())
                .unwrap();
            Keyring::new().with("product", key).unwrap()
        }
        other => panic!("unknown keyring {other:?} in the README table"),
    }
}

fn outcome<T>(result: Result<T, respsig::Error>) -> String {
    match result {
        Ok(_) => "Ok".to_owned(),
        Err(e) => format!("{e:?}"),
    }
}

fn run(case: &Case) -> String {
    if case.name.starts_with("generated: 64 MiB") {
        let input = vec![b'['; 64 << 20];
        return outcome(keyring(&case.keyring).verify(&input, &Policy::any_age()));
    }
    let rel = format!("adversarial/{}", case.name);
    if case.keyring == "load" {
        return outcome(PublicKey::from_pem(&common::text(&rel)));
    }
    let input = common::bytes(&format!("adversarial/cases/{}", case.name));
    outcome(keyring(&case.keyring).verify(&input, &Policy::any_age()))
}

#[test]
fn every_case_gets_its_expected_result() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(case);
        if got != case.expected {
            failures.push(format!(
                "{}: expected `{}`, got `{got}`",
                case.name, case.expected
            ));
        }
    }
    let refused = cases.iter().filter(|c| c.expected != "Ok").count();
    println!(
        "adversarial: {} cases ({} refusals, {} positive controls), {} passed",
        cases.len(),
        refused,
        cases.len() - refused,
        cases.len() - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_lists_every_file_once() {
    let listed: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.keyring != "load" && !c.name.starts_with("generated:"))
        .map(|c| c.name)
        .collect();
    let unique: BTreeSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "a case is listed twice");
    let on_disk: BTreeSet<String> = std::fs::read_dir(common::path("adversarial/cases"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    let listed: BTreeSet<String> = listed.into_iter().collect();
    assert_eq!(
        on_disk.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "files without a row"
    );
    assert_eq!(
        listed.difference(&on_disk).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "rows without a file"
    );
}

/// The e = 3 key is refused by every strict loader, and the opt-in is
/// what lets it in.
#[test]
fn small_exponent_keys_need_the_opt_in() {
    let pem = common::text("adversarial/keys/e3-2048.pub.pem");
    let refused = Err(respsig::Error::KeyRejected(
        respsig::KeyProblem::SmallExponent { e: 3 },
    ));
    assert_eq!(PublicKey::from_pem(&pem), refused);
    assert_eq!(KeyPolicy::strict().load(pem.as_bytes()), refused);
    assert_eq!(KeyPolicy::default().load(pem.as_bytes()), refused);
    let key = KeyPolicy::strict()
        .allow_small_exponent()
        .load(pem.as_bytes())
        .unwrap();
    assert_eq!(key.bits(), 2048);
    // Same key from DER, through the strict and the lax loader.
    assert_eq!(PublicKey::from_der(key.spki_der()), refused);
    assert_eq!(
        KeyPolicy::default()
            .allow_small_exponent()
            .load(key.spki_der()),
        Ok(key)
    );
}
