"""bench/checkin: the URLconf the benchmark serves (settings: bench/_checkin_settings.py).

The app's settings, with a URLconf holding the app's own URLs plus two reference views:
``/bench/read-insert/`` (one indexed read, one insert: the floor any check-in pays) and
``/bench/json/`` (a bare Django JSON view). One gunicorn serves all three paths, so the ratios
compare views under the same server, middleware and database.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def read_insert(request):  # type: ignore[no-untyped-def]
    from gonghui.activities.models import Session, WalkIn

    session = Session.objects.only("id").get(pk=int(request.GET["session"]))
    WalkIn.objects.create(session=session, count=1, organizer_path="/bench/", recorded_at=timezone.now())
    return JsonResponse({"ok": True})


def bare_json(request):  # type: ignore[no-untyped-def]
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/read-insert/", read_insert),
    path("bench/json/", bare_json),
    path("", include("gonghui.urls")),
]
