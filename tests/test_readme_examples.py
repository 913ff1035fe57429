"""The README's API examples, run as written with curl against a live server holding the demo
data, each checked against what its comment promises.

The README sets BASE and TOKEN once and every example uses them; here BASE is the live
server and TOKEN a real read-write token of the demo editor (who may export). Nothing else
of the README's text is changed before running it.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.services import api_token_create

README = Path(__file__).resolve().parent.parent / "README.md"

pytestmark = pytest.mark.django_db(transaction=True)


def api_block() -> str:
    """Return the first ```sh block of the README's API section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the API section has no sh block"
    return match.group(1)


def examples() -> tuple[list[str], list[tuple[str, str]]]:
    """Return the block's variable lines and its (comment, curl command) examples."""
    variables: list[str] = []
    found: list[tuple[str, str]] = []
    comment: list[str] = []
    for line in api_block().splitlines():
        if line.startswith("#"):
            comment.append(line.lstrip("# "))
        elif line.startswith("curl "):
            found.append((" ".join(comment), line))
            comment = []
        elif re.match(r"^[A-Z]+=", line):
            variables.append(line)
    return variables, found


def test_every_example_uses_the_one_base_url_variable():
    variables, found = examples()
    names = [line.split("=", 1)[0] for line in variables]
    assert names == ["BASE", "TOKEN", "H"]
    assert len(found) >= 6
    for _, command in found:
        assert '"$BASE/api/v1/' in command, command
        assert "127.0.0.1" not in command and "localhost" not in command, command


def test_the_readme_says_how_to_change_the_port():
    text = README.read_text(encoding="utf-8")
    assert "make run PORT=8080" in text
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    assert "PORT ?= 8000" in makefile and "$(PORT)" in makefile


@pytest.fixture
def demo(settings):
    """The demo: both sample briefs, the starter codebook, the demo users and annotations."""
    settings.DEBUG = True  # load_demo makes the demo users only for a local (debug) run
    call_command("load_demo", "--with-users", stdout=io.StringIO())
    settings.DEBUG = False
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username="editor")
    _, raw = api_token_create(user=editor, name="readme", scope="write")
    return raw


def run(command: str, *, base: str, token: str, cwd: Path) -> tuple[int, bytes]:
    """Run a README curl line after its variable lines (BASE and TOKEN ours); return (status, body)."""
    variables, _ = examples()
    others = "\n".join(line for line in variables if not line.startswith(("BASE=", "TOKEN=")))
    script = f'BASE={base}\nTOKEN={token}\n{others}\n{command} -w "\\n%{{http_code}}"\n'
    done = subprocess.run(["bash", "-c", script], capture_output=True, cwd=cwd, timeout=60, check=True)
    body, _, status = done.stdout.rpartition(b"\n")
    return int(status), body


def test_the_readme_examples_return_what_they_say(demo, live_server, tmp_path):
    _, found = examples()
    results = {}
    for comment, command in found:
        results[command] = (comment, *run(command, base=live_server.url, token=demo, cwd=tmp_path))

    def only(fragment: str) -> tuple[int, bytes]:
        (match,) = [(status, body) for command, (_, status, body) in results.items() if fragment in command]
        return match

    # every claim tagged "partial sanctions relief" in briefs published since 2019
    status, body = only("annotations?tag=sanctions-partial-relief")
    assert status == 200
    items = json.loads(body)["items"]
    assert items and all("sanctions-partial-relief" in item["tags"] for item in items)
    assert "제재의 일부 해제를 요구했다고 밝혔다" in {item["quote"] for item in items}
    assert {item["brief"] for item in items} <= {"kinu-co-19-05", "wh-dprk-press-call-2021"}

    # the sync feed: the demo annotations the editor may see, a page of them and a `next` to keep
    from django.contrib.auth import get_user_model

    from annotations.selectors import annotations_visible_to

    # (the bulk example, run after the reads, added copies of the big-deal excerpts)
    copies = len(json.loads(only("annotations/bulk")[1])["ids"])
    visible = annotations_visible_to(get_user_model().objects.get(username="editor")).count() - copies
    status, body = only("ordering=updated&include_deleted=true")
    page = json.loads(body)
    assert status == 200 and len(page["items"]) == min(visible, 50) and page["next"]
    assert page["has_more"] is (visible > 50)

    # Korean-aware search with highlighted snippets
    status, body = only("search/sections")
    page = json.loads(body)
    assert status == 200 and page["count"] >= 1
    snippet = page["items"][0]["snippet"]
    marked = {snippet["text"][s:e] for s, e in snippet["highlights"]}
    assert marked & {"제재", "완화"}, marked

    status, body = only("search/annotations")
    page = json.loads(body)
    assert status == 200
    assert any("end-of-war-declaration" in item["tags"] for item in page["items"])

    # the W3C container
    status, body = only("w3c/annotations/")
    container = json.loads(body)
    assert status == 200 and "AnnotationCollection" in container["type"] and container["total"] == visible

    # the export, saved under the server's file name
    status, _ = only("format=xlsx")
    assert status == 200
    (saved,) = tmp_path.glob("*.xlsx")
    assert saved.read_bytes()[:2] == b"PK"

    # an export of the big-deal excerpts, sent back in as a batch: a copy of each, the editor's
    status, _ = only("format=jsonl")
    exported = (tmp_path / "excerpts.jsonl").read_bytes().splitlines()
    assert status == 200 and exported
    status, body = only("annotations/bulk")
    answer = json.loads(body)
    assert status == 201 and answer["created"] == len(exported) == len(answer["ids"])

    # a misspelt parameter is a 400 naming it
    status, body = only("tga=")
    assert status == 400 and json.loads(body)["field"] == "tga"
