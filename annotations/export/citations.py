"""Citations of an excerpt's source: Korean style for Korean briefs, Chicago-like for English ones.

Korean:  통일연구원 현안분석팀, 「제목」, 통일연구원 CO 19-05 (2019), '절 제목', 3쪽
English: Jane Doe and John Roe, "Title," KINU Online Series CO 19-05 (2019), "Section," p. 3.
The page is the printed page the quoted paragraph starts on, where the import knew pages;
a quote running onto a later page cites the range (3-4쪽, pp. 3–4). The series is printed
as the brief gives it. Empty parts are left out together with their punctuation.
"""

from __future__ import annotations

from annotations.models import Annotation
from briefs.models import Brief, Language, Section, SectionKind

_UNHEADED = {
    (SectionKind.SUMMARY, "ko"): "요약",
    (SectionKind.SUMMARY, "en"): "Summary",
    (SectionKind.BODY, "ko"): "들어가며",
    (SectionKind.BODY, "en"): "Introduction",
}
_CLOSING = (".", "?", "!", "…")


def section_label(section: Section, language: str) -> str:
    """Return the section's heading, or "요약"/"Summary" or "들어가며"/"Introduction" if it has none."""
    if section.heading:
        return section.heading
    kind = SectionKind.SUMMARY if section.kind == SectionKind.SUMMARY else SectionKind.BODY
    return _UNHEADED[(kind, "ko" if language == "ko" else "en")]


def _publisher(organisation: str, series_code: str, year: int | None) -> str:
    text = " ".join(part for part in (organisation.strip(), series_code.strip()) if part)
    if year:
        text = f"{text} ({year})" if text else f"({year})"
    return text


def _pages(page: int | None, last_page: int | None, *, en: bool) -> str:
    if not page:
        return ""
    if last_page and last_page > page:
        return f"pp. {page}–{last_page}" if en else f"{page}-{last_page}쪽"
    return f"p. {page}" if en else f"{page}쪽"


def citation_ko(brief: Brief, section: Section, page: int | None = None, last_page: int | None = None) -> str:
    """Return the Korean-style citation: 저자, 「제목」, 기관 시리즈 (연도), '절', 쪽."""
    parts = [
        ", ".join(a.strip() for a in brief.authors if a.strip()),
        f"「{brief.title}」",
        _publisher(brief.organisation or brief.organisation_en, brief.series_code, brief.year),
        f"'{section_label(section, 'ko')}'",
        _pages(page, last_page, en=False),
    ]
    return ", ".join(part for part in parts if part)


def _english_names(names: list[str]) -> str:
    names = [n.strip() for n in names if n.strip()]
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])}, and {names[-1]}"


def _quoted(text: str, punctuation: str) -> str:
    # Chicago puts the comma or full stop inside the quotation marks, unless the text
    # already ends with its own mark ("Is Denuclearisation Possible?").
    text = text.strip()
    return f'"{text}"' if text.endswith(_CLOSING) else f'"{text}{punctuation}"'


def citation_en(brief: Brief, section: Section, page: int | None = None, last_page: int | None = None) -> str:
    """Return the Chicago-like citation: Authors, "Title," Organisation Series (Year), "Section," p. N."""
    authors = _english_names(list(brief.authors))
    publisher = _publisher(brief.organisation_en or brief.organisation, brief.series_code, brief.year)
    parts = [f"{authors}," if authors else "", _quoted(brief.title, ",")]
    if publisher:
        parts.append(f"{publisher},")
    if page:
        parts.append(f"{_quoted(section_label(section, 'en'), ',')} {_pages(page, last_page, en=True)}.")
    else:
        parts.append(_quoted(section_label(section, "en"), "."))
    return " ".join(part for part in parts if part)


def citation(brief: Brief, section: Section, page: int | None = None, last_page: int | None = None) -> str:
    """Return the citation in the brief's own language's style, with the page(s) if known."""
    if brief.language == Language.KOREAN:
        return citation_ko(brief, section, page, last_page)
    return citation_en(brief, section, page, last_page)


def quote_pages(annotation: Annotation) -> tuple[int | None, int | None]:
    """Return the printed pages the quote's first and last characters are on (None if unknown)."""
    section = annotation.section
    return section.page_at(annotation.start), section.page_at(max(annotation.start, annotation.end - 1))


def annotation_citation(annotation: Annotation) -> str:
    """Return the citation of the annotation's quote: its brief, section and page(s)."""
    return citation(annotation.section.brief, annotation.section, *quote_pages(annotation))
