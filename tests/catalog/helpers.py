"""Copies of the reference catalogue for tests to modify."""

from __future__ import annotations

import json

from tests.conftest import REFERENCE_CATALOG


def reference_data() -> dict:
    """A fresh, independent copy of the reference catalogue's data."""
    return json.loads(REFERENCE_CATALOG.read_text(encoding="utf-8"))


def item_index(data: dict, code: str) -> int:
    return next(index for index, item in enumerate(data["items"]) if item["code"] == code)


def referenced_item_codes(data: dict) -> set[str]:
    """Items that bundles (members and rules) or the cross-region scope name."""
    codes = set(data["cross_region"]["outbound_items"])
    for bundle in data["bundles"]:
        codes.update(bundle["items"])
        for rule in bundle["rules"]:
            codes.update(rule.get("add_items", []))
            codes.update(rule.get("skip_items", []))
    return codes
