"""Web pages of cases: the applicant's portal (apply, fill, upload, submit, follow) and the staff
workbench (queue, case page with actions).

Views only read the request, call `services`/`selectors` and render. Every `DomainError` becomes
a page (or an htmx partial) showing the refusal in the active language with the error's 4xx
status; nothing here decides anything about a case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.permissions import applicant_required, staff_required
from yiwang.applications import constants as c
from yiwang.applications import lifecycle, selectors, services
from yiwang.catalog.application_forms import FormField
from yiwang.applications.models import Case
from yiwang.applications.notice_pdf import render_notice_pdf
from yiwang.applications.presentation import field_rows, posted_form_values, read_only_rows
from yiwang.applications.storage import upload_limits
from yiwang.catalog.selectors import get_item, item_rules_snapshot
from yiwang.core import clock
from yiwang.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from yiwang.core.identifiers import mask_id_card, mask_name
from yiwang.core.i18n import error_text, say
from yiwang.core.views import refusals_as_pages
from yiwang.registries import selectors as registry_selectors
from yiwang.registries import services as registry_services
from yiwang.registries.presentation import SharedRecordView, shared_record_view

NECESSITY_LABELS = {
    "1": gettext_lazy("必要"),
    "2": gettext_lazy("非必要"),
    "3": gettext_lazy("容缺后补"),
}
ROLE_LABELS = {
    lifecycle.APPLICANT: gettext_lazy("申请人"),
    lifecycle.OFFICER: gettext_lazy("窗口人员"),
    lifecycle.APPROVER: gettext_lazy("审批人员"),
}
STEP_LABELS = {"review": gettext_lazy("审核"), "decide": gettext_lazy("决定")}
LICENCE_STATES = {c.RESULT_ISSUED, c.DELIVERED}
QUEUE_REFRESH_SECONDS = 30
# Actions that end the case against the applicant: shown as a danger button that asks first.
REFUSING_ACTIONS = frozenset({"reject", "deny"})
# Uploaded files staff read on the case page itself (served inline by the material endpoint).
PREVIEW_KINDS = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}
DUE_FILTER_LABELS = {selectors.DUE_OVERDUE: gettext_lazy("已超期"), selectors.DUE_SOON: gettext_lazy("即将到期")}


# ---------------------------------------------------------------------------------------------
# Presentation helpers (language, labels, masking)
# ---------------------------------------------------------------------------------------------


def _localized_name(obj) -> str:
    return say(obj.name, getattr(obj, "name_en", ""))


def _state_label(state: str) -> str:
    return say(dict(c.STATES).get(state, state), c.STATES_EN.get(state, state))


def _action_label(name: str) -> str:
    action = lifecycle.ACTIONS.get(name)
    return say(action.label, action.label_en) if action else name


def _role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def _current_step(case: Case) -> dict | None:
    flow = case.rules.get("flow") or []
    return flow[min(case.step, len(flow) - 1)] if flow else None


def _applicant_identity(case: Case, viewer) -> dict:
    """The applicant's name and identifier; masked unless the viewer is the applicant."""
    person = case.applicant
    identifier = person.id_number or person.credit_code or ""
    if viewer.pk == person.pk:
        return {"name": person.real_name or person.username, "identifier": identifier}
    name = person.real_name if person.kind == "enterprise" else mask_name(person.real_name)
    return {"name": name, "identifier": mask_id_card(identifier)}


# ---------------------------------------------------------------------------------------------
# Access and refusals
# ---------------------------------------------------------------------------------------------


def _error_page(request, error: DomainError):
    return render(
        request,
        "applications/error.html",
        {"message": error_text(error), "status": error.status},
        status=error.status,
    )


_refusals_as_pages = refusals_as_pages(_error_page)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Form and material rows
# ---------------------------------------------------------------------------------------------


def _posted_form(request, fields: list[FormField]) -> dict:
    return posted_form_values(request.POST, fields)


def _field_errors(error: DomainError) -> dict[str, str]:
    if error.code != "invalid_form" or not isinstance(error.details, dict):
        return {}
    return {name: say(d.get("message", ""), d.get("message_en", "")) for name, d in error.details.items()}


@dataclass
class MaterialRow:
    position: int
    name: str
    necessity: str
    necessity_label: str
    copies: int
    upload: object  # CaseMaterial or None
    can_upload: bool
    missing: bool = False
    error: str = ""
    content_id: str = ""  # staff: the anchor of this material's content (record or preview) on the page


