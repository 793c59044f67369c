"""The item editing service used by the admin."""

from __future__ import annotations

import pytest

from yiwang.catalog.flows import default_flow
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.services import update_item
from yiwang.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
CODE = "310120-SCJG-01-0001"


def test_rule_change_bumps_version_other_change_does_not(catalog):
    item = ServiceItem.objects.get(code=CODE)
    item = update_item(item=item, changes={"promised_limit_value": 2})
    assert item.version == 2
    item = update_item(item=item, changes={"name_en": "Individual business registration"})
    assert item.version == 2
    item = update_item(item=item, changes={"promised_limit_value": 2})
    assert ServiceItem.objects.get(code=CODE).version == 2


def test_materials_replace_and_bump(catalog):
    item = ServiceItem.objects.get(code=CODE)
    item = update_item(
        item=item,
        changes={"materials": [{"position": 1, "name": "申请书", "kind": "form", "source": "10", "necessity": "1"}]},
    )
    assert item.version == 2
    assert list(item.materials.values_list("position", "name", "copies", "exemptible_via")) == [(1, "申请书", 1, "")]


def test_invalid_changes_are_refused_and_nothing_changes(catalog):
    item = ServiceItem.objects.get(code=CODE)
    with pytest.raises(ValidationFailed) as caught:
        update_item(item=item, changes={"version": 9})
    assert caught.value.code == "unknown_item_fields"
    with pytest.raises(ValidationFailed) as caught:
        update_item(item=item, changes={"statutory_limit_value": 1, "flow": [{"step": "review", "role": "approver"}]})
    assert (caught.value.code, caught.value.details) == ("invalid_flow", ["the last step of a flow must be 'decide'"])
    with pytest.raises(ValidationFailed) as caught:
        update_item(item=item, changes={"case_type": "someday"})
    assert caught.value.code == "invalid_item"
    assert list(caught.value.details) == ["case_type"]
    with pytest.raises(ValidationFailed) as caught:
        update_item(item=item, changes={"materials": [{"position": 1, "name": "x", "kind": "form", "source": "10", "necessity": "1", "exemptible_via": "nope:x"}]})
    assert caught.value.details == {"materials[0]": {"exemptible_via": ["未知的共享数据记录 nope:x。"]}}
    item.refresh_from_db()
    assert (item.version, item.statutory_limit_value, item.case_type, item.flow) == (1, 3, "instant", default_flow(1))
    assert item.materials.count() == 4
