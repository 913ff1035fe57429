"""The Markdown reader: markdown-it tokens → blocks, front matter → metadata, crawl furniture."""

from __future__ import annotations

import re

import pytest

from briefs.importers import blocks as b
from briefs.importers.markdown import read_front_matter, read_markdown
from briefs.importers.sectioner import document_from_blocks
from tests.briefs.corpus import corpus_file, corpus_spec


def kinds(document, *wanted):
    return [(blk.kind, blk.text) for blk in document.blocks if not wanted or blk.kind in wanted]


def sections(text: str):
    parsed = document_from_blocks(read_markdown(text), filename="x.md")
    return parsed, [(s.heading, s.level, s.text) for s in parsed.sections]


# --- front matter -------------------------------------------------------------------------


def test_front_matter_double_quoted_escapes_and_folded_lines():
    front = read_front_matter(
        'title: "Call on the Democratic\\\n  \\ People\\u2019s Republic of\\_Korea"\n'
        "date: '2021-03-23'\n"
        "source_url: https://example.org/a/b/\n"
    )
    assert front["title"] == "Call on the Democratic People\u2019s Republic of\u00a0Korea"
    assert front["date"] == "2021-03-23"
    assert front["source_url"] == "https://example.org/a/b/"


def test_front_matter_lists_single_quotes_and_block_scalars():
    front = read_front_matter(
        "authors:\n  - Kim Min-jun\n  - 'O''Neil, P.'\ntags: [a, \"b, c\"]\ndescription: >\n  one\n  two\n"
    )
    assert front["authors"] == ["Kim Min-jun", "O'Neil, P."]
    assert front["tags"] == ["a", "b, c"]
    assert front["description"] == "one two"


def test_front_matter_is_metadata_and_never_body():
    text = "---\ntitle: Memo\ndate: 2023-08-18\nauthor: A. Writer\nurl: https://example.org/m\n---\n\n"
    text += "Body text.\n"
    document = read_markdown(text)
    assert document.metadata["title"] == "Memo"
    assert document.metadata["publication_date"] == "2023-08-18"
    assert document.metadata["authors"] == ["A. Writer"]
    assert document.metadata["source_url"] == "https://example.org/m"
    assert kinds(document) == [(b.PARAGRAPH, "Body text.")]


def test_a_thematic_break_is_not_front_matter_and_a_setext_underline_makes_a_heading():
    document = read_markdown("Intro text.\n\n---\n\nSection\n---\n\nMore text.\n")
    assert kinds(document) == [
        (b.PARAGRAPH, "Intro text."),
        (b.HEADING, "Section"),
        (b.PARAGRAPH, "More text."),
    ]
    assert document.metadata == {}


# --- title --------------------------------------------------------------------------------


def test_a_first_h1_equal_to_the_front_matter_title_is_the_title_not_a_section():
    parsed, found = sections("---\ntitle: The Memo\n---\n# The Memo\n\nIntro.\n\n## Part\n\nText.\n")
    assert parsed.title == "The Memo"
    assert found == [("", 2, "Intro."), ("Part", 2, "Text.")]


def test_the_front_matter_title_wins_over_a_different_h1_which_stays_a_heading():
    parsed, found = sections("---\ntitle: Stated\n---\n# Other\n\nText.\n")
    assert parsed.title == "Stated"
    assert found == [("Other", 1, "Text.")]


def test_without_front_matter_the_only_h1_is_the_title():
    parsed, found = sections("# Alone\n\nText.\n\n## Next\n\nMore.\n")
    assert parsed.title == "Alone"
    assert [h for h, _, _ in found] == ["", "Next"]


# --- inline text --------------------------------------------------------------------------


def test_inline_markup_becomes_plain_text():
    document = read_markdown(
        "It\\_s **bold**, *em*, [a link](https://x.org), `code` &#x27;q&#x27; \\u2019 ![pic](p.png) end\n"
    )
    assert kinds(document) == [(b.PARAGRAPH, "It_s bold, em, a link, code 'q' \u2019 end")]


def test_a_broken_bold_run_leaves_no_stars():
    document = read_markdown("- **Commitment to Consult: **The Leaders agreed.\n")
    assert kinds(document) == [(b.LIST_ITEM, "Commitment to Consult: The Leaders agreed.")]


