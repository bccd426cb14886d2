"""How far a check's SQL is read: enough to refuse anything but one SELECT (or WITH) statement.

Not a SQL parser: a tokenizer that skips comments (``--``, ``#``, ``/* */``) and quoted text
(``'...'``, ``"..."``, `` `...` ``) so that keywords and semicolons inside them do not count.
The statement must be a single one, start with SELECT or WITH, and use none of the words that
write, lock or change a session. The database still runs it in a read-only transaction: this
check tells the author early, at ``oncall validate``, not instead.
"""

from __future__ import annotations

import re

__all__ = ["FORBIDDEN_WORDS", "compute_parameter_problem", "compute_sql_problem"]

FORBIDDEN_WORDS = frozenset(
    {
        "ALTER", "ATTACH", "BEGIN", "CALL", "COMMIT", "COPY", "CREATE", "DECLARE", "DELETE",
        "DETACH", "DROP", "EXEC", "EXECUTE", "GRANT", "INSERT", "INTO", "LOCK", "MERGE",
        "PRAGMA", "RENAME", "REPLACE", "REVOKE", "ROLLBACK", "SAVEPOINT", "TRUNCATE", "UPDATE",
        "UPSERT", "VACUUM",
    }
)  # fmt: skip
"""Words a read-only check query never needs (``REPLACE(`` the function is allowed)."""

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|\#[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<quoted>'(?:[^']|'')*(?:'|\Z)|"(?:[^"]|"")*(?:"|\Z)|`[^`]*(?:`|\Z))
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<semicolon>;)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


_BOUND = ("start", "end")
_PARAMETER = {
    ":": re.compile(r"(?<![:\w\\]):(\w+)(?!:)"),  # SQLAlchemy's text() binds, not ::casts
    "@": re.compile(r"(?<![@\w])@(\w+)"),  # BigQuery's named parameters, not @@system ones
}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        out.append((kind, match.group()))
    return out


def compute_sql_problem(text: str) -> str | None:
    """Why ``text`` is not a single read-only SELECT/WITH statement, or None when it is."""
    tokens = _tokens(text)
    while tokens and tokens[-1][0] == "semicolon":
        tokens.pop()
    if not tokens:
        return "the query is empty: write a SELECT returning time and value columns"
    if any(kind == "quoted" and value[-1] not in "'\"`" for kind, value in tokens):
        return "the query has an unterminated quoted string or identifier"
    if any(kind == "semicolon" for kind, _ in tokens):
        return "the query holds more than one statement: give a single SELECT"
    first = next((value for kind, value in tokens if kind != "other" or value != "("), "")
    if first.upper() not in ("SELECT", "WITH"):
        return f"the query starts with {first!r}: only a SELECT (or WITH ... SELECT) may run"
    for index, (kind, value) in enumerate(tokens):
        word = value.upper()
        if kind != "word" or word not in FORBIDDEN_WORDS:
            continue
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if word == "REPLACE" and following == "(":
            continue  # the string function, not the statement
        return (
            f"the query uses {word}: a check query only reads, so it may not write, lock or "
            "change the session; quote it if it is a column name"
        )
    return None


def compute_parameter_problem(text: str, style: str) -> str | None:
    """Why ``text``'s parameters do not fit a source that binds ``:start``/``:end`` (``style``
    ``":"``, SQL) or ``@start``/``@end`` (``"@"``, BigQuery), or None when they do.

    Comments and quoted text do not count; neither do ``::`` casts and ``@@`` variables.
    """
    code = "".join(
        m.group() if m.lastgroup not in ("comment", "quoted") else " "
        for m in _TOKEN.finditer(text)
    )
    other = "@" if style == ":" else ":"
    who, whose = ("a sql source", "BigQuery's") if style == ":" else ("BigQuery", "a sql source's")
    for name in _PARAMETER[other].findall(code):
        if name.lower() in _BOUND:
            return (
                f"the query uses {other}{name}, {whose} form: {who} binds {style}start and "
                f"{style}end"
            )
    for name in _PARAMETER[style].findall(code):
        if name not in _BOUND:
            return (
                f"the query uses {style}{name}, which is not bound: only {style}start and "
                f"{style}end (the span the check needs) are"
            )
    return None
