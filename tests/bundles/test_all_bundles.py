"""Every reference bundle loads and works: each answer combination starts an application."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_enterprise, make_resident
from yiwang.bundles import guidance, selectors, services
from yiwang.bundles.models import BundleCase
from yiwang.catalog.models import Bundle

pytestmark = pytest.mark.django_db


def test_every_bundle_starts_for_every_combination_of_answers(catalog, frozen_clock):
    resident, enterprise = make_resident(), make_enterprise()
    started = 0
    for code in Bundle.objects.order_by("code").values_list("code", flat=True):
        bundle = selectors.get_bundle(code)
        day = dt.date(2026, 11, 26)
        if bundle.window_opens:
            month, day_of_month = guidance.parse_month_day(bundle.window_opens)
            day = dt.date(2026, month, day_of_month)
        frozen_clock.set(day)
        for answers in guidance.answer_combinations(bundle.questions):
            guide = selectors.guide_for(bundle, answers)
            assert guide.ok, (code, answers, guide.result.errors)
            applicant = enterprise if any("enterprise" in (row.item.service_objects or []) for row in guide.items) else resident
            bundle_case = services.start_bundle_application(
                applicant=applicant, bundle_code=code, answers=answers, form_data={"phone": "13800138000"}
            )
            members = list(bundle_case.members.all())
            assert [m.item.code for m in members] == [row.item.code for row in guide.items]
            assert all((m.case is not None) == (m.channel == "online") for m in members)
            assert all(m.case.state == "draft" for m in members if m.case)
            assert selectors.combined_status(bundle_case).code == "draft"
            started += 1
    assert Bundle.objects.count() == 42
    assert BundleCase.objects.count() == started
    assert started > 42
