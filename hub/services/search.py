"""Post search with Mattermost's syntax, answered by each database's own full text index
(created by migration 0002: FTS5 on SQLite, a GIN tsvector index on PostgreSQL, FULLTEXT on MySQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Select,
    and_,
    column,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.mysql import match as mysql_match
from sqlalchemy.orm import Session

from hub import models, search
from hub.errors import AppError, invalid_param
from hub.permissions import Actor, require_team_member
from hub.services.channels import direct_channel_name, group_channel_name
from hub.services.posts import SYSTEM_TYPE_PREFIX, PostList

if TYPE_CHECKING:
    from hub.services import Hub

DEFAULT_PER_PAGE = 60
MAX_PER_PAGE = 200
# Past this the OFFSET no longer fits the databases' integers; no team has that many posts.
MAX_OFFSET = 2**31 - 1
# Real time zones are within a day of UTC; larger offsets would push dates out of BIGINT range.
MAX_TIME_ZONE_OFFSET = 24 * 60 * 60

# InnoDB indexes no word shorter than innodb_ft_min_token_size (3 by default) and none of its
# default stopwords, so a required (+) term that is one of those can never match and would empty
# every search. As Mattermost does, such words are left out of MySQL searches: "go to the
# deploy" searches for "deploy" alone, and a search made only of them finds nothing.
_MYSQL_MIN_TOKEN_SIZE = 3
_MYSQL_STOPWORDS = frozenset(
    "a about an are as at be by com de en for from how i in is it la of on or that the this to "
    "was what when where who will with und www".split()
)

_POSTS_FTS = table("posts_fts", column("rowid"))


def invalid_body(detail: str) -> AppError:
    return AppError(
        "api.post.search_posts.invalid_body.app_error",
        "Unable to parse the request body.",
        400,
        detail,
    )


@dataclass(frozen=True)
class SearchRequest:
    """The body of POST /teams/{team_id}/posts/search, checked."""

    terms: str
    is_or_search: bool = False
    time_zone_offset: int = 0
    include_deleted_channels: bool = False
    page: int = 0
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> SearchRequest:
        def typed(name: str, kind: type, default: Any) -> Any:
            value = body.get(name)
            if value is None:
                return default
            # bool is an int in Python; JSON true is no number.
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise invalid_body(f"{name} must be a JSON {kind.__name__}")
            return value

        terms = typed("terms", str, "")
        if not terms.strip():
            raise invalid_param("terms", "terms must not be empty")
        page = typed("page", int, 0)
        per_page = min(typed("per_page", int, DEFAULT_PER_PAGE), MAX_PER_PAGE)
        if page < 0 or per_page < 0:
            raise invalid_param("page", "page and per_page must not be negative")
        if page * per_page > MAX_OFFSET:
            raise invalid_param("page", f"page * per_page must not exceed {MAX_OFFSET}")
        time_zone_offset = typed("time_zone_offset", int, 0)
        if abs(time_zone_offset) > MAX_TIME_ZONE_OFFSET:
            raise invalid_param(
                "time_zone_offset", f"time_zone_offset is in seconds from UTC, at most {MAX_TIME_ZONE_OFFSET}"
            )
        return cls(
            terms=terms,
            is_or_search=typed("is_or_search", bool, False),
            time_zone_offset=time_zone_offset,
            include_deleted_channels=typed("include_deleted_channels", bool, False),
            page=page,
            per_page=per_page,
        )


def _sqlite_matches(terms: Sequence[search.Term], any_of: bool) -> ColumnElement[bool]:
    # Tokens are letters and digits only; quoting them anyway keeps FTS5 keywords (AND, NEAR...) literal.
    parts = ['"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "") for term in terms]
    expression = (" OR " if any_of else " AND ").join(parts)
    matching_rows = select(_POSTS_FTS.c.rowid).where(literal_column("posts_fts").op("MATCH")(expression))
    return literal_column("posts.rowid").in_(matching_rows)


def _postgres_matches(terms: Sequence[search.Term], any_of: bool) -> ColumnElement[bool]:
    def lexemes(term: search.Term) -> str:
        words = list(term.tokens)
        if term.prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"

    expression = (" | " if any_of else " & ").join(lexemes(term) for term in terms)
    # Written exactly as the index expression of migration 0002, so the GIN index serves it.
    english: ColumnClause[str] = literal_column("'english'")
    document: ColumnClause[str] = literal_column("to_tsvector('english', posts.message)")
    return document.op("@@")(func.to_tsquery(english, literal(expression)))


def _mysql_matches(terms: Sequence[search.Term], any_of: bool) -> ColumnElement[bool]:
    def indexed(term: search.Term) -> bool:
        word = term.tokens[0]
        return (
            term.is_phrase
            or term.prefix
            or (len(word) >= _MYSQL_MIN_TOKEN_SIZE and word not in _MYSQL_STOPWORDS)
        )

    def operand(term: search.Term) -> str:
        required = "" if any_of else "+"
        if term.is_phrase:
            # InnoDB has no wildcard inside a phrase, so a phrase is always matched as written.
            return required + '"' + " ".join(term.tokens) + '"'
        return required + term.tokens[0] + ("*" if term.prefix else "")

    kept = [term for term in terms if indexed(term)]
    if not kept:
        return false()
    against = " ".join(operand(term) for term in kept)
    # match takes column expressions, not ORM attributes.
    return mysql_match(models.Post.message.expression, against=against).in_boolean_mode()


_MATCHERS: dict[str, Callable[[Sequence[search.Term], bool], ColumnElement[bool]]] = {
    "sqlite": _sqlite_matches,
    "postgresql": _postgres_matches,
    "mysql": _mysql_matches,
}


def _hashtag_condition(hashtag: str) -> ColumnElement[bool]:
    """The post's space-separated hashtags include this one (given in lowercase), whatever its case."""
    padded = func.lower(literal(" ") + models.Post.hashtags + literal(" "))
    return padded.contains(f" {hashtag} ", autoescape=True)


