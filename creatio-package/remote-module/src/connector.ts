/* The connector's API as the pages use it. Every request goes through Creatio's HttpClientService and
 * the connector's address and token come from Creatio's system settings (SysSettingsService): the page
 * never holds them in its code. */
import { Injectable } from "@angular/core";
import { HttpClientService, SysSettingsService } from "@creatio-devkit/common";
import type {
  CreatioUser, ImportJob, Lookup, LicenseLookup, Page, PauseCause, WebitelUser,
} from "./model";

export const URL_SETTING = "UsrWebitelConnectorUrl";
export const TOKEN_SETTING = "UsrWebitelConnectorToken";

/** The contract's error: a stable code, an English message, and the fields it concerns. */
export interface ConnectorErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string[]>;
  [more: string]: unknown;
}

export class ConnectorError extends Error {
  constructor(readonly status: number, readonly body: ConnectorErrorBody) {
    super(body.message);
  }

  /** The first message about one field, for showing it next to that field. */
  field(name: string): string | null {
    return this.body.fields?.[name]?.[0] ?? null;
  }
}

const UNREACHABLE: ConnectorErrorBody = {
  code: "connector_unreachable",
  message: "The Webitel connector cannot be reached: ask the administrator to check the system setting "
    + `${URL_SETTING}, Creatio's Content Security Policy and the connector's CORS origins.`,
};

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

@Injectable({ providedIn: "root" })
export class WebitelConnector {
  private readonly http = new HttpClientService();
  private readonly sysSettings = new SysSettingsService();

  // -- Webitel users section -----------------------------------------------------------------------
  list(q = "", page = 1, size = 50): Promise<Page<WebitelUser>> {
    return this.call("GET", `/webitel-users${query({ q, page, size })}`);
  }
  get(id: string): Promise<WebitelUser> {
    return this.call("GET", `/webitel-users/${enc(id)}`);
  }
  create(userId: string, extension: string | null): Promise<WebitelUser> {
    return this.call("POST", "/webitel-users", { user_id: userId, ...(extension ? { extension } : {}) });
  }
  change(id: string, changes: Partial<{ extension: string | null; stun_enabled: boolean; is_agent: boolean;
    team_id: string | null }>): Promise<WebitelUser> {
    return this.call("PATCH", `/webitel-users/${enc(id)}`, changes);
  }
  linkUser(id: string, userId: string): Promise<WebitelUser> {
    return this.call("PUT", `/webitel-users/${enc(id)}/user`, { user_id: userId });
  }
  remove(id: string): Promise<null> {
    return this.call("DELETE", `/webitel-users/${enc(id)}`);
  }
  grantLicense(id: string, licenseId: string): Promise<WebitelUser> {
    return this.call("POST", `/webitel-users/${enc(id)}/licenses`, { license_id: licenseId });
  }
  revokeLicense(id: string, licenseId: string): Promise<null> {
    return this.call("DELETE", `/webitel-users/${enc(id)}/licenses/${enc(licenseId)}`);
  }
  addRole(id: string, roleId: string): Promise<WebitelUser> {
    return this.call("POST", `/webitel-users/${enc(id)}/roles`, { role_id: roleId });
  }
  removeRole(id: string, roleId: string): Promise<null> {
    return this.call("DELETE", `/webitel-users/${enc(id)}/roles/${enc(roleId)}`);
  }
  addSkill(id: string, skillId: string, capacity: number, active: boolean): Promise<WebitelUser> {
    return this.call("POST", `/webitel-users/${enc(id)}/skills`, { skill_id: skillId, capacity, active });
  }
  changeSkill(id: string, skillId: string, changes: { capacity?: number; active?: boolean }): Promise<WebitelUser> {
    return this.call("PATCH", `/webitel-users/${enc(id)}/skills/${enc(skillId)}`, changes);
  }
  removeSkill(id: string, skillId: string): Promise<null> {
    return this.call("DELETE", `/webitel-users/${enc(id)}/skills/${enc(skillId)}`);
  }
  setAgentStatus(id: string, status: string, pauseCauseId: string | null): Promise<WebitelUser> {
    const body: Record<string, string> = { status };
    if (status === "pause" && pauseCauseId) {
      body["pause_cause_id"] = pauseCauseId;
    }
    return this.call("PUT", `/webitel-users/${enc(id)}/agent-status`, body);
  }

