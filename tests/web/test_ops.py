"""Health, metrics, OpenAPI, the page and its headers, a database outage, and arbitrary input."""

from __future__ import annotations

import json
import re

import httpx
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from assistant.app import attach_database
from assistant.core import Assistant
from assistant.store import make_engine
from tests.web.conftest import Chat, new_session, start_server

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+Inf-]+$')


def test_healthz_reports_database_and_catalogue(client, shipped_catalog):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "backend": "sqlite"}
    assert body["catalog"]["ok"] is True and body["catalog"]["procedures"] == len(shipped_catalog)
    assert re.fullmatch(r"[0-9a-f]{6,}", body["catalog"]["version"])


def test_database_down_degrades_but_still_answers(shipped_catalog, settings):
    """Nothing listens on port 1: the database is unreachable. Health says so (503, catalogue ok);
    procedure questions are still answered, follow-ups use this process's copy of the state,
    and a dossier lookup says to try later."""
    down = make_engine("postgresql+psycopg://tthc:unused@127.0.0.1:1/tthc", connect_args={"connect_timeout": 2})
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, down)
    live = start_server(settings, assistant, down)
    try:
        with httpx.Client(base_url=live.url, timeout=15) as http:
            health = http.get("/healthz")
            assert health.status_code == 503
            body = health.json()
            assert body["status"] == "degraded" and body["database"]["ok"] is False
            assert body["catalog"]["ok"] is True and body["catalog"]["procedures"] == len(shipped_catalog)
            chat = Chat(http)
            assert chat.say("giay doc than mat bao lau")["procedure_id"] == "marriage-status-certification"
            assert chat.say("còn lệ phí thì sao")["facet"] == "fee"
            card = chat.say("000.00.10.H32-261120-0001")
            assert card["status"] == "dossier" and "thử lại sau" in card["reply"]
    finally:
        live.stop()
        down.dispose()


def test_metrics_in_prometheus_text_format(client, shipped_catalog):
    chat = Chat(client)
    chat.say("giay doc than mat bao lau")
    chat.say("xin chào")
    chat.press("f:p:marriage-status-certification")
    client.post("/api/chat", content=b"{", headers={"content-type": "application/json"})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    for line in text.splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or SAMPLE.match(line), line
    assert 'tthc_messages_total{channel="web"} 2' in text
    assert 'tthc_replies_total{channel="web",status="answer"} 1' in text
    assert 'tthc_replies_total{channel="web",status="smalltalk"} 1' in text
    assert 'tthc_actions_total{channel="web",status="answer"} 1' in text
    assert 'tthc_turn_duration_seconds_bucket{channel="web",le="+Inf"} 3' in text
    assert 'tthc_http_requests_total{route="/api/chat",code="400"} 1' in text
    assert 'tthc_http_request_duration_seconds_count{route="/api/chat"} 4' in text
    assert 'tthc_requests_rejected_total{reason="malformed_json"} 1' in text
    assert f"tthc_catalog_procedures {len(shipped_catalog)}" in text
    assert re.search(r'tthc_catalog_info\{version="[0-9a-f]+"\} 1', text)


def test_openapi_documents_the_real_routes(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path, item in doc["paths"].items():
        if path == "/zalo/webhook":
            continue  # mounted only when Zalo is configured (tests/channels/zalo)
        concrete = path.replace("{procedure_id}", "marriage-status-certification")
        method = next(iter(item))
        response = client.request(method.upper(), concrete, json={"session_id": new_session(), "menu": True})
        assert response.status_code != 404, path
    required = set(doc["components"]["schemas"]["Reply"]["required"])
    reply = Chat(client).say("giay doc than mat bao lau")
    assert required <= set(reply)


def test_page_and_static_files_with_security_headers(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'lang="vi"' in html and "Trợ lý thủ tục hành chính" in html
    assert "<script>" not in html and "onclick" not in html  # everything in app.js, allowed by the CSP
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    for asset, kind in (("/static/app.js", "javascript"), ("/static/app.css", "text/css"),
                        ("/static/icon.svg", "image/svg+xml")):
        response = client.get(asset)
        assert response.status_code == 200 and kind in response.headers["content-type"], asset
    script = client.get("/static/app.js").text
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", script)
    assert client.get("/static/../app.py").status_code == 404


def test_qr_route(client):
    png = client.get("/api/qr/marriage-status-certification.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get("/api/qr/nope.png").json()["error"] == "unknown_procedure"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10)


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=300),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"session_id": st.sampled_from(["abcdefgh12", "x", "t-" + "9" * 30]),
                           "text": st.text(max_size=400)}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"session_id": st.just("abcdefgh12"),
                           "action": st.text(max_size=140)}).map(lambda v: json.dumps(v).encode()),
))
def test_arbitrary_bodies_never_cause_a_server_error(client, body):
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400, 413, 429), response.text
    payload = response.json()
    assert ("reply" in payload) if response.status_code == 200 else payload["error"] and payload["message"]
