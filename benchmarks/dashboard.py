#!/usr/bin/env python
"""The evaluation dashboard at scale: ten million cases with events and ratings in PostgreSQL.

Generates the cases (two years of working days), their decision and delivery events, their
ratings and the follow-up of the bad ones with COPY (not the ORM), builds the daily aggregates
(timed), then times the dashboard's requests in-process: the public page over 30 days and over a
year, the leaders' page for one department, the JSON and the API, printing p50 and p99 of each.
Target: every request under 1 s at ten million cases.

    python benchmarks/dashboard.py [--cases 10000000] [--requests 20] [--keep]
Needs PostgreSQL on 127.0.0.1:5432 (trust auth); creates its own database yiwang_bench (dropped
at the end unless --keep; with --keep an existing one with cases is reused, skipping generation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"
DATABASE = "yiwang_bench"
URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
PEOPLE = 2000
DAYS = 730


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAqc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def exists() -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") == "1"


def prepare(env: dict) -> None:
    psql(f"CREATE DATABASE {DATABASE}")
    subprocess.run([sys.executable, "-m", "yiwang", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "yiwang", "import-catalog", str(CATALOG)], env=env, check=True, stdout=subprocess.DEVNULL)


def generate(cases: int) -> tuple[dt.date, dt.date, dict]:
    from django.db import connection

    from yiwang.core import clock
    from yiwang.core.identifiers import id_card_check_char
    from yiwang.evaluation import demo, history
    from yiwang.workcalendar.selectors import current_calendar

    calendar = current_calendar()
    until = clock.today() - dt.timedelta(days=1)
    days = [until - dt.timedelta(days=back) for back in range(DAYS, 0, -1)]
    days = [d for d in days if calendar.is_workday(d)[0]]
    per_day = -(-cases // len(days))
    specs = demo.item_specs(3)
    # Working days are looked up millions of times: remember each (day, n).
    cache: dict = {}

    def add_working_days(day, n):
        key = (day, n)
        if key not in cache:
            cache[key] = calendar.add_working_days(day, n)
        return cache[key]

    timings = {"cases_copy_s": 0.0, "events_copy_s": 0.0, "ratings_copy_s": 0.0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        first_user = cursor.fetchone()[0] + 1
        with cursor.copy("COPY accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, "
                         "is_active, date_joined, kind, real_name, id_number, phone, registered, role) FROM STDIN") as copy:
            for n in range(PEOPLE):
                body = f"310120{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
                copy.write_row((first_user + n, "!", False, f"bench-{n:05d}", "", "", "", False, True, clock.now(), "resident",
                                f"测试{n:05d}", body + id_card_check_char(body), "", False, ""))
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), {first_user + PEOPLE})")
        people = list(range(first_user, first_user + PEOPLE))
        counts = {"cases": 0, "events": 0, "ratings": 0, "bad": 0}
        generated = history.synthetic_days(rng=random.Random(10), days=days, per_day=per_day, items=specs, applicant_ids=people,
                                           add_working_days=add_working_days, tz=clock.LEGAL_TIME_ZONE)
        chunk = []
        for g in generated:
            if counts["cases"] + len(chunk) >= cases:
                break
            chunk.append(g)
            if len(chunk) == CHUNK:
                _copy_chunk(cursor, chunk, counts, timings, add_working_days)
                chunk = []
        if chunk:
            _copy_chunk(cursor, chunk, counts, timings, add_working_days)
        made, events, ratings, bad = counts["cases"], counts["events"], counts["ratings"], counts["bad"]
        for table in ("applications_case", "ratings_rating"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")
    print(f"generated: {made} cases, {events} events, {ratings} ratings, {bad} rectifications over {len(days)} working days "
          f"({days[0]}..{days[-1]}); COPY cases {timings['cases_copy_s']:.0f} s, events {timings['events_copy_s']:.0f} s, "
          f"ratings {timings['ratings_copy_s']:.0f} s", flush=True)
    return days[0], until, timings


CHUNK = 200_000  # cases written per round of COPYs (bounded memory)


def _copy_chunk(cursor, chunk, counts, timings, add_working_days) -> None:
    """One chunk's cases, then their events, ratings and rectifications, each with COPY."""
    from yiwang.core import clock

    first = counts["cases"] + 1
    started = time.perf_counter()
    with cursor.copy("COPY applications_case (id, number, item_id, department_id, applicant_id, state, step, form_data, rules, "
                     "channel, in_bundle, submitted_at, accepted_on, decided_at, statutory_due, promised_due, due_provisional, "
                     "paused_working_days, paused_calendar_days, owed_materials, version, created_at, updated_at) FROM STDIN") as copy:
        for offset, g in enumerate(chunk):
            copy.write_row((first + offset, g.number, g.item.id, g.item.department_id, g.applicant_id, g.state, 0, "{}", "{}",
                            g.channel, False, g.submitted_at, g.accepted_on, g.decided_at, g.statutory_due, g.promised_due,
                            False, 0, 0, "[]", 4, g.submitted_at, g.delivered_at or g.decided_at))
    counts["cases"] += len(chunk)
    timings["cases_copy_s"] += time.perf_counter() - started
    started = time.perf_counter()
    with cursor.copy("COPY applications_caseevent (case_id, sequence, action, from_state, to_state, actor_role, channel, "
                     "opinion, data, at) FROM STDIN") as copy:
        for offset, g in enumerate(chunk):
            denied = g.state == "denied"
            copy.write_row((first + offset, 3, "deny" if denied else "approve", "accepted", "denied" if denied else "approved", "",
                            "back_office", "", "{}", g.decided_at))
            counts["events"] += 1
            if g.delivered_at:
                copy.write_row((first + offset, 4, "deliver", "result_issued", "delivered", "", "back_office", "", "{}", g.delivered_at))
                counts["events"] += 1
    timings["events_copy_s"] += time.perf_counter() - started
    started = time.perf_counter()
    bad_rows = []
    with cursor.copy("COPY ratings_rating (id, subject, case_id, rater_id, channel, level, scores, comment, defaulted, "
                     "department_id, item_id, rated_on, created_at, forward_state) FROM STDIN") as copy:
        for offset, g in enumerate(chunk):
            if g.rating is None:
                continue
            counts["ratings"] += 1
            copy.write_row((counts["ratings"], "case", first + offset, g.applicant_id, "web", g.rating.level, "{}", g.rating.comment,
                            False, g.item.department_id, g.item.id, g.rating.rated_on,
                            dt.datetime.combine(g.rating.rated_on, dt.time(12), tzinfo=clock.LEGAL_TIME_ZONE), "sent"))
            if g.rating.level <= 2:
                bad_rows.append((counts["ratings"], g))
    with cursor.copy("COPY ratings_rectification (rating_id, department_id, state, state_before_appeal, due_on, working_days, "
                     "callback_notes, outcome, reply, verdict, created_at, version, called_back_at) FROM STDIN") as copy:
        for rating_id, g in bad_rows:
            counts["bad"] += 1
            answered = g.rating.follow_up in ("closed", "replied")
            at = dt.datetime.combine(g.rating.rated_on, dt.time(12), tzinfo=clock.LEGAL_TIME_ZONE)
            copy.write_row((rating_id, g.item.department_id, g.rating.follow_up, "", add_working_days(g.rating.rated_on, 5).due, 5, "",
                            "fixed_now" if answered else "", "已改进" if answered else "", "satisfied" if g.rating.follow_up == "closed" else "",
                            at, 0, None if g.rating.follow_up == "awaiting_callback" else at + dt.timedelta(days=1)))
    timings["ratings_copy_s"] += time.perf_counter() - started
    print(f"  {counts['cases']} cases written", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def time_requests(requests: int, since: dt.date, until: dt.date) -> None:
    from django.test import Client

    from yiwang.accounts.models import User

    leader = Client()
    person, _ = User.objects.get_or_create(username="bench-leader", defaults={"kind": "staff", "role": "leader", "real_name": "测试区长"})
    leader.force_login(person)
    public = Client()
    year = f"from={(until - dt.timedelta(days=364)).isoformat()}&to={until.isoformat()}"
    probes = [
        ("public page, 30 days", public, "/dashboard/public/"),
        ("public page, 365 days", public, f"/dashboard/public/?{year}"),
        ("public page, whole period", public, f"/dashboard/public/?from={since.isoformat()}&to={until.isoformat()}"),
        ("leaders' page, one department, 365 days", leader, f"/dashboard/?department=SCJG&{year}"),
        ("JSON, 365 days", public, f"/dashboard/public.json?{year}"),
        ("API, 30 days", public, "/api/v1/evaluation/figures/"),
    ]
    worst = 0.0
    for label, client, path in probes:
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        worst = max(worst, percentile(times, 0.99))
        print(f"{label:<42} p50 {statistics.median(times) * 1000:7.1f} ms   p99 {percentile(times, 0.99) * 1000:7.1f} ms")
    print(f"slowest p99: {worst * 1000:.1f} ms ({'under' if worst < 1 else 'OVER'} the 1 s target)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it next time)")
    args = parser.parse_args()
    env = {**os.environ, "YIWANG_DATABASE_URL": URL, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    os.environ.update({"YIWANG_DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "yiwang.config.settings"})
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    reuse = args.keep and exists()
    if exists() and not reuse:
        psql(f"DROP DATABASE {DATABASE}")
    if not reuse:
        prepare(env)
    import django

    django.setup()
    from yiwang.applications.models import Case
    from yiwang.core import clock

    try:
        if reuse and Case.objects.exists():
            until = clock.today() - dt.timedelta(days=1)
            since = Case.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first().date()
            print(f"reusing {DATABASE}: {Case.objects.count()} cases", flush=True)
        else:
            since, until, _ = generate(args.cases)
        from yiwang.evaluation import services

        started = time.perf_counter()
        result = services.rebuild(since=since, until=until)
        print(f"aggregates: {result['rows']} figure rows and {result['handling_rows']} handling rows for {since}..{until} "
              f"built in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        nightly = services.rebuild_recent()
        print(f"nightly rebuild of the last 30 days: {nightly['rows']} rows in {time.perf_counter() - started:.2f} s", flush=True)
        time_requests(args.requests, since, until)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE {DATABASE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
