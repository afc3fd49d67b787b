//! The subcommands.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use respsig::{
    Algorithm, Hash, Keyring, LicensePolicy, Limits, Policy, PublicKey, Signer, UnixTime, canonical,
};

use crate::Failure;
use crate::advice;
use crate::args::{
    CanonicalizeArgs, FingerprintArgs, HashArg, InspectArgs, KeyArg, KeygenArgs, LicenseFormatArg,
    LicenseIssueArgs, LicenseVerifyArgs, SignArgs, VerifyArgs,
};
use crate::input::{self, describe};

pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            // The reader went away (`| head`): stop quietly, as coreutils do.
            std::io::ErrorKind::BrokenPipe => Failure::BrokenPipe,
            _ => Failure::Usage(format!("cannot write standard output: {e}")),
        })
}

fn refused(e: respsig::Error) -> Failure {
    Failure::Refused(advice::message(&e))
}

/// The public keys of `--key NAME=PATH` arguments, RSA keys verifying
/// with `hash` (SHA-256 if `None`). A `hash` given with no RSA key is a
/// usage error: it would have no effect.
fn keyring(keys: &[KeyArg], hash: Option<HashArg>) -> Result<Keyring, Failure> {
    let mut keyring = Keyring::new();
    let mut rsa = false;
    for arg in keys {
        let key = input::public_key(&arg.path, hash.map_or(Hash::Sha256, Hash::from))?;
        rsa |= key.algorithm() != Algorithm::Ed25519;
        keyring
            .add(&arg.name, key)
            .map_err(|e| Failure::Usage(format!("--key {arg}: {e}")))?;
    }
    if let (Some(hash), false) = (hash, rsa) {
        return Err(no_hash_for_ed25519(hash, "every --key is an Ed25519 key"));
    }
    Ok(keyring)
}

fn no_hash_for_ed25519(hash: HashArg, which: &str) -> Failure {
    let hash = clap::ValueEnum::to_possible_value(&hash)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    Failure::Usage(format!(
        "--hash {hash}: {which}, whose hash is part of the algorithm; --hash applies to RSA keys only, leave it out"
    ))
}

/// How a key is named in every message: `RSA-2048, SHA-256, sha256:...`
/// or `Ed25519, sha256:...`.
pub fn describe_key(key: &PublicKey) -> String {
    match key.algorithm() {
        Algorithm::Ed25519 => format!("Ed25519, sha256:{}", key.fingerprint()),
        _ => format!(
            "RSA-{}, {}, sha256:{}",
            key.bits(),
            key.hash(),
            key.fingerprint()
        ),
    }
}

pub fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let keyring = keyring(&args.keys.list, args.hash)?;
    let max_bytes = args.input.max_bytes;
    let max_age = args.max_age.map(Duration::from_secs);
    let mut policy = match (args.sent_at, max_age) {
        (Some(sent_at), max_age) => {
            let policy = Policy::answer_to(UnixTime::from_secs(sent_at))
                .replay_window(Duration::from_secs(args.replay_window));
            match max_age {
                Some(max_age) => policy.and_max_age(max_age),
                None => policy,
            }
        }
        (None, Some(max_age)) => Policy::max_age(max_age),
        // clap requires one of the three.
        (None, None) => Policy::any_age(),
    }
    .clock_drift(Duration::from_secs(args.clock_drift))
    .limits(Limits::new().max_input_bytes(max_bytes));
    if let Some(name) = &args.signed_by {
        policy = policy.signed_by(name);
    }
    let envelope = input::read(&args.input.file, max_bytes)?;
    let verified = keyring.verify(&envelope, &policy).map_err(refused)?;
    let mut out = if args.pretty {
        crate::pretty::indent(verified.payload_bytes())
    } else {
        verified.payload_bytes().to_vec()
    };
    out.push(b'\n');
    write_stdout(&out)?;
    if !args.quiet {
        eprintln!(
            "respsig: verified {}: signed by key `{}` ({}), code {}",
            describe(&args.input.file),
            verified.key_name(),
            describe_key(verified.key()),
            verified
                .code()
                .map_or_else(|| "none".to_owned(), |c| c.to_string()),
        );
    }
    Ok(())
}

