// Builds the remote module into the Creatio package's Files folder: one script, remoteEntry.js, that
// Creatio loads like a Module Federation remote (a global container with init() and get()).
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REMOTE_NAME = "webitel_users";
export const OUT_DIR = path.resolve(here, "..", "Files", "src", "js", REMOTE_NAME);

await esbuild.build({
  entryPoints: [path.join(here, "src", "remote-entry.ts")],
  outfile: path.join(OUT_DIR, "remoteEntry.js"),
  bundle: true,
  format: "iife",
  target: "es2022",
  minify: process.env.WEBITEL_MODULE_DEBUG !== "1",
  sourcemap: false,
  legalComments: "eof",
  logLevel: "warning",
  tsconfig: path.join(here, "tsconfig.json"),
});
console.log(`built ${path.relative(process.cwd(), path.join(OUT_DIR, "remoteEntry.js"))}`);
