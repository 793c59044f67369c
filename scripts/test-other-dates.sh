#!/bin/sh
# The test suite again under faked wall-clock dates (Debian's faketime), far from the day the
# tests were written: tests never read the wall clock (tests/conftest.py `frozen_clock`), so a
# test that does fails here instead of on some later day.
#   - 2027-07-15 00:30 in Shanghai (16:30 UTC the day before): a year whose holiday schedule is
#     not published yet, just after midnight where the UTC and Shanghai dates differ;
#   - 2026-02-14 09:00 in Shanghai: a Saturday that is a Spring Festival make-up working day.
# Usage: scripts/test-other-dates.sh PYTHON [pytest arguments...]
# Everything it says goes to stdout, so that a CI log's tail shows why it stopped.
set -e
python="$1"
shift
if ! command -v faketime >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing faketime (Debian package) for the faked-date test runs"
    apt-get update -qq 2>&1 || echo "apt-get update failed; trying the install with the package lists there are"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null 2>&1; then
      echo "test-dates: could not install faketime with apt-get (exit $?)"
      exit 1
    fi
  else
    echo "test-dates: faketime is not installed and cannot be (not root): apt-get install faketime"
    exit 1
  fi
fi
echo "test-dates: $(command -v faketime); two runs side by side, each logged until it ends"
# The two runs go side by side (one per core): each has its own data folder (so its own SQLite
# test database, see yiwang.testing.pytest_env) and its own Redis database.
logs=$(mktemp -d)
index=0
pids=""
for when in "2027-07-14 16:30:00" "2026-02-14 01:00:00"; do
  index=$((index + 1))
  # The schema fuzzing (inputs), the process kills (crashes), the Redis queue, the load runs and the
  # threads that wait for each other with timeouts (which libfaketime's clock breaks) and the layout
  # checks (axe-core, phone width, English text) are not about dates: main runs only.
  (TZ=UTC YIWANG_REDIS_URL="redis://127.0.0.1:6379/$((12 + index))" faketime "$when" "$python" -m pytest -m "not fuzz and not process_faults and not redis and not load and not timed_waits and not layout" "$@" \
      >"$logs/$index.log" 2>&1; echo $? >"$logs/$index.rc") &
  pids="$pids $!"
  echo "$when" >"$logs/$index.when"
done
for pid in $pids; do
  wait "$pid" || true  # each run's own exit status is in its .rc file
done
status=0
for index in 1 2; do
  echo "== tests with the wall clock at $(cat "$logs/$index.when") UTC =="
  cat "$logs/$index.log" 2>&1 || echo "test-dates: no log for this run"
  rc=$(cat "$logs/$index.rc" 2>/dev/null || echo "missing")
  if [ "$rc" != "0" ]; then
    echo "test-dates: the run at $(cat "$logs/$index.when") UTC ended with exit status $rc"
    status=1
  fi
done
rm -rf "$logs"
exit $status
