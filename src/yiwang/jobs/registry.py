"""What background work exists: handlers by kind, and the periodic schedule.

Each app declares its handlers and periodic entries in its own `jobs.py` module (imported at
start-up by this app's `ready`)::

    # yiwang/bundles/jobs.py
    from yiwang.jobs.registry import handler

    @handler("bundles.pass_result_on")
    def pass_result_on(*, case_id: int) -> dict:
        ...

A handler receives the job's payload as keyword arguments and returns a small JSON summary or
None; raising means "try again later". By default it runs inside one transaction with the job's
completion, so its database effects happen exactly once. A handler that talks to another system
(and must keep that system's audit rows even when it fails) is registered with `atomic=False`
and must then be safe to run again: a worker may die after its effect but before completion.

Work that comes in floods (one SMS per message) is registered with `batch_size`: the handler then
receives a list of payloads and returns one result per payload, in order, where an `Exception`
instance says that this job failed (it is retried alone). A worker handed one such job claims up
to `batch_size` due jobs of the kind at once and keeps claiming until none is left, so a flood
costs one queue entry and a few queries per batch instead of per job. An atomic batch handler
runs in one transaction with the batch's completion: an item it returns as failed must have
written nothing (build each item's work first, then write the rest together); raising fails
the whole batch, which then runs again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Handler:
    kind: str
    func: Callable[..., object]
    max_attempts: int = 8
    # A run still "running" this long after it was claimed belongs to a dead worker: the
    # sweeper hands it to another one.
    timeout: dt.timedelta = dt.timedelta(minutes=5)
    atomic: bool = True
    batch_size: int = 1  # above 1: the handler takes a list of payloads (see the module's text)


@dataclass(frozen=True)
class Periodic:
    name: str
    kind: str
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None  # Shanghai wall time
    payload: dict = field(default_factory=dict)


_handlers: dict[str, Handler] = {}
_periodic: dict[str, Periodic] = {}


def handler(kind: str, *, max_attempts: int = 8, timeout: dt.timedelta = dt.timedelta(minutes=5), atomic: bool = True,
            batch_size: int = 1):
    """Register the decorated function as the handler of jobs of `kind`."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")

    def register(func):
        existing = _handlers.get(kind)
        if existing is not None and existing.func is not func:
            raise ValueError(f"job kind {kind!r} already has a handler: {existing.func.__module__}.{existing.func.__name__}")
        _handlers[kind] = Handler(kind=kind, func=func, max_attempts=max_attempts, timeout=timeout, atomic=atomic,
                                  batch_size=batch_size)
        return func

    return register


def periodic(name: str, *, kind: str, every: dt.timedelta | None = None, daily_at: dt.time | None = None,
             payload: dict | None = None) -> Periodic:
    """Run a job of `kind` once per interval (`every`) or once a day at a Shanghai time (`daily_at`)."""
    if (every is None) == (daily_at is None):
        raise ValueError("a periodic job needs exactly one of every= or daily_at=")
    entry = Periodic(name=name, kind=kind, every=every, daily_at=daily_at, payload=payload or {})
    _periodic[name] = entry
    return entry


def get_handler(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no background job handler for {kind!r}; known: {sorted(_handlers)}") from None


def handler_kinds() -> list[str]:
    return sorted(_handlers)


def schedule() -> list[Periodic]:
    return [_periodic[name] for name in sorted(_periodic)]

