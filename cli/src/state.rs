//! `respsig state record|check` and `respsig hardware-id`: the library's
//! `respsig::state`, from the command line. The store is a directory of
//! server-signed bytes; every check verifies them again.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use respsig::state::{RecordError, Sdk, StatePolicy, Store, Verdict};
use respsig::{FixedClock, Keyring, Limits, SystemClock};

use crate::Failure;
use crate::advice;
use crate::args::{KeyArg, parse_key};
use crate::input;

const EXIT_RECORD: &str = "\
Exit codes:
  0  kept: the store now holds it
  1  refused (does not verify, replayed, not about the license, another
     license): the store is unchanged, why is on standard error
  2  usage error, a key or input that cannot be read, or a store that
     cannot be written";

const EXIT_CHECK: &str = "\
Prints the state's word (active, grace, expired, revoked, invalid, none),
a colon and the reason, on standard output.

Defaults, for a desktop app: a grant is active for 1 day (asked at most
daily, a revocation reaches a connected machine within a day) and usable
in grace up to 14 days old (two weeks offline, then stop); a license's
licenseCheckInterval / forceLicenseValidation (days) set them unless
--revalidate-after / --grace are shorter. A clock more than 15 minutes
behind the newest signed time in the store is invalid (turned back).

Exit codes:
  0  active or grace: the app may run (in grace, revalidate online)
  1  expired, revoked, invalid or none: it may not
  2  usage error, or a key that cannot be read";

const EXIT_HARDWARE_ID: &str = "\
Exit codes:
  0  the id is on standard output
  2  it cannot be computed here (Linux only), or an identifier cannot be read";

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// Record a live answer (with --sent-at) or an offline license in a
    /// store, if it verifies.
    ///
    /// The store keeps the exact bytes the server signed, and only what
    /// decides: the newest grant, the newest denial, the license.
    #[command(after_help = EXIT_RECORD)]
    Record(RecordArgs),
    /// May this app run now? The state of a store, verified again.
    #[command(after_help = EXIT_CHECK)]
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct RecordArgs {
    /// The store's directory (made if missing).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// A public key: NAME=PATH (PEM or DER). Repeat for several; a license
    /// is kept under the first name whose keys verify it.
    #[arg(long = "key", value_name = "NAME=PATH", required = true, value_parser = parse_key)]
    pub keys: Vec<KeyArg>,
    /// The Unix time the request was sent at: FILE is then a live answer,
    /// which must be signed no earlier (replay). Without it FILE is a
    /// license.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub sent_at: Option<i64>,
    /// The license key the store is for: refuse what names another.
    #[arg(long, value_name = "KEY")]
    pub license_key: Option<String>,
    /// The answer (an envelope) or license (.lic or signed JSON); `-`
    /// reads standard input.
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The store's directory.
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// A public key: NAME=PATH (PEM or DER). Repeat for several names, or
    /// for several keys under one name (rotation).
    #[arg(long = "key", value_name = "NAME=PATH", required = true, value_parser = parse_key)]
    pub keys: Vec<KeyArg>,
    /// Judge as if the clock said this (for tests and audits).
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// How long a grant stays active [default: 86400, or the license's
    /// licenseCheckInterval if shorter or none is given].
    #[arg(long, value_name = "SECONDS")]
    pub revalidate_after: Option<u64>,
    /// How old a grant may be before the state is expired [default:
    /// 1209600, or the license's forceLicenseValidation].
    #[arg(long, value_name = "SECONDS")]
    pub grace: Option<u64>,
    /// This machine's hardware id, which a license's binding must match
    /// (see `respsig hardware-id`).
    #[arg(long, value_name = "ID", conflicts_with = "domain")]
    pub hardware_id: Option<String>,
    /// This site's domain, which a license's binding must match.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// The license key the store is for: entries naming another are
    /// invalid.
    #[arg(long, value_name = "KEY")]
    pub license_key: Option<String>,
}

/// The SDK whose hardware id to print.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Like {
    /// The PHP SDK's generateHardwareId().
    Php,
    /// The JS (Node) SDK's generateHardwareId().
    Node,
}

#[derive(Args, Debug)]
#[command(after_help = EXIT_HARDWARE_ID)]
pub struct HardwareIdArgs {
    /// Which SDK's computation.
    #[arg(long, value_enum, default_value_t = Like::Php)]
    pub like: Like,
}

