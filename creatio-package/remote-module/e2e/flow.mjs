/* The Webitel Users section in headless Chromium against the real connector and the Webitel emulator:
 * the built remote module in the host page (tests/creatio_package/test_e2e_browser.py serves both and
 * starts this script). Each step is done as a user does it, on the page, and then checked in the
 * emulator's own state (its control plane), not in what the page shows.
 *
 * Environment: HOST_URL (the host page, with the connector's address and token), EMULATOR_URL (the
 * emulator's root), CHROMIUM (the browser), SCREENSHOTS (a folder for the list and the record page). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const { HOST_URL, EMULATOR_URL, CHROMIUM, SCREENSHOTS } = process.env;
const WAIT_MS = 15000;

async function control(method, route, body) {
  const response = await fetch(`${EMULATOR_URL}/__emulator__${route}`, {
    method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  assert.ok(response.ok, `${method} ${route}: ${response.status}`);
  return response.json();
}

async function webitel() {
  return (await control("GET", "/state")).domains[0];
}

/** Waits until Webitel's state satisfies ``check`` (the connector may finish a step just after the page). */
async function inWebitel(what, check) {
  const giveUp = Date.now() + WAIT_MS;
  let state;
  for (;;) {
    state = await webitel();
    if (check(state)) {
      return state;
    }
    if (Date.now() > giveUp) {
      throw new Error(`Webitel never showed: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const step = (name) => console.log(JSON.stringify({ step: name }));
const userNamed = (state, username) => state.users.find((u) => u.username === username && !u.deleted_at);
const agentOf = (state, user) => state.call_center.agents.find((a) => String(a.user.id) === String(user.id));

const profile = mkdtempSync(path.join(tmpdir(), "webitel-users-chromium-"));
// A fresh profile each run (Playwright passes it as --user-data-dir, and --headless itself).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
let page;
const errors = [];
try {
  page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  const t = (name) => page.locator(`[data-test="${name}"]`);

  await page.goto(HOST_URL);
  await t("total").filter({ hasText: "0 in all" }).waitFor();
  step("the list is shown, empty");

  // Create a Webitel user for the Creatio user agarcia, extension 1010.
  await t("new").click();
  await t("new-user").locator("option", { hasText: "agarcia" }).waitFor({ state: "attached" });
  await t("new-user").selectOption({ label: "agarcia (Ana Garcia)" });
  await t("new-extension").fill("1010");
  await t("new-save").click();
  await t("title").filter({ hasText: "agarcia" }).waitFor();
  let state = await inWebitel("the user agarcia with extension 1010",
    (s) => userNamed(s, "agarcia")?.extension === "1010");
  const agarcia = userNamed(state, "agarcia");
  assert.ok(agarcia.device?.id, "Webitel gave agarcia a default device");
  await t("webitel-user-id").filter({ hasText: String(agarcia.id) }).waitFor();
  step("created: Webitel has agarcia with extension 1010 and a device");

  // Grant the CALL_CENTER license.
  await t("license-choice").locator("option", { hasText: "CALL_CENTER" }).first().waitFor({ state: "attached" });
  const license = await t("license-choice").locator("option", { hasText: "CALL_CENTER" }).first().getAttribute("value");
  await t("license-choice").selectOption(license);
  await t("grant-license").click();
  await t("licenses").filter({ hasText: "CALL_CENTER" }).waitFor();
  await inWebitel("agarcia's CALL_CENTER license", (s) =>
    (userNamed(s, "agarcia").license || []).some((l) => l.id === license && l.prod === "CALL_CENTER"));
  step("license granted in Webitel");

  // Add the skill English with capacity 60 (kept on the record until the user is an agent).
  await t("skill-choice").selectOption({ label: "English" });
  await t("skill-capacity").fill("60");
  await t("add-skill").click();
  await t("skill-row").filter({ hasText: "English" }).waitFor();
  step("skill added to the record");

  // Make it an agent of the team Support: Webitel gets the agent, in the team, with the skill.
  await t("team").selectOption({ label: "Support" });
  await t("agent").check();
  await t("agent-status").waitFor();
  state = await inWebitel("agarcia as an agent of Support with English at 60", (s) => {
    const agent = agentOf(s, userNamed(s, "agarcia"));
    const rows = agent ? s.call_center.agent_skills.filter((r) => String(r.agent.id) === String(agent.id)) : [];
    return agent?.team?.name === "Support" && rows.some((r) => r.skill.name === "English" && r.capacity === 60 && r.enabled);
  });
  step("agent in Webitel: team Support, skill English at 60, active");

  // Pause it with the cause Lunch (a phone registered first: an agent goes online only with one).
  await control("POST", `/presence/${agarcia.id}`, { status: "sip" });
  await t("status").selectOption("online");
  await t("apply-status").click();
  await t("agent-status").filter({ hasText: "online" }).waitFor();
  await t("status").selectOption("pause");
  await t("pause-cause-choice").selectOption({ label: "Lunch" });
  await t("apply-status").click();
  await t("pause-cause").filter({ hasText: "Lunch" }).waitFor();
  await inWebitel("agarcia on a Lunch break", (s) => {
    const agent = agentOf(s, userNamed(s, "agarcia"));
    return agent?.status === "pause" && agent?.status_payload === "Lunch";
  });
  step("paused in Webitel with the cause Lunch, shown on the record");
  if (SCREENSHOTS) {
    await page.screenshot({ path: path.join(SCREENSHOTS, "creatio-record-page.png"), fullPage: true });
  }

  // GetWebitelUsers: Webitel answers slowly, so the progress shows before the summary.
  await t("back").click();
  await t("total").filter({ hasText: "1 in all" }).waitFor();
  await control("POST", "/faults", { method: "GET", path: "/api/users", action: "delay", delay_ms: 700 });
  await t("import").click();
  await t("import-progress").filter({ hasText: "Importing" }).waitFor();
  await t("import-summary").waitFor({ timeout: 60000 });
  await control("DELETE", "/faults");
  state = await webitel();
  const everyone = state.users.filter((u) => !u.deleted_at);
  await t("total").filter({ hasText: `${everyone.length} in all` }).waitFor();
  const summary = await t("import-summary").innerText();
  assert.match(summary, /linked 2/, summary);  // jsmith and mbrown: the Creatio users with those logins
  const jsmithRow = t("row").filter({ hasText: "jsmith" });
  assert.match(await jsmithRow.innerText(), /John Smith/);
  step(`imported: one record for each of Webitel's ${everyone.length} users, jsmith linked to its Creatio user`);
  if (SCREENSHOTS) {
    await page.screenshot({ path: path.join(SCREENSHOTS, "creatio-list.png"), fullPage: true });
  }

  // Delete agarcia, confirming: the Webitel user and its agent are gone.
  await t("row").filter({ hasText: "agarcia" }).click();
  await t("delete").click();
  await t("confirm").waitFor();
  await t("confirm-delete").click();
  await t("total").filter({ hasText: `${everyone.length - 1} in all` }).waitFor();
  await inWebitel("agarcia gone, and its agent", (s) =>
    !userNamed(s, "agarcia") && !s.call_center.agents.some((a) => String(a.user.id) === String(agarcia.id)));
  step("deleted: Webitel has no agarcia and no agent of it");

  assert.deepEqual(errors, [], "the page reported errors");
  console.log(JSON.stringify({ ok: true }));
} catch (failure) {
  // What the page showed when a step failed, for the test's report.
  const shown = page ? await page.locator("body").innerText().catch(() => "") : "";
  console.error(`the page showed:\n${shown.slice(0, 3000)}\nits errors: ${errors.join("\n")}`);
  throw failure;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
