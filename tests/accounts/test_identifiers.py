"""Check characters of ID card numbers and unified social credit codes (pure functions)."""

from __future__ import annotations

import pytest

from yiwang.core.identifiers import (
    IdentifierError,
    credit_code_check_char,
    id_card_check_char,
    mask_id_card,
    normalize_credit_code,
    normalize_id_card,
)

VALID_ID = "310120198511204321"
VALID_ID_X = "31012019900307123X"
VALID_CREDIT = "91310120MA1FL8XK23"


def test_valid_id_number_is_returned_unchanged():
    assert normalize_id_card(VALID_ID) == VALID_ID
    assert normalize_id_card(f"  {VALID_ID} ") == VALID_ID


def test_lower_case_x_is_accepted_and_normalized():
    assert normalize_id_card("31012019900307123x") == VALID_ID_X


def test_check_char_of_known_number():
    # GB 11643 example from the standard's annex: 11010519491231002X.
    assert id_card_check_char("11010519491231002") == "X"
    assert normalize_id_card("11010519491231002x") == "11010519491231002X"


def test_wrong_check_digit_is_refused():
    with pytest.raises(IdentifierError) as info:
        normalize_id_card("310120198511204322")
    assert info.value.code == "invalid_id_number_checksum"
    assert info.value.message == "身份证号码校验位不正确，请核对后重新输入。"
    assert info.value.message_en == "The ID card number's check character is wrong; please check the number."


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000"])
def test_impossible_birth_date_is_refused(birth):
    body = f"310120{birth}123"
    with pytest.raises(IdentifierError) as info:
        normalize_id_card(body + id_card_check_char(body))
    assert info.value.code == "invalid_id_number_birthdate"


@pytest.mark.parametrize("value", ["", "3101201985112043", "31012019851120432A", "3101201985112043211", "31O120198511204321"])
def test_malformed_id_number_is_refused(value):
    with pytest.raises(IdentifierError) as info:
        normalize_id_card(value)
    assert info.value.code == "invalid_id_number_format"


def test_valid_credit_code_and_lower_case_input():
    assert normalize_credit_code(VALID_CREDIT) == VALID_CREDIT
    assert normalize_credit_code(VALID_CREDIT.lower()) == VALID_CREDIT


def test_credit_code_wrong_check_char_is_refused():
    wrong = VALID_CREDIT[:17] + ("4" if VALID_CREDIT[17] != "4" else "5")
    with pytest.raises(IdentifierError) as info:
        normalize_credit_code(wrong)
    assert info.value.code == "invalid_credit_code_checksum"


def test_credit_code_with_forbidden_letter_is_refused():
    # I, O, Z, S, V are not in the GB 32100 alphabet.
    body = "91310120MA1FL8XKO"
    with pytest.raises(IdentifierError) as info:
        normalize_credit_code(body + "0")
    assert info.value.code == "invalid_credit_code_format"


def test_credit_code_check_char_of_known_code():
    assert credit_code_check_char("91310120MA1FL8XK2") == "3"


def test_mask_id_card_keeps_region_and_last_four():
    assert mask_id_card(VALID_ID_X) == "310120********123X"


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_full_width_forms_are_the_same_number():
    assert normalize_id_card(VALID_ID_X.translate(FULL_WIDTH)) == VALID_ID_X
    assert normalize_id_card("３１０１２０１９９０ ０３０７１２３ｘ".replace(" ", "")) == VALID_ID_X
    assert normalize_credit_code(VALID_CREDIT.translate(FULL_WIDTH)) == VALID_CREDIT
    assert normalize_credit_code("９１３１０１２０ＭＡ１ＦＬ８ＸＫ２３") == VALID_CREDIT


@pytest.mark.parametrize("digits", [
    "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic
    "०१२३४५६७८९",  # Devanagari
    "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",  # mathematical bold (NFKC makes these ASCII: then they are the same number)
])
def test_digits_of_other_scripts_are_refused_or_made_ascii(digits):
    other = VALID_ID.translate(str.maketrans("0123456789", digits))
    if digits.startswith("𝟎"):
        assert normalize_id_card(other) == VALID_ID
        return
    with pytest.raises(IdentifierError) as info:
        normalize_id_card(other)
    assert info.value.code == "invalid_id_number_format"
    with pytest.raises(IdentifierError) as info:
        normalize_credit_code(VALID_CREDIT.translate(str.maketrans("0123456789", digits)))
    assert info.value.code == "invalid_credit_code_format"


def _with_check(body: str) -> str:
    return body + id_card_check_char(body)


@pytest.mark.parametrize("region", ["000000", "990101", "310000"[:2] + "0000"])
def test_implausible_regions_are_refused(region):
    with pytest.raises(IdentifierError) as info:
        normalize_id_card(_with_check(f"{region}19851120432"))
    assert (info.value.code, info.value.message) == ("invalid_id_number_region", "身份证号码的前6位不是有效的行政区划代码。")


@pytest.mark.parametrize("birth", ["18991231", "20260311", "20991231"])
def test_birth_dates_before_1900_or_after_today_are_refused(birth):
    # Today is 2026-03-10 (the frozen clock).
    with pytest.raises(IdentifierError) as info:
        normalize_id_card(_with_check(f"310120{birth}432"))
    assert info.value.code == "invalid_id_number_birthdate"


def test_born_today_or_in_1900_is_accepted():
    for birth in ("20260310", "19000101"):
        number = _with_check(f"310120{birth}432")
        assert normalize_id_card(number) == number