def test_escaped_stars_are_kept():
    assert kinds(read_markdown("2 \\*\\* 3\n")) == [(b.PARAGRAPH, "2 ** 3")]


# --- block kinds --------------------------------------------------------------------------


def test_list_items_keep_their_markers():
    document = read_markdown("3. three\n4. four\n\n- dash\n  - nested\n")
    assert [(blk.kind, blk.marker, blk.level, blk.text) for blk in document.blocks] == [
        (b.LIST_ITEM, "3.", 1, "three"),
        (b.LIST_ITEM, "4.", 1, "four"),
        (b.LIST_ITEM, "•", 1, "dash"),
        (b.LIST_ITEM, "•", 2, "nested"),
    ]


def test_tables_quotes_and_code():
    document = read_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n```\nx = 1\n```\n")
    table, quote, code = document.blocks
    assert (table.kind, table.rows) == (b.TABLE, [["a", "b"], ["1", "2"]])
    assert (quote.kind, quote.text) == (b.QUOTE, "quoted")
    assert (code.kind, code.text) == (b.CODE, "x = 1")


def test_footnotes_follow_the_block_that_cites_them():
    parsed, found = sections("## A\n\nCited[^n].\n\nAfter.\n\n## B\n\nOther.\n\n[^n]: The note.\n")
    assert found == [("A", 2, "Cited[n].\n\nAfter.\n\n[n] The note."), ("B", 2, "Other.")]
    assert any(blk.kind == b.FOOTNOTE for blk in parsed.blocks)


def test_a_short_bold_paragraph_is_a_heading_below_the_one_before():
    document = read_markdown("Intro.\n\n**FIRST PART**\n\nText.\n\n## Real\n\n**Sub part**\n\nMore.\n")
    assert [(blk.text, blk.level) for blk in document.blocks if blk.kind == b.HEADING] == [
        ("FIRST PART", 3),
        ("Real", 2),
        ("Sub part", 3),
    ]


@pytest.mark.parametrize(
    "text",
    ["**A whole bold sentence.**\n", "**Lead in:**\n", "- **In a list**\n", "**Bold** and not bold\n"],
)
def test_bold_that_is_not_a_subhead_stays_body(text):
    assert not [blk for blk in read_markdown(text).blocks if blk.kind == b.HEADING]


# --- furniture ----------------------------------------------------------------------------


def test_link_only_navigation_and_an_end_mark_are_furniture():
    text = (
        "[Skip to content](#main)\n\n- [Home](/)\n- [News](/news)\n\nThe body starts here.\n\n"
        "Para with [a link](/x) inside.\n\n\\###\n"
    )
    document = read_markdown(text)
    assert [blk.text for blk in document.blocks if blk.kind == b.FURNITURE] == [
        "Skip to content",
        "Home",
        "News",
        "###",
    ]
    assert [blk.text for blk in document.blocks if blk.kind != b.FURNITURE] == [
        "The body starts here.",
        "Para with a link inside.",
    ]


def test_a_crawl_footer_at_the_end_is_furniture():
    text = (
        "---\nsource_url: https://example.org/page\n---\n\nBody.\n\n"
        "Scraped at 2024-05-01 10:22\n\nSource: https://example.org/page\n"
    )
    document = read_markdown(text)
    assert [blk.kind for blk in document.blocks] == [b.PARAGRAPH, b.FURNITURE, b.FURNITURE]


def test_a_short_dated_line_in_the_middle_stays():
    document = read_markdown("Body.\n\n10:30 a.m. session\n\nThe session opened at once and went on.\n")
    assert [blk.kind for blk in document.blocks] == [b.PARAGRAPH, b.PARAGRAPH, b.PARAGRAPH]


def test_a_leading_line_repeating_the_front_matter_is_not_body():
    document = read_markdown(
        "---\ntitle: The Memo\npublisher: The Office\n---\nThe Office\n\n**The Memo**\n\nBody.\n"
    )
    assert kinds(document) == [(b.FURNITURE, "The Office"), (b.TITLE, "The Memo"), (b.PARAGRAPH, "Body.")]


