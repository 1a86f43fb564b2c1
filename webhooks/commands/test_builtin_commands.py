"""The built-in slash commands, run as their caller through the hub's services and checked against
Mattermost's app/slashcommands: the answer each gives and what it changed, read back from the services."""

from __future__ import annotations

import time

import pytest

from hub.errors import AppError
from hub.extensions import EPHEMERAL, IN_CHANNEL, CommandCall, CommandResponse
from hub.permissions import Actor, channel_member
from hub.services.channels import group_channel_name
from webhooks.commands.builtin import registry

SITE = "https://chat.example.com"
SHRUG = "¯\\\\\\_(ツ)\\_/¯"


@pytest.fixture
def newcomer(hub, room, make_account):
    """In the team but in none of its channels but the default ones."""
    account = make_account("newcomer")
    with hub.store.write() as s:
        hub.teams.add_member(s, hub.teams.load(s, room.team_id), account.id)
    return account


@pytest.fixture
def run(hub, room):
    """run(account, "/trigger text", channel_id=room's public channel) -> CommandResponse."""

    def execute(account, line: str, channel_id: str | None = None) -> CommandResponse:
        trigger, _, text = line.removeprefix("/").partition(" ")
        actor, _ = hub.auth.resolve(account.token)
        call = CommandCall(
            actor=actor,
            team_id=room.team_id,
            channel_id=channel_id or room.channel_id,
            root_id="",
            trigger=trigger,
            text=text.strip(),
            site_url=SITE,
        )
        return registry()[trigger].execute(hub, call)

    return execute


def as_actor(account) -> Actor:
    return Actor(account.id, "system_user")


def said(response: CommandResponse) -> str:
    """The text of an ephemeral answer that sends the client nowhere."""
    assert response.response_type == EPHEMERAL and not response.goto_location, response
    return response.text


def is_member(hub, channel_id: str, account) -> bool:
    with hub.store.read() as s:
        return channel_member(s, channel_id, account.id) is not None


# ---- the registry ---------------------------------------------------------------------------------
def test_the_registry_lists_every_command_under_its_own_trigger():
    commands = registry()
    assert set(commands) == {
        "away", "online", "offline", "dnd", "echo", "me", "shrug", "code", "header", "purpose", "rename",
        "join", "open", "leave", "kick", "remove", "invite", "msg", "groupmsg", "mute", "search",
        "expand", "collapse", "help", "logout",
    }  # fmt: skip
    for trigger, command in commands.items():
        assert command.trigger == trigger
        assert command.display_name and command.auto_complete_desc


# ---- statuses -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "trigger, status, answer",
    [
        ("away", "away", "You are now away"),
        ("offline", "offline", "You are now offline"),
        ("dnd", "dnd", "Do Not Disturb is enabled. You will not receive desktop or mobile push "
         "notifications until Do Not Disturb is turned off."),
        ("online", "online", "You are now online"),
    ],
)  # fmt: skip
def test_status_commands_set_the_callers_status(hub, room, run, trigger, status, answer):
    assert said(run(room.member, f"/{trigger}")) == answer
    stored = hub.statuses.get(room.member.id)
    assert (stored.status, stored.manual, stored.dnd_end_time) == (status, status != "online", 0)


# ---- posts made from the answer -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, message",
    [
        ("hello world", "hello world"),
        ('"hello world"', "hello world"),
        ('"hello 5" 0', "hello 5"),
        ("count to 0", "count to"),
        ("just-one-word", "just-one-word"),
    ],
)
def test_echo_answers_the_message_in_channel(room, run, text, message):
    response = run(room.member, f"/echo {text}")
    assert (response.response_type, response.text) == (IN_CHANNEL, message)


@pytest.mark.parametrize(
    "text, answer",
    [
        ("", "A message must be provided with the /echo command."),
        ('"later" 10001', "Delays must be under 10000 seconds."),
        ("later 5", "Delayed echo is not supported on this server; send /echo without a delay."),
    ],
)
def test_echo_refuses_a_missing_message_and_delays(room, run, text, answer):
    assert said(run(room.member, f"/echo {text}")) == answer


