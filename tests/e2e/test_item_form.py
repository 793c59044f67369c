"""An item's own form in a real browser: the conditional family table appears only for a family
business, its rows are saved with the draft, and the form fits a phone in English."""

from __future__ import annotations

import pytest

from tests.applications.test_item_forms import COMMON, FORM
from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.factories import make_resident
from tests.helpers import ITEM_ONE_LEVEL

pytestmark = browser_only


@pytest.mark.django_db(transaction=True)
def test_the_family_table_appears_for_a_family_business_and_is_saved(catalog, live_server, browser, settings, tmp_path):
    from yiwang.applications.models import Case
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem

    settings.MEDIA_ROOT = tmp_path / "media"
    services.update_item(item=ServiceItem.objects.get(code=ITEM_ONE_LEVEL), changes={"form": FORM})
    resident = make_resident()
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    login(page, live_server.url, resident.username)
    page.goto(f"{live_server.url}/cases/apply/{ITEM_ONE_LEVEL}/")
    assert page.locator("label[for=id_business_name]").inner_text().startswith("Name of the business")
    assert page.locator("#id_operator_id_number").count() == 1
    table = page.locator("#field-family_members")
    assert table.is_hidden()
    page.check("input[name=organisation_form][value=family]")
    assert table.is_visible() and page.locator("#id_family_members\\.0\\.name").is_enabled()
    page.check("input[name=organisation_form][value=personal]")
    assert table.is_hidden() and page.locator("#id_family_members\\.0\\.name").is_disabled()
    page.check("input[name=organisation_form][value=family]")
    page.fill("#id_business_name", "Zhang San snacks")
    page.fill("#id_family_members\\.0\\.name", "李四")
    page.fill("#id_family_members\\.0\\.id_number", "310120198506120027")
    page.fill("#id_capital", "3")
    page.fill("#id_address", COMMON["address"])
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "item-form-phone-en.png"), full_page=True)
    with page.expect_navigation():
        page.click("form button[type=submit]:has-text('Save draft')")
    case = Case.objects.get(applicant=resident)
    assert case.form_data["family_members"] == [{"name": "李四", "id_number": "310120198506120027"}]
    assert case.form_data["organisation_form"] == "family" and case.form_data["capital"] == "3"
    assert page.locator("#field-family_members").is_visible()  # the edit page shows it as answered
    assert page.input_value("#id_family_members\\.0\\.name") == "李四"
    context.close()