# --- the corpus ---------------------------------------------------------------------------


def corpus_case(doc_id: str):
    spec = corpus_spec(doc_id)
    path = corpus_file(spec["file"])
    parsed = document_from_blocks(read_markdown(path.read_text(encoding="utf-8")), filename=path.name)
    return spec, parsed


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("doc_id", ["07", "08"])
def test_corpus_documents(doc_id):
    spec, parsed = corpus_case(doc_id)
    assert squash(parsed.title) in [squash(t) for t in spec["title"]]
    assert [s.heading for s in parsed.sections] == [s["h"][0] for s in spec["sections"]]
    body = "\n".join(s.heading + "\n" + s.text for s in parsed.sections)
    for name, pattern in spec["junk"]:
        assert not re.search(pattern, body), name
    for text in spec["must_contain"]:
        assert text in body
    assert "source_url" not in body and "published_time" not in body


def test_the_fact_sheet_subheads_rank_below_the_introduction():
    _, parsed = corpus_case("07")
    assert [s.level for s in parsed.sections] == [2, 3, 3, 3, 3, 3]
    assert parsed.publication_date == "2023-08-18"


def test_code_keeps_backslash_sequences():
    assert kinds(read_markdown("Use `\\u2019` here\n")) == [(b.PARAGRAPH, "Use \\u2019 here")]


def test_recurring_bold_labels_and_bold_datelines_are_not_headings():
    text = "**Q**\n\nWhy?\n\n**MODERATOR**\n\nBecause.\n\n**Q**\n\nWhen?\n\n**MODERATOR**\n\nSoon.\n\n"
    text += "**March 23, 2021**\n"
    assert not [blk for blk in read_markdown(text).blocks if blk.kind == b.HEADING]


def test_a_breadcrumb_ending_in_the_title_is_furniture():
    text = "---\ntitle: The Memo\n---\n1.  [Home](/)\n2.  [News](/news)\n3.  <span>The Memo</span>\n\nBody.\n"
    assert [blk.kind for blk in read_markdown(text).blocks] == [b.FURNITURE] * 3 + [b.PARAGRAPH]


def test_a_trailing_heading_over_a_link_list_is_furniture():
    text = "# Memo\n\nBody.\n\n## Related\n\n- [One](/1)\n- [Two](/2)\n"
    parsed, found = sections(text)
    assert found == [("", 2, "Body.")]


def test_zero_width_characters_are_removed():
    document = read_markdown('---\ntitle: "Biden-\\u2060Harris"\n---\nThe Biden-\u2060Harris plan\u200b.\n')
    assert document.metadata["title"] == "Biden-Harris"
    assert kinds(document) == [(b.PARAGRAPH, "The Biden-Harris plan.")]


def test_a_crawlers_key_value_header_is_metadata_not_body():
    text = (
        "Title: The Memo\n\nURL Source: https://example.org/memo\n\nPublished Time: 2024-05-01T10:00:00Z\n\n"
        "Markdown Content:\n\nBody text.\n"
    )
    document = read_markdown(text)
    assert document.metadata["title"] == "The Memo"
    assert document.metadata["source_url"] == "https://example.org/memo"
    assert document.metadata["publication_date"] == "2024-05-01"
    assert [blk.text for blk in document.blocks if blk.kind != b.FURNITURE] == ["Body text."]


def test_key_value_lines_without_a_url_stay_body():
    document = read_markdown("Note: this is short.\n\nScope: the whole region.\n\nBody.\n")
    assert [blk.kind for blk in document.blocks] == [b.PARAGRAPH] * 3


def test_toml_front_matter():
    document = read_markdown('+++\ntitle = "Memo"\ndate = 2024-05-01\n+++\n\nBody.\n')
    assert document.metadata["title"] == "Memo"
    assert document.metadata["publication_date"] == "2024-05-01"
    assert kinds(document) == [(b.PARAGRAPH, "Body.")]


def test_a_bracketed_edit_link_closing_a_heading_goes():
    document = read_markdown(
        "## History [[edit](/e)]\n\nText.\n\n## 역사 [[편집]](/e)\n\nMore.\n\n## See [note](/n)\n\nEnd.\n"
    )
    assert [blk.text for blk in document.blocks if blk.kind == b.HEADING] == ["History", "역사", "See note"]


