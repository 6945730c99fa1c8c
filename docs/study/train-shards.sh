#!/usr/bin/env bash
# How docs/study was made: trains the paper-lite suite shard by shard and, after each shard, copies every
# finished (or diverged) run's run.json, epochs.jsonl and config.json into docs/study/results and commits
# them, so nothing computed is lost if the machine stops; rerun it and finished runs are skipped, a
# half-trained one resumes from its checkpoint. Then `./lowbit report docs/study/results` makes the report.
#
# Usage, from anywhere:  docs/study/train-shards.sh STORE [SHARDS]
#   STORE   results folder to train into (checkpoints and models stay there, outside the repository)
#   SHARDS  how many shards to split the 216 runs into (default 24: about 9 runs, well under an hour each)
# Extra lowbit run options go in LOWBIT_RUN_OPTS, e.g. LOWBIT_RUN_OPTS="--workers 2 --threads 2".
set -u
STORE=${1:?give the results folder to train into, e.g. ../study-store}
SHARDS=${2:-24}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
STORE=$(mkdir -p "$STORE" && cd "$STORE" && pwd)
for i in $(seq 1 "$SHARDS"); do
  # shellcheck disable=SC2086
  ./lowbit run --suite paper-lite --shard "$i/$SHARDS" --out "$STORE" ${LOWBIT_RUN_OPTS:-}
  rc=$?
  for run in "$STORE"/paper-lite/*/; do
    [ -f "$run/run.json" ] && grep -q '"status" *: *"\(FINISHED\|DIVERGED\)"' "$run/run.json" || continue
    published="docs/study/results/paper-lite/$(basename "$run")"
    mkdir -p "$published"
    cp "$run/run.json" "$run/epochs.jsonl" "$run/config.json" "$published/"
  done
  git add docs/study/results
  git commit -q -m "study: paper-lite shard $i/$SHARDS done (exit $rc)" || true
done
