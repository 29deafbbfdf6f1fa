import { WebitelUserPageComponent } from "../src/record-page.component";
import { FakeConnector, all, choose, installHost, mount, q, record, type, until } from "./harness";

const AGENT = record({ is_agent: true, team: { id: "1", name: "Support" }, agent_status: "online",
  licenses: [{ id: "cc-serial-1", product: "CALL_CENTER" }], roles: [{ id: "3", name: "Agents" }],
  skills: [{ skill: { id: "1", name: "English" }, capacity: 50, active: true }] });

function connectorFor(shown: unknown): FakeConnector {
  return new FakeConnector()
    .on("GET /webitel-users/r-1", [200, shown])
    .on("GET /creatio/users", [200, { items: [
      { id: "u-1", name: "jsmith", type: "employee", active: true, contact: { id: "c-1", name: "John Smith" } },
      { id: "u-5", name: "john.smith", type: "employee", active: true, contact: { id: "c-5", name: "J. Smith" } }],
      page: 1, size: 100, total: 2 }])
    .on("GET /lookups/teams", [200, { items: [{ id: "1", name: "Support" }, { id: "2", name: "Sales" }] }])
    .on("GET /lookups/roles", [200, { items: [{ id: "3", name: "Agents" }, { id: "4", name: "Supervisors" }] }])
    .on("GET /lookups/skills", [200, { items: [{ id: "1", name: "English" }, { id: "2", name: "Billing" }] }])
    .on("GET /lookups/licenses", [200, { items: [{ id: "cc-serial-1", product: "CALL_CENTER", remain: 3, available: true }] }])
    .on("GET /lookups/pause-causes", [200, { items: [{ id: "11", name: "Lunch", limit_min: 60 },
      { id: "12", name: "Break", limit_min: 15 }] }]);
}

async function open(shown: unknown) {
  const connector = connectorFor(shown);
  installHost(connector);
  const mounted = await mount(WebitelUserPageComponent, { recordId: "r-1" });
  await until(mounted.app, () => mounted.el.querySelectorAll('[data-test="pause-cause-choice"] option, '
    + '[data-test="skill-choice"] option').length >= 3, "the record and its drop-downs");
  return { connector, ...mounted };
}

