#!/bin/sh
# Parser throughput, whole process: `narrative-watch parse --summary` over a generated corpus
# of 2,000 feeds (about 180 MB, 60,000 items), with wall time and peak memory.
#
#   Benchmarks/parse-throughput.sh [BINARY] [CORPUS_TOOL]
#
# BINARY defaults to the release build; CORPUS_TOOL to the shared gen-feed-corpus script.
# The corpus is generated once under $NW_BENCH_DIR (default /tmp/nwcorpus) and reused.
# Runs three times after a warm-up read and reports each run; take the best on a busy machine.
set -eu
BIN=${1:-.build/release/narrative-watch}
TOOL=${2:-../shared/tools/gen-feed-corpus}
DIR=${NW_BENCH_DIR:-/tmp/nwcorpus}
RUNS=${NW_BENCH_RUNS:-3}

[ -x "$BIN" ] || { echo "no binary at $BIN: run 'swift build -c release' first" >&2; exit 1; }
if [ ! -d "$DIR/corpus" ]; then
    [ -f "$TOOL" ] || { echo "no corpus at $DIR/corpus and no generator at $TOOL" >&2; exit 1; }
    mkdir -p "$DIR"
    python3 "$TOOL" "$DIR/corpus" 2000 30 >/dev/null
fi
cat "$DIR"/corpus/* >/dev/null  # warm the page cache: the parser is measured, not the disk

i=1
while [ "$i" -le "$RUNS" ]; do
    out=$(/usr/bin/time -f '%e %M' "$BIN" parse --summary "$DIR/corpus" 2>/tmp/nw-bench-time.$$)
    set -- $(tail -n 1 /tmp/nw-bench-time.$$)
    python3 - "$out" "$1" "$2" <<'PY'
import json, sys
summary, wall, peak_kb = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
mb = summary["bytes"] / 1e6
print(f"{summary['files']} files, {summary['items']} items, {mb:.1f} MB: "
      f"{wall:.2f} s whole process = {mb / wall:.0f} MB/s "
      f"(parse loop {summary['seconds']:.2f} s = {mb / summary['seconds']:.0f} MB/s), peak memory {peak_kb / 1024:.1f} MiB")
PY
    i=$((i + 1))
done
rm -f /tmp/nw-bench-time.$$
