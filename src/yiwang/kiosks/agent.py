"""`yiwang kiosk-agent`: the small process on a kiosk that lets the kiosk page use its card reader
and printer. It listens on loopback only, answers only the portal's Origin with the kiosk's token,
and speaks a JSON API in the style of self-service-terminal runtimes:

    GET  /api/status                 {"devices": {"card_reader": {"status"}, "printer": {"status", "detail"}}}
    POST /api/card-reader/read       {"timeout": seconds} -> {"card": {name, sex, nation, birth_date, ...}}
    POST /api/card-reader/cancel     POST /api/card-reader/reset
    POST /api/printer/print          {"title", "lines": [[label, value]], "footer", "qr_url"} -> {"bytes": n}
    POST /api/drill                  (with --drills only) present or remove a card, fail a read, set the paper

A refusal is {"code", "message", "message_en"} with a 4xx/5xx status. Nothing of the card is
logged but its masked number.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yiwang.core.identifiers import mask_id_card
from yiwang.kiosks import drivers, idcard
from yiwang.kiosks.receipt import Receipt, receipt_bytes

logger = logging.getLogger("yiwang.kiosk_agent")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
MAX_BODY = 64 * 1024
MAX_READ_SECONDS = 60


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class AgentConfig:
    def __init__(self, *, token: str, origins: set[str], reader: drivers.CardReader, printer: drivers.Printer,
                 drills: bool = False, fixtures: dict[str, bytes] | None = None):
        if not token:
            raise ValueError("the kiosk agent needs its kiosk's token")
        self.token, self.origins, self.reader, self.printer = token, origins, reader, printer
        self.drills, self.fixtures = drills, fixtures or {}


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, message_en: str):
        super().__init__(code)
        self.status, self.body = status, {"code": code, "message": message, "message_en": message_en}


def _handler(config: AgentConfig):
    class Handler(BaseHTTPRequestHandler):
        server_version = "yiwang-kiosk-agent"
        sys_version = ""

        def log_message(self, fmt, *args):
            logger.debug("kiosk agent: " + fmt, *args)

        def _cors(self) -> None:
            origin = self.headers.get("Origin", "")
            if origin in config.origins:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Vary", "Origin")

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self._cors()
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _check(self, *, token: bool = True) -> None:
            if not is_loopback(self.client_address[0]):
                raise _Refusal(403, "not_loopback", "只接受本机的请求。", "Only this machine may call the agent.")
            origin = self.headers.get("Origin")
            if origin not in config.origins:
                raise _Refusal(403, "origin_refused", "请求来源不被允许。", f"Origin {origin!r} is not allowed.")
            given = self.headers.get("X-Kiosk-Token", "")
            if token and not hmac.compare_digest(given.encode(), config.token.encode()):
                raise _Refusal(401, "bad_token", "终端令牌无效。", "The kiosk token is missing or wrong.")

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise _Refusal(413, "too_large", "请求过大。", "The request is too large.")
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                raise _Refusal(400, "bad_json", "请求不是有效的 JSON。", "The request is not valid JSON.") from None
            if not isinstance(body, dict):
                raise _Refusal(400, "bad_json", "请求须为 JSON 对象。", "The request must be a JSON object.")
            return body

        def do_OPTIONS(self):  # noqa: N802 - the http.server API: a browser's preflight
            try:
                self._check(token=False)
            except _Refusal as refused:
                return self._answer(refused.status, refused.body)
            self.send_response(204)
            self._cors()
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Kiosk-Token")
            self.send_header("Access-Control-Max-Age", "600")
            if self.headers.get("Access-Control-Request-Private-Network") == "true":
                # Chromium asks before a page reaches a loopback address (Private Network Access).
                self.send_header("Access-Control-Allow-Private-Network", "true")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            self._dispatch("GET")

        def do_POST(self):  # noqa: N802
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            try:
                self._check()
                route = ROUTES.get((method, self.path.split("?")[0]))
                if route is None:
                    raise _Refusal(404, "not_found", "没有这个接口。", "No such endpoint.")
                status, body = route(config, self._body() if method == "POST" else {})
                self._answer(status, body)
            except _Refusal as refused:
                self._answer(refused.status, refused.body)
            except drivers.DeviceError as failed:
                self._answer(failed.http_status, {"code": failed.code, "message": failed.message, "message_en": failed.message_en})

    return Handler


def _status(config: AgentConfig, body: dict) -> tuple[int, dict]:
    printer, detail = config.printer.status()
    return 200, {"devices": {"card_reader": {"status": config.reader.status()}, "printer": {"status": printer, "detail": detail}}}


def _read(config: AgentConfig, body: dict) -> tuple[int, dict]:
    timeout = body.get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_READ_SECONDS:
        raise _Refusal(400, "bad_timeout", f"等待时间须在 0 至 {MAX_READ_SECONDS} 秒之间。",
                       f"timeout must be between 0 and {MAX_READ_SECONDS} seconds.")
    block = config.reader.read(float(timeout))
    try:
        card = idcard.parse_text_block(block)
    except idcard.CardTextError as error:
        raise drivers.DeviceError("card_unreadable", "无法读取该证件，请重新放置。", "The card cannot be read; place it again.",
                                  http_status=422) from error
    logger.info("kiosk agent: card %s read", mask_id_card(card.id_number))
    fields = asdict(card)
    fields.update({k: (v.isoformat() if v else None) for k, v in fields.items() if k in ("birth_date", "valid_from", "valid_until")})
    return 200, {"card": fields, "card_type": 0}


def _cancel(config: AgentConfig, body: dict) -> tuple[int, dict]:
    config.reader.cancel()
    return 200, {"cancelled": True}


def _reset(config: AgentConfig, body: dict) -> tuple[int, dict]:
    config.reader.reset()
    return 200, {"reset": True}


def _print(config: AgentConfig, body: dict) -> tuple[int, dict]:
    title, lines = body.get("title"), body.get("lines", [])
    if not isinstance(title, str) or not title.strip() or len(title) > 40:
        raise _Refusal(400, "bad_title", "回执标题须为 1 至 40 个字。", "title must be 1 to 40 characters.")
    if not isinstance(lines, list) or len(lines) > 40 or not all(
            isinstance(line, list) and len(line) == 2 and all(isinstance(part, str) and len(part) <= 200 for part in line)
            for line in lines):
        raise _Refusal(400, "bad_lines", "回执内容须为 [标签, 内容] 列表（至多 40 行）。", "lines must be [label, value] pairs (at most 40).")
    footer, qr_url = body.get("footer", ""), body.get("qr_url", "")
    if not isinstance(footer, str) or not isinstance(qr_url, str) or len(footer) > 200 or len(qr_url) > 500:
        raise _Refusal(400, "bad_footer", "页脚或二维码地址无效。", "footer or qr_url is not valid.")
    data = receipt_bytes(Receipt(title=title, lines=[tuple(line) for line in lines], footer=footer, qr_url=qr_url))
    config.printer.print_bytes(data)
    return 200, {"bytes": len(data)}


def _drill(config: AgentConfig, body: dict) -> tuple[int, dict]:
    if not config.drills:
        raise _Refusal(404, "not_found", "没有这个接口。", "No such endpoint.")
    reader = config.reader
    if not isinstance(reader, drivers.SimulatedCardReader):
        raise _Refusal(409, "not_simulated", "只能对模拟读卡器演练。", "Drills need the simulated card reader.")
    if "present_card" in body:
        block = config.fixtures.get(body["present_card"])
        if block is None:
            raise _Refusal(400, "unknown_fixture", "没有这张演练证件。", f"No fixture card {body['present_card']!r}.")
        reader.present(block)
    if body.get("remove_card"):
        reader.remove()
    if body.get("card_fault"):
        reader.fail_next(str(body["card_fault"]))
    if "printer" in body and isinstance(config.printer, drivers.FilePrinter):
        if body["printer"] not in ("", "paper_low", "paper_out", "offline"):
            raise _Refusal(400, "bad_printer_state", "打印机状态无效。", "Unknown printer state.")
        config.printer.state = body["printer"]
    return 200, {"ok": True}


ROUTES = {
    ("GET", "/api/status"): _status,
    ("POST", "/api/card-reader/read"): _read,
    ("POST", "/api/card-reader/cancel"): _cancel,
    ("POST", "/api/card-reader/reset"): _reset,
    ("POST", "/api/printer/print"): _print,
    ("POST", "/api/drill"): _drill,
}


def make_server(config: AgentConfig, *, host: str = "127.0.0.1", port: int = 8501) -> ThreadingHTTPServer:
    """The agent's server, bound to a loopback address (ValueError for any other)."""
    if host not in LOOPBACK_HOSTS and not is_loopback(host):
        raise ValueError(f"the kiosk agent listens on loopback only ({', '.join(LOOPBACK_HOSTS)}), not {host}")
    server = ThreadingHTTPServer((host, port), _handler(config))
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