def test_me_answers_an_italic_post_of_type_me(room, run):
    response = run(room.member, "/me waves")
    assert (response.response_type, response.type, response.text) == (IN_CHANNEL, "me", "*waves*")


@pytest.mark.parametrize("text, message", [("fine", f"fine {SHRUG}"), ("", SHRUG)])
def test_shrug_appends_an_escaped_shrug(room, run, text, message):
    response = run(room.member, f"/shrug {text}")
    assert (response.response_type, response.text) == (IN_CHANNEL, message)
    assert message.endswith("¯\\\\\\_(ツ)\\_/¯")


def test_code_indents_every_line_four_spaces(room, run):
    response = run(room.member, "/code def f():\n    return 1")
    assert (response.response_type, response.text) == (IN_CHANNEL, "    def f():\n        return 1")
    assert response.skip_slack_parsing
    assert said(run(room.member, "/code")) == "A message must be provided with the /code command."


# ---- channel properties ---------------------------------------------------------------------------
def test_header_sets_the_channel_header(hub, room, run):
    assert run(room.member, "/header Deploys at **noon**") == CommandResponse()
    assert hub.channels.get(as_actor(room.member), room.channel_id).header == "Deploys at **noon**"


def test_header_refusals(hub, room, run, newcomer):
    assert said(run(room.member, "/header")) == "Text must be provided with the /header command."
    assert said(run(room.member, "/header " + "x" * 1025)) == (
        "The text entered exceeds the character limit. The channel header is limited to 1024 characters."
    )
    # A team member outside the channel may read it but not manage it.
    assert said(run(newcomer, "/header mine now")) == (
        "You don't have the appropriate permissions to edit the channel header."
    )
    assert hub.channels.get(as_actor(room.owner), room.channel_id).header == ""


def test_a_service_error_becomes_an_ephemeral_answer_with_its_message(hub, room, run):
    hub.channels.archive(as_actor(room.owner), room.channel_id)
    assert said(run(room.owner, "/header too late")) == "The channel has been archived or deleted."


def test_purpose_sets_the_channel_purpose_but_not_in_a_direct_channel(hub, room, run):
    assert run(room.owner, "/purpose Plans", channel_id=room.private_channel_id) == CommandResponse()
    assert hub.channels.get(as_actor(room.owner), room.private_channel_id).purpose == "Plans"
    assert said(run(room.owner, "/purpose")) == "A message must be provided with the /purpose command."
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert said(run(room.owner, "/purpose Chat", channel_id=direct.id)) == (
        "Unable to set purpose for direct message channels. Use /header to set the header instead."
    )


def test_rename_sets_the_display_name(hub, room, run):
    assert run(room.member, "/rename Big Room") == CommandResponse()
    channel = hub.channels.get(as_actor(room.member), room.channel_id)
    assert (channel.display_name, channel.name) == ("Big Room", "room")


def test_rename_refusals(hub, room, run, newcomer):
    refused = "You don't have the appropriate permissions to rename the channel."
    assert said(run(newcomer, "/rename Mine")) == refused
    # A private channel the caller cannot even read.
    assert said(run(room.member, "/rename Mine", channel_id=room.private_channel_id)) == refused
    assert said(run(room.member, "/rename")) == "A message must be provided with the /rename command."
    assert said(run(room.member, "/rename " + "x" * 65)) == "Channel name must be 64 or fewer characters."
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert said(run(room.owner, "/rename Us", channel_id=direct.id)) == (
        "Unable to rename direct message channels."
    )
    assert hub.channels.get(as_actor(room.owner), room.channel_id).display_name == "Room"
    assert hub.channels.get(as_actor(room.owner), room.private_channel_id).display_name == "Den"


