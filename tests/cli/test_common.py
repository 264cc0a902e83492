"""What every command shares: settings with its options applied, errors turned into one line."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.exc import OperationalError

from assistant.catalog.loader import CatalogError
from assistant.cli import COMMANDS, build_parser
from assistant.cli._common import guard, settings


def test_options_override_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_WEB_PORT", "8080")
    monkeypatch.setenv("ASSISTANT_LOCALITY", "khanh-vinh")
    args = argparse.Namespace(catalog="/srv/catalog", locality="none", host="0.0.0.0", port=9000)
    current = settings(args)
    assert (current.catalog_dir, current.locality, current.web_host, current.web_port) == (
        Path("/srv/catalog"), None, "0.0.0.0", 9000)
    assert settings(argparse.Namespace()).web_port == 8080 and settings().locality == "khanh-vinh"


def test_guard_turns_catalogue_and_database_errors_into_one_line(capsys):
    @guard
    def broken_catalogue(args):
        raise CatalogError([])

    @guard
    def database_down(args):
        raise OperationalError("SELECT 1", {}, Exception("connection refused\nsecond line"))

    assert broken_catalogue(argparse.Namespace()) == 1
    assert database_down(argparse.Namespace()) == 1
    err = capsys.readouterr().err
    assert "Lỗi cơ sở dữ liệu: OperationalError" in err and "second line" not in err


def test_every_command_group_is_registered_and_none_is_skipped():
    usage = build_parser().format_usage()
    assert "{ask,chat,catalog,db,retention,dossier,demo,serve,qr,report,staff,handoff}" in usage
    assert len(COMMANDS) == 8
