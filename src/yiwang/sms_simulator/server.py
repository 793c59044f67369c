"""Run the local SMS provider simulator on a threaded stdlib server (`yiwang sms-simulator`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from yiwang.registry_service.server import serve_until_stopped
from yiwang.sms_simulator.app import Faults, SmsSimulator

DEMO_CREDENTIAL = "yiwang-demo-sms-credential"
DEMO_RECEIPT_TOKEN = "yiwang-demo-sms-receipts"


def serve(*, host: str, port: int, name: str, credential: str, receipt_token: str, log_path: Path | None,
          fault_drills: bool) -> int:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sms-simulator %(message)s", stream=sys.stderr)
    simulator = SmsSimulator(credential=credential, receipt_token=receipt_token, name=name, log_path=log_path,
                             faults=Faults(enabled=fault_drills))
    drills = " (fault drills enabled)" if fault_drills else ""
    return serve_until_stopped(simulator, host=host, port=port, banner=f"SMS simulator {name} on {{url}}{drills}")
