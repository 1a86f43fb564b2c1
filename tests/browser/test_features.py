"""Around the message list, in Chromium: files by button, drag-and-drop and paste; threads in the side
pane; search and its jump; @ ~ : / suggestions; the Ctrl+K switcher; desktop notifications."""

from __future__ import annotations

import base64
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_clean, screenshot

# A 2×2 PNG, small enough to paste and drop from the page itself.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
# Records notifications instead of showing them; permission is granted.
NOTIFICATIONS = """
window.__notifications = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__notifications.push({ title, body: options.body }); }
  close() {}
};
"""


def composer(page, label: str):
    return page.get_by_role("combobox", name=label)


def messages(page):
    return page.get_by_role("log", name="Messages")


def test_files_by_button_drop_and_paste_show_as_previews(server, seed, open_page, tmp_path):
    amy = seed.user()
    team = seed.team(amy)
    page = open_page(server.url, amy, f"/{team['name']}/channels/town-square")
    box = composer(page, "Write to Town Square")
    report = tmp_path / "report.txt"
    report.write_text("all green\n")
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    page.locator("input[type=file]").set_input_files([str(report), str(image)])
    files = page.get_by_role("list", name="Files to send")
    expect(files.get_by_text("report.txt")).to_be_visible()
    expect(files.get_by_text("chart.png")).to_be_visible()
    box.fill("Nightly results")
    box.press("Enter")
    log = messages(page)
    expect(log.get_by_role("link", name=re.compile("report.txt"))).to_have_attribute("download", "report.txt")
    thumbnail = log.get_by_role("img", name="chart.png")
    expect(thumbnail).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", thumbnail.element_handle()) > 0
    thumbnail.click()
    expect(page.get_by_role("dialog", name="chart.png")).to_be_visible()
    page.keyboard.press("Escape")

    png_bytes = list(PNG)
    page.evaluate(
        """([bytes, kind]) => {
      const file = new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      const target = document.querySelector('main.channel');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }""",
        [png_bytes, "drop"],
    )
    expect(files.get_by_text("dropped.png")).to_be_visible()
    box.focus()
    page.evaluate(
        """(bytes) => {
      const file = new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }""",
        png_bytes,
    )
    expect(files.get_by_text("pasted.png")).to_be_visible()
    box.press("Enter")
    expect(log.get_by_role("img", name="dropped.png")).to_be_visible()
    expect(log.get_by_role("img", name="pasted.png")).to_be_visible()
    screenshot(page, "files")
    assert_clean(page)


def test_a_thread_opens_beside_the_channel_and_replies_arrive_live(server, seed, open_page):
    ben, cid = seed.user(), seed.user()
    team = seed.team(ben, cid)
    town = seed.town_square(team, ben.token)
    root = seed.post(ben, town, "Who owns the **flaky** test?")
    page = open_page(server.url, ben, f"/{team['name']}/channels/town-square")
    log = messages(page)
    post = log.get_by_role("article").last
    post.hover()
    post.get_by_role("button", name="Reply").click()
    pane = page.get_by_role("complementary", name="Thread")
    expect(pane.get_by_role("article").first.get_by_text("flaky", exact=True)).to_have_js_property(
        "tagName", "STRONG"
    )
    reply_box = composer(pane, "Reply to the thread")
    reply_box.fill("I'll look at it")
    reply_box.press("Enter")
    expect(pane.get_by_text("I'll look at it")).to_be_visible()
    seed.post(cid, town, "Thanks both", root_id=root["id"])
    expect(pane.get_by_text("Thanks both")).to_be_visible()
    expect(pane.get_by_text("2 replies")).to_be_visible()
    expect(log.get_by_text("Replied to", exact=False).first).to_contain_text("Who owns the flaky test?")
    screenshot(page, "thread")
    assert_accessible(page)
    assert_clean(page)