HEARTBEAT_SECONDS = 10


def send_heartbeat(config: AgentConfig, platform_url: str, *, timeout: float = 5.0) -> int:
    """Tell the platform this kiosk is alive, with its devices' status; returns the HTTP status (0: unreachable)."""
    import httpx

    printer, detail = config.printer.status()
    body = {"card_reader": config.reader.status(), "printer": printer, "printer_detail": detail}
    try:
        answer = httpx.post(f"{platform_url.rstrip('/')}/api/v1/kiosks/heartbeat/", json=body, timeout=timeout,
                            headers={"Authorization": f"Kiosk {config.token}"})
    except httpx.HTTPError as error:
        logger.warning("kiosk agent: heartbeat not delivered (%s)", type(error).__name__)
        return 0
    if answer.status_code != 200:
        logger.warning("kiosk agent: heartbeat refused with %s", answer.status_code)
    return answer.status_code


def start_heartbeats(config: AgentConfig, platform_url: str, *, every: float = HEARTBEAT_SECONDS) -> threading.Event:
    """Heartbeats every `every` seconds in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def beat():
        while not stop.is_set():
            send_heartbeat(config, platform_url)
            stop.wait(every)

    threading.Thread(target=beat, name="kiosk-heartbeats", daemon=True).start()
    return stop
