"""Staff CLI for dossiers, run as subprocesses against a real SQLite database."""

import os
import subprocess
import sys

import pytest

from assistant.dossiers.seed import demo_codes
from tests.conftest import SHIPPED_CATALOG


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-dossier")
    return {**os.environ, "ASSISTANT_CATALOG_DIR": str(SHIPPED_CATALOG), "ASSISTANT_LOCALITY": "khanh-hoa",
            "ASSISTANT_DATA_DIR": str(root / "data"), "PYTHONIOENCODING": "utf-8", "DATABASE_URL": ""}


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def test_upgrade_seed_list_show(env):
    assert run(env, "db", "upgrade").returncode == 0
    seeded = run(env, "demo", "seed")
    assert seeded.returncode == 0 and demo_codes()[0] in seeded.stdout
    assert run(env, "demo", "seed").returncode == 0  # idempotent
    listed = run(env, "dossier", "list", "--limit", "3")
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0 and len(lines) == 3 and all(line.split("\t")[0] in demo_codes() for line in lines)
    supplement = run(env, "dossier", "list", "--status", "Yêu cầu bổ sung")
    assert supplement.stdout.split("\t")[0] == demo_codes()[2]
    shown = run(env, "dossier", "show", demo_codes()[3].lower())
    assert shown.returncode == 0 and "xin lỗi" in shown.stdout
    assert shown.stdout.count(f"Hồ sơ {demo_codes()[3]}") == 1  # the title line once
    asked = run(env, "ask", "--json", f"hồ sơ {demo_codes()[0]}")
    assert '"status": "dossier"' in asked.stdout


def test_import_refuses_bad_file(env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"
                   "000.00.10.H32-261116-0101,birth-registration,16/11/2026,Đã tiếp nhận\n"
                   "rác,birth-registration,16/11/2026,Đã tiếp nhận\n", encoding="utf-8")
    out = run(env, "dossier", "import", str(bad))
    assert out.returncode == 1
    assert f"{bad}:3: mã hồ sơ không hợp lệ: 'rác'" in out.stderr and "chưa ghi gì vào cơ sở dữ liệu" in out.stderr
    good = tmp_path / "good.csv"
    good.write_text(bad.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    + bad.read_text(encoding="utf-8").splitlines()[1] + "\n", encoding="utf-8")
    dry = run(env, "dossier", "import", "--dry-run", str(good))
    assert dry.returncode == 0 and "Chạy thử (chưa ghi gì)" in dry.stdout
    done = run(env, "dossier", "import", str(good))
    assert done.returncode == 0 and "1 hồ sơ mới" in done.stdout
