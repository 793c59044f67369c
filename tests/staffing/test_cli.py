"""`yiwang staffing`, run as the command it is: JSON and table out, one line and exit 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.staffing.test_planner import TWO_QUEUES


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # A timeout: whatever the input, the command must answer, never hang.
    return subprocess.run([sys.executable, "-m", "yiwang", "staffing", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def input_file(tmp_path):
    def write(document) -> str:
        path = tmp_path / "input.json"
        path.write_text(document if isinstance(document, str) else json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return str(path)
    return write


def test_json_out_in_the_issues_shape(input_file):
    done = run("--input", input_file(TWO_QUEUES), "--json")
    assert (done.returncode, done.stderr) == (0, "")
    body = json.loads(done.stdout)
    assert {key: body[key] for key in ("dedicated", "pooled", "saving")} == {
        "dedicated": {"per_queue": {"企业登记": 14, "户籍": 8}, "total": 22}, "pooled": {"total": 19}, "saving": 3}


def test_standard_input_and_the_table(input_file):
    done = run("--input", "-", stdin=json.dumps(TWO_QUEUES))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "target: 80% called within 20 s (Erlang C)"
    assert lines[2].split() == ["企业登记", "200.0", "3.0", "10.00", "14", "0.888"]
    assert lines[-3:] == ["dedicated total: 22 windows",
                          "pooled total: 19 windows (230.0/h at 3.91 min, load 15.00, SL 0.826)",
                          "saving: 3 windows"]


def test_the_demo_scenario_with_its_simulation():
    done = run("--scenario", "fengxian", "--json", "--simulate", "--replications", "2")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert (body["dedicated"]["total"], body["pooled"]["total"], body["saving"]) == (202, 142, 60)
    assert body["scenario"]["reported"] == {"dedicated": 202, "pooled": 123, "saving": 79, "saving_share": 0.391}
    assert body["simulation"]["day_minutes"] == 480.0
    assert body["simulation"]["pooled"]["replications"] == 2
    table = run("--scenario", "fengxian")
    assert "reported by the district: 202 -> 123 (saving 79, 39%); this model: 202 -> 142 (30%)" in table.stdout
    assert "assumptions:" in table.stdout


BAD = [
    ("malformed JSON", '{"target": {"wait_seconds": 900,', "malformed_json"),
    ("NaN", '{"target": {"wait_seconds": NaN, "service_level": 0.8}, "queues": []}', "malformed_json"),
    ("negative arrivals", {**TWO_QUEUES, "queues": [{"name": "a", "arrivals_per_hour": -1, "mean_service_minutes": 5}]},
     "negative_arrivals"),
    ("service not positive", {**TWO_QUEUES, "queues": [{"name": "a", "arrivals_per_hour": 1, "mean_service_minutes": 0}]},
     "bad_service_time"),
    ("service level outside (0, 1)", {**TWO_QUEUES, "target": {"wait_seconds": 20, "service_level": 1.2}},
     "bad_service_level"),
    ("negative wait", {**TWO_QUEUES, "target": {"wait_seconds": -20, "service_level": 0.8}}, "negative_wait"),
    ("load too high", {**TWO_QUEUES, "queues": [{"name": "a", "arrivals_per_hour": 900_000, "mean_service_minutes": 30}]},
     "load_too_high"),
    ("empty queue list", {**TWO_QUEUES, "queues": []}, "no_queues"),
]


@pytest.mark.parametrize(("document", "code"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_and_exit_2(input_file, document, code):
    done = run("--input", input_file(document))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("yiwang: error: ") and done.stderr.endswith(f"({code})\n")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    # With --json the refusal is the API's body, on one line.
    as_json = run("--input", input_file(document), "--json")
    assert (as_json.returncode, as_json.stdout, as_json.stderr.count("\n")) == (2, "", 1)
    assert json.loads(as_json.stderr)["code"] == code


def test_a_missing_file_and_an_unknown_scenario(tmp_path):
    done = run("--input", str(tmp_path / "nowhere.json"))
    assert (done.returncode, done.stderr) == (2, f"yiwang: error: input file not found: {tmp_path / 'nowhere.json'}\n")
    done = run("--scenario", "pudong")
    assert (done.returncode, done.stderr) == (2, "yiwang: error: No demo scenario named 'pudong' (known: fengxian). "
                                                 "(unknown_scenario)\n")
    done = run("--input", str(tmp_path), "--json")
    assert done.returncode == 2 and done.stderr.startswith("yiwang: error: input file not found")
    assert run().returncode == 2  # neither --input nor --scenario: argparse's usage error
