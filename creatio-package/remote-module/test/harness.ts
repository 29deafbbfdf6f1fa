/* A component under test in jsdom, and the connector it talks to: a fake fetch that answers from
 * routes a test gives and records every request (the module's own code, the devkit's services and the
 * host's handler chain all run as they do in the browser). */
import { ApplicationRef, ComponentRef, Type, createComponent } from "@angular/core";
import { createApplication } from "@angular/platform-browser";

export const BASE = "http://connector.test/api/v1";
export const TOKEN = "pages-token";

export interface Sent { method: string; path: string; headers: Record<string, string>; body: any }
type Answer = [number, unknown] | ((sent: Sent) => [number, unknown]);

export class FakeConnector {
  readonly sent: Sent[] = [];
  private readonly routes = new Map<string, Answer>();

  /** ``"GET /webitel-users"`` (the path without the query) answers ``[status, body]``. */
  on(route: string, answer: Answer): this {
    this.routes.set(route, answer);
    return this;
  }

  calls(route: string): Sent[] {
    return this.sent.filter((s) => `${s.method} ${s.path.split("?")[0]}` === route);
  }

  readonly fetch = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    const path = url.slice(BASE.length);
    const sent: Sent = { method: init.method, path, headers: init.headers, body: init.body ? JSON.parse(init.body) : null };
    this.sent.push(sent);
    const answer = this.routes.get(`${init.method} ${path.split("?")[0]}`);
    const [status, body] = answer === undefined ? [404, { error: { code: "not_found", message: `no route ${path}` } }]
      : typeof answer === "function" ? answer(sent) : answer;
    const text = status === 204 ? "" : JSON.stringify(body);
    return { status, ok: status < 400, statusText: String(status), url, headers: {}, text: async () => text };
  };
}

export function installHost(connector: FakeConnector, settings: Record<string, string> = {
  UsrWebitelConnectorUrl: `${BASE}/`, UsrWebitelConnectorToken: TOKEN }): void {
  (globalThis as any).fetch = connector.fetch;
  (window as any).installHostPlatform(settings);
}

export interface Mounted<T> { app: ApplicationRef; ref: ComponentRef<T>; el: HTMLElement; component: T }

export async function mount<T>(type: Type<T>, inputs: Record<string, unknown> = {}): Promise<Mounted<T>> {
  const app = await createApplication();
  const el = document.createElement("div");
  document.body.appendChild(el);
  const ref = createComponent(type, { environmentInjector: app.injector, hostElement: el });
  for (const [name, value] of Object.entries(inputs)) {
    ref.setInput(name, value);
  }
  app.attachView(ref.hostView);
  app.tick();
  return { app, ref, el, component: ref.instance };
}

/** Waits (re-rendering) until ``check`` holds; fails with ``what`` after two seconds. */
export async function until(app: ApplicationRef, check: () => boolean, what: string): Promise<void> {
  const give_up = Date.now() + 2000;
  for (;;) {
    app.tick();
    if (holds(check)) {
      return;
    }
    if (Date.now() > give_up) {
      throw new Error(`timed out waiting for: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function holds(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;  // not there yet
  }
}

export function q(el: HTMLElement, test: string): HTMLElement {
  const found = el.querySelector(`[data-test="${test}"]`);
  if (!found) {
    throw new Error(`no [data-test=${test}] in ${el.innerHTML.slice(0, 400)}`);
  }
  return found as HTMLElement;
}

export function all(el: HTMLElement, test: string): HTMLElement[] {
  return Array.from(el.querySelectorAll(`[data-test="${test}"]`)) as HTMLElement[];
}

export function choose(select: HTMLElement, value: string): void {
  (select as HTMLSelectElement).value = value;
  select.dispatchEvent(new Event("change"));
}

export function type(input: HTMLElement, value: string): void {
  (input as HTMLInputElement).value = value;
  input.dispatchEvent(new Event("input"));
  input.dispatchEvent(new Event("change"));
}

export function record(overrides: Record<string, unknown> = {}): any {
  return {
    id: "r-1", user: { id: "u-1", name: "jsmith" }, contact: { id: "c-1", name: "John Smith" },
    webitel_username: "jsmith", extension: "1001", webitel_user_id: "42", default_device: { id: "7", name: "jsmith" },
    stun_enabled: false, is_agent: false, team: null, agent_status: null, pause_cause: null,
    licenses: [], roles: [], skills: [], warnings: [], sync: { state: "in_sync", last_error: null },
    ...overrides,
  };
}
