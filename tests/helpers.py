"""Small helpers shared by API and web tests: real files, validly filled application forms, API drivers."""

from __future__ import annotations

import io

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + b"\x00" * 20
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

ITEM_ONE_LEVEL = "310120-SCJG-01-0001"  # 个体工商户设立登记: required materials 1 and 2
ITEM_TWO_LEVELS = "310120-SCJG-01-0004"  # 食品经营许可（变更）: required materials 1, 2, 3
FORM = {"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号", "remarks": "开一家小吃店"}

ENTERPRISE_CONTACT = {"contact_name": "王经办"}


def _example_value(field, serial: int):
    """A value `field` accepts, already in its cleaned form (so a stored form equals what was posted)."""
    from decimal import Decimal

    from yiwang.catalog import application_forms as forms
    from yiwang.core import clock
    from tests.factories import valid_credit_code, valid_id_number

    kind = field.kind
    if kind in (forms.NUMBER, forms.MONEY):
        number = Decimal(field.minimum) if field.minimum else Decimal(1)
        if number < 1 and (not field.maximum or Decimal(field.maximum) >= 1):
            number = Decimal(1)
        return f"{number:.2f}" if kind == forms.MONEY else str(number)
    if kind == forms.DATE:
        bound = field.minimum or field.maximum
        return clock.today().isoformat() if bound in ("", "today") else bound
    if kind == forms.CHOICE:
        return field.options[0].value
    if kind == forms.CHOICES:
        return [field.options[0].value]
    if kind == forms.ID_NUMBER:
        return valid_id_number(seq=serial)
    if kind == forms.CREDIT_CODE:
        return valid_credit_code(seq=serial)
    if kind == forms.MOBILE:
        return "13800138000"
    if kind == forms.ADDRESS:
        return FORM["address"][:field.max_length]
    if kind == forms.TABLE:
        return [{column.name: _example_value(column, serial + n) for n, column in enumerate(field.columns, start=1)}]
    if kind == forms.TEXTAREA:
        return "示例说明"[:field.max_length]
    return "示例"[:field.max_length]


def _filled(fields, *, applicant_kind: str, overrides: dict) -> dict:
    from yiwang.catalog.application_forms import RESERVED_NAMES, visible_fields

    common = {**(ENTERPRISE_CONTACT if applicant_kind == "enterprise" else {}), **FORM}
    values = {}
    for serial, field in enumerate(fields, start=100):
        if field.name in RESERVED_NAMES:
            if field.name in common:
                values[field.name] = common[field.name]
        else:
            values[field.name] = _example_value(field, serial)
    values.update(overrides)
    shown = {f.name for f in visible_fields(fields, values)}
    return {name: value for name, value in values.items() if name in shown or name in overrides}


def form_for(item_code: str, *, applicant_kind: str = "resident", **overrides) -> dict:
    """Valid form data for the item's application form as the database holds it: every visible
    field of the item's own with a valid value (ID card numbers and credit codes with correct
    check characters, the first option of a choice, one full row of a table), then the common
    fields (the contact person too for an enterprise, `applicant_kind="enterprise"`); `overrides`
    replace or add values, and a field their answers hide is left out."""
    from yiwang.catalog.application_forms import form_fields, parse_form_definition
    from yiwang.catalog.models import ServiceItem

    item = ServiceItem.objects.get(code=item_code)
    fields = form_fields(applicant_kind=applicant_kind, definition=parse_form_definition(item.form or {}))
    return _filled(fields, applicant_kind=applicant_kind, overrides=overrides)


def bundle_form_for(bundle_code: str, answers: dict, *, applicant_kind: str = "enterprise", **overrides) -> dict:
    """Valid data for a 一件事's one form given the guide's answers: every field of the items the
    answers call for, once (as `form_for`)."""
    from yiwang.bundles import selectors
    from yiwang.catalog.application_forms import form_fields, merged_fields, parse_form_definition

    guide = selectors.guide_for(selectors.get_bundle(bundle_code), answers)
    fields = merged_fields([form_fields(applicant_kind=applicant_kind, definition=parse_form_definition(row.item.form or {}))
                            for row in guide.items])
    return _filled(fields, applicant_kind=applicant_kind, overrides=overrides)


def as_post(form_data: dict) -> dict:
    """Form data as a page posts it: a table as its ``<name>.<row>.<column>`` inputs, several
    choices as a list of values (the test client posts each)."""
    post = {}
    for name, value in form_data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for n, row in enumerate(value):
                post.update({f"{name}.{n}.{column}": cell for column, cell in row.items()})
        else:
            post[name] = value
    return post


def upload(client, case_id: int, position: int, content: bytes = PDF_BYTES, name: str = "scan.pdf"):
    f = io.BytesIO(content)
    f.name = name
    return client.post(f"/api/v1/applications/{case_id}/materials/", {"position": position, "file": f}, format="multipart")


def submitted_case(client, item_code: str = ITEM_ONE_LEVEL, positions=(1, 2), key: str = "k-1") -> dict:
    """Create a draft through the API, upload the given materials, submit; return the case JSON."""
    created = client.post("/api/v1/applications/", {"item_code": item_code, "form_data": form_for(item_code)}, format="json")
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    for position in positions:
        response = upload(client, case_id, position)
        assert response.status_code == 201, response.json()
    submitted = client.post(f"/api/v1/applications/{case_id}/submit/", HTTP_IDEMPOTENCY_KEY=key)
    assert submitted.status_code == 200, submitted.json()
    return submitted.json()


def act(client, case: dict, action: str, **extra):
    body = {"action": action, "version": case["version"], **extra}
    return client.post(f"/api/v1/applications/{case['id']}/actions/", body, format="json")


def fill_in_page(page, form_data: dict, *, skip=("contact_name", "phone", "address", "remarks")) -> None:
    """Fill an item's own fields on an open form page (Playwright), in the form's order so that a
    choice reveals the fields it shows first: radios and checkboxes are ticked, selects chosen,
    table cells filled by their ``<name>.<row>.<column>`` inputs. A text input that already holds a
    value (prefilled from the account) is left as it is; the common fields (`skip`) are the test's own."""
    for name, value in form_data.items():
        if name in skip:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for n, row in enumerate(value):
                for column, cell in row.items():
                    _fill_one(page.locator(f'[name="{name}.{n}.{column}"]'), cell, overwrite=True)
        elif isinstance(value, list):
            for chosen in value:
                page.locator(f'input[type=checkbox][name="{name}"][value="{chosen}"]').check()
        else:
            radio = page.locator(f'input[type=radio][name="{name}"][value="{value}"]')
            if radio.count():
                radio.check()
            else:
                _fill_one(page.locator(f"#id_{name}"), value, overwrite=False)


def _fill_one(locator, value: str, *, overwrite: bool) -> None:
    if locator.evaluate("element => element.tagName") == "SELECT":
        locator.select_option(value)
    elif overwrite or not locator.input_value():
        locator.fill(value)
