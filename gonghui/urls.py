from django.urls import include, path
from django.views.i18n import set_language

from gonghui.api.v1 import api as api_v1
from gonghui.api.views import docs as api_docs

urlpatterns = [
    # First: a scanner syncs once per scan and a poster rush resolves these most (bench/checkin.py).
    path("", include("gonghui.activities.urls_checkin")),
    path("", include("gonghui.web.urls")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("", include("gonghui.orgs.urls")),
    path("", include("gonghui.people.urls")),
    path("", include("gonghui.alliances.urls")),
    path("", include("gonghui.audit.urls")),
    path("", include("gonghui.imports.urls")),
    path("", include("gonghui.activities.urls")),
    path("", include("gonghui.training.urls")),
    path("", include("gonghui.reports.urls")),
    path("", include("gonghui.hardship.urls")),
    path("", include("gonghui.money.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api_v1.urls),
    path("api/docs", api_docs, name="api_docs"),
]
