"""Every string of the interface is translated into Korean, and no template text escapes it.

Two checks, because makemessages only sees what is marked:

- the catalogs: makemessages runs over a temporary copy of the project (the checkout is never
  touched) and every Korean entry must be translated, not fuzzy, and keep the placeholders of
  its msgid; the committed .mo files must hold exactly what the .po files say;
- the templates: visible text, and the title/aria-label/placeholder/alt attributes, must come
  from {% translate %}/{% blocktranslate %} or a variable, except proper nouns and symbols.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
# What makemessages reads; the rest of the tree (samples, benchmarks, vendored code, var/)
# holds no interface strings.
IGNORED = ["var", "tests", "bench", "samples", "static/vendor", "i18n-pending", "tools"]

# English by design: Swagger UI has no Korean, so its page stays English (lang="en").
ENGLISH_ONLY = {"ninja/swagger.html"}
# Words that are the same in every language: names, formats, symbols.
PROPER_NOUNS = {"Marginalia", "SHA-256", "English", "한국어"}
CHECKED_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdirf]|%[sdirf]|\{(\w*)\}")
_LETTER = re.compile(r"[^\W\d_]")
# Stands for what a template tag or variable renders: a digit, so that it is neither a
# word nor a break inside a tag (`<h{{ level }}`, `<label{% if %} title=…{% endif %}>`).
_MARK = "0"


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in _PLACEHOLDER.finditer(text))


def catalog_problems(po: polib.POFile) -> list[str]:
    """Return one line per entry that is untranslated, fuzzy, or loses a placeholder."""
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {where}")
            continue
        expected = placeholders(entry.msgid_plural or entry.msgid)
        for translation in translations:
            if placeholders(translation) != expected:
                problems.append(f"placeholders {placeholders(translation)} != {expected}: {where}")
    return problems


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory) -> dict[str, polib.POFile]:
    """Run makemessages for Korean over a temporary copy of the project; return its catalogs."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: install gettext (apt-get install gettext) to run this check.")
    copy = tmp_path_factory.mktemp("project") / "marginalia"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".git", ".venv", "var", "node_modules", "test-results", "__pycache__"),
    )
    ignores = [arg for name in IGNORED for arg in ("--ignore", name)]
    for domain in DOMAINS:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "ko",
                "-d",
                domain,
                "--no-location",
                *ignores,
            ],
            cwd=copy,
            env={**os.environ, "PYTHONPATH": str(copy)},
            check=True,
            capture_output=True,
        )
    return {domain: polib.pofile(copy / "locale/ko/LC_MESSAGES" / f"{domain}.po") for domain in DOMAINS}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_has_a_korean_translation(fresh_catalogs, domain):
    problems = catalog_problems(fresh_catalogs[domain])
    assert problems == [], (
        f"locale/ko/LC_MESSAGES/{domain}.po needs `make messages` and a translator:\n" + "\n".join(problems)
    )


def test_makemessages_left_the_checkout_alone(fresh_catalogs):
    # The check writes into its copy only: the checkout's catalog is what was committed.
    committed = polib.pofile(LOCALE / "ko/LC_MESSAGES/django.po")
    assert committed.metadata["Language"] == "ko"
    assert {e.msgid for e in fresh_catalogs["django"] if not e.obsolete} >= {"Library", "Sign in"}


