"""GET /api/v4/logs (this process's recent log lines) and GET /api/v4/analytics/old (the system console's
statistics), as Mattermost's api4/system.go answers them."""

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hub import logbuffer, models
from hub.ids import now_ms
from hub.permissions import Actor
from tests.fixtures import assert_app_error

DAY_MS = 24 * 60 * 60 * 1000


# ---- logs ---------------------------------------------------------------------------------------
@pytest.fixture
def logged(caplog):
    """Five INFO lines of a logger of our own, the last with a traceback; answers their messages."""
    caplog.set_level(logging.INFO)
    log = logging.getLogger("hub.tests.marker")
    messages = [f"marker line {number} of {id(caplog)}" for number in range(5)]
    for message in messages[:-1]:
        log.info(message)
    try:
        raise ValueError("broken")
    except ValueError:
        log.warning(messages[-1], exc_info=True)
    return messages


def test_logs_answer_the_newest_lines_last_in_mattermosts_json(api, admin, logged):
    lines = api.as_(admin).get("logs").get_json()
    assert isinstance(lines, list) and all(isinstance(line, str) for line in lines)
    entries = [json.loads(line) for line in lines[-5:]]
    assert [entry["msg"] for entry in entries] == logged
    first, last = entries[0], entries[-1]
    assert set(first) == {"timestamp", "level", "msg", "caller", "logger"}
    assert (first["level"], first["logger"], first["caller"].split(":")[0]) == (
        "info",
        "hub.tests.marker",
        "test_logs_stats_api.py",
    )
    assert first["timestamp"].endswith(" Z") and len(first["timestamp"]) == len("2026-01-01 10:00:00.000 Z")
    assert last["level"] == "warn" and "ValueError: broken" in last["error"]


def test_logs_pages_count_back_from_the_newest(api, admin, logged):
    as_admin = api.as_(admin)
    newest = as_admin.get("logs?page=0&logs_per_page=2").get_json()
    before = as_admin.get("logs?page=1&logs_per_page=2").get_json()
    assert [json.loads(line)["msg"] for line in before + newest] == logged[1:]
    assert as_admin.get("logs?page=999999&logs_per_page=10").get_json() == []


def test_logs_keep_a_bounded_number_of_lines():
    buffer = logbuffer.LogBuffer(capacity=3)
    for number in range(5):
        buffer.emit(logging.makeLogRecord({"msg": f"line {number}", "levelname": "ERROR", "name": "x"}))
    assert [json.loads(line)["msg"] for line in buffer.lines(0, 10)] == ["line 2", "line 3", "line 4"]
    assert json.loads(buffer.lines(0, 1)[0])["level"] == "error"


def test_a_configuration_change_is_in_the_logs(api, admin, caplog):
    caplog.set_level(logging.INFO)
    api.as_(admin).put("config/patch", {"TeamSettings": {"SiteName": "Logged"}})
    assert json.loads(api.as_(admin).get("logs?logs_per_page=1").get_json()[0])["msg"] == (
        f"the configuration was changed by user {admin.id}"
    )


def test_logs_are_for_system_admins(api, admin, make_account):
    assert_app_error(api.as_(make_account("plain")).get("logs"), 403, "api.context.permissions.app_error")
    assert_app_error(api.get("logs"), 401)
    assert_app_error(api.as_(admin).get("logs?page=x"), 400, "api.context.invalid_param.app_error")
    assert_app_error(api.as_(admin).get("logs?logs_per_page=-1"), 400, "api.context.invalid_param.app_error")


# ---- analytics ----------------------------------------------------------------------------------
def _active(hub, user_id: str, ago_ms: int) -> None:
    with hub.store.write() as s:
        s.merge(models.Status(user_id=user_id, status="online", last_activity_at=now_ms() - ago_ms))


@pytest.fixture
def site(api, hub, room, make_account):
    """`room`'s team (town-square, off-topic and room public, den private) with three posts, a direct
    message, an archived team, a bot, a deactivated account and known last activities."""
    owner = Actor(room.owner.id, "system_user")
    for message in ("one", "two"):
        api.as_(room.owner).post("posts", {"channel_id": room.channel_id, "message": message})
    api.as_(room.member).post("posts", {"channel_id": room.channel_id, "message": "three"})
    direct = api.as_(room.owner).post("channels/direct", [room.owner.id, room.outsider.id]).get_json()
    api.as_(room.owner).post("posts", {"channel_id": direct["id"], "message": "psst"})
    gone = hub.teams.create(owner, {"name": "gone", "display_name": "Gone"})
    hub.teams.archive(owner, gone.id)
    bot = hub.users.create(
        None, {"username": "ci-bot", "email": "ci-bot@example.com"}, is_bot=True, trusted=True
    )
    with hub.store.write() as s:
        hub.teams.add_member(s, hub.teams.load(s, room.team_id), bot.id)
    quitter = make_account("quitter")
    hub.users.set_active(Actor(room.owner.id, "system_admin system_user"), quitter.id, False)
    _active(hub, room.owner.id, 60_000)  # today
    _active(hub, room.member.id, 10 * DAY_MS)  # this month
    _active(hub, room.outsider.id, 40 * DAY_MS)  # before
    _active(hub, bot.id, 60_000)  # bots are not counted
    return room


