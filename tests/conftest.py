"""Shared fixtures: the reference catalogue loaded once, and people of every role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import factories

REFERENCE_CATALOG = Path(__file__).resolve().parent.parent / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"


def _ensure_catalog():
    from yiwang.catalog.selectors import catalog_is_loaded
    from yiwang.catalog.services import import_catalog

    if not catalog_is_loaded():
        import_catalog(data=json.loads(REFERENCE_CATALOG.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_catalog()


@pytest.fixture
def real_hasher():
    """Keep the configured (argon2) password hasher for this test."""


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    # Argon2 with production parameters costs ~0.1-0.5 s per user made; what tests check does not
    # depend on the algorithm, except the tests that ask for `real_hasher`.
    if "real_hasher" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalog(db):
    """The reference catalogue (re-imported if a transactional test flushed it)."""
    _ensure_catalog()
    return REFERENCE_CATALOG


@pytest.fixture
def resident(db):
    return factories.make_resident()


@pytest.fixture
def other_resident(db):
    return factories.make_resident(real_name="李四")


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
