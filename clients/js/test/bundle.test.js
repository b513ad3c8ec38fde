// dist/gamehost-client.browser.js: one self-contained ES module (nothing else to fetch),
// that works with a WebSocket class like the browser's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { WebSocket } from "ws";

import { startFakeServer } from "./fake-server.js";

const bundleUrl = new URL("../dist/gamehost-client.browser.js", import.meta.url);

test("the browser bundle imports nothing", () => {
  const src = readFileSync(bundleUrl, "utf8");
  assert.doesNotMatch(src, /\bimport\s*[{*"'(]|\bimport\s+[\w$]+\s+from\b|\brequire\(/);
  assert.match(src, /export\s*\{[^}]*GameHostClient/);
});

test("the browser bundle connects, logs in and hears pushes", async (t) => {
  const server = await startFakeServer();
  const gh = await import(bundleUrl.href);
  server.handle(gh.auth.GuestLoginRequestSchema, (m, conn) =>
    conn.send(gh.auth.LoginReplySchema, { userId: 11n, token: "t", guest: true }),
  );
  // As a page would, with the global WebSocket (here the ws package's, for Node 20).
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = WebSocket;
  t.after(() => {
    globalThis.WebSocket = saved;
  });
  const c = await gh.GameHostClient.connect(server.url);
  t.after(async () => {
    await c.close();
    await server.close();
  });
  assert.equal((await c.auth.guest("device-0123456789abcdef")).userId, 11n);
  const chat = c.waitFor("battlemap.chat", { timeoutMs: 2000 });
  server.last.send(gh.battlemap.ChatLineSchema, { userId: 12n, text: "hi", world: true });
  assert.equal((await chat).text, "hi");
});
