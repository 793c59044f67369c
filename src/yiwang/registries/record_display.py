"""A fetched registry record as label/value rows for staff to read (pure: no database).

Registries answer JSON objects whose keys differ by record kind (see registry_service/data).
Each key gets a label in the reader's language (an unknown key is shown as it is, after the known
ones); fields come in reading order (name and identity first, validity last); values become text:
lists joined, nested objects and lists of objects as "label: value" lines.

Masked as staff see an applicant everywhere else: ID card numbers and mobile numbers anywhere in
the text (`mask_text`), identifier fields in full (`mask_id_card`), and the names of natural
persons (`mask_name`). The subject's own name is not masked when the subject is a company (a
company's name is public; its legal representative's is not).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy as _

from yiwang.core.identifiers import mask_id_card, mask_name
from yiwang.core.logging import mask_text

# In reading order: fields are shown in this order (the record is stored with its keys sorted).
KEY_LABELS = {
    "licence_name": _("证照名称"),
    "name": _("姓名或名称"),
    "holder_name": _("持证主体"),
    "taxpayer": _("纳税人"),
    "child_name": _("新生儿姓名"),
    "sex": _("性别"),
    "child_sex": _("新生儿性别"),
    "ethnicity": _("民族"),
    "birth_date": _("出生日期"),
    "birth_place": _("出生地点"),
    "id_number": _("身份证号码"),
    "holder_identifier": _("持证主体证件号码"),
    "credit_code": _("统一社会信用代码"),
    "type": _("类型"),
    "category": _("类别"),
    "legal_representative": _("法定代表人"),
    "registered_capital": _("注册资本"),
    "established_on": _("成立日期"),
    "head": _("户主"),
    "household_number": _("户号"),
    "household_type": _("户别"),
    "household_size": _("家庭人口"),
    "members": _("户内成员"),
    "relation": _("与户主关系"),
    "address": _("地址"),
    "location": _("坐落"),
    "use": _("用途"),
    "area_m2": _("面积（平方米）"),
    "right_type": _("权利类型"),
    "owner": _("所有人"),
    "co_owners": _("共有人"),
    "properties_in_shanghai": _("本市不动产数量"),
    "properties": _("不动产"),
    "certificate_number": _("证书编号"),
    "number": _("证照编号"),
    "card_number": _("卡号"),
    "plate": _("号牌号码"),
    "vehicle_type": _("车辆类型"),
    "class": _("准驾车型"),
    "spouses": _("登记双方"),
    "registered_on": _("登记日期"),
    "registry_office": _("登记机关"),
    "mother": _("母亲"),
    "father": _("父亲"),
    "school": _("学校"),
    "grade": _("等级或年级"),
    "students": _("学生"),
    "guardians": _("监护人"),
    "enrolled_on": _("入学日期"),
    "employer": _("工作单位"),
    "employees": _("从业人员"),
    "scheme": _("险种"),
    "insurance_types": _("参保险种"),
    "months_paid": _("缴费月数"),
    "monthly_deposit": _("月缴存额（元）"),
    "account_status": _("账户状态"),
    "year": _("年度"),
    # Records a person looks up about themself (本人查询): statements, payments, contribution history.
    "statement_year": _("对账年度"),
    "from_month": _("起始年月"),
    "to_month": _("截止年月"),
    "insured_since": _("首次参保年月"),
    "cumulative_months": _("累计缴费月数"),
    "months_owed": _("欠缴月数"),
    "opening_balance": _("上年末个人账户余额（元）"),
    "personal_contributions": _("本年记入个人账户（元）"),
    "interest_credited": _("本年记账利息（元）"),
    "account_balance": _("个人账户累计储存额（元）"),
    "pension_status": _("参保状态"),
    "monthly_pension": _("月养老金（元）"),
    "projected_monthly_pension": _("预计月养老金（元）"),
    "projected_retirement": _("预计退休年月"),
    "personal_total": _("个人缴费合计（元）"),
    "employer_total": _("单位缴费合计（元）"),
    "paid_total": _("已缴合计（元）"),
    "owed_total": _("欠缴金额（元）"),
    "payments": _("缴费明细"),
    "periods": _("缴费记录"),
    "month": _("月份"),
    "period": _("缴费期间"),
    "base": _("缴费基数（元）"),
    "months": _("月数"),
    "personal_amount": _("个人缴费（元）"),
    "employer_amount": _("单位缴费（元）"),
    "tax_paid": _("已缴税额（元）"),
    "withholding_agent": _("扣缴义务人"),
    "status": _("状态"),
    "result": _("结果"),
    "item_code": _("事项编码"),
    "item_name": _("事项名称"),
    "department_name": _("签发部门"),
    "issuing_authority": _("签发机关"),
    "issuer": _("发证机关"),
    "issued_on": _("发证日期"),
    "valid_from": _("有效期起"),
    "valid_until": _("有效期至"),
    "as_of": _("截至日期"),
    "seal_key_id": _("签章密钥"),
    "content_sha256": _("内容摘要（SHA-256）"),
    "verification_url": _("核验地址"),
    "notice": _("说明"),
}

# Fields holding a natural person's name (or a list of names), at any depth.
PERSON_NAME_KEYS = frozenset({"name", "head", "child_name", "mother", "father", "legal_representative", "holder_name",
                              "owner", "co_owners", "guardians", "taxpayer"})
# Top-level fields naming the subject itself: a company's name stays readable.
SUBJECT_NAME_KEYS = frozenset({"name", "holder_name", "owner", "taxpayer"})
IDENTIFIER_KEYS = frozenset({"id_number", "holder_identifier"})


@dataclass(frozen=True)
class RecordField:
    key: str
    label: str
    value: str = ""  # a scalar or a list of scalars, as text
    lines: tuple[str, ...] = ()  # a list of objects (household members, spouses...): one line each


_READING_ORDER = {key: index for index, key in enumerate(KEY_LABELS)}


def _in_reading_order(obj: dict) -> list[tuple[str, object]]:
    """Known keys in reading order, then unknown ones in the order they came."""
    return sorted(obj.items(), key=lambda pair: _READING_ORDER.get(pair[0], len(_READING_ORDER)))


def label_for(key: str) -> str:
    """The key's label in the active language; the key itself when the kind is new to us."""
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else key


