/* The script Creatio loads from the package (Files/src/js/webitel_users/remoteEntry.js). It defines the
 * remote the way a Module Federation container does (a global named after the remote, with init() and
 * get()), and starts the module once. The module carries its own Angular, compiled in the browser (JIT),
 * so it shares nothing with Creatio's. */
import "zone.js";  // a no-op where Creatio already loaded it
import "@angular/compiler";
import { platformBrowser } from "@angular/platform-browser";
import { AppModule, REMOTE_NAME } from "./app.module";

let started: Promise<unknown> | null = null;

export function start(): Promise<unknown> {
  started ??= platformBrowser().bootstrapModule(AppModule);
  return started;
}

const container = {
  init: (_shareScope?: unknown) => start(),
  get: async (_exposed: string) => {
    await start();
    return () => ({ AppModule });
  },
};

(globalThis as Record<string, unknown>)[REMOTE_NAME] = container;
void start();
