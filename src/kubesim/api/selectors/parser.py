"""The label selector string syntax: the lexer and recursive-descent parser of `labels.Parse`.

Every error text is the real parser's, since the server returns it verbatim in a 400.
"""

from __future__ import annotations

from kubesim.api.selectors.model import (
    BINARY_OPERATORS,
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    Requirement,
    Selector,
    new_requirement,
    sorted_selector,
)
from kubesim.api.selectors.validation import SelectorError, key_error

NIL_PATH = "<nil>"  # how Go prints the nil field.Path the parser validates keys with

_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_TOKENS = frozenset((")", ",", "!", "==", "=", ">", IN, "<", "!=", NOT_IN, "("))
_ID, _EOS = "identifier", "end of string"
_OPERATOR_TOKENS = {
    IN: IN, "=": EQUALS, "==": DOUBLE_EQUALS, ">": GREATER_THAN, "<": LESS_THAN,
    NOT_IN: NOT_IN, "!=": NOT_EQUALS,
}  # fmt: skip


def _scan_special(text: str, pos: int) -> tuple[str, int]:
    """The longest operator starting at pos (the lexer's `scanSpecialSymbol`)."""
    best, end = "", pos
    while end < len(text) and text[end] in _SPECIAL:
        if text[pos : end + 1] in _TOKENS:
            best = text[pos : end + 1]
        elif best:
            break
        end += 1
    return best, pos + len(best)


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens as (kind, literal); keywords and operators are their own kind."""
    tokens: list[tuple[str, str]] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= size:
            tokens.append((_EOS, ""))
            return tokens
        if text[pos] in _SPECIAL:
            literal, pos = _scan_special(text, pos)
            tokens.append((literal, literal))
            continue
        start = pos
        while pos < size and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        tokens.append((word if word in (IN, NOT_IN) else _ID, word))


class _Parser:
    """The recursive-descent parser of `labels.Parse`, with its exact error texts."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def peek(self, values: bool = True) -> tuple[str, str]:
        kind, literal = self.items[self.pos]
        return (_ID if values and kind in (IN, NOT_IN) else kind), literal

    def take(self, values: bool = True) -> tuple[str, str]:
        token = self.peek(values)
        self.pos += 1
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            kind, literal = self.peek()
            if kind == _EOS:
                return requirements
            if kind not in (_ID, "!"):
                raise SelectorError(
                    f"found '{literal}', expected: !, identifier, or 'end of string'"
                )
            try:
                requirements.append(self.requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from err
            self.separator()

    def separator(self) -> None:
        kind, literal = self.take()
        if kind == ",":
            after, after_literal = self.peek()
            if after not in (_ID, "!"):
                raise SelectorError(f"found '{after_literal}', expected: identifier after ','")
            return
        if kind != _EOS:
            raise SelectorError(f"found '{literal}', expected: ',' or 'end of string'")
        self.pos -= 1  # leave the end for parse() to see

    def requirement(self) -> Requirement:
        key, operator = self.key_and_operator()
        if operator:
            return new_requirement(key, operator, ())
        kind, literal = self.take(values=False)
        if kind not in _OPERATOR_TOKENS:
            expected = ", ".join(BINARY_OPERATORS)
            raise SelectorError(f"found '{literal}', expected: {expected}")
        operator = _OPERATOR_TOKENS[kind]
        values = self.value_set() if operator in (IN, NOT_IN) else self.exact_value()
        return new_requirement(key, operator, sorted(values))

    def key_and_operator(self) -> tuple[str, str]:
        kind, literal = self.take()
        operator = ""
        if kind == "!":
            operator = DOES_NOT_EXIST
            kind, literal = self.take()
        if kind != _ID:
            raise SelectorError(f"found '{literal}', expected: identifier")
        bad_key = key_error(literal, NIL_PATH)
        if bad_key is not None:
            raise SelectorError(str(bad_key))
        if self.peek()[0] in (_EOS, ",") and not operator:
            operator = EXISTS
        return literal, operator

    def value_set(self) -> set[str]:
        kind, literal = self.take()
        if kind != "(":
            raise SelectorError(f"found '{literal}' expected: '('")
        kind, literal = self.peek()
        if kind == ")":
            self.take()
            return {""}
        if kind not in (_ID, ","):
            raise SelectorError(f"found '{literal}', expected: ',', ')' or identifier")
        values = self.identifiers()
        self.take()  # the ')' identifiers() stopped at
        return values

    def identifiers(self) -> set[str]:
        values: set[str] = set()
        while True:
            kind, literal = self.take()
            if kind == _ID:
                values.add(literal)
                after, after_literal = self.peek()
                if after == ")":
                    return values
                if after != ",":
                    raise SelectorError(f"found '{after_literal}', expected: ',' or ')'")
            elif kind == ",":
                if not values or self.peek()[0] in (")", ","):
                    values.add("")
                if self.peek()[0] == ")":
                    return values
            else:
                raise SelectorError(f"found '{literal}', expected: ',', or identifier")

    def exact_value(self) -> set[str]:
        if self.peek()[0] in (_EOS, ","):
            return {""}
        kind, literal = self.take()
        if kind != _ID:
            raise SelectorError(f"found '{literal}', expected: identifier")
        return {literal}


def parse_label_selector(text: str) -> Selector:
    """Parse the string syntax (`labels.Parse`); raises SelectorError with the Go message."""
    return sorted_selector(_Parser(text).parse())
