//! `respsig`: verify, sign, inspect and canonicalize the license server's
//! signed response envelopes from the command line.
//!
//! Exit codes: 0 success; 1 the envelope was refused (or, for `inspect`,
//! could not be read as an envelope); 2 bad usage, or an unreadable key or
//! input file.

mod commands;
mod input;
mod pretty;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Verify and sign GetKeyManager signed response envelopes, offline.
#[derive(Parser, Debug)]
#[command(name = "respsig", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Verify an envelope and print its signed payload.
    ///
    /// Prints the exact signed payload (the decoded response_base64) on
    /// standard output and exits 0; prints why the envelope was refused on
    /// standard error and exits 1.
    Verify(commands::VerifyArgs),
    /// Sign a response object into an envelope, as the server does.
    Sign {
        /// A private key: NAME=PATH (PEM or DER; PKCS#8 or PKCS#1).
        #[arg(long = "key", value_name = "NAME=PATH", required = true)]
        keys: Vec<String>,
        /// Which key name to sign with (written to private_key_used).
        /// May be left out when only one key is given.
        #[arg(long)]
        name: Option<String>,
        /// The hash to sign with.
        #[arg(long, value_enum, default_value_t = HashArg::Sha256)]
        hash: HashArg,
        /// The response object (JSON); `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Generate an RSA key pair: NAME.pem (PKCS#8) and NAME.pub.pem (SPKI).
    Keygen {
        /// Modulus size.
        #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
        bits: usize,
        /// The directory to write the two files to.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// The key's name (file stem), e.g. product or global.
        #[arg(long)]
        name: String,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
    /// Print the canonical bytes (PHP json_encode) of a JSON document,
    /// without a trailing newline.
    Canonicalize {
        /// The JSON file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Show what an envelope claims, WITHOUT verifying it.
    Inspect {
        /// The envelope file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Offline license files (.lic).
    License {
        #[command(subcommand)]
        command: LicenseCommand,
    },
    /// Work with key files.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand, Debug)]
enum LicenseCommand {
    /// Verify a license file and print its JSON.
    ///
    /// Also checks expiry against this machine's clock, and the binding
    /// when --hardware-id or --domain is given. Exits 0 with the license
    /// JSON on standard output, 1 when the file is refused.
    Verify(commands::LicenseVerifyArgs),
    /// Write a license file for a JSON object, to standard output.
    ///
    /// The object is written in its canonical form (PHP json_encode, as the
    /// server writes it) unless --exact is given. The file is read back with
    /// the public key before it is printed.
    Issue(commands::LicenseIssueArgs),
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Print each key's SHA-256 fingerprint (of its SubjectPublicKeyInfo
    /// DER, lowercase hex), size and path, to pin keys by.
    ///
    /// Takes public keys, or private keys (their public half is printed).
    Fingerprint {
        /// Key files (PEM or DER).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn parse_bits(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(bits) if respsig::keygen::SIZES.contains(&bits) => Ok(bits),
        _ => Err("must be 2048, 3072 or 4096".to_owned()),
    }
}

/// The hash keys verify or sign with.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum HashArg {
    /// SHA-256 (the server's default).
    Sha256,
    /// SHA-512.
    Sha512,
}

impl From<HashArg> for respsig::Hash {
    fn from(h: HashArg) -> Self {
        match h {
            HashArg::Sha256 => respsig::Hash::Sha256,
            HashArg::Sha512 => respsig::Hash::Sha512,
        }
    }
}

/// A failure, with the exit code it maps to.
#[derive(Debug)]
enum Failure {
    /// The envelope (or document) was refused: exit 1.
    Refused(String),
    /// Bad usage or an unreadable key or file: exit 2.
    Usage(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(args) => commands::verify(args),
        Command::Sign {
            keys,
            name,
            hash,
            file,
        } => commands::sign(&keys, name.as_deref(), hash.into(), file),
        Command::Keygen {
            bits,
            out,
            name,
            force,
        } => commands::keygen(bits, &out, &name, force),
        Command::Canonicalize { file } => commands::canonicalize(file),
        Command::Inspect { file } => commands::inspect(file),
        Command::License {
            command: LicenseCommand::Verify(args),
        } => commands::license_verify(args),
        Command::License {
            command: LicenseCommand::Issue(args),
        } => commands::license_issue(args),
        Command::Keys {
            command: KeysCommand::Fingerprint { paths },
        } => commands::fingerprint(&paths),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(msg)) => {
            eprintln!("respsig: refused: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("respsig: error: {msg}");
            ExitCode::from(2)
        }
    }
}
