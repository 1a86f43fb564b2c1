"""The system console in Chromium: only system admins get in; users (search, create, deactivate and
activate, roles, password reset, sessions, tokens), teams and their members, settings generated from the configuration
(saved, refused by the server, set by the environment), server logs polled with a pause, statistics.
Hostile names stay text, and every page passes axe."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import HubbubServer, Seeder, assert_accessible, assert_clean, screenshot
from tests.fixtures import PASSWORD

HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"\'><svg onload=window.__xss=3>'
SHORT_HOSTILE = '<img src=x onerror="window.__xss=1">'
# Nicknames hold at most 64 characters.
NICKNAME = "<script>window.__xss=2</script>\"'><svg onload=window.__xss=3>"
SET_BY_ENV = "This setting has been set through an environment variable. It cannot be changed through the System Console."


@pytest.fixture(scope="module")
def env_server(tmp_path_factory):
    """A server of this module's own, with one team setting set by an MM_* variable, whose settings the
    tests may change without touching the session's server."""
    server = HubbubServer(
        tmp_path_factory.mktemp("admin-console-server"), env={"MM_TEAMSETTINGS_MAXUSERSPERTEAM": "75"}
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def env_seed(env_server) -> Seeder:
    seeder = Seeder(env_server.url)
    seeder.user("root")
    return seeder


def console_nav(page):
    return page.get_by_role("navigation", name="System console")


def user_row(page, username: str):
    return page.get_by_role("row").filter(has_text=f"@{username}")


def user_action(page, username: str, action: str) -> None:
    page.get_by_role("button", name=f"Actions for @{username}").click()
    page.get_by_role("menuitem", name=action).click()


def search(page, term: str) -> None:
    page.get_by_role("searchbox", name="Search users").fill(term)


def api_user(seed: Seeder, user_id: str) -> dict:
    return seed.call("GET", f"users/{user_id}", seed.admin.token)


def test_a_member_is_told_they_have_no_access(server, seed, open_page):
    member = seed.user()
    page = open_page(server.url, member, "/admin_console/user_management/users")
    expect(page.get_by_role("heading", name="You do not have access")).to_be_visible()
    expect(console_nav(page)).to_have_count(0)
    expect(page.get_by_role("table")).to_have_count(0)
    screenshot(page, "admin-no-access")
    assert_accessible(page)
    assert_clean(page)


def test_the_console_opens_on_its_first_page_with_the_navigation(server, seed, open_page):
    page = open_page(server.url, seed.admin, "/admin_console")
    expect(page).to_have_url(re.compile(r"/admin_console/reporting/system_analytics$"))
    nav = console_nav(page)
    expect(nav.get_by_role("link", name="Site statistics")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Users", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin_console/user_management/users$"))
    expect(nav.get_by_role("link", name="Users", exact=True)).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Site statistics")).not_to_have_attribute("aria-current", "page")
    expect(page).to_have_title(re.compile(r"^Users - System Console"))
    page.goto("/admin_console/no/such_page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    nav.get_by_role("link", name="Back to Hubbub").click()
    expect(page).not_to_have_url(re.compile(r"/admin_console"))
    assert_clean(page)


def test_users_search_create_deactivate_activate_and_make_admin(server, seed, open_page):
    stem = f"zora{next(Seeder._numbers)}"
    seed.user(f"{stem}a", nickname=NICKNAME, first_name=SHORT_HOSTILE, last_name="Lee")
    seed.user(f"{stem}b")
    page = open_page(server.url, seed.admin, "/admin_console/user_management/users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    search(page, stem)
    expect(page.get_by_role("row")).to_have_count(3)  # the header and the two accounts
    expect(user_row(page, f"{stem}a")).to_contain_text(NICKNAME)
    expect(user_row(page, f"{stem}a")).to_contain_text(SHORT_HOSTILE)
    search(page, f"{stem}b")
    expect(page.get_by_role("row")).to_have_count(2)
    expect(user_row(page, f"{stem}b")).to_be_visible()
    search(page, "nobody-has-this-name")
    expect(page.get_by_text("No users match.")).to_be_visible()
    assert_clean(page)

    # Create an account.
    page.get_by_role("button", name="Add user").click()
    dialog = page.get_by_role("dialog", name="Add user")
    dialog.get_by_label("Email").fill(f"{stem}c@example.com")
    dialog.get_by_label("Username").fill(f"{stem}c")
    dialog.get_by_label("Password").fill("short")
    dialog.get_by_role("button", name="Create user").click()
    expect(dialog.get_by_role("alert")).to_be_visible()  # the server's password rule
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Create user").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text=f"@{stem}c was created.")).to_be_visible()
    search(page, f"{stem}c")
    row = user_row(page, f"{stem}c")
    expect(row).to_contain_text("Member")
    expect(row).to_contain_text("Active")
    created = seed.call("GET", f"users/username/{stem}c", seed.admin.token)
    screenshot(page, "admin-users")
    assert_accessible(page)

    # Deactivate and activate it again.
    page.get_by_role("button", name=f"Actions for @{stem}c").click()
    menu = page.get_by_role("menu", name=f"Actions for @{stem}c")
    expect(menu.get_by_role("menuitem", name="Deactivate")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Manage roles")).to_be_focused()
    screenshot(page, "admin-users-menu")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    expect(page.get_by_role("button", name=f"Actions for @{stem}c")).to_be_focused()
    user_action(page, f"{stem}c", "Deactivate")
    confirm = page.get_by_role("dialog", name=f"Deactivate @{stem}c")
    expect(confirm).to_contain_text("signs them out everywhere")
    screenshot(page, "admin-users-deactivate")
    assert_accessible(page)
    confirm.get_by_role("button", name="Deactivate").click()
    expect(row).to_contain_text("Deactivated")
    assert api_user(seed, created["id"])["delete_at"] > 0
    page.get_by_role("combobox", name="Show").select_option("inactive")
    expect(row).to_be_visible()
    user_action(page, f"{stem}c", "Activate")
    expect(page.get_by_role("status").filter(has_text=f"@{stem}c was activated.")).to_be_visible()
    expect(row).to_have_count(0)  # no longer among the deactivated
    page.get_by_role("combobox", name="Show").select_option("all")
    expect(row).to_contain_text("Active")
    assert api_user(seed, created["id"])["delete_at"] == 0

    # Make it a system admin.
    user_action(page, f"{stem}c", "Manage roles")
    roles = page.get_by_role("dialog", name=f"Roles of @{stem}c")
    expect(roles.get_by_role("radio", name=re.compile("^Member"))).to_be_checked()
    roles.get_by_role("radio", name=re.compile("^System admin")).check()
    screenshot(page, "admin-users-roles")
    assert_accessible(page)
    roles.get_by_role("button", name="Save").click()
    expect(roles).to_have_count(0)
    expect(row).to_contain_text("System admin")
    assert "system_admin" in api_user(seed, created["id"])["roles"].split()
    page.get_by_role("combobox", name="Show").select_option("system_admin")
    expect(row).to_be_visible()
    assert_clean(page)


def test_users_password_reset_sessions_and_tokens(server, seed, open_page):
    target = seed.user(nickname=NICKNAME)
    old_token = target.token
    token = seed.call(
        "POST", f"users/{target.id}/tokens", seed.admin.token, json={"description": SHORT_HOSTILE}
    )
    page = open_page(server.url, seed.admin, "/admin_console/user_management/users")
    search(page, target.username)
    expect(user_row(page, target.username)).to_contain_text(NICKNAME)

    # Tokens: listed (hostile description as text), then revoked.
    user_action(page, target.username, "Manage tokens")
    tokens = page.get_by_role("dialog", name=f"Personal access tokens of @{target.username}")
    expect(tokens.get_by_text(SHORT_HOSTILE)).to_be_visible()
    expect(tokens).to_contain_text(token["id"])
    screenshot(page, "admin-users-tokens")
    assert_accessible(page)
    tokens.get_by_role("button", name=f"Revoke {SHORT_HOSTILE}").click()
    tokens.get_by_role("button", name="Revoke", exact=True).click()
    expect(tokens.get_by_text("This account has no personal access tokens.")).to_be_visible()
    gone = requests.get(
        f"{seed.api}/users/me", headers={"Authorization": f"Bearer {token['token']}"}, timeout=30
    )
    assert gone.status_code == 401
    tokens.get_by_role("button", name="Close", exact=True).first.click()
    expect(tokens).to_have_count(0)

    # Reset the password: the new one signs in.
    user_action(page, target.username, "Reset password")
    reset = page.get_by_role("dialog", name=f"Reset the password of @{target.username}")
    reset.get_by_label("New password").fill("Another-passw0rd")
    reset.get_by_role("button", name="Reset password").click()
    expect(reset).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="was reset")).to_be_visible()
    signed_in = requests.post(
        f"{seed.api}/users/login",
        json={"login_id": target.username, "password": "Another-passw0rd"},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    new_token = signed_in.headers["Token"]
    # An admin's reset ends the sessions that knew the old password.
    assert (
        requests.get(
            f"{seed.api}/users/me", headers={"Authorization": f"Bearer {old_token}"}, timeout=30
        ).status_code
        == 401
    )

    # Revoke every session: the one just opened stops working.
    assert (
        requests.get(
            f"{seed.api}/users/me", headers={"Authorization": f"Bearer {new_token}"}, timeout=30
        ).status_code
        == 200
    )
    user_action(page, target.username, "Revoke all sessions")
    revoke = page.get_by_role("dialog", name=f"Revoke the sessions of @{target.username}")
    revoke.get_by_role("button", name="Revoke all sessions").click()
    expect(revoke).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text=f"Every session of @{target.username} has ended.")
    ).to_be_visible()
    assert (
        requests.get(
            f"{seed.api}/users/me", headers={"Authorization": f"Bearer {new_token}"}, timeout=30
        ).status_code
        == 401
    )
    assert_clean(page)


