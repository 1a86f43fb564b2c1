"""The real `mattermostdriver` package from PyPI, against Hubbub served over HTTP."""

import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import NoAccessTokenProvided, NotEnoughPermissions, ResourceNotFound

from tests.fixtures import PASSWORD


def _driver(server, **options) -> Driver:
    driver = Driver({"url": "127.0.0.1", "port": server.port, "scheme": "http", "verify": False, **options})
    driver.login()
    return driver


@pytest.fixture
def world(hub, live_server, make_account):
    """An admin who owns the team `devops`, and two members."""
    admin = make_account("boss", admin=True)
    alice = make_account("alice")
    bob = make_account("bob")
    boss = _driver(live_server, login_id="boss", password=PASSWORD)
    team = boss.teams.create_team({"name": "devops", "display_name": "DevOps", "type": "O"})
    for account in (alice, bob):
        boss.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": account.id})
    return {"server": live_server, "boss": boss, "team": team, "admin": admin, "alice": alice, "bob": bob}


def test_password_login_and_the_basics(world):
    server, team, alice = world["server"], world["team"], world["alice"]
    driver = _driver(server, login_id="alice", password=PASSWORD)
    assert driver.client.userid == alice.id and len(driver.client.token) == 26
    me = driver.users.get_user("me")
    assert me["username"] == "alice"
    assert [t["name"] for t in driver.teams.get_user_teams("me")] == ["devops"]
    assert driver.teams.get_team_by_name("devops")["id"] == team["id"]
    town = driver.channels.get_channel_by_name(team["id"], "town-square")
    assert town == driver.channels.get_channel_by_name_and_team_name("devops", "town-square")
    assert town["type"] == "O"

    driver.logout()
    with pytest.raises(NoAccessTokenProvided):
        driver.users.get_user("me")


def test_personal_access_token_login(world):
    token = world["boss"].users.create_user_access_token(world["alice"].id, {"description": "bot"})["token"]
    driver = _driver(world["server"], token=token)
    assert driver.users.get_user("me")["username"] == "alice"


def test_channels_posts_threads_reactions_files(world):
    server, team, bob = world["server"], world["team"], world["bob"]
    a = _driver(server, login_id="alice", password=PASSWORD)
    b = _driver(server, login_id="bob", password=PASSWORD)

    channel = a.channels.create_channel(
        {"team_id": team["id"], "name": "deploys", "display_name": "Deploys", "type": "O"}
    )
    b.channels.add_user(channel["id"], {"user_id": bob.id})
    private = a.channels.create_channel(
        {"team_id": team["id"], "name": "secret", "display_name": "Secret", "type": "P"}
    )
    with pytest.raises(ResourceNotFound):
        b.channels.get_channel_by_name(team["id"], "secret")
    with pytest.raises(NotEnoughPermissions):
        b.channels.get_channel(private["id"])

    root = a.posts.create_post({"channel_id": channel["id"], "message": "deploying v1.2 #release"})
    assert root["hashtags"] == "#release"
    reply = b.posts.create_post({"channel_id": channel["id"], "message": "looks good", "root_id": root["id"]})
    assert reply["root_id"] == root["id"]

    patched = a.posts.patch_post(root["id"], {"message": "deploying v1.3"})
    assert patched["message"] == "deploying v1.3" and patched["edit_at"] > 0
    updated = a.posts.update_post(root["id"], {"id": root["id"], "message": "deployed v1.3"})
    assert updated["message"] == "deployed v1.3"

    thread = b.posts.get_thread(root["id"])
    assert set(thread["order"]) == {root["id"], reply["id"]}

    b.reactions.create_reaction({"user_id": bob.id, "post_id": root["id"], "emoji_name": "rocket"})
    reactions = a.reactions.get_reactions_of_post(root["id"])
    assert [(r["user_id"], r["emoji_name"]) for r in reactions] == [(bob.id, "rocket")]
    b.reactions.delete_reaction(bob.id, root["id"], "rocket")
    assert not a.reactions.get_reactions_of_post(root["id"])

    uploaded = a.files.upload_file(channel["id"], {"files": ("notes.txt", b"release notes\n")})
    file_id = uploaded["file_infos"][0]["id"]
    with_file = a.posts.create_post({"channel_id": channel["id"], "message": "notes", "file_ids": [file_id]})
    assert with_file["file_ids"] == [file_id]
    assert b.files.get_file(file_id).content == b"release notes\n"
    assert b.files.get_file_metadata(file_id)["name"] == "notes.txt"

    history = b.posts.get_posts_for_channel(channel["id"], params={"per_page": 10})
    assert history["order"][0] == with_file["id"]
    assert set(history["order"]) == {root["id"], reply["id"], with_file["id"]}

    a.posts.delete_post(reply["id"])
    with pytest.raises(ResourceNotFound):
        b.posts.get_post(reply["id"])
    assert reply["id"] not in b.posts.get_posts_for_channel(channel["id"])["order"]


