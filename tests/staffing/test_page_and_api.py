"""The planner page (/staffing/) and API (/api/v1/staffing/): who may use them, what they answer, how they refuse."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_resident, make_staff

pytestmark = pytest.mark.django_db

# pyworkforce's published case twice over: 100 per 30 minutes, 3-minute handling, 80% within 20 s.
TWO_QUEUES = {"target": {"wait_seconds": 20, "service_level": 0.8},
              "queues": [{"name": "A", "arrivals_per_hour": 200, "mean_service_minutes": 3},
                         {"name": "B", "arrivals_per_hour": 200, "mean_service_minutes": 3}]}


def manager_client() -> Client:
    web = Client()
    assert web.login(username=make_staff(role="hall_manager").username, password=PASSWORD)
    return web


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def form_post(**fields) -> dict:
    body = {"wait_seconds": "20", "service_level": "0.8", "action": "plan",
            "name": ["A", "B", ""], "arrivals": ["200", "200", ""], "service": ["3", "3", ""]}
    body.update(fields)
    return body


def text_of(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[html.index(">", start) + 1:html.index("<", start)].strip()


# --- the page ------------------------------------------------------------------------------------

def test_only_hall_managers_and_administrators_open_the_page(catalog):
    assert manager_client().get("/staffing/").status_code == 200
    admin = Client()
    assert admin.login(username=make_staff(role="administrator").username, password=PASSWORD)
    assert admin.get("/staffing/").status_code == 200
    officer = Client()
    assert officer.login(username=make_staff(role="window_officer", departments=["SCJG"]).username, password=PASSWORD)
    assert officer.get("/staffing/").status_code == 403
    assert officer.post("/staffing/", form_post()).status_code == 403
    resident = Client()
    resident.force_login(make_resident())
    assert resident.get("/staffing/").status_code == 403
    anonymous = Client().get("/staffing/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_the_nav_links_the_planner_for_managers_only(catalog):
    assert 'href="/staffing/"' in manager_client().get("/").content.decode()
    officer = Client()
    officer.force_login(make_staff(role="window_officer", departments=["SCJG"]))
    assert 'href="/staffing/"' not in officer.get("/").content.decode()


def test_planning_the_form_shows_dedicated_against_pooled_with_a_chart(catalog):
    page = manager_client().post("/staffing/", form_post())
    html = page.content.decode()
    assert page.status_code == 200
    assert (text_of(html, "dedicated-total"), text_of(html, "pooled-total"), text_of(html, "saving")) == ("28", "24", "4")
    assert text_of(html, "saving-percent") == "14%"
    assert 'class="series-dedicated" data-value="28"' in html and 'class="series-pooled" data-value="24"' in html
    assert html.count('<td class="windows">14</td>') == 2 and text_of(html, "pooled-windows") == "24"
    output = json.loads(html[html.index('id="output-json">') + len('id="output-json">'):html.index("</pre>")]
                        .replace("&quot;", '"'))
    assert output["dedicated"] == {"per_queue": {"A": 14, "B": 14}, "total": 28}
    assert (output["pooled"], output["saving"]) == ({"total": 24}, 4)


@pytest.mark.parametrize(("fields", "code", "message", "invalid"), [
    ({"arrivals": ["200", "-5", ""]}, "negative_arrivals", "第 2 个队列（B）的到达量不能为负数。", "row-1-arrivals"),
    ({"arrivals": ["200", "很多", ""]}, "not_a_number", "第 2 行的到达量“很多”不是数字。", "row-1-arrivals"),
    ({"service": ["3", "0", ""]}, "bad_service_time", "第 2 个队列（B）的平均办理时长应大于 0 分钟。", "row-1-service"),
    ({"service_level": "1.5"}, "bad_service_level", "服务水平应在 0 与 1 之间（不含 0 和 1），如 0.8。", "service_level"),
    ({"wait_seconds": "-1"}, "negative_wait", "目标等候时间不能为负数。", "wait_seconds"),
    ({"name": ["", "", ""], "arrivals": ["", "", ""], "service": ["", "", ""]}, "no_queues",
     "队列列表为空：至少需要一个队列。", ""),
    ({"name": ["A", "A", ""]}, "duplicate_queue", "队列名称“A”重复。", "row-1-name"),
    ({"arrivals": ["200", "1000000", ""], "service": ["3", "1440", ""]}, "load_too_high", None, ""),
])
def test_bad_input_is_refused_above_the_form_with_its_field_marked(catalog, fields, code, message, invalid):
    web = manager_client()
    page = web.post("/staffing/", form_post(**fields))
    html = page.content.decode()
    assert page.status_code == 400
    assert f'data-code="{code}"' in html
    if message:
        assert text_of(html, "planner-error") == message
    if invalid:
        assert f'id="{invalid}"' in html and html.index('aria-invalid="true"') > html.index(f'id="{invalid}"')
        assert html.count('aria-invalid="true"') == 1
    assert 'id="dedicated-total"' not in html
    if code != "no_queues":
        assert 'id="row-0-name" name="name" value="A"' in html  # the form keeps what was typed


def test_refusals_are_in_english_when_english_is_chosen(catalog):
    web = manager_client()
    web.cookies["django_language"] = "en"
    html = web.post("/staffing/", form_post(service_level="0")).content.decode()
    assert text_of(html, "planner-error") == "The service level must be between 0 and 1 (exclusive), e.g. 0.8."


def test_pasted_json_is_planned_and_malformed_json_is_refused(catalog):
    web = manager_client()
    page = web.post("/staffing/", {"action": "plan", "json": json.dumps(TWO_QUEUES)})
    html = page.content.decode()
    assert page.status_code == 200 and text_of(html, "pooled-total") == "24"
    assert 'id="row-1-name" name="name" value="B"' in html  # the form now shows the pasted queues
    broken = web.post("/staffing/", {"action": "plan", "json": '{"target": {"wait_seconds": 20,'})
    assert broken.status_code == 400
    assert text_of(broken.content.decode(), "planner-error").startswith("JSON 格式错误（第 1 行第 32 列）")


def test_adding_a_row_keeps_the_rows_typed(catalog):
    html = manager_client().post("/staffing/", form_post(action="add_row")).content.decode()
    assert 'id="row-3-name"' in html and 'id="row-4-name"' not in html
    assert 'id="row-0-arrivals" name="arrivals" inputmode="decimal" value="200"' in html
    assert 'id="dedicated-total"' not in html


def test_interval_rows_plan_each_hour_and_chart_them(catalog):
    fields = form_post(wait_seconds="900", name=["窗口甲", ""], arrivals=["6, 12, 3", ""], service=["10", ""],
                       first_hour="09:00")
    html = manager_client().post("/staffing/", fields).content.decode()
    rows = html[html.index('id="interval-rows"'):html.index("</table>", html.index('id="interval-rows"'))]
    assert "<td>09:00</td><td>2</td><td>2</td>" in rows
    assert "<td>10:00</td><td>3</td><td>3</td>" in rows and "<td>11:00</td><td>2</td><td>2</td>" in rows
    assert "<td>7.0</td><td>7.0</td>" in rows  # window-hours
    assert html.count('class="series-dedicated" data-value=') == 4  # 3 columns and the totals bar
    assert text_of(html, "dedicated-total") == "3"


def test_the_fengxian_scenario_stands_beside_the_reported_figures(catalog):
    html = manager_client().get("/staffing/?scenario=fengxian").content.decode()
    assert (text_of(html, "dedicated-total"), text_of(html, "pooled-total"), text_of(html, "saving")) == ("202", "142", "60")
    assert 'class="series-reported_dedicated" data-value="202"' in html
    assert 'class="series-reported_pooled" data-value="123"' in html
    assert html.count("<li>") >= 5 and "综合窗口" in html[html.index('id="assumptions"'):]
    assert 'id="row-40-name"' in html and 'id="row-41-name"' not in html  # 41 departments in the form
    refused = manager_client().get("/staffing/?scenario=atlantis")
    assert refused.status_code == 400 and 'data-code="unknown_scenario"' in refused.content.decode()


def test_the_scenario_resubmitted_unchanged_keeps_its_comparison_and_loses_it_when_edited(catalog):
    from yiwang.staffing import scenarios, webform

    form = webform.form_from_document(scenarios.fengxian_request())
    fields = {"action": "plan", "scenario": "fengxian", "first_hour": "09:00", "wait_seconds": form.wait_seconds,
              "service_level": form.service_level, "interval_minutes": form.interval_minutes,
              "name": [r.name for r in form.rows], "arrivals": [r.arrivals for r in form.rows],
              "service": [r.service for r in form.rows]}
    web = manager_client()
    assert 'id="scenario-comparison"' in web.post("/staffing/", fields).content.decode()
    fields["service"] = ["5"] + fields["service"][1:]
    assert 'id="scenario-comparison"' not in web.post("/staffing/", fields).content.decode()


def test_simulation_checks_the_plan_on_the_page(catalog):
    html = manager_client().post("/staffing/", form_post(simulate="on")).content.decode()
    simulated = html[html.index('id="simulation-pooled"'):]
    assert "<td>0.809</td>" in simulated  # Erlang's promise next to the simulated share
    assert html.count("±") >= 4


def test_the_page_plans_from_the_halls_history(history):
    html = manager_client().get("/staffing/?site=FX-CENTRE&from=2026-03-02&to=2026-03-09").content.decode()
    assert text_of(html, "history-summary") == "FX-CENTRE：2026-03-02 至 2026-03-09，6 个工作日，1 个业务分组。"
    assert "社保医保与公积金：有取号但尚无办结记录" in html
    assert 'id="row-0-arrivals" name="arrivals" inputmode="decimal" value="0.667, 0"' in html
    assert 'id="row-0-service" name="service" inputmode="decimal" value="10"' in html
    assert "<td>09:00</td><td>1</td><td>1</td>" in html and text_of(html, "pooled-total") == "1"
    empty = manager_client().get("/staffing/?site=FX-CENTRE&from=2026-01-05&to=2026-01-09").content.decode()
    assert text_of(empty, "history-empty") == "该期间没有可用于测算的取号记录。"
    refused = manager_client().get("/staffing/?site=FX-CENTRE&from=2026-03-09&to=2026-03-02")
    assert refused.status_code == 400 and 'data-code="bad_period"' in refused.content.decode()


# --- the API -------------------------------------------------------------------------------------

def test_the_api_plans_a_document(catalog):
    answer = api_as(make_staff(role="hall_manager")).post("/api/v1/staffing/plan/", TWO_QUEUES, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["dedicated"] == {"per_queue": {"A": 14, "B": 14}, "total": 28}
    assert (body["pooled"], body["saving"]) == ({"total": 24}, 4)
    assert body["details"]["dedicated"]["A"] == {"offered_load": 10.0, "service_level_achieved": 0.8884,
                                                 "prob_wait": 0.1741, "mean_wait_seconds": 7.8, "occupancy": 0.714}
    assert "simulation" not in body


def test_the_api_simulates_on_request(catalog):
    client = api_as(make_staff(role="administrator"))
    body = client.post("/api/v1/staffing/plan/?simulate=true&replications=3", TWO_QUEUES, format="json").json()
    assert body["simulation"]["pooled"]["analytical_service_level"] == 0.8089
    assert body["simulation"]["pooled"]["replications"] == 3
    for query, parameter in (("simulate=maybe", "simulate"), ("simulate=true&replications=0", "replications"),
                             ("simulate=true&replications=x", "replications")):
        refused = client.post(f"/api/v1/staffing/plan/?{query}", TWO_QUEUES, format="json")
        assert (refused.status_code, refused.json()["code"], refused.json()["details"]) == (
            400, "bad_parameter", {"parameter": parameter})
    huge = {**TWO_QUEUES, "queues": [{"name": "A", "arrivals_per_hour": 100000, "mean_service_minutes": 0.01}]}
    refused = client.post("/api/v1/staffing/plan/?simulate=true&replications=50", huge, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "simulation_too_large")


@pytest.mark.parametrize(("body", "code", "path"), [
    ({**TWO_QUEUES, "queues": []}, "no_queues", "queues"),
    ({**TWO_QUEUES, "queues": [{"name": "A", "arrivals_per_hour": -1, "mean_service_minutes": 3}]},
     "negative_arrivals", "queues[0].arrivals_per_hour"),
    ({**TWO_QUEUES, "queues": [{"name": "A", "arrivals_per_hour": 1, "mean_service_minutes": 0}]},
     "bad_service_time", "queues[0].mean_service_minutes"),
    ({**TWO_QUEUES, "target": {"wait_seconds": 20, "service_level": 1}}, "bad_service_level", "target.service_level"),
    ({**TWO_QUEUES, "target": {"wait_seconds": -20, "service_level": 0.8}}, "negative_wait", "target.wait_seconds"),
    ({**TWO_QUEUES, "queues": [{"name": "A", "arrivals_per_hour": 900000, "mean_service_minutes": 1400}]},
     "load_too_high", None),
    ([1, 2, 3], "bad_staffing_input", ""),
    ({**TWO_QUEUES, "queues": [{"name": "A", "arrivals_per_hour": "ten", "mean_service_minutes": 3}]},
     "not_a_number", "queues[0].arrivals_per_hour"),
])
def test_the_api_refuses_bad_documents_with_the_planners_codes(catalog, body, code, path):
    answer = api_as(make_staff(role="hall_manager")).post("/api/v1/staffing/plan/", body, format="json")
    assert answer.status_code == 400
    refusal = answer.json()
    assert refusal["code"] == code and refusal["message"] and refusal["message_en"]
    if path is not None:
        assert refusal["details"]["path"] == path


def test_the_api_refuses_malformed_json_and_forms(catalog):
    client = api_as(make_staff(role="hall_manager"))
    broken = client.post("/api/v1/staffing/plan/", '{"target": ', content_type="application/json")
    assert (broken.status_code, broken.json()["code"]) == (400, "malformed_request")
    nan = client.post("/api/v1/staffing/plan/", '{"target": {"wait_seconds": NaN, "service_level": 0.8}, "queues": []}',
                      content_type="application/json")
    assert (nan.status_code, nan.json()["code"]) == (400, "malformed_request")
    form = client.post("/api/v1/staffing/plan/", {"target": "x"}, format="multipart")
    assert (form.status_code, form.json()["code"]) == (400, "bad_staffing_input")  # no JSON body: nothing to plan


def test_only_planners_use_the_api(catalog):
    officer = api_as(make_staff(role="window_officer", departments=["SCJG"]))
    assert officer.post("/api/v1/staffing/plan/", TWO_QUEUES, format="json").status_code == 403
    assert api_as(make_resident()).post("/api/v1/staffing/plan/", TWO_QUEUES, format="json").status_code == 403
    assert APIClient().post("/api/v1/staffing/plan/", TWO_QUEUES, format="json").status_code == 401
    assert officer.get("/api/v1/staffing/history/?site=FX-CENTRE").status_code == 403


def test_the_api_reads_the_halls_history_into_a_plan(history):
    client = api_as(make_staff(role="hall_manager"))
    answer = client.get("/api/v1/staffing/history/?site=FX-CENTRE&from=2026-03-02&to=2026-03-09")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert {key: body[key] for key in ("site", "from", "to", "working_days", "hours")} == {
        "site": "FX-CENTRE", "from": "2026-03-02", "to": "2026-03-09", "working_days": 6, "hours": [9, 10]}
    assert body["document"] == {"target": {"wait_seconds": 900.0, "service_level": 0.8}, "interval_minutes": 60,
                                "queues": [{"name": "企业开办与市场准入", "group": "market", "arrivals_per_hour": [0.667, 0.0],
                                            "mean_service_minutes": 10.0}]}
    assert body["skipped"] == [{"group": "social", "name": "社保医保与公积金", "name_en": "", "reason": "no_service_time"}]
    assert body["plan"]["dedicated"] == {"per_queue": {"企业开办与市场准入": 1}, "total": 1}
    assert body["plan"]["intervals"]["pooled"]["per_interval"] == [1, 0]
    default = client.get("/api/v1/staffing/history/?site=FX-CENTRE&wait_seconds=60&service_level=0.95").json()
    assert (default["from"], default["to"]) == ("2026-02-10", "2026-03-09")  # four weeks to yesterday
    assert default["document"]["target"] == {"wait_seconds": 60.0, "service_level": 0.95}


@pytest.mark.parametrize(("query", "status", "code"), [
    ("", 400, "site_required"),
    ("site=NOWHERE", 404, "site_not_found"),
    ("site=FX-CENTRE&from=2026-02-30", 400, "bad_date"),
    ("site=FX-CENTRE&from=2026-03-09&to=2026-03-01", 400, "bad_period"),
    ("site=FX-CENTRE&to=2026-03-11", 400, "bad_period"),
    ("site=FX-CENTRE&from=2024-01-01&to=2026-03-09", 400, "bad_period"),
    ("site=FX-CENTRE&service_level=2", 400, "bad_service_level"),
    ("site=FX-CENTRE&wait_seconds=soon", 400, "not_a_number"),
])
def test_the_history_api_refuses_bad_queries(history, query, status, code):
    answer = api_as(make_staff(role="hall_manager")).get(f"/api/v1/staffing/history/?{query}")
    assert (answer.status_code, answer.json()["code"]) == (status, code)
