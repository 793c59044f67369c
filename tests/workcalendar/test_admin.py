"""The admin saves schedules through the services: validation shown, recompute jobs recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import PASSWORD
from yiwang.workcalendar import services
from yiwang.workcalendar.models import HolidaySchedule, ScheduleDay

D = dt.date
ADD_URL = "/admin/workcalendar/holidayschedule/add/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    from yiwang.accounts.models import User

    User.objects.create_superuser(username="calendar-admin", password=PASSWORD, email="")
    client = Client()
    assert client.login(username="calendar-admin", password=PASSWORD)
    return client


@pytest.fixture
def recompute_jobs():
    """How many deadline recomputations the schedule changes recorded for the worker."""
    from yiwang.jobs.models import Job

    return lambda: Job.objects.filter(kind="applications.recompute_open_deadlines").count()


def form_data(year, rows, *, source="国办发明电〔2026〕X号", initial=0, published=True):
    data = {
        "year": str(year),
        "source": source,
        "days-TOTAL_FORMS": str(len(rows)),
        "days-INITIAL_FORMS": str(initial),
        "days-MIN_NUM_FORMS": "1",
        "days-MAX_NUM_FORMS": "1000",
    }
    if published:
        data["published"] = "on"
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"days-{index}-{key}"] = value
    return data


def test_adding_a_schedule_publishes_it_and_records_the_recompute_job(admin_client, recompute_jobs, django_capture_on_commit_callbacks):
    rows = [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-14", "kind": "workday", "name": "春节"},
        {"date": "", "kind": "", "name": ""},  # an untouched extra row
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_URL, form_data(2027, rows))
    assert response.status_code == 302
    schedule = HolidaySchedule.objects.get()
    assert response["Location"] == "/admin/workcalendar/holidayschedule/"
    assert (schedule.year, schedule.published, schedule.source) == (2027, True, "国办发明电〔2026〕X号")
    assert list(schedule.days.values_list("date", "kind", "name")) == [
        (D(2027, 1, 1), "holiday", "元旦"),
        (D(2027, 2, 14), "workday", "春节"),
    ]
    assert recompute_jobs() == 1


def test_a_weekday_make_up_day_is_refused_with_a_clear_message(admin_client, recompute_jobs, django_capture_on_commit_callbacks):
    rows = [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-04", "kind": "workday", "name": "元旦"},  # a Monday
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_URL, form_data(2027, rows))
    assert response.status_code == 200
    assert "2027-01-04是周一至周五，本来就是工作日，不能设为调休上班日" in response.content.decode()
    assert HolidaySchedule.objects.count() == 0
    assert ScheduleDay.objects.count() == 0
    assert recompute_jobs() == 0


def test_a_date_outside_the_year_is_refused(admin_client):
    rows = [{"date": "2026-12-31", "kind": "holiday", "name": ""}]
    response = admin_client.post(ADD_URL, form_data(2027, rows))
    assert response.status_code == 200
    assert "2026-12-31不在2027年内。" in response.content.decode()
    assert HolidaySchedule.objects.count() == 0


def test_changing_a_schedule_replaces_its_days(admin_client, recompute_jobs, django_capture_on_commit_callbacks):
    schedule = services.publish_schedule(year=2027, holidays=[(D(2027, 1, 1), "元旦")], makeup_workdays=[])
    day = schedule.days.get()
    rows = [
        {"id": str(day.pk), "schedule": str(schedule.pk), "date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"schedule": str(schedule.pk), "date": "2027-02-08", "kind": "holiday", "name": "春节"},
    ]
    url = f"/admin/workcalendar/holidayschedule/{schedule.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, form_data(2027, rows, source="更正", initial=1))
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.source == "更正"
    assert list(schedule.days.values_list("date", flat=True)) == [D(2027, 1, 1), D(2027, 2, 8)]
    assert recompute_jobs() == 2  # the setup's own publication, then the change


def test_deleting_a_schedule_withdraws_it(admin_client, recompute_jobs, django_capture_on_commit_callbacks):
    schedule = services.publish_schedule(year=2027, holidays=[(D(2027, 1, 1), "元旦")], makeup_workdays=[])
    url = f"/admin/workcalendar/holidayschedule/{schedule.pk}/delete/"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert HolidaySchedule.objects.count() == 0 and ScheduleDay.objects.count() == 0
    assert recompute_jobs() == 2  # the setup's own publication, then the change


def test_a_resident_cannot_reach_the_admin(resident):
    client = Client()
    assert client.login(username=resident.username, password=PASSWORD)
    response = client.post(ADD_URL, form_data(2027, [{"date": "2027-01-01", "kind": "holiday", "name": ""}]))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert HolidaySchedule.objects.count() == 0


def test_admin_pages_render(admin_client):
    services.publish_schedule(year=2027, holidays=[(D(2027, 1, 1), "元旦")], makeup_workdays=[(D(2027, 1, 9), "")])
    changelist = admin_client.get("/admin/workcalendar/holidayschedule/")
    assert changelist.status_code == 200
    assert "2027" in changelist.content.decode()
    assert admin_client.get(ADD_URL).status_code == 200


def test_withdraw_action(admin_client, recompute_jobs, django_capture_on_commit_callbacks):
    schedule = services.publish_schedule(year=2027, holidays=[(D(2027, 1, 1), "元旦")], makeup_workdays=[])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workcalendar/holidayschedule/",
            {"action": "withdraw_selected", "_selected_action": [str(schedule.pk)]},
        )
    assert response.status_code == 302
    assert HolidaySchedule.objects.count() == 0
    assert recompute_jobs() == 2  # the setup's own publication, then the change


def test_english_labels():
    from django.utils import translation

    with translation.override("en"):
        assert str(HolidaySchedule._meta.verbose_name) == "Holiday schedule"
        assert str(HolidaySchedule._meta.verbose_name_plural) == "Holiday schedules"
        assert str(ScheduleDay._meta.get_field("kind").choices[1][1]) == "Make-up working day"
        assert str(HolidaySchedule(year=2027)) == "Holiday schedule 2027"
    with translation.override("zh-hans"):
        assert str(HolidaySchedule(year=2027)) == "2027年节假日安排"
