/* A Jest transformer: esbuild compiles TypeScript (with decorators, as the build does) and turns ES
 * modules into CommonJS. */
const { transformSync } = require("esbuild");
const crypto = require("node:crypto");

module.exports = {
  process(source, filename) {
    const result = transformSync(source, {
      loader: filename.endsWith(".ts") ? "ts" : "js",
      format: "cjs",
      target: "es2022",
      sourcemap: "inline",
      sourcefile: filename,
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    });
    return { code: result.code };
  },
  getCacheKey(source, filename) {
    return crypto.createHash("sha1").update(source).update(filename).update("v1").digest("hex");
  },
};
