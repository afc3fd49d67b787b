//! `respsig`: verify, sign, inspect and canonicalize the license server's
//! signed response envelopes and offline licenses from the command line.
//!
//! Exit codes: 0 success; 1 refused (the envelope, license or document
//! failed a check); 2 bad usage, or an unreadable key or input file. A
//! closed standard output (`respsig ... | head`) ends quietly with 0.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod advice;
mod args;
mod commands;
mod input;
mod pretty;
mod state;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, KeysCommand, LicenseCommand};

/// A failure, with the exit code it maps to.
#[derive(Debug)]
enum Failure {
    /// The envelope (or document) was refused: exit 1.
    Refused(String),
    /// Bad usage or an unreadable key or file: exit 2.
    Usage(String),
    /// Standard output was closed by its reader: exit 0, say nothing.
    BrokenPipe,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Verify(args) => commands::verify(&args),
        Command::Sign(args) => commands::sign(&args),
        Command::Keygen(args) => commands::keygen(&args),
        Command::Canonicalize(args) => commands::canonicalize(&args),
        Command::Inspect(args) => commands::inspect(&args),
        Command::License(LicenseCommand::Verify(args)) => commands::license_verify(&args),
        Command::License(LicenseCommand::Issue(args)) => commands::license_issue(&args),
        Command::Keys(KeysCommand::Fingerprint(args)) => commands::fingerprint(&args),
        Command::State(command) => state::run(&command),
        Command::HardwareId(args) => state::hardware_id(&args),
    };
    match result {
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
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
