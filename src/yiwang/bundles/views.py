"""Pages of bundles (一件事): the list, the guide with its live questionnaire, the one form with
shared materials, the combined status with grouped supplements, the resident's bundle cases and
the staff's bundle queue.

Views read the request, call `services`/`selectors` and render; every refusal is shown on the
page it came from, with what the resident entered kept.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts.permissions import applicant_required, staff_required
from yiwang.accounts.selectors import is_resident_like
from yiwang.applications import constants as case_states
from yiwang.applications.presentation import field_rows, posted_form_values
from yiwang.bundles import selectors, services
from yiwang.bundles.models import BundleCase
from yiwang.core import clock
from yiwang.catalog.selectors import record_kind_names, shows_internal_notes
from yiwang.core.errors import DomainError, ValidationFailed
from yiwang.core.identifiers import mask_id_card, mask_name
from yiwang.core.i18n import english, error_text, say
from yiwang.core.views import refusals_as_pages
from yiwang.registries.selectors import can_fetch_for

NECESSITY_LABELS = {"1": gettext_lazy("必要"), "2": gettext_lazy("非必要"), "3": gettext_lazy("容缺后补")}


def _name(obj) -> str:
    return say(obj.name, getattr(obj, "name_en", "")) if obj is not None else ""


def _material_name(name: str, members) -> str:
    """A requested material's name in the reader's language, from the members' frozen rules."""
    for member in members:
        for material in ((member.case.rules or {}).get("materials", []) if member.case is not None else []):
            if material["name"] == name:
                return say(name, material.get("name_en", ""))
    return name


def _said(names: dict, key: str) -> str:
    """`names[key]` in the reader's language (`names[key + "_en"]` when English and given)."""
    return say(names.get(key, ""), names.get(f"{key}_en", ""))


def _error_page(request, error: DomainError):
    return render(request, "bundles/error.html", {"message": error_text(error), "status": error.status}, status=error.status)


_refusals_as_pages = refusals_as_pages(_error_page)


# ---------------------------------------------------------------------------------------------
# List and guide
# ---------------------------------------------------------------------------------------------


@dataclass
class BundleRow:
    bundle: object
    name: str
    lead_department: str
    member_count: int
    window: object


@require_GET
def bundle_list(request):
    """Every bundle with its lead department, member count and application window."""
    today = clock.today()
    rows = [
        BundleRow(bundle=b, name=_name(b), lead_department=_name(b.lead_department), member_count=b.member_count,
                  window=selectors.window_state(b, today))
        for b in selectors.list_bundles()
    ]
    return render(request, "bundles/list.html", {"rows": rows})


def _posted_answers(data, bundle) -> dict[str, str]:
    return {str(q["id"]): data.get(f"answer_{q['id']}", "") for q in bundle.questions or [] if data.get(f"answer_{q['id']}")}


@dataclass
class GuideRow:
    code: str
    name: str
    department: str
    reason: str
    online: bool


@dataclass
class MaterialLine:
    name: str
    necessity: str
    necessity_label: str
    exemptible_via: str
    item_names: list[str]


def _guidance_context(bundle, answers: dict) -> dict:
    guide = selectors.guide_for(bundle, answers)
    names = {row.code: _name(row.item) for row in guide.items}

    def rows(entries):
        return [
            GuideRow(code=row.code, name=_name(row.item) or row.code,
                     department=_name(row.item.department) if row.item else "",
                     reason=say(row.reason, row.reason_en), online=row.online)
            for row in entries
        ]

    return {
        "guide_ok": guide.ok,
        "guide_errors": [say(e.message, e.message_en) for e in guide.result.errors],
        "missing_questions": guide.result.missing_questions,
        # Hidden on the page (and their answers ignored): the earlier answers made them irrelevant.
        "irrelevant_questions": guide.result.irrelevant_questions,
        "applicable": rows(guide.items),
        "skipped": rows(guide.skipped),
        "guide_materials": [
            MaterialLine(name=say(m.name, m.name_en), necessity=m.necessity, necessity_label=str(NECESSITY_LABELS.get(m.necessity, m.necessity)),
                         exemptible_via=m.exemptible_via, item_names=[names[c] for c in m.items])
            for m in guide.materials
        ],
    }


