"""The dossier-side command modules (db, dossier, demo), registered on a bare argparse parser the
way assistant.cli does."""

import argparse
import functools
from pathlib import Path

import pytest

from assistant.catalog import loader
from assistant.cli import db, demo, dossier
from assistant.dossiers.seed import DEMOS, demo_codes

CATALOG = Path(__file__).resolve().parents[2] / "procedures_catalog"


_cached_catalog = functools.cache(loader.load_catalog)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="assistant")
    sub = root.add_subparsers(dest="command", required=True)
    for module in (db, dossier, demo):
        module.register(sub)
    return root


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_CATALOG_DIR", str(CATALOG))
    monkeypatch.setenv("ASSISTANT_LOCALITY", "khanh-hoa")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(loader, "load_catalog", _cached_catalog)  # each command loads it: once is enough here

    def call(*argv: str) -> tuple[int, str, str]:
        args = parser().parse_args(argv)
        code = args.func(args)
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


def test_db_upgrade(run, tmp_path):
    code, out, _ = run("db", "upgrade")
    assert code == 0 and "đã nâng cấp trống -> " in out and (tmp_path / "data" / "assistant.sqlite3").exists()
    code, out, _ = run("db", "upgrade")
    assert code == 0 and "đã ở phiên bản mới nhất" in out


def test_db_unreachable(run, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    code, _, err = run("db", "upgrade")
    assert code == 1 and "không kết nối được" in err and "secret" not in err


def test_seed_list_show(run):
    code, out, _ = run("demo", "seed")
    assert code == 0 and out.startswith(f"{len(DEMOS)} dòng: {len(DEMOS)} hồ sơ mới")
    assert all(c in out for c in demo_codes())
    code, out, _ = run("demo", "seed")
    assert code == 0 and f"0 hồ sơ mới, 0 cập nhật, {len(DEMOS)} không đổi" in out  # idempotent

    code, out, _ = run("dossier", "list", "--limit", "3")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3 and all(line.split("\t")[0] in demo_codes() for line in lines)
    code, out, _ = run("dossier", "list", "--status", "Yêu cầu bổ sung")
    codes = [line.split("\t")[0] for line in out.splitlines()]
    assert codes[0] == demo_codes()[2] and len(codes) == sum(d.status == "Yêu cầu bổ sung" for d in DEMOS)
    assert all("\tsupplement_requested\tCần bổ sung hồ sơ\t" in line for line in out.splitlines())
    code, out, _ = run("dossier", "list", "--status", "in_progress", "--limit", "100")
    assert "trễ hạn" in out and "trong hạn" in out
    code, _, err = run("dossier", "list", "--status", "đang bay")
    assert code == 2 and "Không nhận ra trạng thái 'đang bay'" in err and "supplement_requested (Cần bổ sung hồ sơ)" in err

    code, out, _ = run("dossier", "show", demo_codes()[3].lower())
    assert code == 0 and out.startswith(f"Hồ sơ {demo_codes()[3]}") and "xin lỗi" in out
    code, _, err = run("dossier", "show", "000.00.10.H32-261120-9999")
    assert code == 1 and "Không có hồ sơ 000.00.10.H32-261120-9999" in err
    code, _, err = run("dossier", "show", "12345")
    assert code == 2 and "'12345' không phải mã hồ sơ" in err


def test_import(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Trạng thái\n"
                   "000.00.10.H32-261116-0101,birth-registration,16/11/2026 09:00,Đã tiếp nhận\n"
                   "rác,birth-registration,16/11/2026,Đã tiếp nhận\n"
                   "000.00.10.H32-261116-0103,1.004873,16/11/2026,Đang bay\n", encoding="utf-8")
    code, out, err = run("dossier", "import", str(bad))
    assert code == 1 and out == ""
    assert err.splitlines() == [f"{bad}:3: mã hồ sơ không hợp lệ: 'rác'", f"{bad}:4: trạng thái không nhận ra: 'Đang bay'",
                                "Không nhập tệp: có 2 lỗi ở trên; chưa ghi gì vào cơ sở dữ liệu. Sửa các dòng đó "
                                "rồi nhập lại."]
    good = tmp_path / "good.csv"
    good.write_text("\n".join(bad.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    code, out, _ = run("dossier", "import", "--dry-run", str(good))
    assert code == 0 and out.startswith("Chạy thử (chưa ghi gì): 1 dòng: 1 hồ sơ mới")
    code, out, _ = run("dossier", "list")
    assert out == ""
    code, out, _ = run("dossier", "import", str(good))
    assert code == 0 and "1 hồ sơ mới" in out
    code, out, _ = run("dossier", "show", "000.00.10.H32-261116-0101")
    assert "Ngày hẹn trả: Thứ Hai, 16/11/2026" in out  # computed: birth registration is same-day
    code, _, err = run("dossier", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "không có tệp này" in err