# ---- membership -----------------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["/join ~room", "/join room", "/open ~Room"])
def test_join_adds_the_caller_and_goes_to_the_channel(hub, room, run, newcomer, line):
    response = run(newcomer, line)
    assert response.goto_location == f"{SITE}/crew/channels/room"
    assert response.response_type == EPHEMERAL and response.text == ""
    assert is_member(hub, room.channel_id, newcomer)


@pytest.mark.parametrize("line", ["/join ~den", "/join ~nowhere", "/join"])
def test_join_answers_a_private_or_missing_channel_as_not_found(hub, room, run, newcomer, line):
    assert said(run(newcomer, line)) == "Unable to find the channel."
    assert not is_member(hub, room.private_channel_id, newcomer)


def test_leave_removes_the_caller_and_goes_to_town_square(hub, room, run):
    response = run(room.member, "/leave")
    assert response.goto_location == f"{SITE}/crew/channels/town-square"
    assert not is_member(hub, room.channel_id, room.member)


def test_nobody_leaves_town_square(hub, room, run):
    town_square = hub.channels.by_name(as_actor(room.owner), room.team_id, "town-square")
    assert said(run(room.owner, "/leave", channel_id=town_square.id)) == (
        "Unable to leave the default channel town-square."
    )
    assert is_member(hub, town_square.id, room.owner)


@pytest.mark.parametrize("trigger", ["kick", "remove"])
def test_kick_and_remove_take_a_member_out(hub, room, run, trigger):
    assert run(room.owner, f"/{trigger} @member") == CommandResponse()
    assert not is_member(hub, room.channel_id, room.member)


def test_kick_refusals(hub, room, run, newcomer):
    # In Mattermost's default scheme only the channel's members may remove others from a public channel.
    assert said(run(newcomer, "/kick @member")) == (
        "You don't have the appropriate permissions to remove the member."
    )
    assert is_member(hub, room.channel_id, room.member)
    assert said(run(room.owner, "/kick")) == "A message must be provided with the /remove or /kick command."
    assert said(run(room.owner, "/kick @ghost")) == (
        "We couldn't find the user. They may have been deactivated by the System Administrator."
    )
    assert said(run(room.owner, "/remove @outsider")) == "@outsider is not a member of this channel."
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert said(run(room.owner, "/kick @member", channel_id=direct.id)) == (
        "You can't remove someone from a direct message channel."
    )


def test_invite_adds_users_to_the_named_channels(hub, room, run, newcomer):
    answer = said(run(room.owner, "/invite @member @newcomer ~den"))
    assert answer == "@member added to ~den channel.\n@newcomer added to ~den channel."
    assert is_member(hub, room.private_channel_id, room.member)
    assert is_member(hub, room.private_channel_id, newcomer)


def test_invite_without_a_channel_uses_the_current_one(hub, room, run, newcomer):
    assert said(run(room.member, "/invite newcomer")) == "@newcomer added to ~room channel."
    assert is_member(hub, room.channel_id, newcomer)
    assert said(run(room.member, "/invite @newcomer")) == "@newcomer is already in the channel."


def test_invite_refusals(hub, room, run, newcomer):
    assert said(run(room.owner, "/invite")) == "Missing Username and/or Channel."
    assert said(run(room.owner, "/invite @ghost")) == (
        "We couldn't find the user ghost. They may have been deactivated by the System Administrator."
    )
    assert said(run(room.owner, "/invite @outsider")) == (
        "You can add @outsider to this channel once they are members of the **Crew** team."
    )
    # The member cannot see the private channel; its name answers as unknown.
    assert said(run(room.member, "/invite @newcomer ~den")) == (
        "Could not find the channel den. Please use the channel handle to identify channels."
    )
    assert said(run(newcomer, "/invite @owner ~off-topic")) == "@owner is already in the channel."
    # Outside the channel, adding someone else is managing its members: refused before anything else.
    assert said(run(newcomer, "/invite @admin")) == (
        "You don't have enough permissions to add @admin in ~room."
    )
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert said(run(room.owner, "/invite @newcomer", channel_id=direct.id)) == (
        "You can't add someone to a direct message channel."
    )


