"""Loaded with `-p` before pytest-django configures Django: tests never touch a real data folder."""

import os
import tempfile

os.environ.setdefault("YIWANG_DATA_DIR", tempfile.mkdtemp(prefix="yiwang-test-"))
