"""Change lines of a bundle: the fast parser reads what the json module reads and refuses
what it refuses, and the fields' text is cut from a line only when it is certain."""
from __future__ import annotations

import json
import math

import pytest

from desktop_app.sync import bundle as fmt

PERSON = ('{"a":"u1","b":null,"d":"dev","h":"001796620288014.00004.dev","o":"o1","r":"p1",'
          '"s":21,"t":"person","f":{"family_name":"Сангинов","given_name":"Манучеҳр",'
          '"patronymic":"Ғуломҷонович","deleted":0,"phones":"+992 93 120 04 33",'
          '"notes":"«кавычки» \\"escaped\\" \\u0007 tab\\t","weight":72.5,"big":9007199254740993,'
          '"tags":["a",{"b":[1,2,{"c":null}]}]}}')


@pytest.mark.parametrize("text", [
    PERSON,
    '{"t":"person","f":{"x":1},"f":{"x":2}}',          # a key twice: the last one wins
    '{"s":-0,"f":{"e":1e5,"neg":-1.25E-3,"zero":0.0}}',
    '{"f":{"lone":"\\ud800"}}',                         # an unpaired surrogate escape
    '{"f":{"n":NaN,"i":-Infinity}}',                    # the json module's extensions
])
def test_lines_read_as_the_json_module_reads_them(text):
    line = text.encode("utf-8")
    expected = json.loads(text)
    got = fmt.parse_change_line(line)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert list(got) == list(expected)          # key order too (fields last, logged as is)
    if "NaN" in text:
        assert math.isnan(got["f"]["n"])


@pytest.mark.parametrize("line", [
    b'{"t":"person",',                                  # cut short
    b'{"t":"person"} {"t":"x"}',                        # two values on a line
    b'{"t":"\xff\xfe"}',                                # not UTF-8
    b"[" * 5000 + b"]" * 5000,                          # nested too deeply for either
    b'{"t":"person"}x',
])
def test_lines_the_json_module_refuses_are_refused(line):
    with pytest.raises((ValueError, RecursionError)):
        fmt.parse_change_line(line)


def test_fields_text_is_cut_only_from_a_line_whose_fields_come_last_once():
    line = PERSON.encode("utf-8")
    text = fmt.fields_text(line)
    assert text is not None and json.loads(text) == json.loads(PERSON)["f"]
    assert text.startswith('{"family_name":"Сангинов"')
    # the key written twice (a nested "f" object): nothing is cut, the fields are encoded
    assert fmt.fields_text(b'{"t":"x","f":{"f":{"a":1}}}') is None
    # the fields not an object, or not at the end
    assert fmt.fields_text(b'{"t":"x","f":[1]}') is None
    assert fmt.fields_text(b'{"f":{"a":1},"t":"x"}') is None
