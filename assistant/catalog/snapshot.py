"""The last good catalogue, kept on disk so a restart survives a broken edit.

Hot reload keeps serving the last good catalogue when an edit is broken, but only in memory:
a worker that restarts (a deploy, a crash, `systemctl restart`) while the catalogue on disk is
broken would otherwise refuse to start, and the citizens lose the bot for a typo. Every
catalogue that loads cleanly is therefore copied to `<data dir>/catalog-last-good/<version>/`
and named in `CURRENT`; at start-up a broken catalogue is reported (file:line, as always) and
the last good copy is served until the edit is fixed, which hot reload then picks up.

Several workers may save the same version at once: each copies into its own temporary
directory and renames it into place (the first wins, the others discard theirs), and `CURRENT`
is replaced atomically. Only the newest few versions are kept.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from assistant.catalog.loader import Catalog, CatalogError, load_catalog
from assistant.catalog.yamlsource import Problem

log = logging.getLogger(__name__)

SNAPSHOT_DIR = "catalog-last-good"
CURRENT = "CURRENT"
KEEP = 3
_SUFFIXES = (".yaml", ".yml")


def _root(data_dir: Path) -> Path:
    return Path(data_dir) / SNAPSHOT_DIR


def save_snapshot(catalog: Catalog, data_dir: Path) -> Path | None:
    """Copy the YAML files of a catalogue that loaded cleanly; returns the copy's directory.
    Never raises: a data directory that cannot be written only means no fallback."""
    root = _root(data_dir)
    target = root / catalog.version
    try:
        root.mkdir(parents=True, exist_ok=True)
        if not target.is_dir():
            staging = Path(tempfile.mkdtemp(prefix=f".{catalog.version}-", dir=root))
            source = Path(catalog.directory)
            for path in source.rglob("*"):
                if path.is_file() and path.suffix in _SUFFIXES:
                    destination = staging / path.relative_to(source)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, destination)
            try:
                staging.rename(target)
            except OSError:  # another worker saved the same version first
                shutil.rmtree(staging, ignore_errors=True)
        pointer = root / f".{CURRENT}-{os.getpid()}"
        pointer.write_text(catalog.version + "\n", encoding="utf-8")
        os.replace(pointer, root / CURRENT)
        _prune(root, keep={catalog.version})
    except OSError as exc:
        log.warning("last good catalogue not saved (%s); a restart with a broken catalogue would fail",
                    exc.__class__.__name__)
        return None
    return target


def _prune(root: Path, keep: set[str]) -> None:
    versions = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[KEEP:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def last_good(data_dir: Path) -> Path | None:
    """The directory of the last good catalogue, if one was saved."""
    root = _root(data_dir)
    try:
        version = (root / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    directory = root / version
    return directory if version and directory.is_dir() else None


def load_or_last_good(directory: Path, locality: str | None, data_dir: Path,
                      refused: list[Problem] | None = None) -> Catalog:
    """The catalogue in `directory`, saved as the last good one; when it is broken, the problems
    are logged with file:line (and appended to `refused`) and the last good copy is served
    instead. Any failure counts as broken, not only catalogue errors: a file that exhausts
    memory must not stop a restart from serving. Raises when the catalogue is broken and no
    good copy exists (nothing sensible to answer from)."""
    try:
        catalog = load_catalog(directory, locality)
    except Exception as exc:
        fallback = last_good(data_dir)
        if fallback is None:
            raise
        problems = exc.problems if isinstance(exc, CatalogError) else [
            Problem(Path(directory), 1, f"catalogue could not be loaded ({exc.__class__.__name__})")]
        if refused is not None:
            refused.extend(problems)
        log.error("catalogue in %s is broken (%d problem(s)); serving the last good copy until it is fixed:\n%s",
                  directory, len(problems), "\n".join(str(p) for p in problems[:50]))
        catalog = load_catalog(fallback, locality)
        log.warning("serving last good catalogue %s (%d procedures)", catalog.version, len(catalog))
        return catalog
    save_snapshot(catalog, data_dir)
    return catalog


__all__ = ["last_good", "load_or_last_good", "save_snapshot"]