def test_the_check_catches_what_it_must():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Library", msgstr="서재"))
    po.append(polib.POEntry(msgid="Search", msgstr=""))
    po.append(polib.POEntry(msgid="Codebook", msgstr="코드북", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Saved %(title)s.", msgstr="저장했습니다."))
    po.append(polib.POEntry(msgid="{n} kept", msgstr="{m}개 유지"))
    assert catalog_problems(po) == [
        "untranslated: 'Search'",
        "fuzzy: 'Codebook'",
        "placeholders [] != ['%(title)s']: 'Saved %(title)s.'",
        "placeholders ['{m}'] != ['{n}']: '{n} kept'",
    ]


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_files_say_what_the_po_files_say(domain):
    """The compiled catalogs are committed (the app needs no gettext to run); they must match."""
    po = polib.pofile(LOCALE / "ko/LC_MESSAGES" / f"{domain}.po")
    mo_path = LOCALE / "ko/LC_MESSAGES" / f"{domain}.mo"
    assert mo_path.exists(), f"run `make messages` to compile {mo_path.name}"
    mo = polib.mofile(mo_path)

    def entries(catalog) -> dict:
        return {
            (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalog
            if not e.obsolete and "fuzzy" not in e.flags and e.msgid
        }

    assert entries(mo) == entries(po), f"{mo_path.name} is stale: run `make messages`"


# Unmarked template text ---------------------------------------------------------------------


def template_skeleton(source: str) -> str:
    """Return the template's HTML with every tag and variable replaced by a mark, translated
    blocks included, and comments removed: what is left is literal text."""
    out: list[str] = []
    skipping: str | None = None  # the end tag of a block whose content is not literal text
    for token in Lexer(source).tokenize():
        if skipping:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skipping:
                skipping = None
                out.append(_MARK)
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in {"blocktranslate", "blocktrans"}:
                skipping = "end" + name
            elif name == "comment":
                skipping = "endcomment"
            else:
                out.append(_MARK)
        elif token.token_type == TokenType.VAR:
            out.append(_MARK)
    return "".join(out)


def _untranslated(text: str) -> str | None:
    words = text.replace(_MARK, " ").split()
    # A word with an underscore is an identifier (a token's `mgl_` prefix), not prose.
    left = [w for w in words if w.strip(".,:;()·“”'\"") not in PROPER_NOUNS and "_" not in w]
    return " ".join(left) if any(_LETTER.search(w) for w in left) else None


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._raw += 1
        for name, value in attrs:
            if name in CHECKED_ATTRIBUTES and value and (text := _untranslated(value)):
                self.found.append(f'{name}="{text}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data: str) -> None:
        if not self._raw and (text := _untranslated(data)):
            self.found.append(text)


def unmarked_text(source: str) -> list[str]:
    """Return the literal text of a template a reader would see untranslated."""
    finder = _TextFinder()
    finder.feed(template_skeleton(source))
    finder.close()
    return finder.found


def test_the_template_check_sees_unmarked_text():
    assert unmarked_text('<p>Hello</p><a title="Open it">{% translate "x" %}</a>') == [
        "Hello",
        'title="Open it"',
    ]
    assert (
        unmarked_text(
            '{% load i18n %}<p>{% translate "Hello" %} {{ name }} · Marginalia</p>'
            "<p aria-label=\"{% translate 'Hi' %}\">"
            "{% blocktranslate trimmed %}Dear {{ x }}{% endblocktranslate %}</p>"
            "{# a comment #}{% comment %}Notes{% endcomment %}<script>let a = 1;</script> — 12"
        )
        == []
    )


def _template_names() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


_LANG_OVERRIDE = re.compile(r"\{%\s*block\s+lang\s*%\}")


def test_no_template_shows_unmarked_text():
    offenders = {}
    for name in _template_names():
        if name in ENGLISH_ONLY:
            continue
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        found = unmarked_text(source)
        if name != "base.html" and _LANG_OVERRIDE.search(source):
            # <html lang> is the interface language; brief text carries its own lang.
            found.append("overrides {% block lang %}")
        if found:
            offenders[name] = found
    report = "\n".join(f"{name}: {found}" for name, found in offenders.items())
    assert offenders == {}, f"unmarked template text:\n{report}"


def test_pending_translations_fill_only_what_is_missing():
    from tools.i18n_merge_pending import merge

    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="Library", msgstr="서재"))
    catalog.append(polib.POEntry(msgid="Export", msgstr=""))
    catalog.append(polib.POEntry(msgid="Tag", msgstr="꼬리표", flags=["fuzzy"]))
    catalog.append(polib.POEntry(msgid="%(n)s tag", msgid_plural="%(n)s tags", msgstr_plural={0: "", 1: ""}))
    pending = polib.POFile()
    pending.append(polib.POEntry(msgid="Library", msgstr="라이브러리"))
    pending.append(polib.POEntry(msgid="Export", msgstr="내보내기"))
    pending.append(polib.POEntry(msgid="Tag", msgstr="태그"))
    pending.append(
        polib.POEntry(msgid="%(n)s tag", msgid_plural="%(n)s tags", msgstr_plural={0: "태그 %(n)s개"})
    )
    pending.append(polib.POEntry(msgid="Gone", msgstr="없음"))
    report = merge(catalog, pending, "reader.po")
    assert {e.msgid: (e.msgstr or e.msgstr_plural, e.flags) for e in catalog} == {
        "Library": ("서재", []),  # never overwritten
        "Export": ("내보내기", []),
        "Tag": ("태그", []),
        "%(n)s tag": ({0: "태그 %(n)s개"}, []),
    }
    assert report == [
        "reader.po: conflict, kept '서재' over '라이브러리'",
        "reader.po: not in the code: 'Gone'",
    ]