def _rows(answer) -> dict:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    rows = answer.get_json()
    assert all(set(row) == {"name", "value"} for row in rows)
    return {row["name"]: row["value"] for row in rows}


def test_standard_analytics_of_the_site(api, admin, site, ws_connect):
    ws_connect(site.owner)
    answer = api.as_(admin).get("analytics/old?name=standard")
    names = [row["name"] for row in answer.get_json()]
    assert names == [
        "channel_open_count",
        "channel_private_count",
        "post_count",
        "unique_user_count",
        "team_count",
        "total_websocket_connections",
        "total_master_db_connections",
        "total_read_db_connections",
        "daily_active_users",
        "monthly_active_users",
        "inactive_user_count",
        "bot_account_count",
    ]
    rows = _rows(answer)
    assert rows.pop("total_master_db_connections") >= 1
    assert rows == {
        # An archived team's channels still count, as in Mattermost: only archived channels do not.
        "channel_open_count": 5,
        "channel_private_count": 1,
        "post_count": 4,
        # admin, owner, member, outsider: active people.
        "unique_user_count": 4,
        "team_count": 1,
        "total_websocket_connections": 1,
        "total_read_db_connections": 0,
        "daily_active_users": 1,
        "monthly_active_users": 2,
        "inactive_user_count": 1,
        "bot_account_count": 1,
    }
    assert _rows(api.as_(admin).get("analytics/old"))["post_count"] == 4


def test_standard_analytics_of_a_team_for_its_admin(api, admin, site):
    rows = _rows(api.as_(site.owner).get(f"analytics/old?name=standard&team_id={site.team_id}"))
    rows.pop("total_master_db_connections")
    assert rows == {
        "channel_open_count": 3,
        "channel_private_count": 1,
        "post_count": 3,
        # The team's people: owner and member.
        "unique_user_count": 2,
        "team_count": 1,
        "total_websocket_connections": 0,
        "total_read_db_connections": 0,
        "daily_active_users": 1,
        "monthly_active_users": 2,
        "inactive_user_count": -1,
        "bot_account_count": 1,
    }
    assert _rows(api.as_(admin).get(f"analytics/old?team_id={site.team_id}"))["post_count"] == 3


def test_analytics_permissions_and_bad_input(api, admin, site):
    forbidden = "api.context.permissions.app_error"
    assert_app_error(api.as_(site.owner).get("analytics/old"), 403, forbidden)
    assert_app_error(api.as_(site.member).get(f"analytics/old?team_id={site.team_id}"), 403, forbidden)
    assert_app_error(api.get("analytics/old"), 401)
    as_admin = api.as_(admin)
    assert_app_error(
        as_admin.get("analytics/old?name=everything"), 400, "api.context.invalid_param.app_error"
    )
    assert_app_error(as_admin.get("analytics/old?team_id=nope"), 400, "api.context.invalid_param.app_error")
    assert_app_error(as_admin.get("analytics/old?team_id=" + "a" * 26), 404, "app.team.get.find.app_error")


def _moved_back(hub, message: str, days: int) -> None:
    with hub.store.write() as s:
        post = s.scalars(select(models.Post).where(models.Post.message == message)).one()
        post.create_at -= days * DAY_MS


def _day(days_ago: int) -> str:
    return datetime.fromtimestamp(now_ms() / 1000 - days_ago * 86400, UTC).strftime("%Y-%m-%d")


def test_per_day_analytics_name_days_newest_first(api, admin, hub, site):
    bot = hub.users.by_username("ci-bot")
    hub.posts.create(
        Actor(bot.id, "system_admin system_user"), {"channel_id": site.channel_id, "message": "built"}
    )
    _moved_back(hub, "two", 3)
    _moved_back(hub, "three", 3)
    _moved_back(hub, "psst", 40)  # older than Mattermost's 31 days
    as_admin = api.as_(admin)
    today, three_ago = _day(0), _day(3)
    posts = as_admin.get("analytics/old?name=post_counts_day").get_json()
    assert posts == [{"name": today, "value": 2}, {"name": three_ago, "value": 2}]
    # Today the owner and the bot, three days ago the owner and the member.
    people = as_admin.get("analytics/old?name=user_counts_with_posts_day").get_json()
    assert people == [{"name": today, "value": 2}, {"name": three_ago, "value": 2}]
    bots = as_admin.get("analytics/old?name=bot_post_counts_day").get_json()
    assert bots == [{"name": today, "value": 1}]
    team = api.as_(site.owner).get(f"analytics/old?name=post_counts_day&team_id={site.team_id}")
    assert team.get_json() == posts
    assert_app_error(api.as_(site.member).get("analytics/old?name=post_counts_day"), 403)
