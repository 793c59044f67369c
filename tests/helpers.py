"""Small helpers shared by API and web tests: real files and API drivers."""

from __future__ import annotations

import io

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + b"\x00" * 20
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

ITEM_ONE_LEVEL = "310120-SCJG-01-0001"  # 个体工商户设立登记: required materials 1 and 2
ITEM_TWO_LEVELS = "310120-SCJG-01-0004"  # 食品经营许可（变更）: required materials 1, 2, 3
FORM = {"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号", "remarks": "开一家小吃店"}


def upload(client, case_id: int, position: int, content: bytes = PDF_BYTES, name: str = "scan.pdf"):
    f = io.BytesIO(content)
    f.name = name
    return client.post(f"/api/v1/applications/{case_id}/materials/", {"position": position, "file": f}, format="multipart")


def submitted_case(client, item_code: str = ITEM_ONE_LEVEL, positions=(1, 2), key: str = "k-1") -> dict:
    """Create a draft through the API, upload the given materials, submit; return the case JSON."""
    created = client.post("/api/v1/applications/", {"item_code": item_code, "form_data": FORM}, format="json")
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    for position in positions:
        response = upload(client, case_id, position)
        assert response.status_code == 201, response.json()
    submitted = client.post(f"/api/v1/applications/{case_id}/submit/", HTTP_IDEMPOTENCY_KEY=key)
    assert submitted.status_code == 200, submitted.json()
    return submitted.json()


def act(client, case: dict, action: str, **extra):
    body = {"action": action, "version": case["version"], **extra}
    return client.post(f"/api/v1/applications/{case['id']}/actions/", body, format="json")
