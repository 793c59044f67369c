"""Active content in uploads (pure checks, then through the upload service)."""

from __future__ import annotations

import io
import zlib

import pytest

from tests.helpers import PDF_BYTES, PNG_BYTES
from yiwang.applications.filecheck import is_image_pdf_polyglot, pdf_active_content


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj\n" + body + b"\nendobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(("body", "found"), [
    (b"<</Type/Catalog/OpenAction 2 0 R>>", "openaction"),
    (b"<</S/JavaScript/JS(app.alert(1))>>", "javascript"),
    (b"<</Type/Catalog/#4Fpen#41ction 2 0 R>>", "openaction"),  # #xx escapes spell /OpenAction
    (b"<</AA<</O 3 0 R>>>>", "aa"),
    (b"<</S/Launch/F(cmd.exe)>>", "launch"),
    (b"<</Type/EmbeddedFile>>", "embeddedfile"),
])
def test_active_names_are_found(body, found):
    assert pdf_active_content(pdf_with(body)) == found


def test_a_script_hidden_in_a_compressed_object_stream_is_found():
    hidden = zlib.compress(b"<</S/JavaScript/JS(this.exportDataObject())>>")
    data = pdf_with(b"<</Type/ObjStm/Filter/FlateDecode/Length %d>>\nstream\n" % len(hidden) + hidden + b"\nendstream")
    assert pdf_active_content(data) == "javascript"


def test_a_plain_scan_has_no_active_content():
    assert pdf_active_content(PDF_BYTES) is None
    assert pdf_active_content(pdf_with(b"<</Type/Page/Contents 4 0 R/JSON 1>>")) is None  # /JSON is not /JS


def test_an_image_that_is_also_a_pdf_is_a_polyglot():
    assert is_image_pdf_polyglot(PNG_BYTES) is False
    assert is_image_pdf_polyglot(PNG_BYTES[:20] + b"%PDF-1.4\n") is True


@pytest.mark.django_db
def test_the_upload_service_refuses_them_and_stores_nothing(settings_media, catalog):
    from yiwang.applications.storage import store_material_file
    from yiwang.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        store_material_file(io.BytesIO(pdf_with(b"<</Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>>>")))
    assert (info.value.code, info.value.details) == ("pdf_active_content", {"found": "javascript"})
    with pytest.raises(ValidationFailed) as info:
        store_material_file(io.BytesIO(PNG_BYTES[:20] + b"%PDF-1.4\n" + PNG_BYTES[20:]))
    assert info.value.code == "polyglot_file"
    assert [p for p in (settings_media / "materials").rglob("*") if p.is_file()] == []
    assert store_material_file(io.BytesIO(PDF_BYTES)).content_type == "application/pdf"
