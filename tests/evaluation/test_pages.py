"""The dashboard pages, JSON, CSV and API: who may see what, the figures shown, bad periods as 400s."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.evaluation.test_aggregates import THU, TUE, district  # noqa: F401 - the fixture
from tests.factories import make_resident, make_staff
from yiwang.evaluation import services

pytestmark = pytest.mark.django_db
PERIOD = "from=2026-03-10&to=2026-03-12"


@pytest.fixture
def built(district):  # noqa: F811
    services.rebuild(since=TUE, until=THU)


def test_the_public_page_shows_the_figures_with_charts_tables_and_formulas(built, client):
    page = client.get(f"/dashboard/public/?{PERIOD}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="composite-score">65.0<' in html
    assert '<li data-indicator="online_rate"><span>网办率</span><strong>100.0%</strong></li>' in html
    assert '<li data-indicator="good_rate"><span>好评率</span><strong>50.0%</strong></li>' in html
    assert "<title id=\"ranking-svg-title\">部门综合得分排名</title>" in html and "区市场监督管理局" in html
    assert "非常满意与满意的评价数 ÷ 评价总数（申诉成立的不计）" in html
    assert 'name="department"' not in html  # per-department drill-down is the leaders' page
    assert "cdn" not in html.lower() and "<script src=\"http" not in html


def test_the_figures_as_json_csv_and_through_the_api(built, client):
    data = client.get(f"/dashboard/public.json?{PERIOD}").json()
    assert (data["since"], data["until"], data["score"]) == ("2026-03-10", "2026-03-12", 65.0)
    good = next(i for i in data["indicators"] if i["code"] == "good_rate")
    assert (good["value"], good["numerator"], good["denominator"]) == (0.5, 1, 2)
    assert [(d["code"], d["rank"]) for d in data["departments"]] == [("SCJG", 1)]
    assert client.get(f"/api/v1/evaluation/figures/?{PERIOD}").json() == data
    rows = list(csv.reader(io.StringIO(client.get(f"/dashboard/public.csv?{PERIOD}").content.decode("utf-8-sig"))))
    assert rows[0] == ["scope", "code", "name", "value", "numerator", "denominator", "since", "until"]
    assert ["district", "good_rate", "好评率", "0.500000", "1", "2", "2026-03-10", "2026-03-12"] in rows
    assert ["department:SCJG", "composite", "综合得分", "65.000000", "", "", "2026-03-10", "2026-03-12"] in rows


def test_bad_periods_are_400s_with_a_message_everywhere(client):
    assert client.get("/dashboard/public/?from=2026-03-12&to=2026-03-01").status_code == 400
    answer = client.get("/dashboard/public.json?from=yesterday")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_date"
    api = client.get("/api/v1/evaluation/figures/?from=2026-03-12&to=2026-03-01")
    assert api.status_code == 400 and api.json()["code"] == "period_reversed"


def test_the_leaders_page_is_for_leaders_and_drills_into_a_department(built):
    leader = Client()
    leader.force_login(make_staff(role="leader"))
    page = leader.get(f"/dashboard/?{PERIOD}&department=SCJG").content.decode()
    assert "效能评估 · 区市场监督管理局" in page and 'name="department"' in page
    resident = Client()
    resident.force_login(make_resident(real_name="李四"))
    assert resident.get("/dashboard/").status_code == 403
    officer = Client()
    officer.force_login(make_staff(role="window_officer", departments=["SCJG"]))
    assert officer.get("/dashboard/").status_code == 403
    assert Client().get("/dashboard/").status_code == 302


def test_the_english_page_is_in_english(built, client):
    page = client.get(f"/dashboard/public/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<span>Share applied online</span><strong>100.0%</strong>" in page
    assert '<th scope="row">District Administration for Market Regulation</th>' in page


def test_the_rebuild_command_refuses_bad_dates_in_one_line(capsys, db):
    from yiwang.cli import main

    assert main(["evaluation", "rebuild", "--from", "2026-03-12"]) == 2
    assert capsys.readouterr().err == "yiwang: error: give both --from and --to, or neither (the recent days)\n"
    assert main(["evaluation", "rebuild", "--from", "2026-03-12", "--to", "2026-03-10"]) == 2
    assert capsys.readouterr().err == "yiwang: error: the period ends (2026-03-10) before it starts (2026-03-12)\n"
    assert main(["evaluation", "rebuild", "--from", "12/03/2026", "--to", "2026-03-10"]) == 2
    assert capsys.readouterr().err == "yiwang: error: --from and --to take dates as YYYY-MM-DD\n"
    assert main(["evaluation", "rebuild", "--from", "2026-03-10", "--to", "2026-03-12", "--json"]) == 0
    assert capsys.readouterr().out.startswith('{"rows": 0, "handling_rows": 0, "seconds": ')


def test_the_leaders_page_narrows_to_one_item_and_refuses_unknown_scopes(built):
    leader = Client()
    leader.force_login(make_staff(role="leader"))
    page = leader.get(f"/dashboard/?{PERIOD}&item=310120-SCJG-01-0001").content.decode()
    assert "效能评估 · 个体工商户设立登记" in page
    assert '<li data-indicator="online_rate"><span>网办率</span><strong>100.0%</strong></li>' in page
    other = leader.get(f"/dashboard/?{PERIOD}&item=310120-GAZA-01-0001").content.decode()
    assert 'id="composite-score">—<' in other
    assert leader.get("/dashboard/?item=NO-SUCH").status_code == 404
    assert leader.get("/dashboard/?department=NOPE").status_code == 404
