#!/usr/bin/env python
"""Replay a day of the service hall through the API on PostgreSQL, on an accelerated clock.

The district centre FX-CENTRE (seeded by `yiwang.hall.demo`) is open 09:00–17:00 on working days, so
the server runs on a clock of its own: simulated now = START + (time.time() - ORIGIN) x RATE, START
being 09:00 Shanghai time on the next working day of the project's calendar. Server and clients
share ORIGIN, so they agree on the simulated time; the day takes 8 h / RATE of real time.

Phase 1, the day: --tickets tickets arrive over the opening hours by this hourly profile (share of
the day's tickets; a morning and an afternoon peak; the machines stop at 16:55):
    09h 11%  10h 17%  11h 14%  12h 6%  13h 10%  14h 16%  15h 16%  16h 10%
in the groups A 28%, B 26%, C 16%, D 10%, E 8%, Z 12%, posted by --machines ticket machines at their
simulated times. --windows officer threads (each its own token and connection) sign in and loop:
call-next; on 409 wait --idle-wait real seconds (jittered) and call again; on a ticket serve it for
a lognormal time (median 6 min, sigma 0.5, clipped to 1–40 min), then complete it as consultation
(80%) or told_missing (20%) -- "accepted" needs a case accepted at the counter.

Phase 2, the highest sustained call rate: on the following working day (a second server on a
real-time clock), --backlog tickets are queued, then every window calls and completes at once.

Prints call-next p50/p99 of both phases, the sustained calls/s (best and median 5-second window),
the day's figures from the statistics API, the CPU spent per request, the correctness checks (every
ticket called exactly once, numbers unique and gapless per group and day) and whether the day's
call-next p99 <= 50 ms held.

    python benchmarks/hall_day.py --rate 160 --tickets 5000 --windows 123 --workers 3 --threads 1
Needs PostgreSQL on 127.0.0.1:5432 (trust auth); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import http.client
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SITE = "FX-CENTRE"
OPEN_SECONDS = 8 * 3600
HOURLY_PROFILE = {9: 11, 10: 17, 11: 14, 12: 6, 13: 10, 14: 16, 15: 16, 16: 10}
GROUP_WEIGHTS = {"market": 28, "social": 26, "police": 16, "building": 10, "health": 8, "consult": 12}
OUTCOME_WEIGHTS = {"consultation": 80, "told_missing": 20}
TARGET_P99_MS = 50.0


class AcceleratedClock:
    """The server's time source: START + (time.time() - ORIGIN) x RATE, the same in every process."""

    def __init__(self, start: dt.datetime, origin: float, rate: float):
        self.start, self.origin, self.rate = start, origin, rate

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(time.time() - self.origin) * self.rate)


def serve(args) -> int:
    """The server process (`--serve`): gunicorn on the accelerated clock."""
    from yiwang import cli
    from yiwang.core import clock

    cli._setup_django(None)
    clock.install(AcceleratedClock(dt.datetime.fromisoformat(args.start), args.origin, args.rate))
    # _run_gunicorn imports the WSGI app here in the master before forking: the workers inherit the clock.
    return cli._run_gunicorn(f"127.0.0.1:{args.port}", workers=args.workers, threads=args.threads)


def setup(args) -> int:
    """`--setup`: migrate, seed the demo hall, add officers, ticket machines and a hall manager; print JSON."""
    from yiwang import cli

    cli._setup_django(None)
    cli._migrate()
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from yiwang.accounts.models import User
    from yiwang.core import clock
    from yiwang.hall import constants as c
    from yiwang.hall.demo import DISTRICT_CENTRE, ensure_demo_hall
    from yiwang.hall.models import Qualification, ServiceGroup, Site, Window
    from yiwang.hall.services import register_device
    from yiwang.workcalendar.selectors import current_calendar

    hall = ensure_demo_hall()
    site = Site.objects.get(code=DISTRICT_CENTRE)
    windows = list(Window.objects.filter(site=site, kind=c.WINDOW_COMPREHENSIVE).order_by("pk")[:args.windows])
    password = make_password("bench-password-1")  # one Argon2 hash for all: one per officer takes long
    officers = [User.objects.create(username=f"bench-officer{n}", password=password, kind="staff",
                                    role="window_officer", real_name=f"窗口{n}") for n in range(len(windows))]
    Qualification.objects.bulk_create([Qualification(officer=officer, group=group)
                                       for officer in officers for group in ServiceGroup.objects.all()])
    manager = User.objects.create(username="bench-manager", password=password, kind="staff", role="hall_manager",
                                  real_name="大厅管理")
    machines = [hall.ticket_machine_token] + [register_device(site=site, name=f"{n}号取号机", kind=c.DEVICE_TICKET_MACHINE)[1]
                                              for n in range(2, args.machines + 1)]
    calendar, today = current_calendar(), clock.today()
    print(json.dumps({"windows": [w.pk for w in windows], "officers": [Token.objects.create(user=o).key for o in officers],
                      "manager": Token.objects.create(user=manager).key, "machines": machines,
                      "days": [calendar.add_working_days(today, n).due.isoformat() for n in (1, 2)]}))
    return 0