def _scalar(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _masked(key: str, value, *, person: bool) -> str:
    text = _scalar(value)
    if key in IDENTIFIER_KEYS:
        return mask_id_card(text)
    if person and key in PERSON_NAME_KEYS and isinstance(value, str):
        return mask_name(value)
    return mask_text(text)


def _joined(parts: list[str]) -> str:
    return gettext("、").join(parts)


def _text(key: str, value, *, person: bool) -> str:
    if isinstance(value, dict):
        return _object_line(value)
    if isinstance(value, list):
        return _joined([_text(key, item, person=person) for item in value])
    return _masked(key, value, person=person)


def _object_line(obj: dict) -> str:
    # Inside a list or object every name is a person's (household members, spouses, employees).
    parts = [gettext("%(label)s：%(value)s") % {"label": label_for(k), "value": _text(k, v, person=True)}
             for k, v in _in_reading_order(obj)]
    return gettext("；").join(parts)


def record_fields(record: dict, *, subject_is_company: bool, reader_is_subject: bool = False,
                  exclude: frozenset[str] = frozenset()) -> list[RecordField]:
    """The record's top-level fields in reading order (but `exclude`), labelled and masked for staff;
    for the person reading their own record (`reader_is_subject`) their own name is not masked."""
    fields = []
    for key, value in _in_reading_order(record):
        if key in exclude:
            continue
        person = not (reader_is_subject or (subject_is_company and key in SUBJECT_NAME_KEYS))
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            lines = tuple(_object_line(item) if isinstance(item, dict) else _masked(key, item, person=True) for item in value)
            fields.append(RecordField(key=key, label=label_for(key), lines=lines))
        else:
            fields.append(RecordField(key=key, label=label_for(key), value=_text(key, value, person=person)))
    return fields


# Lists of rows shown as tables (a person's own records): key -> the columns, in order.
TABLE_COLUMNS = {
    "payments": ("month", "base", "personal_amount", "employer_amount", "status"),
    "periods": ("period", "employer", "insurance_types", "base", "months", "personal_amount", "employer_amount", "status"),
}


@dataclass(frozen=True)
class RecordTable:
    key: str
    label: str
    columns: tuple[str, ...]  # column labels
    rows: tuple[tuple[str, ...], ...]


def record_tables(record: dict) -> list[RecordTable]:
    """The record's lists of rows (monthly payments, contribution periods) as tables, in reading order."""
    tables = []
    for key, value in _in_reading_order(record):
        columns = TABLE_COLUMNS.get(key)
        if columns is None or not isinstance(value, list):
            continue
        rows = tuple(
            tuple(_text(column, row.get(column), person=False) for column in columns)
            for row in value if isinstance(row, dict)
        )
        tables.append(RecordTable(key=key, label=label_for(key), columns=tuple(label_for(x) for x in columns), rows=rows))
    return tables


def own_record_fields(record: dict) -> list[RecordField]:
    """A person's own record for them to read: the fields that are not tables (see record_tables)."""
    return record_fields(record, subject_is_company=False, reader_is_subject=True, exclude=frozenset(TABLE_COLUMNS))


RECEIPT_WIDTH = 32  # characters of a value on one receipt line; longer values go on continuation lines


def _receipt_chunks(label: str, value: str) -> list[tuple[str, str]]:
    value = " ".join(value.split())
    chunks = [value[i:i + RECEIPT_WIDTH] for i in range(0, len(value), RECEIPT_WIDTH)] or [""]
    return [(label if index == 0 else "", chunk) for index, chunk in enumerate(chunks)]


def _money(value) -> str:
    return f"¥{_scalar(value)}"


def _row_summary(key: str, row: dict) -> tuple[str, str]:
    """One receipt line for a row: "2025-01", "个人 ¥164.00 单位 ¥738.00" (and 欠缴 when owed)."""
    amounts = gettext("个人 %(personal)s 单位 %(employer)s") % {
        "personal": _money(row.get("personal_amount")), "employer": _money(row.get("employer_amount"))}
    if key == "periods":
        label = str(row.get("period", ""))
        amounts = gettext("%(months)s个月") % {"months": _scalar(row.get("months"))} + " " + amounts
    else:
        label = str(row.get("month", ""))
    if row.get("status") == "欠缴":
        amounts += " " + gettext("欠缴")
    return label, amounts


def _local_time(text) -> str:
    import datetime as dt

    from yiwang.core.clock import LEGAL_TIME_ZONE

    try:
        instant = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text or "")
    if instant.tzinfo is not None:
        instant = instant.astimezone(LEGAL_TIME_ZONE)
    return instant.strftime("%Y-%m-%d %H:%M")


