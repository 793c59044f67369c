"""Accounts tests: the fast password hasher and `real_hasher` live in tests/conftest.py."""
