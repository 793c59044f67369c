"""The text block of a second-generation resident ID card (第二代居民身份证), as card readers return it
(pure: no Django).

A reader's base-message read (the vendors' `SDT_ReadBaseMsg`) gives 256 bytes of UTF-16LE text in
fixed fields, padded with spaces: name 15 characters, sex 1, nation 2, birth date 8 (YYYYMMDD),
address 35, ID number 18, issuing authority 15, valid from 8 and valid until 8 (or 长期 for a card
with no end); the rest is reserved. The photo comes separately, in a licensed format, and is not
handled here. `parse_text_block` checks what it can (dates, the ID number's check character, that
the number's birth date is the card's), so a misread card is refused, never half-believed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yiwang.core.identifiers import IdentifierError, normalize_id_card

BLOCK_BYTES = 256
# (field, characters), in the order of the block.
FIELDS = (("name", 15), ("sex", 1), ("nation", 2), ("birth", 8), ("address", 35), ("id_number", 18), ("issuer", 15),
          ("valid_from", 8), ("valid_until", 8))
SEXES = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}
LONG_TERM = "长期"
# GB/T 3304 codes of China's nationalities, as the card stores them.
NATIONS = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮", "09": "布依", "10": "朝鲜",
    "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳",
    "21": "佤", "22": "畲", "23": "高山", "24": "拉祜", "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜",
    "30": "土", "31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯",
    "39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春", "53": "赫哲", "54": "门巴", "55": "珞巴",
    "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}


class CardTextError(ValueError):
    """The block is not a readable ID card text; `code` says what is wrong (for the screen's message)."""

    def __init__(self, code: str, message_en: str):
        super().__init__(message_en)
        self.code = code


@dataclass(frozen=True)
class IdCardText:
    name: str
    sex: str  # 男 / 女 / 未知 / 未说明
    nation: str  # e.g. 汉
    birth_date: dt.date
    address: str
    id_number: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期 (no end)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def _date(text: str, field: str) -> dt.date:
    if len(text) != 8 or not text.isdigit():
        raise CardTextError(f"bad_{field}", f"{field} is not a date (YYYYMMDD): {text!r}")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardTextError(f"bad_{field}", f"{field} is not a date: {text!r}") from None


def split_fields(block: bytes) -> dict[str, str]:
    """The block's fields as text, trailing padding removed."""
    if len(block) < BLOCK_BYTES:
        raise CardTextError("short_block", f"the text block has {len(block)} bytes, not {BLOCK_BYTES}")
    try:
        text = block[:BLOCK_BYTES].decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardTextError("not_utf16", "the text block is not UTF-16LE text") from None
    fields, at = {}, 0
    for name, width in FIELDS:
        fields[name] = text[at:at + width].rstrip(" \x00")
        at += width
    return fields


def parse_text_block(block: bytes) -> IdCardText:
    """The card's text fields, checked; CardTextError when the block cannot be a real card's."""
    raw = split_fields(block)
    if not raw["name"]:
        raise CardTextError("no_name", "the card's name field is empty")
    if raw["sex"] not in SEXES:
        raise CardTextError("bad_sex", f"unknown sex code {raw['sex']!r}")
    if raw["nation"] not in NATIONS:
        raise CardTextError("bad_nation", f"unknown nation code {raw['nation']!r}")
    birth = _date(raw["birth"], "birth")
    try:
        number = normalize_id_card(raw["id_number"])
    except IdentifierError:
        raise CardTextError("bad_id_number", "the ID number fails its check character") from None
    if number[6:14] != raw["birth"]:
        raise CardTextError("birth_mismatch", "the ID number's birth date is not the card's")
    valid_from = _date(raw["valid_from"], "valid_from")
    valid_until = None if raw["valid_until"] == LONG_TERM else _date(raw["valid_until"], "valid_until")
    if valid_until is not None and valid_until < valid_from:
        raise CardTextError("bad_validity", "the card's validity ends before it starts")
    return IdCardText(name=raw["name"], sex=SEXES[raw["sex"]], nation=NATIONS[raw["nation"]], birth_date=birth,
                      address=raw["address"], id_number=number, issuer=raw["issuer"], valid_from=valid_from,
                      valid_until=valid_until)


def encode_text_block(*, name: str, sex_code: str, nation_code: str, birth: str, address: str, id_number: str, issuer: str,
                      valid_from: str, valid_until: str) -> bytes:
    """A block as a reader returns it (the simulated reader and the tests make theirs with this)."""
    values = {"name": name, "sex": sex_code, "nation": nation_code, "birth": birth, "address": address,
              "id_number": id_number, "issuer": issuer, "valid_from": valid_from, "valid_until": valid_until}
    text = ""
    for field, width in FIELDS:
        value = values[field]
        if len(value) > width:
            raise ValueError(f"{field} has {len(value)} characters, at most {width}")
        text += value.ljust(width)
    data = text.encode("utf-16-le")
    return data + b" \x00" * ((BLOCK_BYTES - len(data)) // 2)