class Client:
    """One HTTP connection with its own Authorization header."""

    def __init__(self, port: int, authorization: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": authorization, "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, float]:
        """(status, JSON body, seconds) of one request."""
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=payload, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else {}, time.perf_counter() - started
            except ConnectionError:
                # The server closed an idle connection (gunicorn's keep-alive timeout): connect again, once.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def psql(sql: str, db: str = "postgres") -> list[list[str]]:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtF", "\t", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def start_server(args, env: dict, start: str, rate: float, origin: float, log) -> subprocess.Popen:
    """Start `--serve` in a process group of its own and wait for /healthz."""
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--start", start, "--origin", repr(origin),
                               "--rate", str(rate), "--port", str(args.port), "--workers", str(args.workers),
                               "--threads", str(args.threads)], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("server did not start")


def stop_server(server: subprocess.Popen | None) -> None:
    """SIGTERM the server's process group (master and workers); SIGKILL it if it lingers."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)) if server else ():
        try:
            os.killpg(server.pid, sig)
            server.wait(timeout=wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def cpu_now(server: subprocess.Popen) -> tuple[float, float, float]:
    """CPU seconds so far: busy on the whole machine, in the server's process group, in this process."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    served = 0
    for pid in subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True, text=True).stdout.split():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            served += int(stat[11]) + int(stat[12])
        except OSError:
            pass
    return (sum(fields) - fields[3] - fields[4]) / ticks, served / ticks, time.process_time()


def cpu_line(before: tuple, after: tuple, elapsed: float, requests: int) -> str:
    busy, server, client = (b - a for a, b in zip(before, after))
    return (f"  CPU: machine {busy / elapsed / (os.cpu_count() or 1):.0%} busy of {os.cpu_count()} cores; per request"
            f" server {server / requests * 1000:.1f} ms, load generator {client / requests * 1000:.1f} ms,"
            f" rest (PostgreSQL, other processes) {(busy - server - client) / requests * 1000:.1f} ms")


def arrivals(count: int, rng: random.Random) -> list[tuple[float, str]]:
    """(simulated seconds after opening, group code) of each ticket, in order of time."""
    hours = rng.choices(list(HOURLY_PROFILE), weights=list(HOURLY_PROFILE.values()), k=count)
    groups = rng.choices(list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()), k=count)
    # Machines stop at 16:55, so a post a little behind schedule still finds the hall open.
    return sorted(((hour - 9) * 3600 + rng.uniform(0, 3300 if hour == 16 else 3600), group)
                  for hour, group in zip(hours, groups))


class Run:
    """What the threads of one phase record (list.append is atomic under the GIL)."""

    def __init__(self):
        self.called, self.idle, self.take, self.stamps, self.ids, self.errors, self.queued_in = [], [], [], [], [], [], 0.0


def post_tickets(port: int, token: str, share: list[tuple[float, str]], run: Run, until) -> None:
    """A ticket machine: post each ticket once `until(at)` has waited for its simulated time."""
    client = Client(port, f"Device {token}")
    for at, group in share:
        until(at)
        status, body, took = client.call("POST", "/api/v1/hall/tickets/", {"site": SITE, "group": group})
        run.take.append(took)
        if status != 201:
            run.errors.append(f"take ticket -> {status} {body.get('code')}")


