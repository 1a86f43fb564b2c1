"""The web client in Chromium: first run, signing in, living in channels, two people live, hostile text,
and a server restart under an open page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_clean, screenshot
from tests.fixtures import PASSWORD

HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"\'><svg onload=window.__xss=3>'


def composer(page, channel_title: str):
    return page.get_by_role("combobox", name=f"Write to {channel_title}")


def messages(page):
    return page.get_by_role("log", name="Messages")


def test_first_run_signs_up_the_admin_makes_a_team_and_posts(fresh_server, open_page):
    page = open_page(fresh_server.url)
    expect(page).to_have_url(re.compile(r"/login$"))
    screenshot(page, "login")
    assert_accessible(page)
    page.get_by_role("link", name="Create one").click()
    page.get_by_label("Email").fill("root@example.com")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/select_team$"))
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Team name").fill("Platform Ops")
    page.get_by_role("button", name="Create team").click()
    expect(page).to_have_url(re.compile(r"/platform-ops/channels/town-square$"))
    composer(page, "Town Square").fill("Hello from the first admin")
    composer(page, "Town Square").press("Enter")
    expect(messages(page).get_by_text("Hello from the first admin")).to_be_visible()
    # The admin sees the way to the consoles.
    page.get_by_role("button", name="@root").click()
    expect(page.get_by_role("menuitem", name="System console")).to_be_visible()
    page.keyboard.press("Escape")
    assert_clean(page)


def test_sign_in_refuses_a_wrong_password_then_lands_where_asked(server, seed, open_page):
    bob = seed.user()
    team = seed.team(bob)
    seed.channel(team, bob, name="deploys")
    page = open_page(server.url, path=f"/{team['name']}/channels/deploys")
    expect(page).to_have_url(re.compile(r"/login\?redirect_to="))
    page.get_by_label("Email or username").fill(bob.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a valid email or username and/or password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/{team['name']}/channels/deploys$"))
    expect(page.get_by_role("heading", name="Deploys")).to_be_visible()
    assert_clean(page)


def test_sign_in_asks_for_the_mfa_code_when_the_account_has_one(fresh_server, open_page):
    import sqlite3

    import pyotp

    from tests.browser.conftest import Seeder

    seed = Seeder(fresh_server.url)
    seed.user("boss")
    guarded = seed.user("guarded")
    secret = pyotp.random_base32()
    with sqlite3.connect(fresh_server.folder / "data" / "hubbub.db") as db:
        db.execute("UPDATE users SET mfa_active = 1, mfa_secret = ? WHERE id = ?", (secret, guarded.id))
    page = open_page(fresh_server.url, path="/login")
    page.get_by_label("Email or username").fill("guarded")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("MFA code")
    expect(code).to_be_visible()
    code.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid MFA token")
    code.fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/select_team$"))


def test_joining_and_leaving_a_channel(server, seed, open_page):
    gil = seed.user()
    team = seed.team(gil)
    seed.channel(team, name="announcements", purpose="Company news")
    page = open_page(server.url, gil, f"/{team['name']}/channels/town-square")
    page.get_by_role("button", name="Browse channels").click()
    browse = page.get_by_role("dialog", name="Browse channels")
    expect(browse.get_by_text("Company news")).to_be_visible()
    browse.get_by_role("button", name="Join").click()
    expect(page).to_have_url(re.compile(r"/channels/announcements$"))
    expect(page.get_by_role("link", name="Announcements")).to_be_visible()
    page.get_by_role("button", name="Leave channel").click()
    expect(page).to_have_url(re.compile(r"/channels/town-square$"))
    expect(
        page.get_by_role("navigation", name="Channels").get_by_role("link", name="Announcements")
    ).to_have_count(0)


def test_posting_editing_with_up_arrow_and_deleting(server, seed, open_page):
    carol = seed.user()
    team = seed.team(carol)
    page = open_page(server.url, carol, f"/{team['name']}/channels/town-square")
    box = composer(page, "Town Square")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    box.press("Enter")
    log = messages(page)
    expect(log.get_by_text("first line")).to_be_visible()
    expect(box).to_have_value("")
    expect(log.get_by_text("Sending…")).to_have_count(0)
    box.press("ArrowUp")
    editor = page.get_by_role("textbox", name="Edit message")
    expect(editor).to_have_value("first line\nsecond line")
    editor.fill("edited text")
    editor.press("Enter")
    expect(log.get_by_text("edited text")).to_be_visible()
    expect(log.get_by_text("(edited)")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    log.get_by_role("article").last.hover()
    page.get_by_role("button", name="Delete message").click()
    expect(log.get_by_text("edited text")).to_have_count(0)
    assert_clean(page)


def test_drafts_are_kept_per_channel(server, seed, open_page):
    dave = seed.user()
    team = seed.team(dave)
    page = open_page(server.url, dave, f"/{team['name']}/channels/town-square")
    composer(page, "Town Square").fill("half a thought")
    page.get_by_role("link", name="Off-Topic").click()
    expect(composer(page, "Off-Topic")).to_have_value("")
    page.get_by_role("link", name="Town Square").click()
    expect(composer(page, "Town Square")).to_have_value("half a thought")
    page.reload()
    expect(composer(page, "Town Square")).to_have_value("half a thought")


def test_history_pages_back(server, seed, open_page):
    erin = seed.user()
    team = seed.team(erin)
    town = seed.town_square(team, erin.token)
    for number in range(1, 131):
        seed.post(erin, town, f"history message {number}")
    page = open_page(server.url, erin, f"/{team['name']}/channels/town-square")
    log = messages(page)
    expect(log.get_by_text("history message 130", exact=True)).to_be_visible()
    expect(log.get_by_text("history message 1", exact=True)).to_have_count(0)
    # Scrolling to the top loads the page before; the button loads the one before that.
    log.locator("xpath=..").evaluate("element => { element.scrollTop = 0; }")
    expect(log.get_by_text("history message 11", exact=True)).to_be_attached()
    expect(log.get_by_text("history message 10", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Load older messages").click()
    expect(log.get_by_text("history message 1", exact=True)).to_be_attached()
    expect(log.get_by_role("article")).to_have_count(130)
    expect(page.get_by_text("This is the start of the channel.")).to_be_visible()


def test_two_people_see_each_other_live(server, seed, open_page):
    alice, bob = seed.user(), seed.user()
    team = seed.team(alice, bob, display_name="Live Crew")
    seed.channel(team, alice, bob, name="builds")
    alice_page = open_page(server.url, alice, f"/{team['name']}/channels/town-square")
    bob_page = open_page(server.url, bob, f"/{team['name']}/channels/builds")
    expect(composer(bob_page, "Builds")).to_be_visible()
    expect(composer(alice_page, "Town Square")).to_be_visible()

    # A post in a channel bob is not looking at makes it unread for him, with a badge when it mentions him.
    composer(alice_page, "Town Square").fill(f"Morning @{bob.username}, the build is green")
    composer(alice_page, "Town Square").press("Enter")
    bob_town = bob_page.get_by_role("link", name=re.compile(r"^Town Square, 1 mentions$"))
    expect(bob_town).to_be_visible()

    # Typing shows on the other side, and the post arrives live.
    alice_page.get_by_role("link", name="Builds").click()
    composer(alice_page, "Builds").press_sequentially("deploying now", delay=20)
    expect(bob_page.get_by_text(f"{alice.username} is typing…")).to_be_visible()
    composer(alice_page, "Builds").press("Enter")
    expect(messages(bob_page).get_by_text("deploying now")).to_be_visible()
    expect(bob_page.get_by_text(f"{alice.username} is typing…")).to_have_count(0)

    # Reading the channel clears its badge.
    bob_town.click()
    expect(messages(bob_page).get_by_text("the build is green")).to_be_visible()
    expect(bob_page.get_by_role("link", name="Town Square", exact=True)).to_be_visible()

    # A direct message opens from the sidebar and arrives live, with the sender's presence.
    bob_page.get_by_role("button", name="Write to someone").click()
    bob_page.get_by_label("Find someone").fill(alice.username)
    bob_page.get_by_role("button", name="Message").first.click()
    expect(bob_page).to_have_url(re.compile(rf"/messages/@{alice.username}$"))
    composer(bob_page, alice.username).fill("ping")
    composer(bob_page, alice.username).press("Enter")
    expect(alice_page.get_by_role("link", name=re.compile(rf"^{bob.username}, 1 mentions$"))).to_be_visible()
    alice_page.get_by_role("button", name=f"@{alice.username}").click()
    alice_page.get_by_role("menuitem", name="Do not disturb").click()
    expect(bob_page.get_by_role("navigation", name="Channels").get_by_role("img", name="dnd")).to_be_visible()
    screenshot(bob_page, "chat-direct-message")
    assert_accessible(bob_page)
    assert_clean(alice_page)
    assert_clean(bob_page)


def test_hostile_strings_stay_text(server, seed, open_page):
    mallory = seed.user(first_name=HOSTILE[:60], nickname="<b>nick</b>")
    victim = seed.user()
    team = seed.team(mallory, victim, display_name=HOSTILE[:60])
    channel = seed.channel(
        team, mallory, victim, name="trap", display_name=HOSTILE[:60], header=HOSTILE, purpose=HOSTILE
    )
    seed.post(mallory, channel, HOSTILE + " [click](javascript:window.__xss=4) **bold**")
    page = open_page(server.url, victim, f"/{team['name']}/channels/trap")
    log = messages(page)
    expect(log.get_by_text("window.__xss=2", exact=False)).to_be_visible()
    expect(page.get_by_role("main").get_by_role("heading", name=HOSTILE[:60])).to_be_visible()
    expect(page.locator("main img[src='x'], main svg, main script")).to_have_count(0)
    composer(page, HOSTILE[:60]).fill(HOSTILE)
    composer(page, HOSTILE[:60]).press("Enter")
    expect(log.get_by_role("article")).to_have_count(2)
    page.wait_for_timeout(500)
    screenshot(page, "hostile-strings")
    assert_clean(page)


def test_the_page_recovers_from_a_server_restart_and_keeps_its_draft(fresh_server, open_page):
    from tests.browser.conftest import Seeder

    seed = Seeder(fresh_server.url)
    admin, frank = seed.user("boss"), seed.user()
    team = seed.team(admin, frank)
    town = seed.town_square(team, admin.token)
    page = open_page(fresh_server.url, frank, f"/{team['name']}/channels/town-square")
    box = composer(page, "Town Square")
    box.fill("unsent draft")
    seed.post(admin, town, "before the restart")
    expect(messages(page).get_by_text("before the restart")).to_be_visible()

    fresh_server.stop()
    expect(page.get_by_role("status")).to_contain_text("Reconnecting")
    fresh_server.start()
    # Posted while the page was cut off: the resync after reconnecting brings it.
    seed.post(admin, town, "after the restart")
    expect(page.get_by_role("status")).to_have_count(0, timeout=30_000)
    expect(messages(page).get_by_text("after the restart")).to_be_visible()
    expect(box).to_have_value("unsent draft")
    seed.post(admin, town, "live again")
    expect(messages(page).get_by_text("live again")).to_be_visible()
    assert_clean(page)


def test_a_group_message_reaches_everyone_in_it(server, seed, open_page):
    ann, ben, cat = seed.user(), seed.user(), seed.user()
    team = seed.team(ann, ben, cat)
    ann_page = open_page(server.url, ann, f"/{team['name']}/channels/town-square")
    ben_page = open_page(server.url, ben, f"/{team['name']}/channels/town-square")
    expect(composer(ben_page, "Town Square")).to_be_visible()
    ann_page.get_by_role("button", name="Write to someone").click()
    dialog = ann_page.get_by_role("dialog", name="Direct message")
    for user in (ben, cat):
        dialog.get_by_label("Find someone").fill(user.username)
        dialog.get_by_role("listitem").filter(has_text=f"@{user.username}").get_by_label("Group").check()
    dialog.get_by_role("button", name="Start group message").click()
    title = ", ".join(sorted([ben.username, cat.username]))
    expect(ann_page.get_by_role("main").get_by_role("heading", name=title)).to_be_visible()
    composer(ann_page, title).fill("standup in 5")
    composer(ann_page, title).press("Enter")
    ben_title = ", ".join(sorted([ann.username, cat.username]))
    expect(ben_page.get_by_role("link", name=re.compile(rf"^{re.escape(ben_title)}"))).to_be_visible()
    ben_page.get_by_role("link", name=re.compile(rf"^{re.escape(ben_title)}")).click()
    expect(messages(ben_page).get_by_text("standup in 5")).to_be_visible()
    assert_clean(ann_page)


def test_a_page_reloads_when_the_restarted_server_serves_another_client(fresh_server, open_page):
    from tests.browser.conftest import Seeder

    seed = Seeder(fresh_server.url)
    seed.user("boss")
    ivy = seed.user()
    team = seed.team(ivy)
    page = open_page(fresh_server.url, ivy, f"/{team['name']}/channels/town-square")
    expect(composer(page, "Town Square")).to_be_visible()

    def upgraded_shell(route):
        if route.request.resource_type != "fetch":
            route.continue_()
            return
        answer = route.fetch()
        route.fulfill(
            response=answer,
            body=re.sub(r"/static/app/[0-9a-f]{16}/", "/static/app/0123456789abcdef/", answer.text()),
        )

    fresh_server.stop()
    expect(page.get_by_role("status")).to_contain_text("Reconnecting")
    page.route(f"{fresh_server.url}/", upgraded_shell)
    fresh_server.start()
    expect(page.get_by_role("status")).to_contain_text("Hubbub was updated", timeout=30_000)
