"""Run the local SMS provider simulator on a threaded stdlib server (`yiwang sms-simulator`)."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from wsgiref.simple_server import make_server

from yiwang.registry_service.server import QuietHandler, ThreadingWSGIServer, _stop
from yiwang.sms_simulator.app import Faults, SmsSimulator

DEMO_CREDENTIAL = "yiwang-demo-sms-credential"
DEMO_RECEIPT_TOKEN = "yiwang-demo-sms-receipts"


def serve(*, host: str, port: int, name: str, credential: str, receipt_token: str, log_path: Path | None,
          fault_drills: bool) -> int:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sms-simulator %(message)s", stream=sys.stderr)
    simulator = SmsSimulator(credential=credential, receipt_token=receipt_token, name=name, log_path=log_path,
                             faults=Faults(enabled=fault_drills))
    httpd = make_server(host, port, simulator, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    drills = " (fault drills enabled)" if fault_drills else ""
    print(f"SMS simulator {name} on http://{host}:{httpd.server_port}/{drills}", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
