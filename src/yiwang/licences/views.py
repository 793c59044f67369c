"""Web pages of the licences app: public verification and the PDF download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from yiwang.accounts.http import client_ip
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.i18n import error_text
from yiwang.licences import constants as c
from yiwang.licences import selectors, services
from yiwang.licences.numbers import normalize_licence_number
from yiwang.licences.responses import pdf_response


@require_GET
def verify_lookup(request):
    """A form to type a licence number; submits to the verification page (of the number as issued)."""
    number = normalize_licence_number(request.GET.get("number"))
    if number:
        if selectors.is_wellformed_number(number):
            return redirect("licences:verify", number=number)  # counted there
        try:
            services.count_public_verification(client_ip=client_ip(request))
        except DomainError as exc:
            return _error_page(request, exc)
        verification = selectors.verify_licence(number)
        return render(request, "licences/verify.html", {"verification": verification, "c": c})
    return render(request, "licences/verify_lookup.html")


@require_GET
def verify(request, number):
    """Public (no login): the licence's status, masked holder and whether its signature verified.

    Limited per client address (LICENCE_VERIFY_RATE_LIMIT), with the lookup form and the API. A
    number written otherwise than issued (lower case, spaces around it) is sent on to its own page.
    """
    issued_form = normalize_licence_number(number)
    if issued_form != number and selectors.is_wellformed_number(issued_form):
        return redirect("licences:verify", number=issued_form)  # counted there
    try:
        services.count_public_verification(client_ip=client_ip(request))
    except DomainError as exc:
        return _error_page(request, exc)
    verification = selectors.verify_licence(number)
    return render(request, "licences/verify.html", {"verification": verification, "c": c})


@login_required
@require_GET
def licence_pdf(request, number):
    """The licence PDF for its holder, staff of its department, administrators and auditors."""
    try:
        licence = selectors.access_licence_for_download(user=request.user, number=number)
        data = selectors.render_licence_pdf(licence)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _error_page(request, exc)
    return pdf_response(data, licence.number)


def _error_page(request, exc: DomainError) -> HttpResponse:
    return render(request, "licences/error.html", {"message": error_text(exc), "code": exc.code}, status=exc.status)
