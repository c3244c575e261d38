#!/usr/bin/env bash
# The main job in one command, on a fresh Debian 12 machine as root: install what the build
# needs, build wtfn (release), and run `wtfn dns leak watch` (10 s on every interface,
# default profile). Extra arguments go to `wtfn dns leak watch`, e.g. --follow or --json.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup-debian.sh"
cmake -S "$here" -B "$here/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DWTFN_BUILD_TESTS=OFF -DWTFN_BUILD_BENCH=OFF >/dev/null
cmake --build "$here/build-release" --target wtfn -j"$(nproc)"
exec "$here/build-release/src/cli/wtfn" dns leak watch "$@"
