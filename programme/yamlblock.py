"""A fast reader for the plain block YAML that plan files are written in.

Plan files use a small part of YAML: block mappings and sequences, one-line plain or quoted
scalars, one-line flow collections (`depends_on: [a, b]`, `reminders: {chase_every: 3}`),
literal and folded block scalars (`description: >`), comments. This reader handles exactly that
part, line by line, about 2.5 times faster than libyaml plus PyYAML's constructors, and gives
the same Raw/RawList tree with the same line numbers. Anything else (anchors, aliases, tags,
escapes, plain or quoted scalars over several lines, flow collections over several lines,
indentation indicators, tabs, duplicate keys, anything malformed) raises Unsupported, and the
caller reads the text with PyYAML instead: so for every input the result, or the error message,
is the one PyYAML gives (tests/test_yaml_fast.py checks this by comparing the two on generated
and mangled documents).

Plain scalars are typed by PyYAML's own resolver (ints, floats, booleans, nulls), except that
dates stay text, as in yamlfile.py: the validator parses them, so a bad date is reported at its
line.
"""

from __future__ import annotations

import re

import yaml

from .rawplan import Raw, RawList


class Unsupported(Exception):
    """The text uses YAML this reader does not handle: read it with PyYAML."""


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TYPED_START = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)  # first characters
_AS_TEXT = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}
_TYPED = {
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
}
# A plain scalar may not start with these (YAML indicators), nor with '-', '?' or ':' before a space.
_BAD_START = frozenset("&*!|>%@`{}[],#'\"")
_FLOW_BAD = frozenset("?[]{}#")
_FLOW_SIMPLE_BAD = re.compile(r"[\[\]{}'\"#?:]")
_NO_TEXT = object()
_NOT_PLAIN = frozenset("'\"[{|>#")  # a value starting with one of these is quoted, flow, block or none
# Tabs, other line breaks (YAML 1.1 counts \x85, \u2028, \u2029), a byte-order mark, and what
# PyYAML's reader refuses as non-printable: all left to PyYAML, for its line numbers and messages.
_OUTSIDE = re.compile("[^\x0A\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD"
                      "\U00010000-\U0010FFFF]")


def _plain(text: str, memo: dict) -> object:
    """The value of a plain scalar, as PyYAML's resolver and SafeConstructor make it."""
    value = memo.get(text, _NO_TEXT)
    if value is not _NO_TEXT:
        return value
    first = text[:1]
    if first in _BAD_START or (first in "-?:" and text[1:2] in ("", " ")) or ": " in text \
            or text.endswith(":") or " #" in text:
        raise Unsupported
    if first not in _TYPED_START:
        memo[text] = text  # no implicit type starts with this character: it is text
        return text
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag in _AS_TEXT:
        value = text
    else:
        construct = _TYPED.get(tag)
        if construct is None:
            raise Unsupported
        try:
            value = construct(yaml.ScalarNode(tag, text))
        except Exception:
            raise Unsupported from None
    memo[text] = value
    return value


def _comment_only(tail: str) -> bool:
    tail = tail.lstrip(" ")
    return not tail or tail[0] == "#"


def _quoted(text: str) -> tuple[str, str]:
    """A quoted scalar at the start of text: (its value, the rest of the line after it)."""
    quote = text[0]
    if quote == "'":
        end = 1
        while True:
            end = text.find("'", end)
            if end < 0:
                raise Unsupported  # runs onto the next line
            if text[end + 1:end + 2] == "'":
                end += 2
                continue
            return text[1:end].replace("''", "'"), text[end + 1:]
    end = text.find('"', 1)
    if end < 0 or "\\" in text[1:end]:
        raise Unsupported  # multi-line, or escapes: PyYAML reads those
    return text[1:end], text[end + 1:]


