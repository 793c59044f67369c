"""Files replaced in a draft are removed after the retention period; what an officer saw stays."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, act, form_for, upload
from yiwang.applications.models import CaseMaterial
from yiwang.applications.services import remove_superseded_files

pytestmark = pytest.mark.django_db

NINE_MB = 9 * 1024 * 1024


def _pdf(tag: int, size: int = 2048) -> bytes:
    head = b"%PDF-1.4\n%" + str(tag).encode() + b"\n"
    return head + b"0" * (size - len(head) - 6) + b"\n%%EOF"


def _age_every_file(media) -> None:
    """Uploads in these tests happened seconds ago by the filesystem's clock; pretend an hour."""
    for root, _dirs, files in os.walk(media):
        for name in files:
            path = os.path.join(root, name)
            stat = os.stat(path)
            os.utime(path, (stat.st_atime - 3600, stat.st_mtime - 3600))


def _disk_bytes(media) -> int:
    return sum(os.path.getsize(os.path.join(root, n)) for root, _d, files in os.walk(media) for n in files)


@pytest.fixture
def resident_client(catalog):
    client = APIClient()
    client.force_authenticate(make_resident())
    return client


def _draft(client) -> int:
    created = client.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)}, format="json")
    assert created.status_code == 201
    return created.json()["id"]


def test_five_large_uploads_to_one_slot_leave_one_file_after_the_retention(resident_client, settings_media, settings, frozen_clock):
    settings.SUPERSEDED_FILE_SECONDS = 24 * 3600
    case_id = _draft(resident_client)
    for tag in range(5):
        assert upload(resident_client, case_id, 1, _pdf(tag, NINE_MB)).status_code == 201
    assert _disk_bytes(settings_media) == 5 * NINE_MB
    _age_every_file(settings_media)

    frozen_clock.advance(dt.timedelta(hours=23, minutes=59))
    assert remove_superseded_files().rows == 0  # still within the retention period
    assert _disk_bytes(settings_media) == 5 * NINE_MB

    frozen_clock.advance(dt.timedelta(minutes=1))
    purge = remove_superseded_files()
    assert (purge.rows, purge.files_removed, purge.bytes_freed, purge.files_kept) == (4, 4, 4 * NINE_MB, 0)
    assert _disk_bytes(settings_media) == NINE_MB
    materials = CaseMaterial.objects.filter(case_id=case_id).order_by("id")
    assert [(m.superseded, m.file_removed_at is not None, m.size) for m in materials] == [
        (True, True, NINE_MB), (True, True, NINE_MB), (True, True, NINE_MB), (True, True, NINE_MB), (False, False, NINE_MB)
    ]
    assert remove_superseded_files().rows == 0  # nothing left to do: a second run is harmless

    removed = materials[0]
    response = resident_client.get(f"/api/v1/applications/{case_id}/materials/{removed.pk}/")
    assert response.status_code == 410
    assert response.json()["code"] == "material_file_removed"
    current = materials[4]
    response = resident_client.get(f"/api/v1/applications/{case_id}/materials/{current.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _pdf(4, NINE_MB)


def test_a_file_still_used_by_another_material_is_kept(resident_client, settings_media, frozen_clock):
    first, second = _draft(resident_client), _draft(resident_client)
    shared = _pdf(7)
    assert upload(resident_client, first, 1, shared).status_code == 201
    assert upload(resident_client, second, 1, shared).status_code == 201  # same bytes, same stored file
    assert upload(resident_client, first, 1, _pdf(8)).status_code == 201  # replaces the shared one in `first` only
    _age_every_file(settings_media)
    frozen_clock.advance(dt.timedelta(days=2))

    purge = remove_superseded_files()
    assert (purge.rows, purge.files_removed, purge.files_kept) == (1, 0, 1)
    kept = CaseMaterial.objects.get(case_id=second, superseded=False)
    response = resident_client.get(f"/api/v1/applications/{second}/materials/{kept.pk}/")
    assert b"".join(response.streaming_content) == shared


def test_a_file_being_uploaded_again_is_not_removed(resident_client, settings_media, frozen_clock):
    case_id = _draft(resident_client)
    assert upload(resident_client, case_id, 1, _pdf(1)).status_code == 201
    assert upload(resident_client, case_id, 1, _pdf(2)).status_code == 201
    frozen_clock.advance(dt.timedelta(days=2))  # the files were written seconds ago by the filesystem's clock

    purge = remove_superseded_files()
    assert (purge.rows, purge.files_removed, purge.files_kept) == (1, 0, 1)
    assert _disk_bytes(settings_media) == 2 * 2048


def test_a_file_replaced_after_submission_stays_with_the_case(resident_client, settings_media, frozen_clock, catalog):
    officer = APIClient()
    officer.force_authenticate(make_staff(role="window_officer", departments=["SCJG"]))
    case_id = _draft(resident_client)
    assert upload(resident_client, case_id, 1, _pdf(1)).status_code == 201
    assert upload(resident_client, case_id, 2, _pdf(2)).status_code == 201
    case = resident_client.post(f"/api/v1/applications/{case_id}/submit/", HTTP_IDEMPOTENCY_KEY="k").json()
    case = act(officer, case, "accept").json()
    requested = act(officer, case, "request_supplement", missing_materials=[1], opinion="请提供清晰扫描件")
    assert requested.json()["state"] == "supplement_requested"
    assert upload(resident_client, case_id, 1, _pdf(3)).status_code == 201  # the officer saw _pdf(1): it stays
    _age_every_file(settings_media)
    frozen_clock.advance(dt.timedelta(days=30))

    assert remove_superseded_files().rows == 0
    assert _disk_bytes(settings_media) == 3 * 2048
