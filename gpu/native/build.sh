#!/usr/bin/env bash
# Builds the native addon (gpu/native/build/Release/colony_native.node) with node-gyp, and
# does nothing, silently, when the built file is newer than every source. scripts/ensure.sh
# runs it; `npm run build:native` runs it alone. Offline: Node's headers come from the
# `nodedir` npm is configured with, or from the include/ folder next to the node binary.
# A missing toolchain fails here, loudly, with what to install; the models still run
# (on their TypeScript kernels) where the addon was never built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() { printf 'native: %s\n' "$*" >&2; }

out=build/Release/colony_native.node
addon_api=../../node_modules/node-addon-api/package.json

if [[ -f $out ]]; then
  # Anything newer than the built file (a source, the gyp file, this script, an upgraded
  # node-addon-api) means build again.
  newer=$(find cpu cuda binding.gyp build.sh "$addon_api" -newer "$out" -type f -print -quit 2>/dev/null || true)
  [[ -z $newer ]] && exit 0
fi

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
if (( ${#missing[@]} > 0 )); then
  say "cannot build the native addon: ${missing[*]} not found."
  say "install them (Debian: apt-get install -y g++ make python3) and run 'npm run setup' again."
  exit 1
fi
gyp=../../node_modules/node-gyp/bin/node-gyp.js
if [[ ! -f $gyp || ! -f $addon_api ]]; then
  say "cannot build the native addon: node-gyp or node-addon-api is not installed (run 'npm ci')."
  exit 1
fi

# Node's headers, without downloading them: npm's configured nodedir, else the prefix
# the node binary was installed under.
nodedir=${npm_config_nodedir:-}
if [[ -z $nodedir ]]; then
  nodedir=$(npm config get nodedir 2>/dev/null || true)
  [[ $nodedir == undefined || $nodedir == null ]] && nodedir=
fi
if [[ -z $nodedir ]]; then
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [[ -f $prefix/include/node/node_api.h ]] && nodedir=$prefix
fi
args=(--jobs=max)
[[ -n $nodedir ]] && args+=("--nodedir=$nodedir")

# make tracks header dependencies itself: reconfigure only when the gyp file changed.
if [[ -f build/Makefile && ! binding.gyp -nt build/Makefile && ! build.sh -nt build/Makefile ]]; then
  steps=(build)
else
  steps=(rebuild)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! node "$gyp" "${steps[@]}" "${args[@]}" >"$log" 2>&1; then
  tail -n 80 "$log" >&2
  say "building the native addon failed (node-gyp ${steps[*]}; last lines above)."
  say "the models fall back to their TypeScript kernels until it builds."
  exit 1
fi
touch "$out"
say "built gpu/native/$out"