@pytest.mark.parametrize(
    ("stated", "iso"),
    [
        ("2023-08-18T10:00:00Z", "2023-08-18"),
        ("August 18, 2023", "2023-08-18"),
        ("2023년 8월 18일", "2023-08-18"),
    ],
)
def test_the_front_matter_date_is_read_in_its_usual_forms(stated, iso):
    assert read_markdown(f"---\ndate: {stated}\n---\nBody.\n").metadata["publication_date"] == iso


# --- scraped pages whose body has no heading markup -----------------------------------------

PROSE = (
    "The committee met on several occasions over the year and considered a range of proposals "
    "brought forward by members, staff and outside experts, weighing each on its merits."
)


def _page(body: str) -> str:
    return (
        "# Harbour Dredging Policy\n\n"
        "**Kind:** Brief\n**Report No.:** HB101\n**Publication Date:** 03/05/2025\n"
        "**Author(s):** Lane, Ada M.\n\n"
        "[Cite](https://a.example/c)[Share](https://a.example/s)[Home](https://a.example/) > "
        "[Briefs](https://a.example/b) > HB101\n\n"
        "# Harbour Dredging Policy\n\n"
        "## SITE BANNER\n\n"
        "| **Kind:** | Brief\n| **Authors:** | Lane, Ada M.; Roe, Ben\n\n"
        "[Download PDF](https://a.example/x.pdf)\n\n"
        "[Listen](https://a.example/l)Harbour Dredging PolicyUpdated March 5, 2025 (HB101)\n\n" + body
    )


def _body(*heads: str) -> str:
    parts = [PROSE, PROSE]
    for head in heads:
        parts += [head, PROSE, PROSE]
    return "\n\n".join(parts) + "\n"


def test_a_bold_key_value_block_under_the_h1_is_metadata_and_the_h1_the_title():
    document = read_markdown(_page(_body("Origins", "Costs")))
    meta = document.metadata
    assert meta["title"] == "Harbour Dredging Policy"
    assert meta["series_code"] == "HB101"
    assert meta["publication_date"] == "2025-03-05"
    assert meta["authors"] == ["Lane, Ada M."]
    assert not any("Report No" in blk.text for blk in document.blocks if blk.kind != b.FURNITURE)


def test_plain_key_value_lines_without_a_url_or_bold_keys_stay_text():
    document = read_markdown("Note: this is a remark.\nAnother: remark here.\n\n" + PROSE + "\n")
    assert document.blocks[0].kind == b.PARAGRAPH


def test_glued_links_with_a_plain_last_step_are_a_breadcrumb():
    document = read_markdown("[A](u)[B](v) > [Reports](w) > R12\n\n" + PROSE + "\n")
    assert document.blocks[0].kind == b.FURNITURE
    prose_with_links = read_markdown("See [the first report](u) and [the second report](v) for more.\n")
    assert prose_with_links.blocks[0].kind == b.PARAGRAPH


def test_the_second_h1_repeating_the_title_and_a_banner_over_furniture_are_not_sections():
    parsed, found = sections(_page(_body("Origins", "Costs")))
    assert parsed.title == "Harbour Dredging Policy"
    assert [heading for heading, _, _ in found] == ["", "Origins", "Costs"]
    text = " ".join(body for _, _, body in found)
    assert "Download" not in text and "Updated March" not in text and "Lane, Ada" not in text


def test_a_key_value_pipe_table_before_the_body_gives_the_authors():
    document = read_markdown(
        "# T Title Here\n\n| **Kind:** | Brief\n| **Authors:** | Lane, Ada M.; Roe, Ben\n\n"
        + _body("A Part", "B Part")
    )
    assert document.metadata["authors"] == ["Lane, Ada M.", "Roe, Ben"]
    assert not [blk for blk in document.blocks if blk.kind == b.TABLE]


def test_headings_are_inferred_in_a_long_body_without_heading_markup():
    parsed, found = sections(
        _page(_body("Origins of the Policy", "Costs and Funding", "Issues for Congress"))
    )
    assert [(heading, level) for heading, level, _ in found][1:] == [
        ("Origins of the Policy", 2),
        ("Costs and Funding", 2),
        ("Issues for Congress", 2),
    ]


