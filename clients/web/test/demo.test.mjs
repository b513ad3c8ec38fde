// The demo page as served by the host (web_root = clients/web), in headless Chromium through
// the DevTools protocol: a guest plays a whole Dou Dizhu game against two bots (bots.mjs) by
// clicking, two pages see each other on the battlemap, and a page drives a race against a
// race bot with the arrow keys. Screenshots of each screen go to build/web-artifacts/.
// Skipped when Chromium, build/bin/gamehost or a plugin is missing.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { doudizhuBot, raceBot } from "../bots.mjs";
import { chromiumMissing, launch, sleep } from "./cdp.mjs";
import { startRelay } from "./cut.mjs";
import { ADMIN_TOKEN, hostMissing, repo, startHost } from "./host.mjs";
import { assertConsoleFitsWindow, ddzState, ddzStep, guest, playDdzToResult, text, visible } from "./page.mjs";

const skip = chromiumMissing() || hostMissing();
if (skip) console.log(`# clients/web demo tests skipped: ${skip}`);
const artifacts = join(repo, "build/web-artifacts");
const shot = (page, name) => page.screenshot(join(artifacts, `${name}.png`));

let host;
let browser;
before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  host = await startHost();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await host?.stop();
});


test("a guest plays a whole Dou Dizhu game against two bots by clicking, and sees the coin change", { skip, timeout: 180000 }, async () => {
  const page = await browser.newPage(host.page);
  await page.waitFor(visible("screen-login"));
  await shot(page, "1-login");
  await guest(page);
  const coinsBefore = BigInt(await text(page, "coins"));
  assert.equal(coinsBefore, 1000n);
  assert.match(await text(page, "nickname"), /\S/);
  assert.equal(await text(page, "level"), "1");
  await shot(page, "2-lobby");

  await page.click("#btn-ddz");
  await page.waitFor(`window.demo.ddz.roomId !== 0n`, { what: "the quick match" });
  const log = () => {};
  const bots = [1, 2].map((i) => sleep(i * 150).then(() => doudizhuBot(host.url, { name: `bot-${i}`, games: 1, delay: 30, log })));
  await page.waitFor(`document.querySelectorAll('[data-test=card]').length === 17`, { timeoutMs: 15000, what: "the deal" });
  assert.equal(await text(page, "count-prev"), "17");
  assert.equal(await text(page, "count-next"), "17");
  await shot(page, "3-ddz-bidding");

  // Play by clicking what the page offers (ddzStep: bid 3 when it may, so the page is the
  // landlord when it bids first, else no bid; follow a single with the lowest higher one, else
  // Pass; lead the lowest card), until the result shows the coin change.
  const seen = await playDdzToResult(page, () => shot(page, "4-ddz-playing"));
  assert.ok(seen.play + seen.pass > 0, "the page played");
  const change = BigInt(await text(page, "ddz-coins-change"));
  assert.notEqual(change, 0n);
  assert.match(await text(page, "ddz-result"), /You (won|lost)/);
  await page.waitFor(`document.getElementById("coins").textContent === "${coinsBefore + change}"`, { what: "the coins refreshed" });
  await shot(page, "5-ddz-result");
  await Promise.all(bots);
  await page.click("#ddz-back");
  await page.waitFor(visible("screen-lobby"));
  assert.equal(BigInt(await text(page, "coins")), coinsBefore + change);
  assert.deepEqual(page.errors, []);
});

/** Three guests, each in a window of its own, quick-match into one Dou Dizhu room and are dealt. */
async function threeAtATable(urls) {
  const pages = [];
  for (const url of urls) pages.push(await browser.newPage(url, { window: true }));
  for (const p of pages) await guest(p);
  const users = await Promise.all(pages.map((p) => p.eval("String(window.demo.client.userId)")));
  assert.equal(new Set(users).size, 3, "three tabs are three guests");
  const coins = [];
  for (const p of pages) coins.push(BigInt(await text(p, "coins")));
  for (const p of pages) {
    await p.click("#btn-ddz");
    await p.waitFor(`window.demo.ddz.roomId !== 0n`, { what: "the quick match" });
  }
  const rooms = await Promise.all(pages.map((p) => p.eval("String(window.demo.ddz.roomId)")));
  assert.equal(new Set(rooms).size, 1, `the three are in one room (${rooms})`);
  for (const p of pages)
    await p.waitFor(
      `document.querySelectorAll('[data-test=card]').length === 17 && document.getElementById("count-prev").textContent === "17" && document.getElementById("count-next").textContent === "17"`,
      { timeoutMs: 15000, what: "the deal" },
    );
  return { pages, coins };
}

