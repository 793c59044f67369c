"""Reads of the licences app: verification, access checks and the PDF rendering.

Verification reports three statuses. `unknown` stands for "this cannot be relied on": either no
licence has the number, or the stored content no longer matches its digest or its signature
(tampering, or a damaged row). The `detail` tells the two apart (`not_found`,
`invalid_signature`, `digest_mismatch`) for staff and the API, but the public page shows both as
无法验证: a forged licence and a made-up number deserve the same answer, and the displayed fields
of an unverifiable licence are withheld rather than shown as if trustworthy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from yiwang.accounts.constants import ROLE_APPROVER, ROLE_WINDOW_OFFICER
from yiwang.accounts.selectors import can_act_in_department, can_see_department, is_staff_member
from yiwang.core.errors import Conflict, NotFound, PermissionDenied
from yiwang.core.identifiers import mask_id_card, mask_name
from yiwang.licences import constants as c
from yiwang.licences import pdf, signing
from yiwang.licences.models import Licence
from yiwang.licences.numbers import normalize_licence_number

_NUMBER_RE = re.compile(c.NUMBER_PATTERN)
# Raised whenever pdf.py draws a licence differently, so cached files of the old drawing are not served.
PDF_RENDERING_VERSION = "2"


@dataclass(frozen=True)
class Verification:
    """What the public may learn about a licence number. Holder fields are masked."""

    number: str
    status: str  # constants.STATUS_VALID / STATUS_REVOKED / STATUS_UNKNOWN
    detail: str  # constants.DETAIL_*
    signature_valid: bool
    title: str = ""
    title_en: str = ""  # the result's English name (not signed: the signed title is the Chinese)
    holder_name: str = ""
    holder_identifier: str = ""
    item_name: str = ""
    item_name_en: str = ""
    department_name: str = ""
    department_name_en: str = ""
    issued_on: dt.date | None = None
    revoked_at: dt.datetime | None = None
    key_id: str = ""
    algorithm: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == c.STATUS_VALID

    @property
    def is_revoked(self) -> bool:
        return self.status == c.STATUS_REVOKED


def verify_licence(number: str) -> Verification:
    """Look the number up and check the stored content against its digest and seal signature.

    The number is taken as people type it (`numbers.normalize_licence_number`: lower case,
    surrounding spaces, full-width forms); the answer names it as issued.
    """
    number = normalize_licence_number(number)[:100]  # echoed back on the page; never longer than that
    licence = None
    if _NUMBER_RE.fullmatch(number):
        licence = (
            Licence.objects.select_related("seal_key", "department", "case__applicant", "case__item")
            .filter(number=number)
            .first()
        )
    if licence is None:
        return Verification(number=number, status=c.STATUS_UNKNOWN, detail=c.DETAIL_NOT_FOUND, signature_valid=False)

    detail = check_licence_integrity(licence)
    signature_valid = detail == c.DETAIL_OK
    if licence.status == Licence.REVOKED:
        status = c.STATUS_REVOKED
    elif signature_valid:
        status = c.STATUS_VALID
    else:
        status = c.STATUS_UNKNOWN
    if not signature_valid:
        return Verification(
            number=number, status=status, detail=detail, signature_valid=False, revoked_at=licence.revoked_at
        )

    content = licence.content
    holder_is_person = licence.case.applicant.kind != "enterprise"
    holder_name = content.get("holder_name", "")
    return Verification(
        number=number,
        status=status,
        detail=detail,
        signature_valid=True,
        title=content.get("title", ""),
        title_en=((licence.case.rules or {}).get("result") or {}).get("name_en") or licence.case.item.result_name_en,
        holder_name=mask_name(holder_name) if holder_is_person else holder_name,
        holder_identifier=mask_id_card(content.get("holder_identifier", "")),
        item_name=content.get("item_name", ""),
        item_name_en=licence.case.item.name_en,
        department_name=content.get("department_name", ""),
        department_name_en=licence.department.name_en,
        issued_on=_parse_date(content.get("issued_on")),
        revoked_at=licence.revoked_at,
        key_id=content.get("key_id", ""),
        algorithm=content.get("algorithm", ""),
    )


def check_licence_integrity(licence: Licence) -> str:
    """`ok` when content, digest, number, key and signature agree; else the first failing check."""
    content = licence.content if isinstance(licence.content, dict) else {}
    if signing.content_digest(content) != licence.content_sha256:
        return c.DETAIL_DIGEST_MISMATCH
    key = licence.seal_key
    if (
        content.get("number") != licence.number
        or content.get("key_id") != key.key_id
        or content.get("algorithm") != key.algorithm
        or not signing.verify(key.public_key, signing.canonical_bytes(content), licence.signature)
    ):
        return c.DETAIL_INVALID_SIGNATURE
    return c.DETAIL_OK


def licence_for_case(case) -> Licence | None:
    """The licence issued for the case, if any."""
    return Licence.objects.filter(case=case).first()


def is_wellformed_number(number: str) -> bool:
    """True when `number` has the shape of a licence number (safe in a URL and a file name)."""
    return bool(_NUMBER_RE.fullmatch(number or ""))


def get_licence(number: str) -> Licence | None:
    """The licence with this number, or None (also for malformed numbers)."""
    if not _NUMBER_RE.fullmatch(number or ""):
        return None
    return Licence.objects.select_related("case__applicant", "department", "seal_key").filter(number=number).first()


def can_download_licence(user, licence: Licence) -> bool:
    """The applicant of the case, staff of the licence's department, administrators and auditors."""
    if not getattr(user, "is_authenticated", False):
        return False
    if licence.case.applicant_id == user.pk:
        return True
    return is_staff_member(user) and can_see_department(user, licence.department_id)


