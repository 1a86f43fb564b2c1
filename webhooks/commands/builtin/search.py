"""/search terms: the newest few matching posts as an ephemeral list with permalinks. (Mattermost's
clients search by themselves and its server only answers that the command is unsupported.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin, team_url

if TYPE_CHECKING:
    from hub.services import Hub

MAX_RESULTS = 5
SNIPPET_LENGTH = 80


def snippet(message: str) -> str:
    first_line = message.strip().split("\n", 1)[0]
    return first_line if len(first_line) <= SNIPPET_LENGTH else first_line[: SNIPPET_LENGTH - 1] + "…"


@dataclass(frozen=True)
class Search(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        if not call.text:
            return ephemeral("Type what to search for after /search, e.g. `/search release notes`.")
        query = {"terms": call.text, "per_page": MAX_RESULTS}
        found = hub.search.search_posts(call.actor, call.team_id, query)
        if not found.order:
            return ephemeral(f"No messages match `{call.text}`.")
        posts = {view.post.id: view.post for view in found.posts}
        authors = {user.id: user.username for user in hub.users.by_ids([p.user_id for p in posts.values()])}
        base = team_url(hub, call)
        lines = [f"Messages matching `{call.text}`, newest first:"]
        for post_id in found.order:
            post = posts[post_id]
            author = authors.get(post.user_id, "someone")
            lines.append(f"- @{author}: {snippet(post.message)} ([open]({base}/pl/{post.id}))")
        if found.has_next:
            lines.append(f"Only the newest {MAX_RESULTS} are shown; the search box finds them all.")
        return ephemeral("\n".join(lines))


COMMAND = Search("search", "search", "Search text in messages", "[text]")
