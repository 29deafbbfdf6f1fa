/* The record page of one Webitel user: its fields, the Licenses, Roles and Skills details, the agent
 * (Team, status and pause cause) and Delete. Each change is sent at once and the page shows the
 * record the connector answers; a refusal is shown next to its field. */
import { Component, EventEmitter, Input, Output, inject, signal } from "@angular/core";
import { CrtInput, CrtOutput, CrtViewElement } from "@creatio-devkit/common";
import { ConnectorError, WebitelConnector } from "./connector";
import { capacityError, messageOf } from "./format";
import type { CreatioUser, LicenseLookup, Lookup, PauseCause, WebitelUser } from "./model";
import { SHARED_STYLES } from "./styles";

@CrtViewElement({ selector: "usr-webitel-user-page", type: "usr.WebitelUserPage" })
@Component({
  selector: "webitel-user-page",  // inside the section; the custom element is usr-webitel-user-page
  standalone: true,
  styles: [SHARED_STYLES, `
    .fields { display: grid; grid-template-columns: 170px 1fr 170px 1fr; gap: 10px 16px; align-items: center; }
    .fields label { color: #5a6d82; font-size: 13px; }
    .details { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
    .details .wide { grid-column: 1 / 3; }
    .ro { padding: 5px 0; }
    .confirm { background: #fde7e7; border-radius: 6px; padding: 10px 14px; display: flex; gap: 10px;
      align-items: center; }
    td input[type=number] { width: 70px; }
  `],
  template: `
    @if (record(); as r) {
      <div class="card">
        <div class="toolbar">
          <button data-test="back" (click)="closed.emit()">Close</button>
          <h2 style="margin: 0 8px" data-test="title">{{ r.webitel_username }}</h2>
          <span class="badge" [class]="'badge ' + r.sync.state" data-test="sync">{{ r.sync.state }}</span>
          @for (w of r.warnings; track w) { <span class="badge" data-test="warning">{{ w }}</span> }
          <span style="flex: 1"></span>
          <button class="danger" data-test="delete" (click)="confirming.set(true)">Delete</button>
        </div>
        @if (confirming()) {
          <div class="confirm" data-test="confirm">
            <span>Delete {{ r.webitel_username }}? Its Webitel user and agent are deleted too.</span>
            <button class="danger confirm" data-test="confirm-delete" [disabled]="busy()" (click)="remove()">Delete</button>
            <button data-test="cancel-delete" (click)="confirming.set(false)">Cancel</button>
          </div>
        }
        @if (r.sync.last_error) { <p class="error">{{ r.sync.last_error }}</p> }
        @if (error()) { <p class="error" data-test="error">{{ error() }}</p> }
      </div>
      <div class="card">
        <div class="fields">
          <label>User</label>
          <div>
            <select data-test="user" (change)="userChoice.set(value($event))">
              @if (!r.user) { <option value="" [selected]="!userChoice()">Not linked: choose a Creatio user</option> }
              @for (u of users(); track u.id) {
                <option [value]="u.id" [selected]="u.id === (userChoice() || r.user?.id)">{{ u.name }} ({{ u.contact.name }})</option>
              }
            </select>
            @if (userChoice() && userChoice() !== r.user?.id) {
              <button class="primary" data-test="link-user" [disabled]="busy()" (click)="linkUser()">Link</button>
            }
            @if (fieldError('user_id')) { <div class="error">{{ fieldError('user_id') }}</div> }
          </div>
          <label>Webitel username</label><div class="ro" data-test="username">{{ r.webitel_username }}</div>
          <label>Contact</label><div class="ro" data-test="contact">{{ r.contact?.name ?? '—' }}</div>
          <label>Extension</label>
          <div>
            <input data-test="extension" [value]="extension() ?? r.extension ?? ''" (input)="extension.set(value($event))"
                   style="width: 110px">
            @if (extension() !== null && extension() !== (r.extension ?? '')) {
              <button class="primary" data-test="save-extension" [disabled]="busy()" (click)="saveExtension()">Save</button>
            }
            @if (fieldError('extension')) { <div class="error" data-test="extension-error">{{ fieldError('extension') }}</div> }
          </div>
          <label>User id (Webitel)</label><div class="ro" data-test="webitel-user-id">{{ r.webitel_user_id ?? '—' }}</div>
          <label>Default device</label><div class="ro" data-test="device">{{ r.default_device?.name ?? '—' }}</div>
          <label>STUN</label>
          <div><input type="checkbox" data-test="stun" [checked]="r.stun_enabled" [disabled]="busy()"
                      (change)="change({ stun_enabled: checked($event) })"></div>
          <label></label><div></div>
          <label>Agent</label>
          <div>
            <input type="checkbox" data-test="agent" [checked]="r.is_agent" [disabled]="busy()"
                   (change)="setAgent(checked($event))">
            @if (fieldError('is_agent')) { <div class="error" data-test="agent-error">{{ fieldError('is_agent') }}</div> }
          </div>
          <label>Team</label>
          <div>
            <select data-test="team" (change)="setTeam(value($event))">
              <option value="">—</option>
              @for (t of teams(); track t.id) {
                <option [value]="t.id" [selected]="t.id === (team() || r.team?.id)">{{ t.name }}</option>
              }
            </select>
            @if (fieldError('team_id')) { <div class="error">{{ fieldError('team_id') }}</div> }
          </div>
          @if (r.is_agent) {
            <label>Agent status</label>
            <div data-test="agent-status">{{ r.agent_status ?? 'unknown' }}@if (r.pause_cause) { <span data-test="pause-cause">: {{ r.pause_cause }}</span> }</div>
            <label>Change status</label>
            <div>
              <select data-test="status" (change)="status.set(value($event))">
                <option value="online" [selected]="status() === 'online'">Online</option>
                <option value="pause" [selected]="status() === 'pause'">Pause</option>
                <option value="offline" [selected]="status() === 'offline'">Offline</option>
              </select>
              @if (status() === 'pause') {
                <select data-test="pause-cause-choice" (change)="pauseCause.set(value($event))">
                  <option value="">Cause…</option>
                  @for (c of pauseCauses(); track c.id) { <option [value]="c.id">{{ c.name }}</option> }
                </select>
              }
              <button data-test="apply-status" [disabled]="busy()" (click)="applyStatus()">Apply</button>
              @if (fieldError('status') || fieldError('pause_cause_id')) {
                <div class="error">{{ fieldError('status') || fieldError('pause_cause_id') }}</div>
              }
            </div>
          }
        </div>
      </div>
      <div class="details">
        <div class="card">
          <h3>User licenses</h3>
          <table data-test="licenses">
            <thead><tr><th>Product</th><th>Serial</th><th></th></tr></thead>
            <tbody>
              @for (l of r.licenses; track l.id) {
                <tr><td>{{ l.product }}</td><td>{{ l.id }}</td>
                  <td><button data-test="revoke-license" (click)="run(connector.revokeLicense(r.id, l.id))">Remove</button></td></tr>
              }
            </tbody>
          </table>
          <div class="toolbar" style="margin-top: 8px">
            <select data-test="license-choice" (change)="licenseChoice.set(value($event))">
              <option value="" [selected]="!licenseChoice()">License…</option>
              @for (l of licenses(); track l.id) {
                <option [value]="l.id" [disabled]="l.available === false">{{ l.product }} ({{ l.remain ?? '?' }} free)</option>
              }
            </select>
            <button data-test="grant-license" [disabled]="!licenseChoice() || busy()"
                    (click)="run(connector.grantLicense(r.id, licenseChoice()))">Add</button>
          </div>
          @if (fieldError('license_id')) { <div class="error">{{ fieldError('license_id') }}</div> }
        </div>
        <div class="card">
          <h3>User roles</h3>
          <table data-test="roles">
            <thead><tr><th>Role</th><th></th></tr></thead>
            <tbody>
              @for (o of r.roles; track o.id) {
                <tr><td>{{ o.name }}</td>
                  <td><button data-test="remove-role" (click)="run(connector.removeRole(r.id, o.id))">Remove</button></td></tr>
              }
            </tbody>
          </table>
          <div class="toolbar" style="margin-top: 8px">
            <select data-test="role-choice" (change)="roleChoice.set(value($event))">
              <option value="" [selected]="!roleChoice()">Role…</option>
              @for (o of roles(); track o.id) { <option [value]="o.id">{{ o.name }}</option> }
            </select>
            <button data-test="add-role" [disabled]="!roleChoice() || busy()"
                    (click)="run(connector.addRole(r.id, roleChoice()))">Add</button>
          </div>
        </div>
        <div class="card wide">
          <h3>Skills</h3>
          <table data-test="skills">
            <thead><tr><th>Skill</th><th>Capacity (1–100)</th><th>Active</th><th></th></tr></thead>
            <tbody>
              @for (s of r.skills; track s.skill.id) {
                <tr data-test="skill-row">
                  <td>{{ s.skill.name }}</td>
                  <td><input type="number" min="1" max="100" [value]="s.capacity"
                             (change)="changeCapacity(r.id, s.skill.id, value($event))"></td>
                  <td><input type="checkbox" [checked]="s.active"
                             (change)="run(connector.changeSkill(r.id, s.skill.id, { active: checked($event) }))"></td>
                  <td><button data-test="remove-skill" (click)="run(connector.removeSkill(r.id, s.skill.id))">Remove</button></td>
                </tr>
              }
            </tbody>
          </table>
          <div class="toolbar" style="margin-top: 8px">
            <select data-test="skill-choice" (change)="skillChoice.set(value($event))">
              <option value="" [selected]="!skillChoice()">Skill…</option>
              @for (s of skills(); track s.id) { <option [value]="s.id">{{ s.name }}</option> }
            </select>
            <input type="number" data-test="skill-capacity" min="1" max="100" [value]="skillCapacity()"
                   (input)="skillCapacity.set(value($event))" style="width: 70px">
            <label><input type="checkbox" data-test="skill-active" [checked]="skillActive()"
                          (change)="skillActive.set(checked($event))"> Active</label>
            <button data-test="add-skill" [disabled]="!skillChoice() || busy()" (click)="addSkill(r.id)">Add</button>
          </div>
          @if (fieldError('capacity') || fieldError('skill_id')) {
            <div class="error" data-test="skill-error">{{ fieldError('capacity') || fieldError('skill_id') }}</div>
          }
        </div>
      </div>
    } @else {
      <div class="card">
        @if (error()) { <p class="error" data-test="error">{{ error() }}</p> } @else { <p class="hint">Loading…</p> }
        <button data-test="back" (click)="closed.emit()">Close</button>
      </div>
    }
  `,
})
export class WebitelUserPageComponent {
  readonly connector = inject(WebitelConnector);

