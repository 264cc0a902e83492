# ruff: noqa: F811  (the web fixtures are imported by name and requested by name)
"""Finding 9: the JSON API accepts only `application/json` (parsed as a media type) and refuses
state-changing requests that another site's page sends with a visitor's browser.

Before the fix "text/plain; charset=json", "application/x-www-form-urlencoded; json" and
"multipart/form-data; boundary=json" passed the check (anything containing "json"), and
/api/updates/ack took text/plain: all of them a cross-site form or fetch can send without a
preflight."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import assistant, client, new_session, server, settings  # noqa: F401  (fixtures)

SIMPLE_TYPES = ["text/plain; charset=json", "application/x-www-form-urlencoded; json",
                "multipart/form-data; boundary=json", "text/plain", "application/jsonp", "application/json-seq",
                "text/json"]


@pytest.mark.parametrize("content_type", SIMPLE_TYPES)
@pytest.mark.parametrize("path", ["/api/chat", "/api/updates/ack"])
def test_only_application_json(client, path, content_type):
    body = json.dumps({"session_id": new_session(), "action": "fb:-1:x", "ids": []}).encode()
    response = client.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=UTF-8"])
def test_json_with_parameters_still_accepted(client, content_type):
    body = json.dumps({"session_id": new_session(), "text": "lệ phí khai sinh"}).encode()
    assert client.post("/api/chat", content=body, headers={"content-type": content_type}).status_code == 200


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {"origin": "null"},
                                     {"sec-fetch-site": "cross-site"},
                                     {"origin": "https://evil.example", "sec-fetch-site": "same-origin"}])
@pytest.mark.parametrize("path", ["/api/chat", "/api/updates/ack"])
def test_cross_site_posts_refused(client, path, headers):
    body = {"session_id": new_session(), "text": "lệ phí khai sinh"} if path == "/api/chat" else {
        "session_id": new_session(), "ids": [1]}
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 403 and response.json()["error"] == "forbidden_origin"


def test_same_origin_and_non_browser_clients_pass(client, server):
    body = {"session_id": new_session(), "text": "lệ phí khai sinh"}
    same = {"origin": server.url, "sec-fetch-site": "same-origin"}
    assert client.post("/api/chat", json=body, headers=same).status_code == 200
    assert client.post("/api/chat", json=body).status_code == 200  # curl, apps: no Origin at all
