"""The ID card text block: every field parsed from fixture bytes; misreads refused with a code."""

import datetime as dt

import pytest

from yiwang.core.identifiers import id_card_check_char
from yiwang.kiosks import idcard

BODY = "31012019520307002"
NUMBER = BODY + id_card_check_char(BODY)
FIXTURE = dict(name="王秀英", sex_code="2", nation_code="01", birth="19520307", address="上海市奉贤区南桥镇解放东路100弄5号",
               id_number=NUMBER, issuer="上海市公安局奉贤分局", valid_from="20160801", valid_until="长期")


def test_the_block_is_256_bytes_of_utf16le_in_fixed_fields():
    block = idcard.encode_text_block(**FIXTURE)
    assert len(block) == 256
    assert block[:6] == "王秀英".encode("utf-16-le")
    assert block[30:32] == b"2\x00"  # sex after the 15-character name
    assert block[122:158].decode("utf-16-le") == NUMBER  # after name 15, sex 1, nation 2, birth 8, address 35 (61 characters)


def test_every_field_is_parsed():
    card = idcard.parse_text_block(idcard.encode_text_block(**FIXTURE))
    assert card == idcard.IdCardText(name="王秀英", sex="女", nation="汉", birth_date=dt.date(1952, 3, 7),
                                     address="上海市奉贤区南桥镇解放东路100弄5号", id_number=NUMBER,
                                     issuer="上海市公安局奉贤分局", valid_from=dt.date(2016, 8, 1), valid_until=None)
    assert card.is_valid_on(dt.date(2026, 3, 10))
    limited = idcard.parse_text_block(idcard.encode_text_block(**{**FIXTURE, "valid_until": "20360801", "nation_code": "08"}))
    assert (limited.valid_until, limited.nation) == (dt.date(2036, 8, 1), "壮")
    assert not limited.is_valid_on(dt.date(2036, 8, 2))


@pytest.mark.parametrize(("change", "code"), [
    ({"id_number": BODY + ("0" if id_card_check_char(BODY) != "0" else "1")}, "bad_id_number"),
    ({"birth": "19520308"}, "birth_mismatch"),
    ({"birth": "19521307"}, "bad_birth"),
    ({"sex_code": "5"}, "bad_sex"),
    ({"nation_code": "77"}, "bad_nation"),
    ({"name": ""}, "no_name"),
    ({"valid_from": "20360801", "valid_until": "20160801"}, "bad_validity"),
    ({"valid_until": "2036080"}, "bad_valid_until"),
])
def test_a_misread_card_is_refused_with_its_reason(change, code):
    with pytest.raises(idcard.CardTextError) as refused:
        idcard.parse_text_block(idcard.encode_text_block(**{**FIXTURE, **change}))
    assert refused.value.code == code


def test_a_short_or_garbled_block_is_refused():
    block = idcard.encode_text_block(**FIXTURE)
    with pytest.raises(idcard.CardTextError) as refused:
        idcard.parse_text_block(block[:200])
    assert refused.value.code == "short_block"
    with pytest.raises(idcard.CardTextError) as refused:
        idcard.parse_text_block(b"\x00\xd8" + block[2:])  # a lone surrogate
    assert refused.value.code == "not_utf16"
