from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gonghui.api.services import token_create


class ApiClient:
    """A test client that speaks JSON and authenticates with a Bearer token (or not at all)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(headers={"authorization": f"Bearer {token}"} if token else {})

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(url, params or {})

    def post(self, url: str, body: Any = None) -> Any:
        return self.client.post(url, json.dumps(body if body is not None else {}), content_type="application/json")

    def patch(self, url: str, body: Any) -> Any:
        return self.client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def api(world: Any):  # type: ignore[no-untyped-def]
    """``api("cadre")``: a client holding a fresh token of that persona; ``api("anon")``: none."""

    def client_for(role: str) -> ApiClient:
        if role == "anon":
            return ApiClient(None)
        _, plaintext = token_create(actor=None, user=world.users[role], name=f"{role} test")
        return ApiClient(plaintext)

    return client_for
