"""The public guides in a real browser (headless Chromium + Playwright).

1. 义务教育阶段转学一件事: once the parent says the student has a Shanghai hukou, the question about
   the residence permit (asked only of non-local students) disappears, its earlier answer is no
   longer sent and the items it added go; it comes back, answer kept, when the parent changes it.
2. A disabled 开始办理 (outside the application window) looks unavailable: another background and a
   not-allowed cursor than the enabled one, with a label still readable (contrast >= 4.5:1).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.conftest import ARTIFACTS, browser_only, eventually, login
from tests.factories import make_resident

pytestmark = browser_only

SCHOOL = "310120-YJS-002"
SCHOOL_DAY = dt.date(2026, 6, 25)  # inside its 06-20..07-10 window
BUSINESS = "310120-YJS-001"  # no application window: 开始办理 is always enabled
SCHOOL_ITEM = "310120-JYJ-21-0001"
RESIDENCE_REGISTRATION = "310120-GAHZ-07-0007"
RESIDENCE_PERMIT = "310120-GAHZ-07-0002"


def answer(page, question: str, value: str) -> str:
    """Tick an answer, wait for the guidance request it sends; return that request's URL."""
    sent = f"answer_{question}={value}"
    with page.expect_response(lambda response: "/guidance/" in response.url and sent in response.url) as info:
        page.check(f"input[name=answer_{question}][value={value}]")
    # The partial is swapped (and the questions re-checked) right after the response arrives.
    page.wait_for_load_state("networkidle")
    return info.value.url


def applicable_codes(page) -> list[str]:
    rows = page.locator("tr.applicable-item")
    return [rows.nth(i).get_attribute("data-code") for i in range(rows.count())]


def codes_become(page, expected: list[str]) -> bool:
    """The list of applicable items reaches `expected` (htmx swaps it just after the response, which
    on a loaded machine can be after the network went idle); True, or the assertion's failure."""
    try:
        eventually(lambda: applicable_codes(page) == expected, timeout=10, what=f"the applicable items {expected}")
    except AssertionError:
        assert applicable_codes(page) == expected
    return True


@pytest.mark.django_db(transaction=True)
def test_a_local_student_is_no_longer_asked_about_the_residence_permit(catalog, live_server, browser, frozen_clock):
    frozen_clock.set(SCHOOL_DAY)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/bundles/{SCHOOL}/")
    permit_question = page.locator("fieldset[data-question=q3]")
    assert permit_question.is_visible()

    answer(page, "q1", "residence_move")
    answer(page, "q2", "no")
    assert permit_question.is_visible()
    answer(page, "q3", "no")
    assert codes_become(page, [SCHOOL_ITEM, RESIDENCE_REGISTRATION, RESIDENCE_PERMIT])

    # A Shanghai hukou makes the residence-permit question irrelevant: hidden (this request still
    # carried its answer, which the server ignores), and no longer sent with the next answer.
    assert "answer_q3=no" in answer(page, "q2", "yes")
    page.wait_for_selector("fieldset[data-question=q3]", state="hidden")
    assert permit_question.is_hidden()
    assert page.locator("input[name=answer_q3]").first.is_disabled()
    assert page.locator("fieldset[data-question=q1]").is_visible()
    assert page.locator("fieldset[data-question=q2]").is_visible()
    assert codes_become(page, [SCHOOL_ITEM])
    assert page.locator(".guidance-errors").count() == 0
    # The person's focus stays on the answer they just chose (the questions are not re-rendered).
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "answer_q2=yes"
    assert "answer_q3" not in answer(page, "q1", "other")
    assert permit_question.is_hidden()
    assert codes_become(page, [SCHOOL_ITEM])
    page.screenshot(path=str(ARTIFACTS / "guide-school-q3-hidden.png"), full_page=True)

    # Changing back asks it again, with the earlier answer kept and counted again (the page sends
    # it in a second request as soon as the question is shown).
    with page.expect_response(lambda response: "/guidance/" in response.url and "answer_q3=no" in response.url):
        answer(page, "q2", "no")
    page.wait_for_load_state("networkidle")
    assert permit_question.is_visible()
    assert page.is_checked("input[name=answer_q3][value=no]")
    assert page.locator(".guidance-errors").count() == 0
    assert codes_become(page, [SCHOOL_ITEM, RESIDENCE_REGISTRATION, RESIDENCE_PERMIT])


def _button_look(page) -> dict[str, str]:
    return page.locator("#questionnaire button[type=submit]").evaluate(
        "button => { const s = getComputedStyle(button);"
        " return {disabled: String(button.disabled), background: s.backgroundColor, color: s.color, cursor: s.cursor}; }"
    )


def _rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
    return red, green, blue


def _contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    def luminance(rgb):
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.django_db(transaction=True)
def test_a_disabled_button_looks_unavailable_and_stays_readable(catalog, live_server, browser, frozen_clock):
    frozen_clock.set(dt.date(2026, 3, 10))  # the school transfer window (06-20..07-10) is closed
    resident = make_resident()
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(10_000)
    login(page, live_server.url, resident.username)

    page.goto(f"{live_server.url}/bundles/{BUSINESS}/")
    enabled = _button_look(page)
    page.goto(f"{live_server.url}/bundles/{SCHOOL}/")
    disabled = _button_look(page)

    assert enabled == {
        "disabled": "false", "background": "rgb(183, 28, 28)", "color": "rgb(255, 255, 255)", "cursor": "pointer",
    }
    assert disabled == {
        "disabled": "true", "background": "rgb(224, 224, 224)", "color": "rgb(66, 66, 66)", "cursor": "not-allowed",
    }
    assert round(_contrast(_rgb(disabled["color"]), _rgb(disabled["background"])), 1) == 7.6
    page.locator("#questionnaire").screenshot(path=str(ARTIFACTS / "guide-disabled-start.png"))
