"""The notice PDF (pure rendering): embedded font subset, metadata dated by core.clock, text that
extracts exactly, a long body continued on a second page."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from yiwang.applications.notice_pdf import render_notice_pdf

ARGUMENTS = dict(title="受理通知书", body="张三：\n您申请的“个体工商户设立登记”（办件编号 310120SCJG01000120260310000001）决定予以受理。",
                 case_number="310120SCJG01000120260310000001", department_name="区市场监督管理局", issued_on="2026年03月10日")


def test_notice_metadata_font_and_text():
    data = render_notice_pdf(**ARGUMENTS, created_at=dt.datetime(2026, 3, 9, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "受理通知书 310120SCJG01000120260310000001"
    assert reader.metadata.author == "区市场监督管理局"
    assert reader.metadata.subject == "受理通知书（办件编号：310120SCJG01000120260310000001）"
    assert reader.metadata.producer == "yiwang 一网通办 (ReportLab)"
    assert reader.metadata["/CreationDate"] == "D:20260309163000+08'00'"
    fonts = [reference.get_object() for reference in reader.pages[0]["/Resources"]["/Font"].values()]
    assert [str(font["/BaseFont"]) for font in fonts] == ["/AAAAAA+UMingCN-0"]
    assert "/FontFile2" in fonts[0]["/FontDescriptor"].get_object()
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert lines[:2] == ["受理通知书", "办件编号：310120SCJG01000120260310000001"]
    assert "张三：" in lines and "区市场监督管理局" in lines and "2026年03月10日" in lines


def test_without_a_creation_time_the_frozen_clock_dates_it_and_a_long_body_continues():
    data = render_notice_pdf(**{**ARGUMENTS, "body": "\n".join(f"第{n}项材料" for n in range(1, 41))})
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata["/CreationDate"] == "D:20260310100000+08'00'"  # tests' frozen clock
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"第{n}项材料" in text for n in range(1, 41))


def test_a_rating_url_is_drawn_as_a_qr_code_at_the_foot():
    from tests.licences.qr import drawn_qr_matrix
    from yiwang.applications import notice_pdf
    from yiwang.licences.pdf import qr_matrix

    url = "http://127.0.0.1:8000/ratings/case/7/?channel=qr"
    data = render_notice_pdf(**ARGUMENTS, rating_url=url)
    expected = qr_matrix(url)
    area = (notice_pdf.MARGIN, 2 * notice_pdf.MARGIN - 20, notice_pdf.QR_SIZE)
    assert drawn_qr_matrix(data, len(expected), area=area) == expected
    assert "办结后扫码评价（好差评）" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert drawn_qr_matrix(render_notice_pdf(**ARGUMENTS), len(expected), area=area) != expected  # none without a URL
