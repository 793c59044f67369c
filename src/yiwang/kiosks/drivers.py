"""The devices behind the kiosk agent: a card reader and a receipt printer, each behind one small
interface, with working local implementations (a simulated reader fed with card fixtures, a file
printer that writes the ESC/POS bytes). A real reader's vendor library (the SDT API through ctypes)
plugs in as another `CardReader`.

Status codes after self-service-terminal runtimes: −1 initialising, 0 normal, 1 warning (paper
low), 2 error, 3 busy, 4 disabled.
"""

from __future__ import annotations

import threading
from pathlib import Path

INITIALISING, NORMAL, WARNING, ERROR, BUSY, DISABLED = -1, 0, 1, 2, 3, 4


class DeviceError(Exception):
    """A device refused: `code` for the page (no_card, card_unreadable, card_removed, cancelled,
    busy, paper_out, printer_offline), with messages in both languages."""

    def __init__(self, code: str, message: str, message_en: str, *, http_status: int = 503):
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en
        self.http_status = http_status


class CardReader:
    def status(self) -> int:
        raise NotImplementedError

    def read(self, timeout: float) -> bytes:
        """The text block of the card presented within `timeout` seconds (DeviceError otherwise)."""
        raise NotImplementedError

    def cancel(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError


class SimulatedCardReader(CardReader):
    """A reader whose cards are presented by a drill (or a test): `present(block)`, `remove()`,
    `fail_next(code)`. A read waits for a card, as a real one does."""

    def __init__(self, *, kept_card: bytes | None = None):
        self._changed = threading.Condition()
        self._kept = kept_card
        self._card: bytes | None = kept_card
        self._fault: str | None = None
        self._reading = False
        self._cancelled = False

    def status(self) -> int:
        return BUSY if self._reading else NORMAL

    def present(self, block: bytes) -> None:
        with self._changed:
            self._card = block
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            self._card = None
            if self._reading:
                self._fault = "card_removed"
            self._changed.notify_all()

    def fail_next(self, code: str) -> None:
        with self._changed:
            self._fault = code
            self._changed.notify_all()

    def read(self, timeout: float) -> bytes:
        with self._changed:
            if self._reading:
                raise DeviceError("busy", "读卡器正忙，请稍候。", "The card reader is busy.", http_status=409)
            self._reading, self._cancelled = True, False
            try:
                ready = self._changed.wait_for(lambda: self._card is not None or self._fault or self._cancelled, timeout=timeout)
                if self._cancelled:
                    raise DeviceError("cancelled", "已取消读卡。", "Reading was cancelled.", http_status=409)
                if self._fault:
                    fault, self._fault = self._fault, None
                    if fault == "card_removed":
                        raise DeviceError("card_removed", "读卡时身份证被移开，请重新放置。",
                                          "The card was removed while it was read; place it again.", http_status=422)
                    raise DeviceError("card_unreadable", "无法读取该证件，请确认是第二代居民身份证并重新放置。",
                                      "The card cannot be read; check that it is a resident ID card and place it again.",
                                      http_status=422)
                if not ready or self._card is None:
                    raise DeviceError("no_card", "未检测到身份证，请将身份证放在读卡区。",
                                      "No card found; place the ID card on the reader.", http_status=408)
                # A real reader must see the card leave before it reads again; the simulation takes it
                # away, unless it was started holding one card for good (the demo's kiosk).
                card = self._card
                if self._kept is None:
                    self._card = None
                return card
            finally:
                self._reading = False

    def cancel(self) -> None:
        with self._changed:
            self._cancelled = True
            self._changed.notify_all()

    def reset(self) -> None:
        with self._changed:
            self._card, self._fault, self._cancelled = None, None, True
            self._changed.notify_all()


class Printer:
    def status(self) -> tuple[int, str]:
        """(status code, detail: "" / paper_low / paper_out / offline)."""
        raise NotImplementedError

    def print_bytes(self, data: bytes) -> None:
        raise NotImplementedError


class FilePrinter(Printer):
    """Writes each job's ESC/POS bytes to a file (a real printer's device file, or a log in drills);
    its paper state can be set by a drill."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.state = ""  # "" normal, paper_low, paper_out, offline
        self.jobs: list[bytes] = []

    def status(self) -> tuple[int, str]:
        return {"": (NORMAL, ""), "paper_low": (WARNING, "paper_low"), "paper_out": (ERROR, "paper_out"),
                "offline": (ERROR, "offline")}[self.state]

    def print_bytes(self, data: bytes) -> None:
        if self.state == "paper_out":
            raise DeviceError("paper_out", "打印机缺纸，请联系工作人员。", "The printer is out of paper; please ask staff.")
        if self.state == "offline":
            raise DeviceError("printer_offline", "打印机未连接，请联系工作人员。", "The printer is offline; please ask staff.")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as out:
            out.write(data)
        self.jobs.append(data)