def test_search_finds_a_message_and_jumps_to_it_far_back_in_history(server, seed, open_page):
    dee = seed.user()
    team = seed.team(dee)
    town = seed.town_square(team, dee.token)
    seed.post(dee, town, "the quarterly incident review is on Friday")
    for number in range(130):
        seed.post(dee, town, f"filler {number}")
    page = open_page(server.url, dee, f"/{team['name']}/channels/town-square")
    page.get_by_role("searchbox", name="Search messages").fill("quarterly review")
    page.get_by_role("searchbox", name="Search messages").press("Enter")
    results = page.get_by_role("complementary", name="Search results")
    expect(results.get_by_text("the quarterly incident review is on Friday")).to_be_visible()
    results.get_by_role("link", name="Jump").click()
    target = messages(page).locator("article.highlighted", has_text="quarterly incident review")
    expect(target).to_be_in_viewport()
    assert_clean(page)


def test_suggestions_for_people_channels_emoji_and_commands(server, seed, open_page):
    eve, zed = seed.user(), seed.user("zed_reviewer")
    team = seed.team(eve, zed)
    seed.channel(team, eve, name="release-train")
    page = open_page(server.url, eve, f"/{team['name']}/channels/town-square")
    box = composer(page, "Write to Town Square")
    box.press_sequentially("ping @zed_r")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option", name=re.compile("@zed_reviewer"))).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Enter")
    expect(box).to_have_value("ping @zed_reviewer ")
    box.press_sequentially("see ~release")
    expect(listbox.get_by_role("option", name=re.compile("Release-Train"))).to_be_visible()
    box.press("Tab")
    box.press_sequentially("now :tad")
    expect(listbox.get_by_role("option", name=re.compile(":tada:"))).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("ping @zed_reviewer see ~release-train now :tada: ")
    box.fill("")
    box.press_sequentially("/ech")
    expect(listbox.get_by_role("option", name=re.compile(r"echo"))).to_be_visible()
    screenshot(page, "suggestions")
    box.press("Escape")
    expect(listbox).to_have_count(0)
    assert_accessible(page)


def test_ctrl_k_switches_channels(server, seed, open_page):
    fay = seed.user()
    team = seed.team(fay)
    seed.channel(team, fay, name="incident-42", display_name="Incident 42")
    page = open_page(server.url, fay, f"/{team['name']}/channels/town-square")
    expect(composer(page, "Write to Town Square")).to_be_visible()
    page.keyboard.press("Control+k")
    finder = page.get_by_role("combobox", name="Find a channel")
    finder.fill("incid")
    expect(page.get_by_role("option", name=re.compile("Incident 42"))).to_be_visible()
    finder.press("Enter")
    expect(page).to_have_url(re.compile(r"/channels/incident-42$"))
    expect(composer(page, "Write to Incident 42")).to_be_focused()


def test_desktop_notifications_follow_mattermosts_rules(server, seed, open_page):
    gus, hal = seed.user(), seed.user()
    team = seed.team(gus, hal)
    side = seed.channel(team, gus, hal, name="side")
    town = seed.town_square(team, gus.token)
    page = open_page(server.url, hal, f"/{team['name']}/channels/town-square", init_script=NOTIFICATIONS)
    expect(composer(page, "Write to Town Square")).to_be_visible()
    seed.post(gus, side, "no mention here")
    seed.post(gus, side, f"@{hal.username} can you check the deploy of the api service?")
    page.wait_for_function("window.__notifications.length >= 1")
    notes = page.evaluate("window.__notifications")
    assert len(notes) == 1
    assert notes[0]["title"] == "Side"
    # Mattermost cuts the body to 50 characters.
    assert (
        notes[0]["body"]
        == f"@{gus.username}: @{hal.username} can you check the deploy of the api service?"[:49] + "…"
    )
    seed.post(hal, town, f"@{hal.username} my own post")  # never for your own posts
    seed.post(gus, town, f"@{hal.username} while you look")  # the open channel in a focused window
    page.wait_for_timeout(1000)
    assert len(page.evaluate("window.__notifications")) == 1
