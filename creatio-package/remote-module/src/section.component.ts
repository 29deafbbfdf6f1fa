/* The "Webitel Users" section of the Contact Center workplace: the list, and the record page of the
 * row opened. */
import { Component, signal } from "@angular/core";
import { CrtViewElement } from "@creatio-devkit/common";
import { WebitelUsersListComponent } from "./list.component";
import { WebitelUserPageComponent } from "./record-page.component";

@CrtViewElement({ selector: "usr-webitel-users-section", type: "usr.WebitelUsersSection" })
@Component({
  selector: "webitel-users-section",  // the custom element is usr-webitel-users-section
  standalone: true,
  imports: [WebitelUsersListComponent, WebitelUserPageComponent],
  styles: [":host { display: block; background: #f1f4f8; padding: 16px; min-height: 100%; box-sizing: border-box; }"],
  template: `
    @if (opened(); as id) {
      <webitel-user-page [recordId]="id" (closed)="close()" (deleted)="close()"
                             (changed)="changes.set(changes() + 1)"></webitel-user-page>
    } @else {
      <webitel-users-list [reloadToken]="changes()" (open)="opened.set($event)"></webitel-users-list>
    }
  `,
})
export class WebitelUsersSectionComponent {
  readonly opened = signal<string | null>(null);
  readonly changes = signal(0);

  close(): void {
    this.opened.set(null);
    this.changes.set(this.changes() + 1);
  }
}