def _render_guide(request, bundle, *, answers: dict, error_message: str = "", status: int = 200):
    window = selectors.window_state(bundle, clock.today())
    questions = [
        {"id": q["id"], "text": say(q["text"], q.get("text_en", "")), "answer": answers.get(str(q["id"]), ""),
         "options": [{"value": o["value"], "label": say(o["label"], o.get("label_en", ""))} for o in q.get("options") or []]}
        for q in bundle.questions or []
    ]
    context = {
        "bundle": bundle,
        "bundle_name": _name(bundle),
        "lead_department": _name(bundle.lead_department),
        "questions": questions,
        "show_internal_notes": shows_internal_notes(request.user),
        "window": window,
        "can_apply": is_resident_like(request.user),
        "error_message": error_message,
        **_guidance_context(bundle, answers),
    }
    return render(request, "bundles/guide.html", context, status=status)


@require_GET
@_refusals_as_pages
def bundle_guide(request, code: str):
    """The bundle's guide: questionnaire, applicable items and materials with reasons, 开始办理."""
    bundle = selectors.get_bundle(code)
    return _render_guide(request, bundle, answers=_posted_answers(request.GET, bundle))


@require_GET
@_refusals_as_pages
def guidance_partial(request, code: str):
    """htmx: the applicable items and materials for the answers so far (no refusal status: a live preview)."""
    bundle = selectors.get_bundle(code)
    context = {"bundle": bundle, **_guidance_context(bundle, _posted_answers(request.GET, bundle))}
    return render(request, "bundles/_guidance.html", context)


@require_POST
@applicant_required
@_refusals_as_pages
def start(request, code: str):
    """开始办理: check the answers and the window, open the bundle draft, go to its one form."""
    bundle = selectors.get_bundle(code)
    answers = _posted_answers(request.POST, bundle)
    try:
        bundle_case = services.start_bundle_application(
            applicant=request.user, bundle_code=bundle.code, answers=answers,
            form_data={"phone": request.user.phone} if getattr(request.user, "phone", "") else {},
        )
    except DomainError as error:
        return _render_guide(request, bundle, answers=answers, error_message=error_text(error), status=error.status)
    messages.success(request, gettext("已开始办理，请填写申请表并上传材料。"))
    return redirect("bundles:case", bundle_case_id=bundle_case.pk)


# ---------------------------------------------------------------------------------------------
# The bundle case: one form, shared materials, submit; then the combined status
# ---------------------------------------------------------------------------------------------


@dataclass
class DraftMaterialRow:
    name: str  # the Chinese name: the key the upload and fetch forms post
    necessity: str
    necessity_label: str
    exemptible_via: str
    item_names: list[str]
    uploaded: object  # one of the members' current files (all hold the same after a bundle upload)
    complete: bool
    missing: bool = False
    produced_by: str = ""  # name of the member item whose result will supply it
    can_fetch: bool = False  # the applicant could fetch it from data sharing (免交)
    registry_name: str = ""
    record_name: str = ""
    other_names: list[str] = field(default_factory=list)  # what the other items call the same record
    label: str = ""  # the name in the reader's language


@dataclass
class MemberRow:
    position: int
    item_name: str
    department: str
    reason: str
    channel: str
    case: object
    state_label: str
    requested: list[str]
    refused: bool
    opinion: str


def _state_label(state: str) -> str:
    if state == "window":
        return gettext("请到窗口办理")
    return say(dict(case_states.STATES).get(state, state), case_states.STATES_EN.get(state, state))


def _member_rows(status, viewer) -> list[MemberRow]:
    rows = []
    open_cases = selectors.member_cases_open_to(viewer, status.members)
    for m in status.members:
        if m.case is not None and m.case.pk not in open_cases:
            # Another department's case: its state for coordination, nothing its own page would hide.
            rows.append(MemberRow(
                position=m.member.position, item_name=_name(m.member.item), department=_name(m.member.item.department),
                reason=say(m.member.reason, m.member.reason_en), channel=m.member.channel, case=None,
                state_label=_state_label(m.state), requested=[], refused=m.refused, opinion="",
            ))
            continue
        opinion = ""
        if m.refused and m.case is not None:
            event = m.case.events.filter(to_state=m.state).order_by("-sequence").first()
            opinion = event.opinion if event else ""
        rows.append(MemberRow(
            position=m.member.position, item_name=_name(m.member.item), department=_name(m.member.item.department),
            reason=say(m.member.reason, m.member.reason_en), channel=m.member.channel, case=m.case,
            state_label=_state_label(m.state), requested=m.requested_materials, refused=m.refused, opinion=opinion,
        ))
    return rows


def _applicant_identity(bundle_case: BundleCase, viewer) -> dict:
    person = bundle_case.applicant
    identifier = person.id_number or person.credit_code or ""
    if viewer.pk == person.pk:
        return {"name": person.real_name or person.username, "identifier": identifier}
    name = person.real_name if person.kind == "enterprise" else mask_name(person.real_name)
    return {"name": name, "identifier": mask_id_card(identifier)}


