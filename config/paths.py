"""reverse() for loops that present thousands of rows: each path computed once, not per row.

reverse() resolves the name through the URLconf every time (about 50 µs); an export of
100,000 excerpts asked it for the same reader path 100,000 times. path() caches each
(name, args) for the current script prefix and URLconf; pk_path() reverses a pattern with
an integer argument once and fills the number in. Both forget what they know when a test
changes ROOT_URLCONF, as Django's own resolver cache does.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# An integer no real id reaches soon, to find where a pattern's <int:...> goes.
_PLACEHOLDER = 918273645546372819


def path(name: str, *args: str | int) -> str:
    """Return reverse(name, args=args), cached per script prefix and URLconf."""
    return Paths().path(name, *args)


def pk_path(name: str, pk: int) -> str:
    """Return reverse(name, args=[pk]) for a pattern whose one argument is an <int:...>."""
    return Paths().pk_path(name, pk)


class Paths:
    """path() and pk_path() for one loop over many rows: the script prefix and URLconf are
    read once, when it is made (each read is a thread-local lookup, a few µs per row)."""

    __slots__ = ("prefix", "urlconf")

    def __init__(self) -> None:
        self.prefix = get_script_prefix()
        self.urlconf = get_urlconf()

    def path(self, name: str, *args: str | int) -> str:
        """Return reverse(name, args=args), as path() does."""
        return _path(name, args, self.prefix, self.urlconf)

    def pk_path(self, name: str, pk: int) -> str:
        """Return reverse(name, args=[pk]), as pk_path() does."""
        before, after = _template(name, self.prefix, self.urlconf)
        return f"{before}{int(pk)}{after}"


@lru_cache(maxsize=4096)
def _path(name: str, args: tuple, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args, urlconf=urlconf)


@lru_cache(maxsize=256)
def _template(name: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    reversed_path = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)
    before, placeholder, after = reversed_path.partition(str(_PLACEHOLDER))
    if not placeholder or str(_PLACEHOLDER) in after:
        raise ValueError(f"{name} does not take one integer argument")
    return before, after


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _path.cache_clear()
        _template.cache_clear()
