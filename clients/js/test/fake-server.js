// A small in-process stand-in for gamehost: the WebSocket framing, a Hello on connect,
// Heartbeat answers, and per-message handlers that the tests script.
import { once } from "node:events";
import { WebSocketServer } from "ws";

import { create, decodeFrame, decodeMessage, encodeMessage, host, messageIdOf, toBinary, encodeFrame } from "../dist/index.js";

export async function startFakeServer(options = {}) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(wss, "listening");
  let nextSession = 100n;
  const server = {
    url: `ws://127.0.0.1:${wss.address().port}/`,
    connections: [],
    /** every decoded frame from a client: { conn, id, typeName, message } */
    received: [],
    /** typeName -> (message, conn) => void */
    handlers: new Map(),
    answerHeartbeats: true,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15000,
    /** (ws) => boolean: false refuses the connection with a Kick before Hello */
    admit: () => true,
    handle(schema, fn) {
      this.handlers.set(schema.typeName, fn);
    },
    receivedOf(schema) {
      return this.received.filter((r) => r.typeName === schema.typeName);
    },
    get last() {
      return this.connections[this.connections.length - 1];
    },
    async waitForConnections(n, timeoutMs = 3000) {
      const end = Date.now() + timeoutMs;
      while (this.connections.length < n) {
        if (Date.now() > end) throw new Error(`only ${this.connections.length} connections, wanted ${n}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return this.connections[n - 1];
    },
    async waitForReceived(schema, n = 1, timeoutMs = 3000) {
      const end = Date.now() + timeoutMs;
      while (this.receivedOf(schema).length < n) {
        if (Date.now() > end) throw new Error(`${schema.typeName} received ${this.receivedOf(schema).length} times, wanted ${n}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return this.receivedOf(schema)[n - 1];
    },
    async close() {
      for (const c of this.connections) c.ws.terminate();
      await new Promise((r) => wss.close(r));
    },
  };

  wss.on("connection", (ws) => {
    const conn = {
      ws,
      sessionId: ++nextSession,
      send(schema, init) {
        ws.send(encodeMessage(schema, init));
      },
      /** An Error frame for the request with message id `requestId`. */
      error(code, requestId, text = "refused") {
        ws.send(encodeMessage(host.ErrorSchema, { code, requestId, text }));
      },
      /** A Kick, then the close, as the host does. */
      kick(code, text = "kicked") {
        ws.send(encodeMessage(host.KickSchema, { code, text }));
        ws.close(1000);
      },
      /** The connection drops without a close handshake. */
      drop() {
        ws.terminate();
      },
    };
    if (!server.admit(ws)) {
      conn.kick(10, "the server is full (limits.max_connections)");
      return;
    }
    server.connections.push(conn);
    conn.send(host.HelloSchema, {
      hostVersion: "0.0.0-fake",
      sessionId: conn.sessionId,
      plugins: [{ name: "auth", version: "1.0.0" }],
      heartbeatIntervalMs: server.heartbeatIntervalMs,
      maxFrameBytes: 65536,
    });
    ws.on("message", (data, isBinary) => {
      if (!isBinary) return conn.kick(14, "text message");
      const frame = decodeFrame(data);
      const { id, typeName, message } = decodeMessage(frame);
      server.received.push({ conn, id, typeName, message });
      if (id === messageIdOf(host.HeartbeatSchema)) {
        if (server.answerHeartbeats) {
          conn.send(host.HeartbeatSchema, { nonce: message.nonce, serverTimeMs: BigInt(Date.now()) });
        }
        return;
      }
      const fn = typeName && server.handlers.get(typeName);
      if (fn) fn(message, conn);
    });
  });
  return server;
}

/** A raw frame (for tests of odd payloads). */
export function rawFrame(id, schema, init) {
  return encodeFrame(id, toBinary(schema, create(schema, init)));
}