/**
 * Plays the table by clicking on the page whose turn it is (ddzStep), one action at a time,
 * until every page shows the settled result, or `stop()` says so. `players` are the indexes
 * of the pages that play (the others are left alone); counts the actions in `seen`.
 */
async function playTable(pages, seen, { players = [0, 1, 2], stop = async () => false, timeoutMs = 120000 } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const errors = pages.flatMap((p) => p.errors);
    assert.ok(Date.now() < end, `the game did not end; page errors: ${errors.join(" | ")}`);
    const states = await Promise.all(players.map((i) => ddzState(pages[i])));
    if (states.every((s) => s.done) || (await stop())) return;
    let acted = false;
    for (const [k, i] of players.entries()) {
      const did = await ddzStep(pages[i], states[k]);
      if (!did) continue;
      seen[i][did]++;
      acted = true;
      break;
    }
    if (!acted) await sleep(50);
  }
}

const newSeen = () => [0, 1, 2].map(() => ({ bid: 0, noBid: 0, play: 0, pass: 0 }));

/** Every page shows the settled result with its coin change; they sum to zero; the lobbies show the new coins. */
async function assertSettled(pages, coinsBefore, name) {
  const changes = [];
  const landlord = [];
  for (const [i, p] of pages.entries()) {
    assert.ok(await p.eval(visible("ddz-result")), `page ${i} shows the result`);
    const result = await text(p, "ddz-result");
    assert.match(result, /^You (won|lost) — .* emptied the hand; the (landlord|farmers) won, score \d+.*Coins: [+-]\d+ \(settled\)$/);
    const change = BigInt(await text(p, "ddz-coins-change"));
    assert.notEqual(change, 0n);
    assert.equal(result.startsWith("You won"), change > 0n, `page ${i}: the outcome and the sign of the coin change agree`);
    changes.push(change);
    landlord.push((await text(p, "my-role")).includes("landlord"));
    await shot(p, `${name}-${i + 1}`);
  }
  assert.equal(landlord.filter(Boolean).length, 1, "one landlord");
  assert.equal(changes.reduce((a, b) => a + b, 0n), 0n, `the coin changes ${changes} sum to zero`);
  const l = landlord.indexOf(true);
  assert.ok(changes.every((c, i) => i === l || Math.sign(Number(c)) === -Math.sign(Number(changes[l]))), "the farmers win or lose together, against the landlord");
  for (const [i, p] of pages.entries()) {
    await p.waitFor(`document.getElementById("coins").textContent === "${coinsBefore[i] + changes[i]}"`, { what: `page ${i}'s coins refreshed` });
    await p.click("#ddz-back");
    await p.waitFor(visible("screen-lobby"), { what: "the lobby" });
    assert.equal(BigInt(await text(p, "coins")), coinsBefore[i] + changes[i]);
  }
  return changes;
}

test("three pages, each a guest in its own window, quick-match into one room and play a whole game by clicking; the coin changes sum to zero", { skip, timeout: 180000 }, async () => {
  const { pages, coins } = await threeAtATable([host.page, host.page, host.page]);
  const seen = newSeen();
  await playTable(pages, seen);
  console.log("# the pages' actions:", JSON.stringify(seen));
  assert.ok(seen.every((a) => a.play + a.pass > 0), "every page played");
  assert.equal(seen.reduce((n, a) => n + a.bid, 0), 1, "one bid of 3 made the landlord");
  const changes = await assertSettled(pages, coins, "12-ddz-three-pages");
  console.log("# coin changes:", changes.join(" "));
  assert.deepEqual(pages.flatMap((p) => p.errors), []);
});

