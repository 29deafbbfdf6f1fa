"""The OData 4 query options the stand-in understands: ``$filter`` (``eq``, ``ne``, ``and``, ``or``,
``not``, parentheses, ``contains``, ``startswith``, ``tolower``, property paths through lookups,
string/number/boolean/null/GUID literals), ``$select``, ``$expand`` (nested, with its own
``$select`` and ``$expand``) and ``$orderby``.

Comparisons are typed as Creatio's are: a GUID compared with a string is an error, not ``false``.
Text comparison is case-sensitive (Creatio on PostgreSQL) unless the store says it is not (MSSQL).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class QueryError(ValueError):
    """A query Creatio would refuse (400, with an OData error body)."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
  | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\w-])
  | (?P<number>-?\d+(?:\.\d+)?)(?![\w.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<punct>[(),])
)""", re.VERBOSE)
KEYWORDS = {"and", "or", "not", "eq", "ne", "true", "false", "null"}
FUNCTIONS = {"contains": 2, "startswith": 2, "endswith": 2, "tolower": 1, "toupper": 1}

Resolve = Callable[[dict, str], Any]  # (row, property path) -> value; raises QueryError for an unknown one


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"Syntax error at position {position} in '{text}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


@dataclass
class Node:
    op: str
    args: tuple[Any, ...]


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.position = 0

    def parse(self) -> Node:
        node = self.or_()
        if self.position != len(self.tokens):
            raise QueryError(f"Syntax error: unexpected '{self.tokens[self.position][1]}'")
        return node

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise QueryError(f"Syntax error: expected '{value or 'more'}'")
        self.position += 1
        return token

    def word(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token[0] == "name" and token[1] in words:
            self.position += 1
            return token[1]
        return None

    def or_(self) -> Node:
        node = self.and_()
        while self.word("or"):
            node = Node("or", (node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.word("and"):
            node = Node("and", (node, self.not_()))
        return node

    def not_(self) -> Node:
        if self.word("not"):
            return Node("not", (self.not_(),))
        left = self.value()
        op = self.word("eq", "ne")
        return Node(op, (left, self.value())) if op else left

    def value(self) -> Node:
        kind, text = self.take()
        if text == "(" and kind == "punct":
            node = self.or_()
            self.take(")")
            return node
        if kind == "string":
            return Node("literal", (text[1:-1].replace("''", "'"),))
        if kind == "guid":
            return Node("literal", (uuid.UUID(text),))
        if kind == "number":
            return Node("literal", (float(text) if "." in text else int(text),))
        if kind == "name":
            if text in ("true", "false"):
                return Node("literal", (text == "true",))
            if text == "null":
                return Node("literal", (None,))
            if text in FUNCTIONS:
                self.take("(")
                args = [self.or_()]
                while self.peek() == ("punct", ","):
                    self.take(",")
                    args.append(self.or_())
                self.take(")")
                if len(args) != FUNCTIONS[text]:
                    raise QueryError(f"The function '{text}' takes {FUNCTIONS[text]} arguments")
                return Node(text, tuple(args))
            if text in KEYWORDS:
                raise QueryError(f"Syntax error: unexpected '{text}'")
            return Node("path", (text,))
        raise QueryError(f"Syntax error: unexpected '{text}'")


def parse_filter(text: str) -> Node:
    return _Parser(text).parse()


def evaluate(node: Node, row: dict, resolve: Resolve, *, case_insensitive: bool) -> Any:
    def ev(n: Node) -> Any:
        return evaluate(n, row, resolve, case_insensitive=case_insensitive)

    def fold(value: Any) -> Any:
        return value.lower() if case_insensitive and isinstance(value, str) else value

    op, args = node.op, node.args
    if op == "literal":
        return args[0]
    if op == "path":
        return resolve(row, args[0])
    if op in ("and", "or"):
        left, right = ev(args[0]), ev(args[1])
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise QueryError(f"'{op}' needs boolean operands")
        return (left and right) if op == "and" else (left or right)
    if op == "not":
        return not ev(args[0])
    if op in ("eq", "ne"):
        left, right = ev(args[0]), ev(args[1])
        if left is not None and right is not None and _kind(left) != _kind(right):
            raise QueryError(f"The types '{_kind(left)}' and '{_kind(right)}' are not compatible in '{op}'")
        return (fold(left) == fold(right)) == (op == "eq")
    if op in ("tolower", "toupper"):
        value = ev(args[0])
        if value is None:
            return None
        _need_text(op, value)
        return value.lower() if op == "tolower" else value.upper()
    if op in ("contains", "startswith", "endswith"):
        text, part = ev(args[0]), ev(args[1])
        if text is None or part is None:
            return False
        _need_text(op, text)
        _need_text(op, part)
        text, part = fold(text), fold(part)
        return part in text if op == "contains" else text.startswith(part) if op == "startswith" \
            else text.endswith(part)
    raise QueryError(f"Unsupported operation '{op}'")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "Edm.Boolean"
    if isinstance(value, int | float):
        return "Edm.Number"
    if isinstance(value, uuid.UUID):
        return "Edm.Guid"
    return "Edm.String" if isinstance(value, str) else type(value).__name__


def _need_text(op: str, value: Any) -> None:
    if not isinstance(value, str):
        raise QueryError(f"The function '{op}' needs text, not {_kind(value)}")


# -- $select, $expand, $orderby --------------------------------------------------------------------
@dataclass
class Expand:
    select: list[str] | None
    expand: dict[str, Expand]


def split_top(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth != 0:
        raise QueryError(f"Unbalanced parentheses in '{text}'")
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def parse_select(text: str | None) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] if text else None


def parse_expand(text: str | None) -> dict[str, Expand]:
    expanded: dict[str, Expand] = {}
    for item in split_top(text or "", ","):
        name, _, options = item.partition("(")
        select, nested = None, {}
        if options:
            if not options.endswith(")"):
                raise QueryError(f"Syntax error in $expand '{item}'")
            for option in split_top(options[:-1], ";"):
                key, _, value = option.partition("=")
                if key.strip() == "$select":
                    select = parse_select(value)
                elif key.strip() == "$expand":
                    nested = parse_expand(value)
                else:
                    raise QueryError(f"Unsupported option '{key}' in $expand")
        expanded[name.strip()] = Expand(select, nested)
    return expanded


def parse_orderby(text: str | None) -> list[tuple[str, bool]]:
    """``[(property, descending)]``."""
    order = []
    for item in split_top(text or "", ","):
        name, _, direction = item.partition(" ")
        if direction.strip() not in ("", "asc", "desc"):
            raise QueryError(f"Syntax error in $orderby '{item}'")
        order.append((name.strip(), direction.strip() == "desc"))
    return order
