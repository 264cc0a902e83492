"""`make run` for a first-time user: a taken port is one line with a way out, and the start-up
says which channels are on, why the others are off, and how to stop."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.first_run import channel_lines, port_free, port_in_use_line

ROOT = Path(__file__).resolve().parents[1]


def test_a_taken_port_is_one_line_naming_the_variable_and_a_free_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_free("127.0.0.1", port)
        env = {**os.environ, "ASSISTANT_WEB_PORT": str(port), "ASSISTANT_WEB_HOST": "127.0.0.1",
               "ASSISTANT_DATA_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": ""}
        done = subprocess.run([sys.executable, "bot.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 2
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    assert f"cổng {port} trên 127.0.0.1 đang được chương trình khác dùng" in output
    assert "ASSISTANT_WEB_PORT=" in output
    suggested = int(output.rsplit("ASSISTANT_WEB_PORT=", 1)[1].split()[0])
    assert suggested > port and port_free("127.0.0.1", suggested)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_on_a_taken_port_is_one_line_too(tmp_path, workers):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": ""}
        done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", workers], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 2 and "Traceback" not in output
    assert len(output.splitlines()) == 1 and f"cổng {port}" in output, output


def test_port_line_without_a_free_neighbour_still_says_what_to_set():
    line = port_in_use_line("127.0.0.1", 65535)
    assert "ASSISTANT_WEB_PORT=<cổng khác> make run" in line


def test_channel_lines_say_what_is_off_and_why():
    plain = dataclasses.replace(Settings(), telegram_token=None, zalo_oa_secret_key=None, zalo_access_token=None,
                                zalo_refresh_token=None)
    lines = channel_lines(plain, web=True)
    assert lines[0] == f"Web: bật — http://{plain.web_host}:{plain.web_port}/"
    assert "Telegram: tắt — chưa đặt TELEGRAM_BOT_TOKEN" in lines
    assert "Zalo: tắt — chưa đặt ZALO_OA_SECRET_KEY và ZALO_ACCESS_TOKEN" in lines
    assert lines[-1].startswith("Dừng: nhấn Ctrl+C")

    polling = dataclasses.replace(plain, telegram_token="123:abc")
    assert "Telegram: bật — tự hỏi tin nhắn mới (polling)" in channel_lines(polling, web=True)
    half_zalo = dataclasses.replace(plain, zalo_oa_secret_key="s")
    assert "Zalo: chưa đủ — thiếu ZALO_ACCESS_TOKEN" in channel_lines(half_zalo, web=True)
    zalo = dataclasses.replace(half_zalo, zalo_access_token="t")
    assert any(line.startswith("Zalo: bật — webhook") for line in channel_lines(zalo, web=True))
    assert all("123:abc" not in line for line in channel_lines(polling, web=True))  # never the token


def test_the_licence_is_declared_the_current_way():
    """PEP 639: an SPDX string and the licence file, which setuptools ≥ 77 builds without the
    deprecation warning the old `{text = ...}` table printed on every install."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert all((ROOT / name).is_file() for name in project["project"]["license-files"])
    assert not any(c.startswith("License ::") for c in project["project"].get("classifiers", []))
    assert any(r.startswith("setuptools>=77") for r in project["build-system"]["requires"])
    assert project["tool"]["setuptools"]["package-dir"] == {"": "."}  # no "Editable installation" notice