def test_direct_and_group_channels(world):
    server, alice, bob, admin = world["server"], world["alice"], world["bob"], world["admin"]
    a = _driver(server, login_id="alice", password=PASSWORD)
    b = _driver(server, login_id="bob", password=PASSWORD)
    direct = a.channels.create_direct_message_channel([alice.id, bob.id])
    assert direct["type"] == "D"
    assert b.channels.create_direct_message_channel([bob.id, alice.id])["id"] == direct["id"]
    a.posts.create_post({"channel_id": direct["id"], "message": "psst"})
    assert [p["message"] for p in b.posts.get_posts_for_channel(direct["id"])["posts"].values()] == ["psst"]

    group = a.channels.create_group_message_channel([alice.id, bob.id, admin.id])
    assert group["type"] == "G"
    b.posts.create_post({"channel_id": group["id"], "message": "hello all"})
    assert len(a.posts.get_posts_for_channel(group["id"])["order"]) == 1


def test_slash_commands_and_incoming_webhooks(world, hub):
    from tests.receiver import Answer, Receiver

    hub.config["ServiceSettings"]["AllowedUntrustedInternalConnections"] = "127.0.0.1"
    boss, team, server = world["boss"], world["team"], world["server"]
    town = boss.channels.get_channel_by_name(team["id"], "town-square")
    receiver = Receiver()
    try:
        receiver.answer = Answer.json({"response_type": "in_channel", "text": "deployed"})
        command = boss.commands.create_command(
            {"team_id": team["id"], "trigger": "deploy", "url": receiver.url("/d"), "auto_complete": True}
        )
        assert command["trigger"] == "deploy"
        listed = boss.commands.list_commands_for_team({"team_id": team["id"], "custom_only": True})
        assert [c["id"] for c in listed] == [command["id"]]
        # mattermostdriver 7.3.2 builds "/commands<id>" and "/teams<id>" for regen_token, update, delete and
        # autocomplete (no slash); real Mattermost answers those 404 too, so its generic calls are used.
        regenerated = boss.client.put(f"/commands/{command['id']}/regen_token")
        assert regenerated["token"] != command["token"]
        alice = _driver(server, login_id="alice", password=PASSWORD)
        menu = alice.client.get(f"/teams/{team['id']}/commands/autocomplete")
        assert "deploy" in {c["trigger"] for c in menu}
        answer = alice.commands.execute_command({"channel_id": town["id"], "command": "/deploy api"})
        assert answer["response_type"] == "in_channel"
        assert receiver.next().form["text"] == "api"
        boss.client.delete(f"/commands/{command['id']}")
    finally:
        receiver.close()

    hook = boss.webhooks.create_incoming_hook({"channel_id": town["id"], "display_name": "CI"})
    assert boss.webhooks.get_incoming_hook(hook["id"])["display_name"] == "CI"
    assert boss.webhooks.call_webhook(hook["id"], {"text": "from a hook"}).text == "ok"
    last = alice.posts.get_posts_for_channel(town["id"])
    messages = [last["posts"][i]["message"] for i in last["order"]]
    assert messages[:2] == ["from a hook", "deployed"]


