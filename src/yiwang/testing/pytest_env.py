"""Loaded with `-p` before pytest-django configures Django: tests never touch a real data folder."""

import os
import tempfile

os.environ.setdefault("YIWANG_DATA_DIR", tempfile.mkdtemp(prefix="yiwang-test-"))
# Tests use their own Redis database (flushed by the tests that use it), never the platform's.
os.environ.setdefault("YIWANG_REDIS_URL", "redis://127.0.0.1:6379/15")