# ---- direct and group messages --------------------------------------------------------------------
def posts_in(hub, account, channel_id: str) -> list[str]:
    listed = hub.posts.for_channel(as_actor(account), channel_id, {})
    by_id = {view.post.id: view.post for view in listed.posts}
    return [by_id[post_id].message for post_id in listed.order]


def test_msg_opens_the_direct_channel_posts_and_goes_there(hub, room, run):
    response = run(room.owner, "/msg @member see you at noon")
    assert response.goto_location == f"{SITE}/crew/messages/@member"
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert posts_in(hub, room.owner, direct.id) == ["see you at noon"]
    assert run(room.owner, "/msg member").goto_location == f"{SITE}/crew/messages/@member"
    assert posts_in(hub, room.owner, direct.id) == ["see you at noon"]
    run(room.owner, "/msg @member\nfirst line\nsecond line")
    assert posts_in(hub, room.owner, direct.id) == ["first line\nsecond line", "see you at noon"]


@pytest.mark.parametrize("line", ["/msg @ghost hi", "/msg @owner hi", "/msg"])
def test_msg_answers_an_unknown_user_or_the_caller_as_missing(room, run, line):
    assert said(run(room.owner, line)) == "Unable to find the user."


def test_groupmsg_opens_the_group_channel_posts_and_goes_there(hub, room, run, newcomer):
    response = run(room.owner, "/groupmsg @member, @newcomer lunch, anyone?")
    name = group_channel_name([room.owner.id, room.member.id, newcomer.id])
    assert response.goto_location == f"{SITE}/crew/messages/{name}"
    group = hub.channels.group(as_actor(room.owner), [room.member.id, newcomer.id])
    assert group.name == name
    assert posts_in(hub, room.owner, group.id) == ["lunch, anyone?"]


def test_groupmsg_with_one_other_user_is_a_direct_message(hub, room, run):
    response = run(room.owner, "/groupmsg @member,@owner hi")
    assert response.goto_location == f"{SITE}/crew/messages/@member"
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert posts_in(hub, room.owner, direct.id) == ["hi"]


def test_groupmsg_refusals(room, run, make_account):
    assert said(run(room.owner, "/groupmsg @ghost,@member")) == "Unable to find the user: @ghost"
    assert said(run(room.owner, "/groupmsg @ghost,@phantom")) == (
        "Unable to find the users: @ghost, @phantom"
    )
    assert said(run(room.owner, "/groupmsg @owner")) == (
        "Group messages are limited to a minimum of 2 users."
    )
    crowd = [make_account(f"crowd{i}").username for i in range(8)]
    assert said(run(room.owner, "/groupmsg " + ",".join(f"@{u}" for u in crowd))) == (
        "Group messages are limited to a maximum of 7 users."
    )


# ---- per-user settings ----------------------------------------------------------------------------
def test_mute_toggles_mark_unread_of_the_current_channel(hub, room, run):
    answer = said(run(room.member, "/mute"))
    assert answer == "You will not receive notifications for Room until channel mute is turned off."
    member = hub.channels.member(as_actor(room.member), room.channel_id, room.member.id)
    assert member.notify_props["mark_unread"] == "mention"
    assert said(run(room.member, "/mute")) == "Room is no longer muted."
    member = hub.channels.member(as_actor(room.member), room.channel_id, room.member.id)
    assert member.notify_props["mark_unread"] == "all"


def test_mute_a_named_channel_and_a_direct_channel(hub, room, run):
    assert said(run(room.owner, "/mute ~den")) == (
        "You will not receive notifications for Den until channel mute is turned off."
    )
    assert hub.channels.member(as_actor(room.owner), room.private_channel_id, room.owner.id).notify_props == {
        "mark_unread": "mention"
    }
    direct = hub.channels.direct(as_actor(room.owner), [room.owner.id, room.member.id])
    assert said(run(room.owner, "/mute", channel_id=direct.id)) == (
        "You will not receive notifications for this channel until channel mute is turned off."
    )
    assert said(run(room.owner, "/mute", channel_id=direct.id)) == "This channel is no longer muted."


