"""The integrations console in Chromium against a real server: incoming webhooks with the GitLab adapter fed a
real GitLab payload, outgoing webhooks delivering to a real receiver with the delivery log and redelivery, a
slash command run from the composer, personal access tokens used and revoked; secrets shown once, hostile
names kept as text, menus that follow the config flags and the user's roles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import requests
from playwright.sync_api import expect

from hub.signing import verify
from tests.browser.conftest import assert_accessible, assert_clean, screenshot
from tests.receiver import Answer

HOSTILE = "<img src=x onerror=window.__xss=1>"
HOSTILE_LONG = HOSTILE + "<script>window.__xss=2</script>\"'><svg onload=window.__xss=3>"
GITLAB_FIXTURES = (
    Path(__file__).resolve().parents[2] / "webhooks" / "incoming" / "adapters" / "gitlab" / "fixtures"
)
CLIPBOARD = {"permissions": ["clipboard-read", "clipboard-write"]}


def team_admin(seed, *, display_name: str = ""):
    """A user who made their own team, so is its team admin without being a system admin, with a public
    channel "builds"."""
    user = seed.user()
    name = f"it-{user.username}"
    team = seed.call(
        "POST",
        "teams",
        user.token,
        201,
        json={"name": name, "display_name": display_name or f"Team {user.username}", "type": "O"},
    )
    channel = seed.call(
        "POST",
        "channels",
        user.token,
        201,
        json={"team_id": team["id"], "name": "builds", "display_name": "Builds", "type": "O"},
    )
    return user, team, channel


def composer(page, channel_title: str):
    return page.get_by_label(f"Write to {channel_title}", exact=True)


def messages(page):
    return page.get_by_role("log", name="Messages")


def backstage_nav(page):
    return page.get_by_role("navigation", name="Integrations")


def top(page):
    page.get_by_role("main").evaluate("main => { main.scrollTop = 0; }")


def no_injected_markup(page):
    expect(page.locator("img[src='x'], main svg, main script")).to_have_count(0)


def test_the_landing_page_and_menu_follow_roles(integrations_server, integrations_seed, open_page):
    seed = integrations_seed
    carol, team, _ = team_admin(seed, display_name="Harbour Ops")
    page = open_page(integrations_server.url, carol, f"/{team['name']}/integrations")
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    nav = backstage_nav(page)
    expect(nav.get_by_role("link")).to_have_text(
        ["Overview", "Incoming Webhooks", "Outgoing Webhooks", "Slash Commands"]
    )
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    cards = page.get_by_role("main").get_by_role("link")
    expect(cards).to_have_count(3)
    # No personal access tokens without the role for them.
    expect(page.get_by_text("Personal Access Tokens")).to_have_count(0)
    screenshot(page, "integrations-landing")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name=re.compile("^Slash Commands")).click()
    expect(page).to_have_url(re.compile(rf"/{team['name']}/integrations/commands$"))
    expect(nav.get_by_role("link", name="Slash Commands")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Overview")).not_to_have_attribute("aria-current", "page")

    # With the role, the tokens page joins the menu.
    seed.call(
        "PUT",
        f"users/{carol.id}/roles",
        seed.admin.token,
        json={"roles": "system_user system_user_access_token"},
    )
    page.reload()
    expect(nav.get_by_role("link", name="Personal Access Tokens")).to_be_visible()

    page.get_by_role("link", name="Back to Harbour Ops").click()
    expect(page).to_have_url(re.compile(rf"/{team['name']}/channels/town-square$"))
    expect(composer(page, "Town Square")).to_be_visible()

    # A plain member of the team sees no page, and a page's URL says it is not for them.
    dan = seed.user()
    seed.call(
        "POST",
        f"teams/{team['id']}/members",
        carol.token,
        201,
        json={"team_id": team["id"], "user_id": dan.id},
    )
    member_page = open_page(integrations_server.url, dan, f"/{team['name']}/integrations")
    expect(member_page.get_by_text("No integrations are available to you in Harbour Ops")).to_be_visible()
    expect(backstage_nav(member_page).get_by_role("link")).to_have_text(["Overview"])
    member_page.goto(f"/{team['name']}/integrations/incoming_webhooks")
    expect(member_page.get_by_text("This page is not available")).to_be_visible()
    member_page.goto(f"/{team['name']}/integrations/nothing_here")
    expect(member_page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_clean(page)
    assert_clean(member_page)


def test_pages_switched_off_in_the_config_leave_the_menu(configured_server, open_page):
    from tests.browser.conftest import Seeder

    server = configured_server(
        MM_SERVICESETTINGS_ENABLECOMMANDS="false", MM_SERVICESETTINGS_ENABLEOUTGOINGWEBHOOKS="false"
    )
    seed = Seeder(server.url)
    admin = seed.user("root")
    team = seed.team(admin)
    page = open_page(server.url, admin, f"/{team['name']}/integrations")
    expect(backstage_nav(page).get_by_role("link")).to_have_text(
        ["Overview", "Incoming Webhooks", "Bot Accounts", "Personal Access Tokens"]
    )
    page.goto(f"/{team['name']}/integrations/commands/add")
    expect(page.get_by_text("This page is not available")).to_be_visible()
    assert_clean(page)


def test_an_incoming_webhook_with_the_gitlab_adapter_posts_a_real_pipeline(
    integrations_server, integrations_seed, open_page
):
    seed = integrations_seed
    carol, team, _ = team_admin(seed)
    page = open_page(
        integrations_server.url, carol, f"/{team['name']}/integrations/incoming_webhooks", **CLIPBOARD
    )
    expect(page.get_by_text("No incoming webhooks yet.")).to_be_visible()
    page.get_by_role("link", name="Add Incoming Webhook").click()
    expect(page).to_have_url(re.compile(r"/incoming_webhooks/add$"))

    # The server's refusal is shown as it says it.
    form = page.get_by_role("form", name="Add incoming webhook")
    form.get_by_label("Title", exact=True).fill(f"GitLab {HOSTILE}")
    form.get_by_label("Description", exact=True).fill(HOSTILE_LONG)
    form.get_by_role("button", name="Add").click()
    expect(form.get_by_role("alert")).to_have_text("Choose the channel the webhook posts to.")
    form.get_by_label("Channel", exact=True).select_option(label="Builds")
    form.get_by_label("Adapter").select_option("gitlab")
    form.get_by_label("Secret").fill("s3cret-token")
    form.get_by_label("Never these events").fill("note\nwiki_page")
    form.get_by_label("Only these events").fill("x" * 101)
    form.get_by_label("Failures and recoveries only").check()
    form.get_by_role("button", name="Add").click()
    expect(form.get_by_role("alert")).to_contain_text(
        "event_filter.include must be a list of at most 50 patterns"
    )
    form.get_by_label("Only these events").fill("")
    top(page)
    screenshot(page, "integrations-incoming-form")
    assert_accessible(page)
    form.get_by_role("button", name="Add").click()

    # The URL is shown once, from the create answer; the page's URL holds no secret.
    expect(page).to_have_url(re.compile(r"/incoming_webhooks/confirm$"))
    url = page.get_by_label("Webhook URL", exact=True).input_value()
    assert re.fullmatch(rf"{re.escape(integrations_server.url)}/hooks/[a-z0-9]{{26}}", url), url
    page.get_by_role("button", name="Copy Webhook URL").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    screenshot(page, "integrations-incoming-confirm")
    assert_accessible(page)

    # GitLab's own payload, with its headers, through the URL the page showed.
    payload = (GITLAB_FIXTURES / "pipeline-failed.json").read_bytes()
    headers = {"Content-Type": "application/json", "X-Gitlab-Event": "Pipeline Hook"}
    refused = requests.post(url, data=payload, headers={**headers, "X-Gitlab-Token": "wrong"}, timeout=30)
    assert refused.status_code == 401, refused.text
    answer = requests.post(
        url, data=payload, headers={**headers, "X-Gitlab-Token": "s3cret-token"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    unhandled = requests.post(
        url,
        json={"object_kind": "feature_flag"},
        headers={"X-Gitlab-Event": "Feature Flag Hook", "X-Gitlab-Token": "s3cret-token"},
        timeout=30,
    )
    assert unhandled.status_code == 200 and unhandled.headers.get("X-Hubbub-Skipped"), unhandled.text

    # Leaving the confirm view forgets the URL: coming back shows nothing.
    page.get_by_role("link", name="Done").click()
    expect(page).to_have_url(re.compile(r"/incoming_webhooks$"))
    # The list has rendered, so the confirm view is gone (the address changes a frame before the page).
    expect(page.get_by_role("link", name="Add Incoming Webhook")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("A webhook's URL is shown once")).to_be_visible()
    expect(page.get_by_label("Webhook URL", exact=True)).to_have_count(0)
    page.go_forward()

    hooks = page.get_by_role("list", name="Incoming Webhooks")
    item = hooks.get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item.get_by_role("heading")).to_have_text(re.compile(re.escape(f"GitLab {HOSTILE}")))
    expect(item).to_contain_text(HOSTILE_LONG)
    expect(item).to_contain_text("Builds")
    expect(item).to_contain_text("gitlab:feature_flag")
    no_injected_markup(page)
    screenshot(page, "integrations-incoming-list")
    assert_accessible(page)

    # The edit form shows what the adapter could not render and keeps the secret unless it is changed.
    item.get_by_role("link", name=re.compile("^Edit")).click()
    expect(page).to_have_url(re.compile(r"/incoming_webhooks/edit\?id=[a-z0-9]{26}$"))
    edit = page.get_by_role("form", name="Edit incoming webhook")
    expect(edit.get_by_label("Adapter")).to_have_value("gitlab")
    expect(edit.get_by_label("Never these events")).to_have_value("note\nwiki_page")
    expect(edit.get_by_label("Failures and recoveries only")).to_be_checked()
    expect(edit).to_contain_text("gitlab:feature_flag on")
    expect(edit).to_contain_text("A secret is set")
    edit.get_by_label("Title", exact=True).fill("GitLab pipelines")
    edit.get_by_label("Lock to this channel").check()
    screenshot(page, "integrations-incoming-edit")
    assert_accessible(page)
    edit.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/incoming_webhooks$"))
    expect(item.get_by_role("heading")).to_have_text(re.compile("GitLab pipelines"))
    expect(item.get_by_text("Locked")).to_be_visible()
    # The secret is still the one set: a delivery with it posts again.
    again = requests.post(
        url,
        data=(GITLAB_FIXTURES / "pipeline-success.json").read_bytes(),
        headers={**headers, "X-Gitlab-Token": "s3cret-token"},
        timeout=30,
    )
    assert again.status_code == 200, again.text

    # The post the pipeline made shows in the channel.
    page.goto(f"/{team['name']}/channels/builds")
    log = messages(page)
    expect(log.get_by_text("failed on", exact=False)).to_be_visible()
    expect(log.get_by_text("Lighthouse").first).to_be_visible()
    expect(
        log.get_by_text("succeeded on", exact=False).or_(log.get_by_text("passed on", exact=False)).first
    ).to_be_visible()
    screenshot(page, "integrations-incoming-post")

    # Delete, after a confirmation.
    page.goto(f"/{team['name']}/integrations/incoming_webhooks")
    page.get_by_role("button", name="Delete GitLab pipelines").click()
    dialog = page.get_by_role("dialog", name="Delete incoming webhook")
    expect(dialog).to_contain_text("GitLab pipelines")
    dialog.get_by_role("button", name="Cancel").click()
    expect(hooks.get_by_role("listitem")).to_have_count(1)
    page.get_by_role("button", name="Delete GitLab pipelines").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No incoming webhooks yet.")).to_be_visible()
    assert (
        requests.post(
            url, data=payload, headers={**headers, "X-Gitlab-Token": "s3cret-token"}, timeout=30
        ).status_code
        == 400
    )
    assert_clean(page)


def test_an_outgoing_webhook_delivers_to_a_receiver_and_redelivers_from_the_log(
    integrations_server, integrations_seed, open_page, loopback_receiver
):
    seed = integrations_seed
    carol, team, channel = team_admin(seed)
    receiver = loopback_receiver
    receiver.answer = Answer.json({"text": "build queued by the receiver"})
    page = open_page(
        integrations_server.url, carol, f"/{team['name']}/integrations/outgoing_webhooks", **CLIPBOARD
    )
    expect(page.get_by_text("No outgoing webhooks yet.")).to_be_visible()
    page.get_by_role("link", name="Add Outgoing Webhook").click()
    form = page.get_by_role("form", name="Add outgoing webhook")
    form.get_by_label("Title", exact=True).fill(f"ChatOps {HOSTILE}")
    form.get_by_label("Description", exact=True).fill(HOSTILE_LONG)
    form.get_by_label("Content type").select_option("application/json")
    form.get_by_label("Channel", exact=True).select_option(label="Builds")
    form.get_by_label("Trigger words").fill("deploy\nrollback")
    form.get_by_label("Trigger when").select_option(label="First word starts with a trigger word")
    form.get_by_label("Callback URLs").fill("ftp://example.com/not-http")
    expect(form.get_by_label("Post answers as")).to_have_value(carol.id)
    form.get_by_role("button", name="Add").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Invalid callback URL. (only http and https URLs can be called)"
    )
    screenshot(page, "integrations-outgoing-form-error")
    assert_accessible(page)
    form.get_by_label("Callback URLs").fill(receiver.url("/chatops"))
    form.get_by_role("button", name="Add").click()

    # Token and signing secret, once.
    expect(page).to_have_url(re.compile(r"/outgoing_webhooks/confirm$"))
    token = page.get_by_label("Token", exact=True).input_value()
    secret = page.get_by_label("Signing secret", exact=True).input_value()
    assert token and secret and token != secret
    screenshot(page, "integrations-outgoing-confirm")
    assert_accessible(page)
    page.get_by_role("link", name="Done").click()
    item = page.get_by_role("list", name="Outgoing Webhooks").get_by_role("listitem")
    expect(item).to_contain_text("deploy, rollback")
    expect(item).to_contain_text(receiver.url("/chatops"))
    expect(item.get_by_role("heading")).to_have_text(re.compile(re.escape(f"ChatOps {HOSTILE}")))
    no_injected_markup(page)
    screenshot(page, "integrations-outgoing-list")
    assert_accessible(page)

    # A post in the channel triggers it: the receiver gets it, signed with the secret shown, and its answer is posted.
    page.goto(f"/{team['name']}/channels/builds")
    composer(page, "Builds").fill("deployment of api to staging")
    composer(page, "Builds").press("Enter")
    received = receiver.next(timeout=20)
    body = received.json()
    assert body["text"] == "deployment of api to staging" and body["trigger_word"] == "deploy"
    assert body["token"] == token
    assert verify(secret, received.headers, received.body)
    delivery_id = received.headers["X-Hubbub-Delivery"]
    expect(messages(page).get_by_text("build queued by the receiver")).to_be_visible()

    # The delivery log shows the attempt, its request and the answer; Redeliver sends it again.
    page.goto(f"/{team['name']}/integrations/outgoing_webhooks")
    page.get_by_role("link", name=re.compile("^Edit ChatOps")).click()
    deliveries = page.get_by_role("list", name="Deliveries").get_by_role("listitem")
    expect(deliveries).to_have_count(1)
    expect(deliveries.first).to_contain_text("Delivered")
    expect(deliveries.first).to_contain_text("1 attempt")
    expect(deliveries.first).to_contain_text("HTTP 200")
    deliveries.first.locator("summary").click()
    exchange = deliveries.first.locator("pre.exchange")
    expect(exchange.first).to_contain_text("deployment of api to staging")
    expect(exchange.first).to_contain_text("[redacted]")
    expect(exchange.first).not_to_contain_text(token)
    expect(exchange.nth(1)).to_contain_text("build queued by the receiver")
    page.get_by_role("heading", name="Deliveries").scroll_into_view_if_needed()
    page.get_by_role("heading", name="Token and signing secret").evaluate(
        "heading => heading.scrollIntoView()"
    )
    screenshot(page, "integrations-outgoing-deliveries")
    assert_accessible(page)
    deliveries.first.get_by_role("button", name=re.compile("^Redeliver")).click()
    again = receiver.next(timeout=20)
    assert again.headers["X-Hubbub-Delivery"] == delivery_id
    expect(deliveries.first).to_contain_text("2 attempts", timeout=15_000)
    expect(deliveries.first).to_contain_text("Delivered")

    # A test request goes to the callback; its answer is not posted.
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_role("status").filter(has_text="test request")).to_be_visible()
    tested = receiver.next(timeout=20)
    assert "test delivery" in tested.json()["text"]
    expect(deliveries).to_have_count(2, timeout=15_000)

    # New token and new signing secret: the next delivery uses both.
    page.get_by_role("button", name="Regenerate token").click()
    expect(page.get_by_label("Token", exact=True)).not_to_have_value(token)
    new_token = page.get_by_label("Token", exact=True).input_value()
    page.get_by_role("button", name="Regenerate signing secret").click()
    new_secret = page.get_by_label("New signing secret", exact=True).input_value()
    assert new_secret and new_secret != secret
    page.get_by_role("button", name="Send test").click()
    signed = receiver.next(timeout=20)
    assert signed.json()["token"] == new_token
    assert verify(new_secret, signed.headers, signed.body) and not verify(secret, signed.headers, signed.body)

    # A hook switched off (here by hand) shows why, and Re-enable switches it back on.
    hook_id = page.url.split("id=")[1]
    seed.call(
        "PUT",
        f"hooks/outgoing/{hook_id}",
        carol.token,
        json={"id": hook_id, "disabled_reason": "25 failed deliveries in a row"},
    )
    page.reload()
    expect(page.get_by_text("This webhook is switched off.")).to_be_visible()
    expect(page.get_by_text("25 failed deliveries in a row")).to_be_visible()
    screenshot(page, "integrations-outgoing-disabled")
    assert_accessible(page)
    page.get_by_role("button", name="Re-enable").click()
    expect(page.get_by_text("This webhook is switched off.")).to_have_count(0)
    assert seed.call("GET", f"hooks/outgoing/{hook_id}", carol.token)["disabled_reason"] == ""

    # Saving the form changes the hook; deleting it asks first.
    form = page.get_by_role("form", name="Edit outgoing webhook")
    form.get_by_label("Title", exact=True).fill("ChatOps")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/outgoing_webhooks$"))
    page.get_by_role("button", name="Delete ChatOps").click()
    page.get_by_role("dialog", name="Delete outgoing webhook").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No outgoing webhooks yet.")).to_be_visible()
    assert_clean(page)


def test_a_slash_command_made_in_the_console_runs_from_the_composer(
    integrations_server, integrations_seed, open_page, loopback_receiver
):
    seed = integrations_seed
    carol, team, _ = team_admin(seed)
    receiver = loopback_receiver
    receiver.answer = lambda request: Answer.json(
        {"response_type": "in_channel", "text": f"Deploying {request.form['text']} now"}
    )
    page = open_page(integrations_server.url, carol, f"/{team['name']}/integrations/commands")
    expect(page.get_by_text("No slash commands yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add Slash Command").click()
    form = page.get_by_role("form", name="Add slash command")
    form.get_by_label("Title", exact=True).fill(f"Deploy {HOSTILE}")
    form.get_by_label("Description", exact=True).fill(HOSTILE)
    form.get_by_label("Command trigger word").fill("/deploy")
    form.get_by_label("Request URL").fill(receiver.url("/command"))
    form.get_by_label("Request method").select_option(label="POST")
    form.get_by_label("Response username").fill("deploy-bot")
    form.get_by_label("Autocomplete", exact=True).check()
    form.get_by_label("Autocomplete hint").fill("[service]")
    form.get_by_label("Autocomplete description").fill("Deploys a service")
    top(page)
    screenshot(page, "integrations-command-form")
    assert_accessible(page)
    form.get_by_role("button", name="Add").click()

    expect(page).to_have_url(re.compile(r"/commands/confirm$"))
    expect(page.get_by_role("heading", name="Slash command /deploy added")).to_be_visible()
    token = page.get_by_label("Token", exact=True).input_value()
    secret = page.get_by_label("Signing secret", exact=True).input_value()
    screenshot(page, "integrations-command-confirm")
    page.get_by_role("link", name="Done").click()
    item = page.get_by_role("list", name="Slash Commands").get_by_role("listitem")
    expect(item.get_by_role("heading")).to_have_text(re.compile(re.escape(f"Deploy {HOSTILE} /deploy")))
    expect(item).to_contain_text(f"POST {receiver.url('/command')}")
    expect(item).to_contain_text("/deploy [service]")
    no_injected_markup(page)
    screenshot(page, "integrations-command-list")
    assert_accessible(page)

    # The composer sends it to /commands/execute; the command's URL answers in the channel.
    page.goto(f"/{team['name']}/channels/town-square")
    composer(page, "Town Square").fill("/deploy api")
    composer(page, "Town Square").press("Enter")
    received = receiver.next(timeout=20)
    assert received.form["command"] == "/deploy" and received.form["text"] == "api"
    assert received.headers["Authorization"] == f"Token {token}"
    assert verify(secret, received.headers, received.body)
    expect(messages(page).get_by_text("Deploying api now")).to_be_visible()

    # Edit: a new token, and the edited form saved.
    page.goto(f"/{team['name']}/integrations/commands")
    page.get_by_role("link", name="Edit /deploy").click()
    edit = page.get_by_role("form", name="Edit slash command")
    expect(edit.get_by_label("Command trigger word")).to_have_value("deploy")
    expect(edit.get_by_label("Autocomplete hint")).to_have_value("[service]")
    expect(page.get_by_label("Token", exact=True)).to_have_value(token)
    page.get_by_role("button", name="Regenerate token").click()
    expect(page.get_by_label("Token", exact=True)).not_to_have_value(token)
    new_token = page.get_by_label("Token", exact=True).input_value()
    screenshot(page, "integrations-command-edit")
    assert_accessible(page)
    edit.get_by_label("Title", exact=True).fill("Deploy")
    edit.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/commands$"))
    page.goto(f"/{team['name']}/channels/town-square")
    composer(page, "Town Square").fill("/deploy web")
    composer(page, "Town Square").press("Enter")
    assert receiver.next(timeout=20).headers["Authorization"] == f"Token {new_token}"
    expect(messages(page).get_by_text("Deploying web now")).to_be_visible()

    page.goto(f"/{team['name']}/integrations/commands")
    page.get_by_role("button", name="Delete /deploy").click()
    page.get_by_role("dialog", name="Delete slash command").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No slash commands yet.")).to_be_visible()
    assert_clean(page)


def test_personal_access_tokens_are_made_used_disabled_and_revoked(
    integrations_server, integrations_seed, open_page
):
    seed = integrations_seed
    erin, team, _ = team_admin(seed)
    seed.call(
        "PUT",
        f"users/{erin.id}/roles",
        seed.admin.token,
        json={"roles": "system_user system_user_access_token"},
    )
    page = open_page(
        integrations_server.url, erin, f"/{team['name']}/integrations/personal_access_tokens", **CLIPBOARD
    )
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    form = page.get_by_role("form", name="Create a token")
    form.get_by_role("button", name="Create token").click()
    expect(form.get_by_role("alert")).to_be_visible()
    assert form.get_by_role("alert").inner_text().strip()
    form.get_by_label("Token description").fill(f"CI runner {HOSTILE}")
    form.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Access token", exact=True).input_value()
    assert re.fullmatch(r"[a-z0-9]{26}", token), token
    page.get_by_role("button", name="Copy Access token").click()
    assert page.evaluate("navigator.clipboard.readText()") == token
    tokens = page.get_by_role("list", name="Your tokens").get_by_role("listitem")
    expect(tokens).to_have_count(1)
    expect(tokens.first.get_by_role("heading")).to_have_text(re.compile(re.escape(f"CI runner {HOSTILE}")))
    expect(tokens.first).to_contain_text("Active")
    no_injected_markup(page)
    screenshot(page, "integrations-tokens")
    assert_accessible(page)

    api = f"{integrations_server.url}/api/v4/users/me"
    as_token = {"Authorization": f"Bearer {token}"}
    assert requests.get(api, headers=as_token, timeout=30).json()["id"] == erin.id

    tokens.first.get_by_role("button", name=re.compile("^Disable")).click()
    expect(tokens.first).to_contain_text("Disabled")
    assert requests.get(api, headers=as_token, timeout=30).status_code == 401
    tokens.first.get_by_role("button", name=re.compile("^Enable")).click()
    expect(tokens.first).to_contain_text("Active")
    assert requests.get(api, headers=as_token, timeout=30).status_code == 200

    # The token is not shown again once the page is left.
    page.reload()
    expect(page.get_by_label("Access token", exact=True)).to_have_count(0)
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    dialog = page.get_by_role("dialog", name="Revoke token")
    assert_accessible(page)
    dialog.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    assert requests.get(api, headers=as_token, timeout=30).status_code == 401
    assert_clean(page)


def test_bot_accounts_are_added_given_tokens_disabled_and_enabled(
    integrations_server, integrations_seed, open_page
):
    seed = integrations_seed
    team = seed.team(seed.admin)
    page = open_page(integrations_server.url, seed.admin, f"/{team['name']}/integrations/bots", **CLIPBOARD)
    expect(page.get_by_role("heading", name="Bot Accounts", level=1)).to_be_visible()
    form = page.get_by_role("form", name="Add a bot account")
    form.get_by_label("Username").fill("Not Valid")
    form.get_by_role("button", name="Add bot account").click()
    expect(form.get_by_role("alert")).to_contain_text("Invalid bot username.")
    form.get_by_label("Username").fill("deploy-bot")
    form.get_by_label("Display name").fill(f"Deployer {HOSTILE}")
    form.get_by_label("Description").fill(HOSTILE_LONG)
    form.get_by_role("button", name="Add bot account").click()
    bots = (
        page.get_by_role("list", name="Bot accounts")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("heading"))
    )
    expect(bots).to_have_count(1)
    bot = bots.first
    expect(bot.get_by_role("heading", level=2)).to_have_text(f"Deployer {HOSTILE} (@deploy-bot)")
    expect(bot).to_contain_text(HOSTILE_LONG)
    expect(bot).to_contain_text(f"@{seed.admin.username}")

    bot.get_by_label("Token description").fill("pipeline")
    bot.get_by_role("button", name="Create token").click()
    token = bot.get_by_label("Access token of @deploy-bot", exact=True).input_value()
    assert re.fullmatch(r"[a-z0-9]{26}", token), token
    expect(bot.get_by_role("list", name="Tokens of @deploy-bot").get_by_role("listitem")).to_have_count(1)
    no_injected_markup(page)
    screenshot(page, "integrations-bots")
    assert_accessible(page)
    me = f"{integrations_server.url}/api/v4/users/me"
    as_bot = {"Authorization": f"Bearer {token}"}
    assert requests.get(me, headers=as_bot, timeout=30).json()["is_bot"] is True

    bot.get_by_role("button", name="Disable @deploy-bot").click()
    expect(bot).to_contain_text("Disabled")
    assert requests.get(me, headers=as_bot, timeout=30).status_code == 401
    expect(bot.get_by_label("Access token of @deploy-bot", exact=True)).to_have_count(0)
    bot.get_by_role("button", name="Enable @deploy-bot").click()
    expect(bot.get_by_text("Disabled")).to_have_count(0)
    assert requests.get(me, headers=as_bot, timeout=30).status_code == 200

    # Its posts carry the BOT tag in the channel.
    bot_id = requests.get(me, headers=as_bot, timeout=30).json()["id"]
    seed.call(
        "POST",
        f"teams/{team['id']}/members",
        seed.admin.token,
        201,
        json={"team_id": team["id"], "user_id": bot_id},
    )
    town = seed.town_square(team, seed.admin.token)
    posted = requests.post(
        f"{integrations_server.url}/api/v4/posts",
        headers=as_bot,
        timeout=30,
        json={"channel_id": town["id"], "message": "Deployed v2"},
    )
    assert posted.status_code == 201, posted.text
    chat = open_page(integrations_server.url, seed.admin, f"/{team['name']}/channels/town-square")
    post = messages(chat).get_by_role("article").filter(has_text="Deployed v2")
    expect(post.locator(".post-header")).to_contain_text("BOT")
    assert_clean(chat)

    bot.get_by_role("button", name="Revoke pipeline of @deploy-bot").click()
    page.get_by_role("dialog", name="Revoke token").get_by_role("button", name="Revoke").click()
    expect(bot.get_by_text("None yet.")).to_be_visible()
    assert requests.get(me, headers=as_bot, timeout=30).status_code == 401
    assert_clean(page)


def test_api_errors_show_the_servers_message(integrations_server, integrations_seed, open_page):
    seed = integrations_seed
    carol, team, _ = team_admin(seed)
    page = open_page(
        integrations_server.url,
        carol,
        f"/{team['name']}/integrations/incoming_webhooks/edit?id=zzzzzzzzzzzzzzzzzzzzzzzzzz",
    )
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    message = alert.inner_text().strip()
    # The same words the API answers.
    answer = requests.get(
        f"{integrations_server.url}/api/v4/hooks/incoming/zzzzzzzzzzzzzzzzzzzzzzzzzz",
        headers={"Authorization": f"Bearer {carol.token}"},
        timeout=30,
    )
    error = json.loads(answer.text)
    assert answer.status_code == 404 and message == f"{error['message']} ({error['detailed_error']})", message
    page.goto(f"/{team['name']}/integrations/commands/add")
    form = page.get_by_role("form", name="Add slash command")
    form.get_by_label("Command trigger word").fill("has space")
    form.get_by_label("Request URL").fill("https://example.com/cmd")
    form.get_by_role("button", name="Add").click()
    expect(form.get_by_role("alert")).to_be_visible()
    screenshot(page, "integrations-command-error")
    assert_clean(page)
