"""A Python client for Mattermost's REST v4 API and WebSocket, for Hubbub's bridges, bots, benchmarks and
end-to-end tests; it speaks only Mattermost's API, so it works against Mattermost too.

    from hubclient import Client

    client = Client("http://localhost:8065")
    client.login("alice", "secret")
    town = client.get_channel_by_name("devops", "town-square")
    client.create_post(town["id"], "Deployed :rocket:")
    with client.events() as stream:
        for event in stream:
            if event.event == "posted":
                print(event.post["message"])
"""

from hubclient.aio import AsyncClient, AsyncEventStream
from hubclient.errors import ApiError, StreamClosed
from hubclient.events import Event, EventStream
from hubclient.rest import Client

__all__ = ["ApiError", "AsyncClient", "AsyncEventStream", "Client", "Event", "EventStream", "StreamClosed"]
