"""Admin: seal keys never show private keys; rotate and revoke actions call the services."""

import pytest

from tests.factories import make_staff
from yiwang.licences.models import Licence, SealKey
from yiwang.licences.selectors import verify_licence


@pytest.fixture
def admin_client(client, db):
    admin_user = make_staff(role="administrator")
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    client.admin_user = admin_user
    return client


def test_seal_key_pages_never_show_the_private_key(admin_client, licence):
    key = licence.seal_key
    for url in ["/admin/licences/sealkey/", f"/admin/licences/sealkey/{key.pk}/change/"]:
        response = admin_client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert key.key_id in page
        assert "PRIVATE KEY" not in page
        assert key.private_key.splitlines()[1] not in page


def test_rotate_action(admin_client, licence):
    old_key = licence.seal_key
    response = admin_client.post(
        "/admin/licences/sealkey/", {"action": "rotate_keys", "_selected_action": [old_key.pk]}
    )
    assert response.status_code == 302
    old_key.refresh_from_db()
    assert old_key.active is False
    new_key = SealKey.objects.get(department=old_key.department, active=True)
    assert new_key.pk != old_key.pk
    assert verify_licence(licence.number).status == "valid"


def test_licence_list_masks_the_holder(admin_client, licence, resident):
    page = admin_client.get("/admin/licences/licence/").content.decode()
    assert licence.number in page and "张*" in page
    assert resident.id_number not in page
    page = admin_client.get(f"/admin/licences/licence/{licence.pk}/change/").content.decode()
    assert resident.id_number not in page


def test_revoke_action_asks_for_a_reason_then_revokes(admin_client, licence):
    form = admin_client.post(
        "/admin/licences/licence/", {"action": "revoke_selected", "_selected_action": [licence.pk]}
    )
    assert form.status_code == 200
    assert "管理员撤销" in form.content.decode()
    licence.refresh_from_db()
    assert licence.status == "valid"

    empty = admin_client.post(
        "/admin/licences/licence/",
        {"action": "revoke_selected", "_selected_action": [licence.pk], "apply": "1", "reason": ""},
    )
    assert empty.status_code == 200
    licence.refresh_from_db()
    assert (licence.status, licence.revoked_at) == ("valid", None)

    done = admin_client.post(
        "/admin/licences/licence/",
        {"action": "revoke_selected", "_selected_action": [licence.pk], "apply": "1", "reason": "证照信息有误"},
    )
    assert done.status_code == 302
    licence.refresh_from_db()
    assert (licence.status, licence.revoke_reason, licence.revoked_by_id) == (
        Licence.REVOKED, "证照信息有误", admin_client.admin_user.pk
    )
