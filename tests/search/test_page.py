"""The /search/ page and its htmx partial."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _links(html: str) -> list[str]:
    return re.findall(r'<li class="card search-hit">.*?<a href="([^"]+)"', html, flags=re.S)


def test_results_link_bundles_and_items(client, search_catalog):
    response = client.get("/search/", {"q": "孩子转学"})
    html = response.content.decode()
    assert response.status_code == 200
    assert _links(html)[:2] == ["/bundles/310120-YJS-002/", "/items/310120-JYJ-21-0001/"]
    assert "义务教育阶段转学一件事" in html
    assert "“孩子转学”的搜索结果" in html
    assert '<html' in html and 'value="孩子转学"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html


def test_htmx_request_gets_only_the_partial(client, search_catalog):
    response = client.get("/search/", {"q": "yyzz"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert _links(html)[0] == "/items/310120-SCJG-20-0002/"


def test_without_a_query_only_the_form_is_shown(client, search_catalog):
    html = client.get("/search/").content.decode()
    assert 'id="search-q"' in html
    assert "search-hit" not in html
    assert 'role="alert"' not in html


def test_nothing_found(client, search_catalog):
    html = client.get("/search/", {"q": "怎么办"}).content.decode()
    assert "没有找到与“怎么办”相关的事项。" in html


def test_overlong_query_shows_the_message(client, search_catalog):
    response = client.get("/search/", {"q": "社" * 101})
    assert response.status_code == 400
    assert "搜索内容不能超过 100 个字（当前 101 个）。" in response.content.decode()


def test_english(client, search_catalog):
    response = client.get("/search/", {"q": "school transfer"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "School transfer in compulsory education" in html
    assert "District Education Bureau" in html
    assert "Search results for “school transfer”" in html
    assert "What do you need to do?" in html
    response = client.get("/search/", {"q": "社" * 101}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The query must be at most 100 characters long (it has 101)." in response.content.decode()
