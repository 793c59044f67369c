"""Check characters of Chinese identifiers (pure: no Django).

- Resident identity card number, GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check (0-9 or X).
- Unified social credit code, GB 32100-2015: 18 characters over a 31-symbol alphabet, MOD 31 check.

Input is NFKC-normalised first (full-width ０-９ and Ｘ become ASCII) and then only ASCII digits and
letters are accepted: a full-width or other Unicode form of a registered number is the same number,
never a second one, and a digit of another script is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from yiwang.core import clock

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
# GB/T 2260 province-level codes (the first two digits of a region), 83 for 台湾居民居住证.
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})
EARLIEST_BIRTH_YEAR = 1900

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class IdentifierError(ValueError):
    """Carries a machine code and bilingual messages for the caller to present."""

    def __init__(self, code: str, message: str, message_en: str):
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en


def id_card_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def _canonical_text(value) -> str:
    return unicodedata.normalize("NFKC", value if isinstance(value, str) else "").strip().upper()


def normalize_id_card(value: str) -> str:
    """Return the canonical (ASCII, upper-case X) 18-character number or raise IdentifierError.

    Refused besides a wrong format or check character: a region outside the province codes, and a
    birth date that is not a date, before 1900 or after today.
    """
    number = _canonical_text(value)
    if not _ID_PATTERN.fullmatch(number):
        raise IdentifierError(
            "invalid_id_number_format",
            "身份证号码应为18位：17位数字加1位校验码（数字或X）。",
            "An ID card number has 18 characters: 17 digits and a check character (digit or X).",
        )
    if int(number[:2]) not in _PROVINCES or number[2:6] == "0000":
        raise IdentifierError(
            "invalid_id_number_region",
            "身份证号码的前6位不是有效的行政区划代码。",
            "The first six digits of the ID card number are not a valid region code.",
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < EARLIEST_BIRTH_YEAR or born > clock.today():
        raise IdentifierError(
            "invalid_id_number_birthdate",
            "身份证号码中的出生日期无效。",
            "The date of birth inside the ID card number is not a valid date.",
        )
    if id_card_check_char(number[:17]) != number[17]:
        raise IdentifierError(
            "invalid_id_number_checksum",
            "身份证号码校验位不正确，请核对后重新输入。",
            "The ID card number's check character is wrong; please check the number.",
        )
    return number


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Return the canonical unified social credit code or raise IdentifierError."""
    code = _canonical_text(value)
    if not _CREDIT_PATTERN.fullmatch(code):
        raise IdentifierError(
            "invalid_credit_code_format",
            "统一社会信用代码应为18位，由数字和大写字母（不含I、O、Z、S、V）组成。",
            "A unified social credit code has 18 digits or capital letters (not I, O, Z, S, V).",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise IdentifierError(
            "invalid_credit_code_checksum",
            "统一社会信用代码校验位不正确，请核对后重新输入。",
            "The unified social credit code's check character is wrong; please check the code.",
        )
    return code


_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_mobile(value: str) -> str:
    """An 11-digit mainland mobile number (full-width digits accepted) or IdentifierError."""
    number = _canonical_text(value).replace(" ", "").replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if not _MOBILE.fullmatch(number):
        raise IdentifierError("invalid_phone", "请填写11位手机号码。", "Enter an 11-digit mobile number.")
    return number


def _script_of(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith(("CJK ", "HIRAGANA", "KATAKANA")) or "IDEOGRAPH" in name:
        return "HAN"
    return name.split(" ", 1)[0]  # LATIN, CYRILLIC, GREEK, ARABIC, ...


def confusable_name_problem(text: str) -> str | None:
    """Why a username would mislead, or None.

    "invisible": a zero-width, bidirectional-control or other format character; "mixed_scripts":
    letters of more than one alphabet besides Chinese characters (a Cyrillic "а" in a Latin name).
    """
    if any(unicodedata.category(char) in {"Cf", "Cc", "Co", "Cs"} for char in text):
        return "invisible"
    scripts = {script for script in map(_script_of, text) if script not in (None, "HAN")}
    return "mixed_scripts" if len(scripts) > 1 else None


def mask_id_card(number: str) -> str:
    """310120********1234 style: region kept, birth date and serial hidden."""
    if not number or len(number) < 10:
        return "*" * len(number or "")
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """张*三 style: keep first and last character of names of three or more."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    if not phone or len(phone) < 7:
        return "*" * len(phone or "")
    return phone[:3] + "****" + phone[-4:]
