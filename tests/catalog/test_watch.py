import os

from assistant.catalog.loader import load_catalog
from assistant.catalog.watch import CatalogWatcher
from assistant.config import Settings
from assistant.core import Assistant
from tests.factories import write_catalog


def _touch(path, text):
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_broken_edit_keeps_old_catalogue_and_reports_file_line(tmp_path):
    root = write_catalog(tmp_path)
    assistant = Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None))
    reported = []
    watcher = CatalogWatcher(root, assistant.reload, reported.append, interval=0.05)
    assert watcher.check_once() is None  # nothing changed yet

    path = root / "cu-tru" / "temporary-residence-registration.yaml"
    good = path.read_text(encoding="utf-8")
    _touch(path, good.replace("fees:", "fees:\n  bogus: 1\n  summary_x: y\nfeez:"))
    problems = watcher.check_once()
    assert problems and reported == [problems]
    assert all(str(p).startswith(f"{path}:") for p in problems)
    before = assistant.catalog.version
    assert assistant.handle("le phi dang ky tam tru").procedure_id == "temporary-residence-registration"

    _touch(path, good.replace("in_person: 15000", "in_person: 20000"))
    assert watcher.check_once() == []
    assert assistant.catalog.version != before
    assert "20.000" in assistant.handle("le phi dang ky tam tru").text


def test_background_thread_reloads(tmp_path):
    root = write_catalog(tmp_path)
    assistant = Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None))
    watcher = CatalogWatcher(root, assistant.reload, interval=0.02)
    watcher.start()
    try:
        path = root / "cu-tru" / "temporary-residence-registration.yaml"
        _touch(path, path.read_text(encoding="utf-8").replace("in_person: 15000", "in_person: 9000"))
        import time

        deadline = time.monotonic() + 5
        while "9.000" not in assistant.handle("le phi dang ky tam tru").text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "9.000" in assistant.handle("le phi dang ky tam tru").text
    finally:
        watcher.stop()
