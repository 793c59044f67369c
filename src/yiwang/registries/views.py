"""Pages of data sharing, mounted at /data-sharing/.

- ``my-data/``: a resident's view of who fetched their data, and their consents (withdraw button);
- ``cases/<case>/materials/<position>/fetch/``: the consent + fetch control (htmx partial; a plain
  form post redirects back to the case, or shows the case page with the refusal in the material's row);
- ``my-records/``: a resident looks up their own records (pension statement, contribution history,
  medical-insurance payments...): the list, and one record queried on POST (htmx: the record or the
  refusal in place; a plain post: the whole page);
- ``report/``: the exemption report (staff); ``access-log/``: the audit log (auditors, administrators).
"""

from __future__ import annotations

import dataclasses
import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.permissions import applicant_required, forbidden_response, staff_required
from yiwang.applications.selectors import get_case_for
from yiwang.applications.views import material_refusal_page
from yiwang.catalog.selectors import record_kind_names
from yiwang.core.errors import DomainError
from yiwang.registries import selectors, services
from yiwang.registries import constants as c
from yiwang.registries.models import Consent, DataAccess
from yiwang.registries.presentation import english, error_text, fetch_control, own_record_view


def _case_page(case_id: int, user) -> str:
    try:
        case = get_case_for(user, case_id)
    except DomainError:
        return reverse("registries:my-data")
    return reverse("applications:edit" if case.state == "draft" else "applications:detail", args=[case.pk])


@require_GET
@applicant_required
def my_data(request):
    """Who fetched my data, when, for which case; my consents with a withdraw button."""
    return render(request, "registries/my_data.html", {
        "accesses": _in_language(selectors.accesses_for_subject(request.user)),
        "consents": _in_language(selectors.consents_of(request.user)),
    })


def _in_language(entries: list) -> list:
    """Access or consent entries with their record and registry names in the reader's language."""
    if not english():
        return entries
    names = record_kind_names()
    def english_of(entry) -> dict:
        return names.get(getattr(entry, "scope", "") or f"{entry.registry}:{entry.record_kind}", {})

    # An access shows its consent's purpose; a consent its own (the Chinese is stored for both).
    ids = [entry.id for entry in entries]
    purposes_en = dict(Consent.objects.filter(pk__in=ids).values_list("pk", "purpose_en") if entries and
                       isinstance(entries[0], selectors.ConsentEntry) else
                       DataAccess.objects.filter(pk__in=ids).values_list("pk", "consent__purpose_en"))
    return [dataclasses.replace(entry, record_name=english_of(entry).get("name_en") or entry.record_name,
                                registry_name=english_of(entry).get("registry_name_en") or entry.registry_name,
                                purpose=purposes_en.get(entry.id) or entry.purpose)
            for entry in entries]


@require_http_methods(["GET", "POST"])
@applicant_required
def my_records(request):
    """The records a resident can look up about themself; POST scope=... queries one (channel "web")."""
    if request.user.kind != "resident":
        return forbidden_response(request, message="此页面仅限个人用户访问。", message_en="This page is for residents only.")
    context = {"kinds": selectors.self_query_kinds(get_language() or ""), "view": None, "error": "", "scope": ""}
    status = 200
    if request.method == "POST":
        context["scope"] = scope = request.POST.get("scope", "")
        try:
            envelope = services.query_own_record(person=request.user, scope=scope, actor=request.user,
                                                 channel=c.CHANNEL_WEB)
        except DomainError as error:
            context["error"], status = error_text(error), error.status
        else:
            context["view"] = own_record_view(envelope)
        if request.htmx:
            return render(request, "registries/_my_record.html", context, status=status)
    return render(request, "registries/my_records.html", context, status=status)


@require_POST
@applicant_required
def withdraw(request, consent_id: int):
    try:
        services.withdraw_consent(user=request.user, consent_id=consent_id)
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, gettext("已撤回授权。之后不会再调取该数据；已调取的材料和记录保留。"))
    return redirect("registries:my-data")


@require_POST
@applicant_required
def fetch(request, case_id: int, position: int):
    """Consent (the checkbox is required) and fetch; htmx gets the control back, with the reason on failure."""
    error = None
    material = None
    if request.POST.get("consent") not in ("yes", "on", "true", "1"):
        error = DomainError(
            "consent_required", "请先勾选“我同意调取…”，或上传该材料。",
            "Tick the consent box first, or upload the material.", status=400,
        )
    else:
        try:
            material = services.grant_and_fetch(case_id=case_id, user=request.user, position=position)
        except DomainError as exc:
            error = exc
    if not request.htmx:
        if error is None:
            messages.success(request, gettext("已调取共享数据，此材料免交。"))
            return redirect(_case_page(case_id, request.user))
        try:
            case = get_case_for(request.user, case_id)
        except DomainError:
            messages.error(request, error_text(error))
            return redirect("registries:my-data")
        # The case page again, with the reason in the material's row (as a refused upload shows it).
        return material_refusal_page(request, case, position=position, error=error)
    try:
        case = get_case_for(request.user, case_id)
    except DomainError as exc:
        return render(request, "registries/_message.html", {"message": error_text(exc)}, status=exc.status)
    control = fetch_control(
        user=request.user, case=case, position=position, can_upload=True, upload=material,
        error=error_text(error) if error else "",
    )
    if not control.show:
        message = error_text(error) if error else gettext("该材料不能通过共享数据免交。")
        return render(request, "registries/_message.html", {"message": message}, status=error.status if error else 400)
    response = render(request, "registries/_fetch_control.html", {"control": control}, status=error.status if error else 200)
    if material is not None:
        # The case page may refresh the material row on this event (the file cell shows the record).
        response["HX-Trigger"] = json.dumps({"yiwang:material-fetched": {"case": case.pk, "position": position}})
    return response


@require_GET
@staff_required
def report(request):
    return render(request, "registries/report.html", {
        "report": selectors.exemption_report(),
        "english": english(),
        "can_read_log": selectors.can_read_access_log(request.user),
    })


@require_GET
@staff_required(roles=["auditor", "administrator"])
def access_log(request):
    outcome = request.GET.get("outcome") or None
    if outcome not in dict(selectors.c.OUTCOMES):
        outcome = None
    return render(request, "registries/access_log.html", {
        "entries": selectors.access_log(request.user, outcome=outcome),
        "outcomes": selectors.c.OUTCOMES,
        "outcome": outcome or "",
    })
