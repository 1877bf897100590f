"""Progress for people: which stage a long run is in, shown on a terminal's stderr.

Nothing is shown when stderr is not a terminal (a pipe, a log file, a scheduled job) or
with ``--quiet``, so machine output and logs stay exactly as they were. The display is
transient: it disappears when the run ends, leaving only the result.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

# The stages :func:`followup.api.score` reports, in order (the bar's denominator).
SCORE_STAGES = ("reading interviews", "reading events", "follow-up windows", "scoring", "ranking")


@contextmanager
def stages(enabled: bool | None = None, total: int = len(SCORE_STAGES), console=None
           ) -> Iterator[Callable[[str], None]]:
    """Yield ``step(description)``, to be called as each stage starts.

    ``enabled=None`` means "if stderr is a terminal". ``console`` is a rich Console to draw
    on (default: stderr).
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        def silent(description: str) -> None:
            """No bar when piped or quiet: the stages go by unannounced."""

        silent.resize = lambda total: None
        yield silent
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description:<20}"), BarColumn(),
                  TextColumn("{task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn(),
                  console=console or Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=total)
        started = False

        def step(description: str) -> None:
            nonlocal started
            bar.update(task, description=description, advance=1 if started else 0)
            started = True

        # A partitioned run counts its partitions instead of the stages (followup.partitioned).
        step.resize = lambda total: bar.update(task, total=total)
        yield step
