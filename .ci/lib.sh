# Shared by .ci/serve and .ci/test: installs what a fresh machine lacks, skips what is there.
# Every step says what it does; a second run prints only "present" lines.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.11"

export PATH="$HOME/.cargo/bin:$ROOT/.ci/tools/node_modules/.bin:$PATH"

step() { printf '==> %s\n' "$*"; }
present() { printf '    present: %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "need root for: $*"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The Rust toolchain named in rust-toolchain.toml, with the WebAssembly target.
ensure_rust() {
  command -v rustup >/dev/null || fail "rustup is missing: install Rust from https://rustup.rs first"
  local channel
  channel="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)"
  if rustup toolchain list | grep -q "^$channel"; then
    present "Rust $channel"
  else
    step "installing Rust $channel with the WebAssembly target (about 1 minute, once)"
    # Without arguments rustup installs the toolchain rust-toolchain.toml names, with its
    # components and targets.
    rustup toolchain install --no-self-update
  fi
  rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    present "cargo-leptos $CARGO_LEPTOS_VERSION"
  else
    step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes on 2 cores, once)"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local version
  version="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
  [ -n "$version" ] || fail "Cargo.lock names no wasm-bindgen version"
  if wasm-bindgen --version 2>/dev/null | grep -q " $version\$"; then
    present "wasm-bindgen-cli $version"
  else
    step "installing wasm-bindgen-cli $version (about 2 minutes, once)"
    # Not --locked: the locked webpki-roots of that release is not in the registry.
    cargo install wasm-bindgen-cli --version "$version" --force
  fi
}

# Debian's binaryen is too old (hydration dies with "Table.set(): Argument 1 is invalid");
# the npm package ships a working wasm-opt.
ensure_wasm_opt() {
  if [ -x .ci/tools/node_modules/.bin/wasm-opt ]; then
    present "wasm-opt (npm binaryen)"
  else
    step "installing wasm-opt from npm's binaryen"
    command -v npm >/dev/null || apt_install nodejs npm
    npm ci --prefix .ci/tools --no-audit --no-fund --loglevel=error
  fi
}

# A full test run fills about 16 GB with its target directory, and needs room beyond that for
# test databases and the linker. A linker that runs out of space dies with a bus error half an
# hour in; say so before the first build.
GIGABYTES_NEEDED=25
ensure_disk_space() {
  local free
  free=$(( $(df -Pk "$ROOT" | awk 'NR == 2 { print $4 }') / 1024 / 1024 ))
  if [ "$free" -lt "$GIGABYTES_NEEDED" ]; then
    fail "only ${free} GB free beside $ROOT; the build and the tests need about ${GIGABYTES_NEEDED} GB (cargo clean, or drop leftover klarsicht_test_* databases)"
  fi
  present "${free} GB free disk"
}

ensure_build_tools() {
  ensure_rust
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_wasm_opt
}

# The release build: the server binary and the size-optimised WebAssembly with its CSS. With
# --split, an island marked lazy (the access log's check) is a module of its own that only the
# page that shows it loads.
build_release() {
  step "building the portal (release; first time about 6 minutes, then seconds)"
  cargo leptos build --release --split
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    present "Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
  else
    step "installing Chromium from Debian (about 1 minute, once)"
    apt_install chromium
  fi
}

ensure_browser_test_packages() {
  if [ -d tests/browser/node_modules/playwright-core ] && [ -d tests/browser/node_modules/axe-core ]; then
    present "browser test packages"
  else
    step "installing the browser test packages from npm"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
  fi
}

# The README's offline check of an export's access-log proofs is Python with `cryptography`;
# a browser test runs it as a reader would.
ensure_python_cryptography() {
  if python3 -c 'import cryptography' 2>/dev/null; then
    present "python3 with cryptography"
  else
    step "installing the Python package cryptography from PyPI (for the README's proof check)"
    python3 -m pip install --quiet --user cryptography
  fi
}

# PostgreSQL for the tests: KLARSICHT_TEST_POSTGRES_URL if set, else the local server on
# 127.0.0.1:5432, started if it is installed but stopped. Without one the suite fails: both
# databases are always tested.
ensure_postgres() {
  local url="${KLARSICHT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if [ -z "${KLARSICHT_TEST_POSTGRES_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
      step "starting PostgreSQL"
      as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  if ! psql "$url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    fail "PostgreSQL is not reachable at ${url}: start it (pg_ctlcluster <version> main start), install it (apt-get install postgresql), or set KLARSICHT_TEST_POSTGRES_URL to a server where the user may create databases"
  fi
  present "PostgreSQL $(psql "$url" -qtAc 'SHOW server_version' | awk '{print $1}') at ${url%%\?*}"
  # Databases left behind by an interrupted run.
  psql "$url" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'klarsicht\_test\_%'" | while read -r name; do
    [ -n "$name" ] && psql "$url" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  done
  export KLARSICHT_TEST_POSTGRES_URL="$url"
  export KLARSICHT_REQUIRE_POSTGRES=1
}
