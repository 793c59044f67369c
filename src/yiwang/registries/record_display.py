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


def record_fields(record: dict, *, subject_is_company: bool) -> list[RecordField]:
    """The record's top-level fields in reading order, labelled and masked for staff."""
    fields = []
    for key, value in _in_reading_order(record):
        person = not (subject_is_company and key in SUBJECT_NAME_KEYS)
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            lines = tuple(_object_line(item) if isinstance(item, dict) else _masked(key, item, person=True) for item in value)
            fields.append(RecordField(key=key, label=label_for(key), lines=lines))
        else:
            fields.append(RecordField(key=key, label=label_for(key), value=_text(key, value, person=person)))
    return fields