test("the connection of one of three pages is cut mid-game: the server plays for it, the page reconnects, resumes the game and plays it to the end", { skip, timeout: 180000 }, async () => {
  const relay = await startRelay(host.port);
  try {
    const viaRelay = `${host.page}?ws=${encodeURIComponent(relay.url)}`;
    const { pages, coins } = await threeAtATable([host.page, host.page, viaRelay]);
    const [a, b, cut] = pages;
    const seen = newSeen();
    // a few plays first, then the cut
    await playTable(pages, seen, { stop: async () => seen.reduce((n, x) => n + x.play, 0) >= 2 });
    const seat = await cut.eval("window.demo.ddz.view.seat");
    const oppA = `document.querySelector('#screen-ddz .opp[data-seat="${seat}"]')`;
    const autoLines = (p) => p.eval(`[...document.getElementById("ddz-log").children].filter((li) => li.textContent.endsWith("(auto)")).length`);
    const autoBefore = await autoLines(a);
    await cut.eval(`(() => { window.__banners = []; const b = document.getElementById("banner");
      new MutationObserver(() => window.__banners.push(b.hidden ? "(hidden)" : b.textContent)).observe(b, { attributes: true, childList: true, characterData: true, subtree: true });
      return true; })()`);
    relay.cut();
    await cut.waitFor(`window.__banners.some((t) => t.startsWith("reconnecting")) && window.demo.client.state !== "open"`, { what: "the reconnecting banner" });
    await shot(cut, "13-ddz-cut-reconnecting");
    // the others see the server put the cut seat in auto-play, and play on; the server plays
    // for it when its turn comes
    await a.waitFor(`${oppA}.querySelector(".role").textContent.includes("[auto]")`, { what: "the cut seat in auto-play" });
    await playTable(pages, seen, { players: [0, 1], stop: async () => (await autoLines(a)) > autoBefore });
    assert.ok(await cut.eval(`document.getElementById("banner").textContent.startsWith("reconnecting")`), "still cut");
    const cutCount = Number(await a.eval(`${oppA}.querySelector(".count").textContent`));
    assert.ok(relay.counts().refused >= 1, "the page tried to reconnect while cut");

    relay.unblock();
    await cut.waitFor(`document.getElementById("banner").hidden && window.demo.client.state === "open"`, { timeoutMs: 15000, what: "the page reconnected" });
    // the page shows the game as it is now: its hand as the others count it, out of auto-play
    await cut.waitFor(`document.querySelectorAll('[data-test=card]').length === ${cutCount}`, { what: `the hand of ${cutCount} cards` });
    await cut.waitFor(`[...document.getElementById("ddz-log").children].some((li) => li.textContent === "you: auto-play off")`, { what: "auto-play off" });
    await a.waitFor(`!${oppA}.querySelector(".role").textContent.includes("[auto]")`, { what: "the seat out of auto-play" });
    assert.equal(await cut.eval(`document.getElementById("auto-play").checked`), false);
    assert.equal(await text(cut, "count-me"), String(cutCount));
    await shot(cut, "14-ddz-resumed");

    const before = { ...seen[2] };
    await playTable(pages, seen);
    console.log("# the pages' actions:", JSON.stringify(seen));
    assert.ok(seen[2].play + seen[2].pass > before.play + before.pass, "the page played after it was back");
    const changes = await assertSettled(pages, coins, "15-ddz-after-cut");
    console.log("# coin changes:", changes.join(" "));
    assert.deepEqual(pages.flatMap((p) => p.errors), []);
  } finally {
    await relay.close();
  }
});

