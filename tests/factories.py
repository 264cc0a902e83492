"""Small real catalogues written to tmp_path, so tests exercise the real loader."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

FIELDS = [{"slug": "ho-tich", "name": "Hộ tịch"}, {"slug": "cu-tru", "name": "Cư trú"},
          {"slug": "can-cuoc", "name": "Căn cước"}]


def procedure(proc_id: str, name: str, field: str = "ho-tich", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": proc_id,
        "name": name,
        "aliases": [],
        "field": field,
        "level": "commune",
        "agency": "Ủy ban nhân dân cấp xã",
        "applicants": ["Công dân Việt Nam"],
        "documents": [
            {"name": "Tờ khai theo mẫu", "copies": 1, "kind": "original"},
            {"name": "Thẻ căn cước", "kind": "present"},
        ],
        "time_limit": {"value": 3, "unit": "working_days"},
        "fees": {"set_by": "none"},
        "where": [{"name": "Bộ phận một cửa UBND cấp xã"}],
        "channels": {"in_person": True, "postal": True, "online": "full", "online_url": "https://dichvucong.gov.vn"},
        "steps": ["Nộp hồ sơ.", "Nhận kết quả."],
        "result": "Giấy xác nhận",
        "legal_basis": [{"instrument": "60/2014/QH13"}],
        "sources": [{"supports": ["agency", "documents", "time_limit", "fees"], "title": "Luật Hộ tịch 2014",
                     "checked": "2026-11-20"}],
    }
    data.update(copy.deepcopy(overrides))
    return data


SMALL = [
    procedure("birth-registration", "Đăng ký khai sinh", aliases=["làm giấy khai sinh", "khai sinh cho con"],
              keywords=["khai sinh"], time_limit={"unit": "same_day", "cutoff": "15:00"}),
    procedure("marriage-status-certification", "Cấp Giấy xác nhận tình trạng hôn nhân",
              short_name="Xác nhận tình trạng hôn nhân", aliases=["giấy độc thân", "xác nhận độc thân"],
              keywords=["độc thân"]),
    procedure("marriage-registration", "Đăng ký kết hôn", aliases=["làm giấy kết hôn"], keywords=["kết hôn"]),
    procedure("temporary-residence-registration", "Đăng ký tạm trú", field="cu-tru", aliases=["khai báo tạm trú"],
              keywords=["tạm trú"], fees={"set_by": "national", "windows": [{"in_person": 15000}]}),
    procedure("id-card-renewal", "Cấp đổi thẻ căn cước", field="can-cuoc", aliases=["đổi căn cước"],
              keywords=["căn cước công dân", "CCCD"]),
    procedure("id-card-reissue", "Cấp lại thẻ căn cước", field="can-cuoc", aliases=["làm lại căn cước", "mất căn cước"],
              keywords=["căn cước công dân", "CCCD", "bị mất"]),
]


INSTRUMENTS = [
    {"number": "60/2014/QH13", "title": "Luật Hộ tịch", "short": "Luật Hộ tịch 2014", "in_force": "2016-01-01"},
]


def write_catalog(root: Path, procedures: list[dict[str, Any]] | None = None,
                  localities: dict[str, dict[str, Any]] | None = None,
                  instruments: list[dict[str, Any]] | None = None,
                  elsewhere: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "fields.yaml").write_text(yaml.safe_dump(FIELDS, allow_unicode=True), encoding="utf-8")
    (root / "instruments").mkdir(exist_ok=True)
    (root / "instruments" / "registry.yaml").write_text(
        yaml.safe_dump(INSTRUMENTS if instruments is None else instruments, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    for proc in SMALL if procedures is None else procedures:
        folder = root / proc.get("field", "ho-tich")
        folder.mkdir(exist_ok=True)
        (folder / f"{proc['id']}.yaml").write_text(yaml.safe_dump(proc, allow_unicode=True, sort_keys=False),
                                                   encoding="utf-8")
    if localities:
        (root / "localities").mkdir(exist_ok=True)
        for slug, data in localities.items():
            (root / "localities" / f"{slug}.yaml").write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if elsewhere:
        (root / "elsewhere").mkdir(exist_ok=True)
        for stem, entries in elsewhere.items():
            (root / "elsewhere" / f"{stem}.yaml").write_text(
                yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def import_status(engine, catalog, tmp_path: Path, code: str, status: str) -> int:
    """Change one dossier's status through the real importer (a one-row CSV export, as staff
    would import it). Returns how many notifications the import queued."""
    import csv

    from sqlalchemy import select

    from assistant.dossiers.importer import import_dossiers
    from assistant.store.models import Dossier

    with engine.connect() as conn:
        d = conn.execute(select(Dossier.__table__).where(Dossier.code == code)).one()
    path = tmp_path / "update.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Hình thức nộp"])
        writer.writerow([d.code, d.procedure_id, d.received_at.strftime("%d/%m/%Y %H:%M"),
                         d.due_date.strftime("%d/%m/%Y"), status, "Trực tiếp"])
    report = import_dossiers(engine, path, known_procedures=set(catalog.procedures),
                             procedure_name=lambda pid: catalog.get(pid).display_name if catalog.get(pid) else None)
    return report.notifications
