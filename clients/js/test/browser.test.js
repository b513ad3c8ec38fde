// examples/browser.html in a real browser: headless Chromium loads the page (served from
// clients/js/ on loopback), which imports dist/gamehost-client.browser.js, connects to the
// fake server with the browser's own WebSocket, logs in and shows the profile. Skipped
// when Chromium is not installed (Debian's package chromium: /usr/bin/chromium, or $CHROMIUM).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";

import { auth, user } from "../dist/index.js";
import { startFakeServer } from "./fake-server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(chromium) ? false : `no ${chromium}`;

test("the example page logs in from headless Chromium through the browser bundle", { skip, timeout: 60000 }, async (t) => {
  const fake = await startFakeServer();
  fake.handle(auth.GuestLoginRequestSchema, (m, c) => c.send(auth.LoginReplySchema, { userId: 77n, token: "t", guest: true }));
  fake.handle(user.GetProfileSchema, (m, c) => c.send(user.ProfileSchema, { userId: 77n, nickname: "pagey", coins: 5n }));
  const types = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };
  const http = createServer((req, res) => {
    const path = normalize(new URL(req.url, "http://localhost").pathname);
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { "content-type": types[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  const profileDir = mkdtempSync(join(tmpdir(), "gamehost-client-chromium-"));
  t.after(async () => {
    http.close();
    await fake.close();
    rmSync(profileDir, { recursive: true, force: true });
  });
  const page = `http://127.0.0.1:${http.address().port}/examples/browser.html?ws=${encodeURIComponent(fake.url)}`;
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profileDir}`,
    "--remote-debugging-port=0",
    "about:blank",
  ];
  const browser = spawn(chromium, args, { stdio: ["ignore", "ignore", "pipe"] });
  t.after(() => browser.kill("SIGKILL"));
  // Read the page's log through the DevTools protocol until the login shows.
  let log = "";
  const devtools = await new Promise((resolve, reject) => {
    browser.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    browser.on("exit", (code) => reject(new Error(`chromium exited ${code}: ${log.slice(-2000)}`)));
  });
  const cdp = new WebSocket(devtools);
  await new Promise((r, j) => (cdp.once("open", r), cdp.once("error", j)));
  t.after(() => cdp.terminate());
  let nextId = 0;
  const call = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (data) => {
        const m = JSON.parse(data);
        if (m.id !== id) return;
        cdp.off("message", onMessage);
        m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result);
      };
      cdp.on("message", onMessage);
      cdp.send(JSON.stringify({ id, method, params, sessionId }));
    });
  const { targetId } = await call("Target.createTarget", { url: page });
  const { sessionId } = await call("Target.attachToTarget", { targetId, flatten: true });
  let text = "";
  for (const end = Date.now() + 20000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const { result } = await call(
      "Runtime.evaluate",
      { expression: "document.getElementById('log')?.textContent ?? ''", returnByValue: true },
      sessionId,
    );
    text = result.value;
    if (text) break;
  }
  assert.equal(text, "logged in as pagey (user 77), 5 coins\n");
  assert.deepEqual(
    fake.received.filter((r) => r.id !== 1).map((r) => r.typeName),
    ["gamehost.auth.GuestLoginRequest", "gamehost.user.GetProfile"],
  );
  assert.match(fake.received[0].message.deviceId ?? "", /^[0-9a-f]{32}$/);
});