pub fn sign(args: &SignArgs) -> Result<(), Failure> {
    let hash = args.hash;
    let names: Vec<&str> = args.keys.list.iter().map(|k| k.name.as_str()).collect();
    if let Some(again) = args
        .keys
        .list
        .iter()
        .enumerate()
        .find(|(i, k)| names[..*i].contains(&k.name.as_str()))
        .map(|(_, k)| k)
    {
        return Err(Failure::Usage(format!(
            "--key {again}: a key named `{}` was already given",
            again.name
        )));
    }
    // Only the chosen key's file is read.
    let chosen = &args.keys.list[choose_key(args.keys.choice.name.as_deref(), &names, "signs")?];
    let name = chosen.name.as_str();
    let key = input::signing_key(&chosen.path, hash.map_or(Hash::Sha256, Hash::from))?;
    if let (Some(hash), Algorithm::Ed25519) = (hash, key.algorithm()) {
        return Err(no_hash_for_ed25519(
            hash,
            &format!("key `{name}` is an Ed25519 key"),
        ));
    }
    let signer = Signer::new()
        .with(name, key)
        .map_err(|e| Failure::Usage(format!("--key {chosen}: {e}")))?;
    let text = input::read(&args.input.file, args.input.max_bytes)?;
    let response = canonical::read(&text).map_err(refused)?;
    if !response.is_object() {
        // There is no envelope yet: say what is wrong with the input.
        return Err(Failure::Refused(format!(
            "{}: the response to sign is not a JSON object",
            describe(&args.input.file)
        )));
    }
    let mut envelope = signer.sign(name, &response).map_err(refused)?;
    envelope.push('\n');
    write_stdout(envelope.as_bytes())
}

/// Which of the `--key` names given `--name` chooses (the only one when
/// `--name` is left out), as an index into `names`; `verb` says what the
/// key does, for the message.
fn choose_key(name: Option<&str>, names: &[&str], verb: &str) -> Result<usize, Failure> {
    match (name, names) {
        (Some(n), _) => names.iter().position(|k| *k == n).ok_or_else(|| {
            Failure::Usage(format!("--name {n}: no --key was given under that name"))
        }),
        (None, [_]) => Ok(0),
        (None, _) => Err(Failure::Usage(format!(
            "several keys given: say which one {verb} with --name NAME"
        ))),
    }
}

pub fn keygen(args: &KeygenArgs) -> Result<(), Failure> {
    let (bits, out, name, force) = (
        args.bits.get(),
        args.out.as_path(),
        args.name.as_str(),
        args.force,
    );
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(Failure::Usage(format!(
            "--name {name:?}: use a plain file stem such as product"
        )));
    }
    let private_path = out.join(format!("{name}.pem"));
    let public_path = out.join(format!("{name}.pub.pem"));
    if !out.is_dir() {
        return Err(Failure::Usage(format!(
            "--out {}: not a directory",
            out.display()
        )));
    }
    // Checked up front so that no key is generated in vain; the writes
    // below refuse an existing file again (create_new), which also covers a
    // file that appears meanwhile and a dangling symlink.
    for p in [&private_path, &public_path] {
        if p.symlink_metadata().is_ok() && !force {
            return Err(Failure::Usage(format!(
                "{} exists; pass --force to overwrite it",
                p.display()
            )));
        }
    }
    eprintln!("respsig: generating a {bits}-bit RSA key (this can take a few seconds)...");
    let start = Instant::now();
    let pair = respsig::keygen::generate(bits).map_err(|e| Failure::Usage(e.to_string()))?;
    write_file(&private_path, pair.private_pem.as_bytes(), 0o600, force)?;
    let public = pair.signing_key.public_key();
    write_file(&public_path, public.to_pem().as_bytes(), 0o644, force)?;
    eprintln!(
        "respsig: done in {:.1} s\n  private key: {} (PKCS#8, keep it secret)\n  public key:  {} (SPKI)\n  sha256:      {}",
        start.elapsed().as_secs_f64(),
        private_path.display(),
        public_path.display(),
        public.fingerprint()
    );
    Ok(())
}

