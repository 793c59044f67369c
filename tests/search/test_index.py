"""The in-memory index: one cheap query per search, rebuilt when the catalogue or synonyms change."""

from __future__ import annotations

import pytest

from tests.search.conftest import codes
from yiwang.catalog.models import Bundle, BundleMember, ServiceItem
from yiwang.catalog.services import update_item
from yiwang.core import clock
from yiwang.search import selectors, services
from yiwang.search.models import Synonym

pytestmark = pytest.mark.django_db


def test_a_warm_search_costs_one_query(search_catalog, django_assert_num_queries):
    selectors.search("社保卡")
    with django_assert_num_queries(1):
        hits = selectors.search("孩子转学")
    assert codes(hits)[0] == "310120-YJS-002"


def test_index_is_reused_until_something_changes(search_catalog):
    index = selectors.current_index()
    assert selectors.current_index() is index
    services.save_synonym(synonym=Synonym(term="新词", expansion="出生登记"))
    assert selectors.current_index() is not index


def test_renamed_item_is_found_under_its_new_name(search_catalog):
    item = ServiceItem.objects.get(code="310120-JTW-21-0002")
    assert "310120-JTW-21-0002" not in codes(selectors.search("驾考预约排队", limit=50))
    update_item(item=item, changes={"name": "驾考预约排队查询"})
    assert codes(selectors.search("驾考预约排队"))[0] == "310120-JTW-21-0002"


def test_deactivated_item_disappears(search_catalog):
    assert codes(selectors.search("养犬登记", limit=3))[:2] == ["310120-GAZA-01-0002", "310120-YJS-040"]
    update_item(item=ServiceItem.objects.get(code="310120-GAZA-01-0002"), changes={"is_active": False})
    found = codes(selectors.search("养犬登记", limit=50))
    assert "310120-GAZA-01-0002" not in found
    assert found[0] == "310120-YJS-040"


def test_bundle_changes_are_seen(search_catalog):
    bundle = Bundle.objects.get(code="310120-YJS-040")
    selectors.search("文明养宠物")
    # Every writer of bundles (admin save, catalogue import) moves updated_at, which the index watches.
    Bundle.objects.filter(pk=bundle.pk).update(name="文明养宠物一件事", updated_at=clock.now())
    assert codes(selectors.search("文明养宠物"))[0] == "310120-YJS-040"
    BundleMember.objects.filter(bundle=bundle).delete()
    assert "310120-YJS-040" not in codes(selectors.search("狂犬病免疫", limit=50))
    Bundle.objects.filter(pk=bundle.pk).delete()
    assert "310120-YJS-040" not in codes(selectors.search("文明养宠物", limit=50))


def test_synonym_changes_through_the_services(search_catalog, frozen_clock):
    # Each change comes a minute after the last: the index notices changes by their updated_at.
    assert codes(selectors.search("铺子开张")) == []
    synonym = services.save_synonym(synonym=Synonym(term=" 铺子开张 ", expansion="个体工商户设立登记", life_event=False))
    assert synonym.term == "铺子开张"
    assert codes(selectors.search("铺子开张"))[0] == "310120-SCJG-01-0001"
    frozen_clock.advance(minutes=1)
    synonym.active = False
    services.save_synonym(synonym=synonym)
    assert codes(selectors.search("铺子开张")) == []
    frozen_clock.advance(minutes=1)
    synonym.active = True
    services.save_synonym(synonym=synonym)
    services.delete_synonym(synonym=synonym)
    assert codes(selectors.search("铺子开张")) == []
    assert not Synonym.objects.filter(term="铺子开张").exists()


def test_unusable_synonym_is_refused_and_nothing_saved(search_catalog):
    before = Synonym.objects.count()
    for term, expansion in (("？？", "出生登记"), ("新词", "  "), ("新词", "！！")):
        with pytest.raises(services.ValidationFailed) as raised:
            services.save_synonym(synonym=Synonym(term=term, expansion=expansion))
        assert raised.value.code == "invalid_synonym"
    with pytest.raises(services.ValidationFailed) as raised:
        services.save_synonym(synonym=Synonym(term="ＹＹＺＺ", expansion="别的"))  # same as yyzz once normalised
    assert raised.value.code == "invalid_synonym"
    assert Synonym.objects.count() == before
    assert Synonym.objects.get(term="yyzz").expansion == "营业执照"


def test_seeding_adds_only_what_is_missing(search_catalog):
    assert services.seed_default_synonyms() == 0
    Synonym.objects.filter(term="yyzz").delete()
    Synonym.objects.filter(term="gjj").update(expansion="公积金 住房公积金")
    assert services.seed_default_synonyms() == 1
    assert Synonym.objects.get(term="yyzz").expansion == "营业执照"
    assert Synonym.objects.get(term="gjj").expansion == "公积金 住房公积金"
