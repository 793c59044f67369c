"""The 好差评 API: a phone rates a case, the department follows up, the figures answer."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rate_follow_up_and_judge_through_the_api(cases):
    phone, desk = _client(cases.resident), _client(cases.officer)
    url = f"/api/v1/applications/{cases.ended['id']}/rating/"
    assert phone.get(url).json()["code"] == "not_rated"
    refused = phone.post(url, {"level": 6}, format="json")
    assert refused.status_code == 400
    refused = phone.post(url, {"level": 2, "scores": {"attitude": 3}}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_score")
    made = phone.post(url, {"level": 2, "scores": {"efficiency": 1}, "comment": "太慢"}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["level"], body["level_label"], body["channel"], body["scores"]) == (2, "不满意", "mobile", {"efficiency": 1})
    task = body["rectification"]
    assert (task["state"], task["due_on"], task["overdue"]) == ("awaiting_callback", "2026-03-17", False)
    again = phone.post(url, {"level": 5}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    assert _client(make_resident(real_name="李四")).get(url).status_code == 404

    listed = desk.get("/api/v1/ratings/rectifications/").json()["results"]
    assert [t["id"] for t in listed] == [task["id"]]
    assert _client(make_staff(role="window_officer", departments=["GAZA"])).get("/api/v1/ratings/rectifications/").json() == {"results": []}
    actions = f"/api/v1/ratings/rectifications/{task['id']}/actions/"
    stale = desk.post(actions, {"action": "call_back", "version": 3, "reached": True, "notes": "已联系"}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_rectification")
    assert desk.post(actions, {"action": "call_back", "version": 0, "reached": True, "notes": "已联系"}, format="json").status_code == 200
    missing = desk.post(actions, {"action": "resolve", "reply": "已改"}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "outcome_required")
    done = desk.post(actions, {"action": "resolve", "outcome": "fixed_now", "reply": "已加派人手"}, format="json").json()
    assert (done["state"], done["reply"]) == ("replied", "已加派人手")
    judged = phone.post(f"/api/v1/ratings/rectifications/{task['id']}/verdict/", {"verdict": "satisfied"}, format="json").json()
    assert (judged["state"], judged["verdict"]) == ("closed", "satisfied")
    figures = desk.get("/api/v1/ratings/summary/").json()
    assert {k: figures[k] for k in ("total", "bad", "called_back", "rectified", "callback_rate", "rectification_rate", "good_rate")} == {
        "total": 1, "bad": 1, "called_back": 1, "rectified": 1, "callback_rate": 1.0, "rectification_rate": 1.0, "good_rate": 0.0}
    assert phone.get("/api/v1/ratings/summary/").status_code == 403


def test_an_appeal_is_decided_once_through_the_api(cases):
    made = _client(cases.resident).post(f"/api/v1/applications/{cases.ended['id']}/rating/", {"level": 1}, format="json").json()
    task_id = made["rectification"]["id"]
    desk = _client(cases.officer)
    assert desk.post(f"/api/v1/ratings/rectifications/{task_id}/actions/", {"action": "appeal", "reason": "误评"}, format="json").json()["state"] == "appealed"
    from yiwang.ratings.models import Appeal

    appeal = Appeal.objects.get()
    assert desk.post(f"/api/v1/ratings/appeals/{appeal.pk}/decision/", {"upheld": True, "note": "x"}, format="json").status_code == 403
    reviewer = _client(make_staff(role="hall_manager"))
    assert reviewer.post(f"/api/v1/ratings/appeals/{appeal.pk}/decision/", {"upheld": True, "note": "核实误评"}, format="json").json() == {
        "id": appeal.pk, "state": "upheld"}
    twice = reviewer.post(f"/api/v1/ratings/appeals/{appeal.pk}/decision/", {"upheld": False, "note": "再议"}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "appeal_already_decided")
    assert desk.get("/api/v1/ratings/summary/").json()["set_aside"] == 1