def test_teams_list_members_invite_only_and_archive(env_server, env_seed, open_page):
    people = [env_seed.user(), env_seed.user()]
    kept = env_seed.team(*people, display_name="Kept Team")
    doomed = env_seed.team(display_name=SHORT_HOSTILE)
    env_seed.call("PUT", f"teams/{doomed['id']}/patch", env_seed.admin.token, json={"description": HOSTILE})
    page = open_page(env_server.url, env_seed.admin, "/admin_console/user_management/teams")
    kept_row = page.get_by_role("row").filter(has_text="Kept Team")
    expect(kept_row).to_contain_text(f"/{kept['name']}")
    expect(kept_row.get_by_role("cell").nth(1)).to_have_text("3")  # the admin who made it and two people
    expect(kept_row).to_contain_text("Anyone can join")
    doomed_row = page.get_by_role("row").filter(has_text=f"/{doomed['name']}")
    expect(doomed_row).to_contain_text(SHORT_HOSTILE)
    expect(doomed_row).to_contain_text(HOSTILE)
    screenshot(page, "admin-teams")
    assert_accessible(page)

    page.get_by_role("button", name="Actions for Kept Team").click()
    page.get_by_role("menuitem", name="Make invite only").click()
    expect(kept_row).to_contain_text("Invite only")
    assert env_seed.call("GET", f"teams/{kept['id']}", env_seed.admin.token)["allow_open_invite"] is False
    page.get_by_role("button", name="Actions for Kept Team").click()
    page.get_by_role("menuitem", name="Let anyone join").click()
    expect(kept_row).to_contain_text("Anyone can join")

    page.get_by_role("button", name=f"Actions for {SHORT_HOSTILE}").click()
    page.get_by_role("menuitem", name="Archive team").click()
    page.get_by_role("dialog", name=f"Archive {SHORT_HOSTILE}").get_by_role(
        "button", name="Archive team"
    ).click()
    expect(doomed_row).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="was archived")).to_be_visible()
    listed = env_seed.call("GET", "teams?per_page=200", env_seed.admin.token)
    assert doomed["id"] not in [team["id"] for team in listed]
    assert_clean(page)