def _render_case(request, bundle_case: BundleCase, *, error_message="", values=None, missing_names=(), status=200,
                 idempotency_key=None):
    bundle_case = selectors.get_bundle_case_for(request.user, bundle_case.pk)  # fresh members and states
    is_applicant = request.user.pk == bundle_case.applicant_id
    combined = selectors.combined_status(bundle_case)
    context = {
        "bundle_case": bundle_case,
        "bundle_name": _name(bundle_case.bundle),
        "lead_department": _name(bundle_case.bundle.lead_department),
        "is_applicant": is_applicant,
        "applicant": _applicant_identity(bundle_case, request.user),
        "status": combined,
        "status_label": say(combined.label, combined.label_en),
        "members": _member_rows(combined, request.user),
        "skipped": [say(s.get("reason", ""), s.get("reason_en", "")) for s in bundle_case.skipped],
        "supplement_groups": [(_material_name(name, members), [_name(m.member.item) for m in members])
                              for name, members in combined.supplement_groups()],
        "error_message": error_message,
        "idempotency_key": idempotency_key or uuid.uuid4().hex,
        "form_page": secrets.token_urlsafe(12),  # this rendering's mark on its saves of the one form
    }
    if bundle_case.is_draft and is_applicant:
        shown = {**bundle_case.form_data, **(values or {})}
        context["fields"] = field_rows(selectors.bundle_case_form_fields(bundle_case, request.user), shown)
        names = {m.member.item.code: _name(m.member.item) for m in combined.members}
        record_names = record_kind_names()
        context["materials"] = [
            DraftMaterialRow(
                name=row["material"].name, necessity=row["material"].necessity,
                necessity_label=str(NECESSITY_LABELS.get(row["material"].necessity, row["material"].necessity)),
                exemptible_via=row["material"].exemptible_via, item_names=[names[c] for c in row["material"].items],
                uploaded=next((u for u in row["uploaded"].values() if u is not None), None), complete=row["complete"],
                missing=any(name in missing_names for name in row["material"].names),
                other_names=(row["material"].names_en if english() else row["material"].names)[1:],
                label=say(row["material"].name, row["material"].name_en),
                produced_by=names.get(row["produced_by"], "") if row["produced_by"] else "",
                can_fetch=can_fetch_for(request.user, row["material"].exemptible_via),
                registry_name=_said(record_names.get(row["material"].exemptible_via, {}), "registry_name"),
                record_name=_said(record_names.get(row["material"].exemptible_via, {}), "name"),
            )
            for row in selectors.draft_materials(bundle_case)
        ]
    return render(request, "bundles/case.html", context, status=status)


@require_GET
@login_required
@_refusals_as_pages
def case_detail(request, bundle_case_id: int):
    """The bundle case: the one form and materials while a draft, then the combined status."""
    return _render_case(request, selectors.get_bundle_case_for(request.user, bundle_case_id))


def _form_values(request, bundle_case) -> dict:
    return posted_form_values(request.POST, selectors.bundle_case_form_fields(bundle_case, request.user))


_PAGE_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,32}")


def _form_edit(request) -> services.FormEdit | None:
    """The page's mark on a save of the one form (see case.html); a save without one is applied as it comes."""
    page, seq = request.POST.get("form_page", ""), request.POST.get("form_seq", "")
    if not _PAGE_TOKEN.fullmatch(page) or not seq.isdigit() or len(seq) > 9:
        return None
    return services.FormEdit(page=page, seq=int(seq))


@require_POST
@applicant_required
@_refusals_as_pages
def save_form(request, bundle_case_id: int):
    bundle_case = selectors.get_bundle_case_for(request.user, bundle_case_id)
    values = _form_values(request, bundle_case)
    try:
        services.update_bundle_form(bundle_case_id=bundle_case.pk, applicant=request.user, form_data=values,
                                    edit=_form_edit(request))
    except DomainError as error:
        if request.htmx:  # an autosave as the resident types: the page keeps what is typed
            return HttpResponse(status=error.status)
        return _render_case(request, bundle_case, error_message=error_text(error), values=values, status=error.status)
    if request.htmx:
        return HttpResponse(status=204)
    messages.success(request, gettext("申请表已保存，已同步到每个事项。"))
    return redirect("bundles:case", bundle_case_id=bundle_case.pk)