  @Input() @CrtInput() set recordId(id: string | null) {
    this.id = id;
    if (id) {
      // After the parent's rendering: a page's signals are not written while Angular renders a template.
      void Promise.resolve().then(() => this.open(id));
    }
  }
  @Output() @CrtOutput() readonly closed = new EventEmitter<void>();
  @Output() @CrtOutput() readonly changed = new EventEmitter<string>();
  @Output() @CrtOutput() readonly deleted = new EventEmitter<string>();

  readonly record = signal<WebitelUser | null>(null);
  readonly error = signal<string | null>(null);
  readonly failure = signal<ConnectorError | null>(null);
  readonly busy = signal(false);
  readonly confirming = signal(false);
  readonly users = signal<CreatioUser[]>([]);
  readonly teams = signal<Lookup[]>([]);
  readonly roles = signal<Lookup[]>([]);
  readonly skills = signal<Lookup[]>([]);
  readonly licenses = signal<LicenseLookup[]>([]);
  readonly pauseCauses = signal<PauseCause[]>([]);
  readonly userChoice = signal("");
  readonly extension = signal<string | null>(null);
  readonly team = signal("");
  readonly status = signal("online");
  readonly pauseCause = signal("");
  readonly licenseChoice = signal("");
  readonly roleChoice = signal("");
  readonly skillChoice = signal("");
  readonly skillCapacity = signal("50");
  readonly skillActive = signal(true);
  private id: string | null = null;

