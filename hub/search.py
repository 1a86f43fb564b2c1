"""Mattermost's post search syntax, parsed into a database-neutral query.

The rules follow Mattermost's model/search_params.go: words are split on whitespace except inside
double quotes; `flag:value` (or `flag: value`) for from/in/channel/before/after/on/ext, negated with
a leading '-'; surrounding punctuation is trimmed from words (a trailing '*' is kept for prefix
search); valid #hashtags are searched in the posts' hashtags rather than their text.

Text terms leave this module as lowercase runs of letters and digits only, so no user input can
reach a full text engine's query syntax as an operator, quote or wildcard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hub.errors import AppError

_FLAGS = ("from", "channel", "in", "before", "after", "on", "ext")
_TOKEN = re.compile(r"[^\W_]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_MS = 24 * 60 * 60 * 1000
_EPOCH = date(1970, 1, 1)
# Each word, phrase, hashtag and flag value becomes a condition of one SQL statement; SQLite and
# PostgreSQL refuse expressions nested a few thousand deep, and no person types a hundred.
MAX_TERMS = 100


@dataclass(frozen=True)
class Term:
    """One unit a post must (or must not) contain: a word, or a phrase when it has several tokens."""

    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.tokens) > 1


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[Term, ...] = ()
    excluded_terms: tuple[Term, ...] = ()
    hashtags: tuple[str, ...] = ()
    excluded_hashtags: tuple[str, ...] = ()
    from_users: tuple[str, ...] = ()
    excluded_users: tuple[str, ...] = ()
    in_channels: tuple[str, ...] = ()
    excluded_channels: tuple[str, ...] = ()
    on_date: date | None = None
    after_date: date | None = None
    before_date: date | None = None
    excluded_on_date: date | None = None
    excluded_after_date: date | None = None
    excluded_before_date: date | None = None
    time_zone_offset: int = 0

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.excluded_terms)

    @property
    def has_hashtags(self) -> bool:
        return bool(self.hashtags or self.excluded_hashtags)

    @property
    def has_filters(self) -> bool:
        return any(
            (
                self.from_users,
                self.excluded_users,
                self.in_channels,
                self.excluded_channels,
                self.on_date,
                self.after_date,
                self.before_date,
                self.excluded_on_date,
                self.excluded_after_date,
                self.excluded_before_date,
            )
        )

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: Mattermost answers an empty list rather than every post."""
        return not (self.has_text or self.has_hashtags or self.has_filters)

    def create_at_ranges(self) -> CreateAtRanges:
        """The date flags as millisecond bounds in the searcher's time zone, with Mattermost's
        meaning: after:D starts the day after D, before:D ends the day before D, and on:D
        overrides every other date flag."""
        if self.on_date is not None:
            return CreateAtRanges(within=self._day(self.on_date))
        lower = upper = None
        if self.after_date is not None:
            lower = self._day(self.after_date + timedelta(days=1))[0]
        if self.excluded_before_date is not None:
            start = self._day(self.excluded_before_date - timedelta(days=1))[1] + 1
            lower = start if lower is None else max(lower, start)
        if self.before_date is not None:
            upper = self._day(self.before_date - timedelta(days=1))[1]
        if self.excluded_after_date is not None:
            end = self._day(self.excluded_after_date + timedelta(days=1))[0] - 1
            upper = end if upper is None else min(upper, end)
        outside = self._day(self.excluded_on_date) if self.excluded_on_date is not None else None
        within = None if lower is None and upper is None else (lower, upper)
        return CreateAtRanges(within=within, outside=outside)

    def _day(self, day: date) -> tuple[int, int]:
        start = (day - _EPOCH).days * _DAY_MS - self.time_zone_offset * 1000
        return start, start + _DAY_MS - 1


@dataclass(frozen=True)
class CreateAtRanges:
    """`within` (lower, upper) inclusive bounds, either may be None; `outside` a range to leave out."""

    within: tuple[int | None, int | None] | None = None
    outside: tuple[int, int] | None = None


