"""The last good catalogue on disk: a restart with a broken catalogue keeps answering."""

from __future__ import annotations

import dataclasses
import logging
import os

import pytest

from assistant.catalog.loader import CatalogError, load_catalog
from assistant.catalog.snapshot import KEEP, SNAPSHOT_DIR, last_good, load_or_last_good, save_snapshot
from assistant.config import Settings
from assistant.core import Assistant
from tests.factories import SMALL, write_catalog


def settings_for(tmp_path) -> Settings:
    return dataclasses.replace(Settings(), catalog_dir=tmp_path / "catalog", data_dir=tmp_path / "data", locality=None)


def break_file(catalog_dir):
    path = next(catalog_dir.rglob("*.yaml"))
    while path.name == "fields.yaml":
        path = next(p for p in catalog_dir.rglob("*.yaml") if p.name != "fields.yaml")
    path.write_text("id: [unclosed\n", encoding="utf-8")
    return path


def test_a_restart_with_a_broken_catalogue_serves_the_last_good_copy(tmp_path, caplog):
    settings = settings_for(tmp_path)
    write_catalog(settings.catalog_dir)
    first = Assistant.from_settings(settings, keep_last_good=True)
    good_version = first.catalog.version
    assert last_good(settings.data_dir) is not None

    broken = break_file(settings.catalog_dir)
    with caplog.at_level(logging.ERROR, logger="assistant.catalog.snapshot"):
        restarted = Assistant.from_settings(settings, keep_last_good=True)  # would raise without the copy
    assert restarted.catalog.version == good_version and len(restarted.catalog) == len(SMALL)
    assert f"{broken}:2: lỗi cú pháp YAML" in caplog.text  # the mistake is still named by file:line
    name = SMALL[0]["name"]
    assert restarted.handle(name).status.value in ("answer", "clarify")

    # Hot reload still reads the real catalogue directory, not the copy.
    problems = restarted.reload()
    assert problems and problems[0].path == broken
    write_catalog(settings.catalog_dir)  # the edit is fixed
    assert restarted.reload() == []
    assert restarted.catalog.directory == settings.catalog_dir


def test_without_a_good_copy_a_broken_catalogue_still_refuses_to_start(tmp_path):
    settings = settings_for(tmp_path)
    write_catalog(settings.catalog_dir)
    break_file(settings.catalog_dir)
    with pytest.raises(CatalogError):
        Assistant.from_settings(settings, keep_last_good=True)


def test_reload_saves_each_good_version_and_keeps_a_few(tmp_path):
    settings = settings_for(tmp_path)
    write_catalog(settings.catalog_dir)
    assistant = Assistant.from_settings(settings, keep_last_good=True)
    versions = {assistant.catalog.version}
    path = next(p for p in settings.catalog_dir.rglob("*.yaml") if p.name != "fields.yaml")
    for n in range(KEEP + 2):
        path.write_text(path.read_text(encoding="utf-8") + f"\n# edit {n}\n", encoding="utf-8")
        assert assistant.reload() == []
        versions.add(assistant.catalog.version)
        assert last_good(settings.data_dir).name == assistant.catalog.version
    kept = [p for p in (settings.data_dir / SNAPSHOT_DIR).iterdir() if p.is_dir()]
    assert len(versions) == KEEP + 3 and len(kept) == KEEP
    assert load_or_last_good(settings.catalog_dir, None, settings.data_dir).version == assistant.catalog.version


def test_one_off_commands_never_fall_back(tmp_path):
    """`python -m assistant ask` must answer from the catalogue it was pointed at, or say it is broken."""
    settings = settings_for(tmp_path)
    write_catalog(settings.catalog_dir)
    Assistant.from_settings(settings, keep_last_good=True)
    break_file(settings.catalog_dir)
    with pytest.raises(CatalogError):
        Assistant.from_settings(settings)


def test_an_unwritable_data_directory_only_means_no_fallback(tmp_path):
    catalog = load_catalog(write_catalog(tmp_path / "catalog"), None)
    blocker = tmp_path / "data"
    blocker.write_text("a file where the directory should be")
    assert save_snapshot(catalog, blocker) is None
    assert os.path.isfile(blocker)
