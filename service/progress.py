"""Progress bars for long imports and exports (rich), shown only on a terminal."""

import contextlib
import sys

from rich.console import Console
from rich.progress import BarColumn
from rich.progress import DownloadColumn
from rich.progress import MofNCompleteColumn
from rich.progress import Progress
from rich.progress import ProgressColumn
from rich.progress import TextColumn
from rich.progress import TimeElapsedColumn
from rich.progress import TimeRemainingColumn
from rich.text import Text


class RowsPerSecond(ProgressColumn):
    """Rows handled per second (the task's `rows` field over its elapsed time)."""

    def render(self, task):
        elapsed = task.elapsed or 0
        rows = task.fields.get("rows", task.completed)
        rate = rows / elapsed if elapsed > 0 else 0
        return Text(f"{rate:,.0f} rows/s", style="progress.data.speed")


def _progress(*columns):
    console = Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), *columns, RowsPerSecond(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=console, disable=not console.is_terminal, transient=False)


@contextlib.contextmanager
def reading(name, binary_file, size):
    """A bar over the bytes of a file being imported; yields `update(rows_done)`."""
    with _progress(DownloadColumn(), TextColumn("{task.fields[rows]:,} rows")) as bar:
        task = bar.add_task(name, total=size or None, rows=0)

        def update(rows):
            bar.update(task, completed=binary_file.tell(), rows=rows)

        yield update
        bar.update(task, completed=size or 0)


@contextlib.contextmanager
def counting(name, total):
    """A bar over a known number of rows; yields `advance(rows=1)`."""
    with _progress(MofNCompleteColumn()) as bar:
        task = bar.add_task(name, total=total)
        yield lambda rows=1: bar.advance(task, rows)


def on_terminal():
    return sys.stderr.isatty()