def test_team_members_roles_add_and_remove(env_server, env_seed, open_page):
    lead, helper, newcomer = env_seed.user(), env_seed.user(), env_seed.user()
    team = env_seed.team(lead, helper, display_name="Ops Crew")
    page = open_page(env_server.url, env_seed.admin, "/admin_console/user_management/teams")
    page.get_by_role("button", name="Actions for Ops Crew").click()
    page.get_by_role("menuitem", name="Manage members").click()
    dialog = page.get_by_role("dialog", name="Members of Ops Crew")
    lead_row = dialog.get_by_role("row").filter(has_text=f"@{lead.username}")
    expect(lead_row).to_contain_text("Member")

    dialog.get_by_role("button", name=f"Actions for @{lead.username} in Ops Crew").click()
    dialog.get_by_role("menuitem", name="Make team admin").click()
    expect(lead_row).to_contain_text("Team admin")
    member = env_seed.call("GET", f"teams/{team['id']}/members/{lead.id}", env_seed.admin.token)
    assert member["roles"] == "team_user team_admin"
    screenshot(page, "admin-team-members")
    assert_accessible(page)

    dialog.get_by_label("Add a member by username").fill(f"@{newcomer.username}")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("status")).to_have_text(f"@{newcomer.username} was added to Ops Crew.")
    expect(dialog.get_by_role("row").filter(has_text=f"@{newcomer.username}")).to_be_visible()
    dialog.get_by_label("Add a member by username").fill("nobody-here")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog.get_by_role("alert")).to_have_text("There is no account @nobody-here.")

    dialog.get_by_role("button", name=f"Actions for @{helper.username} in Ops Crew").click()
    dialog.get_by_role("menuitem", name="Remove from team").click()
    expect(dialog.get_by_role("row").filter(has_text=f"@{helper.username}")).to_have_count(0)
    members = env_seed.call("GET", f"teams/{team['id']}/members", env_seed.admin.token)
    assert {m["user_id"] for m in members if m["delete_at"] == 0} == {env_seed.admin.id, lead.id, newcomer.id}
    dialog.get_by_role("button", name="Close").click()
    expect(page.get_by_role("row").filter(has_text="Ops Crew").get_by_role("cell").nth(1)).to_have_text("3")
    assert_clean(page)


