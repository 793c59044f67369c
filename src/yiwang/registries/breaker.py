"""A circuit breaker (pure: no Django, no I/O), one per registry.

Closed: calls pass; `threshold` consecutive failures open it. Open: calls are refused at once
(no network) for `open_seconds`. Then half-open: one trial call passes (others are still refused
while it runs); its success closes the breaker, its failure opens it for another period.

State is process-local: each server worker learns about an outage on its own, after at most
`threshold` failed calls. That is enough here (the point is that a resident never waits on a
registry known to be down) and needs no shared store.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, *, threshold: int, open_seconds: float, clock: Callable[[], float] = time.monotonic):
        if threshold < 1 or open_seconds < 0:
            raise ValueError("threshold must be >= 1 and open_seconds >= 0")
        self.threshold = threshold
        self.open_seconds = open_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return CLOSED
        if self._clock() - self._opened_at >= self.open_seconds:
            return HALF_OPEN
        return OPEN

    def allow(self) -> bool:
        """True if a call may go out now (a half-open breaker lets one trial through)."""
        with self._lock:
            state = self._state()
            if state == CLOSED:
                return True
            if state == HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def record_success(self) -> None:
        """The registry answered (any answer but a server error): it is up."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        """No answer in time, no connection, or a server error."""
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.threshold:
                self._opened_at = self._clock()
            self._trial_running = False
