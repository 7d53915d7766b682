from __future__ import annotations

app_name = "training"

urlpatterns: list = []
