"""The public verification page and the PDF download's permission matrix."""

import pytest
from django.urls import reverse

from tests.factories import make_staff
from yiwang.licences import services


def _state(licence):
    licence.refresh_from_db()
    return (licence.status, licence.revoked_at, licence.revoke_reason, licence.revoked_by_id)


def test_verify_page_valid_then_revoked(client, licence, resident, approver):
    url = reverse("licences:verify", args=[licence.number])
    assert url == f"/licences/verify/{licence.number}/"

    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="valid"' in page
    assert "有效" in page and "签名验证通过" in page
    assert "营业执照" in page and "区市场监督管理局" in page and "2026-03-05" in page
    assert "张*" in page
    assert resident.id_number not in page
    assert resident.id_number[:6] + "********" + resident.id_number[-4:] in page

    services.revoke_licence(licence=licence, reason="依法撤销", actor=approver)
    page = client.get(url).content.decode()
    assert 'data-status="revoked"' in page
    assert "已撤销" in page


def test_verify_page_unknown_number_is_200(client, db):
    response = client.get("/licences/verify/SCJG-20990101-99999999/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="unknown"' in page and "无法验证" in page


def test_verify_page_in_english(client, licence):
    response = client.get(f"/licences/verify/{licence.number}/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "Valid" in page
    assert "District Administration for Market Regulation" in page
    assert "Signature verified" in page
    assert "Registration of an individual business (getihu)" in page


def test_verify_lookup_form_redirects_to_the_page(client, licence):
    assert client.get("/licences/verify/").status_code == 200
    response = client.get("/licences/verify/", {"number": f" {licence.number} "})
    assert response.status_code == 302
    assert response["Location"] == f"/licences/verify/{licence.number}/"
    response = client.get("/licences/verify/", {"number": "../etc"})
    assert response.status_code == 200 and 'data-status="unknown"' in response.content.decode()


def test_verify_page_takes_a_number_in_lower_case_with_spaces(client, licence):
    typed = licence.number.lower()
    assert typed != licence.number  # the issued number has letters
    response = client.get(f"/licences/verify/%20{typed}%20/")
    assert response.status_code == 302
    assert response["Location"] == f"/licences/verify/{licence.number}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="valid"' in page and licence.number in page


def test_verify_lookup_form_takes_a_number_in_lower_case(client, licence):
    response = client.get("/licences/verify/", {"number": f"\u3000{licence.number.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/licences/verify/{licence.number}/"


def test_verify_page_for_tampered_licence_withholds_fields(client, licence):
    from yiwang.licences.models import Licence

    Licence.objects.filter(pk=licence.pk).update(content=dict(licence.content, title="伪造执照"))
    page = client.get(f"/licences/verify/{licence.number}/").content.decode()
    assert 'data-status="unknown"' in page
    assert "电子签名验证未通过" in page
    assert "伪造执照" not in page


def test_pdf_download_for_owner(client, licence, resident):
    client.force_login(resident)
    response = client.get(f"/licences/{licence.number}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{licence.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("other_resident", 404),
        ("staff_same_department", 200),
        ("approver_same_department", 200),
        ("staff_other_department", 404),
        ("administrator", 200),
        ("auditor", 200),
        ("hall_manager_no_department", 200),
    ],
)
def test_pdf_download_permission_matrix(client, licence, resident, other_resident, who, expected):
    users = {
        "owner": lambda: resident,
        "other_resident": lambda: other_resident,
        "staff_same_department": lambda: make_staff(role="window_officer", departments=["SCJG"]),
        "approver_same_department": lambda: make_staff(role="approver", departments=["SCJG", "WJW"]),
        "staff_other_department": lambda: make_staff(role="window_officer", departments=["WJW"]),
        "administrator": lambda: make_staff(role="administrator"),
        "auditor": lambda: make_staff(role="auditor"),
        "hall_manager_no_department": lambda: make_staff(role="hall_manager"),
    }
    client.force_login(users[who]())
    response = client.get(f"/licences/{licence.number}/pdf/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"%PDF" not in response.content


def test_pdf_download_anonymous_redirects_to_login(client, licence):
    response = client.get(f"/licences/{licence.number}/pdf/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/licences/{licence.number}/pdf/"


def test_pdf_download_unknown_number_is_404(client, resident):
    client.force_login(resident)
    assert client.get("/licences/SCJG-20990101-99999999/pdf/").status_code == 404


def test_public_verification_is_rate_limited_per_address(client, settings, catalog):
    settings.LICENCE_VERIFY_RATE_LIMIT = {"requests": 3, "window_seconds": 600}
    for n in range(2):
        assert client.get(f"/licences/verify/GUESS-2026030{n}-0001/").status_code == 200
    assert client.get("/api/v1/licences/GUESS-20260309-0001/verify/").status_code == 200  # the API shares the budget
    refused = client.get("/licences/verify/GUESS-20260305-0002/")
    assert refused.status_code == 429
    assert "请求过于频繁，请 10 分钟后再试。" in refused.content.decode()
    api = client.get("/api/v1/licences/GUESS-20260305-0003/verify/")
    assert (api.status_code, api.json()["code"], api.json()["details"]) == (429, "rate_limited", {"retry_after_seconds": 600})
    assert client.get("/licences/verify/GUESS-20260305-0002/", REMOTE_ADDR="192.0.2.50").status_code == 200