  async open(id: string): Promise<void> {
    this.record.set(null);
    this.error.set(null);
    this.failure.set(null);
    this.confirming.set(false);
    try {
      this.show(await this.connector.get(id));
    } catch (failure) {
      this.fail(failure);
      return;
    }
    // The drop-downs: each is read on its own, so one that fails leaves the others usable.
    const fill = async <T>(target: { set(v: T[]): void }, read: () => Promise<{ items: T[] }>) => {
      try {
        target.set((await read()).items);
      } catch (failure) {
        this.fail(failure);
      }
    };
    await Promise.all([
      fill(this.users, () => this.connector.creatioUsers("", 100)),
      fill(this.teams, () => this.connector.teams()),
      fill(this.roles, () => this.connector.roles()),
      fill(this.skills, () => this.connector.skills()),
      fill(this.licenses, () => this.connector.licenses()),
      fill(this.pauseCauses, () => this.connector.pauseCauses()),
    ]);
  }

  fieldError(name: string): string | null {
    return this.failure()?.field(name) ?? null;
  }

  /** One change: the answer is the record (shown), or nothing (a 204: the record is read again). */
  async run(request: Promise<WebitelUser | null>): Promise<boolean> {
    this.busy.set(true);
    try {
      const answer = await request;
      this.show(answer ?? await this.connector.get(this.id as string));
      this.changed.emit(this.id as string);
      return true;
    } catch (failure) {
      this.fail(failure);
      return false;
    } finally {
      this.busy.set(false);
    }
  }

