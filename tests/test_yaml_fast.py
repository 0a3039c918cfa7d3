"""The fast block-YAML reader gives exactly what PyYAML gives, or steps aside.

programme/yamlblock.py reads plan files three times faster than libyaml by handling only plain
block YAML. These tests hold it to its promise: wherever it returns a tree, the tree is the one
PyYAML's pure-Python loader builds (values, types, key order, the line of every key and item);
wherever PyYAML rejects the text, the fast reader has stepped aside, so the lead sees PyYAML's
message. Documents are generated in many styles and then mangled character by character.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from programme import yamlblock
from programme.rawplan import Raw, RawList
from programme.yamlfile import YamlError, _load_python, load_yaml

PLANS = Path(__file__).resolve().parents[1] / "plans"


def assert_same(fast, slow, path="$"):
    assert type(fast) is type(slow), (path, fast, slow)
    if isinstance(fast, Raw):
        assert list(fast) == list(slow), path
        assert fast.line == slow.line, (path, fast.line, slow.line)
        assert fast.key_lines == slow.key_lines, path
        for key in fast:
            assert_same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(fast, RawList):
        assert (fast.line, fast.item_lines) == (slow.line, slow.item_lines), path
        assert len(fast) == len(slow), path
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(fast, float) and fast != fast:
        assert slow != slow, path  # NaN
    else:
        assert fast == slow, (path, fast, slow)


def agrees_with_pyyaml(text: str) -> bool:
    """True when the fast reader read the text (and matched PyYAML); False when it stepped aside."""
    try:
        fast = yamlblock.read(text)
    except yamlblock.Unsupported:
        return False
    try:
        slow = _load_python(text)
    except YamlError as exc:
        raise AssertionError(f"the fast reader accepted text PyYAML rejects: {exc.message}\n{text}") from None
    assert_same(fast, slow)
    return True


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.yaml")), ids=lambda p: p.name)
def test_reads_every_example_plan_exactly_as_pyyaml_does(path):
    assert agrees_with_pyyaml(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.yaml")), ids=lambda p: p.name)
def test_reads_a_plan_saved_with_windows_line_ends_exactly_as_pyyaml_does(path):
    assert agrees_with_pyyaml(path.read_text(encoding="utf-8").replace("\n", "\r\n"))


def test_a_lone_carriage_return_is_left_to_pyyaml():
    with pytest.raises(yamlblock.Unsupported):
        yamlblock.read("id: p\rtitle: x\n")


def test_reads_a_generated_ten_thousand_style_plan_exactly_as_pyyaml_does():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import generate_yaml

    assert agrees_with_pyyaml(generate_yaml(300, 7))


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: 1.5\nc: yes\nd: ~\ne: 2026-03-01\nf: 017\ng: '007'\n",
     {"a": 1, "b": 1.5, "c": True, "d": None, "e": "2026-03-01", "f": 15, "g": "007"}),
    ("x: http://example.com/a?b=c#frag\ny: a # comment\nz: 'it''s #1'\n",
     {"x": "http://example.com/a?b=c#frag", "y": "a", "z": "it's #1"}),
    ("d: >\n  one\n  two\n\n  three\ne: |-\n  keep\n  lines\nf: >+\n  kept\n\ng: 1\n",
     {"d": "one two\nthree\n", "e": "keep\nlines", "f": "kept\n\n", "g": 1}),
    ("r: {chase_every: 3, before: [10, 5, 1]}\nl: []\nm: {}\n",
     {"r": {"chase_every": 3, "before": [10, 5, 1]}, "l": [], "m": {}}),
    ("s:\n- a\n- 'b'\nt:\n  - id: x\n    n: [mailto://a@b.c, \"y, z\"]\n",
     {"s": ["a", "b"], "t": [{"id": "x", "n": ["mailto://a@b.c", "y, z"]}]}),
    ("1: one\ntrue: yes\n", {"1": "one", "True": True}),
])
def test_reads_the_plan_subset_of_yaml_with_pyyaml_types(text, expected):
    assert agrees_with_pyyaml(text)
    assert yamlblock.read(text) == expected


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",                      # anchors and aliases
    "a: !!str 1\n",                          # tags
    "a: \"tab\\tescape\"\n",                 # escapes
    "a: multi\n  line plain\n",              # a plain scalar over two lines
    "a: 'runs\n  on'\n",                     # a quoted scalar over two lines
    "a: [1,\n  2]\n",                        # a flow list over two lines
    "a: 1\na: 2\n",                          # a duplicate key (PyYAML's message)
    "a:\n\tb: 1\n",                          # tabs
    "--- \na: 1\n",                          # document markers
    "a: |2\n   indented\n",                  # an explicit indentation indicator
    "a: >\n  x\n    more indented\n",        # folding with more-indented lines
    "a: b: c\n",                             # an error
    "- a\n- b\n",                            # not a mapping at the top: still fine, but...
])
def test_steps_aside_for_yaml_outside_the_subset(text):
    try:
        yamlblock.read(text)
    except yamlblock.Unsupported:
        return
    # It may read some of these itself, but then it must agree with PyYAML exactly.
    assert agrees_with_pyyaml(text)


def test_a_plan_file_outside_the_subset_still_loads_through_pyyaml():
    text = "id: p\nlead: &lead ana\nsponsor: *lead\ntitle: \"Caf\\u00e9 pilot\"\n"
    assert load_yaml(text) == {"id": "p", "lead": "ana", "sponsor": "ana", "title": "Café pilot"}


def test_a_mistake_gets_pyyaml_s_message_and_line():
    with pytest.raises(YamlError) as caught:
        load_yaml("id: p\ntitle: a: b\nlead: ana\n")
    assert caught.value.line == 2 and "mapping values are not allowed" in caught.value.message


# Generated documents: trees of mappings, lists and scalars written in many block styles.

KEYS = st.sampled_from(["id", "title", "owner", "due", "depends_on", "a b", "x-y", "n1", "k:v",
                        "1", "true", "null", "~", "note#", "?q", "-k", "é"])
GOOD_PLAIN = ["text", "two words", "2026-02-30", "2026-04-01", "12", "-3", "0x1F", "1.5", "1e3",
              ".inf", "yes", "No", "off", "~", "null", "a:b", "a#b", "http://x/y?z", "+N working days",
              "+5 working days after m1", "0o7", "1:30", "café", "a  b", "?x", "-x", ":x"]
ODD_PLAIN = ["=", "'q'", "<<", "!x", "*x", "&x", "|", ">", "[x", "{x", "%x", "@x", "-", "- x", "?",
             ":", "a:", "x #c", "x,y", "x]", "a: b"]
PLAIN = st.one_of(st.sampled_from(GOOD_PLAIN), st.sampled_from(GOOD_PLAIN), st.sampled_from(GOOD_PLAIN),
                  st.sampled_from(GOOD_PLAIN), st.sampled_from(ODD_PLAIN))
QUOTED = st.one_of(st.text(alphabet="ab '#:,[]{}-é", max_size=8),
                   st.text(alphabet="ab '\"#:,[]{}\\-é\t", max_size=8))


@st.composite
def scalar(draw):
    kind = draw(st.sampled_from(["plain", "single", "double"]))
    if kind == "plain":
        return draw(PLAIN)
    text = draw(QUOTED)
    if kind == "single":
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace('"', "") + '"'


def flow(draw, depth):
    if depth < 2 and draw(st.booleans()):
        if draw(st.booleans()):
            return "[" + ", ".join(flow(draw, depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
        keys = draw(st.lists(KEYS, max_size=3, unique=True))
        pairs = [f"{key}: {flow(draw, depth + 1)}" for key in keys]
        return "{" + ", ".join(pairs) + "}"
    return draw(scalar())


def block_scalar(draw, indent):
    pad = " " * (indent + draw(st.integers(1, 3)))
    lines = draw(st.lists(st.sampled_from(["word", "two words", "", "# not a comment", " lead"]),
                          min_size=1, max_size=4))
    header = draw(st.sampled_from(["|", ">", "|-", ">-", "|+", ">+", "> # c"]))
    return header, [pad + line if line else draw(st.sampled_from(["", pad])) for line in lines]


def mapping(draw, indent, depth, out):
    for key in draw(st.lists(KEYS, min_size=1, max_size=4, unique=True)):
        pad = " " * indent
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["", pad + "# comment", "   "])))
        choice = draw(st.integers(0, 5)) if depth < 3 else 0
        if choice in (0, 1):
            comment = draw(st.sampled_from(["", "", " # note", "  #note"]))
            out.append(f"{pad}{key}: {draw(scalar()) if choice == 0 else flow(draw, 0)}{comment}")
        elif choice == 2:
            header, lines = block_scalar(draw, indent)
            out.append(f"{pad}{key}: {header}")
            out.extend(lines)
        elif choice == 3:
            out.append(f"{pad}{key}:")
            mapping(draw, indent + draw(st.integers(1, 4)), depth + 1, out)
        else:
            out.append(f"{pad}{key}:")
            sequence(draw, indent + draw(st.sampled_from([0, 2, 4])), depth + 1, out)


def sequence(draw, indent, depth, out):
    pad = " " * indent
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 3)) if depth < 3 else 0
        if choice == 0:
            out.append(f"{pad}- {draw(scalar())}")
        elif choice == 1:
            out.append(f"{pad}- {flow(draw, 0)}")
        else:
            gap = draw(st.integers(1, 3))
            inner: list[str] = []
            mapping(draw, indent + 1 + gap, depth + 1, inner)
            first = inner.index(next(line for line in inner if line.strip() and
                                     not line.strip().startswith("#")))
            out.extend(inner[:first])
            out.append(pad + "-" + " " * gap + inner[first].lstrip(" "))
            out.extend(inner[first + 1:])


@st.composite
def documents(draw):
    out: list[str] = []
    mapping(draw, 0, 0, out)
    text = "\n".join(out) + draw(st.sampled_from(["\n", "", "\n\n"]))
    return text.replace("\n", "\r\n") if draw(st.integers(0, 5)) == 0 else text  # Windows


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_read_exactly_as_pyyaml_reads_them(text):
    agrees_with_pyyaml(text)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["id: m1", "title: Plan it", "due: 2026-05-01", "n: 3"]),
                min_size=1, max_size=8, unique=True))
def test_the_plain_plan_style_is_always_read_by_the_fast_reader(lines):
    text = "milestones:\n" + "".join(f"  - {line}\n    owner: ana\n" for line in lines)
    assert agrees_with_pyyaml(text)


MANGLE = st.sampled_from([*list(" :-#'\"[]{},|>?&*!\nx\t~%"), "  ", "\n  ", ": ", "- "])


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_mangled_plans_are_read_exactly_as_pyyaml_reads_them_or_left_to_it(data):
    text = data.draw(st.sampled_from([p.read_text(encoding="utf-8") for p in sorted(PLANS.glob("*.yaml"))]))
    lines = text.split("\n")
    start = data.draw(st.integers(0, max(0, len(lines) - 30)))
    text = "\n".join(lines[start:start + 30])
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()) and at < len(text):
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + data.draw(MANGLE) + text[at:]
    assume(text.strip())
    agrees_with_pyyaml(text)
