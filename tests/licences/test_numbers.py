"""normalize_licence_number: a licence number as a resident types it names the licence as issued."""

import pytest

from yiwang.licences.numbers import MAX_TYPED_LENGTH, normalize_licence_number


@pytest.mark.parametrize(("typed", "issued"), [
    ("11310120MA1FL8XK23-20260305-ABC123XYZ789", "11310120MA1FL8XK23-20260305-ABC123XYZ789"),
    ("11310120ma1fl8xk23-20260305-abc123xyz789", "11310120MA1FL8XK23-20260305-ABC123XYZ789"),
    ("  fx-20260305-ab12 \t\n", "FX-20260305-AB12"),
    ("\u3000ＦＸ－２０２６０３０５－ａｂ１２\u3000", "FX-20260305-AB12"),  # full-width, from a Chinese input method
    ("FX\u201320260305\u2014AB12", "FX-20260305-AB12"),  # en and em dashes from a word processor
    ("fx 2026", "FX 2026"),  # an inner space is not the licence's: it stays malformed
    ("../etc", "../ETC"),
    ("", ""),
    (None, ""),
])
def test_normalize_licence_number(typed, issued):
    assert normalize_licence_number(typed) == issued


def test_overlong_input_is_cut_before_normalising():
    assert normalize_licence_number("a" * 10_000) == "A" * MAX_TYPED_LENGTH
