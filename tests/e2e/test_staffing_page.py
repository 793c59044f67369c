"""The hall manager plans windows in a real browser: types three queues, sees dedicated against
pooled with a chart, is told plainly what is wrong with a bad value, loads the reference district's
scenario beside its reported figures, and does it all again on a phone in English."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.factories import make_staff

pytestmark = browser_only


def fill_row(page, row: int, name: str, arrivals: str, service: str) -> None:
    page.fill(f"#row-{row}-name", name)
    page.fill(f"#row-{row}-arrivals", arrivals)
    page.fill(f"#row-{row}-service", service)


@pytest.mark.django_db(transaction=True)
def test_a_manager_plans_windows_and_compares_dedicated_with_pooled(catalog, live_server, browser):
    manager = make_staff(role="hall_manager")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server.url, manager.username)
    page.click("nav >> text=窗口配置测算")
    page.wait_for_selector("#planner-form")

    page.fill("#wait_seconds", "20")
    page.fill("#service_level", "0.8")
    fill_row(page, 0, "税务", "200", "3")
    fill_row(page, 1, "社保", "200", "3")
    page.click("#add-row")  # a fourth row, without losing the three typed
    page.wait_for_selector("#row-3-name")
    assert page.input_value("#row-1-name") == "社保"
    fill_row(page, 3, "公积金", "20", "6")
    page.click("#plan")
    page.wait_for_selector("#planner-result")
    assert page.inner_text("#dedicated-total") == "32"
    assert page.inner_text("#pooled-total") == "27"
    assert page.inner_text("#saving") == "5"
    chart = page.locator("#totals-chart rect")
    assert chart.count() == 2
    assert [chart.nth(n).get_attribute("data-value") for n in range(2)] == ["32", "27"]
    assert page.locator("#queue-results tbody tr").count() == 3
    assert page.inner_text("#totals-text") == "分设窗口需 32 个，综合窗口需 27 个，可减少 5 个。"
    page.screenshot(path=str(ARTIFACTS / "staffing-plan.png"), full_page=True)

    # A bad value: the refusal shows above the form (htmx swaps the 400 in) and the field is marked.
    page.fill("#row-1-arrivals", "-5")
    page.click("#plan")
    page.wait_for_selector("#planner-error")
    assert page.inner_text("#planner-error") == "第 2 个队列（社保）的到达量不能为负数。"
    assert page.get_attribute("#row-1-arrivals", "aria-invalid") == "true"
    assert page.locator("#planner-result").count() == 0
    assert page.input_value("#row-0-name") == "税务"  # nothing typed is lost

    # The reference district: 41 departments, dedicated against pooled, beside the reported 202 -> 123.
    page.click("#load-scenario")
    page.wait_for_selector("#scenario-comparison")
    assert (page.inner_text("#dedicated-total"), page.inner_text("#pooled-total")) == ("202", "142")
    assert page.locator("#totals-chart rect[data-value='123']").count() == 1
    assert page.locator("#intervals-chart rect.series-pooled").count() == 8  # one column per hour 09:00-16:00
    assert page.locator("#assumptions li").count() == 8
    page.check("#simulate")
    page.click("#plan")
    page.wait_for_selector("#simulation")
    assert page.locator("#scenario-comparison").count() == 1  # unchanged: still the district's scenario
    page.screenshot(path=str(ARTIFACTS / "staffing-fengxian.png"), full_page=True)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_planner_fits_a_phone_in_english(catalog, live_server, browser):
    manager = make_staff(role="hall_manager")
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    login(page, live_server.url, manager.username)
    page.goto(f"{live_server.url}/staffing/?scenario=fengxian")
    page.wait_for_load_state("load")
    assert page.inner_text("h1") == "Window staffing planner"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert page.inner_text("#pooled-total") == "142"
    assert "Pooling alone would need" in page.inner_text("#scenario-comparison")
    page.fill("#service_level", "1.2")
    page.click("#plan")
    page.wait_for_selector("#planner-error")
    assert page.inner_text("#planner-error") == "The service level must be between 0 and 1 (exclusive), e.g. 0.8."
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "staffing-phone-en.png"), full_page=True)
    context.close()
