// The client against the in-process fake server (test/fake-server.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";

import {
  ConnectionClosedError,
  GameHostClient,
  GameHostError,
  RequestTimeoutError,
  auth,
  battlemap,
  card,
  room,
  user,
} from "../dist/index.js";
import { startFakeServer } from "./fake-server.js";

/** A fake server and a client connected to it, both closed after the test. */
async function setup(t, clientOptions = {}, serverOptions = {}) {
  const server = await startFakeServer(serverOptions);
  server.handle(auth.GuestLoginRequestSchema, (m, conn) =>
    conn.send(auth.LoginReplySchema, { userId: 7n, token: `token-for-${m.deviceId}`, guest: true }),
  );
  server.handle(auth.TokenLoginRequestSchema, (m, conn) =>
    conn.send(auth.LoginReplySchema, { userId: 7n, token: m.token, guest: true }),
  );
  const client = await GameHostClient.connect(server.url, { WebSocket, ...clientOptions });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

test("connect resolves with the Hello; the session id and intervals are kept", async (t) => {
  const { client } = await setup(t);
  assert.equal(client.state, "open");
  assert.equal(client.hello.hostVersion, "0.0.0-fake");
  assert.equal(client.sessionId, 101n);
  assert.equal(client.hello.heartbeatIntervalMs, 15000);
  assert.equal(client.userId, 0n);
});

test("connect rejects when the server kicks before Hello (server full)", async (t) => {
  const server = await startFakeServer();
  t.after(() => server.close());
  server.admit = () => false;
  await assert.rejects(GameHostClient.connect(server.url, { WebSocket }), (err) => {
    assert.ok(err instanceof ConnectionClosedError);
    assert.match(err.message, /SERVER_FULL/);
    return true;
  });
});

test("a request resolves with its reply; the login's token and user are kept", async (t) => {
  const { server, client } = await setup(t);
  const login = await client.auth.guest("device-0123456789abcdef");
  assert.equal(login.userId, 7n);
  assert.equal(client.userId, 7n);
  assert.equal(client.token, "token-for-device-0123456789abcdef");
  const got = server.receivedOf(auth.GuestLoginRequestSchema)[0];
  assert.equal(got.id, 1004);
  assert.equal(got.message.deviceId, "device-0123456789abcdef");
});

test("an Error frame rejects the request whose message id it names", async (t) => {
  const { server, client } = await setup(t);
  server.handle(room.JoinRoomSchema, (m, conn) => conn.error(2080, 2004, `no room ${m.roomId}`));
  await assert.rejects(client.room.join(42n), (err) => {
    assert.ok(err instanceof GameHostError);
    assert.equal(err.code, 2080);
    assert.equal(err.requestId, 2004);
    assert.equal(err.codeName, "NoSuchRoom");
    assert.equal(err.owner, "room");
    assert.equal(err.text, "no room 42");
    return true;
  });
});

test("replies and errors are matched by message id, oldest request first", async (t) => {
  const { server, client } = await setup(t);
  // Hold the answers, then send them in an order unlike the requests'.
  const held = [];
  server.handle(user.GetProfileSchema, (m, conn) => {
    const nickname = `p${held.length}`;
    held.push(() => conn.send(user.ProfileSchema, { nickname }));
  });
  server.handle(user.GetBalanceSchema, (m, conn) => held.push(() => conn.send(user.BalanceSchema, { coins: 500n })));
  const p1 = client.user.profile();
  const b = client.user.balance();
  const p2 = client.user.profile();
  const p3 = client.user.profile();
  await server.waitForReceived(user.GetProfileSchema, 3);
  held[1](); // the balance first
  held[0]();
  server.last.error(4, 1100, "busy"); // the second GetProfile is refused
  held[3]();
  assert.equal((await b).coins, 500n);
  assert.equal((await p1).nickname, "p0");
  await assert.rejects(p2, (err) => err instanceof GameHostError && err.code === 4 && err.codeName === "BUSY");
  assert.equal((await p3).nickname, "p3");
});

test("a request times out; its late answer is not taken for the next request's", async (t) => {
  const { server, client } = await setup(t, { requestTimeoutMs: 80 });
  let n = 0;
  const conns = [];
  server.handle(user.GetBalanceSchema, (m, conn) => conns.push([conn, ++n]));
  await assert.rejects(client.user.balance(), (err) => {
    assert.ok(err instanceof RequestTimeoutError);
    assert.equal(err.requestId, 1106);
    return true;
  });
  const second = client.user.balance({ timeoutMs: 2000 });
  await server.waitForReceived(user.GetBalanceSchema, 2);
  conns[0][0].send(user.BalanceSchema, { coins: 1n }); // the first one's answer, late
  conns[1][0].send(user.BalanceSchema, { coins: 2n });
  assert.equal((await second).coins, 2n);
});

test("server pushes are events; replies are events too, marked reply", async (t) => {
  const { server, client } = await setup(t);
  const updates = [];
  client.on("room.update", (u, meta) => updates.push([u, meta]));
  server.last.send(room.RoomUpdateSchema, {
    roomId: 5n,
    version: 3n,
    change: { case: "memberJoined", value: { userId: 9n, seat: 1 } },
  });
  const [u, meta] = await new Promise((r) => client.once("room.update", (...a) => r(a)));
  assert.equal(u.change.case, "memberJoined");
  assert.equal(u.change.value.userId, 9n);
  assert.deepEqual(meta, { id: 2010, reply: false });

  server.handle(room.GetRoomSchema, (m, conn) => conn.send(room.RoomStateSchema, { roomId: 5n, gameType: "doudizhu" }));
  const states = [];
  client.on("room.state", (s, m) => states.push(m));
  const state = await client.room.get();
  assert.equal(state.roomId, 5n);
  assert.deepEqual(states, [{ id: 2001, reply: true }]);
  assert.equal(updates.length, 1);
});

test("card pushes: GameView unasked is card.dealt; each GameEvent kind has its event", async (t) => {
  const { server, client } = await setup(t);
  const dealt = client.waitFor("card.dealt", { timeoutMs: 2000 });
  server.last.send(card.GameViewSchema, { gameId: 1n, seat: 2, hand: [0, 1, 2], landlord: -1 });
  const view = await dealt;
  assert.deepEqual(view.hand, [0, 1, 2]);
  assert.equal(view.landlord, -1);

  const seen = [];
  for (const name of ["card.event", "card.play", "card.landlord", "card.autoPlay"]) client.on(name, (e) => seen.push([name, e.kind]));
  server.last.send(card.GameEventSchema, { gameId: 1n, kind: card.GameEvent_Kind.LANDLORD, seat: 1, cards: [50, 51, 52] });
  server.last.send(card.GameEventSchema, { gameId: 1n, kind: card.GameEvent_Kind.AUTO_PLAY, seat: 0, on: true });
  server.last.send(card.GameEventSchema, { gameId: 1n, kind: card.GameEvent_Kind.PLAY, seat: 1, cards: [3] });
  await client.waitFor("card.play", { timeoutMs: 2000 });
  assert.deepEqual(seen, [
    ["card.event", card.GameEvent_Kind.LANDLORD],
    ["card.landlord", card.GameEvent_Kind.LANDLORD],
    ["card.event", card.GameEvent_Kind.AUTO_PLAY],
    ["card.autoPlay", card.GameEvent_Kind.AUTO_PLAY],
    ["card.event", card.GameEvent_Kind.PLAY],
    ["card.play", card.GameEvent_Kind.PLAY],
  ]);

  // A GameView that answers getGame() is a reply, not a deal.
  server.handle(card.GetGameSchema, (m, conn) => conn.send(card.GameViewSchema, { gameId: 1n }));
  let dealtAgain = false;
  client.on("card.dealt", () => (dealtAgain = true));
  assert.equal((await client.card.getGame()).gameId, 1n);
  assert.equal(dealtAgain, false);
});

test("events: on, off, waitFor (the example of docs/client.md)", async (t) => {
  const { server, client: c } = await setup(t);
  const seen = [];
  const log = (line) => seen.push(line);
  setTimeout(() => {
    server.last.send(room.RoomUpdateSchema, { change: { case: "chat", value: { userId: 8n, text: "gl hf" } } });
    server.last.send(card.GameViewSchema, { seat: 1, hand: [0, 4, 8] });
    server.last.send(card.GameEventSchema, { kind: card.GameEvent_Kind.PLAY, seat: 2, cards: [5, 6] });
  }, 10);
  // [client-events]
  const off = c.on("room.update", (update, meta) => {
    if (update.change.case === "chat") log(`${update.change.value.userId} says ${update.change.value.text}`);
  });
  c.on("card.dealt", (view) => log(`dealt ${view.hand.length} cards, I am seat ${view.seat}`));
  c.on("card.play", (event) => log(`seat ${event.seat} played ${event.cards.join(",")}`));
  c.on("kicked", (kick) => log(`kicked: ${kick.codeName} ${kick.text}`));
  const next = await c.waitFor("card.event", { timeoutMs: 5000 }); // the next GameEvent, any kind
  off(); // that room.update listener is gone
  // [/client-events]
  assert.equal(next.kind, card.GameEvent_Kind.PLAY);
  assert.deepEqual(seen, ["8 says gl hf", "dealt 3 cards, I am seat 1", "seat 2 played 5,6"]);
});

test("a reply that the server also pushes is matched by content (room.ready)", async (t) => {
  const { server, client } = await setup(t);
  await client.auth.guest("device-0123456789abcdef");
  server.handle(room.SetReadySchema, (m, conn) => {
    // Another member's change arrives before the answer to ours.
    conn.send(room.RoomUpdateSchema, { version: 4n, change: { case: "memberChanged", value: { userId: 8n, ready: true } } });
    conn.send(room.RoomUpdateSchema, { version: 5n, change: { case: "memberChanged", value: { userId: 7n, ready: m.ready } } });
  });
  const pushes = [];
  client.on("room.update", (u, meta) => pushes.push([u.version, meta.reply]));
  const answer = await client.room.ready();
  assert.equal(answer.version, 5n);
  assert.deepEqual(pushes, [
    [4n, false],
    [5n, true],
  ]);
});

test("an Error for a message without a reply is a server-error event (battlemap move)", async (t) => {
  const { server, client } = await setup(t);
  server.handle(battlemap.MoveSchema, (m, conn) => {
    conn.error(3083, 3002, "move refused: faster than the map's speed limit");
    conn.send(battlemap.CorrectionSchema, { x: 1, y: 2, dir: 0, code: 3083, clientTimeMs: m.clientTimeMs });
  });
  const error = client.waitFor("server-error", { timeoutMs: 2000 });
  const correction = client.waitFor("battlemap.correction", { timeoutMs: 2000 });
  assert.equal(client.battlemap.move(500, 500, 0, 1000), true);
  const e = await error;
  assert.equal(e.code, 3083);
  assert.equal(e.codeName, "TooFast");
  assert.equal((await correction).clientTimeMs, 1000n);
  // Move times keep increasing when the caller gives none.
  client.battlemap.move(1, 1, 0);
  client.battlemap.move(1, 1, 0);
  const moves = await server.waitForReceived(battlemap.MoveSchema, 3).then(() => server.receivedOf(battlemap.MoveSchema));
  assert.ok(moves[2].message.clientTimeMs > moves[1].message.clientTimeMs);
});

test("heartbeats go out at the interval; ping() measures the round trip", async (t) => {
  const { server, client } = await setup(t, { heartbeatMs: 30 });
  const beats = [];
  client.on("heartbeat", (h) => beats.push(h));
  await server.waitForReceived((await import("../dist/index.js")).host.HeartbeatSchema, 3, 2000);
  const { rttMs, serverTimeMs } = await client.ping();
  assert.ok(rttMs >= 0 && rttMs < 1000);
  assert.ok(serverTimeMs > 0n);
  assert.ok(beats.length >= 3);
});

test("the Hello's heartbeat interval is used when none is given", async (t) => {
  const { server } = await setup(t, {}, { heartbeatIntervalMs: 40 });
  const { host } = await import("../dist/index.js");
  await server.waitForReceived(host.HeartbeatSchema, 2, 2000);
});

test("a connection that answers nothing is dropped and the client reconnects", async (t) => {
  const { server, client } = await setup(t, { heartbeatMs: 30, deadAfterMs: 100 });
  await client.auth.guest("device-0123456789abcdef");
  server.answerHeartbeats = false;
  const disconnected = client.waitFor("disconnected", { timeoutMs: 3000 });
  const info = await disconnected;
  assert.equal(info.code, 4000);
  assert.equal(info.willReconnect, true);
  server.answerHeartbeats = true;
  const again = await client.waitFor("reconnected", { timeoutMs: 3000 });
  assert.equal(again.login.userId, 7n);
  assert.equal(server.connections.length, 2);
});

test("reconnect after a drop: token login, waiting requests go out after it, sent ones fail", async (t) => {
  const { server, client } = await setup(t, { reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  server.handle(user.GetBalanceSchema, (m, conn) => {
    if (conn === server.connections[1]) conn.send(user.BalanceSchema, { coins: 3n });
  });
  // [client-reconnect]
  client.on("disconnected", (info) => console.log("dropped", info.code, "reconnecting:", info.willReconnect));
  client.on("reconnected", (info) => console.log("back after", info.offlineMs, "ms as user", info.login?.userId));
  // [/client-reconnect]
  const login = await client.auth.guest("device-0123456789abcdef");
  const inFlight = client.user.balance(); // sent, then the connection drops
  await server.waitForReceived(user.GetBalanceSchema, 1);
  const reconnected = client.waitFor("reconnected", { timeoutMs: 3000 });
  server.connections[0].drop();
  await assert.rejects(inFlight, ConnectionClosedError);
  // Made while reconnecting: it waits, and goes out once the token login has succeeded.
  const waiting = client.user.balance();
  const info = await reconnected;
  assert.equal(info.login.token, login.token);
  assert.equal(info.hello.sessionId, server.connections[1].sessionId);
  assert.equal(client.sessionId, server.connections[1].sessionId);
  assert.equal((await waiting).coins, 3n);
  const tokenLogins = server.receivedOf(auth.TokenLoginRequestSchema);
  assert.equal(tokenLogins.length, 1);
  assert.equal(tokenLogins[0].message.token, "token-for-device-0123456789abcdef");
  assert.equal(tokenLogins[0].conn, server.connections[1]);
  // The token login came before the waiting request on the new connection.
  const onNew = server.received.filter((r) => r.conn === server.connections[1] && r.id !== 1).map((r) => r.id);
  assert.deepEqual(onNew, [1006, 1106]);
});

test("reconnect keeps trying while the server is away, then gets back in", async (t) => {
  const { server, client } = await setup(t, { reconnect: { initialDelayMs: 10, maxDelayMs: 30 } });
  await client.auth.guest("device-0123456789abcdef");
  let refusals = 3;
  server.admit = () => refusals-- <= 0;
  const attempts = [];
  client.on("reconnecting", (a) => attempts.push(a.attempt));
  const back = client.waitFor("reconnected", { timeoutMs: 3000 });
  server.connections[0].drop();
  const info = await back;
  assert.equal(info.attempts, 4);
  assert.deepEqual(attempts, [1, 2, 3, 4]);
});

test("a kick by a newer login elsewhere (1092) closes the client without reconnecting", async (t) => {
  const { server, client } = await setup(t);
  await client.auth.guest("device-0123456789abcdef");
  const kicked = client.waitFor("kicked", { timeoutMs: 2000 });
  const closed = client.waitFor("closed", { timeoutMs: 2000 });
  const disconnected = client.waitFor("disconnected", { timeoutMs: 2000 });
  server.last.kick(1092, "logged in from another session");
  const k = await kicked;
  assert.equal(k.code, 1092);
  assert.equal(k.codeName, "LoggedInElsewhere");
  assert.equal((await disconnected).willReconnect, false);
  await closed;
  assert.equal(client.state, "closed");
  await assert.rejects(client.user.profile(), ConnectionClosedError);
  assert.equal(server.connections.length, 1);
});

test("a shutdown kick (11) is followed by a reconnect", async (t) => {
  const { server, client } = await setup(t, { reconnect: { initialDelayMs: 10 } });
  await client.auth.guest("device-0123456789abcdef");
  const back = client.waitFor("reconnected", { timeoutMs: 3000 });
  server.last.kick(11, "the server is shutting down");
  assert.equal((await back).login.userId, 7n);
});

test("a refused token login after a reconnect is session-lost: log in again", async (t) => {
  const { server, client } = await setup(t, { reconnect: { initialDelayMs: 10 } });
  await client.auth.guest("device-0123456789abcdef");
  server.handle(auth.TokenLoginRequestSchema, (m, conn) => conn.error(1087, 1006, "token revoked, log in again"));
  const lost = client.waitFor("session-lost", { timeoutMs: 3000 });
  server.last.drop();
  const { error } = await lost;
  assert.equal(error.code, 1087);
  assert.equal(client.state, "open");
  assert.equal(client.token, undefined);
  assert.equal((await client.auth.guest("device-0123456789abcdef")).userId, 7n);
});

test("without reconnect a drop closes the client", async (t) => {
  const { server, client } = await setup(t, { reconnect: false });
  const closed = client.waitFor("closed", { timeoutMs: 2000 });
  server.last.drop();
  await closed;
  assert.equal(client.state, "closed");
  assert.equal(server.connections.length, 1);
});

test("close() ends the client for good: pending requests fail, nothing reconnects", async (t) => {
  const { server, client } = await setup(t);
  const pending = client.user.profile();
  await server.waitForReceived(user.GetProfileSchema);
  const failed = assert.rejects(pending, ConnectionClosedError);
  await client.close();
  await failed;
  await assert.rejects(client.user.profile(), ConnectionClosedError);
  assert.equal(client.send(battlemap.MoveSchema, {}), false);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.connections.length, 1);
});

test("unknown ids are delivered as message events without a decoded body", async (t) => {
  const { server, client } = await setup(t);
  const { encodeFrame } = await import("../dist/index.js");
  const msg = client.waitFor("message", { timeoutMs: 2000 });
  server.last.ws.send(encodeFrame(123456, new Uint8Array([1, 2, 3])));
  const m = await msg;
  assert.equal(m.id, 123456);
  assert.equal(m.typeName, undefined);
  assert.equal(m.message, undefined);
});
