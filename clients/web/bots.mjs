#!/usr/bin/env node
// TEST-ONLY bot players for the demo page: N guest accounts that quick-match into Dou Dizhu
// (or a race) and play, so one browser tab has opponents. Not a product: the play is the
// simplest legal one (bid 1 when nobody has bid, else no bid; lead the lowest single;
// follow a single with the lowest higher single, else pass; when the server refuses an
// action, fall back to the other one), and nothing is hardened.
//
//   node clients/web/bots.mjs [--url ws://127.0.0.1:7001/] [--count 2] [--game doudizhu|race]
//                             [--games 0] [--delay 400] [--speed 25] [--quiet]
//
// --games N: stop after N games each (0 = go on until Ctrl-C); --delay: ms before each
// Dou Dizhu action; --speed: race units per second between checkpoints. Needs clients/js
// built (npm --prefix clients/js run build) and its node_modules (the ws package).
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../js/package.json"));
const { WebSocket } = require("ws");
const { GameHostClient, card } = await import(join(here, "../js/dist/index.js"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rank = (id) => (id < 52 ? id >> 2 : id - 52 + 13); // 3 = 0 ... 2 = 12, jokers 13, 14

/** One Dou Dizhu bot; resolves after `games` games (0: never). */
export async function doudizhuBot(url, { name = "bot", games = 0, delay = 400, log = console.log } = {}) {
  const c = await GameHostClient.connect(url, { WebSocket });
  await c.auth.guest(`bot-${randomBytes(16).toString("hex")}`);
  await c.user.updateProfile({ nickname: name }).catch(() => {});
  const say = (...a) => log(`[${name}]`, ...a);
  let view = null; // the GameView, kept up to date by the events
  let version = 0; // +1 per event: an action is taken once per state
  let actedAt = -1;
  let played = 0;
  let done;
  const finished = new Promise((r) => (done = r));

  async function act() {
    const v = view;
    if (v.phase === card.Phase.BIDDING) {
      const amount = v.bid === 0 ? 1 : 0;
      try {
        await c.card.bid(amount);
      } catch (err) {
        say("bid refused:", err.codeName, "- no bid instead");
        await c.card.bid(0).catch(() => {});
      }
      return;
    }
    const hand = [...v.hand].sort((a, b) => a - b);
    let choice = [];
    if (!v.lastPlay) choice = [hand[0]];
    else if (v.lastPlay.type === card.ComboType.SINGLE) {
      const beat = hand.find((x) => rank(x) > rank(v.lastPlay.cards[0]));
      if (beat !== undefined) choice = [beat];
    }
    try {
      await c.card.play(choice);
    } catch (err) {
      // the server's refusal says what to do instead: must lead -> the lowest single; else pass
      say(choice.length ? "play" : "pass", "refused:", err.codeName);
      if (choice.length) await c.card.pass().catch(() => c.card.play([hand[0]]).catch(() => {}));
      else await c.card.play([hand[0]]).catch(() => {});
    }
  }
  function maybeAct() {
    const v = view;
    if (!v || v.phase === card.Phase.FINISHED || v.turn !== v.seat || actedAt === version) return;
    actedAt = version;
    const at = version;
    setTimeout(() => view && at === version && act().catch((e) => say("error", e.message)), delay);
  }
  c.on("card.dealt", (v) => {
    view = v;
    version++;
    say(`dealt, seat ${v.seat}`);
    maybeAct();
  });
  c.on("card.event", (e) => {
    const v = view;
    if (!v || e.gameId !== v.gameId) return;
    const K = card.GameEvent_Kind;
    version++;
    v.turn = e.turn;
    v.cardCounts = e.cardCounts;
    if (e.kind === K.BID) v.bid = e.bid;
    if (e.kind === K.PLAY) {
      v.lastPlay = { seat: e.seat, cards: e.cards, type: e.type };
      if (e.seat === v.seat) v.hand = v.hand.filter((x) => !e.cards.includes(x));
    }
    if (e.kind === K.LANDLORD) {
      v.landlord = e.seat;
      v.phase = card.Phase.PLAYING;
      v.lastPlay = undefined;
      if (e.seat === v.seat) v.hand = [...v.hand, ...e.cards];
    }
    if (v.lastPlay && v.turn === v.lastPlay.seat) v.lastPlay = undefined; // two passes: it leads
    if (e.kind === K.FINISHED) v.phase = card.Phase.FINISHED;
    if (e.kind === K.SETTLED) {
      say(`game over: ${e.result.landlordWon ? "landlord" : "farmers"} won, my coins ${e.result.coins[v.seat]}`);
      view = null;
      played++;
      if (games && played >= games) done();
      else c.room.ready().catch((err) => say("ready refused:", err.codeName));
      return;
    }
    maybeAct();
  });
  const room = await c.room.quickJoin("doudizhu");
  say(`in room ${room.roomId} (${room.members.length}/${room.seats})`);
  await c.room.ready();
  await finished;
  await c.room.leave().catch(() => {});
  c.close();
}

/** One race bot: drives from checkpoint to checkpoint at `speed`; resolves after `games` races (0: never). */
export async function raceBot(url, { name = "bot", games = 0, speed = 25, log = console.log } = {}) {
  const c = await GameHostClient.connect(url, { WebSocket });
  await c.auth.guest(`bot-${randomBytes(16).toString("hex")}`);
  await c.user.updateProfile({ nickname: name }).catch(() => {});
  const say = (...a) => log(`[${name}]`, ...a);
  const room = await c.room.quickJoin("race");
  say(`in race room ${room.roomId}`);
  for (let played = 0; !games || played < games; played++) {
    const viewP = c.waitFor("racemap.view", { timeoutMs: 24 * 3600e3 });
    await c.room.ready();
    const { track } = await viewP;
    await c.waitFor("racemap.go", { timeoutMs: Number(track.countdownMs) + 10000 });
    const result = c.waitFor("racemap.result", { timeoutMs: Number(track.timeLimitMs) + 10000 }).catch(() => {});
    const cps = track.checkpoints;
    let prev = cps[cps.length - 1].at;
    try {
      for (let lap = 1; lap <= track.laps; lap++) {
        for (let i = 0; i < cps.length; i++) {
          const d = Math.hypot(cps[i].at.x - prev.x, cps[i].at.y - prev.y);
          await sleep(Math.max(Number(cps[i].minMs) + 30, (d / speed) * 1000));
          c.racemap.reportPosition(cps[i].at);
          await c.racemap.pass(i, cps[i].at);
          prev = cps[i].at;
        }
      }
      say("finished");
    } catch (err) {
      say("race:", err.codeName ?? err.message);
    }
    await result;
  }
  await c.room.leave().catch(() => {});
  c.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "ws://127.0.0.1:7001/" },
      count: { type: "string", default: "2" },
      game: { type: "string", default: "doudizhu" },
      games: { type: "string", default: "0" },
      delay: { type: "string", default: "400" },
      speed: { type: "string", default: "25" },
      quiet: { type: "boolean", default: false },
    },
  });
  const log = values.quiet ? () => {} : console.log;
  const bots = [];
  for (let i = 1; i <= Number(values.count); i++) {
    const opts = { name: `bot-${i}`, games: Number(values.games), delay: Number(values.delay), speed: Number(values.speed), log };
    bots.push((values.game === "race" ? raceBot : doudizhuBot)(values.url, opts));
    await sleep(100); // one after the other into the same room
  }
  await Promise.all(bots);
  process.exit(0);
}
