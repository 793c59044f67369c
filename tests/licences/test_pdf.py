"""The licence PDF: extractable Chinese text, QR target, signature block, deterministic cache."""

import io
import re
from pathlib import Path

import pytest
import qrcode
from django.conf import settings
from pypdf import PdfReader

from yiwang.core.errors import Conflict
from yiwang.licences import pdf
from yiwang.licences.models import Licence
from yiwang.licences.selectors import render_licence_pdf, verification_url


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_pdf_text_has_title_holder_item_department_number_and_url(licence, settings):
    settings.PUBLIC_URL = "https://yiwang.example.gov.cn"
    data = render_licence_pdf(licence)
    assert data.startswith(b"%PDF-")
    text = _text(data)
    for expected in ["营业执照", "张三", "个体工商户设立登记", "TEST-0001", "区市场监督管理局", "2026年3月5日", licence.number]:
        assert expected in text, expected
    assert f"https://yiwang.example.gov.cn/licences/verify/{licence.number}/" in text
    assert "ED25519" in text and licence.seal_key.key_id in text
    assert licence.signature[:40] in text
    assert licence.content_sha256[:40] in text


def _drawn_qr_matrix(data: bytes, size: int) -> list[list[bool]]:
    """Rebuild the module grid from the rectangles the page fills inside the QR area."""
    stream = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    module = pdf.QR_SIZE / size
    grid = [[False] * size for _ in range(size)]
    for x, y, width, height in re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", stream):
        x, y, width, height = float(x), float(y), float(width), float(height)
        inside = pdf.QR_X - 0.01 <= x < pdf.QR_X + pdf.QR_SIZE and pdf.QR_Y - 0.01 <= y < pdf.QR_Y + pdf.QR_SIZE
        if not inside or abs(height - module) > 0.01:
            continue
        row = round((pdf.QR_Y + pdf.QR_SIZE - y) / module) - 1
        first = round((x - pdf.QR_X) / module)
        for column in range(first, first + round(width / module)):
            grid[row][column] = True
    return grid


def test_qr_code_drawn_encodes_the_verification_url(licence):
    url = verification_url(licence.number)
    assert url == f"{settings.PUBLIC_URL}/licences/verify/{licence.number}/"
    expected = pdf.qr_matrix(url)
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    reference.add_data(url)
    assert reference.get_matrix() == expected
    assert _drawn_qr_matrix(render_licence_pdf(licence), len(expected)) == expected


def test_rendering_is_deterministic_and_cached_atomically(licence):
    first = render_licence_pdf(licence)
    cached = list((Path(settings.MEDIA_ROOT) / "licences").iterdir())
    assert [path.name.split(".")[0] for path in cached] == [licence.number]
    assert cached[0].read_bytes() == first
    assert render_licence_pdf(licence) == first
    direct = pdf.render_pdf(
        content=licence.content,
        signature=licence.signature,
        content_sha256=licence.content_sha256,
        verify_url=verification_url(licence.number),
    )
    assert direct == first


def test_tampered_licence_is_not_rendered(licence):
    Licence.objects.filter(pk=licence.pk).update(content=dict(licence.content, holder_name="李四"))
    licence.refresh_from_db()
    with pytest.raises(Conflict) as raised:
        render_licence_pdf(licence)
    assert raised.value.code == "licence_integrity_failed"
    assert not (Path(settings.MEDIA_ROOT) / "licences").exists()


def test_long_values_wrap_and_dates_format():
    assert pdf.format_chinese_date("2026-11-06") == "2026年11月6日"
    assert pdf.format_chinese_date("bad") == "bad"
    lines = pdf._wrap("很" * 80, pdf.CJK_FONT, 13, 200)
    assert "".join(lines) == "很" * 80 and len(lines) > 1