def window_loop(port: int, window_id: int, token: str, run: Run, *, serve_seconds, idle_seconds: float,
                no_more_tickets: threading.Event, start: threading.Barrier, rng: random.Random) -> None:
    """An officer at a window: sign in, then call, serve and complete until no ticket is left."""
    client = Client(port, f"Token {token}")
    status, body, _ = client.call("POST", f"/api/v1/hall/windows/{window_id}/sign-in/")
    if status != 200:
        run.errors.append(f"sign-in -> {status} {body.get('code')}")
    start.wait(timeout=120)  # a thread that died breaks the barrier instead of hanging the others
    time.sleep(rng.uniform(0, idle_seconds))  # officers do not all press "next" in the same millisecond
    while True:
        # Read before calling: if every ticket was taken before this call, a 409 means the queue is empty.
        last_round = no_more_tickets.is_set()
        status, body, took = client.call("POST", f"/api/v1/hall/windows/{window_id}/call-next/")
        if status == 200:
            run.called.append(took)
            run.stamps.append(time.perf_counter())
            run.ids.append(ticket := body["ticket"]["id"])
            time.sleep(serve_seconds(rng))
            outcome = rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
            status, body, _ = client.call("POST", f"/api/v1/hall/tickets/{ticket}/complete/", {"outcome": outcome})
            if status != 200:
                run.errors.append(f"complete -> {status} {body.get('code')}")
        elif status == 409 and body.get("code") == "no_ticket_waiting":
            run.idle.append(took)
            if last_round:
                return
            time.sleep(idle_seconds * rng.uniform(0.5, 1.5))
        else:
            run.errors.append(f"call-next -> {status} {body.get('code')}")
            return


def run_phase(args, data: dict, origin: float, rate: float, schedule: list, *, serve_minutes, idle_seconds: float,
              backlog_first: bool) -> Run:
    """Ticket machines and officers of one phase, a thread each; with backlog_first every ticket is
    queued before the windows (signed in meanwhile) start calling together."""
    run, no_more_tickets = Run(), threading.Event()
    start = threading.Barrier(len(data["windows"]) + 1)

    def until(at: float) -> None:
        time.sleep(max(0.0, origin + at / rate - time.time()))

    def thread(function, *params, **options) -> threading.Thread:
        def guarded():
            try:
                function(*params, **options)
            except Exception as exc:  # reported with the phase's errors
                run.errors.append(f"{type(exc).__name__}: {exc}")
        return threading.Thread(target=guarded, daemon=True)

    machines = [thread(post_tickets, args.port, token, schedule[n::len(data["machines"])], run, until)
                for n, token in enumerate(data["machines"])]
    windows = [thread(window_loop, args.port, window_id, token, run, no_more_tickets=no_more_tickets, start=start,
                      serve_seconds=lambda rng: serve_minutes(rng) * 60 / rate, idle_seconds=idle_seconds,
                      rng=random.Random(args.seed + n))
               for n, (window_id, token) in enumerate(zip(data["windows"], data["officers"]))]
    began = time.perf_counter()
    for t in machines + windows if backlog_first else windows + machines:
        t.start()
        if backlog_first and t is machines[-1]:
            for machine in machines:
                machine.join()
            run.queued_in = time.perf_counter() - began
    start.wait(timeout=120)
    for t in machines:
        t.join()
    no_more_tickets.set()
    for t in windows:
        t.join()
    return run


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000 if ordered else float("nan")


def latency(label: str, values: list[float]) -> str:
    return (f"  {label} ({len(values)}): p50 {ms(values, .5):.1f} ms  p99 {ms(values, .99):.1f} ms"
            f"  max {ms(values, 1):.1f} ms")


def sustained_rates(stamps: list[float], span: float = 5.0) -> tuple[float, float]:
    """Best and median calls/s over `span`-second windows sliding (0.5 s steps) from the first to the last call."""
    stamps = sorted(stamps)
    rates, t = [], stamps[0]
    while t + span <= stamps[-1]:
        rates.append((bisect.bisect_left(stamps, t + span) - bisect.bisect_left(stamps, t)) / span)
        t += 0.5
    if not rates:  # shorter than one window
        rates = [len(stamps) / max(1e-9, stamps[-1] - stamps[0])]
    return max(rates), statistics.median(rates)


