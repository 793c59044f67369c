"""Which SMS gateway to use: weighted choice, with weight moved away from one that errors (pure).

As GOV.UK Notify does it: a gateway with too many errors in the last minute gives 10 points of
weight to the others; every quarter of an hour weights drift back 10 points towards their
configured resting values.
"""

from __future__ import annotations

import random

ERROR_THRESHOLD = 5  # errors in the window that make a gateway lose weight
SHIFT = 10


def choose(weights: dict[str, int], *, exclude: frozenset[str] = frozenset(), rng: random.Random | None = None) -> str | None:
    """A gateway drawn by weight among those not excluded (None if none is left)."""
    candidates = [(name, weight) for name, weight in sorted(weights.items()) if name not in exclude and weight > 0]
    if not candidates:
        candidates = [(name, 1) for name in sorted(weights) if name not in exclude]  # all at zero: still try
    if not candidates:
        return None
    total = sum(weight for _, weight in candidates)
    point = (rng or random).random() * total
    for name, weight in candidates:
        point -= weight
        if point < 0:
            return name
    return candidates[-1][0]


def after_errors(weights: dict[str, int], errors: dict[str, int]) -> dict[str, int]:
    """New weights: each gateway over the error threshold hands SHIFT points to the healthy ones."""
    new = dict(weights)
    for failing in sorted(name for name, count in errors.items() if count >= ERROR_THRESHOLD and name in new):
        healthy = [name for name in sorted(new) if errors.get(name, 0) < ERROR_THRESHOLD]
        if not healthy:
            continue
        moved = min(SHIFT, new[failing])
        new[failing] -= moved
        for index, name in enumerate(healthy):
            new[name] += moved // len(healthy) + (1 if index < moved % len(healthy) else 0)
    return new


def drift_back(weights: dict[str, int], resting: dict[str, int]) -> dict[str, int]:
    """Move each weight up to SHIFT points towards its resting value."""
    new = {}
    for name, weight in weights.items():
        target = resting.get(name, weight)
        step = max(-SHIFT, min(SHIFT, target - weight))
        new[name] = weight + step
    return new
