"""HTTP responses shared by the web views and the API views of the licences app."""

from __future__ import annotations

from django.http import HttpResponse


def pdf_response(data: bytes, number: str) -> HttpResponse:
    """An attachment download of the PDF bytes, never stored by shared caches."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
