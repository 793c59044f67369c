"""Fixtures of the case pages: uploaded files go to a temporary media folder; signed-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def resident_client(catalog, resident):
    return signed_in(resident)


@pytest.fixture
def officer(catalog):
    return factories.make_staff(role="window_officer", departments=["SCJG"])


@pytest.fixture
def officer_client(officer):
    return signed_in(officer)