def _flow(text: str, line: int, memo: dict) -> object:
    """A flow collection that opens and closes on this line: [a, "b"] or {key: value, ...}."""
    if text[0] == "[" and text[-1] == "]" and not _FLOW_SIMPLE_BAD.search(text, 1, len(text) - 1):
        # The usual `depends_on: [m1, m2]`: plain items, nothing nested, quoted or commented.
        items = RawList(line=line)
        inner = text[1:-1]
        if inner.strip(" "):
            for token in inner.split(","):
                token = token.strip(" ")
                value = memo.get(token, _NO_TEXT)
                if value is _NO_TEXT:
                    if not token:
                        raise Unsupported  # a trailing or doubled comma
                    value = _plain(token, memo)
                items.append(value)
            items.item_lines.extend([line] * len(items))
        return items
    value, pos = _flow_node(text, 0, line, memo)
    if not _comment_only(text[pos:]):
        raise Unsupported
    return value


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _flow_node(text: str, pos: int, line: int, memo: dict) -> tuple[object, int]:
    first = text[pos:pos + 1]
    if first in ("'", '"'):
        value, rest = _quoted(text[pos:])
        return value, len(text) - len(rest)
    if first == "[":
        items = RawList(line=line)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "]":
            return items, pos + 1
        while True:
            value, pos = _flow_node(text, pos, line, memo)
            items.append(value)
            items.item_lines.append(line)
            pos = _skip(text, pos)
            pos, done = _flow_next(text, pos, "]")
            if done:
                return items, pos
    if first == "{":
        raw = Raw(line=line)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "}":
            return raw, pos + 1
        while True:
            colon = text.find(": ", pos)
            if colon < 0:
                raise Unsupported
            key_text = text[pos:colon].rstrip(" ")
            if not key_text or any(c in _FLOW_BAD or c in ",:" for c in key_text):
                raise Unsupported
            key = _plain(key_text, memo)
            if type(key) is not str:
                key = str(key)
            if key in raw:
                raise Unsupported
            value, pos = _flow_node(text, _skip(text, colon + 2), line, memo)
            raw[key] = value
            raw.key_lines[key] = line
            pos = _skip(text, pos)
            pos, done = _flow_next(text, pos, "}")
            if done:
                return raw, pos
    # A plain scalar: up to the next ',', ']' or '}'.
    end = len(text)
    for stop in (",", "]", "}"):
        at = text.find(stop, pos)
        if 0 <= at < end:
            end = at
    token = text[pos:end].rstrip(" ")
    if not token or token[0] == ":" or any(c in _FLOW_BAD for c in token) \
            or (":" in token and _flow_colon(token)):
        raise Unsupported
    return _plain(token, memo), end


def _flow_next(text: str, pos: int, close: str) -> tuple[int, bool]:
    """After an item: a ',' and more, or the closing bracket. Anything else is left to PyYAML."""
    mark = text[pos:pos + 1]
    if mark == close:
        return pos + 1, True
    if mark == ",":
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] in ("]", "}", ",", ""):
            raise Unsupported  # a trailing or doubled comma
        return pos, False
    raise Unsupported


def _flow_colon(token: str) -> bool:
    """Whether a ':' in a flow item would make PyYAML read it as a key (or end the scalar)."""
    at = token.find(":")
    while at >= 0:
        if at + 1 == len(token) or token[at + 1] in " ,[]{}":
            return True
        at = token.find(":", at + 1)
    return False


