"""Hot reload: notice edited catalogue files and swap the catalogue without a restart.

Polling file fingerprints (mtime, size) is dull but works everywhere — network shares,
containers, editors that replace files — with no extra dependency.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from assistant.catalog.yamlsource import Problem

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
    """Name, mtime and size of every YAML file below the catalogue directory."""
    entries = []
    for path in sorted(directory.rglob("*.y*ml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((str(path.relative_to(directory)), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


class CatalogWatcher:
    """Calls `reload()` when the catalogue changes; reports refused reloads to `on_problems`.

    `reload` is `Assistant.reload`: it keeps serving the last good catalogue when the new
    one has errors, so a half-saved file never breaks what citizens see.
    """

    def __init__(
        self,
        directory: Path,
        reload: Callable[[], list[Problem]],
        on_problems: Callable[[list[Problem]], None] | None = None,
        interval: float = 2.0,
    ) -> None:
        self.directory = Path(directory)
        self.reload = reload
        self.on_problems = on_problems
        self.interval = interval
        self._seen = fingerprint(self.directory)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refused: list[Problem] = []  # the last refused edit, until a good one is loaded
        self.error: str | None = None  # the last exception a reload raised, until one returns

    def check_once(self) -> list[Problem] | None:
        """Reload if anything changed. None: nothing changed; [] reloaded; problems: refused."""
        current = fingerprint(self.directory)
        if current == self._seen:
            return None
        self._seen = current
        problems = self.reload()
        self.refused, self.error = list(problems), None
        if problems:
            log.warning("catalogue change refused, still serving the last good one:\n%s",
                        "\n".join(str(p) for p in problems))
            if self.on_problems:
                self.on_problems(problems)
        return problems

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="catalog-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 1)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def status(self) -> dict[str, object]:
        """For /healthz: whether the watcher still runs and why the last edit was refused."""
        problems = [str(p) for p in self.refused[:20]]
        if self.error:
            problems.append(f"{self.directory}:1: catalogue watcher error ({self.error})")
        return {"ok": self.running and not problems, "running": self.running, "problems": problems}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check_once()
            except BaseException as exc:  # nothing may end the thread: reloads would stop silently
                self.error = exc.__class__.__name__
                log.exception("catalogue watcher failed; still watching")
