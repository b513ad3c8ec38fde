#!/usr/bin/env node
// dist/gamehost-client.browser.js: the library and the protobuf runtime in one ES module,
// for a plain <script type="module"> with no bundler and nothing else fetched by the page.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [join(pkgDir, "dist/index.js")],
  outfile: join(pkgDir, "dist/gamehost-client.browser.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  minify: true,
  legalComments: "eof",
  logLevel: "warning",
});
console.log("bundle: dist/gamehost-client.browser.js");