test("two pages on the battlemap see each other appear, move and disappear", { skip, timeout: 60000 }, async () => {
  const a = await browser.newPage(host.page, { window: true });
  const b = await browser.newPage(host.page, { window: true });
  await guest(a);
  await guest(b);
  const idA = await a.eval("String(window.demo.client.userId)");
  const idB = await b.eval("String(window.demo.client.userId)");
  assert.notEqual(idA, idB, "two tabs are two guests");
  await a.click("#btn-map");
  await a.waitFor(`!!window.demo.map.entered`, { what: "A on the map" });
  await b.click("#btn-map");
  await a.waitFor(`!!document.querySelector('[data-test=map-player][data-user="${idB}"]')`, { what: "A sees B" });
  await b.waitFor(`!!document.querySelector('[data-test=map-player][data-user="${idA}"]')`, { what: "B sees A" });
  // B walks right with the arrow key; A sees it move
  await b.front();
  const before = await b.eval("window.demo.map.x");
  const seenBefore = await a.eval(`[...window.demo.map.known.values()].find((e) => String(e.userId) === "${idB}").x`);
  await b.key("ArrowRight", true);
  await sleep(1200);
  await b.key("ArrowRight", false);
  const after = await b.eval("window.demo.map.x");
  assert.ok(after > before + 5, `B moved right (${before} -> ${after})`);
  await a.waitFor(`[...window.demo.map.known.values()].find((e) => String(e.userId) === "${idB}").x > ${seenBefore + 5}`, { what: "A sees B's move" });
  assert.equal(await b.eval("document.body.dataset.corrected ?? '0'"), "0", "no move was refused");
  await a.front();
  await sleep(500); // the appear animation
  await shot(a, "6-battlemap");
  // B leaves: A sees it disappear
  await b.click("#map-back");
  await a.waitFor(`!document.querySelector('[data-test=map-player][data-user="${idB}"]')`, { what: "B gone from A's view" });
  await a.click("#map-back");
  await a.waitFor(visible("screen-lobby"));
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test("the operator console lists the plugins and reloads battlemap while a page walks on it", { skip, timeout: 60000 }, async () => {
  const player = await browser.newPage(host.page, { window: true });
  await guest(player);
  await player.click("#btn-map");
  await player.waitFor(`!!window.demo.map.entered`, { what: "the player on the map" });
  // what a refused move says, for the failure message (the page only counts them)
  await player.eval(`(() => { window.__corrections = []; window.demo.client.on("battlemap.correction", (k) =>
    window.__corrections.push({ atMs: Math.round(performance.now()), code: k.code, x: k.x, y: k.y, clientTimeMs: String(k.clientTimeMs) })); return true; })()`);

  const ops = await browser.newPage(host.console, { window: true });
  await ops.waitFor(`!document.getElementById("token-panel").hidden`, { what: "the token form" });
  await ops.eval(`document.getElementById("token-input").value = ${JSON.stringify(ADMIN_TOKEN)}`);
  await ops.click("#token-submit");
  await ops.waitFor(`!!document.getElementById("plugin-row-battlemap") && !!document.getElementById("plugin-row-card")`, { what: "the plugin rows" });
  const listed = await ops.eval(`[...document.querySelectorAll("[data-test=plugin-row]")].map((r) => r.dataset.plugin).sort().join(",")`);
  assert.equal(listed, "auth,battlemap,card,racemap,room,user");
  await ops.waitFor(`Number(document.body.dataset.polls) >= 2`, { what: "two polls" });
  await shot(ops, "10-console");
  await assertConsoleFitsWindow(ops);

  // The player walks while the operator reloads battlemap (handover): the page plays on.
  await player.front();
  await player.key("ArrowRight", true);
  await ops.eval(`(() => { const s = document.getElementById("reload-strategy-battlemap"); s.value = "handover"; s.dispatchEvent(new Event("change")); })()`);
  const reloadFrom = await player.eval("Math.round(performance.now())");
  await ops.click("#reload-button-battlemap");
  await ops.waitFor(`document.getElementById("reload-outcome-battlemap").dataset.outcome === "ok"`, { timeoutMs: 20000, what: "the reload's outcome" });
  const reloadTo = await player.eval("Math.round(performance.now())");
  assert.match(await text(ops, "reload-outcome-battlemap"), /reloaded/);
  const x = await player.eval("window.demo.map.x");
  await sleep(800);
  await player.key("ArrowRight", false);
  assert.ok((await player.eval("window.demo.map.x")) > x + 2, "the player still moves after the reload");
  const corrections = await player.eval("JSON.stringify(window.__corrections)");
  assert.equal(await player.eval("document.body.dataset.corrected ?? '0'"), "0", `no move was refused: ${corrections}, the reload between ${reloadFrom} and ${reloadTo} ms of the page's clock`);
  await shot(ops, "11-console-after-reload");
  await player.click("#map-back");
  assert.deepEqual([...player.errors, ...ops.errors], []);
});

test("a page drives a race with the arrow keys against a race bot to the result", { skip, timeout: 90000 }, async () => {
  const page = await browser.newPage(host.page);
  await guest(page);
  await page.front();
  await page.click("#btn-race");
  await page.waitFor(`window.demo.race.roomId !== 0n`, { what: "the race room" });
  const bot = raceBot(host.url, { name: "racer-bot", games: 1, speed: 15, log: () => {} });
  await page.waitFor(`document.body.dataset.racePhase === "countdown"`, { timeoutMs: 15000, what: "the countdown" });
  await shot(page, "7-race-countdown");
  await page.waitFor(`document.body.dataset.racePhase === "racing"`, { what: "the go" });
  // steer toward the next checkpoint with the arrow keys (up is +y on the track)
  const held = new Set();
  const hold = async (key, on) => {
    if (on === held.has(key)) return;
    on ? held.add(key) : held.delete(key);
    await page.key(key, on);
  };
  let racingShot = false;
  const end = Date.now() + 60000;
  for (;;) {
    assert.ok(Date.now() < end, `the race did not end; page errors: ${page.errors.join(" | ")}`);
    const s = await page.eval(`(() => { const r = window.demo.race; const cp = r.track.checkpoints[r.next];
      return { phase: r.phase, finished: r.finished, x: r.x, y: r.y, cx: cp.at.x, cy: cp.at.y, rad: cp.radius, next: r.next }; })()`);
    if (s.phase === "over") break;
    const dx = s.finished ? 0 : s.cx - s.x;
    const dy = s.finished ? 0 : s.cy - s.y;
    const near = s.rad / 3;
    await hold("ArrowRight", dx > near);
    await hold("ArrowLeft", dx < -near);
    await hold("ArrowUp", dy > near);
    await hold("ArrowDown", dy < -near);
    if (!racingShot && s.next === 1) {
      racingShot = true;
      await shot(page, "8-race-racing");
    }
    await sleep(30);
  }
  for (const k of [...held]) await hold(k, false);
  await page.waitFor(visible("race-result"), { what: "the result" });
  assert.match(await text(page, "race-result"), /Place [12] of 2/);
  assert.equal(await page.eval("document.querySelectorAll('[data-test=race-standing]').length"), 2);
  await shot(page, "9-race-result");
  await bot;
  assert.deepEqual(page.errors, []);
});

test("a dropped connection shows the reconnecting banner until the library is back", { skip, timeout: 30000 }, async () => {
  const page = await browser.newPage(host.page);
  await guest(page);
  const userId = await page.eval("String(window.demo.client.userId)");
  await page.eval(`(() => { window.__banners = []; const b = document.getElementById("banner");
    new MutationObserver(() => window.__banners.push(b.hidden ? "(hidden)" : b.textContent)).observe(b, { attributes: true, childList: true, characterData: true, subtree: true });
    window.demo.client.socket.close(); return true; })()`);
  await page.waitFor(`window.__banners.some((t) => t.startsWith("reconnecting"))`, { what: "the banner" });
  await page.waitFor(`document.getElementById("banner").hidden && window.demo.client.state === "open"`, { what: "the banner gone" });
  assert.equal(await page.eval("String(window.demo.client.userId)"), userId);
  assert.ok(await page.eval(visible("screen-lobby")));
  assert.deepEqual(page.errors, []);
});

test("register, log out, log in again with the password", { skip, timeout: 30000 }, async () => {
  const page = await browser.newPage(host.page);
  await page.waitFor(`${visible("screen-login")} && window.demo?.client?.state === "open"`, { what: "the login screen" });
  const name = `web_${Date.now() % 1e8}`;
  const fill = () => page.eval(`(() => { document.getElementById("username").value = "${name}"; document.getElementById("password").value = "secret123pw"; return true; })()`);
  await fill();
  await page.click("#btn-register");
  await page.waitFor(`${visible("screen-lobby")} && document.getElementById("coins").textContent !== ""`, { what: "the lobby after register" });
  const userId = await page.eval("String(window.demo.client.userId)");
  await page.click("#logout");
  await page.waitFor(visible("screen-login"));
  await fill();
  await page.click("#btn-login");
  await page.waitFor(`${visible("screen-lobby")} && document.getElementById("coins").textContent !== ""`, { what: "the lobby after login" });
  assert.equal(await page.eval("String(window.demo.client.userId)"), userId);
  await page.eval(`(() => { document.getElementById("password").value = ""; return true; })()`);
  assert.deepEqual(page.errors, []);
});
