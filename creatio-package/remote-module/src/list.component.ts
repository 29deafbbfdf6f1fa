/* The section's list: the Webitel users, a search, "New" (a Creatio user and an extension) and the
 * GetWebitelUsers button with its progress. A click on a row opens the record page. */
import { Component, EventEmitter, Input, OnInit, Output, inject, signal } from "@angular/core";
import { CrtInput, CrtOutput, CrtViewElement } from "@creatio-devkit/common";
import { WebitelConnector } from "./connector";
import { messageOf, percent } from "./format";
import type { CreatioUser, ImportJob, WebitelUser } from "./model";
import { SHARED_STYLES } from "./styles";

export const IMPORT_POLL_MS = 500;

@CrtViewElement({ selector: "usr-webitel-users-list", type: "usr.WebitelUsersList" })
@Component({
  selector: "webitel-users-list",  // inside the section; the custom element is usr-webitel-users-list
  standalone: true,
  styles: [SHARED_STYLES, `
    .progress { height: 8px; background: #eef1f5; border-radius: 4px; width: 240px; overflow: hidden; }
    .progress > div { height: 100%; background: #0058ef; transition: width .2s; }
    tr.row { cursor: pointer; } tr.row:hover td { background: #f5f8fc; }
    .new { display: flex; gap: 8px; align-items: center; margin-top: 8px; }
  `],
  template: `
    <div class="card">
      <h2>Webitel users</h2>
      <div class="toolbar">
        <button class="primary" data-test="new" (click)="startNew()">New</button>
        <input data-test="search" placeholder="Search" [value]="q()" (input)="q.set(value($event))"
               (keyup.enter)="load()">
        <button data-test="refresh" (click)="load()">Refresh</button>
        <span style="flex: 1"></span>
        <button data-test="import" [disabled]="importing()" (click)="runImport()">Get Webitel users</button>
      </div>
      @if (job(); as j) {
        <div class="toolbar" data-test="import-progress">
          <div class="progress"><div [style.width.%]="pct(j)"></div></div>
          <span>{{ j.status === 'running' ? 'Importing' : (j.status === 'succeeded' ? 'Imported' : 'Import failed') }}:
            {{ j.progress.done }} of {{ j.progress.total ?? '…' }}</span>
          @if (j.status !== 'running') {
            <span class="hint" data-test="import-summary">created {{ j.summary['created'] ?? 0 }},
              linked {{ j.summary['linked_existing_contacts'] ?? 0 }}, updated {{ j.summary['updated'] ?? 0 }},
              unchanged {{ j.summary['unchanged'] ?? 0 }}, skipped {{ j.summary['skipped_ambiguous'] ?? 0 }},
              failed {{ j.summary['failed'] ?? 0 }}</span>
          }
          @if (j.error) { <span class="error">{{ j.error }}</span> }
        </div>
      }
      @if (creating()) {
        <div class="new" data-test="new-form">
          <select data-test="new-user" (change)="newUser.set(value($event))">
            <option value="">Creatio user…</option>
            @for (u of users(); track u.id) { <option [value]="u.id">{{ u.name }} ({{ u.contact.name }})</option> }
          </select>
          <input data-test="new-extension" placeholder="Extension" [value]="newExtension()"
                 (input)="newExtension.set(value($event))">
          <button class="primary" data-test="new-save" [disabled]="!newUser() || busy()" (click)="create()">Save</button>
          <button data-test="new-cancel" (click)="creating.set(false)">Cancel</button>
        </div>
      }
      @if (error()) { <p class="error" data-test="error">{{ error() }}</p> }
    </div>
    <div class="card">
      <table>
        <thead><tr><th>Webitel username</th><th>User</th><th>Contact</th><th>Extension</th><th>Agent</th>
          <th>Status</th><th>Sync</th></tr></thead>
        <tbody>
          @for (r of rows(); track r.id) {
            <tr class="row" data-test="row" [attr.data-id]="r.id" (click)="open.emit(r.id)">
              <td>{{ r.webitel_username }}</td><td>{{ r.user?.name ?? '—' }}</td><td>{{ r.contact?.name ?? '—' }}</td>
              <td>{{ r.extension ?? '—' }}</td><td>{{ r.is_agent ? (r.team?.name ?? 'yes') : '' }}</td>
              <td>{{ r.agent_status ?? '' }}{{ r.pause_cause ? ' (' + r.pause_cause + ')' : '' }}</td>
              <td><span class="badge" [class]="'badge ' + r.sync.state">{{ r.sync.state }}</span></td>
            </tr>
          } @empty {
            <tr><td colspan="7" class="hint">No Webitel users yet: create one, or get them from Webitel.</td></tr>
          }
        </tbody>
      </table>
      <p class="hint" data-test="total">{{ total() }} in all</p>
    </div>
  `,
})
export class WebitelUsersListComponent implements OnInit {
  private readonly connector = inject(WebitelConnector);

  /** Set to reload the list (the section sets it after a record page changed something). */
  @Input() @CrtInput() set reloadToken(_value: unknown) { if (this.ready) { void this.load(); } }
  @Output() @CrtOutput() readonly open = new EventEmitter<string>();

  readonly rows = signal<WebitelUser[]>([]);
  readonly total = signal(0);
  readonly q = signal("");
  readonly error = signal<string | null>(null);
  readonly job = signal<ImportJob | null>(null);
  readonly importing = signal(false);
  readonly creating = signal(false);
  readonly users = signal<CreatioUser[]>([]);
  readonly newUser = signal("");
  readonly newExtension = signal("");
  readonly busy = signal(false);
  private ready = false;

  ngOnInit(): void {
    this.ready = true;
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const page = await this.connector.list(this.q().trim());
      this.rows.set(page.items);
      this.total.set(page.total);
      this.error.set(null);
    } catch (failure) {
      this.error.set(messageOf(failure));
    }
  }

  async startNew(): Promise<void> {
    this.creating.set(true);
    try {
      this.users.set((await this.connector.creatioUsers("", 100)).items.filter((u) => u.active));
    } catch (failure) {
      this.error.set(messageOf(failure));
    }
  }

  async create(): Promise<void> {
    this.busy.set(true);
    try {
      const record = await this.connector.create(this.newUser(), this.newExtension().trim() || null);
      this.creating.set(false);
      this.newUser.set("");
      this.newExtension.set("");
      this.error.set(null);
      await this.load();
      this.open.emit(record.id);
    } catch (failure) {
      this.error.set(messageOf(failure));
    } finally {
      this.busy.set(false);
    }
  }

  /** GetWebitelUsers: start the import, then follow its progress until it ends. */
  async runImport(): Promise<void> {
    this.importing.set(true);
    this.error.set(null);
    try {
      let job = await this.connector.startImport();
      this.job.set(job);
      while (job.status === "running") {
        await delay(IMPORT_POLL_MS);
        job = await this.connector.importJob(job.id);
        this.job.set(job);
      }
      await this.load();
    } catch (failure) {
      this.error.set(messageOf(failure));
    } finally {
      this.importing.set(false);
    }
  }

  pct(job: ImportJob): number {
    return job.status === "running" ? percent(job.progress.done, job.progress.total) : 100;
  }

  value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
