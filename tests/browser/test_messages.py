"""What posts carry, in Chromium: Markdown rendered by the server, attachments, buttons and menus that
reach their integration and update the post, dialogs, ephemeral answers and reactions."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_clean, screenshot
from tests.receiver import Answer

CI_MESSAGE = (
    "**Pipeline #42 failed** on `main` :x: cc @{user}\n\n"
    "```python\nassert build() == 'green'\n```\n\n"
    "| Stage | Result |\n| --- | ---: |\n| test | failed |\n\n"
    "See [the log](https://ci.example.com/42) and ~off-topic #flaky"
)


def messages(page):
    return page.get_by_role("log", name="Messages")


def test_markdown_is_rendered_by_the_server_and_mentions_of_me_stand_out(server, seed, open_page):
    alice, bob = seed.user(), seed.user()
    team = seed.team(alice, bob)
    town = seed.town_square(team, alice.token)
    seed.post(alice, town, CI_MESSAGE.format(user=bob.username) + " [bad](javascript:window.__xss=1)")
    page = open_page(server.url, bob, f"/{team['name']}/channels/town-square")
    log = messages(page)
    expect(log.locator("strong", has_text="Pipeline #42 failed")).to_be_visible()
    expect(log.locator("pre.code code.language-python")).to_contain_text("assert build()")
    expect(log.locator("table td", has_text="failed")).to_be_visible()
    expect(log.get_by_role("link", name="the log")).to_have_attribute("href", "https://ci.example.com/42")
    expect(log.get_by_role("link", name="the log")).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(log.get_by_role("link", name="bad")).to_have_count(0)
    mention = log.locator(f".mention[data-mention='{bob.username}']")
    expect(mention).to_have_css("background-color", "rgb(255, 212, 112)")
    expect(log.get_by_text("❌")).to_be_visible()
    screenshot(page, "markdown")
    assert_clean(page)
    assert_accessible(page)


def test_a_button_reaches_its_integration_and_its_answer_updates_the_post(
    server, seed, open_page, integration
):
    carol = seed.user()
    team = seed.team(carol)
    town = seed.town_square(team, carol.token)
    integration.answer = Answer.json(
        {"update": {"message": "Deployed to production by the button"}, "ephemeral_text": "Deploy started"}
    )
    seed.post(
        carol,
        town,
        "Release 7 is ready",
        props={
            "attachments": [
                {
                    "color": "#2DA44E",
                    "title": "Release 7",
                    "title_link": "https://ci.example.com/r/7",
                    "text": "All **1,204** tests passed",
                    "fields": [{"title": "Branch", "value": "`main`", "short": True}],
                    "actions": [
                        {
                            "id": "deploy",
                            "name": "Deploy",
                            "style": "primary",
                            "integration": {"url": integration.url("/deploy"), "context": {"release": 7}},
                        },
                        {
                            "id": "pick",
                            "name": "Environment",
                            "type": "select",
                            "options": [
                                {"text": "Staging", "value": "staging"},
                                {"text": "Production", "value": "production"},
                            ],
                            "integration": {"url": integration.url("/pick"), "context": {"release": 7}},
                        },
                    ],
                }
            ]
        },
    )
    page = open_page(server.url, carol, f"/{team['name']}/channels/town-square")
    log = messages(page)
    expect(log.get_by_role("link", name="Release 7")).to_have_attribute("href", "https://ci.example.com/r/7")
    expect(log.locator(".attachment-card.bar-good")).to_be_visible()
    expect(log.locator("strong", has_text="1,204")).to_be_visible()
    screenshot(page, "attachment-with-buttons")
    assert_accessible(page)
    log.get_by_role("button", name="Deploy").click()
    sent = integration.next()
    assert sent.path == "/deploy"
    assert sent.json()["context"] == {"release": 7} and sent.json()["user_id"] == carol.id
    expect(log.locator(".message-text p", has_text="Deployed to production by the button")).to_be_visible()
    expect(log.locator(".message-text", has_text="Deploy started")).to_be_visible()
    expect(log.get_by_text("(Only visible to you)")).to_be_visible()

    integration.answer = Answer.json({})
    log.get_by_role("combobox", name="Environment").select_option("production")
    picked = integration.next()
    assert picked.path == "/pick" and picked.json()["context"]["selected_option"] == "production"
    assert_clean(page)


def test_a_dialog_opened_by_a_button_is_submitted_with_its_answers(server, seed, open_page, integration):
    dave = seed.user()
    team = seed.team(dave)
    town = seed.town_square(team, dave.token)
    server_api = f"{server.url}/api/v4"

    def answer(received):
        if received.path == "/open":
            trigger_id = received.json()["trigger_id"]
            dialog = {
                "trigger_id": trigger_id,
                "url": integration.url("/submit"),
                "dialog": {
                    "callback_id": "rollback",
                    "title": "Roll back <b>api</b>",
                    "introduction_text": "Pick a version",
                    "submit_label": "Roll back",
                    "state": "s1",
                    "elements": [
                        {
                            "display_name": "Version",
                            "name": "version",
                            "type": "text",
                            "placeholder": "v1.2.3",
                        },
                        {"display_name": "Reason", "name": "reason", "type": "textarea", "optional": True},
                        {"display_name": "Notify the team", "name": "notify", "type": "bool"},
                        {
                            "display_name": "Region",
                            "name": "region",
                            "type": "select",
                            "options": [{"text": "EU", "value": "eu"}, {"text": "US", "value": "us"}],
                        },
                    ],
                },
            }
            import requests

            opened = requests.post(f"{server_api}/actions/dialogs/open", json=dialog, timeout=10)
            assert opened.status_code == 200, opened.text
            return Answer.json({})
        body = received.json()
        if body["submission"].get("version") != "v1.2.2":
            return Answer.json({"errors": {"version": "No such version"}})
        return Answer.json({})

    integration.answer = answer
    seed.post(
        dave,
        town,
        "Something broke",
        props={
            "attachments": [
                {
                    "text": "Roll back?",
                    "actions": [
                        {"id": "open", "name": "Roll back…", "integration": {"url": integration.url("/open")}}
                    ],
                }
            ]
        },
    )
    page = open_page(server.url, dave, f"/{team['name']}/channels/town-square")
    messages(page).get_by_role("button", name="Roll back…").click()
    dialog = page.get_by_role("dialog", name="Roll back <b>api</b>")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Version").fill("v9")
    dialog.get_by_label("Notify the team").check()
    dialog.get_by_label("Region").select_option("eu")
    screenshot(page, "dialog")
    assert_accessible(page)
    dialog.get_by_role("button", name="Roll back").click()
    expect(dialog.get_by_text("No such version")).to_be_visible()
    dialog.get_by_label("Version").fill("v1.2.2")
    dialog.get_by_role("button", name="Roll back").click()
    expect(dialog).to_have_count(0)
    requests_seen = []
    while not integration.requests.empty():
        requests_seen.append(integration.requests.get())
    submitted = [r.json() for r in requests_seen if r.path == "/submit"]
    assert submitted[-1]["submission"] == {"version": "v1.2.2", "notify": True, "region": "eu"}
    assert submitted[-1]["callback_id"] == "rollback" and submitted[-1]["state"] == "s1"
    assert_clean(page)


def test_reactions_are_added_removed_and_seen_live(server, seed, open_page):
    erin, frank = seed.user(), seed.user()
    team = seed.team(erin, frank)
    town = seed.town_square(team, erin.token)
    seed.post(erin, town, "Ship it?")
    erin_page = open_page(server.url, erin, f"/{team['name']}/channels/town-square")
    frank_page = open_page(server.url, frank, f"/{team['name']}/channels/town-square")
    post = messages(frank_page).get_by_role("article").last
    post.hover()
    post.get_by_role("button", name="Add a reaction").click()
    frank_page.get_by_role("button", name="React with +1").click()
    expect(messages(erin_page).get_by_role("button", name="+1, 1")).to_be_visible()
    mine = messages(frank_page).get_by_role("button", name="+1, 1")
    expect(mine).to_have_attribute("aria-pressed", "true")
    mine.click()
    expect(messages(erin_page).get_by_role("button", name="+1, 1")).to_have_count(0)
    assert json.loads(json.dumps(erin_page.evaluate("window.__cspViolations"))) == []
    assert_clean(frank_page)


def test_hostile_attachments_file_names_and_link_targets_stay_inert(server, seed, open_page, tmp_path):
    import requests

    hostile = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    mia = seed.user()
    team = seed.team(mia)
    town = seed.town_square(team, mia.token)
    upload = requests.post(
        f"{server.url}/api/v4/files",
        headers={"Authorization": f"Bearer {mia.token}"},
        data={"channel_id": town["id"]},
        files={"files": (f"{hostile}.txt", b"x")},
        timeout=30,
    )
    assert upload.status_code == 201, upload.text
    seed.post(
        mia,
        town,
        '[x](javascript:window.__xss=5) <a href="javascript:window.__xss=6">y</a>',
        file_ids=[upload.json()["file_infos"][0]["id"]],
        props={
            "attachments": [
                {
                    "pretext": hostile,
                    "author_name": hostile,
                    "author_link": "javascript:window.__xss=7",
                    "title": hostile,
                    "title_link": "javascript:window.__xss=8",
                    "text": hostile,
                    "footer": hostile,
                    "color": "red;background:url(javascript:window.__xss=9)",
                    "image_url": "javascript:window.__xss=10",
                    "fields": [{"title": hostile, "value": hostile, "short": True}],
                    "actions": [
                        {"id": "go", "name": hostile, "integration": {"url": "https://ci.example.com/go"}}
                    ],
                }
            ]
        },
    )
    page = open_page(server.url, mia, f"/{team['name']}/channels/town-square")
    log = messages(page)
    expect(log.locator(".attachment-card")).to_be_visible()
    expect(log.get_by_role("button", name=hostile)).to_be_visible()
    # The server keeps the name's last path part; whatever is left of it is text.
    expect(log.locator(".file-card", has_text=".txt")).to_be_visible()
    assert log.locator("a[href^='javascript'], img[src='x'], script, [onerror]").count() == 0
    for link in log.get_by_role("link").all():
        assert link.get_attribute("href").startswith(("/", "https:", "http:")), link.get_attribute("href")
    page.wait_for_timeout(500)
    assert_clean(page)
