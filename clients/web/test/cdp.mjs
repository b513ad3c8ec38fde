// Headless Chromium driven through the DevTools protocol (the approach of
// clients/js/test/browser.test.js): pages, JavaScript evaluation, real mouse clicks and key
// presses (Input.dispatch*), screenshots. Chromium is $CHROMIUM or /usr/bin/chromium.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { web } from "./host.mjs";

const require = createRequire(join(web, "../js/package.json"));
const { WebSocket } = require("ws");

export const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const chromiumMissing = () => (existsSync(chromium) ? false : `no ${chromium} (install Debian's chromium, or set $CHROMIUM)`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const KEYS = { ArrowLeft: 37, ArrowUp: 38, ArrowRight: 39, ArrowDown: 40 };

export async function launch() {
  const profileDir = mkdtempSync(join(tmpdir(), "gamehost-web-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--window-size=1000,900",
    `--user-data-dir=${profileDir}`,
    "--remote-debugging-port=0",
    "about:blank",
  ];
  const proc = spawn(chromium, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const devtools = await new Promise((resolve, reject) => {
    proc.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on("exit", (code) => reject(new Error(`chromium exited ${code}: ${log.slice(-2000)}`)));
  });
  const cdp = new WebSocket(devtools);
  await new Promise((r, j) => (cdp.once("open", r), cdp.once("error", j)));
  let nextId = 0;
  const waiting = new Map();
  const listeners = new Set();
  cdp.on("message", (data) => {
    const m = JSON.parse(data);
    if (m.id !== undefined) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (w) m.error ? w.reject(new Error(`${w.method}: ${JSON.stringify(m.error)}`)) : w.resolve(m.result);
    } else for (const l of listeners) l(m);
  });
  const call = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve, reject, method });
      cdp.send(JSON.stringify({ id, method, params, sessionId }));
    });

  /**
   * A page at `url`: a tab of the one window, or with `window: true` a window of its own.
   * Only the front tab of a window is visible: a background tab gets no animation frames, so
   * requestAnimationFrame never runs there and each mouseMoved of Input.dispatchMouseEvent
   * waits 5 s for an acknowledgement that never comes (measured with Chromium 156), which
   * makes every click take 5 s. Pages that are played at the same time, like three players
   * at one table, therefore each get a window (all of them visible); tabs are for pages the
   * test brings to the front (front()) before it clicks or presses keys there.
   */
  async function newPage(url, { window = false } = {}) {
    const { targetId } = await call("Target.createTarget", { url: "about:blank", newWindow: window });
    const { sessionId } = await call("Target.attachToTarget", { targetId, flatten: true });
    const errors = [];
    listeners.add((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === "Runtime.exceptionThrown") errors.push(m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text);
      if (m.method === "Runtime.consoleAPICalled" && m.params.type === "error") errors.push(m.params.args.map((a) => a.value ?? a.description).join(" "));
    });
    const send = (method, params) => call(method, params, sessionId);
    await send("Runtime.enable");
    await send("Page.enable");
    await send("Emulation.setDeviceMetricsOverride", { width: 1000, height: 900, deviceScaleFactor: 1, mobile: false });
    await send("Page.navigate", { url });
    const page = {
      errors,
      send,
      async eval(expression) {
        const r = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
        if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
        return r.result.value;
      },
      async waitFor(expression, { timeoutMs = 10000, what = expression } = {}) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const v = await page.eval(expression).catch(() => undefined);
          if (v) return v;
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}; page errors: ${errors.join(" | ")}`);
          await sleep(50);
        }
      },
      /** A real mouse click at the centre of the element `selector` (scrolled into view). */
      async click(selector) {
        const box = await page.eval(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return null;
          e.scrollIntoView({ block: "center" }); const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
        if (!box) throw new Error(`no element ${selector}`);
        for (const type of ["mouseMoved", "mousePressed", "mouseReleased"])
          await send("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", clickCount: 1 });
      },
      async key(key, down) {
        await send("Input.dispatchKeyEvent", { type: down ? "keyDown" : "keyUp", key, code: key, windowsVirtualKeyCode: KEYS[key] ?? 0 });
      },
      async screenshot(file) {
        await send("Page.bringToFront");
        const { data } = await send("Page.captureScreenshot", { format: "png" });
        writeFileSync(file, Buffer.from(data, "base64"));
      },
      async front() {
        await send("Page.bringToFront");
      },
    };
    return page;
  }

  return {
    newPage,
    async close() {
      cdp.terminate();
      proc.kill("SIGKILL");
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once("exit", r)));
      await sleep(300); // its helper processes end after it
      try {
        rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {}
    },
  };
}
