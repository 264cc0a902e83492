"""The CLI JSON contract, run as a real subprocess like other tools will."""

import json
import os
import subprocess
import sys

import pytest

from tests.factories import write_catalog

KEYS = {"status", "procedure_id", "facet", "score", "candidates", "reply"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    catalog = write_catalog(root / "catalog")
    return {**os.environ, "ASSISTANT_CATALOG_DIR": str(catalog), "ASSISTANT_LOCALITY": "none",
            "ASSISTANT_DATA_DIR": str(root / "data"), "PYTHONIOENCODING": "utf-8"}


def run(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


def test_ask_json_contract(env):
    out = run(env, "ask", "--json", "giay doc than mat bao lau")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj.keys() >= KEYS
    assert obj["status"] == "answer" and obj["procedure_id"] == "marriage-status-certification"
    assert obj["facet"] == "time" and 0 <= obj["score"] <= 100
    assert obj["candidates"][0] == {"id": "marriage-status-certification", "name": obj["candidates"][0]["name"],
                                    "score": obj["candidates"][0]["score"]}
    assert "ngày làm việc" in obj["reply"]


def test_ask_plain_prints_vietnamese(env):
    out = run(env, "ask", "lệ phí đăng ký tạm trú")
    assert out.returncode == 0 and "15.000" in out.stdout


def test_jsonl_one_object_per_line_fresh_conversation(env):
    questions = "đăng ký tạm trú\ncòn lệ phí thì sao\ncăn cước công dân\nchào bạn\nhôm nay trời mưa không\n"
    out = run(env, "ask", "--jsonl", stdin=questions)
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["status"] for o in objs] == ["answer", "not_found", "clarify", "smalltalk", "not_found"]
    assert all(o.keys() >= KEYS for o in objs)
    assert objs[1]["procedure_id"] is None  # no context carried between lines
    assert len(objs[2]["candidates"]) >= 2 and objs[2]["procedure_id"] is None


def test_catalog_check_reports_file_line_and_exit_code(env, tmp_path):
    good = run(env, "catalog", "check", env["ASSISTANT_CATALOG_DIR"])
    assert good.returncode == 0, good.stdout
    bad_root = write_catalog(tmp_path / "bad")
    bad = bad_root / "cu-tru" / "temporary-residence-registration.yaml"
    text = bad.read_text(encoding="utf-8").replace("sources:", "source:").replace("result:", "reslt:")
    bad.write_text(text, encoding="utf-8")
    out = run(env, "catalog", "check", str(bad_root))
    assert out.returncode == 1
    line = text.splitlines().index("source:") + 1
    assert f"{bad}:{line}: khóa 'source' không hợp lệ — có phải ý bạn là 'sources'?" in out.stdout
    assert "thiếu khóa bắt buộc 'result' (kết quả)" in out.stdout
    assert out.stdout.startswith("LỖI (")


def test_broken_catalogue_fails_clearly(env, tmp_path):
    out = run({**env, "ASSISTANT_CATALOG_DIR": str(tmp_path / "nowhere")}, "ask", "khai sinh")
    assert out.returncode == 2 and "thư mục danh mục không tồn tại" in out.stderr
