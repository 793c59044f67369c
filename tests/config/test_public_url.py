"""YIWANG_PUBLIC_URL (licence QR codes, SMS receipt callbacks) defaults to the address actually served."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from yiwang.config import environment
from yiwang.config.environment import default_public_url_to_served_address, served_url


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", 8421, "http://127.0.0.1:8421"),
    ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
    ("::", 9000, "http://127.0.0.1:9000"),
    ("localhost", 8100, "http://localhost:8100"),
    ("::1", 8100, "http://[::1]:8100"),
    ("192.0.2.10", 80, "http://192.0.2.10:80"),
])
def test_served_url(host, port, expected):
    assert served_url(host, port) == expected


@pytest.mark.parametrize("unset", [{}, {"YIWANG_PUBLIC_URL": ""}, {"YIWANG_PUBLIC_URL": "  "}])
def test_unset_public_url_becomes_the_served_address(unset):
    environ = dict(unset)
    assert default_public_url_to_served_address("127.0.0.1", 8421, environ) == "http://127.0.0.1:8421"
    assert environ == {"YIWANG_PUBLIC_URL": "http://127.0.0.1:8421"}


def test_configured_public_url_is_kept():
    environ = {"YIWANG_PUBLIC_URL": "https://zwfw.example.gov.cn/"}
    assert default_public_url_to_served_address("127.0.0.1", 8421, environ) == "https://zwfw.example.gov.cn"
    assert environ == {"YIWANG_PUBLIC_URL": "https://zwfw.example.gov.cn/"}


def test_read_environment_takes_the_derived_default(monkeypatch, tmp_path):
    monkeypatch.setenv("YIWANG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("YIWANG_PUBLIC_URL", raising=False)
    assert environment.read_environment().public_url == "http://127.0.0.1:8000"  # nothing says where it is served
    default_public_url_to_served_address("127.0.0.1", 8421)  # monkeypatch restores the variable afterwards
    assert os.environ["YIWANG_PUBLIC_URL"] == "http://127.0.0.1:8421"
    assert environment.read_environment().public_url == "http://127.0.0.1:8421"


# `yiwang serve` in a fresh process (settings load once per process), with gunicorn's run replaced by a
# report of what the served application would use: the bind address and settings.PUBLIC_URL.
SERVE_AND_REPORT = """
import sys
from yiwang import cli

def report(bind, workers, threads, extra_env=None):
    from django.conf import settings
    print(bind, settings.PUBLIC_URL)
    return 0

cli._run_gunicorn = report
sys.exit(cli.main(["serve", *sys.argv[1:]]))
"""


def _serve(tmp_path, *args, **environ):
    env = {k: v for k, v in os.environ.items() if k != "YIWANG_PUBLIC_URL" and k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    env.update(environ)
    return subprocess.run([sys.executable, "-c", SERVE_AND_REPORT, "--data-dir", str(tmp_path), *args],
                          env=env, capture_output=True, text=True, timeout=120)


def test_serve_port_is_the_public_url_unless_one_is_set(tmp_path):
    served = _serve(tmp_path, "--port", "8765")
    assert (served.returncode, served.stdout, served.stderr) == (0, "127.0.0.1:8765 http://127.0.0.1:8765\n", "")
    configured = _serve(tmp_path, "--port", "8765", YIWANG_PUBLIC_URL="https://zwfw.example.gov.cn")
    assert (configured.returncode, configured.stdout) == (0, "127.0.0.1:8765 https://zwfw.example.gov.cn\n")


def test_serve_on_every_interface_warns_that_the_default_is_local(tmp_path):
    # (on a network the platform must present its own registry credential, not the demo's)
    served = _serve(tmp_path, "--port", "8766", "--host", "0.0.0.0", YIWANG_REGISTRY_CREDENTIAL="district-credential-5d1e")
    assert (served.returncode, served.stdout) == (0, "0.0.0.0:8766 http://127.0.0.1:8766\n")
    assert served.stderr == ("yiwang: warning: YIWANG_PUBLIC_URL is not set; licence QR codes point at "
                             "http://127.0.0.1:8766, which only this machine reaches\n")