def test_no_heading_is_inferred_from_sentences_labels_or_a_single_short_line():
    # ends with sentence punctuation / a colon, lower case, or only one candidate at all
    body = _body("This is a sentence.", "SPEAKER:", "lower case line", "Only Candidate")
    document = read_markdown(body)
    assert not [blk for blk in document.blocks if blk.kind == b.HEADING]
    # a short body is not searched
    short = read_markdown(f"{PROSE}\n\nOrigins\n\n{PROSE}\n\nCosts\n\n{PROSE}\n")
    assert not [blk for blk in short.blocks if blk.kind == b.HEADING]


def test_a_body_with_heading_markup_gets_no_inferred_headings():
    body = _body("Origins", "Costs").replace("Origins", "## Origins").replace("\nCosts", "\n## Costs")
    body += "\n\nLoose Line\n\n" + PROSE + "\n"
    document = read_markdown(body)
    assert [blk.text for blk in document.blocks if blk.kind == b.HEADING] == ["Origins", "Costs"]


def test_table_of_contents_entries_mark_headings_even_as_questions():
    toc = "# Contents\n\n- [Why Now?](#a)\n- [Who Pays?](#b)\n\n"
    document = read_markdown("---\ntitle: The Title Text\n---\n" + toc + _body("Why Now?", "Who Pays?"))
    assert [blk.text for blk in document.blocks if blk.kind == b.HEADING] == ["Why Now?", "Who Pays?"]
    contents = next(blk for blk in document.blocks if blk.text == "Contents")
    assert contents.kind == b.FURNITURE


def test_a_numbered_label_over_a_table_is_a_caption_not_a_heading():
    body = _body("Origins", "Costs").replace(
        "Costs\n\n", "Costs\n\nTable 1. Yearly Costs\n\n| a | b\n| c | d\n\n"
    )
    document = read_markdown(body)
    assert next(blk for blk in document.blocks if blk.text == "Table 1. Yearly Costs").kind == b.CAPTION


def test_the_title_glued_to_a_date_after_a_link_is_furniture_but_prose_naming_it_is_not():
    document = read_markdown(_page(_body("Origins", "Costs")))
    glued = next(blk for blk in document.blocks if "Updated March" in blk.text)
    assert glued.kind == b.FURNITURE
    named = read_markdown(
        "---\ntitle: Harbour Dredging Policy\n---\nThe Harbour Dredging Policy was adopted in 2020.\n"
    )
    assert named.blocks[0].kind == b.PARAGRAPH


def test_numbered_pipe_rows_under_footnotes_are_footnotes_and_an_indented_label_a_heading():
    tail = "# Footnotes\n\n| 1. | First note.\n| 2. | Second note.\n\n        Notice:\n" + PROSE + "\n"
    parsed, found = sections(_page(_body("Origins", "Costs")) + "\n" + tail)
    heads = [heading for heading, _, _ in found]
    assert heads[-2:] == ["Footnotes", "Notice"]
    notes = [blk for blk in read_markdown(tail).blocks if blk.kind == b.FOOTNOTE]
    assert [blk.text for blk in notes] == ["[1] First note.", "[2] Second note."]


def test_bold_lead_ins_of_prose_at_the_start_are_no_metadata_header():
    text = (
        "**Summary:** The council agreed a plan that will change how the port is run.\n"
        "**Outlook:** Further work is expected to follow over the coming year.\n"
        "**Next:** A review.\n\n" + PROSE + "\n"
    )
    document = read_markdown(text)
    assert document.blocks[0].kind == b.PARAGRAPH


def test_a_nested_table_of_contents_gives_inferred_headings_their_levels():
    toc = "# Contents\n\n- [Origins](#a)\n  - [Early Years](#b)\n- [Costs](#c)\n\n"
    document = read_markdown(
        "---\ntitle: The Title Text\n---\n" + toc + _body("Origins", "Early Years", "Costs")
    )
    assert [(blk.text, blk.level) for blk in document.blocks if blk.kind == b.HEADING] == [
        ("Origins", 2),
        ("Early Years", 3),
        ("Costs", 2),
    ]
