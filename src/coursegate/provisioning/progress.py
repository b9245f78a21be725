"""Progress of an import or export on stderr: a bar redrawn in place on a terminal, a quiet line
every few seconds otherwise (a log file or a pipe gets no carriage returns)."""

from __future__ import annotations

import time
from typing import IO

QUIET_EVERY_SECONDS = 10.0
BAR_EVERY_SECONDS = 0.2
BAR_WIDTH = 30


class Progress:
    def __init__(self, stream: IO[str], *, label: str, total_bytes: int | None, enabled: bool = True) -> None:
        self.stream, self.label, self.total = stream, label, total_bytes
        self.tty = enabled and bool(getattr(stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.started = self._last = time.monotonic()
        self.rows = 0
        self.stage: str | None = None

    def _fraction(self, position: int | None) -> float | None:
        if position is None or not self.total:
            return None
        return min(position / self.total, 1.0)

    def update(self, rows: int, position: int | None = None, *, stage: str | None = None) -> None:
        """``stage``: the step a long import is at (``reading``, ``writing ...``); a new step is shown at once."""
        self.rows = rows
        if not self.enabled:
            return
        now = time.monotonic()
        changed, self.stage = stage != self.stage, stage
        if not changed and now - self._last < (BAR_EVERY_SECONDS if self.tty else QUIET_EVERY_SECONDS):
            return
        self._last = now
        rate = rows / max(now - self.started, 1e-9)
        fraction = self._fraction(position)
        step = f"{stage}: " if stage else ""
        if self.tty:
            done = int(BAR_WIDTH * (fraction or 0))
            bar = f"[{'#' * done}{'.' * (BAR_WIDTH - done)}] {fraction:4.0%} " if fraction is not None else ""
            clear = "\033[K" if changed else ""  # a shorter line over a longer one
            self.stream.write(f"\r{clear}{self.label}: {step}{bar}{rows:,} rows, {rate:,.0f} rows/s ")
        else:
            share = f" ({fraction:.0%} of the file)" if fraction is not None else ""
            self.stream.write(f"{self.label}: {step}{rows:,} rows{share}, {rate:,.0f} rows/s\n")
        self.stream.flush()

    def finish(self) -> float:
        """End the bar's line; returns the seconds elapsed."""
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
        return time.monotonic() - self.started
