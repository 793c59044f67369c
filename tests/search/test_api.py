"""GET /api/v1/search: public, the exact JSON, clear 400s."""

from __future__ import annotations

import pytest

from yiwang.search import selectors

pytestmark = pytest.mark.django_db

QUERY_ERROR = {"code": "invalid_query", "message": "请输入要搜索的内容。", "message_en": "Please enter something to search for."}
LIMIT_ERROR = {
    "code": "invalid_limit",
    "message": "结果条数须为 1 到 50 之间的整数。",
    "message_en": "limit must be a whole number from 1 to 50.",
}


def test_anonymous_search_returns_the_ranked_results(client, search_catalog):
    response = client.get("/api/v1/search", {"q": "孩子转学", "limit": "2"})
    assert response.status_code == 200
    body = response.json()
    assert body == selectors.search_as_json("孩子转学", 2)
    assert [(r["code"], r["name"], r["kind"]) for r in body["results"]] == [
        ("310120-YJS-002", "义务教育阶段转学一件事", "bundle"),
        ("310120-JYJ-21-0001", "义务教育阶段转学", "item"),
    ]
    assert body["results"][0]["score"] > body["results"][1]["score"] > 0


def test_default_limit_is_ten(client, search_catalog):
    assert len(client.get("/api/v1/search", {"q": "公积金"}).json()["results"]) == 10


def test_no_match_is_an_empty_list(client, search_catalog):
    response = client.get("/api/v1/search", {"q": "怎么办"})
    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_empty_query_is_a_400(client, search_catalog, params):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 400
    assert response.json() == QUERY_ERROR


def test_overlong_query_is_a_400(client, search_catalog):
    response = client.get("/api/v1/search", {"q": "社" * 101})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_query",
        "message": "搜索内容不能超过 100 个字（当前 101 个）。",
        "message_en": "The query must be at most 100 characters long (it has 101).",
    }
    assert client.get("/api/v1/search", {"q": "社" * 100}).status_code == 200


@pytest.mark.parametrize("limit", ["0", "51", "-1", "abc", "", "1.5", "１０", "99999999"])
def test_limit_out_of_range_is_a_400(client, search_catalog, limit):
    response = client.get("/api/v1/search", {"q": "社保", "limit": limit})
    assert response.status_code == 400
    assert response.json() == LIMIT_ERROR


@pytest.mark.parametrize("limit, count", [("1", 1), ("50", 50)])
def test_limits_at_the_edges(client, search_catalog, limit, count):
    response = client.get("/api/v1/search", {"q": "登记", "limit": limit})
    assert response.status_code == 200
    assert len(response.json()["results"]) == count


def test_only_get_is_allowed(client, search_catalog):
    response = client.post("/api/v1/search", {"q": "社保"})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
