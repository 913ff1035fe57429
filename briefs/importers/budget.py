"""A time budget for one import, so no request runs unbounded (a huge or pathological document
is refused with a clear message instead of dying at the server's timeout).

`import_budget(seconds)` opens a budget for the code it wraps (a request's import); the
readers, the sectioner and the search index call `budget_check()` between units of work (a
PDF page, a batch of line breaks, a section). Outside a budget (the command line) the checks
do nothing. A context variable, so threads of one worker each keep their own.

`import_progress(report)` likewise lets a reader say how far it is (`progress_report(done,
total)`, a PDF after each page) to whoever is watching: the background worker shows it on the
import page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.utils.translation import gettext

from briefs.importers.errors import DocumentError

T = TypeVar("T")
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("import_deadline", default=None)
_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar("import_progress", default=None)


class BudgetExceeded(DocumentError):
    """The import took longer than its budget; nothing was saved."""


@contextmanager
def import_budget(seconds: float) -> Iterator[None]:
    """Let the wrapped code run for `seconds` of wall time before budget_check() refuses."""
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def import_progress(report: Callable[[int, int], None]) -> Iterator[None]:
    """Call `report(done, total)` whenever the wrapped reading says how far it is."""
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


def progress_report(done: int, total: int) -> None:
    """Say that `done` of `total` units (pages) are read; nothing happens unless watched."""
    report = _progress.get()
    if report is not None:
        report(done, total)


def budget_check() -> None:
    """Raise BudgetExceeded when the current import's budget is spent."""
    budget = _deadline.get()
    if budget is not None and time.monotonic() > budget[0]:
        raise BudgetExceeded(
            gettext(
                "reading the document took longer than the %(seconds)s s an import may take here; "
                "nothing was saved: split the document, or import it with manage.py import_brief"
            )
            % {"seconds": f"{budget[1]:g}"}
        )


def budgeted(items: Iterable[T], every: int = 2048) -> Iterator[T]:
    """Yield the items, checking the budget every `every` of them (for long loops)."""
    for n, item in enumerate(items):
        if n % every == 0:
            budget_check()
        yield item
