// Framing, the id table and the error codes, checked against docs/protocol.md and the
// server's sources.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  MESSAGE_TABLE,
  MessageIds,
  auth,
  card,
  create,
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  errorCodeName,
  errorCodeOwner,
  fromBinary,
  host,
  messageIdOf,
  ownerOfId,
  room,
  schemaOfId,
  toBinary,
} from "../dist/index.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const hex = (bytes) => Buffer.from(bytes).toString("hex").replace(/(..)(?!$)/g, "$1 ");

test("a frame is the u32 little-endian id, then the payload (protocol.md: a heartbeat)", () => {
  // docs/protocol.md section 7: Heartbeat { nonce: 1 } is 08 01; over WebSocket, id 1 first.
  const frame = encodeMessage(host.HeartbeatSchema, { nonce: 1n });
  assert.equal(hex(frame), "01 00 00 00 08 01");
  const { id, payload } = decodeFrame(frame);
  assert.equal(id, 1);
  assert.equal(fromBinary(host.HeartbeatSchema, payload).nonce, 1n);
});

test("the error reply of protocol.md section 7 decodes to code 90091 for request 90006", () => {
  const ws = Buffer.from("02000000" + "08ebbf05" + "1096bf05" + "1a12" + Buffer.from("not in group lobby").toString("hex"), "hex");
  const { id, message } = decodeMessage(decodeFrame(ws));
  assert.equal(id, 2);
  assert.equal(message.code, 90091);
  assert.equal(message.requestId, 90006);
  assert.equal(message.text, "not in group lobby");
});

test("ids above 2^24 and empty payloads round-trip; a view into a larger buffer decodes", () => {
  const f = encodeFrame(0xfffffffe, new Uint8Array());
  assert.equal(hex(f), "fe ff ff ff");
  assert.deepEqual(decodeFrame(f), { id: 0xfffffffe, payload: new Uint8Array() });
  const big = new Uint8Array(16);
  big.set(encodeFrame(2104, new Uint8Array([8, 7])), 5);
  const { id, payload } = decodeFrame(big.subarray(5, 11));
  assert.equal(id, 2104);
  assert.deepEqual([...payload], [8, 7]);
  assert.throws(() => encodeFrame(-1, new Uint8Array()), RangeError);
  assert.throws(() => encodeFrame(2 ** 32, new Uint8Array()), RangeError);
});

test("a message shorter than the 4-byte id is refused", () => {
  assert.throws(() => decodeFrame(new Uint8Array([1, 0, 0])), /at least 4 bytes/);
  assert.throws(() => decodeFrame(new ArrayBuffer(0)), RangeError);
});

test("64-bit ids are bigints and keep every bit", () => {
  const gameId = 0x7fffffffffffffffn;
  const bytes = toBinary(card.GameViewSchema, create(card.GameViewSchema, { gameId, players: [2n ** 63n + 5n] }));
  const back = fromBinary(card.GameViewSchema, bytes);
  assert.equal(back.gameId, gameId);
  assert.equal(back.players[0], 2n ** 63n + 5n);
});

test("the id table is the one of the server's protocol.hpp files, as built", () => {
  // dist/ was generated from these files: a stale build (headers changed since) fails here.
  const expected = [];
  const session = readFileSync(join(repo, "host/session/session.hpp"), "utf8");
  for (const m of session.match(/namespace host_ids \{([\s\S]*?)\}/)[1].matchAll(/k(\w+)\s*=\s*(\d+)/g)) {
    expected.push([Number(m[2]), `gamehost.wire.${m[1]}`]);
  }
  for (const plugin of readdirSync(join(repo, "plugins")).sort()) {
    const f = join(repo, "plugins", plugin, "protocol.hpp");
    if (!existsSync(f)) continue;
    for (const m of readFileSync(f, "utf8").matchAll(/X\((\d+),\s*([\w:]+)\)/g)) {
      expected.push([Number(m[1]), m[2].replaceAll("::", ".")]);
    }
  }
  assert.deepEqual(
    MESSAGE_TABLE.map((e) => [e.id, e.typeName]),
    expected,
  );
});

test("every id lies in its owner's range (protocol.md section 2) and maps both ways", () => {
  const ranges = {
    host: [0, 999],
    auth: [1000, 1099],
    user: [1100, 1199],
    room: [2000, 2099],
    card: [2100, 2199],
    battlemap: [3000, 3099],
    racemap: [3100, 3199],
  };
  for (const e of MESSAGE_TABLE) {
    const [lo, hi] = ranges[e.plugin];
    assert.ok(e.id >= lo && e.id <= hi, `${e.typeName} ${e.id} outside ${e.plugin}`);
    assert.equal(messageIdOf(e.schema), e.id);
    assert.equal(schemaOfId(e.id), e.schema);
    assert.equal(ownerOfId(e.id), e.plugin);
  }
  assert.equal(MessageIds.auth.LoginReply, 1001);
  assert.equal(MessageIds.host.Hello, 4);
  assert.equal(MessageIds.card.GameEvent, 2104);
  assert.equal(MessageIds.battlemap.Move, 3002);
  assert.equal(MessageIds.racemap.PassCheckpoint, 3100);
  assert.equal(messageIdOf(room.QuickMatchSchema), 2009);
  assert.equal(messageIdOf(auth.TokenLoginRequestSchema), 1006);
  assert.equal(schemaOfId(5), undefined);
  assert.throws(() => messageIdOf(card.ResultSchema), /gamehost.card.Result has no message id/);
});

test("error codes carry the names of the server's sources", () => {
  assert.equal(errorCodeName(3), "NOT_AUTHENTICATED");
  assert.equal(errorCodeOwner(3), "host");
  assert.equal(errorCodeName(15), "STORAGE_UNAVAILABLE");
  assert.equal(errorCodeName(1092), "LoggedInElsewhere");
  assert.equal(errorCodeOwner(1092), "auth");
  assert.equal(errorCodeName(1180), "UNKNOWN_USER");
  assert.equal(errorCodeName(2084), "NotInRoom");
  assert.equal(errorCodeName(2185), "NotYourTurn");
  assert.equal(errorCodeName(3090), "MapFull");
  assert.equal(errorCodeName(3187), "OutsideRadius");
  assert.equal(errorCodeOwner(3187), "racemap");
  assert.equal(errorCodeName(999), undefined);
});
