"""Fixtures of the search tests: the reference catalogue with the curated synonyms in place."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import User


@pytest.fixture
def search_catalog(catalog):
    """The reference catalogue and the seeded synonyms.

    The data migration seeds the synonyms once; a transactional test of another app flushes the
    database, so put back whatever is missing (the catalogue fixture does the same for items).
    """
    from yiwang.search.services import seed_default_synonyms

    seed_default_synonyms()
    return catalog


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser(username="searchadmin", password="Passw0rd!2026", real_name="管理员")
    client.force_login(user)
    return client


def codes(hits) -> list[str]:
    return [hit.code for hit in hits]