def parse(text: str, time_zone_offset: int = 0) -> SearchQuery:
    words, flags = _separate_flags(_split_words(text.strip()))
    fields: dict[str, list[Any]] = {
        "terms": [],
        "excluded_terms": [],
        "hashtags": [],
        "excluded_hashtags": [],
        "from_users": [],
        "excluded_users": [],
        "in_channels": [],
        "excluded_channels": [],
    }
    for word, excluded in words:
        if _is_hashtag(word):
            fields["excluded_hashtags" if excluded else "hashtags"].append(word.lower())
        else:
            fields["excluded_terms" if excluded else "terms"].extend(_terms(word))
    dates: dict[str, date] = {}
    for name, value, excluded in flags:
        if name == "from":
            fields["excluded_users" if excluded else "from_users"].append(value.lstrip("@").lower())
        elif name in ("in", "channel"):
            fields["excluded_channels" if excluded else "in_channels"].append(value)
        elif name in ("on", "after", "before"):
            # Like Mattermost, a repeated date flag replaces the earlier one.
            dates[f"excluded_{name}_date" if excluded else f"{name}_date"] = _parse_date(name, value)
        # ext: narrows file searches only; for posts it is recognised so it is not searched as text.
    count = sum(len(value) for value in fields.values())
    if count > MAX_TERMS:
        raise AppError(
            "api.post.search_posts.too_many_terms.app_error",
            f"A search may have at most {MAX_TERMS} words, phrases, hashtags and flags.",
            400,
            f"{count} terms",
        )
    # One mapping of the word and date fields: mypy would check each ** mapping against every field.
    arguments: dict[str, Any] = {key: tuple(value) for key, value in fields.items()} | dates
    return SearchQuery(**arguments, time_zone_offset=time_zone_offset)


def _split_words(text: str) -> list[str]:
    """Whitespace-separated words, except that a double-quoted section (with a '-' right before
    its opening quote) is one word; an unclosed quote falls back to plain splitting."""
    words: list[str] = []
    in_quote = False
    start = 0
    for index, char in enumerate(text):
        if char != '"':
            continue
        if in_quote:
            words.append(text[start : index + 1])
            start = index + 1
        else:
            quote_start = index - 1 if index > 0 and text[index - 1] == "-" else index
            words.extend(text[start:quote_start].split())
            start = quote_start
        in_quote = not in_quote
    words.extend(text[start:].split())
    return words


def _separate_flags(words: list[str]) -> tuple[list[tuple[str, bool]], list[tuple[str, str, bool]]]:
    plain: list[tuple[str, bool]] = []
    flags: list[tuple[str, str, bool]] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        flag = _flag(word)
        if flag is not None:
            name, value, excluded = flag
            if value:
                flags.append(flag)
                continue
            # "from: alice" takes the next word as the value.
            if index < len(words):
                flags.append((name, words[index], excluded))
                index += 1
                continue
        excluded = word.startswith("-")
        word = _trim_punctuation(word)
        if word:
            plain.append((word, excluded))
    return plain, flags


def _flag(word: str) -> tuple[str, str, bool] | None:
    name, colon, value = word.partition(":")
    if not colon:
        return None
    excluded = name.startswith("-")
    name = name[1:].lower() if excluded else name.lower()
    return (name, value, excluded) if name in _FLAGS else None


def _keeps_start(char: str) -> bool:
    return char.isalnum() or char.isspace() or char in '#"'


def _keeps_end(char: str) -> bool:
    return char.isalnum() or char.isspace() or char in '*"'


def _trim_punctuation(word: str) -> str:
    start, end = 0, len(word)
    while start < end and not _keeps_start(word[start]):
        start += 1
    while end > start and not _keeps_end(word[end - 1]):
        end -= 1
    word = word[start:end]
    if word.startswith("##"):
        word = "#" + word.lstrip("#")
    return word


def _is_hashtag(word: str) -> bool:
    """Mattermost's rule: '#', a letter, then letters, digits, '-', '_' or '.', ending in a letter
    or digit."""
    if len(word) < 3 or word[0] != "#" or not word[1].isalpha() or not word[-1].isalnum():
        return False
    return all(char.isalnum() or char in "-_." for char in word[2:-1])


def _tokens(text: str) -> list[str]:
    return [token.lower() for token in _TOKEN.findall(text)]


def _terms(word: str) -> list[Term]:
    """A quoted word is one phrase; an unquoted one is one term per run of letters and digits
    (Mattermost turns the punctuation inside a word into spaces), the last a prefix when the word
    ends with '*'."""
    if len(word) >= 2 and word.startswith('"') and word.endswith('"'):
        tokens = _tokens(word)
        return [Term(tuple(tokens))] if tokens else []
    tokens = _tokens(word)
    prefix = word.rstrip('"').endswith("*")
    return [Term((token,), prefix=prefix and i == len(tokens) - 1) for i, token in enumerate(tokens)]


def invalid_date(flag: str, value: str) -> AppError:
    return AppError(
        "api.post.search_posts.invalid_date.app_error",
        f"Invalid date for {flag}: in the search terms, use YYYY-MM-DD.",
        400,
        f"{flag}:{value}",
    )


def _parse_date(flag: str, value: str) -> date:
    match = _DATE.fullmatch(value)
    if match is None:
        raise invalid_date(flag, value)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise invalid_date(flag, value) from None
    # after: and before: step one day beyond the date, which must stay a representable date.
    if day in (date.min, date.max):
        raise invalid_date(flag, value)
    return day
