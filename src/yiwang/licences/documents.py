"""What a result document says, per result type (pure: no Django).

At issue time the services turn the case's form into a document: the layout (营业执照 of a
个体工商户 or of a company, 食品经营许可证, or the generic layout of every other decision and
certificate) and its fields as (label, text) pairs, in the order they are printed. The document is
part of the signed content, so the PDF shows exactly what the seal covers, and a later change of
the item's form never changes an issued licence. A value the case does not have (a case
submitted before the item had its form) is printed as "—".

The identifiers the platform assigns the new business (统一社会信用代码, 食品经营许可证编号) are
derived from the licence number: stable for the licence, reproducible, and valid under their
check-character rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from yiwang.core.identifiers import credit_code_check_char

LAYOUT_INDIVIDUAL_BUSINESS = "individual_business_licence"  # 营业执照（个体工商户）
LAYOUT_COMPANY = "company_business_licence"  # 营业执照（企业）
LAYOUT_FOOD = "food_business_licence"  # 食品经营许可证
LAYOUT_GENERIC = "generic"  # every other decision or certificate
LAYOUTS = (LAYOUT_INDIVIDUAL_BUSINESS, LAYOUT_COMPANY, LAYOUT_FOOD, LAYOUT_GENERIC)

MISSING = "—"
FOOD_LICENCE_YEARS = 5
DEFAULT_REGION_CODE = "310120"

# GB 11714 organisation code: 8 body characters and a MOD 11 check character.
_ORGANISATION_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# 登记管理部门 9 (市场监管) + 机构类别: 1 企业, 2 个体工商户 (GB 32100-2015).
_CREDIT_PREFIX = {LAYOUT_INDIVIDUAL_BUSINESS: "92", LAYOUT_COMPANY: "91"}


@dataclass(frozen=True)
class FormValue:
    """One answered field of the case's form, as a person reads it (choices by their labels)."""

    name: str
    label: str
    text: str


def choose_layout(*, title: str, item_name: str, field_names: Sequence[str]) -> str:
    """The layout of a result named `title` for the item `item_name` whose form asks `field_names`.

    A 营业执照 is a 个体工商户's when the form names the business (business_name) or, for a case
    without a form, when the item is a 个体工商户 one; otherwise it is a company's.
    """
    names = set(field_names)
    if title.startswith("营业执照"):
        if "enterprise_name" in names:
            return LAYOUT_COMPANY
        if "business_name" in names or "个体" in item_name:
            return LAYOUT_INDIVIDUAL_BUSINESS
        return LAYOUT_COMPANY
    if title.startswith("食品经营许可证"):
        return LAYOUT_FOOD
    return LAYOUT_GENERIC


def build_document(
    *,
    layout: str,
    licence_number: str,
    issued_on: dt.date,
    item_name: str,
    case_number: str,
    holder_name: str,
    holder_identifier: str,
    form: Sequence[FormValue],
    region_code: str = DEFAULT_REGION_CODE,
) -> dict:
    """The document as stored in the signed content: {"layout": ..., "fields": [[label, text], ...]}.

    `form` is the case's visible form fields with their display texts; for the generic layout they
    are all listed (after the holder and the item), for the others the layout picks its own.
    """
    values = {value.name: value.text for value in form}

    def text(name: str) -> str:
        return (values.get(name) or "").strip() or MISSING

    region = region_code if len(region_code) == 6 and region_code.isdigit() else DEFAULT_REGION_CODE
    issued = chinese_date(issued_on)
    if layout == LAYOUT_INDIVIDUAL_BUSINESS:
        fields = [
            ("统一社会信用代码", unified_credit_code(seed=licence_number, layout=layout, region_code=region)),
            ("名称", text("business_name")),
            ("类型", "个体工商户"),
            ("经营者", text("operator_name")),
            ("组成形式", text("organisation_form")),
            ("经营场所", text("premises")),
            ("经营范围", text("business_scope")),
            ("资金数额", ten_thousand_yuan(text("capital"))),
            ("注册日期", issued),
        ]
    elif layout == LAYOUT_COMPANY:
        fields = [
            ("统一社会信用代码", unified_credit_code(seed=licence_number, layout=layout, region_code=region)),
            ("名称", text("enterprise_name")),
            ("类型", text("company_type")),
            ("法定代表人", text("legal_representative")),
            ("注册资本", ten_thousand_yuan(text("registered_capital"))),
            ("成立日期", issued),
            ("营业期限", operating_term(text("operating_term"), issued_on)),
            ("住所", text("domicile")),
            ("经营范围", text("business_scope")),
        ]
    elif layout == LAYOUT_FOOD:
        main_business_type = text("main_business_type")
        fields = [
            ("经营者名称", text("licence_holder_name")),
            ("社会信用代码（身份证号码）", text("licence_holder_code")),
            ("法定代表人（负责人）", text("legal_representative")),
            ("经营场所", text("premises")),
            ("主体业态", main_business_type),
            ("经营项目", text("business_items")),
            ("许可证编号", food_licence_number(seed=licence_number, region_code=region,
                                               main_business_type=main_business_type)),
            ("有效期至", chinese_date(valid_until(issued_on, years=FOOD_LICENCE_YEARS))),
        ]
    elif layout == LAYOUT_GENERIC:
        fields = [
            ("持证人（名称）", holder_name.strip() or MISSING),
            ("证件号码", holder_identifier.strip() or MISSING),
            ("办理事项", item_name.strip() or MISSING),
            ("办件编号", case_number.strip() or MISSING),
            *((value.label, value.text.strip() or MISSING) for value in form),
            ("发证日期", issued),
        ]
    else:
        raise ValueError(f"unknown document layout {layout!r}")
    return {"layout": layout, "fields": [[label, value] for label, value in fields]}