  change(changes: Parameters<WebitelConnector["change"]>[1]): Promise<boolean> {
    return this.run(this.connector.change(this.id as string, changes));
  }

  saveExtension(): Promise<boolean> {
    const value = (this.extension() ?? "").trim();
    return this.change({ extension: value || null });
  }

  linkUser(): Promise<boolean> {
    return this.run(this.connector.linkUser(this.id as string, this.userChoice()));
  }

  async setAgent(on: boolean): Promise<void> {
    const team = this.team() || this.record()?.team?.id || null;
    if (on && !team) {
      this.refuse("team_id", "Choose the agent's team first");
      return;
    }
    if (!(await this.change(on ? { is_agent: true, team_id: team } : { is_agent: false }))) {
      this.reshow();
    }
  }

  async setTeam(id: string): Promise<void> {
    this.team.set(id);
    if (this.record()?.is_agent && id) {
      await this.change({ team_id: id });
    }
  }

  applyStatus(): Promise<boolean> {
    return this.run(this.connector.setAgentStatus(this.id as string, this.status(), this.pauseCause() || null));
  }

  addSkill(recordId: string): Promise<boolean> | void {
    const wrong = capacityError(this.skillCapacity());
    if (wrong) {
      this.refuse("capacity", wrong);
      return;
    }
    return this.run(this.connector.addSkill(recordId, this.skillChoice(), Number(this.skillCapacity()),
      this.skillActive()));
  }

  changeCapacity(recordId: string, skillId: string, raw: string): Promise<boolean> | void {
    const wrong = capacityError(raw);
    if (wrong) {
      this.refuse("capacity", wrong);
      return;
    }
    return this.run(this.connector.changeSkill(recordId, skillId, { capacity: Number(raw) }));
  }

  async remove(): Promise<void> {
    const id = this.id as string;
    this.busy.set(true);
    try {
      await this.connector.remove(id);
      this.confirming.set(false);
      this.deleted.emit(id);
    } catch (failure) {
      this.fail(failure);
    } finally {
      this.busy.set(false);
    }
  }

  value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  checked(event: Event): boolean {
    return (event.target as HTMLInputElement).checked;
  }

  private show(record: WebitelUser): void {
    this.record.set(record);
    this.error.set(null);
    this.failure.set(null);
    this.extension.set(null);
    this.userChoice.set("");
    this.licenseChoice.set("");
    this.roleChoice.set("");
    this.skillChoice.set("");
    if (record.agent_status === "online" || record.agent_status === "pause" || record.agent_status === "offline") {
      this.status.set(record.agent_status);
    }
  }

  /** A change refused here, before anything is sent: shown as the connector's refusals are, and the
   * record shown again as it is. */
  private refuse(field: string, message: string): void {
    this.failure.set(new ConnectorError(0, { code: "validation_error", message, fields: { [field]: [message] } }));
    this.error.set(message);
    this.reshow();
  }

  /** The record shown again as it is (a refused checkbox goes back to what the record holds). */
  private reshow(): void {
    const record = this.record();
    if (record) {
      this.record.set({ ...record });
    }
  }

  private fail(failure: unknown): void {
    this.failure.set(failure instanceof ConnectorError ? failure : null);
    this.error.set(messageOf(failure));
  }
}
