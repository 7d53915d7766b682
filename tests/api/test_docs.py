"""The schema and the human docs: served from our own static files, under the site's CSP."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_the_schema_lists_every_endpoint_with_its_error_responses(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}
    ops = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert len(ops) == 31  # 20 for orgs, people, memberships, alliances; 7 for activities (issue #4); 4 for hardship files (issue #5)
    person_create = schema["paths"]["/api/v1/people"]["post"]["responses"]
    assert sorted(person_create) == ["201", "400", "401", "403", "404", "409", "422"]
    assert "birth_date" not in str(schema["components"]["schemas"]["PersonDetailOut"])


def test_the_docs_page_loads_only_same_origin_scripts_and_styles(client) -> None:
    r = client.get("/api/docs")
    html = r.content.decode()
    assert r.status_code == 200
    assert "script-src 'self'" in r["Content-Security-Policy"] and "style-src 'self'" in r["Content-Security-Policy"]
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/static/ninja/swagger-ui.css",
        "/static/ninja/favicon.svg",
        "/static/ninja/favicon.png",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    for src in sources:
        assert finders.find(src.removeprefix("/static/")) is not None, src
    # No inline script: every <script> either loads a file or is a JSON data block.
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs or ('type="application/json"' in attrs), attrs
        assert "src=" not in attrs or body.strip() == ""
    assert '"url": "/api/v1/openapi.json"' in html
