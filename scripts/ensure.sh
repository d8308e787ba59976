#!/usr/bin/env bash
# Makes this checkout ready to run, and does nothing (silently) when it already is:
# npm dependencies, the nats-server binary, the compiled TypeScript in dist/, and the
# `colony` command (node_modules/.bin/colony, so `npx colony ...` works).
# `npm run setup` runs it; `npm start`, `npm test` and `npm run bench` run it first.
# It needs the network (npm registry, apt) only when something is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'ensure: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  say "Node.js >= 20 is required; found $(node --version)"
  exit 1
fi

# --- npm dependencies ---------------------------------------------------------------
# npm rewrites node_modules/.package-lock.json on every install: it is the stamp of the
# last install, so a lockfile (or package.json) newer than it means install again.
stamp=node_modules/.package-lock.json
if [[ -f package-lock.json ]]; then
  if [[ ! -d node_modules || ! -f $stamp || package-lock.json -nt $stamp ]]; then
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
elif [[ ! -d node_modules || ! -f $stamp || package.json -nt $stamp ]]; then
  say "installing npm dependencies (npm install; no package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
  mkdir -p node_modules && touch "$stamp"
fi

# --- nats-server ------------------------------------------------------------------------
# Debian installs it in /usr/sbin, which is often not on a non-root user's PATH; the
# launcher (supervisor/nats-server.ts) looks there too.
have_nats_server() {
  local p
  # `command -v` may print a match that isn't executable when nothing better is on PATH.
  p=$(command -v nats-server 2>/dev/null) && [[ -x $p ]] && return 0
  [[ -x /usr/sbin/nats-server ]]
}
if ! have_nats_server; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "nats-server not found and no apt-get: install nats-server >= 2.9 and put it on PATH"
    exit 1
  fi
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      say "nats-server not found; as root run: apt-get update && apt-get install -y nats-server"
      exit 1
    fi
    sudo_cmd=(sudo)
  fi
  say "installing nats-server (apt-get)"
  ${sudo_cmd[@]+"${sudo_cmd[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  ${sudo_cmd[@]+"${sudo_cmd[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  if ! have_nats_server; then
    say "apt-get finished but no nats-server binary is on PATH or in /usr/sbin"
    exit 1
  fi
fi

# --- native addon (gpu/) ----------------------------------------------------------------
# The node-addon-api addon with the C++ kernels (gpu/native/build.sh): incremental and
# silent when the built file is newer than its sources, one line when it builds, a clear
# error (what to install) when the C++ toolchain is missing. CPU kernels only so far; the
# CUDA part of issue 4 adds the nvcc build to that script.
bash gpu/native/build.sh

# --- TypeScript ---------------------------------------------------------------------------
# Incremental (tsconfig: incremental, dist/.tsbuildinfo): fast when nothing changed,
# silent when it compiles. A type error fails the command that called this script, after
# the steps below (tsc still emits what it can, and the link should exist either way).
tsc_status=0
node_modules/.bin/tsc -p tsconfig.json || tsc_status=$?

# --- the colony command -----------------------------------------------------------------
# npm links the bins of dependencies, never the root package's own: link it ourselves.
if [[ "$(readlink node_modules/.bin/colony 2>/dev/null || true)" != ../../dist/bin/colony.js ]]; then
  mkdir -p node_modules/.bin
  ln -sfn ../../dist/bin/colony.js node_modules/.bin/colony
fi
if [[ -f dist/bin/colony.js && ! -x dist/bin/colony.js ]]; then
  chmod +x dist/bin/colony.js
fi

if (( tsc_status != 0 )); then
  say "TypeScript build failed (tsc exit $tsc_status); see the errors above"
  exit "$tsc_status"
fi
