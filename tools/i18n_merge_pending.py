"""Fill the Korean catalogs from the translations written on other branches (i18n-pending/).

`make messages` runs this between makemessages and compilemessages: each entry of
i18n-pending/<name>.po (and <name>-js.po for the JavaScript catalog) fills the entry with the
same msgid in locale/ko/LC_MESSAGES/django.po (djangojs.po) when that one is untranslated or
fuzzy. Nothing already translated is overwritten: a different translation is reported as a
conflict, and a pending msgid the code no longer has (or spells differently) is reported too,
so a pending file can be deleted once this prints nothing about it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PENDING = ROOT / "i18n-pending"
CATALOGS = ROOT / "locale" / "ko" / "LC_MESSAGES"


def _translations(entry: polib.POEntry) -> dict[int, str] | str:
    return dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr


def _translated(entry: polib.POEntry) -> bool:
    values = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
    return "fuzzy" not in entry.flags and all(value.strip() for value in values)


def merge(catalog: polib.POFile, pending: polib.POFile, name: str) -> list[str]:
    """Fill catalog from pending in place; return one line per entry that could not be used."""
    report = []
    for entry in pending:
        if entry.obsolete or not entry.msgid or not _translated(entry):
            continue
        target = (
            catalog.find(entry.msgid, msgctxt=entry.msgctxt) if entry.msgctxt else catalog.find(entry.msgid)
        )
        if target is None or target.obsolete:
            report.append(f"{name}: not in the code: {entry.msgid!r}")
        elif bool(target.msgid_plural) != bool(entry.msgid_plural):
            report.append(f"{name}: plural in one file and not the other: {entry.msgid!r}")
        elif not _translated(target):
            if target.msgid_plural:
                # Korean has one plural form.
                target.msgstr_plural = {0: entry.msgstr_plural.get(0, "")}
            else:
                target.msgstr = entry.msgstr
            if "fuzzy" in target.flags:
                target.flags.remove("fuzzy")
        elif _translations(target) != _translations(entry):
            report.append(f"{name}: conflict, kept {_translations(target)!r} over {_translations(entry)!r}")
    return report


def main() -> int:
    report = []
    for domain, pattern in (("django", "*.po"), ("djangojs", "*-js.po")):
        path = CATALOGS / f"{domain}.po"
        catalog = polib.pofile(path, wrapwidth=79)  # as gettext wraps, so a merge rewrites no line
        before = str(catalog)
        for pending_path in sorted(PENDING.glob(pattern)):
            if domain == "django" and pending_path.name.endswith("-js.po"):
                continue
            report += merge(catalog, polib.pofile(pending_path), pending_path.name)
        if str(catalog) != before:
            catalog.save(path)
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
