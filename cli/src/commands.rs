//! The subcommands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use respsig::{Freshness, Hash, Keyring, Limits, Signer, VerifyOptions, canonical};

use crate::input::{self, describe};
use crate::{Failure, HashArg};

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Usage(format!("cannot write standard output: {e}")))
}

fn refused(e: respsig::Error) -> Failure {
    Failure::Refused(e.to_string())
}

/// Verify an envelope and print its signed payload.
///
/// Prints the exact signed payload (the decoded response_base64) on
/// standard output and exits 0; prints why the envelope was refused on
/// standard error and exits 1.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// A public key: NAME=PATH (PEM or DER; SPKI or PKCS#1). Repeat for
    /// several names, or for several keys under one name (rotation).
    #[arg(long = "key", value_name = "NAME=PATH", required = true)]
    keys: Vec<String>,
    /// The hash the keys verify with.
    #[arg(long, value_enum, default_value_t = HashArg::Sha256)]
    hash: HashArg,
    /// Refuse responses whose signed timestamp is older than this many
    /// seconds.
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
    /// With --max-age: how far ahead of this machine's clock a timestamp
    /// may be.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 300,
        requires = "max_age"
    )]
    max_future_skew: u64,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT_MAX_INPUT_BYTES)]
    max_bytes: usize,
    /// Print the payload indented: only whitespace changes, every token
    /// (numbers, string escapes) stays exactly as signed.
    #[arg(long)]
    pretty: bool,
    /// Print nothing on standard error when the envelope verifies.
    #[arg(long, short)]
    quiet: bool,
    /// The envelope file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

/// The public keys of `--key NAME=PATH` arguments, verifying with `hash`.
fn keyring(keys: &[String], hash: Hash) -> Result<Keyring, Failure> {
    let mut keyring = Keyring::new();
    for arg in keys {
        let (name, path) = input::key_arg(arg)?;
        let key = input::public_key(path, hash)?;
        keyring
            .add(name, key)
            .map_err(|e| Failure::Usage(format!("--key {arg}: {e}")))?;
    }
    Ok(keyring)
}

pub fn verify(args: VerifyArgs) -> Result<(), Failure> {
    let keyring = keyring(&args.keys, args.hash.into())?;
    let mut options = VerifyOptions::new().limits(Limits::new().max_input_bytes(args.max_bytes));
    if let Some(max_age) = args.max_age {
        options = options.freshness(Freshness::new(
            Duration::from_secs(max_age),
            Duration::from_secs(args.max_future_skew),
        ));
    }
    let envelope = input::read(&args.file, args.max_bytes)?;
    let verified = keyring.verify_with(&envelope, &options).map_err(refused)?;
    let mut out = if args.pretty {
        crate::pretty::indent(verified.payload_bytes())
    } else {
        verified.payload_bytes().to_vec()
    };
    out.push(b'\n');
    write_stdout(&out)?;
    if !args.quiet {
        let key = verified.key();
        eprintln!(
            "respsig: verified {}: signed by key `{}` (RSA-{}, {}, sha256:{}), code {}",
            describe(&args.file),
            verified.key_name(),
            key.bits(),
            key.hash(),
            key.fingerprint(),
            verified
                .code()
                .map_or_else(|| "none".to_owned(), |c| c.to_string()),
        );
    }
    Ok(())
}

