from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("gonghui.web.urls")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("", include("gonghui.orgs.urls")),
    path("", include("gonghui.people.urls")),
    path("", include("gonghui.alliances.urls")),
    path("", include("gonghui.audit.urls")),
    path("", include("gonghui.imports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
