from __future__ import annotations

app_name = "activities"

urlpatterns: list = []
