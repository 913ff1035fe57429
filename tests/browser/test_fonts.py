"""The bundled Korean web font: served, loadable, covering Hangul, and fetched only when needed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

FAMILY = "Marginalia Noto Sans KR"
FONTS_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "fonts.css"
FACE = re.compile(r"@font-face \{(.*?)\}", re.DOTALL)


def faces() -> list[dict]:
    out = []
    for block in FACE.findall(FONTS_CSS.read_text()):
        ranges = []
        for part in re.search(r"unicode-range: ([^;]+);", block).group(1).split(","):
            first, _, last = part.strip().removeprefix("U+").partition("-")
            ranges.append((int(first, 16), int(last or first, 16)))
        out.append(
            {
                "weight": re.search(r"font-weight: (\d+);", block).group(1),
                "url": re.search(r"url\(\.\./([^)]+)\)", block).group(1),
                "ranges": ranges,
            }
        )
    return out


def test_every_face_exists_and_each_weight_covers_all_hangul_syllables():
    declared = faces()
    assert {face["weight"] for face in declared} == {"400", "600"}
    for face in declared:
        assert finders.find(face["url"]), f"{face['url']} is declared but not in static/"
    for weight in ("400", "600"):
        covered = set()
        for face in declared:
            if face["weight"] == weight:
                for first, last in face["ranges"]:
                    covered.update(range(first, last + 1))
        missing = [cp for cp in range(0xAC00, 0xD7A4) if cp not in covered]
        assert not missing, f"weight {weight} lacks {len(missing)} syllables, e.g. {chr(missing[0])}"


LOAD_JS = """
async ([family, sample]) => {
  const loaded = await document.fonts.load(`16px "${family}"`, sample);
  return loaded.map((face) => [face.family.replaceAll('"', ''), face.weight, face.status]);
}
"""


def test_the_browser_loads_the_web_font_for_hangul(page):
    fonts: list[tuple[str, int, str]] = []
    page.on(
        "response",
        lambda r: (
            fonts.append((r.url, r.status, r.headers.get("content-type", "")))
            if r.url.endswith(".woff2")
            else None
        ),
    )
    page.goto(f"{page.base_url}/accounts/login/")
    loaded = page.evaluate(LOAD_JS, [FAMILY, "통일연구원 북미정상회담"])
    assert loaded and all(status == "loaded" and family == FAMILY for family, _, status in loaded)
    assert fonts and all(status == 200 and "woff2" in kind for _, status, kind in fonts)
    # Only the subsets the characters need, not the whole font (248 files).
    assert len(fonts) <= 6, fonts


def test_a_reader_with_korean_fonts_installed_downloads_no_web_font(page):
    """The web font is the stack's last resort: with an installed Korean font (CI installs
    fonts-noto-cjk, which comes earlier in the stack) a page of Hangul fetches nothing."""
    installed = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout
    if "Noto Sans CJK KR" not in installed:
        pytest.fail("fonts-noto-cjk is missing: .ci/run installs it (apt-get install fonts-noto-cjk)")
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)
    page.goto(f"{page.base_url}/accounts/login/")
    page.evaluate("document.body.insertAdjacentText('beforeend', '통일연구원 제2차 북미정상회담')")
    page.evaluate("document.fonts.ready.then(() => document.fonts.size)")
    page.wait_for_load_state("networkidle")
    assert fonts == []
