/* Component tests in jsdom: real Angular (compiled just in time, as in the build) and the real
 * @creatio-devkit/common services, answered by the host page's handler chain over a fake fetch.
 * esbuild turns the TypeScript and the ES modules of Angular and the devkit into what Jest runs. */
module.exports = {
  testEnvironment: "jsdom",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.spec.ts"],
  moduleFileExtensions: ["ts", "mjs", "js", "json"],
  transform: { "\\.(ts|mjs|js)$": "<rootDir>/test/esbuild-transform.cjs" },
  transformIgnorePatterns: ["/node_modules/(?!(@angular|@creatio-devkit|@creatio|rxjs|zone\\.js|tslib)/)"],
  setupFiles: ["<rootDir>/test/setup.ts"],
  testTimeout: 20000,
};
