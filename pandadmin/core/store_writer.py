"""Writes reports into the history store from its own thread, in batches.

`submit()` only queues (the GUI thread and the event loop never touch the file); the
thread takes whatever has queued up and writes it in one transaction, so a killed
process loses at most the batch being written. When the store fails, the writer stops,
moves the file aside and reports one line through `on_error`; polling goes on live.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pandadmin.core import report_codec
from pandadmin.core.datadir import open_store, set_aside_after
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.samples import Sample, sample_from_report
from pandadmin.core.store import Store, StoreError

log = logging.getLogger(__name__)
MAX_BATCH = 2000
_STOP = object()


class StoreWriter:
    """A thread owning its own Store connection; feed it with `submit(report)`."""

    def __init__(self, folder: Path, on_error: Callable[[str], None] | None = None) -> None:
        self.folder = folder
        self.on_error = on_error or (lambda message: log.warning("%s", message))
        self.failed: str | None = None
        self.opened = threading.Event()
        self.written = 0  # samples committed
        self.busy_s = 0.0  # time spent writing (for benchmarks)
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="pandadmin-store", daemon=True)

    def start(self) -> StoreWriter:
        self._thread.start()
        return self

    def submit(self, report: EnvironmentReport, *, latest: bool = True) -> None:
        """Queue a report: its sample, and (with `latest`) the report itself for readers."""
        if self.failed is None:
            self._queue.put((sample_from_report(report), report if latest else None))

    def submit_sample(self, sample: Sample) -> None:
        if self.failed is None:
            self._queue.put((sample, None))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written (True) or the timeout passes."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        opened = open_store(self.folder)
        if opened.store is None and opened.message:
            self._fail(opened.message)
        elif opened.message:
            self.on_error(opened.message)  # set aside and started afresh: say so, go on
        self.opened.set()
        store = opened.store
        try:
            while self._step(store):
                pass
        finally:
            if store is not None:
                store.close()

    def _step(self, store: Store | None) -> bool:
        batch = [self._queue.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        items = [item for item in batch if isinstance(item, tuple)]
        if store is not None and self.failed is None and items:
            self._write(store, items)
        for item in batch:
            if isinstance(item, threading.Event):
                item.set()
        return not any(item is _STOP for item in batch)

    def _write(self, store: Store, items: list[tuple[Sample, EnvironmentReport | None]]) -> None:
        started = time.perf_counter()
        reports = {}
        for _sample, report in items:
            if report is not None:
                try:
                    reports[report.name] = (report.checked_at, report_codec.dumps(report))
                except (TypeError, ValueError) as exc:  # a value the codec does not know yet
                    log.error("latest report of %s not stored: %s", report.name, exc)
        try:
            store.write([sample for sample, _r in items], reports)
        except StoreError as exc:
            self._fail(set_aside_after(store, exc))
            return
        self.written += len(items)
        self.busy_s += time.perf_counter() - started

    def _fail(self, message: str) -> None:
        self.failed = message
        self.on_error(message)
