"""Read a YAML plan into Raw mappings that know their line numbers.

Parsed by libyaml (CSafeLoader) when PyYAML has it (libyaml's composer recurses in C and
crashes the process on text nested some ten thousand levels deep, so text that may nest deeply
goes to the pure-Python loader, which stops at MAX_DEPTH levels with the line); any failure is
parsed again by the pure-Python loader, so every error message is exactly the one that loader
gives. libyaml accepts a few things the pure-Python scanner rejects (tabs as separators, '?'
inside [...] or {...}, a byte-order mark mid-file), so text holding any of these takes the
pure-Python path: the result is the one the pure-Python loader gives for every input.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

from programme.planfiles.rawplan import Raw, RawList
from programme.planfiles.yamlhints import excerpt, hint

MAX_DEPTH = 64  # lists and mappings inside each other; a plan needs about eight


def _too_deep(mark) -> yaml.MarkedYAMLError:
    line = mark.line + 1 if mark is not None else None
    return yaml.composer.ComposerError(
        None, None, f"nested too deeply at line {line} (more than {MAX_DEPTH} levels of lists "
        "and mappings)", mark)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry 1-based line numbers, and which refuses
    nesting deeper than MAX_DEPTH (PyYAML's composer is recursive)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _too_deep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


if TYPE_CHECKING:  # the stubs always declare it; a PyYAML built without libyaml lacks it
    _FastBase = yaml.CSafeLoader
    _Loader = yaml.SafeLoader | yaml.CSafeLoader  # the constructors below serve both loaders
else:
    _FastBase = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


class _FastLineLoader(_FastBase):
    """The same constructors over libyaml's parser (the plain SafeLoader when PyYAML lacks it)."""


_STR = "tag:yaml.org,2002:str"
_Scalar = yaml.ScalarNode


def _construct(loader: _Loader, node: yaml.Node) -> object:
    # A plain string is most of a plan: take its text straight from the node (what
    # construct_yaml_str returns) instead of going through PyYAML's generic dispatch.
    if node.tag == _STR and type(node) is _Scalar:
        return node.value
    return loader.construct_object(node, deep=True)


class _Deeper:
    """Counts how deep construction is (aliases can nest what composition saw as flat)."""

    def __init__(self, loader, node):
        self.loader, self.node = loader, node

    def __enter__(self):
        depth = getattr(self.loader, "_built_depth", 0) + 1
        self.loader._built_depth = depth
        if depth > MAX_DEPTH:
            raise _too_deep(self.node.start_mark)

    def __exit__(self, *exc):
        self.loader._built_depth -= 1


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Raw:
    with _Deeper(loader, node):
        return _build_mapping(loader, node)


def _build_mapping(loader: _Loader, node: yaml.MappingNode) -> Raw:
    raw = Raw(line=node.start_mark.line + 1)
    lines = raw.key_lines
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        if not isinstance(key, str):
            key = str(key)
        if key in raw:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping (first at line "
                f"{lines[key]}): keep one", key_node.start_mark
            )
        raw[key] = _construct(loader, value_node)
        lines[key] = key_node.start_mark.line + 1
    return raw


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> RawList:
    with _Deeper(loader, node):
        return _build_sequence(loader, node)


def _build_sequence(loader: _Loader, node: yaml.SequenceNode) -> RawList:
    items = RawList(line=node.start_mark.line + 1)
    for child in node.value:
        items.append(_construct(loader, child))
        items.item_lines.append(child.start_mark.line + 1)
    return items


def _date_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_yaml_str(node)


_loader: type[_LineLoader] | type[_FastLineLoader]
for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
    # Dates stay text here: the validator parses them, so a bad date is reported at its line.
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _date_text)


class YamlError(Exception):
    """A YAML file that cannot be read: the message in plain words, the line and column it
    concerns, and that line with a caret under the place (programme.planfiles.yamlhints)."""

    def __init__(self, message: str, line: int | None, column: int | None = None,
                 excerpt: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.excerpt = excerpt


# Text holding any of these is read by the pure-Python loader only (see the module docstring).
_PYTHON_ONLY = ("\t", "?", "\ufeff")
_BRACKETS = re.compile(r"[^\[\]{}]+")
_DASHES = re.compile(r"(?:-[ ]+){" + str(MAX_DEPTH // 2) + "}")


def may_nest_deeply(text: str) -> bool:
    """Whether text may nest more than MAX_DEPTH levels: brackets (counted even in quotes, and
    unclosed ones too, so this may say yes wrongly, never no) or a run of `- - - ...` on a line.
    Block nesting by indentation needs a square number of characters and stays well within
    what libyaml takes."""
    if _DASHES.search(text):
        return True
    brackets = _BRACKETS.sub("", text)
    for _ in range(MAX_DEPTH):
        shorter = brackets.replace("[]", "").replace("{}", "")
        if len(shorter) == len(brackets):
            return len(brackets) > MAX_DEPTH  # what no pair closes may still nest
        brackets = shorter
    return bool(brackets)


def load_yaml(text: str) -> object:
    """Parse YAML text; raise YamlError with a one-line message and the line it concerns."""
    if not any(c in text for c in _PYTHON_ONLY) and not may_nest_deeply(text):
        try:
            return yaml.load(text, Loader=_FastLineLoader)
        except Exception:  # read it again below, for the pure-Python loader's message and line
            pass
    return _load_python(text)


def _load_python(text: str) -> object:
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "unreadable YAML"
        if what.startswith("nested too deeply"):
            raise YamlError(what, line) from None
        if isinstance(exc, yaml.constructor.ConstructorError) or mark is None:
            if exc.context and exc.problem:
                what = f"{exc.problem} ({exc.context})"
            column = mark.column + 1 if mark else None
            raise YamlError(f"not valid YAML: {what}", line, column,
                            excerpt(text, line, column) if line and column else None) from None
        said = hint(exc, text)
        raise YamlError(said.message, said.line, said.column,
                        excerpt(text, said.line, said.column)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, at a position
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise YamlError(f"not valid YAML: the character {char!r} (#x{ord(char):04x}) at line "
                        f"{line}, column {column} is not allowed in YAML: remove it", line,
                        column, excerpt(text, line, column)) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()
        raise YamlError(f"not valid YAML: {first[0] if first else type(exc).__name__}", None) \
            from None
    except RecursionError:
        raise YamlError(f"nested too deeply (more than {MAX_DEPTH} levels of lists and "
                        "mappings)", None) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2026-02-30
        raise YamlError(f"not valid YAML: {exc}", None) from None
