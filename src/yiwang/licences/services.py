"""Writes of the licences app: seal keys, issuing and revoking licences.

Issuing is called by the applications app inside its approval transaction, so it only signs and
stores the content (a few database statements and one Ed25519 signature). The PDF is a
deterministic rendering of the signed content, produced and cached on first download
(`selectors.render_licence_pdf`): approval stays fast, and nothing but the signed content has to
be kept to reproduce the document.

Permission checks belong to the caller (`selectors.can_revoke_licence` for revocation).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.identifiers import CREDIT_ALPHABET
from yiwang.core.ratelimit import count_hit
from yiwang.licences import constants as c
from yiwang.licences import documents, signing
from yiwang.licences.models import Licence, SealKey

logger = logging.getLogger(__name__)

REVOKE_REASON_MAX_LENGTH = 500


def ensure_seal_key(*, department) -> SealKey:
    """The department's active seal key, created if it has none.

    Safe under concurrency: two callers creating the first key at once collide on the partial
    unique constraint (one active key per department); the loser re-reads the winner's key.
    """
    existing = SealKey.objects.filter(department=department, active=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _create_seal_key(department)
    except IntegrityError:
        return SealKey.objects.get(department=department, active=True)


@transaction.atomic
def rotate_seal_key(*, department) -> SealKey:
    """Retire the department's active key (kept for verification) and create a new active one."""
    # Lock the department row so two rotations run one after the other instead of both
    # retiring the same key and colliding on the one-active-key constraint.
    type(department)._default_manager.select_for_update().get(pk=department.pk)
    retired = SealKey.objects.filter(department=department, active=True).update(active=False, retired_at=clock.now())
    new_key = _create_seal_key(department)
    logger.info("seal key rotated for department %s (retired %d), new key %s", department.code, retired, new_key.key_id)
    return new_key


def issue_licence(*, case, issued_by) -> Licence:
    """Sign and store the licence (or decision) of an approved case; idempotent per case.

    Returns the case's existing licence if it already has one.
    """
    existing = Licence.objects.filter(case=case).first()
    if existing is not None:
        return existing
    if not case.number or not case.rules or case.decided_at is None:
        # A seal goes only on a submitted (numbered, rules frozen) and decided case.
        raise Conflict(
            "case_not_decided",
            "该办件未经提交和审批决定，不能出具证照或决定书。",
            "This case was not submitted and decided; no licence or decision can be issued for it.",
        )
    department = case.department
    seal_key = ensure_seal_key(department=department)
    issued_on = clock.legal_day(case.decided_at) if case.decided_at else clock.today()
    number = licence_number(issuer_credit_code=department.credit_code, issued_on=issued_on)
    applicant = case.applicant
    holder_identifier = _holder_identifier(applicant)
    content = {
        "number": number,
        "title": licence_title(case),
        "holder_name": applicant.real_name or applicant.username,
        "holder_identifier": holder_identifier,
        "item_code": case.item.code,
        "item_name": (case.rules or {}).get("item_name") or case.item.name,
        "case_number": case.number or "",
        "department_code": department.code,
        "department_name": department.name,
        "department_credit_code": department.credit_code,
        "issued_on": issued_on.isoformat(),
        "key_id": seal_key.key_id,
        "algorithm": seal_key.algorithm,
    }
    # What the document says is signed with the rest: the PDF prints exactly this.
    content["document"] = result_document(case, content=content, issued_on=issued_on)
    data = signing.canonical_bytes(content)
    signature = signing.sign(seal_key.private_key, data, passphrase=_passphrase())
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                number=number,
                case=case,
                department=department,
                title=content["title"],
                holder_name=content["holder_name"],
                holder_identifier=holder_identifier,
                content=content,
                content_sha256=signing.content_digest(content),
                signature=signature,
                seal_key=seal_key,
                issued_by=issued_by,
            )
    except IntegrityError:
        # Another transaction issued this case's licence first: theirs is the licence.
        return Licence.objects.get(case=case)
    return licence


