#!/usr/bin/env bash
# Trains every cell and variant with the same budget (steps) on the bundled corpus and prints
# each one's validation loss: the measurement behind the engine issue's closing note.
# usage: scripts/compare-cells.sh [steps] [hidden] [layers]
set -euo pipefail
steps=${1:-300}; hidden=${2:-128}; layers=${3:-2}
bin="$(cd "$(dirname "$0")/.." && pwd)/bin/rnn.js"
dir=$(mktemp -d)
printf '%-22s %10s %10s %8s\n' variant 'val@first' 'val@last' seconds
for v in "rnn" "rnn --activation relu" "lstm" "lstm --peephole" "lstm --coupled" "gru" "gru --reset-after" "gru --minimal"; do
  set -- $v
  name=$(echo "$v" | sed 's/--activation //; s/ --/ /')
  start=$(date +%s.%N)
  node "$bin" train --cell $v --hidden "$hidden" --layers "$layers" --steps "$steps" --eval-every $((steps / 3)) \
    --seed 1 --threads 1 --quiet --json --output "$dir/m.json" > "$dir/log.jsonl"
  end=$(date +%s.%N)
  first=$(grep '"type":"eval"' "$dir/log.jsonl" | head -1 | sed 's/.*"valLoss":\([0-9.]*\).*/\1/')
  last=$(grep '"type":"eval"' "$dir/log.jsonl" | tail -1 | sed 's/.*"valLoss":\([0-9.]*\).*/\1/')
  printf '%-22s %10.4f %10.4f %8.1f\n' "$name" "$first" "$last" "$(echo "$end - $start" | bc)"
done
rm -rf "$dir"
