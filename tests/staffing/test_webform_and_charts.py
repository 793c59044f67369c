"""The page's form as a planner document and back, and the charts' geometry (pure modules)."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from yiwang.core.errors import ValidationFailed
from yiwang.staffing import charts, webform


def posted(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def test_rows_become_queues_and_lists_become_intervals():
    form = webform.PlannerForm.from_post(posted(wait_seconds="900", service_level="0.8", patience_minutes="",
                                                interval_minutes="30", name=["税务", "", "社保"],
                                                arrivals=["12", "", "10，14、 12;8"], service=["9.5", "", "6, 7, 8, 9"]))
    assert webform.document_from_form(form) == {
        "target": {"wait_seconds": 900.0, "service_level": 0.8}, "interval_minutes": 30.0,
        "queues": [{"name": "税务", "arrivals_per_hour": 12.0, "mean_service_minutes": 9.5},
                   {"name": "社保", "arrivals_per_hour": [10.0, 14.0, 12.0, 8.0], "mean_service_minutes": [6.0, 7.0, 8.0, 9.0]}]}


def test_a_missing_value_is_left_for_the_planner_to_name():
    form = webform.PlannerForm.from_post(posted(wait_seconds="", service_level="0.8", name=["A"], arrivals=["3"], service=[""]))
    assert webform.document_from_form(form) == {"target": {"service_level": 0.8},
                                                "queues": [{"name": "A", "arrivals_per_hour": 3.0}]}


@pytest.mark.parametrize(("fields", "message", "path"), [
    ({"wait_seconds": "十五分钟"}, "目标等候时间“十五分钟”不是数字。", "target.wait_seconds"),
    ({"service_level": "nan"}, "服务水平“nan”不是数字。", "target.service_level"),
    ({"arrivals": ["1", "2, x"]}, "第 2 行的到达量“x”不是数字。", "queues[1].arrivals_per_hour"),
    ({"service": ["inf", "3"]}, "第 1 行的办理时长“inf”不是数字。", "queues[0].mean_service_minutes"),
])
def test_a_value_that_is_no_number_is_refused_with_its_row(fields, message, path):
    base = {"wait_seconds": "900", "service_level": "0.8", "name": ["A", "B"], "arrivals": ["1", "2"], "service": ["3", "3"]}
    with pytest.raises(ValidationFailed) as refused:
        webform.document_from_form(webform.PlannerForm.from_post(posted(**{**base, **fields})))
    assert (refused.value.code, refused.value.message, refused.value.details) == ("not_a_number", message, {"path": path})


def test_a_document_shows_in_the_form_and_plans_the_same_when_sent_back():
    document = {"target": {"wait_seconds": 900, "service_level": 0.8}, "interval_minutes": 60,
                "queues": [{"name": "甲", "arrivals_per_hour": [1.5, 0.0, 2.25], "mean_service_minutes": 12}]}
    form = webform.form_from_document(document)
    assert (form.wait_seconds, form.service_level, form.patience_minutes, form.interval_minutes) == ("900", "0.8", "", "60")
    assert [(r.name, r.arrivals, r.service) for r in form.rows] == [("甲", "1.5, 0, 2.25", "12")]
    assert webform.document_from_form(form) == document


def test_adding_rows_stops_at_the_planners_limit():
    form = webform.PlannerForm()
    assert len(form.rows) == webform.EMPTY_ROWS and len(form.with_extra_row().rows) == webform.EMPTY_ROWS + 1
    full = webform.PlannerForm(rows=[webform.FormRow() for _ in range(webform.MAX_ROWS)])
    assert len(full.with_extra_row().rows) == webform.MAX_ROWS


def test_total_bars_scale_to_the_largest():
    bars, height = charts.total_bars([("dedicated", "分设", 200), ("pooled", "综合", 100), ("reported_pooled", "报告", 0)])
    assert [(b.key, b.value, b.y, b.width) for b in bars] == [("dedicated", 200, 10, 340.0), ("pooled", 100, 40, 170.0),
                                                              ("reported_pooled", 0, 70, 0.0)]
    assert (height, bars[1].text_x) == (110, 346.0)
    assert charts.total_bars([("dedicated", "分设", 0)])[0][0].width == 0.0  # nothing to scale by: no division by zero


def test_interval_columns_and_labels():
    assert charts.interval_labels(3, 30, 9 * 60) == ["09:00", "09:30", "10:00"]
    assert charts.interval_labels(2, 60, 23 * 60) == ["23:00", "00:00"]
    assert charts.interval_labels(2, 60, None) == ["1", "2"]
    first, second = charts.interval_columns(["09:00", "10:00"], [4, 2], [3, 1], height=200)
    assert (first.x, first.width, first.dedicated_height, first.pooled_height, first.baseline) == (30.0, 98.8, 200.0, 150.0, 210)
    assert (second.x, second.dedicated_y, second.pooled_y, second.pooled_x) == (290.0, 110.0, 160.0, 388.8)