pub fn run(command: &StateCommand) -> Result<(), Failure> {
    match command {
        StateCommand::Record(args) => record(args),
        StateCommand::Check(args) => check(args),
    }
}

fn keyring(keys: &[KeyArg]) -> Result<Keyring, Failure> {
    let mut keyring = Keyring::new();
    for arg in keys {
        let key = input::public_key(&arg.path, respsig::Hash::Sha256)?;
        keyring
            .add(&arg.name, key)
            .map_err(|e| Failure::Usage(format!("--key {arg}: {e}")))?;
    }
    Ok(keyring)
}

fn refused(e: RecordError) -> Failure {
    match e {
        RecordError::Io(e) => Failure::Usage(format!("the store could not be written: {e}")),
        RecordError::Refused(e) => Failure::Refused(advice::message(&e)),
        other => Failure::Refused(other.to_string()),
    }
}

fn record(args: &RecordArgs) -> Result<(), Failure> {
    let keyring = keyring(&args.keys)?;
    let bytes = input::read(&Some(args.file.clone()), Limits::DEFAULT_MAX_INPUT_BYTES)?;
    let store = Store::new(&args.store);
    let mut policy = StatePolicy::new();
    if let Some(key) = &args.license_key {
        policy = policy.license_key(key);
    }
    let kept = match args.sent_at {
        Some(sent_at) => store
            .record_answer(
                &keyring,
                &bytes,
                respsig::UnixTime::from_secs(sent_at),
                &policy,
            )
            .map_err(refused)?,
        None => {
            if respsig::dangerous::read(&bytes, &Limits::new()).is_ok() {
                return Err(Failure::Usage(format!(
                    "{} is a server answer: give --sent-at, the Unix time its request was sent",
                    input::describe(&Some(args.file.clone()))
                )));
            }
            let mut first_error = None;
            let mut kept = None;
            for name in keyring.names() {
                match store.record_license(&keyring, name, &bytes, &policy) {
                    Ok(k) => {
                        kept = Some(k);
                        break;
                    }
                    Err(RecordError::Refused(e)) => {
                        first_error.get_or_insert(RecordError::Refused(e));
                    }
                    Err(other) => return Err(refused(other)),
                }
            }
            match (kept, first_error) {
                (Some(k), _) => k,
                (None, Some(e)) => return Err(refused(e)),
                (None, None) => return Err(Failure::Usage("no --key given".to_owned())),
            }
        }
    };
    let what = match kept.verdict {
        Some(Verdict::Grant) => "a grant",
        Some(_) => "a denial",
        None => "a license",
    };
    eprintln!("respsig: kept {what} as {}", kept.file.display());
    Ok(())
}

fn check(args: &CheckArgs) -> Result<(), Failure> {
    let keyring = keyring(&args.keys)?;
    let mut policy = match args.now {
        Some(now) => StatePolicy::new().clock(FixedClock::at(now)),
        None => StatePolicy::new().clock(SystemClock),
    };
    if let Some(s) = args.revalidate_after {
        policy = policy.revalidate_after(Duration::from_secs(s));
    }
    if let Some(s) = args.grace {
        policy = policy.grace(Duration::from_secs(s));
    }
    if let Some(id) = &args.hardware_id {
        policy = policy.hardware_id(id);
    }
    if let Some(domain) = &args.domain {
        policy = policy.domain(domain);
    }
    if let Some(key) = &args.license_key {
        policy = policy.license_key(key);
    }
    let decision = Store::new(&args.store).check(&keyring, &policy);
    crate::commands::write_stdout(format!("{decision}\n").as_bytes())?;
    if decision.state().may_run() {
        Ok(())
    } else {
        Err(Failure::Refused(format!(
            "the state is {}: the app may not run",
            decision.state()
        )))
    }
}

pub fn hardware_id(args: &HardwareIdArgs) -> Result<(), Failure> {
    let sdk = match args.like {
        Like::Php => Sdk::Php,
        Like::Node => Sdk::Node,
    };
    let id = respsig::state::hardware_id(sdk).map_err(|e| Failure::Usage(e.to_string()))?;
    crate::commands::write_stdout(format!("{id}\n").as_bytes())
}
