"""Admin: seal keys never show private keys; rotation calls the service; licences are read only."""

import pytest

from tests.factories import make_staff
from yiwang.licences.models import SealKey
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


def test_the_admin_cannot_revoke_licences(admin_client, licence):
    """Revocation is the issuing department's decision, not the system administrator's."""
    page = admin_client.get("/admin/licences/licence/")
    assert page.status_code == 200
    assert "revoke_selected" not in page.content.decode()
    refused = admin_client.post("/admin/licences/licence/", {"action": "revoke_selected", "_selected_action": [licence.pk]})
    assert refused.status_code == 200  # the changelist again, with the unknown action refused
    licence.refresh_from_db()
    assert (licence.status, licence.revoked_at) == ("valid", None)