def verify(db: str, ids_called: list[int], since: str) -> list[str]:
    """Problems with the tickets of the benchmark's days (from `since`; the demo's seeded past is not
    the benchmark's): not called exactly once, unfinished, numbers repeated or gapped."""
    problems = []
    if len(ids_called) != len(set(ids_called)):
        problems.append(f"{len(ids_called) - len(set(ids_called))} tickets handed to two windows")
    (total, unfinished, not_once, duplicate, gapped), = psql("""
        WITH ticket AS (SELECT * FROM hall_ticket WHERE day >= '%s')
        SELECT (SELECT count(*) FROM ticket),
               (SELECT count(*) FROM ticket WHERE state <> 'done' OR calls <> 1),
               (SELECT count(*) FROM ticket t WHERE (SELECT count(*) FROM hall_call c WHERE c.ticket_id = t.id) <> 1),
               (SELECT count(*) FROM (SELECT 1 FROM ticket GROUP BY site_id, day, number HAVING count(*) > 1) x),
               (SELECT count(*) FROM (SELECT 1 FROM ticket GROUP BY site_id, group_id, day
                                      HAVING max(sequence) <> count(*) OR count(DISTINCT sequence) <> count(*)) y)""" % since, db)
    checks = ((int(total) - len(set(ids_called)), "tickets in the database but never called"),
              (unfinished, "not done or called more than once"), (not_once, "without exactly one announcement"),
              (duplicate, "numbers given twice"), (gapped, "group-days with gaps in the sequence"))
    return problems + [f"{count} {what}" for count, what in checks if int(count)]


