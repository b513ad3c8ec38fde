// The demo page and the operator console in headless Firefox (Debian's firefox-esr, WebDriver
// BiDi through puppeteer-core, test/firefox.mjs): a guest logs in and sees the coins, plays a
// whole Dou Dizhu game against two bots (bots.mjs) by clicking to the settled result, walks
// right and down on the battlemap with the arrow keys; the operator console, the admin token
// typed in, lists the plugins and reloads battlemap from its button. Screenshots:
// build/web-artifacts/firefox-*.png. Skipped, with a message, when Firefox is not installed
// or the host is not built (as demo.test.mjs); without puppeteer-core it fails.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { doudizhuBot } from "../bots.mjs";
import { firefoxMissing, launchFirefox } from "./firefox.mjs";
import { ADMIN_TOKEN, hostMissing, repo, startHost } from "./host.mjs";
import { assertConsoleFitsWindow, guest, playDdzToResult, text, visible } from "./page.mjs";

const skip = firefoxMissing() || hostMissing();
if (skip) console.log(`# clients/web Firefox tests skipped: ${skip}`);
const artifacts = join(repo, "build/web-artifacts");
const shot = (page, name) => page.screenshot(join(artifacts, `firefox-${name}.png`));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let host;
let browser;
before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  host = await startHost();
  browser = await launchFirefox();
  console.log(`# ${await browser.version()}`);
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

test("Firefox: a guest sees the coins, plays a whole Dou Dizhu game against two bots by clicking, and walks on the battlemap", { skip, timeout: 180000 }, async () => {
  const page = await browser.newPage(host.page);
  await page.waitFor(visible("screen-login"), { what: "the login screen" });
  await shot(page, "1-login");
  await guest(page);
  const coinsBefore = BigInt(await text(page, "coins"));
  assert.equal(coinsBefore, 1000n);
  assert.match(await text(page, "nickname"), /\S/);
  assert.match(await text(page, "who"), new RegExp(`· ${coinsBefore} coins$`));
  await shot(page, "2-lobby");

  // Dou Dizhu against two bots, to the settled result
  await page.click("#btn-ddz");
  await page.waitFor(`window.demo.ddz.roomId !== 0n`, { what: "the quick match" });
  const bots = [1, 2].map((i) => sleep(i * 150).then(() => doudizhuBot(host.url, { name: `bot-${i}`, games: 1, delay: 30, log: () => {} })));
  await page.waitFor(`document.querySelectorAll('[data-test=card]').length === 17`, { timeoutMs: 15000, what: "the deal" });
  assert.equal(await text(page, "count-prev"), "17");
  assert.equal(await text(page, "count-next"), "17");
  await shot(page, "3-ddz-bidding");
  const seen = await playDdzToResult(page, () => shot(page, "4-ddz-playing"));
  assert.ok(seen.play + seen.pass > 0, "the page played");
  assert.ok(seen.bid + seen.noBid > 0 || (await text(page, "my-role")).includes("farmer"), "the page bid, or the landlord was bid before its turn");
  const change = BigInt(await text(page, "ddz-coins-change"));
  assert.notEqual(change, 0n);
  assert.match(await text(page, "ddz-result"), /^You (won|lost) — .*Coins: [+-]\d+ \(settled\)$/);
  await page.waitFor(`document.getElementById("coins").textContent === "${coinsBefore + change}"`, { what: "the coins refreshed" });
  await shot(page, "5-ddz-result");
  await Promise.all(bots);
  await page.click("#ddz-back");
  await page.waitFor(visible("screen-lobby"), { what: "the lobby" });
  assert.equal(BigInt(await text(page, "coins")), coinsBefore + change);

  // the battlemap: the canvas is drawn, the arrow keys walk right, then down (+y), no move is refused
  await page.click("#btn-map");
  await page.waitFor(`!!window.demo.map.entered`, { what: "the map" });
  await page.waitFor(`(() => { const cv = document.getElementById("map-canvas"); const d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
    for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) return true; return false; })()`, { what: "the map drawn" });
  await page.front();
  // the position line under the map ("x, y") follows the walk
  const shown = async () => (await text(page, "map-pos")).split(", ").map(Number);
  const [x0, y0] = await shown();
  await page.eval(`(() => { window.__trusted = []; window.addEventListener("keydown", (e) => window.__trusted.push(e.isTrusted)); return true; })()`);
  for (const [key, axis] of [["ArrowRight", "x"], ["ArrowDown", "y"]]) {
    const from = await page.eval(`window.demo.map.${axis}`);
    await page.key(key, true);
    await page.waitFor(`window.demo.map.${axis} > ${from + 5}`, { what: `the walk with ${key}` });
    await page.key(key, false);
  }
  await sleep(200);
  assert.deepEqual(await page.eval("[...new Set(window.__trusted)]"), [true], "the keys came as the browser's own (trusted) events");
  const [x1, y1] = await shown();
  assert.ok(x1 > x0 + 5 && y1 > y0 + 5, `the position line shows the walk right and down: ${x0}, ${y0} -> ${x1}, ${y1}`);
  assert.equal(await page.eval("document.body.dataset.corrected ?? '0'"), "0", "no move was refused");
  await shot(page, "6-battlemap");
  await page.click("#map-back");
  await page.waitFor(visible("screen-lobby"), { what: "the lobby" });
  assert.deepEqual(page.errors, []);
});

test("Firefox: the operator console lists the plugins and reloads one from its button", { skip, timeout: 60000 }, async () => {
  const ops = await browser.newPage(host.console);
  await ops.waitFor(`!document.getElementById("token-panel").hidden`, { what: "the token form" });
  await ops.type("#token-input", ADMIN_TOKEN);
  await ops.click("#token-submit");
  await ops.waitFor(`!!document.getElementById("plugin-row-battlemap") && !!document.getElementById("plugin-row-card")`, { what: "the plugin rows" });
  const listed = await ops.eval(`[...document.querySelectorAll("[data-test=plugin-row]")].map((r) => r.dataset.plugin).sort().join(",")`);
  assert.equal(listed, "auth,battlemap,card,racemap,room,user");
  const cells = await ops.eval(`[...document.querySelectorAll("[data-test=plugin-row]")].map((r) =>
    [r.querySelector("[data-field=version]").textContent, r.querySelector("[data-field=state]").textContent].join(" ")).join(",")`);
  assert.match(cells, /^(\d+\.\d+\.\d+ running,){5}\d+\.\d+\.\d+ running$/, "each row shows its version and running");
  await ops.waitFor(`Number(document.body.dataset.polls) >= 2`, { what: "two polls" });
  await shot(ops, "7-console");
  await assertConsoleFitsWindow(ops);
  await ops.select("#reload-strategy-battlemap", "handover");
  await ops.click("#reload-button-battlemap");
  await ops.waitFor(`document.getElementById("reload-outcome-battlemap").dataset.outcome === "ok"`, { timeoutMs: 20000, what: "the reload's outcome" });
  assert.match(await text(ops, "reload-outcome-battlemap"), /reloaded/);
  await shot(ops, "8-console-after-reload");
  assert.deepEqual(ops.errors, []);
});