class _Reader:
    __slots__ = ("at", "count", "indents", "memo", "numbers", "raw", "texts")

    def __init__(self, text: str):
        if "\r" in text:
            # Windows line ends: YAML reads "\r\n" as one line break, so the lines (and their
            # numbers) are the same without the "\r"s; a lone "\r" is left to PyYAML.
            text = text.replace("\r\n", "\n")
        if _OUTSIDE.search(text):
            raise Unsupported
        indents: list[int] = []
        texts: list[str] = []
        numbers: list[int] = []
        self.raw = text.split("\n")
        add_indent, add_text, add_number = indents.append, texts.append, numbers.append
        for number, line in enumerate(self.raw, 1):
            content = line.lstrip(" ")
            if not content:
                continue
            first = content[0]
            if first == "#":
                continue
            if first in "-.%" and (first == "%" or content.startswith(("---", "..."))):
                raise Unsupported  # document markers and directives
            add_indent(len(line) - len(content))
            add_text(content.rstrip(" "))
            add_number(number)
        self.indents, self.texts, self.numbers = indents, texts, numbers
        self.count = len(texts)
        self.memo: dict[str, object] = {}
        self.at = 0

    def document(self) -> object:
        if not self.count:
            raise Unsupported
        node = self.block(self.indents[0])
        if self.at != self.count:
            raise Unsupported
        return node

    def block(self, indent: int) -> object:
        text = self.texts[self.at]
        if text == "-" or text.startswith("- "):
            return self.sequence(indent)
        return self.mapping(indent)

    def value_after(self, indent: int, text: str, line: int, allow_compact: bool) -> object:
        """The value of a key or item whose text on its own line is `text`."""
        if text and text[0] != "#":
            first = text[0]
            if first in ("'", '"'):
                value, tail = _quoted(text)
                if not _comment_only(tail):
                    raise Unsupported
            elif first in "[{":
                value = _flow(text, line, self.memo)
            elif first in "|>" and allow_compact:
                value = self.block_scalar(indent, text, line)
            else:
                hash_at = text.find(" #")
                if hash_at >= 0:
                    text = text[:hash_at].rstrip(" ")
                value = _plain(text, self.memo)
            if self.at < self.count and self.indents[self.at] > indent:
                raise Unsupported  # a continuation line, or bad indentation
            return value
        # Nothing on the line: a nested block follows, or the value is null.
        if self.at < self.count:
            below = self.indents[self.at]
            if below > indent:
                nested = self.texts[self.at]
                if nested == "-" or nested.startswith("- ") or _is_entry(nested):
                    return self.block(below)
                raise Unsupported  # a multi-line plain scalar
            if allow_compact and below == indent:
                nested = self.texts[self.at]
                if nested == "-" or nested.startswith("- "):
                    return self.sequence(indent)
        if not allow_compact:
            raise Unsupported  # an empty sequence item: PyYAML marks it differently
        return None

    def block_scalar(self, indent: int, header: str, line: int) -> str:
        """A literal (|) or folded (>) scalar, with its chomping indicator, under a key.

        Handled when its lines all start at the scalar's own indentation and none starts with a
        space (so PyYAML's folding has no ambiguous cases), the indentation is not given, and no
        blank line comes first; anything else is left to PyYAML.
        """
        hash_at = header.find(" #")
        if hash_at >= 0:
            header = header[:hash_at]
        header = header.rstrip(" ")
        style, chomp = header[0], header[1:]
        if chomp not in ("", "-", "+"):
            raise Unsupported
        raw = self.raw
        last = len(raw) - 1  # raw[last] is what follows the final line break ('' if any)
        start = line  # raw index of the line after the header
        if start > last or not raw[start].strip(" "):
            raise Unsupported
        block = len(raw[start]) - len(raw[start].lstrip(" "))
        if block <= indent:
            raise Unsupported  # an empty scalar
        chunks: list[str] = []
        blanks = 0
        at = start
        line_break = "\n"
        while at <= last:
            text = raw[at]
            content = text.lstrip(" ")
            if not content:
                if len(text) > block:
                    raise Unsupported  # spaces beyond the indentation are content
                if at == last:
                    break  # the end of the text, after a line break
                blanks += 1
                at += 1
                continue
            if len(text) - len(content) < block:
                break
            if len(text) - len(content) > block:
                raise Unsupported  # a more-indented line
            if chunks:
                if blanks:
                    chunks.append("\n" * (blanks + (style == "|")))
                else:
                    chunks.append(" " if style == ">" else "\n")
            chunks.append(content)
            blanks = 0
            if at == last:
                line_break = ""  # the text ends without a line break
            at += 1
        if chomp != "-":
            chunks.append(line_break)
        if chomp == "+":
            chunks.append("\n" * blanks)
        # Skip the scalar's lines in the line index (comments inside it were content).
        while self.at < self.count and self.numbers[self.at] <= at:
            self.at += 1
        return "".join(chunks)

    def mapping(self, indent: int) -> Raw:
        indents, texts, numbers, count = self.indents, self.texts, self.numbers, self.count
        at = self.at
        raw = Raw(line=numbers[at])
        key_lines = raw.key_lines
        memo = self.memo
        memo_get = memo.get
        while at < count:
            level = indents[at]
            if level < indent:
                break
            if level > indent:
                raise Unsupported
            text = texts[at]
            line = numbers[at]
            body = text
            hash_at = body.find(" #")
            if hash_at >= 0:
                body = body[:hash_at].rstrip(" ")
            colon = body.find(": ")
            if colon >= 0:
                key_text = body[:colon].rstrip(" ")
                value_text = text[colon + 2:].lstrip(" ")
            elif body.endswith(":"):
                key_text = body[:-1].rstrip(" ")
                value_text = ""
            else:
                raise Unsupported  # not a key: a sequence item here, or a stray scalar
            key = memo_get(key_text, _NO_TEXT)
            if key is _NO_TEXT:
                if not key_text:
                    raise Unsupported
                key = _plain(key_text, memo)
            if type(key) is not str:
                key = str(key)
            if key in raw:
                raise Unsupported  # PyYAML reports the duplicate
            at += 1
            if value_text and value_text[0] not in _NOT_PLAIN:
                # The usual line, `key: plain text`: its comment, if any, was cut from body.
                if hash_at >= 0:
                    value_text = body[colon + 2:].lstrip(" ")
                value = memo_get(value_text, _NO_TEXT)
                if value is _NO_TEXT:
                    value = _plain(value_text, memo)
                if at < count and indents[at] > indent:
                    raise Unsupported  # a continuation line, or bad indentation
            else:
                self.at = at
                value = self.value_after(indent, value_text, line, True)
                at = self.at
            raw[key] = value
            key_lines[key] = line
        self.at = at
        return raw

    def sequence(self, indent: int) -> RawList:
        indents, texts, numbers = self.indents, self.texts, self.numbers
        items = RawList(line=numbers[self.at])
        item_lines = items.item_lines
        while self.at < self.count:
            level = indents[self.at]
            if level < indent:
                break
            if level > indent:
                raise Unsupported
            text = texts[self.at]
            if not (text == "-" or text.startswith("- ")):
                break  # the end of a compact sequence under a key at this indent
            line = numbers[self.at]
            rest = text[1:].lstrip(" ")
            if rest[:1] == "-" and (rest == "-" or rest.startswith("- ")):
                raise Unsupported  # a sequence inside an item on one line
            if rest and rest[0] not in "#'\"[" and _is_entry(rest):
                # An item that starts a mapping on the dash's line: its keys line up after "- ".
                inner = indent + len(text) - len(rest)
                indents[self.at] = inner
                texts[self.at] = rest
                item_lines.append(line)
                items.append(self.mapping(inner))
                continue
            if rest[:1] in ("'", '"'):
                _value, tail = _quoted(rest)
                if tail.lstrip(" ")[:1] == ":":
                    raise Unsupported  # a quoted key
            self.at += 1
            if not rest or rest[0] == "#":
                if self.at < self.count and indents[self.at] > indent:
                    item_lines.append(numbers[self.at])
                else:
                    item_lines.append(line)
            else:
                item_lines.append(line)
            items.append(self.value_after(indent, rest, line, False))
        return items


def _is_entry(text: str) -> bool:
    """Whether a line's text is `key: value` or `key:` (plain key)."""
    if text[0] in _BAD_START or text[0] == "?":
        return False
    hash_at = text.find(" #")
    body = text if hash_at < 0 else text[:hash_at].rstrip(" ")
    return ": " in body or body.endswith(":")


def read(text: str) -> object:
    """The plan tree of a block-YAML text; raises Unsupported for anything outside the subset."""
    return _Reader(text).document()
