"""Browser flows: Playwright driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made from the
# test body (fixtures, assertions) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
KINU_SAMPLE = SAMPLES / "001_b5edd7b7062599dc.txt"
STANCE_HEADING = "양자의 입장차: 빅딜 vs. 단계적 접근"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run "
            "the browser tests. They never download a browser of their own."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    # The interface follows Accept-Language: these flows read the English interface (the
    # Korean one has its own checks in tests/browser/test_i18n.py).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def users(transactional_db, settings) -> dict:
    from annotations.roles import Role
    from annotations.services import user_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        name: user_create(username=name, role=role, password=PASSWORD)
        for name, role in [("ana", Role.ANALYST), ("ann", Role.ANNOTATOR), ("kim", Role.ANNOTATOR)]
    }


@pytest.fixture
def codebook(transactional_db) -> None:
    from annotations.services import codebook_load_starter

    codebook_load_starter()


@pytest.fixture
def kinu(transactional_db):
    """The KINU sample brought in by the real importer with its demo metadata (samples/demo.json),
    plus one hand-made section holding emoji (characters outside the BMP)."""
    from briefs.models import Section
    from briefs.services import brief_import

    manifest = json.loads((SAMPLES / "demo.json").read_text(encoding="utf-8"))
    entry = next(d for d in manifest["documents"] if d["path"] == KINU_SAMPLE.name)
    brief = brief_import(
        data=KINU_SAMPLE.read_bytes(), filename=KINU_SAMPLE.name, metadata=entry["metadata"]
    ).brief
    Section.objects.create(
        brief=brief,
        position=brief.sections.count(),
        heading="이모지 시험",
        anchor="emoji",
        text="🇰🇷 제재 완화 😀 논의가 이어졌다.\n\n한국은 🇺🇸 미국과 긴밀히 협의했다.",
    )
    return brief


def stance(brief):
    """The section of the KINU brief the flows annotate (as the importer stored it)."""
    return brief.sections.get(heading=STANCE_HEADING)


def sign_in(page, username: str, next_path: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")
    page.wait_for_function("() => document.documentElement.classList.contains('reader-ready')")


SELECT_JS = """
([needle, sectionAnchor]) => {
  // Select the first occurrence of needle in a section's text with a DOM Range over its
  // text node(s), as a mouse drag would; return false when it is not there.
  const root = document.getElementById(sectionAnchor).querySelector(".section-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, text.length]); text += n.data; }
  const at = text.indexOf(needle);
  if (at < 0) return false;
  const locate = (offset, isEnd) => {
    for (const [node, base] of nodes) {
      const end = base + node.data.length;
      if (offset < end || (isEnd && offset === end)) return [node, offset - base];
    }
  };
  const range = document.createRange();
  range.setStart(...locate(at, false));
  range.setEnd(...locate(at + needle.length, true));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  return true;
}
"""


def select_text(page, needle: str, section_anchor: str | None = None) -> None:
    """Select `needle` in a section (by default the KINU brief's stance section)."""
    if section_anchor is None:
        from briefs.models import Section

        section_anchor = Section.objects.get(heading=STANCE_HEADING).anchor
    assert page.evaluate(SELECT_JS, [needle, section_anchor]), f"{needle!r} is not in the section"
    page.wait_for_selector("#annotator:not([hidden]) .annotator-bar:not([hidden])")
