// The client against the real server: build/bin/gamehost with auth, user, room, card,
// battlemap and racemap on SQLite in a temporary directory. Skipped when the binary (or a
// plugin) has not been built.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";

import { GameHostClient, GameHostError, card, racemap, user } from "../dist/index.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const build = process.env.GAMEHOST_BUILD_DIR ?? join(repo, "build");
const bin = join(build, "bin/gamehost");
const pluginDir = join(build, "lib/gamehost/plugins");
const plugins = ["auth", "user", "room", "card", "battlemap", "racemap"];
const missing = [bin, ...plugins.map((p) => join(pluginDir, `${p}.so`))].filter((f) => !existsSync(f));
const skip = missing.length ? `not built: ${missing.join(", ")}` : false;

let work;
let server;
let url;
const clients = [];

async function startHost() {
  work = mkdtempSync(join(tmpdir(), "gamehost-client-test-"));
  const config = join(work, "gamehost.toml");
  writeFileSync(
    config,
    `[server]
data_dir = "${work}/data"
[listen]
tcp = "127.0.0.1:0"
websocket = "127.0.0.1:0"
[admin]
listen = ""
[log]
level = "warn"
[storage]
url = ""
migrations_dir = "${repo}/migrations"
[plugins]
dir = "${pluginDir}"
required = true
load = ${JSON.stringify(plugins)}
[plugins.auth]
capabilities = ["bind_user"]
[plugins.auth.settings]
token_secret = "gamehost-client-test-secret-0123456789abcdef"
argon2_ops_limit = 1
argon2_mem_limit_kib = 8
[plugins.user.settings]
starting_coins = 1000
[plugins.room.settings]
games = "doudizhu:3, race:2-8"
[plugins.card.settings]
turn_ms = 60000
[plugins.racemap.settings]
tracks = "dash laps=2 countdown_ms=300 min_gap_ms=40 limit_ms=30000 cp=0,0,5 50,0,5 50,50,5"
tick_ms = 50
`,
  );
  const ready = join(work, "ready");
  server = spawn(bin, ["--config", config, "--ready-file", ready], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr.on("data", (d) => (log += d));
  const end = Date.now() + 20000;
  while (!existsSync(ready)) {
    if (server.exitCode !== null) throw new Error(`gamehost exited ${server.exitCode}: ${log}`);
    if (Date.now() > end) throw new Error(`gamehost not ready after 20 s: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = readFileSync(ready, "utf8").match(/^ws=(\d+)$/m)[1];
  url = `ws://127.0.0.1:${port}/`;
}

async function connect(options = {}) {
  const c = await GameHostClient.connect(url, { WebSocket, requestTimeoutMs: 5000, reconnect: { initialDelayMs: 50 }, ...options });
  clients.push(c);
  return c;
}
const device = () => `test-${randomBytes(16).toString("hex")}`;

before(async () => {
  if (!skip) await startHost();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test("guest login, profile, balance, ledger and a public profile", { skip }, async () => {
  // [client-connect]
  const c = await GameHostClient.connect(url, { WebSocket, requestTimeoutMs: 5000 });
  console.log("session", c.sessionId, "plugins", c.hello.plugins.map((p) => `${p.name} ${p.version}`));
  const login = await c.auth.guest(deviceId);
  const profile = await c.user.profile();
  console.log(`user ${login.userId} is ${profile.nickname} with ${profile.coins} coins`);
  // [/client-connect]
  clients.push(c);
  assert.ok(login.userId > 0n);
  assert.equal(profile.userId, login.userId);
  assert.equal(profile.coins, 1000n);
  assert.equal(login.guest, true);
  assert.deepEqual(c.hello.plugins.map((p) => p.name).sort(), [...plugins].sort());
  const renamed = await c.user.updateProfile({ nickname: "Alice" });
  assert.equal(renamed.nickname, "Alice");
  assert.equal((await c.user.balance()).coins, 1000n);
  // [client-request]
  const balance = await c.request(user.GetBalanceSchema, {}, user.BalanceSchema, { timeoutMs: 2000 });
  // [/client-request]
  assert.equal(balance.coins, 1000n);
  const ledger = await c.user.ledger({ limit: 5 });
  assert.equal(ledger.entries[0].reason, "welcome");
  const other = await connect();
  await other.auth.guest(device());
  assert.equal((await other.user.publicProfile(login.userId)).nickname, "Alice");
  // [client-errors]
  try {
    await c.user.updateProfile({ nickname: "" });
  } catch (err) {
    if (!(err instanceof GameHostError)) throw err;
    console.log(err.code, err.codeName, err.text); // 1185 INVALID_NICKNAME ...
  }
  // [/client-errors]
  await assert.rejects(c.user.updateProfile({ nickname: "" }), (e) => e instanceof GameHostError && e.code === 1185);
});
const deviceId = device();

test("requests before login are refused with NOT_AUTHENTICATED", { skip }, async () => {
  const c = await connect();
  await assert.rejects(c.user.profile(), (e) => e instanceof GameHostError && e.code === 3 && e.codeName === "NOT_AUTHENTICATED");
  await assert.rejects(c.auth.guest("short"), (e) => e instanceof GameHostError && e.codeName === "InvalidDeviceId");
});

test("three players quick-match into a doudizhu room, get dealt, bid and play; one reconnects", { skip }, async () => {
  const players = [];
  for (let i = 0; i < 3; i++) {
    const c = await connect();
    await c.auth.guest(device());
    players.push(c);
  }
  // [client-room]
  const room = await players[0].room.quickJoin("doudizhu"); // quickMatch + confirmSeat
  console.log(`room ${room.roomId}: ${room.members.length} of ${room.seats} seats`);
  // [/client-room]
  for (const c of players.slice(1)) assert.equal((await c.room.quickJoin("doudizhu")).roomId, room.roomId);
  const dealt = players.map((c) => c.waitFor("card.dealt", { timeoutMs: 5000 }));
  const started = players[0].waitFor("room.update", { timeoutMs: 5000, filter: (u) => u.change.case === "gameStarted" });
  for (const c of players) await c.room.ready();
  assert.ok((await started).change.value > 0n);
  const views = await Promise.all(dealt);
  for (const v of views) assert.equal(v.hand.length, 17);
  const seats = new Map(views.map((v, i) => [v.seat, players[i]]));
  const bidder = seats.get(views[0].turn);
  const notOnTurn = seats.get((views[0].turn + 1) % 3);

  await assert.rejects(notOnTurn.card.bid(1), (e) => e instanceof GameHostError && e.codeName === "BidOutOfTurn");
  // [client-card]
  const landlord = players[0].waitFor("card.landlord", { timeoutMs: 5000 });
  await bidder.card.bid(3); // resolves with ActionDone; the GameEvents follow, to everyone
  const event = await landlord;
  console.log(`seat ${event.seat} is the landlord, hole cards ${event.cards}`);
  // [/client-card]
  const lordView = views[players.indexOf(bidder)];
  assert.equal(event.seat, lordView.seat);
  const hand = [...lordView.hand, ...event.cards].sort((a, b) => a - b);
  const played = players[1].waitFor("card.play", { timeoutMs: 5000 });
  await bidder.card.play([hand[0]]);
  const play = await played;
  assert.deepEqual(play.cards, [hand[0]]);
  assert.equal(play.type, card.ComboType.SINGLE);
  assert.equal(play.cardCounts[lordView.seat], 19);

  // The connection of a player who is not on turn drops; it comes back with its token and
  // gets the room and its game unasked (room's and card's reconnect rules).
  const dropper = seats.get((play.turn + 1) % 3);
  const backState = dropper.waitFor("room.state", { timeoutMs: 8000 });
  const backView = dropper.waitFor("card.dealt", { timeoutMs: 8000 });
  const reconnected = dropper.waitFor("reconnected", { timeoutMs: 8000 });
  const oldSession = dropper.sessionId;
  dropper.socket.terminate();
  const info = await reconnected;
  assert.ok(info.login.userId === dropper.userId);
  assert.notEqual(dropper.sessionId, oldSession);
  assert.equal((await backState).roomId, room.roomId);
  const view = await backView;
  assert.equal(view.gameId, views[0].gameId);
  assert.equal(view.landlord, lordView.seat);
  assert.equal((await dropper.card.getGame()).gameId, views[0].gameId);
});

test("battlemap: enter, a refused move is corrected, say", { skip }, async () => {
  const c = await connect();
  await c.auth.guest(device());
  // [client-battlemap]
  const entered = await c.battlemap.enter(""); // "" = the first map
  const correction = c.waitFor("battlemap.correction", { timeoutMs: 5000 });
  const far = entered.x < entered.width / 2 ? entered.x + 100 : entered.x - 100;
  c.battlemap.move(far, entered.y, 0); // too far for one move: refused as a teleport
  const back = await correction;
  console.log(`refused (code ${back.code}); the avatar is at ${back.x}, ${back.y}`);
  // [/client-battlemap]
  assert.equal(back.code, 3084);
  assert.ok(entered.entityId > 0);
  const line = await c.battlemap.say("hello map");
  assert.equal(line.text, "hello map");
  assert.equal(line.userId, c.userId);
  assert.ok((await c.battlemap.leave()).instanceId === entered.instanceId);
});

test("racemap: two racers race the dash track to the result; the leaderboard has them", { skip }, async () => {
  const racers = [];
  for (let i = 0; i < 2; i++) {
    const c = await connect();
    await c.auth.guest(device());
    racers.push(c);
  }
  // [client-racemap]
  const tracks = await racers[0].racemap.tracks();
  const track = tracks.tracks.find((t) => t.name === tracks.defaultTrack);
  const cps = track.checkpoints; // each with its centre (at), radius and least time (minMs)
  // [/client-racemap]
  assert.equal(tracks.defaultTrack, "dash");
  const created = await racers[0].room.create({ gameType: "race", seats: 2 });
  assert.equal((await racers[1].room.join(created.roomId)).members.length, 2);
  const go = racers.map((c) => c.waitFor("racemap.go", { timeoutMs: 5000 }));
  const results = racers.map((c) => c.waitFor("racemap.result", { timeoutMs: 10000 }));
  for (const c of racers) await c.room.ready();
  await Promise.all(go);
  await assert.rejects(racers[0].racemap.pass(1, { x: cps[1].at.x, y: cps[1].at.y }), (e) => e.codeName === "Skipped");
  for (const c of racers) {
    for (let lap = 1; lap <= 2; lap++) {
      for (let i = 0; i < cps.length; i++) {
        await new Promise((r) => setTimeout(r, 45));
        // [client-racemap-pass]
        const ok = await c.racemap.pass(i, { x: cps[i].at.x, y: cps[i].at.y }); // lap 0 = the current lap
        if (ok.finished) console.log(`finished in ${ok.raceMs} ms`);
        // [/client-racemap-pass]
        assert.equal(ok.checkpoint, i);
      }
    }
  }
  const result = await results[0];
  assert.equal(result.reason, racemap.RaceResult_Reason.ALL_FINISHED);
  assert.deepEqual(
    result.standings.map((s) => s.userId),
    racers.map((c) => c.userId),
  );
  await results[1];
  const board = await racers[1].racemap.leaderboard("dash", 10);
  assert.ok(board.yourRank >= 1);
});
