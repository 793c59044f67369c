"""Administrators edit the synonym list; the next search uses it."""

from __future__ import annotations

import pytest

from tests import factories
from tests.search.conftest import codes
from yiwang.search import selectors
from yiwang.search.models import Synonym

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/search/synonym/add/"


def _form(**values) -> dict[str, str]:
    data = {"term": "", "expansion": "", "note": "", "active": "on"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_adding_editing_and_deleting_a_synonym_changes_results(admin_client, search_catalog, frozen_clock):
    # Each edit comes a minute after the last: the index notices changes by their updated_at.
    assert codes(selectors.search("铺子开张")) == []
    response = admin_client.post(ADD_URL, _form(term="铺子开张", expansion="个体工商户设立登记", note="测试"))
    assert response.status_code == 302
    synonym = Synonym.objects.get(term="铺子开张")
    assert codes(selectors.search("铺子开张"))[0] == "310120-SCJG-01-0001"

    frozen_clock.advance(minutes=1)
    response = admin_client.post(
        f"/admin/search/synonym/{synonym.pk}/change/", _form(term="铺子开张", expansion="药店 开办", life_event="on")
    )
    assert response.status_code == 302
    assert codes(selectors.search("铺子开张"))[0] == "310120-YJS-013"

    response = admin_client.post(f"/admin/search/synonym/{synonym.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Synonym.objects.filter(pk=synonym.pk).exists()
    assert codes(selectors.search("铺子开张")) == []


def test_terms_are_stored_normalised_and_unique(admin_client, search_catalog):
    response = admin_client.post(ADD_URL, _form(term="  ＡＢＣ  Ｄ ", expansion=" 出生登记   户口 "))
    assert response.status_code == 302
    assert Synonym.objects.filter(term="abc d", expansion="出生登记 户口").count() == 1
    before = Synonym.objects.count()
    response = admin_client.post(ADD_URL, _form(term="ＹＹＺＺ", expansion="别的"))
    assert response.status_code == 200
    assert "“yyzz”已存在。" in response.content.decode()
    assert Synonym.objects.count() == before
    assert Synonym.objects.get(term="yyzz").expansion == "营业执照"


def test_unusable_expansion_is_refused(admin_client, search_catalog):
    before = Synonym.objects.count()
    response = admin_client.post(ADD_URL, _form(term="新说法", expansion="！！"))
    assert response.status_code == 200
    assert "规范用语不能为空，请填写至少一个词（以空格分隔）。" in response.content.decode()
    assert Synonym.objects.count() == before
    assert not Synonym.objects.filter(term="新说法").exists()


def test_residents_and_staff_without_the_permission_cannot_edit(client, search_catalog):
    before = list(Synonym.objects.order_by("pk").values_list("term", "expansion"))
    for user in (factories.make_resident(), factories.make_staff(role="window_officer", departments=["SCJG"])):
        client.force_login(user)
        response = client.post(ADD_URL, _form(term="铺子开张", expansion="个体工商户设立登记"))
        # Not admin staff: the admin sends them to its login page.
        assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/search/synonym/add/")
    assert list(Synonym.objects.order_by("pk").values_list("term", "expansion")) == before
    assert codes(selectors.search("铺子开张")) == []