describe("the Webitel user's record page", () => {
  test("shows the record's fields and details", async () => {
    const { el } = await open(AGENT);
    expect(q(el, "username").textContent).toContain("jsmith");
    expect(q(el, "contact").textContent).toContain("John Smith");
    expect((q(el, "extension") as HTMLInputElement).value).toBe("1001");
    expect(q(el, "webitel-user-id").textContent).toContain("42");
    expect(q(el, "device").textContent).toContain("jsmith");
    expect((q(el, "agent") as HTMLInputElement).checked).toBe(true);
    expect(q(el, "licenses").textContent).toContain("CALL_CENTER");
    expect(q(el, "roles").textContent).toContain("Agents");
    expect(all(el, "skill-row")).toHaveLength(1);
    expect(q(el, "agent-status").textContent).toContain("online");
  });

  test("a skill's capacity out of 1..100 is refused before anything is sent", async () => {
    const { app, el, connector } = await open(AGENT);
    choose(q(el, "skill-choice"), "2");
    type(q(el, "skill-capacity"), "101");
    app.tick();
    q(el, "add-skill").click();
    await until(app, () => el.querySelector('[data-test="skill-error"]') !== null, "the capacity error");
    expect(q(el, "skill-error").textContent).toContain("1 to 100");
    expect(connector.calls("POST /webitel-users/r-1/skills")).toEqual([]);
  });

  test("a skill is added with its capacity and active flag", async () => {
    const { app, el, connector } = await open(AGENT);
    const added = { ...AGENT, skills: [...AGENT.skills, { skill: { id: "2", name: "Billing" }, capacity: 70, active: false }] };
    connector.on("POST /webitel-users/r-1/skills", [201, added]);
    choose(q(el, "skill-choice"), "2");
    type(q(el, "skill-capacity"), "70");
    (q(el, "skill-active") as HTMLInputElement).checked = false;
    q(el, "skill-active").dispatchEvent(new Event("change"));
    app.tick();
    q(el, "add-skill").click();
    await until(app, () => all(el, "skill-row").length === 2, "the new skill row");
    expect(connector.calls("POST /webitel-users/r-1/skills")[0].body).toEqual({ skill_id: "2", capacity: 70, active: false });
  });

  test("a pause is sent with the cause the lookup offered, and the record shows the cause", async () => {
    const { app, el, connector } = await open(AGENT);
    connector.on("PUT /webitel-users/r-1/agent-status", [200, { ...AGENT, agent_status: "pause", pause_cause: "Lunch" }]);
    choose(q(el, "status"), "pause");
    app.tick();
    choose(q(el, "pause-cause-choice"), "11");
    app.tick();
    q(el, "apply-status").click();
    await until(app, () => el.querySelector('[data-test="pause-cause"]') !== null, "the pause cause");
    expect(q(el, "agent-status").textContent).toContain("pause: Lunch");
    expect(connector.calls("PUT /webitel-users/r-1/agent-status")[0].body).toEqual({ status: "pause", pause_cause_id: "11" });
  });

  test("a refusal is shown next to its field", async () => {
    const { app, el, connector } = await open(AGENT);
    connector.on("PATCH /webitel-users/r-1", [409, { error: { code: "extension_taken",
      message: "Extension 1002 already belongs to mbrown", fields: { extension: ["Extension 1002 already belongs to mbrown"] } } }]);
    type(q(el, "extension"), "1002");
    app.tick();
    q(el, "save-extension").click();
    await until(app, () => el.querySelector('[data-test="extension-error"]') !== null, "the field error");
    expect(q(el, "extension-error").textContent).toContain("already belongs to mbrown");
    expect(connector.calls("PATCH /webitel-users/r-1")[0].body).toEqual({ extension: "1002" });
  });

  test("making it an agent sends the team chosen", async () => {
    const plain = record({ licenses: [{ id: "cc-serial-1", product: "CALL_CENTER" }] });
    const { app, el, connector } = await open(plain);
    connector.on("PATCH /webitel-users/r-1", [200, { ...plain, is_agent: true, team: { id: "2", name: "Sales" },
      agent_status: "offline" }]);
    (q(el, "agent") as HTMLInputElement).checked = true;
    q(el, "agent").dispatchEvent(new Event("change"));
    await until(app, () => el.querySelector('[data-test="error"]') !== null, "the team is asked for");
    expect(connector.calls("PATCH /webitel-users/r-1")).toEqual([]);
    choose(q(el, "team"), "2");
    app.tick();
    (q(el, "agent") as HTMLInputElement).checked = true;
    q(el, "agent").dispatchEvent(new Event("change"));
    await until(app, () => el.querySelector('[data-test="agent-status"]') !== null, "the agent's status");
    expect(connector.calls("PATCH /webitel-users/r-1")[0].body).toEqual({ is_agent: true, team_id: "2" });
  });

  test("the User field links the record to another Creatio user", async () => {
    const { app, el, connector } = await open(record({ user: null, warnings: ["no_creatio_user"] }));
    connector.on("PUT /webitel-users/r-1/user", [200, record({ user: { id: "u-5", name: "john.smith" },
      contact: { id: "c-5", name: "J. Smith" } })]);
    choose(q(el, "user"), "u-5");
    app.tick();
    q(el, "link-user").click();
    await until(app, () => (q(el, "contact").textContent ?? "").includes("J. Smith"), "the linked contact");
    expect(connector.calls("PUT /webitel-users/r-1/user")[0].body).toEqual({ user_id: "u-5" });
  });

  test("Delete asks first, and deletes only when confirmed", async () => {
    const { app, el, connector, component } = await open(AGENT);
    connector.on("DELETE /webitel-users/r-1", [204, null]);
    const deleted: string[] = [];
    component.deleted.subscribe((id: string) => deleted.push(id));
    q(el, "delete").click();
    app.tick();
    expect(q(el, "confirm").textContent).toContain("Delete jsmith?");
    q(el, "cancel-delete").click();
    app.tick();
    expect(el.querySelector('[data-test="confirm"]')).toBeNull();
    expect(connector.calls("DELETE /webitel-users/r-1")).toEqual([]);
    q(el, "delete").click();
    app.tick();
    q(el, "confirm-delete").click();
    await until(app, () => deleted.length === 1, "the deleted event");
    expect(connector.calls("DELETE /webitel-users/r-1")).toHaveLength(1);
  });
});
