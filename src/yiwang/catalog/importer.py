"""Reading and validating a catalogue file of format ``yiwang-catalog/1`` (pure: no Django).

Every problem is reported at once, each prefixed with its JSON path, so a district can fix a
file in one pass: ``$.items[12].statutory_limit.unit: must be one of working_day, calendar_day``.

English is optional: each text a reader sees may carry its English beside it, and English pages
show the Chinese where it is absent. ``name_en`` of the region, partners, departments, registries,
their ``records[]``, items, ``materials[]``, ``result`` and bundles; ``description_en`` and
``legal_basis_en`` of items; ``name_en``/``standard_en`` of ``fees[]``; ``text_en`` of bundle
``questions[]`` and ``label_en`` of their ``options[]``; ``label_en``/``help_en`` of form fields,
columns and options (catalog/application_forms.py). The reference catalogue fills all of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from yiwang.catalog.application_forms import FormDefinitionError, parse_form_definition
from yiwang.core.identifiers import IdentifierError, normalize_credit_code

FORMAT = "yiwang-catalog/1"

# Codes the platform's own logic depends on (deadlines, flows, the apply form): fixed, whatever
# labels a file's code tables carry.
TIME_UNITS = ("working_day", "calendar_day")
CASE_TYPES = ("instant", "promise")
ONLINE_DEPTHS = (1, 2, 3, 4)
CROSS_REGION_MODES = ("全程网办", "异地代收代办")

# Code tables a file must carry; values of the matching fields are checked against them.
REQUIRED_CODE_TABLES = (
    "item_type",
    "material_source",
    "material_necessity",
    "material_kind",
    "result_type",
    "channel",
    "service_object",
)

# Column sizes of the tables the file is loaded into: longer values would fail on PostgreSQL.
_MAX_LENGTHS = {
    "region.code": 6,
    "region.name": 100,
    "region.name_en": 200,
    "department.code": 20,
    "department.name": 100,
    "department.name_en": 200,
    "department.unit": 100,
    "registry.code": 40,
    "registry.name": 100,
    "registry.name_en": 200,
    "registry.provider": 20,
    "registry.custodian": 100,
    "record.kind": 60,
    "record.name": 100,
    "record.name_en": 200,
    "item.code": 40,
    "item.name": 200,
    "item.name_en": 300,
    "item.type": 2,
    "item.cross_region_mode": 20,
    "result.type": 20,
    "result.name": 200,
    "result.name_en": 300,
    "material.name": 200,
    "material.name_en": 300,
    "material.kind": 20,
    "material.source": 2,
    "material.necessity": 1,
    "bundle.code": 40,
    "bundle.name": 200,
    "bundle.name_en": 300,
    "code_label.table": 40,
    "code_label.code": 40,
    "code_label.label": 200,
}

_REGION_CODE = re.compile(r"^\d{6}$")
_SERIAL = re.compile(r"^\d{4}$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class CatalogFileError(Exception):
    """The file cannot be used; `errors` lists every problem found, one line each."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def load_catalog_file(path: str | Path) -> dict:
    """Read, parse and validate a catalogue file; return its data or raise CatalogFileError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogFileError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise CatalogFileError([f"{path}: cannot read file: {exc.strerror or exc}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogFileError([f"{path}: line {exc.lineno}, column {exc.colno}: malformed JSON: {exc.msg}"]) from None
    errors = validate_catalog(data)
    if errors:
        raise CatalogFileError(errors)
    return data


def validate_catalog(data: Any) -> list[str]:
    """Every problem of the catalogue `data`, each as ``<JSON path>: <problem>``; [] when valid."""
    return _Validator(data).run()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_month_day(value: str) -> bool:
    match = _MONTH_DAY.match(value)
    if not match:
        return False
    month, day = int(match.group(1)), int(match.group(2))
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


class _Validator:
    def __init__(self, data: Any):
        self.data = data
        self.errors: list[str] = []
        self.tables: dict[str, set[str]] = {}
        self.department_codes: set[str] = set()
        self.record_kinds: set[str] = set()
        self.item_codes: set[str] = set()
        self.region_code: str | None = None
        self.partner_codes: set[str] = set()

    def error(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    # -- generic checks (each returns whether the value passed, so callers can go deeper) --

    def expect_object(self, value: Any, path: str) -> bool:
        if not isinstance(value, dict):
            self.error(path, "must be an object")
            return False
        return True

    def expect_list(self, value: Any, path: str) -> bool:
        if not isinstance(value, list):
            self.error(path, "must be a list")
            return False
        return True

    def expect_string(self, obj: dict, key: str, path: str, *, size: str | None = None, required: bool = True) -> bool:
        value = obj.get(key)
        if value is None and not required:
            return True
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(f"{path}.{key}", "must be a non-empty string" if required else "must be a string or null")
            return False
        if size and len(value) > _MAX_LENGTHS[size]:
            self.error(f"{path}.{key}", f"must be at most {_MAX_LENGTHS[size]} characters")
            return False
        return True

    def expect_code(self, obj: dict, key: str, path: str, table: str) -> bool:
        value = obj.get(key)
        allowed = self.tables.get(table)
        if allowed is None:  # the table itself is missing, already reported
            return False
        if value not in allowed:
            self.error(f"{path}.{key}", f"must be one of {', '.join(sorted(allowed))} (code table {table})")
            return False
        return True

    def expect_codes(self, obj: dict, key: str, path: str, table: str) -> None:
        values = obj.get(key)
        if not self.expect_list(values, f"{path}.{key}"):
            return
        allowed = self.tables.get(table)
        if allowed is None:
            return
        for index, value in enumerate(values):
            if value not in allowed:
                self.error(f"{path}.{key}[{index}]", f"must be one of {', '.join(sorted(allowed))} (code table {table})")
        if len(set(map(str, values))) != len(values):
            self.error(f"{path}.{key}", "must not repeat a value")

    def check_unique(self, records: list, key: str, path: str) -> set[str]:
        """Report repeated `key` values; return the set of valid keys."""
        seen: dict[str, int] = {}
        for index, record in enumerate(records):
            if not isinstance(record, dict) or not isinstance(record.get(key), str):
                continue
            value = record[key]
            if value in seen:
                self.error(f"{path}[{index}].{key}", f"duplicate {key} {value} (first at {path}[{seen[value]}])")
            else:
                seen[value] = index
        return set(seen)

    # -- sections --

    def run(self) -> list[str]:
        if not isinstance(self.data, dict):
            self.error("$", "must be an object")
            return self.errors
        data = self.data
        if data.get("format") != FORMAT:
            self.error("$.format", f"must be {FORMAT}")
        self.check_region(data.get("region"))
        self.check_code_tables(data.get("code_tables"))
        self.check_departments(data.get("departments"))
        self.check_registries(data.get("registries"))
        items = data.get("items")
        if self.expect_list(items, "$.items"):
            self.item_codes = self.check_unique(items, "code", "$.items")
            for index, item in enumerate(items):
                self.check_item(item, f"$.items[{index}]")
        bundles = data.get("bundles", [])
        if self.expect_list(bundles, "$.bundles"):
            self.check_unique(bundles, "code", "$.bundles")
            for index, bundle in enumerate(bundles):
                self.check_bundle(bundle, f"$.bundles[{index}]")
        if data.get("cross_region") is not None:
            self.check_cross_region(data["cross_region"], "$.cross_region")
        self.check_item_partners()
        notes = data.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
            self.error("$.notes", "must be a list of strings")
        return self.errors

    def check_region(self, region: Any) -> None:
        if not self.expect_object(region, "$.region"):
            return
        code = region.get("code")
        if not isinstance(code, str) or not _REGION_CODE.match(code):
            self.error("$.region.code", "must be a 6-digit region code (GB/T 2260)")
        else:
            self.region_code = code
        self.expect_string(region, "name", "$.region", size="region.name")
        self.expect_string(region, "name_en", "$.region", size="region.name_en", required=False)

    def check_code_tables(self, tables: Any) -> None:
        if not self.expect_object(tables, "$.code_tables"):
            return
        for name, table in tables.items():
            path = f"$.code_tables.{name}"
            if len(name) > _MAX_LENGTHS["code_label.table"]:
                self.error(path, f"table name must be at most {_MAX_LENGTHS['code_label.table']} characters")
                continue
            if not isinstance(table, dict) or not table:
                self.error(path, "must be a non-empty object of code: label")
                continue
            for code, label in table.items():
                if len(code) > _MAX_LENGTHS["code_label.code"]:
                    self.error(f"{path}.{code}", f"code must be at most {_MAX_LENGTHS['code_label.code']} characters")
                if not isinstance(label, str) or not label.strip():
                    self.error(f"{path}.{code}", "label must be a non-empty string")
                elif len(label) > _MAX_LENGTHS["code_label.label"]:
                    self.error(f"{path}.{code}", f"label must be at most {_MAX_LENGTHS['code_label.label']} characters")
            self.tables[name] = set(table)
        for name in REQUIRED_CODE_TABLES:
            if name not in tables:
                self.error(f"$.code_tables.{name}", "missing code table")

    def check_departments(self, departments: Any) -> None:
        if not self.expect_list(departments, "$.departments"):
            return
        self.department_codes = self.check_unique(departments, "code", "$.departments")
        for index, department in enumerate(departments):
            path = f"$.departments[{index}]"
            if not self.expect_object(department, path):
                continue
            self.expect_string(department, "code", path, size="department.code")
            self.expect_string(department, "name", path, size="department.name")
            self.expect_string(department, "name_en", path, size="department.name_en", required=False)
            self.expect_string(department, "unit", path, size="department.unit")
            self.expect_string(department, "notes", path, required=False)
            credit_code = department.get("credit_code")
            if not isinstance(credit_code, str):
                self.error(f"{path}.credit_code", "must be a unified social credit code (18 characters)")
                continue
            try:
                normalize_credit_code(credit_code)
            except IdentifierError as exc:
                self.error(f"{path}.credit_code", f"{credit_code!r} is not a valid unified social credit code: {exc.message_en}")

    def check_registries(self, registries: Any) -> None:
        if registries is None:
            registries = []
        if not self.expect_list(registries, "$.registries"):
            return
        self.check_unique(registries, "code", "$.registries")
        for index, registry in enumerate(registries):
            path = f"$.registries[{index}]"
            if not self.expect_object(registry, path):
                continue
            code_ok = self.expect_string(registry, "code", path, size="registry.code")
            if code_ok and ":" in registry["code"]:
                self.error(f"{path}.code", "must not contain ':'")
                code_ok = False
            self.expect_string(registry, "name", path, size="registry.name")
            self.expect_string(registry, "name_en", path, size="registry.name_en", required=False)
            self.expect_string(registry, "provider", path, size="registry.provider", required=False)
            self.expect_string(registry, "custodian", path, size="registry.custodian", required=False)
            records = registry.get("records")
            if not self.expect_list(records, f"{path}.records"):
                continue
            kinds = self.check_unique(records, "kind", f"{path}.records")
            for record_index, record in enumerate(records):
                record_path = f"{path}.records[{record_index}]"
                if self.expect_object(record, record_path):
                    self.expect_string(record, "kind", record_path, size="record.kind")
                    self.expect_string(record, "name", record_path, size="record.name")
                    self.expect_string(record, "name_en", record_path, size="record.name_en", required=False)
            if code_ok:
                self.record_kinds.update(f"{registry['code']}:{kind}" for kind in kinds)

    def check_limit(self, item: dict, key: str, path: str) -> None:
        limit = item.get(key)
        path = f"{path}.{key}"
        if limit is None:
            if key not in item:
                self.error(path, "missing (use null for no fixed time limit)")
            return
        if not self.expect_object(limit, path):
            return
        value = limit.get("value")
        if not _is_int(value) or value < 0:
            self.error(f"{path}.value", "must be an integer >= 0")
        if limit.get("unit") not in TIME_UNITS:
            self.error(f"{path}.unit", f"must be one of {', '.join(TIME_UNITS)}")
        extra = set(limit) - {"value", "unit"}
        if extra:
            self.error(path, f"unknown field(s) {', '.join(sorted(extra))}")

    def check_item(self, item: Any, path: str) -> None:
        if not self.expect_object(item, path):
            return
        code_ok = self.expect_string(item, "code", path, size="item.code")
        self.expect_string(item, "name", path, size="item.name")
        self.expect_string(item, "name_en", path, size="item.name_en", required=False)
        # Every text a reader sees may come with its English (`<key>_en`); without it English pages show the Chinese.
        for key in ("legal_basis", "legal_basis_en", "description", "description_en", "notes"):
            self.expect_string(item, key, path, required=False)
        department = item.get("department")
        if department not in self.department_codes:
            self.error(f"{path}.department", f"unknown department {department!r}")
        type_ok = self.expect_code(item, "type", path, "item_type")
        if type_ok and len(item["type"]) > _MAX_LENGTHS["item.type"]:
            self.error(f"{path}.type", f"must be at most {_MAX_LENGTHS['item.type']} characters")
        if code_ok:
            self.check_item_code(item, path)
        level = item.get("level", 4)
        if not _is_int(level) or not 1 <= level <= 5:
            self.error(f"{path}.level", "must be an integer from 1 to 5")
        self.check_limit(item, "statutory_limit", path)
        self.check_limit(item, "promised_limit", path)
        if item.get("case_type") not in CASE_TYPES:
            self.error(f"{path}.case_type", f"must be one of {', '.join(CASE_TYPES)}")
        levels = item.get("approval_levels")
        if not _is_int(levels) or levels < 1:
            self.error(f"{path}.approval_levels", "must be an integer >= 1")
        if item.get("online_depth") not in ONLINE_DEPTHS or not _is_int(item.get("online_depth")):
            self.error(f"{path}.online_depth", "must be an integer from 1 to 4")
        max_visits = item.get("max_visits", 0)
        if not _is_int(max_visits) or max_visits < 0:
            self.error(f"{path}.max_visits", "must be an integer >= 0")
        self.expect_codes(item, "channels", path, "channel")
        self.expect_codes(item, "service_objects", path, "service_object")
        self.check_fees(item.get("fees", []), f"{path}.fees")
        self.check_item_cross_region(item, path)
        self.check_materials(item.get("materials"), f"{path}.materials")
        self.check_form(item.get("form"), f"{path}.form")
        result = item.get("result")
        if self.expect_object(result, f"{path}.result"):
            self.expect_code(result, "type", f"{path}.result", "result_type")
            self.expect_string(result, "name", f"{path}.result", size="result.name", required=False)
            self.expect_string(result, "name_en", f"{path}.result", size="result.name_en", required=False)

    def check_form(self, form: Any, path: str) -> None:
        try:
            parse_form_definition(form)
        except FormDefinitionError as exc:
            for error in exc.errors:
                self.error(path, error)

    def check_item_code(self, item: dict, path: str) -> None:
        parts = item["code"].split("-")
        expected = "<region>-<department>-<type>-<serial>"
        if len(parts) != 4:
            self.error(f"{path}.code", f"must have the form {expected}, e.g. 310120-SCJG-01-0001")
            return
        region, department, item_type, serial = parts
        if self.region_code and region != self.region_code:
            self.error(f"{path}.code", f"must start with the region code {self.region_code}")
        if department != item.get("department"):
            self.error(f"{path}.code", f"department part {department!r} must equal the item's department {item.get('department')!r}")
        if item_type != item.get("type"):
            self.error(f"{path}.code", f"type part {item_type!r} must equal the item's type {item.get('type')!r}")
        if not _SERIAL.match(serial):
            self.error(f"{path}.code", "serial part must be 4 digits")

    def check_fees(self, fees: Any, path: str) -> None:
        if not self.expect_list(fees, path):
            return
        for index, fee in enumerate(fees):
            if self.expect_object(fee, f"{path}[{index}]"):
                self.expect_string(fee, "name", f"{path}[{index}]")
                self.expect_string(fee, "standard", f"{path}[{index}]")
                self.expect_string(fee, "name_en", f"{path}[{index}]", required=False)
                self.expect_string(fee, "standard_en", f"{path}[{index}]", required=False)

    def check_item_cross_region(self, item: dict, path: str) -> None:
        partners = item.get("cross_region", [])
        if not self.expect_list(partners, f"{path}.cross_region"):
            return
        for index, code in enumerate(partners):
            if not isinstance(code, str) or not _REGION_CODE.match(code):
                self.error(f"{path}.cross_region[{index}]", "must be a 6-digit region code")
        mode = item.get("cross_region_mode")
        if mode is not None and mode not in CROSS_REGION_MODES:
            self.error(f"{path}.cross_region_mode", f"must be one of {', '.join(CROSS_REGION_MODES)} or null")
        if partners and mode is None:
            self.error(f"{path}.cross_region_mode", "required when cross_region is not empty")

    def check_materials(self, materials: Any, path: str) -> None:
        if not self.expect_list(materials, path):
            return
        for index, material in enumerate(materials):
            material_path = f"{path}[{index}]"
            if not self.expect_object(material, material_path):
                continue
            self.expect_string(material, "name", material_path, size="material.name")
            self.expect_string(material, "name_en", material_path, size="material.name_en", required=False)
            self.expect_code(material, "kind", material_path, "material_kind")
            self.expect_code(material, "source", material_path, "material_source")
            self.expect_code(material, "necessity", material_path, "material_necessity")
            copies = material.get("copies", 1)
            if not _is_int(copies) or copies < 0:
                self.error(f"{material_path}.copies", "must be an integer >= 0")
            exemptible_via = material.get("exemptible_via")
            if exemptible_via is not None and exemptible_via not in self.record_kinds:
                self.error(
                    f"{material_path}.exemptible_via",
                    f"{exemptible_via!r} must name an existing registry record as registry:kind",
                )

    def check_item_reference(self, code: Any, path: str) -> None:
        if code not in self.item_codes:
            self.error(path, f"unknown item {code!r}")

    def check_bundle(self, bundle: Any, path: str) -> None:
        if not self.expect_object(bundle, path):
            return
        self.expect_string(bundle, "code", path, size="bundle.code")
        self.expect_string(bundle, "name", path, size="bundle.name")
        self.expect_string(bundle, "name_en", path, size="bundle.name_en", required=False)
        self.expect_string(bundle, "notes", path, required=False)
        if bundle.get("lead_department") not in self.department_codes:
            self.error(f"{path}.lead_department", f"unknown department {bundle.get('lead_department')!r}")
        members = bundle.get("items")
        if self.expect_list(members, f"{path}.items"):
            if not members:
                self.error(f"{path}.items", "must list at least one item")
            for index, code in enumerate(members):
                self.check_item_reference(code, f"{path}.items[{index}]")
            if len(set(map(str, members))) != len(members):
                self.error(f"{path}.items", "must not repeat an item")
        self.check_window(bundle, path)
        options = self.check_questions(bundle.get("questions", []), f"{path}.questions")
        self.check_rules(bundle.get("rules", []), f"{path}.rules", options)

    def check_window(self, bundle: dict, path: str) -> None:
        window = bundle.get("application_window")
        if window is None:
            return
        path = f"{path}.application_window"
        if not self.expect_object(window, path):
            return
        for key in ("opens", "closes"):
            value = window.get(key)
            if not isinstance(value, str) or not _valid_month_day(value):
                self.error(f"{path}.{key}", "must be a valid day of the year as MM-DD")

    def check_questions(self, questions: Any, path: str) -> dict[str, set[str]]:
        """Validate the questions; return the option values of each question id."""
        options_by_question: dict[str, set[str]] = {}
        if not self.expect_list(questions, path):
            return options_by_question
        self.check_unique(questions, "id", path)
        for index, question in enumerate(questions):
            question_path = f"{path}[{index}]"
            if not self.expect_object(question, question_path):
                continue
            self.expect_string(question, "id", question_path)
            self.expect_string(question, "text", question_path)
            self.expect_string(question, "text_en", question_path, required=False)
            options = question.get("options")
            values: set[str] = set()
            if self.expect_list(options, f"{question_path}.options"):
                if not options:
                    self.error(f"{question_path}.options", "must offer at least one option")
                values = self.check_unique(options, "value", f"{question_path}.options")
                for option_index, option in enumerate(options):
                    option_path = f"{question_path}.options[{option_index}]"
                    if self.expect_object(option, option_path):
                        self.expect_string(option, "value", option_path)
                        self.expect_string(option, "label", option_path)
                        self.expect_string(option, "label_en", option_path, required=False)
            if isinstance(question.get("id"), str):
                options_by_question.setdefault(question["id"], values)
        return options_by_question

    def check_rules(self, rules: Any, path: str, options: dict[str, set[str]]) -> None:
        if not self.expect_list(rules, path):
            return
        for index, rule in enumerate(rules):
            rule_path = f"{path}[{index}]"
            if not self.expect_object(rule, rule_path):
                continue
            when = rule.get("when")
            if self.expect_object(when, f"{rule_path}.when"):
                if not when:
                    self.error(f"{rule_path}.when", "must have at least one condition")
                for question_id, value in when.items():
                    if question_id not in options:
                        self.error(f"{rule_path}.when.{question_id}", f"unknown question id {question_id!r}")
                    elif value not in options[question_id]:
                        self.error(
                            f"{rule_path}.when.{question_id}",
                            f"{value!r} is not an option of question {question_id!r} "
                            f"(one of {', '.join(sorted(options[question_id]))})",
                        )
            if "add_items" not in rule and "skip_items" not in rule:
                self.error(rule_path, "must have add_items or skip_items")
            for key in ("add_items", "skip_items"):
                codes = rule.get(key, [])
                if self.expect_list(codes, f"{rule_path}.{key}"):
                    for code_index, code in enumerate(codes):
                        self.check_item_reference(code, f"{rule_path}.{key}[{code_index}]")

    def check_cross_region(self, cross_region: Any, path: str) -> None:
        if not self.expect_object(cross_region, path):
            return
        partners = cross_region.get("partners", [])
        partner_codes: set[str] = set()
        if self.expect_list(partners, f"{path}.partners"):
            partner_codes = self.check_unique(partners, "code", f"{path}.partners")
            for index, partner in enumerate(partners):
                partner_path = f"{path}.partners[{index}]"
                if not self.expect_object(partner, partner_path):
                    continue
                code = partner.get("code")
                if not isinstance(code, str) or not _REGION_CODE.match(code):
                    self.error(f"{partner_path}.code", "must be a 6-digit region code (GB/T 2260)")
                    partner_codes.discard(code)
                elif code == self.region_code:
                    self.error(f"{partner_path}.code", "must differ from the home region")
                self.expect_string(partner, "name", partner_path, size="region.name")
                self.expect_string(partner, "name_en", partner_path, size="region.name_en", required=False)
        outbound = cross_region.get("outbound_items", [])
        if self.expect_list(outbound, f"{path}.outbound_items"):
            for index, code in enumerate(outbound):
                self.check_item_reference(code, f"{path}.outbound_items[{index}]")
        self.partner_codes = partner_codes

    def check_item_partners(self) -> None:
        """Items name the partners that accept them; those must be declared partners."""
        items = self.data.get("items")
        if not isinstance(items, list):
            return
        for item_index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("cross_region"), list):
                continue
            for index, code in enumerate(item["cross_region"]):
                if isinstance(code, str) and _REGION_CODE.match(code) and code not in self.partner_codes:
                    self.error(f"$.items[{item_index}].cross_region[{index}]", f"{code} is not a partner in $.cross_region.partners")