def document_fields(content: Mapping) -> list[tuple[str, str]] | None:
    """The (label, text) pairs of the content's document; None for content issued before documents."""
    document = content.get("document")
    if not isinstance(document, Mapping) or not isinstance(document.get("fields"), list):
        return None
    pairs = []
    for pair in document["fields"]:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            pairs.append((str(pair[0]), str(pair[1]) if pair[1] not in (None, "") else MISSING))
    return pairs


def chinese_date(day: dt.date) -> str:
    """2026-03-10 -> 2026年3月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February's anniversary in a common year is 1 March, so a
    validity from 29 February ends on 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def valid_until(issued_on: dt.date, *, years: int) -> dt.date:
    """Last day of a validity of `years` full years from `issued_on` (2026-03-10, 5 -> 2031-03-09)."""
    return add_years(issued_on, years) - dt.timedelta(days=1)


def ten_thousand_yuan(amount: str) -> str:
    """A capital in 万元 as printed: "10" -> "10万元"; anything else (— or words) unchanged."""
    try:
        float(amount)
    except ValueError:
        return amount
    return f"{amount}万元"


def operating_term(term: str, established: dt.date) -> str:
    """营业期限: a number of years ("20" or "20年") -> "<established>至<last day>", else the
    chosen text unchanged ("长期", or "—" when not answered)."""
    years = term[:-1] if term.endswith("年") else term
    if years.isdigit() and 0 < int(years) <= 100:
        return f"{chinese_date(established)}至{chinese_date(valid_until(established, years=int(years)))}"
    return term


def organisation_code_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body (digits here)."""
    total = sum(int(character) * weight for character, weight in zip(body, _ORGANISATION_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def unified_credit_code(*, seed: str, layout: str, region_code: str = DEFAULT_REGION_CODE) -> str:
    """The 统一社会信用代码 the platform assigns the business of the licence numbered `seed`.

    GB 32100: registration authority and kind (92 个体工商户, 91 企业), the region, a GB 11714
    organisation code (8 digits derived from `seed` + its check) and the MOD 31 check character.
    """
    prefix = _CREDIT_PREFIX.get(layout, "91")
    body = _digits(seed, "credit", 8)
    first17 = f"{prefix}{region_code}{body}{organisation_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)


def food_licence_number(*, seed: str, region_code: str, main_business_type: str) -> str:
    """许可证编号: JY, 主体业态 (1 食品销售, 2 餐饮服务, 3 单位食堂), the region, 6 digits from `seed`
    and a Luhn check digit: 14 digits in all."""
    if "食堂" in main_business_type:
        kind = "3"
    elif "餐饮" in main_business_type:
        kind = "2"
    else:
        kind = "1"
    digits = f"{kind}{region_code}{_digits(seed, 'food', 6)}"
    return f"JY{digits}{luhn_check_digit(digits)}"


def luhn_check_digit(digits: str) -> str:
    """The Luhn (ISO/IEC 7812) check digit of a string of digits."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def _digits(seed: str, purpose: str, count: int) -> str:
    number = int.from_bytes(hashlib.sha256(f"{purpose}:{seed}".encode("utf-8")).digest(), "big")
    return str(number % 10**count).zfill(count)