def test_mute_refusals(hub, room, run, newcomer):
    assert said(run(room.member, "/mute ~den")) == (
        "Could not find the channel den. Please use the channel handle to identify channels."
    )
    assert said(run(newcomer, "/mute")) == "Could not mute channel room as you are not a member."


def test_member_notify_props_accept_only_mattermosts_levels(hub, room):
    with pytest.raises(AppError) as refused:
        hub.channels.update_member_notify_props(
            as_actor(room.member), room.channel_id, room.member.id, {"mark_unread": "never"}
        )
    assert (refused.value.status_code, refused.value.id) == (
        400,
        "model.channel_member.is_valid.unread_level.app_error",
    )
    with pytest.raises(AppError) as forbidden:
        hub.channels.update_member_notify_props(
            as_actor(room.owner), room.channel_id, room.member.id, {"mark_unread": "mention"}
        )
    assert forbidden.value.status_code == 403


@pytest.mark.parametrize("trigger, value, answer", [
    ("collapse", "true", "Image links now collapse by default"),
    ("expand", "false", "Image links now expand by default"),
])  # fmt: skip
def test_expand_and_collapse_set_the_previews_preference(hub, room, run, trigger, value, answer):
    assert said(run(room.member, f"/{trigger}")) == answer
    actor = as_actor(room.member)
    assert hub.preferences.get(actor, room.member.id, "display_settings", "collapse_previews").value == value


def test_logout_ends_the_callers_session_and_goes_to_login(hub, room, run):
    actor, _ = hub.auth.resolve(room.member.token)
    response = run(room.member, "/logout")
    assert (response.goto_location, response.text) == ("/login", "")
    assert actor.session_id not in {session.id for session in hub.auth.sessions(actor, room.member.id)}
    with pytest.raises(AppError) as ended:
        hub.auth.resolve(room.member.token)
    assert ended.value.status_code == 401


def post(hub, account, channel_id: str, message: str):
    return hub.posts.create(as_actor(account), {"channel_id": channel_id, "message": message})


# ---- search and help ------------------------------------------------------------------------------
def test_search_lists_the_newest_matches_with_permalinks(hub, room, run):
    posted = post(hub, room.owner, room.channel_id, "launch the rocket")
    post(hub, room.owner, room.channel_id, "unrelated")
    assert said(run(room.member, "/search rocket")) == (
        "Messages matching `rocket`, newest first:\n"
        f"- @owner: launch the rocket ([open]({SITE}/crew/pl/{posted.post.id}))"
    )
    assert said(run(room.member, "/search comet")) == "No messages match `comet`."
    assert said(run(room.member, "/search")) == (
        "Type what to search for after /search, e.g. `/search release notes`."
    )


def test_search_shows_only_the_newest_five(hub, room, run):
    for number in range(7):
        post(hub, room.owner, room.channel_id, f"rocket {number}")
        time.sleep(0.002)  # posts of one millisecond have no order between them
    lines = said(run(room.member, "/search rocket")).split("\n")
    shown = [line.split(" ([open]")[0] for line in lines[1:6]]
    assert shown == [f"- @owner: rocket {n}" for n in range(6, 1, -1)]
    assert lines[6] == "Only the newest 5 are shown; the search box finds them all."


def test_search_outside_the_team_is_refused(room, run):
    assert said(run(room.outsider, "/search rocket")) == "You do not have the appropriate permissions."


def test_help_lists_every_command_with_its_arguments(room, run):
    lines = said(run(room.member, "/help")).split("\n")
    assert lines[0] == "Built-in commands:"
    assert "- `/echo 'message' [delay in seconds]`: Echo back text from your account" in lines
    assert "- `/leave`: Leave the current channel" in lines
    assert [line.split("`")[1].split()[0] for line in lines[1:]] == sorted(f"/{t}" for t in registry())
