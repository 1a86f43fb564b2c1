"""Reading posts: one post or many by id, a channel's timeline with its cursors, the posts around the
first unread one, the pinned posts and a thread. Nothing here changes the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.errors import AppError, invalid_param
from hub.ids import is_valid_id
from hub.permissions import Actor, channel_member, require_read_channel, require_self_or_admin
from hub.services.posts.lookups import PostLookups
from hub.services.posts.shapes import PostList, PostView, post_not_found

MAX_POST_IDS = 1000
MAX_PER_PAGE = 200
# Mattermost caps a `since` answer at 1000 posts; clients reload the newest page past that.
SINCE_LIMIT = 1000


def _newer_than(create_at: int, post_id: str) -> ColumnElement[bool]:
    """Posts after a point of the timeline; the id orders posts made in the same millisecond. The plain
    bound on create_at lets the database seek in ix_posts_channel_create instead of scanning the channel."""
    return and_(
        models.Post.create_at >= create_at,
        or_(models.Post.create_at > create_at, models.Post.id > post_id),
    )


def _older_than(create_at: int, post_id: str) -> ColumnElement[bool]:
    return and_(
        models.Post.create_at <= create_at,
        or_(models.Post.create_at < create_at, models.Post.id < post_id),
    )


_NEWEST_FIRST = (models.Post.create_at.desc(), models.Post.id.desc())
_OLDEST_FIRST = (models.Post.create_at.asc(), models.Post.id.asc())


def _optional_id(name: str, value: Any) -> str:
    return validation.require_id(name, value) if value not in (None, "") else ""


def _limit_param(name: str, value: Any) -> int:
    return min(validation.whole_number(name, value, default=60), MAX_PER_PAGE)


class PostReads(PostLookups):
    def get(self, actor: Actor, post_id: str) -> PostView:
        with self.hub.store.read() as s:
            post, _ = self.readable(s, actor, post_id)
            return self.views(s, [post])[0]

    def by_ids(self, actor: Actor, post_ids: list[Any]) -> list[PostView]:
        """The readable posts among the ids, newest first; unreadable ones are left out."""
        if not all(isinstance(i, str) for i in post_ids):
            raise invalid_param("post_ids", "the body must be a list of post ids")
        ids = list(dict.fromkeys(post_ids))
        if not ids:
            raise invalid_param("post_ids", "no post ids")
        if len(ids) > MAX_POST_IDS:
            raise AppError(
                "api.post.posts_by_ids.invalid_body.request_error",
                f"The number of post ids is more than the maximum of {MAX_POST_IDS}.",
                400,
            )
        with self.hub.store.read() as s:
            posts = list(
                s.scalars(
                    select(models.Post)
                    .where(models.Post.id.in_([i for i in ids if is_valid_id(i)]), models.Post.delete_at == 0)
                    .order_by(*_NEWEST_FIRST)
                )
            )
            if not posts:
                raise post_not_found("none of the ids is a post")
            readable = self.readable_channel_ids(s, actor, {p.channel_id for p in posts})
            return self.views(s, [p for p in posts if p.channel_id in readable])

    def files(self, actor: Actor, post_id: str) -> list[models.FileInfo]:
        with self.hub.store.read() as s:
            post, _ = self.readable(s, actor, post_id)
            return list(self.views(s, [post])[0].files)

    def for_channel(self, actor: Actor, channel_id: str, query: dict[str, Any]) -> PostList:
        """GET /channels/{id}/posts: `since`, else `after`, else `before`, else a plain page."""
        page, per_page = validation.paging(query.get("page"), query.get("per_page"), maximum=MAX_PER_PAGE)
        since = validation.whole_number("since", query.get("since"))
        after = _optional_id("after", query.get("after"))
        before = _optional_id("before", query.get("before"))
        with self.hub.store.read() as s:
            channel = self.hub.channels.load(s, channel_id)
            require_read_channel(s, actor, channel)
            live = self._live_posts(channel.id)
            if since > 0:
                posts = list(
                    s.scalars(
                        live.where(models.Post.update_at > since).order_by(*_NEWEST_FIRST).limit(SINCE_LIMIT)
                    )
                )
                return self._post_list(s, posts)
            anchor_id = after or before
            if anchor_id:
                anchor = s.get(models.Post, anchor_id)
                if anchor is None:
                    return self._post_list(s, [])
                if after:
                    newer = live.where(_newer_than(anchor.create_at, anchor.id)).order_by(*_OLDEST_FIRST)
                    posts = list(s.scalars(newer.offset(page * per_page).limit(per_page)))[::-1]
                else:
                    older = live.where(_older_than(anchor.create_at, anchor.id)).order_by(*_NEWEST_FIRST)
                    posts = list(s.scalars(older.offset(page * per_page).limit(per_page)))
            else:
                posts = list(s.scalars(live.order_by(*_NEWEST_FIRST).offset(page * per_page).limit(per_page)))
            return self._post_list_with_cursors(s, channel.id, posts, after=after, before=before)

    def around_last_unread(
        self, actor: Actor, user_id: str, channel_id: str, query: dict[str, Any]
    ) -> PostList:
        """The first post the user has not read with `limit_before` older and `limit_after` - 1 newer."""
        validation.require_id("user_id", user_id)
        require_self_or_admin(actor, user_id)
        limit_before = _limit_param("limit_before", query.get("limit_before"))
        limit_after = _limit_param("limit_after", query.get("limit_after"))
        if limit_after == 0:
            raise AppError(
                "api.context.invalid_url_param.app_error",
                "Invalid or missing limit_after parameter in request URL.",
                400,
            )
        with self.hub.store.read() as s:
            channel = self.hub.channels.load(s, channel_id)
            require_read_channel(s, actor, channel)
            member = channel_member(s, channel.id, user_id)
            live = self._live_posts(channel.id)
            first_unread = None
            if member is not None and member.last_viewed_at:
                first_unread = s.scalar(
                    live.where(models.Post.create_at > member.last_viewed_at)
                    .order_by(*_OLDEST_FIRST)
                    .limit(1)
                )
            if first_unread is None:
                posts = list(s.scalars(live.order_by(*_NEWEST_FIRST).limit(limit_before)))
            else:
                at, first_id = first_unread.create_at, first_unread.id
                newer = live.where(_newer_than(at, first_id)).order_by(*_OLDEST_FIRST).limit(limit_after - 1)
                older = live.where(_older_than(at, first_id)).order_by(*_NEWEST_FIRST).limit(limit_before)
                posts = list(s.scalars(newer))[::-1] + [first_unread] + list(s.scalars(older))
            return self._post_list_with_cursors(s, channel.id, posts)

    def pinned(self, actor: Actor, channel_id: str) -> PostList:
        with self.hub.store.read() as s:
            channel = self.hub.channels.load(s, channel_id)
            require_read_channel(s, actor, channel)
            posts = s.scalars(
                self._live_posts(channel.id).where(models.Post.is_pinned.is_(True)).order_by(*_NEWEST_FIRST)
            )
            return self._post_list(s, list(posts))

    def thread(self, actor: Actor, post_id: str, query: dict[str, Any]) -> PostList:
        """The root and its replies, newest first; `direction` pages the replies from a cursor,
        and then the root comes first as Mattermost's paginated threads have it."""
        per_page = validation.whole_number("perPage", query.get("perPage"))
        if not 0 <= per_page <= MAX_PER_PAGE:
            raise invalid_param("perPage", f"perPage must be between 0 and {MAX_PER_PAGE}")
        from_create_at = validation.whole_number("fromCreateAt", query.get("fromCreateAt"))
        from_post = query.get("fromPost") or ""
        if from_post and not from_create_at:
            raise invalid_param("fromPost", "fromPost needs fromCreateAt")
        direction = query.get("direction") or ""
        if direction not in ("", "up", "down"):
            raise invalid_param("direction", "direction must be up or down")
        with self.hub.store.read() as s:
            post, _ = self.readable(s, actor, post_id)
            root = self.load(s, post.root_id) if post.root_id else post
            replies = select(models.Post).where(models.Post.root_id == root.id, models.Post.delete_at == 0)
            downwards = direction == "down"
            if from_create_at:
                beyond = _newer_than if downwards else _older_than
                replies = replies.where(beyond(from_create_at, from_post))
            replies = replies.order_by(*(_OLDEST_FIRST if downwards else _NEWEST_FIRST))
            if per_page:
                replies = replies.limit(per_page + 1)
            rows = list(s.scalars(replies))
            has_next = bool(per_page) and len(rows) > per_page
            if per_page:
                rows = rows[:per_page]
            ordered = [root, *rows] if direction else [*rows, root]
            return PostList(
                order=tuple(p.id for p in ordered),
                posts=tuple(self.views(s, ordered)),
                has_next=has_next,
            )

    def _live_posts(self, channel_id: str) -> Select[models.Post]:
        return select(models.Post).where(models.Post.channel_id == channel_id, models.Post.delete_at == 0)

    def _post_list(self, s: Session, posts: list[models.Post], **cursors: Any) -> PostList:
        """`posts` also carries the roots of the listed replies, which clients show them with."""
        listed = {p.id for p in posts}
        root_ids = {p.root_id for p in posts if p.root_id and p.root_id not in listed}
        roots = (
            list(
                s.scalars(select(models.Post).where(models.Post.id.in_(root_ids), models.Post.delete_at == 0))
            )
            if root_ids
            else []
        )
        return PostList(
            order=tuple(p.id for p in posts), posts=tuple(self.views(s, posts + roots)), **cursors
        )

    def _post_list_with_cursors(
        self, s: Session, channel_id: str, posts: list[models.Post], *, after: str = "", before: str = ""
    ) -> PostList:
        """next_post_id is the post just newer than the list, prev_post_id the one just older."""
        if posts:
            live = self._live_posts(channel_id).with_only_columns(models.Post.id).limit(1)
            newest, oldest = posts[0], posts[-1]
            next_post_id = s.scalar(
                live.where(_newer_than(newest.create_at, newest.id)).order_by(*_OLDEST_FIRST)
            )
            prev_post_id = s.scalar(
                live.where(_older_than(oldest.create_at, oldest.id)).order_by(*_NEWEST_FIRST)
            )
        else:
            next_post_id, prev_post_id = before, after
        return self._post_list(s, posts, next_post_id=next_post_id or "", prev_post_id=prev_post_id or "")
