import { WebitelUsersListComponent } from "../src/list.component";
import { FakeConnector, TOKEN, all, installHost, mount, q, record, until } from "./harness";

function page(items: unknown[]) {
  return [200, { items, page: 1, size: 50, total: items.length }] as [number, unknown];
}

describe("the Webitel users list", () => {
  test("shows the records the connector lists, asked with the token of the system settings", async () => {
    const connector = new FakeConnector().on("GET /webitel-users", page([record(),
      record({ id: "r-2", webitel_username: "mbrown", user: null, contact: { id: "c-2", name: "Mary Brown" },
        is_agent: true, team: { id: "1", name: "Support" }, agent_status: "pause", pause_cause: "Lunch" })]));
    installHost(connector);
    const { app, el } = await mount(WebitelUsersListComponent);
    await until(app, () => all(el, "row").length === 2, "two rows");
    const [first, second] = all(el, "row").map((row) => row.textContent ?? "");
    expect(first).toContain("jsmith");
    expect(first).toContain("John Smith");
    expect(second).toContain("Support");
    expect(second).toContain("pause (Lunch)");
    expect(q(el, "total").textContent).toContain("2 in all");
    const [sent] = connector.calls("GET /webitel-users");
    expect(sent.headers["Authorization"]).toBe(`Bearer ${TOKEN}`);
  });

  test("GetWebitelUsers shows its progress until the job ends, then the summary and the new list", async () => {
    let polls = 0;
    const running = (done: number) => ({ id: "job-1", status: "running", progress: { done, total: 4 }, summary: {} });
    const connector = new FakeConnector()
      .on("GET /webitel-users", page([]))
      .on("POST /imports", [202, running(0)])
      .on("GET /imports/job-1", () => (++polls < 2 ? [200, running(2)]
        : [200, { id: "job-1", status: "succeeded", progress: { done: 4, total: 4 },
          summary: { created: 1, linked_existing_contacts: 2, unchanged: 1 } }]));
    installHost(connector);
    const { app, el } = await mount(WebitelUsersListComponent);
    await until(app, () => connector.calls("GET /webitel-users").length === 1, "the first load");
    connector.on("GET /webitel-users", page([record()]));
    q(el, "import").click();
    await until(app, () => (q(el, "import-progress").textContent ?? "").includes("2 of 4"), "the progress");
    expect((q(el, "import") as HTMLButtonElement).disabled).toBe(true);
    await until(app, () => el.querySelector('[data-test="import-summary"]') !== null, "the summary");
    expect(q(el, "import-summary").textContent).toContain("linked 2");
    await until(app, () => all(el, "row").length === 1, "the list after the import");
    expect((q(el, "import") as HTMLButtonElement).disabled).toBe(false);
    const [start] = connector.calls("POST /imports");
    expect(start.body).toEqual({ dry_run: false });
    expect(start.headers["Idempotency-Key"]).toMatch(/.{16,}/);
  });

  test("a refusal is shown in the connector's words", async () => {
    const connector = new FakeConnector()
      .on("GET /webitel-users", page([]))
      .on("POST /imports", [409, { error: { code: "import_running", message: "An import is already running" } }]);
    installHost(connector);
    const { app, el } = await mount(WebitelUsersListComponent);
    q(el, "import").click();
    await until(app, () => el.querySelector('[data-test="error"]') !== null, "the error");
    expect(q(el, "error").textContent).toContain("An import is already running");
  });

  test("without the connector's address it names the system setting to fill", async () => {
    const connector = new FakeConnector();
    installHost(connector, { UsrWebitelConnectorUrl: "", UsrWebitelConnectorToken: "" });
    const { app, el } = await mount(WebitelUsersListComponent);
    await until(app, () => el.querySelector('[data-test="error"]') !== null, "the error");
    expect(q(el, "error").textContent).toContain("UsrWebitelConnectorUrl");
    expect(connector.sent).toEqual([]);
  });

  test("New creates a Webitel user for the Creatio user chosen and opens it", async () => {
    const connector = new FakeConnector()
      .on("GET /webitel-users", page([]))
      .on("GET /creatio/users", page([{ id: "u-3", name: "agarcia", type: "employee", active: true,
        contact: { id: "c-3", name: "Ana Garcia" } }, { id: "u-9", name: "oldtimer", type: "employee", active: false,
        contact: { id: "c-9", name: "Otto" } }]))
      .on("POST /webitel-users", [201, record({ id: "r-3", webitel_username: "agarcia" })]);
    installHost(connector);
    const { app, el, component } = await mount(WebitelUsersListComponent);
    const opened: string[] = [];
    component.open.subscribe((id: string) => opened.push(id));
    q(el, "new").click();
    await until(app, () => el.querySelectorAll('[data-test="new-user"] option').length === 2, "the users");
    const select = q(el, "new-user") as HTMLSelectElement;
    select.value = "u-3";
    select.dispatchEvent(new Event("change"));
    const ext = q(el, "new-extension") as HTMLInputElement;
    ext.value = "1010";
    ext.dispatchEvent(new Event("input"));
    app.tick();
    q(el, "new-save").click();
    await until(app, () => opened.length === 1, "the record opened");
    expect(connector.calls("POST /webitel-users")[0].body).toEqual({ user_id: "u-3", extension: "1010" });
    expect(opened).toEqual(["r-3"]);
  });
});