def can_revoke_licence(user, licence: Licence) -> bool:
    """Window officers and approvers of the licence's department: revocation is its decision, and
    roles that see every department (hall manager, administrator, auditor) decide nothing."""
    return any(can_act_in_department(user, licence.department_id, role) for role in (ROLE_WINDOW_OFFICER, ROLE_APPROVER))


def access_licence_for_download(*, user, number: str) -> Licence:
    """The licence if `user` may download it.

    NotFound for unknown numbers and for anyone who may not have it (another resident, staff of
    another department), so nobody can probe which licences exist.
    """
    licence = get_licence(number)
    if licence is None or not can_download_licence(user, licence):
        raise NotFound("licence_not_found", "未找到该证照。", "No such licence.")
    return licence


def access_licence_for_revoke(*, user, number: str) -> Licence:
    """The licence if `user` may revoke it: NotFound for unknown numbers, else PermissionDenied."""
    licence = get_licence(number)
    if licence is None:
        raise NotFound("licence_not_found", "未找到该证照。", "No such licence.")
    if not can_revoke_licence(user, licence):
        raise PermissionDenied(
            "licence_revoke_forbidden", "您无权撤销该证照。", "You are not allowed to revoke this licence."
        )
    return licence


def verification_url(number: str) -> str:
    """The public address of the licence's verification page (printed and in the QR code)."""
    return settings.PUBLIC_URL + reverse("licences:verify", args=[number])


def render_licence_pdf(licence: Licence) -> bytes:
    """The licence's PDF, rendered from its signed content and cached under MEDIA_ROOT/licences.

    The cache file is named by the number and a fingerprint of everything the rendering depends
    on (the rendering's version, digest, signature, verification address), so a changed
    PUBLIC_URL never serves a stale QR code, nor a new layout a PDF drawn by an older one. Files are written atomically: concurrent first downloads at worst render twice.
    Raises Conflict when the stored content fails its integrity check.
    """
    if check_licence_integrity(licence) != c.DETAIL_OK:
        # Never print a seal under content that its signature does not cover.
        raise Conflict(
            "licence_integrity_failed",
            "该证照的内容与电子签名不符，无法生成文件，请联系发证机关。",
            "The licence's content does not match its signature; contact the issuing department.",
        )
    url = verification_url(licence.number)
    fingerprint = hashlib.sha256(
        "\n".join([PDF_RENDERING_VERSION, licence.content_sha256, licence.signature, url]).encode("utf-8")
    ).hexdigest()[:12]
    directory = Path(settings.MEDIA_ROOT) / "licences"
    path = directory / f"{licence.number}.{fingerprint}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = pdf.render_pdf(
        content=licence.content, signature=licence.signature, content_sha256=licence.content_sha256, verify_url=url,
        created_at=licence.issued_at,
    )
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return data


def _parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def valid_licences_held_by(holder_identifier: str):
    """Valid licences issued to a holder (ID number or credit code), newest first, with key and department."""
    return (
        Licence.objects.filter(holder_identifier=holder_identifier, status=Licence.VALID)
        .select_related("seal_key", "department")
        .order_by("-issued_at", "-id")
    )
