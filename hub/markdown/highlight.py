"""Code highlighting with Pygments, as CSS classes: the client's CSP blocks inline style."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import cast

# Pygments ships no annotations (typeshed's are the separate types-Pygments package, not installed).
from pygments import highlight  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.lexers import get_all_lexers, get_lexer_by_name  # type: ignore[import-untyped]
from pygments.token import STANDARD_TYPES  # type: ignore[import-untyped]
from pygments.util import ClassNotFound  # type: ignore[import-untyped]

# Pygments' regex lexers can be slow on pathological input; past this a block is shown plain.
MAX_HIGHLIGHTED_CHARS = 20_000
CSS_SCOPE = ".code"
LIGHT_STYLE = "default"

_LANGUAGE_NAME = re.compile(r"[a-z0-9][a-z0-9+#._\-]*")
_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def lexer_for(language: str) -> Lexer | None:
    """The lexer for a fence's language name, or None when Pygments does not know it."""
    name = language.lower()
    if not _LANGUAGE_NAME.fullmatch(name):
        return None
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


def canonical_language(lexer: Lexer) -> str:
    """One name per language ("py" and "python3" are both "python"), so the class allowlist stays finite."""
    return cast(str, lexer.aliases[0])


def highlight_code(code: str, lexer: Lexer) -> str:
    return cast(str, highlight(code, lexer, _FORMATTER))


@cache
def language_classes() -> frozenset[str]:
    names = set()
    for _, aliases, _, _ in get_all_lexers(plugins=False):
        if aliases and _LANGUAGE_NAME.fullmatch(aliases[0]):
            names.add("language-" + aliases[0])
    return frozenset(names)


def token_classes() -> frozenset[str]:
    return frozenset(name for name in STANDARD_TYPES.values() if name)


@cache
def highlight_css() -> str:
    """The stylesheet for highlighted code, a light theme scoped under `.code` (the <pre>'s class).

    Only the token and background rules: Pygments' line-number rules are not scoped and would restyle
    every <pre> on the page."""
    formatter = HtmlFormatter(style=LIGHT_STYLE)
    rules = formatter.get_background_style_defs(CSS_SCOPE) + formatter.get_token_style_defs(CSS_SCOPE)
    return "\n".join(rules) + "\n"
