"""The dashboard (``/__emulator__/ui``) in headless Chromium, driven by Playwright: it shows agents,
queues, live calls, faults and the journal, follows changes made elsewhere without a reload, and
its buttons (reset, an inbound call, a fault) change the emulator's state.

Chromium is Debian's package (``.ci/run`` installs it); Playwright drives it and downloads no
browser. ``EMULATOR_UI_SCREENSHOT=FILE`` also saves the screenshot there (docs/emulator-dashboard.png
is made so).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_sync
from playwright.sync_api import expect

from emulator.testing import EmulatorHandle, ServedEmulator

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 15_000

if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium; CHROMIUM names another)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def served() -> Iterator[ServedEmulator]:
    server = ServedEmulator()
    yield server
    server.stop()


@pytest.fixture
def emulator(served: ServedEmulator) -> EmulatorHandle:
    served.handle.fresh()
    return served.handle


@pytest.fixture
def page(tmp_path, served):
    with playwright_sync.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.console_errors = errors  # a test that provokes a refusal reads and clears it
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(f"{served.handle.root_url}/__emulator__/ui")
            expect(page.locator("#live")).to_have_text("live")
            yield page
            assert errors == []
        finally:
            context.close()


def agent_row(page, name: str):
    return page.locator("table.agents tbody tr", has_text=name)


def queue_row(page, name: str):
    return page.locator("table.queues tbody tr", has_text=name)


def test_it_shows_agents_queues_and_follows_changes_made_elsewhere(emulator, page):
    smith = agent_row(page, "John Smith")
    expect(smith).to_contain_text("offline")
    expect(smith).to_contain_text("English 50")
    expect(queue_row(page, "Inbound support").locator("td").nth(1)).to_have_text("0")

    # The agent goes online through the Webitel API: the dashboard follows without a reload.
    agent = emulator.client.get("/call_center/agents").json()["items"][0]
    emulator.set_presence(agent["user"]["id"], "sip")
    assert emulator.client.patch(f"/call_center/agents/{agent['id']}/status",
                                 json={"status": "online"}).status_code == 200
    expect(smith.locator(".status")).to_have_text("online")
    expect(smith).to_contain_text("sip")


def test_its_buttons_place_calls_add_faults_and_reset(emulator, page, tmp_path):
    agent = emulator.client.get("/call_center/agents").json()["items"][0]
    emulator.set_presence(agent["user"]["id"], "sip")
    emulator.client.patch(f"/call_center/agents/{agent['id']}/status", json={"status": "online"})

    # Two inbound calls from the form: the first rings the free agent, the second waits.
    page.locator("#call-queue").select_option(label="Inbound support")
    page.fill("#call-from", "+15550123")
    page.click("#call")
    expect(page.locator("table.calls tbody tr")).to_have_count(1)
    first = page.locator("table.calls tbody tr").first
    expect(first).to_contain_text("offering")
    expect(first).to_contain_text("John Smith")
    page.fill("#call-from", "+15550124")
    page.click("#call")
    expect(page.locator("table.calls tbody tr")).to_have_count(2)
    support = queue_row(page, "Inbound support").locator("td")
    expect(support.nth(1)).to_have_text("1")  # waiting
    expect(support.nth(2)).to_have_text("1")  # offering
    assert sorted(c["state"] for c in emulator.calls()) == ["offering", "waiting"]

    # The ringing call answered from its row.
    first.get_by_role("button", name="Answer").click()
    expect(first).to_contain_text("active")
    expect(agent_row(page, "John Smith")).to_contain_text("bridged")

    # A fault from the form: Webitel's API answers with it, and the journal shows the request.
    page.fill("#fault-path", "/api/users*")
    page.locator("#fault-action").select_option("error")
    page.fill("#fault-status", "503")
    page.click("#fault")
    expect(page.locator("#faults tbody tr")).to_have_count(1)
    expect(page.locator("#faults tbody tr").first).to_contain_text("/api/users*")
    assert emulator.client.get("/users").status_code == 503
    expect(page.locator("#journal tbody tr").first).to_contain_text("/api/users")
    expect(page.locator("#journal tbody tr").first).to_contain_text("503")
    expect(page.locator("#faults tbody tr").first.locator("td").nth(6)).to_have_text("1")  # its hits

    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    if os.environ.get("EMULATOR_UI_SCREENSHOT"):
        page.screenshot(path=os.environ["EMULATOR_UI_SCREENSHOT"], full_page=True)

    page.locator("#faults tbody tr").first.get_by_role("button", name="Remove").click()
    expect(page.locator("#faults tbody")).to_contain_text("no fault rules")
    assert emulator.client.get("/users").status_code == 200

    # Reset: back to the seed, no calls, the agent offline, an empty journal.
    page.click("#reset")
    expect(page.locator("#message")).to_contain_text("reset in")
    expect(page.locator("table.calls tbody")).to_contain_text("no live calls")
    expect(agent_row(page, "John Smith").locator(".status")).to_have_text("offline")
    expect(page.locator("#journal tbody")).to_contain_text("no requests yet")
    assert emulator.calls() == [] and emulator.requests() == []


def test_a_refused_action_is_shown_not_lost(emulator, page):
    page.fill("#fault-path", "/__emulator__/*")  # the control plane cannot be faulted
    page.click("#fault")
    expect(page.locator("#message")).to_contain_text("rules apply to paths under /api")
    expect(page.locator("#message")).to_have_class("message failed")
    assert emulator.control("GET", "/faults").json() == {"items": []}
    assert [e for e in page.console_errors if "400" in e] == page.console_errors != []  # the refusal's answer
    page.console_errors.clear()
