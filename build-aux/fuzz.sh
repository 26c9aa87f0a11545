#!/usr/bin/env bash
# build-aux/fuzz.sh NAME [SECONDS] — run libFuzzer on tests/fuzz-NAME.c for a
# bounded time (CI: a minute or two), starting from the corpus tests/fuzz/NAME/.
#
# Needs clang (libFuzzer comes with it). Without clang it says so and exits 0:
# the normal test suite still replays the corpus through tests/fuzz-main.c.
# The core library is built in its own directory ($JIANCHA_FUZZ_BUILD, default
# build-fuzz) with ASan + UBSan and -fsanitize=fuzzer-no-link, the target is
# linked with -fsanitize=fuzzer. New interesting inputs go to
# BUILD/corpus-NAME/; a crash leaves crash-* there: copy it into
# tests/fuzz/NAME/ once fixed, so the replay test keeps it fixed.
set -euo pipefail

name=${1:-}
secs=${2:-60}
if [ -z "$name" ]; then
  echo "usage: build-aux/fuzz.sh NAME [SECONDS]   (NAME: $(cd "$(dirname "$0")/../tests" && ls fuzz-*.c | sed -n 's/^fuzz-\(.*\)\.c$/\1/p' | grep -v '^main$' | tr '\n' ' '))" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
[ -f "tests/fuzz-$name.c" ] || { echo "fuzz.sh: no tests/fuzz-$name.c" >&2; exit 2; }
if ! command -v clang >/dev/null; then
  echo "fuzz.sh: clang is not installed; skipping the fuzzer (the replay test covers the corpus)" >&2
  exit 0
fi

build=${JIANCHA_FUZZ_BUILD:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dapp=false -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C "$build" -j2 src/core/libjiancha-core.a sync/libjiancha-sync.a >/dev/null

pkgs="glib-2.0 gio-2.0 gobject-2.0 sqlite3 libsodium nettle json-glib-1.0 libcbor libqrencode zlib cairo zbar libsoup-3.0"
# shellcheck disable=SC2046
clang -g -O1 -fsanitize=fuzzer,address,undefined \
  -I"$build" -Isrc/core -Isync $(pkg-config --cflags $pkgs) \
  "tests/fuzz-$name.c" "$build/sync/libjiancha-sync.a" "$build/src/core/libjiancha-core.a" \
  $(pkg-config --libs $pkgs) -lm -o "$build/fuzz-$name"

corpus="$build/corpus-$name"
mkdir -p "$corpus"
cp -n "tests/fuzz/$name/"* "$corpus/" 2>/dev/null || true
cd "$build"
echo "fuzz.sh: fuzzing $name for $secs s (corpus $build/corpus-$name)" >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "./fuzz-$name" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  "corpus-$name"
