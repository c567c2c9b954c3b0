"""The index a running server answers from, swapped in one step when a new build appears.

A question takes `LiveIndex.current()` once and keeps that object to the end, so it never sees a
mix of two builds. A rebuild by `reindex()` (for example `/mutuals reindex`) or by another process
(`mutuals index`, a deploy step) replaces the file with os.replace; the next `current()` notices
the new file and swaps to it. A build that fails, or a file that cannot be read, leaves the old
index serving.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from indexer.build import BuildReport, build_index, open_index
from indexer.extra import ExtraSource
from indexer.search import SearchIndex, read_meta

log = logging.getLogger(__name__)

DEFAULT_CHECK_INTERVAL = 0.5  # seconds between looks at the index file
_ANY = object()  # _swap: no expectation about what is serving now


class ReindexRunning(Exception):
    """Another reindex is already running; this one was not started."""


class _Fingerprint(NamedTuple):
    """What os.stat says about the index file: any change means it may have been replaced."""

    device: int
    inode: int
    mtime_ns: int
    size: int


def _fingerprint(path: Path) -> _Fingerprint | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _Fingerprint(st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class LiveIndex:
    """The current SearchIndex of a running server, hot-swapped when the index file changes."""

    def __init__(
        self,
        index_path: Path | str,
        knowledge_dir: Path | str,
        *,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        extra: ExtraSource | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        """Load the index file now (unless `index` was just loaded from it); IndexUnavailable
        if it cannot serve (see `open`). Every reindex adds the passages `extra` gives (the
        team's answers)."""
        self.index_path = Path(index_path)
        self.knowledge_dir = Path(knowledge_dir)
        self.extra = extra
        self.check_interval = check_interval
        self._clock = clock
        self._swap_lock = threading.Lock()  # guards _index and _seen; held only for assignments
        self._check_lock = threading.Lock()  # one thread looks at the file at a time
        self._reindex_lock = threading.Lock()
        seen = _fingerprint(self.index_path)
        self._index = index or SearchIndex.load(self.index_path)
        self._seen = seen  # the file as it was when _index was read from it
        self._failed: _Fingerprint | None = None  # a replacement that could not be loaded
        self._last_check = clock()

    @classmethod
    def open(
        cls,
        index_path: Path | str,
        knowledge_dir: Path | str,
        *,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        extra: ExtraSource | None = None,
    ) -> LiveIndex:
        """Build the index first if it is missing or older than the knowledge, then load it."""
        seen = _fingerprint(Path(index_path))
        index, report = open_index(knowledge_dir, index_path, extra)  # KnowledgeError if it must
        live = cls(
            index_path, knowledge_dir, check_interval=check_interval, extra=extra, index=index
        )
        # The file as it was before it was read (None after a build): if it changed meanwhile,
        # the next look at it compares build ids and reloads only if the build is another.
        live._seen = seen if report is None else None
        return live

    def current(self) -> SearchIndex:
        """The index to answer one question from; keep it for the whole question."""
        now = self._clock()
        if now - self._last_check >= self.check_interval and not self._reindex_lock.locked():
            # Non-blocking: while one thread looks at (or loads) the file, others answer from
            # the index they already have instead of waiting.
            if self._check_lock.acquire(blocking=False):
                try:
                    self._last_check = now
                    self._follow_file()
                finally:
                    self._check_lock.release()
        return self._index

    def _follow_file(self) -> None:
        with self._swap_lock:
            seen, current = self._seen, self._index
        found = _fingerprint(self.index_path)
        if found is None or found == seen or found == self._failed:
            return
        try:
            build_id = read_meta(self.index_path).get("build_id", "")
            if build_id == current.info.build_id:
                self._swap(current, found, expected=seen)  # same build, touched or copied
                return
            loaded = SearchIndex.load(self.index_path)  # checks every part's checksum
        except Exception as exc:  # whatever is wrong with the new file, questions keep working
            self._failed = found
            log.warning(
                "index file replaced but unreadable (%s); still serving build=%s",
                type(exc).__name__,
                current.info.build_id,
            )
            return
        if self._swap(loaded, found, expected=seen):
            log.info(
                "index swapped build=%s -> %s (file changed)",
                current.info.build_id,
                loaded.info.build_id,
            )

    def _swap(self, index: SearchIndex, seen: _Fingerprint | None, expected: object = _ANY) -> bool:
        """Make `index` current in one step; with `expected`, only if nobody swapped meanwhile."""
        with self._swap_lock:
            if expected is not _ANY and self._seen != expected:
                return False
            self._index = index
            self._seen = seen
            self._failed = None
        return True

    def reindex(self) -> BuildReport:
        """Rebuild from the knowledge and swap to it; the old index serves on any error."""
        if not self._reindex_lock.acquire(blocking=False):
            raise ReindexRunning("a reindex is already running")
        try:
            old = self._index.info.build_id
            # KnowledgeError propagates
            more = () if self.extra is None else (self.extra,)  # the team's answers
            report = build_index(self.knowledge_dir, self.index_path, *more)
            seen = _fingerprint(self.index_path)
            loaded = SearchIndex.load(self.index_path)
            self._swap(loaded, seen)
            log.info(
                "index swapped build=%s -> %s (reindex, %d passages, %.2f s)",
                old,
                loaded.info.build_id,
                report.passages,
                report.seconds,
            )
            return report
        finally:
            self._reindex_lock.release()

    @property
    def reindexing(self) -> bool:
        """Whether a reindex is running now."""
        return self._reindex_lock.locked()

    def status(self) -> dict[str, Any]:
        """What is serving: build id, built at, documents, passages, path, reindexing."""
        info = self._index.info
        return {
            "build_id": info.build_id,
            "built_at": info.built_at,
            "documents": info.documents,
            "passages": info.passages,
            "path": str(self.index_path),
            "reindexing": self.reindexing,
        }
