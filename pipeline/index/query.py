"""The researcher's query language, parsed and turned into a safe FTS5 MATCH expression.

    samenwerking wegbeheerders      both words, any form (Snowball stems, nl and en)
    "human capital"                 the words as spoken, in this order
    wegbeheer*                      words starting with 'wegbeheer'
    data OR privacy, fiets NOT auto, (a OR b) AND c

Operators are the upper-case words AND, OR and NOT (lower-case 'and'/'or'/'not' are searched as
words); adjacent terms are ANDed. Everything here is pure: `parse_query` makes a tree,
`match_expression` turns it into FTS5 syntax in which every user word is re-tokenized to letters
and digits and double-quoted, so no user text can change the expression's structure.

Limits, checked before parsing (one QueryError line each, never a RecursionError or an SQLite
"parser stack overflow"): at most MAX_TERMS words (a phrase counts its words), MAX_DEPTH levels
of parentheses and MAX_CHARS characters. Chains of AND / OR are written flat, so the MATCH
expression nests only as deep as the user's parentheses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from pipeline.core.errors import QueryError
from pipeline.core.stemming import stem_alternatives, words

OPERATORS = ("AND", "OR", "NOT")
MAX_TERMS = 64
MAX_DEPTH = 16
MAX_CHARS = 20_000
EXAMPLE = {"AND": "data AND privacy", "OR": "fiets OR auto", "NOT": "mobiliteit NOT fiets"}


@dataclass(frozen=True)
class Term:
    """A query term: kind is 'word' (stemmed), 'phrase' (as spoken) or 'prefix' (as spoken, prefix*)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Operation:
    """A binary operation: op is AND, OR or NOT ('left NOT right': left without right)."""

    op: str
    left: "Node"
    right: "Node"


Node = Union[Term, Operation]


def lex(text: str) -> list[tuple[str, str]]:
    """Query text -> tokens (kind, value); kinds: word, phrase, prefix, op, '(' and ')'."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append((char, char))
            i += 1
        elif char == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError('unbalanced double quote: close the phrase, e.g. "human capital"')
            phrase = text[i + 1:close]
            if not words(phrase):
                raise QueryError(f"the phrase {_shown(phrase)} has no words to search for")
            tokens.append(("phrase", phrase))
            i = close + 1
        else:
            end = i
            while end < len(text) and not text[end].isspace() and text[end] not in '()"':
                end += 1
            tokens.extend(_bare_token(text[i:end]))
            i = end
    return tokens


def _bare_token(chunk: str) -> list[tuple[str, str]]:
    if chunk in OPERATORS:
        return [("op", chunk)]
    if chunk.endswith("*"):
        stem = chunk.rstrip("*")
        if not words(stem):
            raise QueryError(f"{_shown(chunk)}: put at least one letter before '*', e.g. wegbeheer*")
        return [("prefix", stem)]
    # Punctuation-only chunks ('&', '-', '?') carry nothing searchable: skip them.
    return [("word", chunk)] if words(chunk) else []


class _Parser:
    """Recursive descent: or := and (OR and)*; and := not ([AND] not)*; not := primary (NOT primary)*."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str] | None:
        token = self.peek()
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:  # only a stray ')' can stop the grammar early
            raise QueryError("unbalanced parenthesis: a ')' has no matching '('")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.peek() == ("op", "OR"):
            self.take()
            node = Operation("OR", node, self.and_expr("OR"))
        return node

    def and_expr(self, after: str | None = None) -> Node:
        node = self.not_expr(after)
        while (token := self.peek()) is not None:
            if token == ("op", "AND"):
                self.take()
                node = Operation("AND", node, self.not_expr("AND"))
            elif token[0] in ("word", "phrase", "prefix", "("):
                node = Operation("AND", node, self.not_expr())
            else:
                break
        return node

    def not_expr(self, after: str | None = None) -> Node:
        node = self.primary(after)
        while self.peek() == ("op", "NOT"):
            self.take()
            node = Operation("NOT", node, self.primary("NOT"))
        return node

    def primary(self, after: str | None) -> Node:
        token = self.take()
        if token is None or token[0] == ")":
            if after:
                raise QueryError(f"'{after}' needs a term on both sides, e.g. '{EXAMPLE[after]}'")
            raise QueryError("unbalanced parenthesis: '()' or a ')' without a term before it")
        kind, value = token
        if kind == "op":
            raise QueryError(f"'{value}' needs a term on both sides, e.g. '{EXAMPLE[value]}'")
        if kind == "(":
            node = self.or_expr()
            if self.take() != (")", ")"):
                raise QueryError("unbalanced parenthesis: a '(' is never closed")
            return node
        return Term(kind, value)


