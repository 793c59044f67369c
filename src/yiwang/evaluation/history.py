"""Synthetic history of handled cases, ratings and their follow-up, for the demo's dashboard and
the dashboard benchmark (seeded: the same past every time).

`synthetic_days` yields plain records; the demo writes them with the ORM (a few thousand), the
benchmark streams millions of them into PostgreSQL with COPY. Case numbers take serials from
900001 up, which the platform's own numbering (a counter per item and day from 1) never reaches.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

SERIAL_BASE = 900_000
LEVELS = (5, 4, 3, 2, 1)
LEVEL_WEIGHTS = (82, 11, 4, 2, 1)  # about 97 % good, as districts report
COMMENTS = {2: "等候时间太长", 1: "材料要求与指南不一致，跑了两次"}
# (share, channel) of applications, and of what happens to a bad rating's follow-up.
CHANNELS = ((0.78, "online"), (0.08, "mobile"), (0.11, "window"), (0.02, "kiosk"), (0.01, "partner"))
FOLLOW_UPS = ((0.6, "closed"), (0.2, "replied"), (0.1, "called_back"), (0.1, "awaiting_callback"))


@dataclass(frozen=True)
class ItemSpec:
    id: int
    code: str
    department_id: int
    promised_days: int | None  # working days; None when not a working-day limit
    statutory_days: int | None


@dataclass(frozen=True)
class SyntheticRating:
    level: int
    rated_on: dt.date
    comment: str
    follow_up: str  # the rectification's state for a bad rating ("" otherwise)


@dataclass(frozen=True)
class SyntheticCase:
    number: str
    item: ItemSpec
    applicant_id: int
    channel: str
    state: str  # delivered or denied
    submitted_at: dt.datetime
    accepted_on: dt.date
    decided_at: dt.datetime
    promised_due: dt.date | None
    statutory_due: dt.date | None
    delivered_at: dt.datetime | None
    materials: int
    materials_shared: int
    rating: SyntheticRating | None


def _pick(rng: random.Random, table) -> str:
    roll, seen = rng.random(), 0.0
    for share, value in table:
        seen += share
        if roll < seen:
            return value
    return table[-1][1]


def _at(day: dt.date, minutes_after_nine: float, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz) + dt.timedelta(minutes=minutes_after_nine)


def synthetic_days(*, rng: random.Random, days: Sequence[dt.date], per_day: int, items: Sequence[ItemSpec],
                   applicant_ids: Sequence[int], add_working_days, tz) -> Iterator[SyntheticCase]:
    """`per_day` cases submitted on each of `days` (working days), each decided within or (1 in 20) after its
    promised limit, most delivered, three in four rated; `add_working_days(day, n)` is the calendar's."""
    serial: dict[tuple[str, dt.date], int] = {}
    for day in days:
        for _ in range(per_day):
            item = items[rng.randrange(len(items))]
            key = (item.code, day)
            serial[key] = serial.get(key, SERIAL_BASE) + 1
            submitted = _at(day, rng.uniform(0, 470), tz)
            promised = item.promised_days if item.promised_days is not None else 5
            took = rng.randint(0, max(promised, 0)) if rng.random() >= 0.05 else promised + rng.randint(1, 3)
            decided_day = add_working_days(day, took).due
            decided = _at(decided_day, rng.uniform(30, 480), tz)
            denied = rng.random() < 0.04
            delivered = None if denied else decided + dt.timedelta(hours=rng.uniform(0.5, 30))
            rating = None
            if rng.random() < 0.75:
                level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
                rated_on = add_working_days((delivered or decided).date(), rng.randint(0, 3)).due
                rating = SyntheticRating(level, rated_on, COMMENTS.get(level, ""),
                                         _pick(rng, FOLLOW_UPS) if level <= 2 else "")
            materials = rng.randint(1, 4)
            yield SyntheticCase(
                number=f"{item.code.replace('-', '')}{day:%Y%m%d}{serial[key]:06d}", item=item,
                applicant_id=applicant_ids[rng.randrange(len(applicant_ids))], channel=_pick(rng, CHANNELS),
                state="denied" if denied else "delivered", submitted_at=submitted, accepted_on=day, decided_at=decided,
                promised_due=add_working_days(day, item.promised_days).due if item.promised_days is not None else None,
                statutory_due=add_working_days(day, item.statutory_days).due if item.statutory_days is not None else None,
                delivered_at=delivered, materials=materials, materials_shared=sum(rng.random() < 0.35 for _ in range(materials)),
                rating=rating)
