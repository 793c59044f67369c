"""Who is at the kiosk: the terminal (its own credential, kept in a signed cookie that outlives every
person's session) and the person it serves (in the Django session, which ends — wiped — when they
leave or the screen sits idle). Kiosk pages read both through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from yiwang.core import clock
from yiwang.kiosks.authentication import kiosk_for_token
from yiwang.kiosks.models import Kiosk

KIOSK_COOKIE = "yiwang_kiosk"
KIOSK_COOKIE_SALT = "yiwang.kiosks.terminal"
PERSON = "kiosk_person"
SEEN = "kiosk_seen"
DRAFTS = "kiosk_drafts"
QR_SIGN_IN = "kiosk_qr"
# Cookies a person's visit may leave (the terminal's own cookie stays).
VISIT_COOKIES = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, "yiwang_care")


@dataclass(frozen=True)
class Terminal:
    kiosk: Kiosk
    token: str  # the page gives it to the device agent on the same machine


def terminal(request) -> Terminal | None:
    """The kiosk this browser was set up as, while its token is still valid (None once revoked)."""
    token = request.get_signed_cookie(KIOSK_COOKIE, default="", salt=KIOSK_COOKIE_SALT)
    if not token:
        return None
    kiosk = kiosk_for_token(token)
    return Terminal(kiosk=kiosk, token=token) if kiosk is not None else None


def had_terminal_cookie(request) -> bool:
    return KIOSK_COOKIE in request.COOKIES


def idle_seconds() -> int:
    return settings.KIOSK["idle_seconds"]


CARD_ADDRESS = "kiosk_card_address"


def begin(request, person, *, card_address: str = "") -> None:
    """A person signed in at the kiosk: a fresh session holds only them (and the address on their
    card, to fill in their forms; it goes with the session)."""
    request.session.flush()
    request.session[PERSON] = person.pk
    request.session[CARD_ADDRESS] = card_address
    request.session[DRAFTS] = []
    touch(request)


def touch(request) -> None:
    request.session[SEEN] = clock.now().timestamp()


def person_id(request) -> int | None:
    return request.session.get(PERSON)


def is_idle(request) -> bool:
    """The server's own idle check: the page's timer may have died with the network."""
    seen = request.session.get(SEEN)
    return seen is not None and clock.now().timestamp() - seen > idle_seconds()


def remember_draft(request, case_id: int) -> None:
    request.session[DRAFTS] = [*request.session.get(DRAFTS, []), case_id]


def drafts(request) -> list[int]:
    return list(request.session.get(DRAFTS, []))


def card_address(request) -> str:
    return request.session.get(CARD_ADDRESS, "")