pub fn sign(
    keys: &[String],
    name: Option<&str>,
    hash: Hash,
    file: Option<PathBuf>,
) -> Result<(), Failure> {
    let mut signer = Signer::new();
    let mut names = Vec::new();
    for arg in keys {
        let (key_name, path) = input::key_arg(arg)?;
        let key = input::signing_key(path, hash)?;
        signer = signer
            .with(key_name, key)
            .map_err(|e| Failure::Usage(format!("--key {arg}: {e}")))?;
        names.push(key_name);
    }
    let name = names[choose_key(name, &names, "signs")?];
    let text = input::read(&file, Limits::DEFAULT_MAX_INPUT_BYTES)?;
    let response = canonical::read(&text).map_err(refused)?;
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

pub fn keygen(bits: usize, out: &Path, name: &str, force: bool) -> Result<(), Failure> {
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

/// Verify a license file and print its JSON.
#[derive(clap::Args, Debug)]
pub struct LicenseVerifyArgs {
    /// A public key: NAME=PATH (PEM or DER). Repeat for several keys; the
    /// one that opens the file is used.
    #[arg(long = "key", value_name = "NAME=PATH", required = true)]
    keys: Vec<String>,
    /// Require the license to be bound to this hardware id.
    #[arg(long, value_name = "ID")]
    hardware_id: Option<String>,
    /// Require the license to be bound to this domain.
    #[arg(long, value_name = "DOMAIN")]
    domain: Option<String>,
    /// Print the license indented instead of as the exact recovered bytes.
    #[arg(long)]
    pretty: bool,
    /// Print nothing on standard error when the license verifies.
    #[arg(long, short)]
    quiet: bool,
    /// The license file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

pub fn license_verify(args: LicenseVerifyArgs) -> Result<(), Failure> {
    let keyring = keyring(&args.keys, Hash::Sha256)?;
    let file = input::read(&args.file, Limits::DEFAULT_MAX_INPUT_BYTES)?;
    let verified = keyring.verify_license(&file).map_err(refused)?;
    let license: respsig::License = verified.deserialize().map_err(refused)?;
    let mut check = respsig::LicenseCheck::new();
    if let Some(id) = &args.hardware_id {
        check = check.hardware_id(id);
    }
    if let Some(domain) = &args.domain {
        check = check.domain(domain);
    }
    check.check(&license).map_err(refused)?;
    let mut out = if args.pretty {
        crate::pretty::indent(verified.payload_bytes())
    } else {
        verified.payload_bytes().to_vec()
    };
    out.push(b'\n');
    write_stdout(&out)?;
    if !args.quiet {
        eprintln!(
            "respsig: license {} verified: key `{}` (RSA-{}, sha256:{}), license key {}",
            describe(&args.file),
            verified.key_name(),
            verified.key().bits(),
            verified.key().fingerprint(),
            license.license_key,
        );
    }
    Ok(())
}

/// Write a license file for a JSON object.
#[derive(clap::Args, Debug)]
pub struct LicenseIssueArgs {
    /// A private key: NAME=PATH (PEM or DER; PKCS#8 or PKCS#1). Repeat to
    /// give several and choose one with --name.
    #[arg(long = "key", value_name = "NAME=PATH", required = true)]
    keys: Vec<String>,
    /// Which key writes the file. May be left out when only one key is
    /// given. (The name is not written into the file.)
    #[arg(long)]
    name: Option<String>,
    /// Write the file's bytes exactly as they are instead of their
    /// canonical form (they must still be one JSON object).
    #[arg(long)]
    exact: bool,
    /// Print nothing on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// The license object (JSON); `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

pub fn license_issue(args: LicenseIssueArgs) -> Result<(), Failure> {
    let mut given: Vec<(&str, &Path)> = Vec::new();
    for arg in &args.keys {
        let (key_name, path) = input::key_arg(arg)?;
        if given.iter().any(|(n, _)| *n == key_name) {
            return Err(Failure::Usage(format!(
                "--key {arg}: a key named `{key_name}` was already given"
            )));
        }
        given.push((key_name, path));
    }
    let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
    // Only the chosen key file is read.
    let (name, path) = given[choose_key(args.name.as_deref(), &names, "writes the license")?];
    let writer = input::license_writer(path)?;
    let text = input::read(&args.file, Limits::DEFAULT_MAX_INPUT_BYTES)?;
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
            "respsig: license for {} written: {} block(s) under key `{name}` (RSA-{}, sha256:{})",
            describe(&args.file),
            (file.len() - 1) / 4 * 3 / key.modulus_len(),
            key.bits(),
            key.fingerprint(),
        );
    }
    Ok(())
}

pub fn fingerprint(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut out = String::new();
    for path in paths {
        let key = input::any_key(path)?;
        out.push_str(&format!(
            "{}  RSA-{}  {}\n",
            key.fingerprint(),
            key.bits(),
            path.display()
        ));
    }
    write_stdout(out.as_bytes())
}

pub fn canonicalize(file: Option<PathBuf>) -> Result<(), Failure> {
    let text = input::read(&file, Limits::DEFAULT_MAX_INPUT_BYTES)?;
    let bytes = canonical::canonicalize(&text).map_err(refused)?;
    write_stdout(&bytes)
}

pub fn inspect(file: Option<PathBuf>) -> Result<(), Failure> {
    let text = input::read(&file, Limits::DEFAULT_MAX_INPUT_BYTES)?;
    let env = respsig::dangerous::read(&text, &Limits::new()).map_err(refused)?;
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