class SearchService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def search_posts(self, actor: Actor, team_id: str, body: dict[str, Any]) -> PostList:
        """Posts of the caller's channels in the team (and their direct and group messages),
        newest first, like Mattermost's database search."""
        with self.hub.store.read() as s:
            self.hub.teams.load(s, team_id)
            require_team_member(s, actor, team_id)
            request = SearchRequest.from_body(body)
            query = search.parse(request.terms, request.time_zone_offset)
            if query.is_empty:
                return PostList(order=(), posts=())
            statement = (
                select(models.Post)
                .where(
                    models.Post.delete_at == 0,
                    not_(models.Post.type.startswith(SYSTEM_TYPE_PREFIX, autoescape=True)),
                    models.Post.channel_id.in_(self._channel_scope(s, actor, team_id, query, request)),
                    *self._user_conditions(team_id, query),
                    *self._date_conditions(query),
                    *self._content_conditions(query, request.is_or_search),
                )
                .order_by(models.Post.create_at.desc(), models.Post.id.desc())
                .offset(request.page * request.per_page)
                .limit(request.per_page + 1)
            )
            found = list(s.scalars(statement))
            posts = found[: request.per_page]
            return PostList(
                order=tuple(post.id for post in posts),
                posts=tuple(self.hub.posts.views(s, posts)),
                has_next=len(found) > request.per_page,
            )

    def _channel_scope(
        self, s: Session, actor: Actor, team_id: str, query: search.SearchQuery, request: SearchRequest
    ) -> Select[str]:
        """The caller's own channels: those of this team plus direct and group messages."""
        scope = (
            select(models.Channel.id)
            .join(models.ChannelMember, models.ChannelMember.channel_id == models.Channel.id)
            .where(
                models.ChannelMember.user_id == actor.user_id,
                or_(models.Channel.team_id == team_id, models.Channel.team_id == ""),
            )
        )
        if not request.include_deleted_channels:
            scope = scope.where(models.Channel.delete_at == 0)
        if query.in_channels:
            wanted = self._channel_ids(s, actor, team_id, query.in_channels)
            scope = scope.where(models.Channel.id.in_(wanted))
        if query.excluded_channels:
            unwanted = self._channel_ids(s, actor, team_id, query.excluded_channels)
            scope = scope.where(models.Channel.id.not_in(unwanted))
        return scope

    def _channel_ids(self, s: Session, actor: Actor, team_id: str, names: Sequence[str]) -> list[str]:
        """in: values to channel ids: a channel name of the team (with or without '~'), '@username'
        for the caller's direct channel with that user, '@user1,user2' for their group channel.
        Unknown names match nothing; a missing direct channel is not created by a search."""
        channel_names = set()
        for name in names:
            name = name.lstrip("~").lower()
            if not name.startswith("@"):
                channel_names.add(name)
                continue
            usernames = {username for username in name[1:].split(",") if username}
            user_ids = set(s.scalars(select(models.User.id).where(models.User.username.in_(usernames))))
            if not usernames or len(user_ids) != len(usernames):
                continue
            if len(user_ids) == 1:
                channel_names.add(direct_channel_name(actor.user_id, user_ids.pop()))
            else:
                channel_names.add(group_channel_name(sorted(user_ids | {actor.user_id})))
        if not channel_names:
            return []
        return list(
            s.scalars(
                select(models.Channel.id).where(
                    models.Channel.name.in_(channel_names),
                    or_(models.Channel.team_id == team_id, models.Channel.team_id == ""),
                )
            )
        )

    @staticmethod
    def _user_conditions(team_id: str, query: search.SearchQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.from_users:
            # Mattermost looks the authors up among the team's members.
            authors = (
                select(models.User.id)
                .join(models.TeamMember, models.TeamMember.user_id == models.User.id)
                .where(models.TeamMember.team_id == team_id, models.User.username.in_(query.from_users))
            )
            conditions.append(models.Post.user_id.in_(authors))
        if query.excluded_users:
            excluded = select(models.User.id).where(models.User.username.in_(query.excluded_users))
            conditions.append(models.Post.user_id.not_in(excluded))
        return conditions

    @staticmethod
    def _date_conditions(query: search.SearchQuery) -> list[ColumnElement[bool]]:
        ranges = query.create_at_ranges()
        conditions = []
        if ranges.within is not None:
            lower, upper = ranges.within
            if lower is not None:
                conditions.append(models.Post.create_at >= lower)
            if upper is not None:
                conditions.append(models.Post.create_at <= upper)
        if ranges.outside is not None:
            conditions.append(not_(models.Post.create_at.between(*ranges.outside)))
        return conditions

    def _content_conditions(self, query: search.SearchQuery, any_of: bool) -> list[ColumnElement[bool]]:
        """Like Mattermost, the text and the hashtags are two searches whose results are merged:
        a post is found when it satisfies either part."""
        parts = []
        if query.has_text:
            matches = _MATCHERS[self.hub.store.dialect]
            text = []
            if query.terms:
                text.append(matches(query.terms, any_of))
            if query.excluded_terms:
                text.append(not_(matches(query.excluded_terms, True)))
            parts.append(and_(*text))
        if query.has_hashtags:
            tags = []
            if query.hashtags:
                wanted = [_hashtag_condition(tag) for tag in query.hashtags]
                tags.append(or_(*wanted) if any_of else and_(*wanted))
            tags.extend(not_(_hashtag_condition(tag)) for tag in query.excluded_hashtags)
            parts.append(and_(*tags))
        return [or_(*parts)] if parts else []
