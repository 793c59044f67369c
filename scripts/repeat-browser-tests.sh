#!/bin/bash
# Run the real-browser journeys N times in a row, on SQLite or on a fresh PostgreSQL database each
# time, and print one line per run: how deterministic they are.
# Usage: scripts/repeat-browser-tests.sh sqlite|postgres [N=10]
set -u
cd "$(dirname "$0")/.."
kind="${1:?sqlite or postgres}"
runs="${2:-10}"
passed=0
for i in $(seq 1 "$runs"); do
  unset YIWANG_DATABASE_URL
  if [ "$kind" = postgres ]; then
    db="yiwang_repeat_$$_$i"
    psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE ${db}" >/dev/null
    export YIWANG_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${db}"
  fi
  started=$(date +%s)
  if .venv/bin/python -m pytest -m browser -q -p no:cacheprovider > "/tmp/repeat-browser-$kind-$i.log" 2>&1; then
    passed=$((passed + 1)); outcome=passed
  else
    outcome="FAILED (see /tmp/repeat-browser-$kind-$i.log)"
  fi
  echo "$kind run $i: $outcome in $(( $(date +%s) - started )) s: $(tail -1 "/tmp/repeat-browser-$kind-$i.log")"
  if [ "$kind" = postgres ]; then
    psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS test_${db} WITH (FORCE)" >/dev/null 2>&1
    psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" >/dev/null 2>&1
  fi
done
echo "$kind: $passed of $runs runs passed"
[ "$passed" = "$runs" ]
