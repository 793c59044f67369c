"""Card fixtures of the simulated reader: the registry service's synthetic people as their ID
cards' text blocks (so a card read at a demo kiosk finds the same person's records)."""

from __future__ import annotations

import json
from importlib import resources

from yiwang.kiosks.idcard import encode_text_block

SEXES = {"男": "1", "女": "2"}


def seed_people() -> list[dict]:
    seed = resources.files("yiwang.registry_service").joinpath("data/seed.json").read_text(encoding="utf-8")
    return json.loads(seed)["people"]


def fixture_cards() -> dict[str, bytes]:
    """{ID number: text block} for every synthetic person (valid 2016-08-01, long-term)."""
    cards = {}
    for person in seed_people():
        cards[person["id"]] = encode_text_block(
            name=person["name"][:15], sex_code=SEXES.get(person.get("sex", ""), "0"), nation_code="01",
            birth=person["birth_date"].replace("-", ""), address=person.get("address", "")[:35], id_number=person["id"],
            issuer="上海市公安局奉贤分局", valid_from="20160801", valid_until="长期")
    return cards