def parse_query(text: str) -> Node:
    """Parse a query into a tree; raises QueryError with a one-line, actionable message."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError('empty query: type a word, a "phrase" or a prefix*')
    if len(text) > MAX_CHARS:
        raise QueryError(f"query too long: {len(text):,} characters, at most {MAX_CHARS:,}")
    tokens = lex(text)
    if not tokens:
        raise QueryError(f"query {_shown(text)} has no words to search for")
    check_size(tokens)
    return _Parser(tokens).parse()


def check_size(tokens: list[tuple[str, str]]) -> None:
    """Refuse queries past MAX_TERMS words or MAX_DEPTH levels of parentheses (counted, not recursed)."""
    terms = sum(len(words(value)) if kind == "phrase" else 1 for kind, value in tokens
                if kind in ("word", "phrase", "prefix"))
    if terms > MAX_TERMS:
        raise QueryError(f"query too long: {terms} terms, at most {MAX_TERMS}")
    depth = deepest = 0
    for kind, _value in tokens:
        depth += 1 if kind == "(" else -1 if kind == ")" else 0
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise QueryError(f"query too deeply nested: {deepest} levels of parentheses, at most {MAX_DEPTH}")


def _shown(text: str) -> str:
    """The user's text for a message: quoted, on one line, at most 60 characters."""
    short = " ".join(text.split())
    return repr(short if len(short) <= 60 else short[:59] + "…")


def _quote(text: str) -> str:
    # Tokens are letters and digits only; doubling quotes keeps this safe even if that changes.
    return '"' + text.replace('"', '""') + '"'


def term_expression(term: Term, languages: Iterable[str]) -> str:
    """FTS5 syntax of one term: stems column for words, spoken-text column for phrases/prefixes."""
    if term.kind == "word":
        alternatives = stem_alternatives(term.text, languages) or [words(term.text)]
        return "stems : (" + " OR ".join(_quote(" ".join(stems)) for stems in alternatives) + ")"
    spoken = _quote(" ".join(words(term.text)))
    return f"text : {spoken} *" if term.kind == "prefix" else f"text : {spoken}"


def match_expression(node: Node, languages: Iterable[str], tag_groups: Iterable[list[str]] = ()) -> str:
    """The FTS5 MATCH expression of a query tree, ANDed with filter tag groups (any tag of each)."""
    languages = sorted(set(languages)) or ["nl", "en"]
    expression = _expression(node, languages)
    for group in tag_groups:
        expression = f"({expression}) AND tags : (" + " OR ".join(_quote(t) for t in group) + ")"
    return expression


def _expression(node: Node, languages: list[str]) -> str:
    if isinstance(node, Term):
        return term_expression(node, languages)
    if node.op == "NOT":
        return f"({_expression(node.left, languages)}) {node.op} ({_expression(node.right, languages)})"
    return f" {node.op} ".join(f"({_expression(n, languages)})" for n in _chain(node))


def _chain(node: Operation) -> list[Node]:
    """The operands of a left-deep chain of one associative operator (a AND b AND c), in order."""
    operands: list[Node] = []
    while isinstance(node, Operation) and node.op in ("AND", "OR"):
        op = node.op
        operands.append(node.right)
        node = node.left
        if not (isinstance(node, Operation) and node.op == op):
            break
    operands.append(node)
    return operands[::-1]


def positive_terms(node: Node) -> list[Term]:
    """Terms a hit can contain (not those after NOT), for highlighting."""
    if isinstance(node, Term):
        return [node]
    if node.op == "NOT":
        return positive_terms(node.left)
    return positive_terms(node.left) + positive_terms(node.right)
