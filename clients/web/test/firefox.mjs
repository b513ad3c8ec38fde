// Headless Firefox ($FIREFOX or /usr/bin/firefox-esr, Debian's firefox-esr) driven through
// WebDriver BiDi by puppeteer-core (pinned in ../package.json; it never downloads a browser).
// Its pages have the interface of cdp.mjs's (eval, waitFor, click, key, screenshot, front,
// errors), so test/page.mjs works on both, and type and select. Clicks, keys and typing are
// WebDriver input actions (real events, isTrusted), dispatched by Firefox itself.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { web } from "./host.mjs";

export const firefox = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
const require = createRequire(join(web, "package.json"));

/** Why the Firefox tests cannot run (no browser), or false. */
export function firefoxMissing() {
  return existsSync(firefox) ? false : `no ${firefox} (install Debian's firefox-esr, or set $FIREFOX)`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the browser; fails (not skips) without puppeteer-core, which test.sh installs. */
export async function launchFirefox() {
  let entry;
  try {
    entry = require.resolve("puppeteer-core");
  } catch {
    throw new Error("no puppeteer-core in clients/web/node_modules: run clients/web/test.sh, or npm --prefix clients/web ci");
  }
  const { default: puppeteer } = await import(entry);
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: firefox,
    headless: true,
    defaultViewport: { width: 1000, height: 900 },
    extraPrefsFirefox: {
      // nothing fetched from anywhere but the test host
      "app.normandy.enabled": false,
      "browser.region.network.url": "",
      "messaging-system.rsexperimentloader.enabled": false,
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
      "services.settings.server": "http://127.0.0.1:9/",
    },
  });

  async function newPage(url) {
    const p = await browser.newPage();
    const errors = [];
    p.on("pageerror", (e) => errors.push(e.message ?? String(e)));
    p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await p.goto(url);
    const page = {
      errors,
      puppeteer: p,
      browserVersion: () => browser.version(),
      /** The value of a JavaScript expression (awaited), as JSON gives it. */
      async eval(expression) {
        return p.evaluate(`(async () => (${expression}))()`);
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
      /** A mouse click at the centre of `selector` (scrolled into view), as WebDriver input. */
      async click(selector) {
        await p.click(selector);
      },
      async key(key, down) {
        await (down ? p.keyboard.down(key) : p.keyboard.up(key));
      },
      /** Clicks `selector` and types `text` into it, key by key. */
      async type(selector, text) {
        await p.click(selector);
        await p.keyboard.type(text);
      },
      /** Chooses `value` in the <select> `selector` (input and change events, as a user's choice). */
      async select(selector, value) {
        await p.select(selector, value);
      },
      async screenshot(file) {
        await p.bringToFront();
        await p.screenshot({ path: file });
      },
      async front() {
        await p.bringToFront();
      },
    };
    return page;
  }

  return {
    newPage,
    version: () => browser.version(),
    close: () => browser.close(),
  };
}
