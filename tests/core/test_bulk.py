"""`core.bulk.update_rows`: each row gets its own values (JSON, dates, text), others are untouched."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.core.bulk import update_rows
from yiwang.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_the_others_keep_theirs(frozen_clock):
    jobs = [Job.objects.create(kind="k", payload={"n": n}) for n in range(3)]
    later = frozen_clock.now() + dt.timedelta(hours=1)
    jobs[0].result, jobs[0].state, jobs[0].finished_at = {"messages": [1, 2], "名称": "营业执照"}, "done", later
    jobs[1].result, jobs[1].state, jobs[1].finished_at = ["a"], "dead", None
    assert update_rows(jobs[:2], ["result", "state", "finished_at"]) == 2
    rows = {j.pk: (j.result, j.state, j.finished_at) for j in Job.objects.all()}
    assert rows == {
        jobs[0].pk: ({"messages": [1, 2], "名称": "营业执照"}, "done", later),
        jobs[1].pk: (["a"], "dead", None),
        jobs[2].pk: (None, "queued", None),
    }
    assert update_rows([], ["state"]) == 0
