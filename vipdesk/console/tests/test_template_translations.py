"""Every literal a template hands to {% translate %} reaches its Chinese text.

{% translate %} looks a literal up with each "%" doubled, so a catalogue entry written with a Python placeholder
("Birthday in %(n)s days") is never found and the English showed on the arrivals card. Placeholders for script
to fill are written {n}; this test finds any literal that still falls through to English.
"""
import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

import vipdesk

LITERAL = re.compile(r"""\{% (?:translate|trans) (["'])(.*?)\1""")
ROOT = Path(vipdesk.__file__).parent


def template_literals_with_a_percent() -> list[tuple[str, str, str]]:
    found = {}
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            quote, text = match.groups()
            if "%" in text and text not in found:
                found[text] = (str(path.relative_to(ROOT)), quote, text)
    return list(found.values())


LITERALS = template_literals_with_a_percent()


def test_the_scan_finds_the_literals_it_is_meant_to_check():
    assert len(LITERALS) >= 10, LITERALS


@pytest.mark.parametrize(("where", "quote", "text"), LITERALS, ids=[text for _, _, text in LITERALS])
def test_a_literal_with_a_percent_is_shown_in_chinese(where, quote, text):
    template = engines["django"].from_string("{% load i18n %}{% translate " + quote + text + quote + " %}")
    with translation.override("zh-hans"):
        shown = template.render({})
    assert shown != text and re.search(r"[\u4e00-\u9fff]", shown), f"{where}: {text!r} is shown untranslated"


def test_the_arrivals_card_counts_down_to_her_birthday_in_chinese(client):
    with translation.override("zh-hans"):
        shown = engines["django"].from_string("{% load i18n %}{% translate 'Birthday in {n} days' %}").render({})
    assert shown == "{n} 天后生日"