@require_POST
@applicant_required
@_refusals_as_pages
def upload(request, bundle_case_id: int):
    """One upload for every member that needs the material (draft) or asked for it (supplement)."""
    bundle_case = selectors.get_bundle_case_for(request.user, bundle_case_id)
    upload_file = request.FILES.get("file")
    material_name = request.POST.get("material_name", "")
    try:
        if upload_file is None:
            raise ValidationFailed("file_required", "请选择要上传的文件。", "Choose a file to upload.")
        if bundle_case.is_draft:
            services.attach_bundle_material(bundle_case_id=bundle_case.pk, user=request.user, material_name=material_name,
                                            stream=upload_file, original_name=upload_file.name)
            messages.success(request, gettext("材料已上传，已用于所有需要该材料的事项。"))
        else:
            result = services.supply_bundle_supplement(bundle_case_id=bundle_case.pk, user=request.user,
                                                       material_name=material_name, stream=upload_file,
                                                       original_name=upload_file.name)
            messages.success(request, gettext("补正材料已提交，%(count)s 个事项已恢复办理。") % {"count": len(result.resumed_case_ids)})
    except DomainError as error:
        return _render_case(request, bundle_case, error_message=error_text(error), status=error.status)
    return redirect("bundles:case", bundle_case_id=bundle_case.pk)


@require_POST
@applicant_required
@_refusals_as_pages
def fetch(request, bundle_case_id: int):
    """由数据共享调取（免交）: fetch the material for every member draft that needs it."""
    bundle_case = selectors.get_bundle_case_for(request.user, bundle_case_id)
    try:
        services.fetch_bundle_material(bundle_case_id=bundle_case.pk, user=request.user,
                                       material_name=request.POST.get("material_name", ""),
                                       consent=request.POST.get("consent") == "yes")
    except DomainError as error:
        return _render_case(request, bundle_case, error_message=error_text(error), status=error.status)
    messages.success(request, gettext("已由数据共享调取该材料，无需上传。"))
    return redirect("bundles:case", bundle_case_id=bundle_case.pk)


@require_POST
@applicant_required
@_refusals_as_pages
def submit(request, bundle_case_id: int):
    """Save the posted form, then submit every member at once with the page's idempotency key."""
    bundle_case = selectors.get_bundle_case_for(request.user, bundle_case_id)
    key = (request.POST.get("idempotency_key") or "").strip()
    values = _form_values(request, bundle_case)
    try:
        if not key:
            raise ValidationFailed("idempotency_key_required", "页面已过期，请刷新后重新提交。",
                                   "The page has expired; reload it and submit again.")
        if values and bundle_case.is_draft:
            services.update_bundle_form(bundle_case_id=bundle_case.pk, applicant=request.user, form_data=values,
                                        edit=_form_edit(request))
        bundle_case = services.submit_bundle(bundle_case_id=bundle_case.pk, applicant=request.user, idempotency_key=key)
    except DomainError as error:
        missing = (error.details or {}).get("missing", []) if error.code == "missing_materials" else []
        return _render_case(request, bundle_case, error_message=error_text(error), values=values, missing_names=missing,
                            status=error.status, idempotency_key=key or None)
    messages.success(request, gettext("一件事已提交，编号 %(number)s。") % {"number": bundle_case.number})
    return redirect("bundles:case", bundle_case_id=bundle_case.pk)


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------


@dataclass
class CaseListRow:
    bundle_case: BundleCase
    bundle_name: str
    status_label: str
    status_code: str
    applicant_name: str = ""
    applicant_identifier: str = ""
    my_items: int = 0


@require_GET
@applicant_required
def mine(request):
    """The applicant's bundle cases, newest first."""
    rows = []
    for bundle_case in selectors.applicant_bundle_cases(request.user):
        combined = selectors.combined_status(bundle_case)
        rows.append(CaseListRow(bundle_case=bundle_case, bundle_name=_name(bundle_case.bundle),
                                status_label=say(combined.label, combined.label_en), status_code=combined.code))
    return render(request, "bundles/mine.html", {"rows": rows})


@require_GET
@staff_required
def queue(request):
    """Submitted bundle cases touching the staff member's departments; applicants masked."""
    rows = []
    for bundle_case in selectors.staff_bundle_queue(request.user):
        combined = selectors.combined_status(bundle_case)
        identity = _applicant_identity(bundle_case, request.user)
        rows.append(CaseListRow(
            bundle_case=bundle_case, bundle_name=_name(bundle_case.bundle),
            status_label=say(combined.label, combined.label_en), status_code=combined.code,
            applicant_name=identity["name"], applicant_identifier=identity["identifier"],
            my_items=len(selectors.member_codes_in_departments(bundle_case, request.user)),
        ))
    return render(request, "bundles/queue.html", {"rows": rows})