@transaction.atomic
def revoke_licence(*, licence: Licence, reason: str, actor) -> Licence:
    """Mark the licence revoked with the reason; it then verifies as revoked.

    Raises ValidationFailed without a reason and Conflict when it is already revoked.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "revoke_reason_required", "请填写撤销原因。", "A reason for the revocation is required."
        )
    if len(reason) > REVOKE_REASON_MAX_LENGTH:
        raise ValidationFailed(
            "revoke_reason_too_long",
            f"撤销原因不能超过{REVOKE_REASON_MAX_LENGTH}个字。",
            f"The reason may have at most {REVOKE_REASON_MAX_LENGTH} characters.",
        )
    locked = Licence.objects.select_for_update().get(pk=licence.pk)
    if locked.status == Licence.REVOKED:
        raise Conflict("licence_already_revoked", "该证照已撤销。", "The licence has already been revoked.")
    locked.status = Licence.REVOKED
    locked.revoked_at = clock.now()
    locked.revoke_reason = reason
    locked.revoked_by = actor
    locked.save(update_fields=["status", "revoked_at", "revoke_reason", "revoked_by"])
    logger.info("licence %s revoked by user %s", locked.number, getattr(actor, "pk", None))
    return locked


def count_public_verification(*, client_ip: str | None) -> None:
    """Count one public verification from `client_ip`; RateLimited (429) beyond LICENCE_VERIFY_RATE_LIMIT."""
    config = settings.LICENCE_VERIFY_RATE_LIMIT
    count_hit(bucket="licence_verify", key=client_ip, limit=int(config["requests"]),
              window=timedelta(seconds=int(config["window_seconds"])))


def licence_number(*, issuer_credit_code: str, issued_on) -> str:
    """`<issuing organ's credit code>-<yyyymmdd>-<12 random characters>`.

    Laid out like the GB/T 36904 e-licence identifier (the issuing organ's unified social credit
    code, then the licence's own part), with a random part of 12 characters from the credit-code
    alphabet (31^12, about 59 bits): a number cannot be guessed from another one, so the public
    verification page cannot be walked to learn who holds which licence.
    """
    random_part = "".join(secrets.choice(CREDIT_ALPHABET) for _ in range(12))
    return f"{issuer_credit_code}-{issued_on:%Y%m%d}-{random_part}"


def licence_title(case) -> str:
    """The result's name from the case's rules snapshot, else the item's, else '<item>决定书'."""
    rules: dict[str, Any] = case.rules or {}
    result = rules.get("result") or {}
    name = result.get("name") or case.item.result_name
    if name and result.get("type", case.item.result_type) != "none":
        return name
    return (rules.get("item_name") or case.item.name) + c.DECISION_SUFFIX


def result_document(case, *, content: dict[str, Any], issued_on) -> dict:
    """The result document of the case (`documents.build_document`) from its frozen form and answers."""
    form = case_form_values(case)
    layout = documents.choose_layout(
        title=content["title"], item_name=content["item_name"], field_names=[value.name for value in form]
    )
    return documents.build_document(
        layout=layout,
        licence_number=content["number"],
        issued_on=issued_on,
        item_name=content["item_name"],
        case_number=content["case_number"],
        holder_name=content["holder_name"],
        holder_identifier=content["holder_identifier"],
        form=form,
        region_code=case.item.code.split("-")[0],
    )


def case_form_values(case) -> list[documents.FormValue]:
    """The item's own form fields shown to the applicant, with the answers as read (choices by label).

    The contact fields every form asks (phone, address, remarks) are left out: they are how to
    reach the applicant, not part of the result. A form that no longer parses yields no fields
    (the document then prints "—"), so a damaged definition never blocks issuing.
    """
    from yiwang.applications.selectors import applicant_kind, case_form_fields
    from yiwang.catalog.application_forms import FormDefinitionError, default_form_fields, display_value, visible_fields

    try:
        fields = case_form_fields(case)
    except FormDefinitionError:
        return []
    contact = {f.name for f in default_form_fields(applicant_kind=applicant_kind(case.applicant))}
    answers = case.form_data if isinstance(case.form_data, dict) else {}
    return [
        documents.FormValue(name=f.name, label=f.label, text=display_value(f, answers.get(f.name)))
        for f in visible_fields(fields, answers)
        if f.name not in contact
    ]


def _holder_identifier(applicant) -> str:
    if applicant.kind == "enterprise":
        return applicant.credit_code or ""
    return applicant.id_number or applicant.credit_code or ""


def _create_seal_key(department) -> SealKey:
    private_pem, public_pem = signing.generate_keypair(passphrase=_passphrase())
    key_id = f"{department.code}-{signing.public_key_fingerprint(public_pem)[:16]}"
    return SealKey.objects.create(
        department=department,
        key_id=key_id,
        algorithm=signing.ALGORITHM_ED25519,
        public_key=public_pem,
        private_key=private_pem,
        active=True,
    )


def _passphrase() -> bytes:
    return signing.storage_passphrase(settings.SECRET_KEY)