/// Writes a new file with Unix permissions `mode`; an existing file (or
/// symlink) is an error unless `overwrite`.
fn write_file(path: &Path, bytes: &[u8], mode: u32, overwrite: bool) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Usage(format!("cannot write {}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut f = options.open(path).map_err(fail)?;
    #[cfg(unix)]
    {
        // `mode` only applies to a new file; an overwritten one gets it too.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    f.write_all(bytes).map_err(fail)
}

pub fn license_verify(args: &LicenseVerifyArgs) -> Result<(), Failure> {
    let keyring = keyring(&args.keys.list, args.hash)?;
    let names: Vec<&str> = keyring.names().collect();
    // Only the chosen name's keys are tried, for both formats.
    let name = names[choose_key(args.choice.name.as_deref(), &names, "verifies the license")?];
    let max_bytes = args.input.max_bytes;
    let file = input::read(&args.input.file, max_bytes)?;
    let mut policy = LicensePolicy::new()
        .limits(Limits::new().max_input_bytes(max_bytes))
        .require_integrity(args.require_integrity)
        .expiry_leeway(Duration::from_secs(args.expiry_leeway));
    if let Some(id) = &args.hardware_id {
        policy = policy.hardware_id(id);
    }
    if let Some(domain) = &args.domain {
        policy = policy.domain(domain);
    }
    let verified = keyring.verify_license(name, &file, &policy).map_err(|e| {
        // A signed-JSON license signed with another hash than the key is
        // configured with looks altered: say how to name the hash.
        let rsa = || {
            keyring
                .keys(name)
                .iter()
                .any(|key| key.algorithm() != Algorithm::Ed25519)
        };
        if e == respsig::Error::BadSignature
            && args.hash.is_none()
            && respsig::LicenseFormat::detect(&file) == respsig::LicenseFormat::SignedJson
            && rsa()
        {
            Failure::Refused(format!(
                "{}; or it was signed with SHA-384 or SHA-512 (RSA keys verify with SHA-256 unless --hash says otherwise)",
                advice::message(&e)
            ))
        } else {
            refused(e)
        }
    })?;
    let format = verified.format();
    let exact = if format == respsig::LicenseFormat::SignedJson {
        // The license object as it stands in the signed bytes.
        canonical::to_vec_with(verified.value(), canonical::Options::php_sdk_license())
    } else {
        verified.signed_bytes().to_vec()
    };
    // --pretty changes whitespace only: every token stays as signed.
    let mut out = if args.pretty {
        crate::pretty::indent(&exact)
    } else {
        exact
    };
    out.push(b'\n');
    write_stdout(&out)?;
    if !args.quiet {
        let what = match (format, verified.has_integrity()) {
            (respsig::LicenseFormat::SignedJson, _) => "signed-JSON license",
            (_, true) => ".lic license with integrity member",
            (_, false) => ".lic license without integrity member",
        };
        eprintln!(
            "respsig: {what} {} verified: key `{}` ({}), license key {}",
            describe(&args.input.file),
            verified.key_name(),
            describe_key(verified.key()),
            verified.license().license_key,
        );
    }
    Ok(())
}

pub fn license_issue(args: &LicenseIssueArgs) -> Result<(), Failure> {
    let mut given: Vec<(&str, &Path)> = Vec::new();
    for arg in &args.keys.list {
        if given.iter().any(|(n, _)| *n == arg.name) {
            return Err(Failure::Usage(format!(
                "--key {arg}: a key named `{}` was already given",
                arg.name
            )));
        }
        given.push((&arg.name, &arg.path));
    }
    let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
    // Only the chosen key file is read.
    let (name, path) = given[choose_key(
        args.keys.choice.name.as_deref(),
        &names,
        "writes the license",
    )?];
    let text = input::read(&args.input.file, args.input.max_bytes)?;
    if args.format == LicenseFormatArg::Json {
        // An ordinary signature, by the crypto backend: any signing key.
        let key = input::signing_key(path, args.hash.map_or(Hash::Sha256, Hash::from))?;
        if let (Some(hash), Algorithm::Ed25519) = (args.hash, key.algorithm()) {
            return Err(no_hash_for_ed25519(
                hash,
                &format!("key `{name}` is an Ed25519 key"),
            ));
        }
        let mut file = canonical::read(&text)
            .and_then(|license| key.sign_license_json(&license))
            .map_err(refused)?;
        file.push('\n');
        write_stdout(file.as_bytes())?;
        if !args.quiet {
            eprintln!(
                "respsig: signed-JSON license for {} written under key `{name}` ({})",
                describe(&args.input.file),
                describe_key(key.public_key()),
            );
        }
        return Ok(());
    }
    if args.hash.is_some() {
        return Err(Failure::Usage(
            "--hash applies to --format json: a .lic file has no hash, its RSA blocks carry the license itself".to_owned(),
        ));
    }
    let writer = input::license_writer(path)?;
    let mut file = if args.exact {
        writer.write_json(&text)
    } else {
        canonical::read(&text).and_then(|license| writer.write(&license))
    }
    .map_err(refused)?;
    file.push('\n');
    write_stdout(file.as_bytes())?;
    if !args.quiet {
        let key = writer.public_key();
        eprintln!(
            "respsig: license for {} written: {} block(s) under key `{name}` ({})",
            describe(&args.input.file),
            (file.len() - 1) / 4 * 3 / key.signature_len(),
            describe_key(key),
        );
    }
    Ok(())
}

pub fn fingerprint(args: &FingerprintArgs) -> Result<(), Failure> {
    let mut out = String::new();
    for path in &args.paths {
        let key = input::any_key(path)?;
        let kind = match key.algorithm() {
            Algorithm::Ed25519 => "Ed25519".to_owned(),
            _ => format!("RSA-{}", key.bits()),
        };
        out.push_str(&format!(
            "{}  {kind}  {}\n",
            key.fingerprint(),
            path.display()
        ));
    }
    write_stdout(out.as_bytes())
}

pub fn canonicalize(args: &CanonicalizeArgs) -> Result<(), Failure> {
    let options = canonical::Options::new()
        .unescaped_slashes(args.unescaped_slashes)
        .unescaped_unicode(args.unescaped_unicode);
    let text = input::read(&args.input.file, args.input.max_bytes)?;
    let bytes = canonical::canonicalize_with(&text, options).map_err(refused)?;
    write_stdout(&bytes)
}

pub fn inspect(args: &InspectArgs) -> Result<(), Failure> {
    let max_bytes = args.input.max_bytes;
    let text = input::read(&args.input.file, max_bytes)?;
    let env = respsig::dangerous::read(&text, &Limits::new().max_input_bytes(max_bytes))
        .map_err(refused)?;
    let mut report = String::new();
    report.push_str(
        "NOT VERIFIED: this shows what the envelope claims. Use `respsig verify` before trusting any of it.\n",
    );
    report.push_str(&format!(
        "private_key_used: {}\n",
        serde_json::to_string(env.claimed_key_name()).unwrap_or_default()
    ));
    let signature = if env.is_unsigned() {
        match env.signature_text() {
            None => "missing (unsigned response)".to_owned(),
            Some("") => "empty (unsigned response)".to_owned(),
            Some(_) => format!("\"{}\" (unsigned response)", respsig::UNSIGNED_MARKER),
        }
    } else {
        match env.signature_len() {
            Some(len) => format!("{len} bytes ({} bits)", len * 8),
            None => "not strict standard base64".to_owned(),
        }
    };
    report.push_str(&format!("signature:        {signature}\n"));
    if let Some(metadata) = env.signature_metadata() {
        let claim = match env.claimed_algorithm() {
            Some((_, Some(algorithm))) => format!("names {algorithm}"),
            Some((name, None)) => format!(
                "names {}, an algorithm respsig does not know",
                serde_json::to_string(name).unwrap_or_default()
            ),
            None => "names no algorithm".to_owned(),
        };
        report.push_str(&format!(
            "signature_metadata: {} ({claim}; unsigned: verify refuses the envelope if it disagrees with the key, never follows it)\n",
            serde_json::to_string(metadata).unwrap_or_default()
        ));
    }
    let payload = env.decoded_payload();
    report.push_str(&format!(
        "response_base64:  {} characters, {}\n",
        env.response_base64().len(),
        match &payload {
            Ok(p) if p.is_object() => "decodes to a JSON object".to_owned(),
            Ok(_) => "decodes to JSON that is not an object".to_owned(),
            Err(e) => e.to_string(),
        }
    ));
    report.push_str(&format!(
        "response matches: {}\n",
        match env.response_matches_payload() {
            Some(true) => "yes, `response` is the same JSON value as the decoded payload",
            Some(false) => "NO, the unsigned `response` differs from the decoded payload",
            None => "cannot tell (payload unreadable)",
        }
    ));
    if let Ok(p) = &payload {
        report.push_str("decoded payload:\n");
        report.push_str(&serde_json::to_string_pretty(p).unwrap_or_default());
        report.push('\n');
    }
    write_stdout(report.as_bytes())
}
