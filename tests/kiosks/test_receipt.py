"""The ESC/POS bytes of a kiosk receipt: initialise, GB18030 Chinese, a native QR code, a cut."""

from yiwang.kiosks.receipt import Receipt, receipt_bytes

ESC, GS = b"\x1b", b"\x1d"


def test_a_receipt_prints_chinese_in_gb18030_with_its_qr_code_and_a_cut():
    data = receipt_bytes(Receipt(title="办件回执", lines=[("办件编号", "310120SCJG01000120260310000001"), ("事项", "个体工商户设立登记")],
                                 footer="请妥善保管", qr_url="http://127.0.0.1:8000/cases/7/"))
    assert data.startswith(ESC + b"@")  # ESC @: initialise
    assert "办件回执".encode("gb18030") in data
    assert "办件编号：310120SCJG01000120260310000001\n".encode("gb18030") in data
    assert "个体工商户设立登记".encode("gb18030") in data and "请妥善保管".encode("gb18030") in data
    assert "办件回执".encode("utf-8") not in data
    assert GS + b"(k" in data and b"http://127.0.0.1:8000/cases/7/" in data  # GS ( k: the printer's own QR code
    assert data.endswith(ESC + b"d\x06" + GS + b"V\x01")  # feed six lines (ESC d 6), then a partial cut (GS V 1)
    assert data.index(b"http://127.0.0.1:8000/cases/7/") < data.rindex(GS + b"V")


def test_a_receipt_without_a_qr_code_has_none():
    data = receipt_bytes(Receipt(title="查询结果", lines=[("年度", "2025")]))
    assert GS + b"(k" not in data and "查询结果".encode("gb18030") in data