def receipt_lines(envelope: dict, *, english: bool) -> list[tuple[str, str]]:
    """A self query's envelope (`services.query_own_record`) as (label, value) lines for a receipt
    printer, in English or Chinese: the record, issuer, record number and query time, then the
    record's fields (the person's name masked: a receipt may be left behind), then each table's rows
    summarised one a line ("2025-01", "个人 ¥164.00 单位 ¥738.00"). Values longer than
    RECEIPT_WIDTH characters continue on lines with an empty label."""
    from django.utils import translation

    record = envelope.get("record") if isinstance(envelope.get("record"), dict) else {}
    with translation.override("en" if english else "zh-hans"):
        name = envelope.get("record_name_en") if english else envelope.get("record_name")
        lines = _receipt_chunks(gettext("记录"), str(name or envelope.get("kind") or ""))
        lines += _receipt_chunks(gettext("出具单位"), str(envelope.get("issuer") or ""))
        lines += _receipt_chunks(gettext("记录编号"), str(envelope.get("record_id") or ""))
        lines += _receipt_chunks(gettext("查询时间"), _local_time(envelope.get("fetched_at")))
        for field in record_fields(record, subject_is_company=False, exclude=frozenset(TABLE_COLUMNS)):
            lines += _receipt_chunks(field.label, field.value or gettext("；").join(field.lines))
        for key, value in _in_reading_order(record):
            if key in TABLE_COLUMNS and isinstance(value, list):
                rows = [row for row in value if isinstance(row, dict)]
                lines.append((label_for(key), gettext("%(count)s条") % {"count": len(rows)}))
                for row in rows:
                    label, summary = _row_summary(key, row)
                    lines += _receipt_chunks(label, summary)
    return lines