def test_settings_save_and_the_client_configuration_follows(env_server, env_seed, open_page):
    page = open_page(env_server.url, env_seed.admin, "/admin_console/site_config/users_and_teams")
    team_settings = page.get_by_role("region", name="Team settings TeamSettings")
    expect(team_settings).to_be_visible()
    expect(page.get_by_role("region", name="Privacy settings PrivacySettings")).to_be_visible()
    site_name = page.get_by_label("Site name")
    expect(site_name).to_have_value("Hubbub")
    save = page.get_by_role("button", name="Save")
    expect(save).to_be_disabled()
    site_name.fill("Hubbub QA")
    page.get_by_label("Show email address").uncheck()
    expect(page.get_by_text("2 unsaved changes")).to_be_visible()
    screenshot(page, "admin-settings-edited")
    save.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    expect(save).to_be_disabled()
    client = requests.get(f"{env_server.url}/api/v4/config/client?format=old", timeout=30).json()
    assert client["SiteName"] == "Hubbub QA"
    whole = env_seed.call("GET", "config", env_seed.admin.token)
    assert whole["PrivacySettings"]["ShowEmailAddress"] is False
    # The page title follows the new name, and a reload shows what is saved.
    expect(page).to_have_title(re.compile("System Console - Hubbub QA$"))
    page.reload()
    expect(page.get_by_label("Site name")).to_have_value("Hubbub QA")
    expect(page.get_by_label("Show email address")).not_to_be_checked()
    assert_accessible(page)
    assert_clean(page)


