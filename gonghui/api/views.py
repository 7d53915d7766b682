from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .v1 import api


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI from ninja's packaged static files (no CDN). Its page has no inline script:
    the settings travel in a JSON data block that ninja's own init script reads, so the page
    runs under our CSP (script-src 'self')."""
    return api.docs.render_page(request, api)