  // -- Creatio users (the User field) and Webitel's lookups ----------------------------------------
  creatioUsers(q = "", size = 50): Promise<Page<CreatioUser>> {
    return this.call("GET", `/creatio/users${query({ q, page: 1, size })}`);
  }
  licenses(): Promise<{ items: LicenseLookup[] }> {
    return this.call("GET", "/lookups/licenses");
  }
  roles(): Promise<{ items: Lookup[] }> {
    return this.call("GET", "/lookups/roles");
  }
  teams(): Promise<{ items: Lookup[] }> {
    return this.call("GET", "/lookups/teams");
  }
  skills(): Promise<{ items: Lookup[] }> {
    return this.call("GET", "/lookups/skills");
  }
  pauseCauses(): Promise<{ items: PauseCause[] }> {
    return this.call("GET", "/lookups/pause-causes");
  }

  // -- GetWebitelUsers -----------------------------------------------------------------------------
  startImport(): Promise<ImportJob> {
    return this.call("POST", "/imports", { dry_run: false });
  }
  importJob(id: string): Promise<ImportJob> {
    return this.call("GET", `/imports/${enc(id)}?size=1`);
  }

  // -- one request -----------------------------------------------------------------------------------
  /** One request. Resolves with the answer's body (null for 204); rejects with a ConnectorError that
   * carries the contract's error (or connector_unreachable when no answer came). */
  async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const { base, token } = await this.settings();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    if (method === "POST") {
      headers["Idempotency-Key"] = newKey();  // a retried POST never makes a second user
    }
    const url = base + path;
    const options = { headers, responseType: "json" as const };
    let response: { status?: number; ok?: boolean; body: unknown } | null;
    try {
      switch (method) {
        case "GET": response = await this.http.get(url, options); break;
        case "POST": response = await this.http.post(url, body ?? null, options); break;
        case "PATCH": response = await this.http.patch(url, body ?? null, options); break;
        case "PUT": response = await this.http.put(url, body ?? null, options); break;
        case "DELETE": response = await this.http.delete(url, options); break;
      }
    } catch (failure) {
      throw asConnectorError(failure);
    }
    if (response && response.ok === false) {
      throw asConnectorError({ status: response.status, error: response.body });
    }
    return (response?.body ?? null) as T;
  }

  private async settings(): Promise<{ base: string; token: string }> {
    const [url, token] = await Promise.all([this.sysSettings.getByCode(URL_SETTING),
      this.sysSettings.getByCode(TOKEN_SETTING)]);
    const base = String(url?.value ?? "").trim().replace(/\/+$/, "");
    if (!base) {
      throw new ConnectorError(0, { code: "connector_not_configured",
        message: `The system setting ${URL_SETTING} (the connector's address, e.g. https://connector.example/api/v1) is empty.` });
    }
    return { base, token: String(token?.value ?? "") };
  }
}

/** A failed call as Creatio's HttpClientService reports it (Angular's HttpErrorResponse: status and
 * the parsed body in ``error``), made into the contract's error. */
export function asConnectorError(failure: unknown): ConnectorError {
  if (failure instanceof ConnectorError) {
    return failure;
  }
  const answer = failure as { status?: number; error?: unknown; body?: unknown } | null;
  const body = (answer?.error ?? answer?.body) as { error?: ConnectorErrorBody } | undefined;
  if (body && typeof body === "object" && body.error && typeof body.error.code === "string") {
    return new ConnectorError(answer?.status ?? 0, body.error);
  }
  return new ConnectorError(answer?.status ?? 0, UNREACHABLE);
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

function query(params: Record<string, string | number>): string {
  const parts = Object.entries(params).filter(([, v]) => v !== "" && v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
