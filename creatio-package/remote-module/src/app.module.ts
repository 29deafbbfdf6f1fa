/* The remote module as Creatio's remote-module template shapes it: an NgModule that is also a
 * CrtModule listing its view elements, each registered as a custom element Creatio's pages place by
 * selector. */
import { DoBootstrap, Injector, NgModule, ProviderToken, Type, inject } from "@angular/core";
import { createCustomElement } from "@angular/elements";
import { BrowserModule } from "@angular/platform-browser";
import { CrtModule, bootstrapCrtModule } from "@creatio-devkit/common";
import { WebitelUsersListComponent } from "./list.component";
import { WebitelUserPageComponent } from "./record-page.component";
import { WebitelUsersSectionComponent } from "./section.component";

export const REMOTE_NAME = "webitel_users";

export const VIEW_ELEMENTS: [string, Type<unknown>][] = [
  ["usr-webitel-users-section", WebitelUsersSectionComponent],
  ["usr-webitel-users-list", WebitelUsersListComponent],
  ["usr-webitel-user-page", WebitelUserPageComponent],
];

@CrtModule({ viewElements: VIEW_ELEMENTS.map(([, type]) => type) })
@NgModule({
  imports: [BrowserModule, WebitelUsersSectionComponent, WebitelUsersListComponent, WebitelUserPageComponent],
})
export class AppModule implements DoBootstrap {
  private readonly injector = inject(Injector);

  ngDoBootstrap(): void {
    for (const [selector, component] of VIEW_ELEMENTS) {
      if (!customElements.get(selector)) {
        customElements.define(selector, createCustomElement(component, { injector: this.injector }));
      }
    }
    bootstrapCrtModule(REMOTE_NAME, AppModule, {
      resolveDependency: (token) => this.injector.get(token as ProviderToken<unknown>),
    });
  }
}
