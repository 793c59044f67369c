"""A local SMS provider: the HTTP protocol of a real one, delivery receipts by callback, and drills.

Protocol (JSON over HTTP, ``Authorization: Bearer <credential>``):

- ``POST /v1/messages`` ``{"reference", "to", "text", "callback_url"}`` → ``202 {"id"}`` for a new
  message, ``200 {"id"}`` for a reference it already took (so a client may retry after a timeout
  without the message going out twice), ``400 {"error": "invalid_number"}`` for a number that is
  not a mainland mobile, ``401`` without the credential, ``500``/``503`` in a drill;
- ``POST /v1/messages/batch`` ``{"messages": [{"reference", "to", "text", "callback_url"}, ...]}`` (at most
  500) → ``200 {"results": [{"reference", "id"} or {"reference", "error"}, ...]}``, one per message in
  order, each answered as the single send would be (``"duplicate": true`` for a reference it knew);
  a drill's error, slowness or stall applies to the whole request;
- a receipt ``{"id", "reference", "status"}`` is POSTed to ``callback_url`` (with
  ``Authorization: Bearer <receipt token>``) after ``receipt_delay`` seconds; status ``DELIVRD``
  (delivered), ``UNDELIV`` (permanent failure) or ``EXPIRED`` (temporary failure);
- ``GET /v1/log`` lists every message taken, in order (what "reached the phone");
- ``GET /healthz``.

Drills (only with ``--fault-drills``): ``PUT /admin/faults`` ``{"error": N}`` (the next N sends
answer 500 without taking the message), ``{"slow": seconds}`` (every send waits first),
``{"accept_then_stall": N}`` (the next N sends take the message, then wait past any client's
timeout), ``{"receipt": "DELIVRD"|"UNDELIV"|"EXPIRED"|"none"}``, ``{"duplicate_receipts": true}``,
``{"receipt_delay": seconds}``, ``{"answer_delay": seconds}`` (take the message, answer later:
the receipt may arrive first); ``DELETE /admin/faults`` clears them; ``DELETE /v1/log`` empties the log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger("yiwang.sms_simulator")
MOBILE = re.compile(r"1[3-9][0-9]{9}")
STATUSES = {"DELIVRD", "UNDELIV", "EXPIRED", "none"}
MAX_BATCH = 500
BATCH_BODY_LIMIT = 4 * 1024 * 1024


def _is_message(body) -> bool:
    return isinstance(body, dict) and all(isinstance(body.get(k), str) for k in ("reference", "to", "text"))


@dataclass
class Faults:
    enabled: bool = False
    error: int = 0
    slow: float = 0.0
    accept_then_stall: int = 0
    receipt: str = "DELIVRD"
    duplicate_receipts: bool = False
    receipt_delay: float = 0.05
    answer_delay: float = 0.0


@dataclass
class SmsSimulator:
    credential: str
    receipt_token: str
    name: str = "sim"
    log_path: Path | None = None
    faults: Faults = field(default_factory=Faults)
    stall_seconds: float = 30.0

    def __post_init__(self):
        self._lock = threading.Lock()
        self._by_reference: dict[str, dict] = {}
        self._log: list[dict] = []
        self._counter = 0
        # Like a real provider, it remembers what it took across a restart (its log is its memory).
        if self.log_path is not None and self.log_path.exists():
            for line in self.log_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self._by_reference[entry["reference"]] = entry
                    self._log.append(entry)
            self._counter = len(self._log)

    # -- WSGI ---------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            status, body = self._route(method, path, environ)
        except Exception:  # a drill tool must answer, not hang
            logger.exception("sms simulator failed")
            status, body = 500, {"error": "simulator_error"}
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start_response(f"{status} {'OK' if status < 400 else 'Error'}",
                       [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload)))])
        return [payload]

    def _route(self, method, path, environ):
        if path == "/healthz":
            return 200, {"status": "ok", "gateway": self.name}
        if path.startswith("/admin/") and not self.faults.enabled:
            return 404, {"error": "not_found"}
        if path == "/admin/faults" and method == "PUT":
            return self._set_faults(_json_body(environ))
        if path == "/admin/faults" and method == "DELETE":
            enabled = self.faults.enabled
            self.faults = Faults(enabled=enabled)
            return 200, {"faults": "cleared"}
        if environ.get("HTTP_AUTHORIZATION", "") != f"Bearer {self.credential}":
            return 401, {"error": "unauthorized"}
        if path == "/v1/messages" and method == "POST":
            return self._send(_json_body(environ))
        if path == "/v1/messages/batch" and method == "POST":
            return self._send_batch(_json_body(environ, limit=BATCH_BODY_LIMIT))
        if path == "/v1/log" and method == "GET":
            with self._lock:
                return 200, {"messages": list(self._log)}
        if path == "/v1/log" and method == "DELETE" and self.faults.enabled:
            with self._lock:
                self._log.clear()
                self._by_reference.clear()
            return 200, {"log": "cleared"}
        return 404, {"error": "not_found"}

    def _set_faults(self, body):
        for key, value in (body or {}).items():
            if key == "receipt" and value not in STATUSES:
                return 400, {"error": f"receipt must be one of {sorted(STATUSES)}"}
            if not hasattr(self.faults, key) or key == "enabled":
                return 400, {"error": f"unknown fault {key!r}"}
            setattr(self.faults, key, value)
        return 200, {"faults": {k: v for k, v in vars(self.faults).items() if k != "enabled"}}

    def _send(self, body):
        if not _is_message(body):
            return 400, {"error": "bad_request"}
        status, answer = self._take_all([body])
        if status != 200:
            return status, answer
        result = answer["results"][0]
        if "error" in result:
            return 400, {"error": result["error"]}
        if result.get("duplicate"):
            return 200, {"id": result["id"], "duplicate": True}
        return 202, {"id": result["id"]}

    def _send_batch(self, body):
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 0 < len(messages) <= MAX_BATCH or not all(map(_is_message, messages)):
            return 400, {"error": "bad_request"}
        return self._take_all(messages)

    def _take_all(self, messages):
        """Take each message (or answer why not); the drill's faults apply to the request as a whole."""
        if self.faults.slow:
            time.sleep(float(self.faults.slow))
        results, taken, stall = [], [], False
        with self._lock:
            if self.faults.error > 0:
                self.faults.error -= 1
                return 500, {"error": "provider_error"}
            for body in messages:
                known = self._by_reference.get(body["reference"])
                if known is not None:
                    results.append({"reference": body["reference"], "id": known["id"], "duplicate": True})
                    continue
                if not MOBILE.fullmatch(body["to"]):
                    results.append({"reference": body["reference"], "error": "invalid_number"})
                    continue
                self._counter += 1
                entry = {"id": f"{self.name}-{self._counter}", "reference": body["reference"], "to": body["to"],
                         "text": body["text"]}
                self._by_reference[body["reference"]] = entry
                self._log.append(entry)
                taken.append((entry, body.get("callback_url") or ""))
                results.append({"reference": entry["reference"], "id": entry["id"]})
                if self.faults.accept_then_stall > 0:
                    self.faults.accept_then_stall -= 1
                    stall = True
            self._append_to_file([entry for entry, _ in taken])
        if self.faults.receipt != "none":
            copies = 2 if self.faults.duplicate_receipts else 1
            for entry, callback in taken:
                if callback:
                    timer = threading.Timer(float(self.faults.receipt_delay), self._send_receipt,
                                            args=(callback, entry, self.faults.receipt, copies))
                    timer.daemon = True
                    timer.start()
        if stall:
            time.sleep(self.stall_seconds)  # the messages were taken; the answer comes too late
        elif self.faults.answer_delay:
            time.sleep(float(self.faults.answer_delay))  # taken; the receipt may overtake the answer
        return 200, {"results": results}

    def _append_to_file(self, entries):
        if self.log_path is None or not entries:
            return
        with open(self.log_path, "a", encoding="utf-8") as out:
            out.write("".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries))
            out.flush()
            os.fsync(out.fileno())  # taken means written: a kill right after must not forget it

    def _send_receipt(self, callback, entry, status, copies):
        payload = json.dumps({"id": entry["id"], "reference": entry["reference"], "status": status}).encode()
        for _ in range(copies):
            request = urllib.request.Request(callback, data=payload, method="POST", headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {self.receipt_token}"})
            for attempt in range(5):  # a receipt the platform did not take is sent again, as providers do
                try:
                    with urllib.request.urlopen(request, timeout=5) as answer:
                        if answer.status < 300:
                            break
                except (urllib.error.URLError, OSError):
                    time.sleep(0.2 * (attempt + 1))


def _json_body(environ, *, limit: int = 64 * 1024):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > limit:
        return None
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None
