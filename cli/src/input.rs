//! Reading inputs and keys for the CLI, with the size limit applied while
//! reading (a huge input is refused without being read whole).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use respsig::{Hash, LicenseWriter, PublicKey, SigningKey};

use crate::Failure;
use crate::advice;

/// Where an input comes from, for messages.
pub fn describe(file: &Option<PathBuf>) -> String {
    match file {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "standard input".to_owned(),
    }
}

/// Reads FILE, or standard input for `-` or no FILE, refusing more than
/// `limit` bytes.
pub fn read(file: &Option<PathBuf>, limit: usize) -> Result<Vec<u8>, Failure> {
    let too_large = |len: Option<u64>| {
        let error = respsig::Error::TooLarge {
            len: len.map_or(usize::MAX, |len| usize::try_from(len).unwrap_or(usize::MAX)),
            limit,
        };
        Failure::Refused(match len {
            Some(_) => advice::message(&error),
            // Standard input is read only up to the limit: its length is
            // not known.
            None => format!(
                "input exceeds the {limit}-byte limit; {}",
                advice::for_error(&error).unwrap_or_default()
            ),
        })
    };
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::new();
    match file {
        Some(path) if path.as_os_str() != "-" => {
            let f = std::fs::File::open(path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
            if let Ok(meta) = f.metadata() {
                if meta.is_file() && meta.len() > cap - 1 {
                    return Err(too_large(Some(meta.len())));
                }
                // Read into one allocation: no copies of a private key left
                // behind in freed, unzeroized buffers.
                buf.reserve_exact(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
            }
            f.take(cap)
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("respsig: reading from standard input (end with Ctrl-D)");
            }
            stdin
                .lock()
                .take(cap)
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
        }
    }
    if buf.len() > limit {
        return Err(too_large(None));
    }
    Ok(buf)
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, Failure> {
    // Key files are small; anything over 64 KiB is not a key.
    read(&Some(path.to_path_buf()), 64 * 1024).map_err(|e| match e {
        Failure::Refused(_) => Failure::Usage(format!(
            "{} is larger than 64 KiB: not a key file",
            path.display()
        )),
        usage => usage,
    })
}

/// Loads a public key file (PEM, DER, or a raw 32-byte Ed25519 key, read
/// as the library reads them).
pub fn public_key(path: &Path, hash: Hash) -> Result<PublicKey, Failure> {
    let bytes = read_key_file(path)?;
    loaded(
        path,
        PublicKey::from_pem_or_der(&bytes).map(|k| k.with_hash(hash)),
    )
}

/// Loads a private key file (PEM or DER).
pub fn signing_key(path: &Path, hash: Hash) -> Result<SigningKey, Failure> {
    let bytes = zeroize::Zeroizing::new(read_key_file(path)?);
    loaded(
        path,
        SigningKey::from_pem_or_der(&bytes).map(|k| k.with_hash(hash)),
    )
}

/// Loads a private key file (PEM or DER) for writing license files.
pub fn license_writer(path: &Path) -> Result<LicenseWriter, Failure> {
    let bytes = zeroize::Zeroizing::new(read_key_file(path)?);
    loaded(path, LicenseWriter::from_pem_or_der(&bytes))
}

/// Loads a public key file, or the public half of a private key file (of
/// any size a verifier takes: the private key is read, not loaded).
pub fn any_key(path: &Path) -> Result<PublicKey, Failure> {
    let bytes = zeroize::Zeroizing::new(read_key_file(path)?);
    let key = match PublicKey::from_pem_or_der(&bytes) {
        Ok(key) => Ok(key),
        Err(public) => PublicKey::from_private(&bytes).map_err(|private| {
            // Report the public loader's reason unless the file is a
            // private key that was refused for a reason of its own.
            match private {
                respsig::Error::KeyRejected(
                    respsig::KeyProblem::Der | respsig::KeyProblem::PemLabel { .. },
                ) => public,
                other => other,
            }
        }),
    };
    loaded(path, key)
}

fn loaded<T>(path: &Path, key: respsig::Result<T>) -> Result<T, Failure> {
    key.map_err(|e| Failure::Usage(format!("{}: {}", path.display(), advice::message(&e))))
}