def test_settings_set_by_the_environment_are_disabled(env_server, env_seed, open_page):
    page = open_page(env_server.url, env_seed.admin, "/admin_console/site_config/users_and_teams")
    field = page.get_by_label("Max users per team")
    expect(field).to_be_disabled()
    expect(field).to_have_value("75")
    expect(field).to_have_accessible_description(re.compile(re.escape(SET_BY_ENV)))
    expect(page.get_by_text(SET_BY_ENV)).to_have_count(1)
    expect(page.get_by_label("Max channels per team")).to_be_enabled()
    screenshot(page, "admin-settings-environment")
    # The test harness sets the site URL and the listen address through the environment too.
    page.get_by_role("navigation", name="System console").get_by_role("link", name="Web server").click()
    expect(page.get_by_label("Site URL")).to_be_disabled()
    expect(page.get_by_label("Listen address")).to_be_disabled()
    expect(page.get_by_label("Enable incoming webhooks")).to_be_enabled()
    assert_accessible(page)
    assert_clean(page)


def test_settings_refused_by_the_server_name_the_setting(env_server, env_seed, open_page):
    page = open_page(env_server.url, env_seed.admin, "/admin_console/environment/web_server")
    typing = page.get_by_label("Time between user typing updates milliseconds")
    expect(typing).to_have_attribute("type", "number")
    typing.fill("10")
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds")
    expect(typing).to_have_attribute("aria-invalid", "true")
    screenshot(page, "admin-settings-error")
    assert_accessible(page)
    config = env_seed.call("GET", "config", env_seed.admin.token)
    assert config["ServiceSettings"]["TimeBetweenUserTypingUpdatesMilliseconds"] == 5000
    # Not a number at all is caught before it is sent.
    typing.fill("")
    page.get_by_role("button", name="Save").click()
    expect(alert).to_contain_text("must be a number")
    page.get_by_role("button", name="Discard changes").click()
    expect(typing).to_have_value("5000")
    expect(alert).to_have_count(0)
    assert_clean(page)


def test_all_settings_by_type_with_a_filter(env_server, env_seed, open_page):
    page = open_page(env_server.url, env_seed.admin, "/admin_console/site_config/all_settings")
    # Each setting is drawn by its JSON type.
    expect(page.get_by_label("Enable incoming webhooks")).to_have_attribute("type", "checkbox")
    expect(page.get_by_label("Max file size")).to_have_attribute("type", "number")
    expect(page.get_by_label("Feedback name")).to_have_attribute("type", "text")
    replicas = page.get_by_label("Data source replicas")
    expect(replicas).to_have_js_property("tagName", "TEXTAREA")
    expect(page.get_by_label("Redis password")).to_have_attribute("type", "password")
    expect(page.get_by_role("main").get_by_role("region")).to_have_count(
        len(env_seed.call("GET", "config", env_seed.admin.token))
    )
    page.get_by_role("searchbox", name="Filter settings").fill("sitename")
    expect(page.get_by_role("main").get_by_role("region")).to_have_count(1)
    expect(page.get_by_label("Site name")).to_be_visible()
    expect(page.get_by_label("Max users per team")).to_have_count(0)
    page.get_by_role("searchbox", name="Filter settings").fill("rate limit")
    expect(page.get_by_role("region", name="Rate limit settings RateLimitSettings")).to_be_visible()
    expect(page.get_by_label("Per sec", exact=True)).to_be_visible()
    page.get_by_role("searchbox", name="Filter settings").fill("no-such-setting")
    expect(page.get_by_text("No settings match")).to_be_visible()
    page.get_by_role("searchbox", name="Filter settings").fill("")
    # A list is one value a line.
    replicas.fill("postgres://one/hubbub\n\n postgres://two/hubbub ")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    # The answer masks them, as GET /config does.
    expect(replicas).to_have_value("********************************\n********************************")
    assert len(env_seed.call("GET", "config", env_seed.admin.token)["SqlSettings"]["DataSourceReplicas"]) == 2
    screenshot(page, "admin-settings-all")
    assert_accessible(page)
    assert_clean(page)