def test_web_client_and_system_console_endpoints(world):
    import io

    from PIL import Image

    boss, team, server, alice_id = world["boss"], world["team"], world["server"], world["alice"].id
    alice = _driver(server, login_id="alice", password=PASSWORD)
    town = alice.channels.get_channel_by_name(team["id"], "town-square")
    boss.posts.create_post({"channel_id": town["id"], "message": "@alice standup?"})
    unread = {
        "team_id": team["id"],
        "msg_count": 1,
        "mention_count": 1,
        "mention_count_root": 1,
        "msg_count_root": 1,
        "thread_count": 0,
        "thread_mention_count": 0,
        "thread_urgent_mention_count": 0,
    }
    assert alice.teams.get_team_unreads_for_user("me") == [unread]
    muted = alice.channels.update_channel_notifications(town["id"], alice_id, {"mark_unread": "mention"})
    assert muted == {"status": "OK"}
    assert alice.teams.get_unreads_for_team(alice_id, team["id"]) == {
        **unread,
        "msg_count": 0,
        "msg_count_root": 0,
    }
    assert [c["id"] for c in alice.channels.autocomplete_channels(team["id"], {"name": "town"})] == [
        town["id"]
    ]

    image = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(image, format="PNG")
    assert alice.users.set_user_profile_image("me", {"image": ("me.png", image.getvalue(), "image/png")}) == {
        "status": "OK"
    }
    served = alice.users.get_user_profile_image(alice_id)
    assert served.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (128, 128)

    config = boss.system.get_configuration()
    assert config["SqlSettings"]["DataSource"] == "********************************"
    config["TeamSettings"]["SiteName"] = "Driven"
    assert boss.system.update_configuration(config)["TeamSettings"]["SiteName"] == "Driven"
    assert boss.system.get_configuration_environment() == {}
    with pytest.raises(NotEnoughPermissions):
        alice.system.get_configuration()
    rows = {row["name"]: row["value"] for row in boss.system.get_analytics({"name": "standard"})}
    assert (rows["team_count"], rows["unique_user_count"], rows["post_count"]) == (1, 3, 1)
    assert isinstance(boss.system.get_logs({"logs_per_page": 5}), list)


def test_team_and_channel_member_roles(world):
    boss, team, alice = world["boss"], world["team"], world["alice"]
    boss.teams.update_team_member_roles(team["id"], alice.id, {"roles": "team_user team_admin"})
    assert boss.teams.get_team_member(team["id"], alice.id)["roles"] == "team_user team_admin"
    town = boss.channels.get_channel_by_name(team["id"], "town-square")
    boss.channels.update_channel_roles(town["id"], alice.id, {"roles": "channel_user channel_admin"})
    assert boss.channels.get_channel_member(town["id"], alice.id)["scheme_admin"] is True
    boss.teams.update_scheme_derived_roles_of_team_member(
        team["id"], alice.id, {"scheme_admin": False, "scheme_user": True}
    )
    assert boss.teams.get_team_member(team["id"], alice.id)["roles"] == "team_user"
    bob = _driver(world["server"], login_id="bob", password=PASSWORD)
    with pytest.raises(NotEnoughPermissions):
        bob.teams.update_team_member_roles(team["id"], alice.id, {"roles": "team_user team_admin"})


def test_bot_accounts(world):
    # mattermostdriver 7.3.2 has its bot calls under driver.api["bots"] only.
    boss, alice = world["boss"], world["alice"]
    bot = boss.api["bots"].create_bot(
        {"username": "deploy-bot", "display_name": "Deploys", "description": "ships"}
    )
    assert bot["owner_id"] == world["admin"].id
    assert [b["username"] for b in boss.api["bots"].get_bots()] == ["deploy-bot"]
    assert (
        boss.api["bots"].patch_bot(bot["user_id"], {"description": "ships it"})["description"] == "ships it"
    )
    token = boss.users.create_user_access_token(bot["user_id"], {"description": "ci"})["token"]
    as_bot = _driver(world["server"], token=token)
    assert as_bot.users.get_user("me")["is_bot"] is True
    assert boss.api["bots"].assign_bot_to_user(bot["user_id"], alice.id)["owner_id"] == alice.id
    assert boss.api["bots"].disable_bot(bot["user_id"])["delete_at"] > 0
    assert boss.api["bots"].get_bots(params={"include_deleted": True})[0]["user_id"] == bot["user_id"]
    assert boss.api["bots"].get_bot(bot["user_id"], params={"include_deleted": True})["delete_at"] > 0
    assert boss.api["bots"].enable_bot(bot["user_id"])["delete_at"] == 0
    assert as_bot.users.get_user("me")["username"] == "deploy-bot"
    with pytest.raises(ResourceNotFound):
        _driver(world["server"], login_id="alice", password=PASSWORD).api["bots"].get_bot(bot["user_id"])
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'
    boss.api["bots"].set_bot_lhs_icon(bot["user_id"], {"image": ("icon.svg", svg, "image/svg+xml")})
    assert boss.api["bots"].get_bot_lhs_icon(bot["user_id"]).content == svg
    boss.api["bots"].delete_bot_lhs_icon(bot["user_id"])
    with pytest.raises(ResourceNotFound):
        boss.api["bots"].get_bot_lhs_icon(bot["user_id"])