def _material_rows(materials: list[dict], *, can_upload=lambda m: False, missing_names=(), errors=None) -> list[MaterialRow]:
    errors = errors or {}
    return [
        MaterialRow(
            position=m["position"],
            name=say(m["name"], m.get("name_en", "")),  # shown only: rules refer to the Chinese name
            necessity=m["necessity"],
            necessity_label=str(NECESSITY_LABELS.get(m["necessity"], m["necessity"])),
            copies=m.get("copies") or 1,
            upload=m.get("upload"),
            can_upload=bool(can_upload(m)),
            missing=m["name"] in missing_names,
            error=errors.get(m["position"], ""),
        )
        for m in materials
    ]


def _requested_positions(case: Case) -> list[int]:
    return selectors.requested_supplement_positions(case)


def _applicant_may_upload(case: Case):
    """Which material rows the applicant may upload to in the case's state."""
    if case.state == c.DRAFT:
        return lambda m: True
    if case.state == c.SUPPLEMENT_REQUESTED:
        requested = set(_requested_positions(case))
        return lambda m: m["position"] in requested
    if case.state not in c.FINAL_STATES and case.owed_materials:
        owed = set(case.owed_materials)
        return lambda m: m["name"] in owed
    return lambda m: False


# ---------------------------------------------------------------------------------------------
# 1. Apply: item page -> draft
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@applicant_required
@_refusals_as_pages
def apply(request, item_code: str):
    """Show the item's form and materials; "保存草稿" creates the draft and opens it for editing."""
    item = get_item(item_code)
    fields = selectors.form_fields_for(request.user, item)
    values = selectors.initial_form_values(request.user, item)
    error_message = ""
    status = 200
    if request.method == "POST":
        values = _posted_form(request, fields)
        try:
            case = services.create_draft(applicant=request.user, item_code=item.code, form_data=values)
        except DomainError as error:
            error_message, status = error_text(error), error.status
        else:
            messages.success(request, gettext("草稿已保存，请继续上传材料并提交申报。"))
            return redirect("applications:edit", case_id=case.pk)
    rules = item_rules_snapshot(item)
    return render(
        request,
        "applications/apply.html",
        {
            "item": item,
            "item_name": _localized_name(item),
            "department_name": _localized_name(item.department),
            "online": "online" in (item.channels or []),
            "fields": field_rows(fields, values),
            "materials": _material_rows(rules["materials"]),
            "error_message": error_message,
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# Draft: fill the form, upload materials, submit
# ---------------------------------------------------------------------------------------------


def _render_edit(request, case: Case, *, values=None, field_errors=None, error_message="", missing_names=(),
                 row_errors=None, idempotency_key=None, status=200):
    fields = selectors.case_form_fields(case)
    shown = {**case.form_data, **(values or {})}
    rows = _material_rows(
        selectors.case_materials(case), can_upload=lambda m: True, missing_names=missing_names, errors=row_errors
    )
    return render(
        request,
        "applications/edit.html",
        {
            "case": case,
            "item_name": _localized_name(case.item),
            "fields": field_rows(fields, shown, field_errors),
            "materials": rows,
            "material_errors": [row for row in rows if row.error],
            "upload_limits": upload_limits(),
            "idempotency_key": idempotency_key or uuid.uuid4().hex,
            "error_message": error_message or _unplaced_errors(row_errors, rows),
        },
        status=status,
    )


def _unplaced_errors(row_errors: dict | None, shown_rows: list[MaterialRow]) -> str:
    """Row refusals that no row on the page shows (an unknown material number): for the page's top."""
    shown = {row.position for row in shown_rows if row.error}
    return " ".join(message for position, message in (row_errors or {}).items() if position not in shown)


def material_refusal_page(request, case: Case, *, position: int | None, error: DomainError):
    """The case page again after an upload or a data-sharing fetch posted without htmx was refused:
    the reason in the material's row (the top of the page points to it), with the refusal's status."""
    row_errors = {position: error_text(error)}
    if case.state == c.DRAFT and case.applicant_id == request.user.pk:
        if case.in_bundle:  # a 一件事 member's draft has no page of its own
            messages.error(request, error_text(error))
            return redirect("bundles:case", bundle_case_id=case.bundle_member.bundle_case_id)
        return _render_edit(request, case, row_errors=row_errors, status=error.status)
    return _render_detail(request, case, row_errors=row_errors, status=error.status)


@require_http_methods(["GET", "POST"])
@applicant_required
@_refusals_as_pages
def edit(request, case_id: int):
    """The draft: its form ("保存草稿" keeps partial data), its material rows and the submit button."""
    case = selectors.get_case_for(request.user, case_id)
    if case.state != c.DRAFT:
        return redirect("applications:detail", case_id=case.pk)
    if case.in_bundle:  # a 一件事 member's draft is filled and submitted in its bundle
        return redirect("bundles:case", bundle_case_id=case.bundle_member.bundle_case_id)
    if request.method == "POST":
        values = _posted_form(request, selectors.case_form_fields(case))
        try:
            services.update_draft(case_id=case.pk, applicant=request.user, form_data=values)
        except DomainError as error:
            return _render_edit(request, case, values=values, error_message=error_text(error), status=error.status)
        messages.success(request, gettext("草稿已保存。"))
        return redirect("applications:edit", case_id=case.pk)
    return _render_edit(request, case)


@require_POST
@applicant_required
@_refusals_as_pages
def submit(request, case_id: int):
    """Save the posted form, then submit with the page's idempotency key (a retry returns the same case)."""
    case = selectors.get_case_for(request.user, case_id)
    key = (request.POST.get("idempotency_key") or "").strip()
    values = _posted_form(request, selectors.case_form_fields(case))
    try:
        if not key:
            raise ValidationFailed(
                "idempotency_key_required", "页面已过期，请刷新后重新提交。", "The page has expired; reload it and submit again."
            )
        if values and case.state == c.DRAFT:
            try:
                services.update_draft(case_id=case.pk, applicant=request.user, form_data=values)
            except Conflict as error:
                # A double click: the first request submitted the draft meanwhile; the submission
                # below returns that case when the key matches.
                if error.code != "not_a_draft":
                    raise
        case = services.submit_application(case_id=case.pk, applicant=request.user, idempotency_key=key)
    except DomainError as error:
        case.refresh_from_db()
        if case.state != c.DRAFT:
            return _render_detail(request, case, error_message=error_text(error), status=error.status)
        missing = (error.details or {}).get("missing", []) if error.code == "missing_materials" else []
        return _render_edit(
            request, case, values=values, field_errors=_field_errors(error), error_message=error_text(error),
            missing_names=missing, idempotency_key=key or None, status=error.status,
        )
    messages.success(request, gettext("申报已提交，办件编号 %(number)s。") % {"number": case.number})
    return redirect("applications:detail", case_id=case.pk)


@require_POST
@applicant_required
@_refusals_as_pages
def upload(request, case_id: int):
    """Store one material file; htmx gets the row back (with the refusal in it), others the page."""
    case = selectors.get_case_for(request.user, case_id)
    position = _int_or_none(request.POST.get("position"))
    upload_file = request.FILES.get("file")
    error: DomainError | None = None
    try:
        if upload_file is None:
            raise ValidationFailed("file_required", "请选择要上传的文件。", "Choose a file to upload.")
        if position is None:
            raise ValidationFailed("unknown_material", "材料序号无效。", "Invalid material number.")
        services.attach_material(
            case_id=case.pk, user=request.user, position=position, stream=upload_file, original_name=upload_file.name
        )
    except DomainError as refused:
        error = refused
    case.refresh_from_db()
    row_errors = {position: error_text(error)} if error else {}
    if request.htmx:
        all_rows = _material_rows(selectors.case_materials(case), can_upload=_applicant_may_upload(case), errors=row_errors)
        rows = [row for row in all_rows if row.position == position]
        if not rows:
            return _error_page(request, error or ValidationFailed("unknown_material", "材料序号无效。", "Invalid material number."))
        return render(
            request,
            "applications/_material_row.html",
            {"case": case, "row": rows[0], "saved": error is None, "upload_limits": upload_limits()},
            status=error.status if error else 200,
        )
    if error is None:
        messages.success(request, gettext("材料已上传。"))
        return redirect("applications:edit" if case.state == c.DRAFT else "applications:detail", case_id=case.pk)
    return material_refusal_page(request, case, position=position, error=error)


# ---------------------------------------------------------------------------------------------
# 2. My cases
# ---------------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    item_name: str
    state_label: str
    warning: str
    is_draft: bool
    awaiting: selectors.AwaitingAcceptance | None = None
    bundle_case_id: int | None = None  # a 一件事 member: its bundle case


@require_GET
@applicant_required
def mine(request):
    """The applicant's cases: drafts first (to continue), then submitted ones, newest first."""
    cases = list(selectors.applicant_cases(request.user))
    drafts = [case for case in cases if case.state == c.DRAFT]
    submitted = sorted(
        (case for case in cases if case.state != c.DRAFT), key=lambda case: case.submitted_at or case.created_at, reverse=True
    )
    rows = [
        CaseRow(
            case=case,
            item_name=_localized_name(case.item),
            state_label=_state_label(case.state),
            warning=selectors.case_warning(case),
            is_draft=case.state == c.DRAFT,
            awaiting=selectors.awaiting_acceptance(case),
            bundle_case_id=case.bundle_member.bundle_case_id if case.in_bundle else None,
        )
        for case in drafts + submitted
    ]
    return render(request, "applications/mine.html", {"rows": rows})


# ---------------------------------------------------------------------------------------------
# 3. Case page (applicant and staff) and actions
# ---------------------------------------------------------------------------------------------


@dataclass
class EventRow:
    at: object
    action_label: str
    from_label: str
    to_label: str
    role_label: str
    opinion: str


@dataclass
class ActionForm:
    name: str
    label: str
    opinion_required: bool
    asks_materials: bool
    opinion: str = ""
    checked: tuple = ()
    danger: bool = False  # ends the case against the applicant: styled apart, confirmed before it is sent
    confirm: str = ""


@dataclass
class MaterialContent:
    """What staff read of one material on the case page: a fetched record's fields, or a preview."""

    position: int
    name: str
    anchor: str
    kind: str  # "record", "pdf" or "image"
    url: str = ""
    record: SharedRecordView | None = None


def _refusal_confirmation(label: str) -> str:
    return gettext("确定“%(action)s”吗？办件将就此办结，并向申请人出具相应文书。") % {"action": label}


def _material_contents(request, case: Case, rows: list[MaterialRow]) -> list[MaterialContent]:
    """For staff: each current material readable on the page. A fetched record's fields (each
    reading logged as an access to the applicant's data first), or an uploaded PDF or image shown
    inline by the material endpoint, which checks access as for a download."""
    contents = []
    for row in rows:
        material = row.upload
        if material is None or material.file_removed_at is not None:
            continue
        anchor = f"material-content-{row.position}"
        if material.source == c.SOURCE_REGISTRY:
            registry_services.record_staff_view(viewer=request.user, case=case, material=material)
            envelope = registry_selectors.fetched_record(material)
            if envelope is not None:
                record = shared_record_view(envelope, scope=material.shared_source,
                                            subject_is_company=case.applicant.kind == "enterprise")
                contents.append(MaterialContent(position=row.position, name=row.name, anchor=anchor, kind="record",
                                                record=record))
        elif material.content_type in PREVIEW_KINDS:
            url = reverse("api-application-material", args=[case.pk, material.pk]) + "?inline=1"
            contents.append(MaterialContent(position=row.position, name=row.name, anchor=anchor,
                                            kind=PREVIEW_KINDS[material.content_type], url=url))
    return contents


def _licence_links(case: Case) -> dict | None:
    licence = getattr(case, "licence", None) if case.state in LICENCE_STATES else None
    if licence is None:
        return None
    return {
        "number": licence.number,
        "pdf_url": reverse("licences:pdf", kwargs={"number": licence.number}),
        "verify_url": reverse("licences:verify", kwargs={"number": licence.number}),
    }


def _render_detail(request, case: Case, *, error_message="", row_errors=None, posted=None, status=200):
    user = request.user
    is_applicant = user.pk == case.applicant_id
    posted = posted or {}
    step = _current_step(case)
    actions = selectors.actions_for(user, case)
    action_forms = [
        ActionForm(
            name=action.name,
            label=say(action.label, action.label_en),
            opinion_required=action.opinion_required,
            asks_materials=action.name == "request_supplement",
            opinion=posted.get("opinion", "") if posted.get("action") == action.name else "",
            checked=tuple(posted.get("missing", ())) if posted.get("action") == action.name else (),
            danger=action.name in REFUSING_ACTIONS,
            confirm=_refusal_confirmation(say(action.label, action.label_en)) if action.name in REFUSING_ACTIONS else "",
        )
        for action in actions
        if action.name != "supply"  # the applicant answers a supplement request in its own section
    ]
    materials = selectors.case_materials(case)
    may_upload = _applicant_may_upload(case) if is_applicant else (lambda m: False)
    rows = _material_rows(materials, can_upload=may_upload, errors=row_errors)
    requested = set(_requested_positions(case)) if case.state == c.SUPPLEMENT_REQUESTED else set()
    supplement_rows = [row for row in rows if row.position in requested]
    if supplement_rows:
        # Requested materials are uploaded in their own section; the full list is then read-only.
        rows = [replace(row, can_upload=False, error="") for row in rows]
    contents = _material_contents(request, case, rows) if user.kind == "staff" and not is_applicant else []
    if contents:
        anchors = {content.position: content.anchor for content in contents}
        rows = [replace(row, content_id=anchors.get(row.position, "")) for row in rows]
    material_errors = [row for row in supplement_rows + rows if row.error]
    events = [
        EventRow(
            at=event.at,
            action_label=_action_label(event.action),
            from_label=_state_label(event.from_state),
            to_label=_state_label(event.to_state),
            role_label=_role_label(event.actor_role),
            opinion=event.opinion,
        )
        for event in case.events.all()
    ]
    return render(
        request,
        "applications/detail.html",
        {
            "case": case,
            "awaiting": selectors.awaiting_acceptance(case),
            "is_applicant": is_applicant,
            "is_staff": user.kind == "staff",
            "item_name": _localized_name(case.item),
            "department_name": _localized_name(case.department),
            "state_label": _state_label(case.state),
            "warning": selectors.case_warning(case),
            "applicant": _applicant_identity(case, user),
            "step_label": (f"{STEP_LABELS.get(step['step'], step['step'])} · {_role_label(step['role'])}" if step else ""),
            "form_values": read_only_rows(selectors.case_form_fields(case), selectors.form_data_as_seen_by(user, case)),
            "notices": list(case.notices.all()),
            "events": events,
            "materials": rows,
            "material_contents": contents,
            "material_errors": material_errors,
            "upload_limits": upload_limits(),
            "supplement_rows": supplement_rows,
            "can_supply": is_applicant and any(a.name == "supply" for a in actions),
            "can_withdraw": is_applicant and any(a.name == "withdraw" for a in actions),
            "action_forms": [] if is_applicant else action_forms,
            "licence": _licence_links(case),
            "error_message": error_message or _unplaced_errors(row_errors, material_errors),
        },
        status=status,
    )


@require_GET
@login_required
@_refusals_as_pages
def detail(request, case_id: int):
    """The case page: facts, notices, timeline; buttons for what the viewer may do now."""
    case = selectors.get_case_for(request.user, case_id)
    if case.state == c.DRAFT and case.applicant_id == request.user.pk:
        return redirect("applications:edit", case_id=case.pk)
    return _render_detail(request, case)


@require_POST
@login_required
@_refusals_as_pages
def act(request, case_id: int):
    """Take one lifecycle action at the version the page showed; a refusal re-shows the page with why."""
    case = selectors.get_case_for(request.user, case_id)
    action = request.POST.get("action", "")
    opinion = request.POST.get("opinion", "")
    missing = [p for p in (_int_or_none(v) for v in request.POST.getlist("missing_materials")) if p is not None]
    version = _int_or_none(request.POST.get("version"))
    try:
        if version is None:
            raise ValidationFailed(
                "version_required", "缺少办件版本，请刷新页面后重试。", "The case version is missing; reload the page and try again."
            )
        case = services.perform_action(
            case_id=case.pk, actor=request.user, action=action, expected_version=version,
            opinion=opinion, missing_materials=missing,
        )
    except DomainError as error:
        case.refresh_from_db()
        posted = {"action": action, "opinion": opinion, "missing": missing}
        return _render_detail(request, case, error_message=error_text(error), posted=posted, status=error.status)
    messages.success(request, gettext("已办理：%(action)s。") % {"action": _action_label(action)})
    return redirect("applications:detail", case_id=case.pk)


RATED_NOTICES = frozenset({c.NOTICE_ACCEPTANCE, c.NOTICE_APPROVAL, c.NOTICE_DENIAL, c.NOTICE_NON_ACCEPTANCE, c.NOTICE_RESULT})


@require_GET
@login_required
@_refusals_as_pages
def notice_pdf(request, case_id: int, notice_id: int):
    """A notice of the case as PDF, for whoever may read the case (printed at the counter)."""
    case = selectors.get_case_for(request.user, case_id)
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("notice_not_found", "文书不存在。", "Notice not found.")
    data = render_notice_pdf(
        title=notice.title, body=notice.body, case_number=case.number or "",
        department_name=case.rules.get("department_name", case.department.name),
        issued_on=clock.legal_day(notice.issued_at).strftime("%Y年%m月%d日"), created_at=notice.issued_at,
        # The acceptance notice and the decisions carry the QR code to rate the case (好差评).
        rating_url=f"{settings.PUBLIC_URL}/ratings/case/{case.pk}/?channel=qr" if notice.kind in RATED_NOTICES else "",
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.kind}-{case.number}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------
# 4. Staff work queue
# ---------------------------------------------------------------------------------------------


@dataclass
class QueueDisplayRow:
    case: Case
    item_name: str
    applicant_name: str
    applicant_identifier: str
    state_label: str
    role_label: str
    due: object
    warning: str
    bundle_case_id: int | None = None  # a 一件事 member: its bundle case


def _queue_role(case: Case) -> str:
    """Who must act next: the applicant while a supplement is owed, else the current step's role."""
    if case.state == c.SUPPLEMENT_REQUESTED:
        return lifecycle.APPLICANT
    if case.state in {c.ACCEPTED, c.SPECIAL_PROCEDURE}:
        step = _current_step(case)
        return step["role"] if step else lifecycle.OFFICER
    return lifecycle.OFFICER


# States a case in the queue can be in (closed cases leave the queue), in lifecycle order.
QUEUE_STATES = [code for code, _ in c.STATES if code != c.DRAFT and code not in c.FINAL_STATES]


@require_GET
@staff_required
@_refusals_as_pages
def queue(request):
    """Open cases of the staff member's departments, nearest deadline first, narrowed by a search
    (case number or full applicant name), state, item and deadline; htmx refreshes the table."""
    departments = list(request.user.departments.all())
    department_code = request.GET.get("department") or None
    sees_all = request.user.role in selectors.ALL_DEPARTMENT_ROLES
    if department_code and not sees_all and department_code not in {d.code for d in departments}:
        raise ValidationFailed(
            "department_not_yours", "只能查看本人所属部门的办件。", "You can only see the cases of your own departments."
        )
    filters = selectors.queue_filter(query=request.GET.get("q"), state=request.GET.get("state"),
                                     item_code=request.GET.get("item"), due=request.GET.get("due"))
    rows = []
    for row in selectors.work_queue(request.user, department_code=department_code, filters=filters):
        case = row.case
        identity = _applicant_identity(case, request.user)
        rows.append(
            QueueDisplayRow(
                case=case,
                item_name=_localized_name(case.item),
                applicant_name=identity["name"],
                applicant_identifier=identity["identifier"],
                state_label=_state_label(case.state),
                role_label=_role_label(_queue_role(case)),
                due=row.due,
                warning=row.warning,
                bundle_case_id=selectors.bundle_case_id_of(case),
            )
        )
    chosen = {"department": department_code or "", "q": filters.query, "state": filters.state,
              "item": filters.item_code, "due": filters.due}
    context = {
        "rows": rows,
        "departments": [(d.code, _localized_name(d)) for d in departments],
        "department_code": department_code or "",
        "filters": filters,
        "filtered": any([filters.query, filters.state, filters.item_code, filters.due]),
        "filter_query": urlencode({key: value for key, value in chosen.items() if value}),
        "states": [(code, _state_label(code)) for code in QUEUE_STATES],
        "items": [(code, say(name, name_en)) for code, name, name_en in selectors.queue_items(request.user)],
        "due_filters": [(code, str(label)) for code, label in DUE_FILTER_LABELS.items()],
        "refresh_seconds": QUEUE_REFRESH_SECONDS,
    }
    template = "applications/_queue_table.html" if request.htmx else "applications/queue.html"
    return render(request, template, context)
