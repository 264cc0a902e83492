"""Finding 2: a catalogue file that is an attack (alias bomb, huge file) or any failure while
loading must never cost the running catalogue, stop the watcher, or hide behind "ok".

Before the fix a ~300-byte alias bomb was expanded (seconds and gigabytes at seven levels),
only CatalogError fell back to the last good catalogue, and /healthz said "ok" whatever the
watcher's state."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from assistant.catalog import snapshot
from assistant.catalog.loader import CatalogError, load_catalog
from assistant.catalog.watch import CatalogWatcher
from assistant.catalog.yamlsource import MAX_YAML_BYTES
from assistant.config import Settings
from assistant.core import Assistant
from tests.factories import write_catalog
from tests.web.conftest import start_server

PROC = "cu-tru/temporary-residence-registration.yaml"


def bomb(levels: int) -> str:
    """The classic "billion laughs": each level lists the previous one nine times."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _touch(path, text):
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_alias_bomb_refused_with_file_line_before_expansion(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    path = root / PROC
    _touch(path, path.read_text(encoding="utf-8") + "\n" + bomb(9).replace("a0:", "x_a0:"))
    started = time.perf_counter()
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert time.perf_counter() - started < 5  # nine levels would be 387 million strings if expanded
    line = path.read_text(encoding="utf-8").splitlines().index('x_a0: &a0 "lol"') + 1
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}: không dùng neo và bí danh YAML (&tên, *tên); hãy viết đầy đủ giá trị"]


def test_oversized_file_refused_with_file_line(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    path = root / PROC
    _touch(path, path.read_text(encoding="utf-8") + "\n".join(f"# {'x' * 70}" for _ in range(5000)))
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    (problem,) = caught.value.problems
    assert problem.path == path and problem.line > 1 and f"lớn hơn {MAX_YAML_BYTES // 1024} KB" in problem.message


def test_any_failure_on_reload_keeps_last_good(tmp_path, monkeypatch):
    root = write_catalog(tmp_path / "catalog")
    assistant = Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None))
    before = assistant.catalog.version

    def exhausted(*args, **kwargs):
        raise MemoryError  # what expanding a bomb ends in

    monkeypatch.setattr("assistant.core.load_catalog", exhausted)
    problems = assistant.reload()
    assert [str(p) for p in problems] == [f"{root}:1: catalogue could not be loaded (MemoryError)"]
    assert assistant.catalog.version == before and assistant.refused == problems
    assert assistant.handle("le phi dang ky tam tru").procedure_id == "temporary-residence-registration"


def test_restart_serves_last_good_whatever_the_failure(tmp_path, monkeypatch):
    root = write_catalog(tmp_path / "catalog")
    data = tmp_path / "data"
    settings = Settings(catalog_dir=root, locality=None, data_dir=data)
    good = Assistant.from_settings(settings, keep_last_good=True).catalog.version
    real = snapshot.load_catalog

    def source_breaks(directory, locality=None):
        if str(directory) == str(root):
            raise RecursionError("maximum recursion depth exceeded")
        return real(directory, locality)

    monkeypatch.setattr(snapshot, "load_catalog", source_breaks)
    restarted = Assistant.from_settings(settings, keep_last_good=True)
    assert restarted.catalog.version == good
    assert [str(p) for p in restarted.refused] == [f"{root}:1: catalogue could not be loaded (RecursionError)"]


class Fatal(BaseException):
    """Not an Exception: what used to end the watcher thread."""


def test_watcher_survives_every_exception_and_reloads_later_edits(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    assistant = Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None))
    failures = [MemoryError(), Fatal(), RecursionError()]

    def reload():
        if failures:
            raise failures.pop(0)
        return assistant.reload()

    watcher = CatalogWatcher(root, reload, interval=0.02)
    watcher.start()
    try:
        path = root / PROC
        n = 0
        while failures:  # one edit may be seen as two changes (content, then mtime)
            before, n = len(failures), n + 1
            _touch(path, path.read_text(encoding="utf-8") + f"\n# edit {n}\n")
            deadline = time.monotonic() + 5
            while len(failures) == before and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(failures) < before and watcher.running
            if failures:
                assert watcher.status()["ok"] is False
        _touch(path, path.read_text(encoding="utf-8").replace("in_person: 15000", "in_person: 9000"))
        deadline = time.monotonic() + 5
        while "9.000" not in assistant.handle("le phi dang ky tam tru").text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "9.000" in assistant.handle("le phi dang ky tam tru").text
        assert watcher.running and watcher.status() == {"ok": True, "running": True, "problems": []}
    finally:
        watcher.stop()


def test_healthz_reports_refused_edit_and_stopped_watcher(tmp_path, sqlite_engine):
    root = write_catalog(tmp_path / "catalog")
    settings = Settings(catalog_dir=root, locality=None, data_dir=tmp_path)
    assistant = Assistant(load_catalog(root), settings)
    live = start_server(settings, assistant, sqlite_engine, watch_catalog=True)
    try:
        with httpx.Client(base_url=live.url, timeout=10) as http:
            assert http.get("/healthz").json()["status"] == "ok"
            path = root / PROC
            _touch(path, path.read_text(encoding="utf-8") + bomb(3))
            assistant.watcher.check_once()  # what the thread does within its interval
            health = http.get("/healthz")
            assert health.status_code == 200  # still serving the last good catalogue
            body = health.json()
            assert body["status"] == "degraded" and body["catalog"]["ok"] is True
            assert any(p.startswith(f"{path}:") and "bí danh" in p for p in body["catalog"]["problems"])
            assert "15.000" in assistant.handle("le phi dang ky tam tru").text

            assistant.watcher.stop()
            body = http.get("/healthz").json()
            assert body["status"] == "degraded" and body["catalog"]["watcher"] == {"running": False}
            assert any("watcher stopped" in p for p in body["catalog"]["problems"])
    finally:
        live.stop()