def print_statistics(client: Client, day: str) -> None:
    """The day's figures from GET /api/v1/hall/sites/{site}/statistics/, by group and by hour of taking."""
    def minutes(seconds: float | None) -> str:
        return "—" if seconds is None else f"{seconds / 60:.1f}"

    for by in ("group", "hour"):
        status, stats, _ = client.call("GET", f"/api/v1/hall/sites/{SITE}/statistics/?from={day}&by={by}")
        if status != 200:
            raise RuntimeError(f"statistics -> {status} {stats}")
        print(f"  by {by:<6}{'tickets':>8} {'served':>6} {'no-show':>7} {'abandoned':>9} {'wait p50':>8} {'wait p90':>8}"
              f" {'service':>7}  (minutes)")
        for row in stats["rows"]:
            print(f"  {'':<9}{row['tickets']:>7} {row['served']:>6} {row['no_shows']:>7} {row['abandoned']:>9}"
                  f" {minutes(row['wait_p50_seconds']):>8} {minutes(row['wait_p90_seconds']):>8}"
                  f" {minutes(row['service_mean_seconds']):>7}  {row['key']}")
    served = [w["served"] for w in stats["windows"]]
    used = [w["utilisation"] for w in stats["windows"] if w["utilisation"] is not None]
    print(f"  windows serving: {len(served)}; tickets per window min/median/max {min(served)}/{statistics.median(served):g}"
          f"/{max(served)}; utilisation min/median/max {min(used):.0%}/{statistics.median(used):.0%}/{max(used):.0%};"
          f" load CV across windows {stats['load_cv']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=160, help="simulated seconds per real second (160: the day in 3 min)")
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--windows", type=int, default=123, help="at most the centre's 123 comprehensive windows")
    parser.add_argument("--machines", type=int, default=4, help="ticket machines posting the arrivals")
    parser.add_argument("--idle-wait", type=float, default=2.0, help="real seconds an idle window waits (jittered) to call again")
    parser.add_argument("--backlog", type=int, default=2000, help="tickets queued for phase 2")
    # Sync workers: with 2 cores shared by PostgreSQL and the clients, 3 single-threaded processes did best;
    # gthread workers lose to the GIL (a thread waiting for PostgreSQL queues again for the lock after every query).
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (sync when --threads 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads per server worker (each holds a DB connection)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=1)
    for internal in ("--serve", "--setup"):
        parser.add_argument(internal, action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--origin", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve or args.setup:  # the server process and the database seeding, started by main() itself
        return serve(args) if args.serve else setup(args)

    db = f"yiwang_hall_bench_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    data_dir = tempfile.mkdtemp(prefix="yiwang-hall-bench-")
    # Tokens are made on the real clock and used up to a few simulated days later (over a weekend):
    # the platform's own token lifetime setting is raised for that, nothing else changes.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.config.settings", "YIWANG_DATA_DIR": data_dir,
           "YIWANG_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{db}", "YIWANG_API_TOKEN_HOURS": "720"}
    server, log = None, open(Path(data_dir) / "server.log", "wb")
    try:
        out = subprocess.run([sys.executable, __file__, "--setup", "--windows", str(args.windows), "--machines",
                              str(args.machines)], env=env, check=True, capture_output=True, text=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        day1, day2 = data["days"]
        print(f"hall day {day1} at {SITE}: {args.tickets} tickets, {len(data['windows'])} windows, {args.machines} machines,"
              f" rate {args.rate:g}x (8 h in {OPEN_SECONDS / args.rate:.0f} s), idle windows call again after"
              f" ~{args.idle_wait:g} s; server {args.workers} workers x {args.threads} threads; {os.cpu_count()} cores",
              flush=True)

        # Phase 1: the hall opens 5 real seconds after the server is told to start (time to boot and sign in).
        origin = time.time() + 5
        server = start_server(args, env, f"{day1}T09:00:00+08:00", args.rate, origin, log)
        started, cpu_before = time.perf_counter(), cpu_now(server)
        day = run_phase(args, data, origin, args.rate, arrivals(args.tickets, random.Random(args.seed)),
                        serve_minutes=lambda rng: min(40.0, max(1.0, rng.lognormvariate(math.log(6), 0.5))),
                        idle_seconds=args.idle_wait, backlog_first=False)
        elapsed, cpu_after = time.perf_counter() - started, cpu_now(server)
        calls = day.called + day.idle
        print(f"\nphase 1, the day: {len(day.ids)} tickets called in {elapsed:.0f} s real ({len(day.errors)} errors)")
        print(latency("call-next, every call", calls))
        print(latency("call-next giving a ticket", day.called))
        print(latency("call-next, none waiting (409)", day.idle))
        print(latency("take ticket", day.take))
        print(cpu_line(cpu_before, cpu_after, elapsed, len(calls) + len(day.take) + len(day.called)))
        print(f"\nthe day's statistics (GET /api/v1/hall/sites/{SITE}/statistics/?from={day1}):")
        print_statistics(Client(args.port, f"Token {data['manager']}"), day1)
        stop_server(server)

        # Phase 2 on the next working day, real-time clock: queue the backlog, then every window at full speed.
        origin = time.time() + 3
        server = start_server(args, env, f"{day2}T09:00:00+08:00", 1.0, origin, log)
        time.sleep(max(0.0, origin + 0.5 - time.time()))
        started, cpu_before = time.perf_counter(), cpu_now(server)
        backlog = [(0.0, group) for _, group in arrivals(args.backlog, random.Random(args.seed + 1))]
        sat = run_phase(args, data, origin, 1.0, backlog, serve_minutes=lambda rng: 0.0, idle_seconds=0.0,
                        backlog_first=True)
        elapsed, cpu_after = time.perf_counter() - started, cpu_now(server)
        best, median = sustained_rates(sat.stamps)
        print(f"\nphase 2, saturation on {day2}: {len(sat.ids)} of {args.backlog} queued tickets called"
              f" ({len(sat.errors)} errors); queued by {args.machines} machines at {args.backlog / sat.queued_in:.0f} tickets/s")
        print(latency("take ticket while queueing", sat.take))
        print(f"  highest sustained call rate (call-next + complete), 5-s windows: best {best:.0f}/s, median {median:.0f}/s")
        print(latency(f"call-next under that load, {len(data['windows'])} windows in a closed loop", sat.called))
        print(cpu_line(cpu_before, cpu_after, elapsed, len(sat.take) + 2 * len(sat.called) + len(sat.idle)))
        stop_server(server)

        problems, errors = verify(db, day.ids + sat.ids, since=data["days"][0]), day.errors + sat.errors
        print("\ncorrectness: " + ("; ".join(problems) or "every ticket called exactly once, numbers unique and gapless"
                                   " per group and day"))
        if errors:
            print(f"errors: {len(errors)}; first: {errors[:3]}")
        p99 = ms(calls, .99)
        print(f"target: the day's call-next p99 <= {TARGET_P99_MS:.0f} ms with {len(data['windows'])} windows calling:"
              f" {'met' if p99 <= TARGET_P99_MS else 'NOT met'} ({p99:.1f} ms)")
        return 1 if problems or errors else 0
    except Exception:
        log.flush()
        print("server log (tail):\n" + (Path(data_dir) / "server.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        stop_server(server)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