def test_server_logs_show_lines_and_poll_until_paused(env_server, env_seed, open_page):
    page = open_page(env_server.url, env_seed.admin, "/admin_console/reporting/server_logs")
    lines = page.get_by_role("region", name="Log lines, newest last").get_by_role("listitem")
    expect(lines.first).to_be_visible()
    # A new line shows up by itself: a configuration change is logged with who made it.
    other = env_seed.user()
    env_seed.call(
        "PUT", f"users/{other.id}/roles", env_seed.admin.token, json={"roles": "system_user system_admin"}
    )
    env_seed.call("PUT", "config/patch", other.token, json={})
    expect(lines.filter(has_text=f"changed by user {other.id}")).to_have_count(1, timeout=15000)
    expect(lines.last).to_contain_text(other.id)  # newest at the bottom
    screenshot(page, "admin-logs")
    assert_accessible(page)

    pause = page.get_by_role("button", name="Pause")
    pause.click()
    resume = page.get_by_role("button", name="Resume")
    expect(resume).to_have_attribute("aria-pressed", "true")
    third = env_seed.user()
    env_seed.call(
        "PUT", f"users/{third.id}/roles", env_seed.admin.token, json={"roles": "system_user system_admin"}
    )
    env_seed.call("PUT", "config/patch", third.token, json={})
    page.wait_for_timeout(6500)  # longer than the poll interval
    expect(lines.filter(has_text=third.id)).to_have_count(0)
    resume.click()
    expect(lines.filter(has_text=third.id)).to_have_count(1)
    page.get_by_role("searchbox", name="Filter log lines").fill(third.id)
    expect(lines).to_have_count(1)
    assert_clean(page)


def test_site_statistics_show_the_numbers(env_server, env_seed, open_page):
    poster = env_seed.user()
    team = env_seed.team(poster)
    for message in ("first", "second", "third"):
        env_seed.post(poster, env_seed.town_square(team, poster.token), message)
    rows = {
        row["name"]: row["value"]
        for row in env_seed.call("GET", "analytics/old?name=standard", env_seed.admin.token)
    }
    page = open_page(env_server.url, env_seed.admin, "/admin_console/reporting/system_analytics")
    expect(page.get_by_role("heading", name="Site statistics")).to_be_visible()
    users = page.get_by_role("listitem").filter(has_text="Total active users")
    expect(users).to_contain_text(str(rows["unique_user_count"]))
    teams = page.get_by_role("listitem").filter(has_text="Total teams")
    expect(teams).to_contain_text(str(rows["team_count"]))
    expect(page.get_by_role("listitem").filter(has_text="Total posts")).to_contain_text(re.compile(r"\d"))
    expect(page.get_by_role("listitem").filter(has_text="WebSocket connections")).to_be_visible()
    today = env_seed.call("GET", "analytics/old?name=post_counts_day", env_seed.admin.token)[0]
    assert today["value"] >= 3
    days = page.get_by_role("list", name="Total posts").get_by_role("listitem")
    expect(days).to_have_count(31)
    expect(days.last).to_have_text(f"{today['name']}: {today['value']}")
    screenshot(page, "admin-stats")
    assert_accessible(page)
    assert_clean(page)
