"""Language is right in both languages (issue #20): every page a role can open, rendered in Chinese and in English.

The pages are the access matrix's (every URL of the URL conf, with real records of every kind, opened by each role
that gets a 200). In Chinese no ASCII comma, full stop, colon or semicolon sits in Chinese text ("30 个名额. 剩余",
"肢体, 四级"); in English no Chinese enumeration comma or full-width punctuation joins English words ("Guiding、
Registration"). The text checked is what a reader meets: text nodes and the attributes read aloud or shown.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import override_settings

from tests.project.test_access_matrix import (
    ANON,
    MEMBER_A,
    OK,
    STAFF,
    VOLUNTEER,
    World,
    build_world,
    entries,
    expected,
)

CJK = r"[\u3400-\u9fff]"
# Chinese: an ASCII , ; : ! ? after a Chinese character, an ASCII full stop ending a Chinese sentence, or an ASCII
# comma or semicolon before one ("0 次陪诊, 0 分钟.", "30 个名额. 剩余", "肢体, 四级").
ASCII_IN_CHINESE = re.compile(rf"{CJK}[,;:!?]|{CJK}\.(?![\w/])|[,;]\s*{CJK}")
# English: Chinese punctuation touching a Latin word ("Guiding、Registration", "Places：30"). Records written in Chinese
# (a follow-up's note "已提交申请 #1。") stay Chinese in English mode, with their own punctuation.
FULL_WIDTH = "、，。：；！？（）"
CHINESE_IN_ENGLISH = re.compile(rf"[A-Za-z)][{FULL_WIDTH}]|[{FULL_WIDTH}][A-Za-z(]")
SPOKEN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "value"}


class _Text(HTMLParser):
    """The text a reader meets: text nodes outside script and style, plus the attributes shown or read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if value and name in SPOKEN_ATTRIBUTES and not (name == "value" and tag not in ("input", "button")):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    # Lines, white space folded: a line break between two pieces of text is no punctuation.
    return [" ".join(part.split()) for part in parser.parts if part.strip()]


def bad_chinese(texts: list[str]) -> list[str]:
    return [text for text in texts if ASCII_IN_CHINESE.search(text)]


def bad_english(texts: list[str]) -> list[str]:
    return [text for text in texts if CHINESE_IN_ENGLISH.search(text)]


def test_the_checks_catch_the_cases_of_the_issue():
    assert bad_chinese(["30 个名额. 剩余 3 个", "0 次陪诊, 0 分钟.", "肢体, 四级", "地点: 静安体育中心"]) == [
        "30 个名额. 剩余 3 个",
        "0 次陪诊, 0 分钟.",
        "肢体, 四级",
        "地点: 静安体育中心",
    ]
    assert bad_chinese(["30 个名额。剩余 3 个", "肢体，四级", "版本 5.2", "https://example.org/活动"]) == []
    english = ["Guiding、Registration", "Places：30", "Physical, grade 4", "华东医院（东院）", "申请 #1。"]
    assert bad_english(english) == [
        "Guiding、Registration",
        "Places：30",
    ]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The access matrix's records, rolled back at the end of the module."""
    media = tmp_path_factory.mktemp("language-media")
    with (
        override_settings(MEDIA_ROOT=media, EXPORTS_ROOT=media / "exports"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


# Public pages, the field app, the volunteers' pages and the admin (staff open every admin list and form).
READERS = [ANON, MEMBER_A, VOLUNTEER, STAFF]


def pages(world: World, role: str) -> Iterator[tuple[str, str]]:
    """(rule key, URL) of every HTML page `role` opens with a 200."""
    for entry in entries():
        rule = expected(entry.key)
        if rule is None or rule[role] != OK or entry.key.endswith((" delete", " history")) or "feed" in entry.key:
            continue
        if entry.key in ("events:rss", "events:atom", "events:ics", "sitemap", "healthz", "healthz_ready"):
            continue
        yield entry.key, entry.url(world, role)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", READERS)
def test_no_foreign_punctuation_on_any_page(world, role, language):
    client = world.client(role)
    client.cookies["django_language"] = language
    check = bad_chinese if language == "zh-hans" else bad_english
    found, checked = [], 0
    for key, url in pages(world, role):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, which closes the file (a photo, an export)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        found += [f"{key:45} {url:55} {text[:140]!r}" for text in check(visible_text(response.content.decode()))]
    assert checked > 5
    assert not found, f"{role}, {language}: {len(found)} texts\n" + "\n".join(sorted(set(found)))
