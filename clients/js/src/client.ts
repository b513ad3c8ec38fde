// The connection: WebSocket framing, Hello, request/reply with promises and timeouts,
// pushes as events, heartbeat, and automatic reconnect with token login.
import { type DescMessage, type Message, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";

import { AuthApi, BattlemapApi, CardApi, RacemapApi, RoomApi, UserApi } from "./api.js";
import { Emitter } from "./emitter.js";
import { ConnectionClosedError, GameHostError, HostCode, RequestTimeoutError, errorCodeName } from "./errors.js";
import {
  kindEventName,
  MESSAGE_EVENTS,
  type ClientEvents,
  type DisconnectInfo,
  type KickInfo,
  type MessageMeta,
} from "./events.js";
import { decodeFrame, type Frame } from "./framing.js";
import * as auth from "./gen/auth_pb.js";
import * as card from "./gen/card_pb.js";
import * as host from "./gen/host_pb.js";
import * as racemap from "./gen/racemap_pb.js";
import { decodeMessage, encodeMessage, messageIdOf } from "./registry.js";

/** The part of the WebSocket API the client uses (the browser's, or the `ws` package's). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** A WebSocket class: `globalThis.WebSocket` in browsers and Node 22+, or `ws`'s `WebSocket`. */
export type WebSocketConstructor = new (url: string) => unknown;

export interface ReconnectOptions {
  /** Delay before the second attempt (the first is immediate); doubles up to maxDelayMs. Default 250. */
  initialDelayMs?: number;
  /** Longest delay between attempts. Default 5000, well inside the room's 30 s grace period. */
  maxDelayMs?: number;
  /** Give up when no attempt succeeded this long after the drop; 0 = never. Default 300000. */
  giveUpAfterMs?: number;
}

export interface ClientOptions {
  /** The WebSocket class; default globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** Default timeout of a request. Default 10000 ms. */
  requestTimeoutMs?: number;
  /** How long connect() waits for the server's Hello. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Heartbeat interval; default the Hello's heartbeat_interval_ms; 0 = no heartbeat. */
  heartbeatMs?: number;
  /** Drop and reconnect when nothing arrived for this long; default 2.5 heartbeat intervals. */
  deadAfterMs?: number;
  /** Reconnect after a drop and log in again with the token. Default true. */
  reconnect?: boolean | ReconnectOptions;
}

export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

export interface RequestOptions<R> {
  /** This request's timeout (default: the client's requestTimeoutMs). */
  timeoutMs?: number;
  /**
   * For replies that the server also sends unasked (e.g. room.RoomUpdate): only a message
   * for which this returns true answers the request; others stay pushes.
   */
  match?: (reply: R) => boolean;
}

interface Pending {
  requestId: number;
  replyIds: ReadonlySet<number>;
  match: ((m: Message) => boolean) | undefined;
  resolve: (m: Message) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  frame: Uint8Array;
  /** Timed out: kept until its answer comes, so that answer is not taken for a later request's. */
  ghost: boolean;
  done: boolean;
}

/** Kicks after which reconnecting would not help or would be wrong (docs/protocol.md §4). */
function reconnectAllowedAfter(kick: KickInfo | undefined): boolean {
  if (!kick) return true;
  return (
    kick.code === HostCode.IDLE_TIMEOUT ||
    kick.code === HostCode.SLOW_READER ||
    kick.code === HostCode.SERVER_FULL ||
    kick.code === HostCode.SHUTTING_DOWN
  );
}

/** Error codes of a token login that mean "try again later", not "the token is no good". */
function transientCode(code: number): boolean {
  return (
    code === HostCode.BUSY ||
    code === HostCode.STORAGE_UNAVAILABLE ||
    code === HostCode.PLUGIN_UNAVAILABLE ||
    code === HostCode.RATE_LIMITED ||
    code === 1088 /* auth kRateLimited */
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class GameHostClient extends Emitter<ClientEvents> {
  readonly url: string;
  readonly auth: AuthApi;
  readonly user: UserApi;
  readonly room: RoomApi;
  readonly card: CardApi;
  readonly battlemap: BattlemapApi;
  readonly racemap: RacemapApi;

  #WS: new (url: string) => WebSocketLike;
  #requestTimeoutMs: number;
  #connectTimeoutMs: number;
  #heartbeatMs: number | undefined;
  #deadAfterMs: number | undefined;
  #reconnect: Required<ReconnectOptions> | null;

  #state: ClientState = "connecting";
  #ws: WebSocketLike | null = null;
  #hello: host.Hello | undefined;
  #lastKick: KickInfo | undefined;
  #pending: Pending[] = [];
  #waiting: Pending[] = [];
  #login: auth.LoginReply | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #lastReceivedAt = 0;
  #nonce = 0n;
  #pings = new Map<bigint, { sentAt: number; resolve: (v: { rttMs: number; serverTimeMs: bigint }) => void; reject: (e: unknown) => void }>();

  private constructor(url: string, options: ClientOptions) {
    super();
    this.url = url;
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error("no WebSocket class: pass options.WebSocket (e.g. the ws package's WebSocket)");
    this.#WS = WS as new (url: string) => WebSocketLike;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10000;
    this.#heartbeatMs = options.heartbeatMs;
    this.#deadAfterMs = options.deadAfterMs;
    const r = options.reconnect ?? true;
    this.#reconnect =
      r === false
        ? null
        : {
            initialDelayMs: 250,
            maxDelayMs: 5000,
            giveUpAfterMs: 300000,
            ...(r === true ? {} : r),
          };
    this.auth = new AuthApi(this);
    this.user = new UserApi(this);
    this.room = new RoomApi(this);
    this.card = new CardApi(this);
    this.battlemap = new BattlemapApi(this);
    this.racemap = new RacemapApi(this);
  }

  /** Opens a connection and resolves once the server's Hello has arrived. */
  static async connect(url: string, options: ClientOptions = {}): Promise<GameHostClient> {
    const c = new GameHostClient(url, options);
    await c.#openSocket();
    c.#state = "open";
    return c;
  }

  /** "connecting", "open", "reconnecting" (requests wait meanwhile) or "closed". */
  get state(): ClientState {
    return this.#state;
  }
  /** The Hello of the current (or last) connection. */
  get hello(): host.Hello | undefined {
    return this.#hello;
  }
  get sessionId(): bigint {
    return this.#hello?.sessionId ?? 0n;
  }
  /** The logged-in user, 0n when not logged in. */
  get userId(): bigint {
    return this.#login?.userId ?? 0n;
  }
  /** The token of the last login; the client logs in with it again after a reconnect. */
  get token(): string | undefined {
    return this.#login?.token;
  }
  /** The underlying WebSocket of the current connection (null while there is none). */
  get socket(): WebSocketLike | null {
    return this.#ws;
  }

  /**
   * Sends `init` as a `schema` message and resolves with the first `reply` message that
   * answers it, or rejects with a GameHostError (an Error frame whose request id is this
   * request's message id), a RequestTimeoutError, or a ConnectionClosedError. Replies and
   * errors are matched to requests by message id, oldest request first, as the protocol
   * defines (it has no sequence numbers). While the client reconnects, requests wait and go
   * out once it is logged in again (their timeout runs meanwhile).
   */
  request<Q extends DescMessage, R extends DescMessage>(
    schema: Q,
    init: MessageInitShape<Q>,
    reply: R | readonly R[],
    options: RequestOptions<MessageShape<R>> = {},
  ): Promise<MessageShape<R>> {
    return this.#request(schema, init, reply, options, false);
  }

  /** Sends a message that has no reply (e.g. battlemap Move). Returns false when not connected. */
  send<Q extends DescMessage>(schema: Q, init: MessageInitShape<Q>): boolean {
    if (this.#state !== "open" || !this.#ws) return false;
    this.#ws.send(encodeMessage(schema, init));
    return true;
  }

  /** Sends a Heartbeat now and resolves with the round trip and the server's clock. */
  ping(timeoutMs = this.#requestTimeoutMs): Promise<{ rttMs: number; serverTimeMs: bigint }> {
    return new Promise((resolve, reject) => {
      if (this.#state !== "open" || !this.#ws) return reject(new ConnectionClosedError());
      const nonce = ++this.#nonce;
      const timer = setTimeout(() => {
        this.#pings.delete(nonce);
        reject(new RequestTimeoutError(1, timeoutMs));
      }, timeoutMs);
      this.#pings.set(nonce, {
        sentAt: Date.now(),
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#ws.send(encodeMessage(host.HeartbeatSchema, { nonce }));
    });
  }

  /** Closes the connection for good: no reconnect; waiting requests are rejected. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#stopHeartbeat();
    const ws = this.#ws;
    this.#ws = null;
    this.#failAll(new ConnectionClosedError("closed by the client"));
    if (ws) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        ws.onclose = () => {
          clearTimeout(timer);
          resolve();
        };
        try {
          ws.close(1000, "bye");
        } catch {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    this.emit("closed");
  }

  // --- internals ---------------------------------------------------------------------

  #request<Q extends DescMessage, R extends DescMessage>(
    schema: Q,
    init: MessageInitShape<Q>,
    reply: R | readonly R[],
    options: RequestOptions<MessageShape<R>>,
    direct: boolean,
  ): Promise<MessageShape<R>> {
    const replies = (Array.isArray(reply) ? reply : [reply]) as readonly R[];
    return new Promise<MessageShape<R>>((resolve, reject) => {
      if (this.#state === "closed") return reject(new ConnectionClosedError());
      const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
      const p: Pending = {
        requestId: messageIdOf(schema),
        replyIds: new Set(replies.map((r) => messageIdOf(r))),
        match: options.match as ((m: Message) => boolean) | undefined,
        resolve: resolve as (m: Message) => void,
        reject,
        timer: undefined,
        frame: encodeMessage(schema, init),
        ghost: false,
        done: false,
      };
      p.timer = setTimeout(() => {
        if (p.done) return;
        p.done = true;
        p.ghost = true; // if it is still in #pending, its late answer must be taken by it
        const w = this.#waiting.indexOf(p);
        if (w >= 0) this.#waiting.splice(w, 1);
        reject(new RequestTimeoutError(p.requestId, timeoutMs));
      }, timeoutMs);
      if ((this.#state === "open" || direct) && this.#ws) this.#transmit(p);
      else this.#waiting.push(p);
    });
  }

  #transmit(p: Pending): void {
    this.#pending.push(p);
    this.#ws!.send(p.frame);
  }

  #settle(p: Pending, ok: boolean, value: unknown): void {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    if (ok) p.resolve(value as Message);
    else p.reject(value);
  }

  #failAll(error: Error): void {
    for (const p of [...this.#pending, ...this.#waiting]) this.#settle(p, false, error);
    this.#pending = [];
    this.#waiting = [];
    this.#failPings(error);
  }

  #failPings(error: Error): void {
    for (const w of this.#pings.values()) w.reject(error);
    this.#pings.clear();
  }

  #flushWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const p of waiting) if (!p.done) this.#transmit(p);
  }

  /** Opens a WebSocket and resolves with the Hello; rejects when it closes first or times out. */
  #openSocket(): Promise<host.Hello> {
    return new Promise<host.Hello>((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new this.#WS(this.url);
      } catch (err) {
        reject(err);
        return;
      }
      ws.binaryType = "arraybuffer";
      this.#ws = ws;
      this.#lastKick = undefined;
      let hello: host.Hello | undefined;
      const timer = setTimeout(() => {
        if (hello) return;
        if (this.#ws === ws) this.#ws = null;
        try {
          ws.close();
        } catch {
          /* already closing */
        }
        reject(new ConnectionClosedError(`no Hello from ${this.url} within ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      ws.onerror = () => {
        /* a close event follows */
      };
      ws.onmessage = (ev) => {
        if (this.#ws !== ws) return;
        this.#lastReceivedAt = Date.now();
        let frame: Frame;
        try {
          frame = decodeFrame(ev.data as ArrayBuffer);
        } catch (error) {
          this.emit("decode-error", { id: -1, error });
          return;
        }
        if (!hello && frame.id === 4) {
          try {
            hello = decodeMessage(frame).message as host.Hello;
          } catch (error) {
            this.emit("decode-error", { id: 4, error });
            return;
          }
          clearTimeout(timer);
          this.#hello = hello;
          this.#startHeartbeat(hello);
          this.emit("hello", hello);
          resolve(hello);
          return;
        }
        this.#onFrame(frame);
      };
      ws.onclose = (ev) => {
        clearTimeout(timer);
        if (this.#ws !== ws) return;
        this.#ws = null;
        if (!hello) {
          const k = this.#lastKick;
          reject(
            new ConnectionClosedError(
              k
                ? `kicked before Hello: ${k.codeName ?? k.code} ${k.text}`
                : `connection to ${this.url} closed before Hello (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`,
            ),
          );
          return;
        }
        this.#onDrop(ev.code, ev.reason);
      };
    });
  }

  /** Takes the current socket out of service at once (it is not waited for). */
  #discardSocket(): void {
    const ws = this.#ws;
    this.#ws = null;
    if (!ws) return;
    const terminate = (ws as { terminate?: () => void }).terminate;
    try {
      if (typeof terminate === "function") terminate.call(ws);
      else ws.close(4000, "client gave up on this connection");
    } catch {
      /* already closed */
    }
  }

  #startHeartbeat(hello: host.Hello): void {
    this.#stopHeartbeat();
    const interval = this.#heartbeatMs ?? (hello.heartbeatIntervalMs || 15000);
    if (interval <= 0) return;
    const deadAfter = this.#deadAfterMs ?? interval * 2.5;
    this.#heartbeatTimer = setInterval(() => {
      if (!this.#ws || this.#state === "closed") return;
      if (Date.now() - this.#lastReceivedAt > deadAfter) {
        // Nothing came back, not even a Heartbeat answer: the connection is dead.
        this.#discardSocket();
        this.#onDrop(4000, `nothing received within ${deadAfter} ms`);
        return;
      }
      this.#ws.send(encodeMessage(host.HeartbeatSchema, { nonce: ++this.#nonce }));
    }, interval);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  #onFrame(frame: Frame): void {
    let decoded;
    try {
      decoded = decodeMessage(frame);
    } catch (error) {
      this.emit("decode-error", { id: frame.id, error });
      return;
    }
    const { id, typeName, message } = decoded;
    switch (id) {
      case 1: {
        const hb = message as host.Heartbeat;
        const w = this.#pings.get(hb.nonce);
        let rttMs = -1;
        if (w) {
          this.#pings.delete(hb.nonce);
          rttMs = Date.now() - w.sentAt;
          w.resolve({ rttMs, serverTimeMs: hb.serverTimeMs });
        }
        this.emit("heartbeat", { nonce: hb.nonce, serverTimeMs: hb.serverTimeMs, rttMs });
        return;
      }
      case 2: {
        const e = message as host.Error;
        const error = new GameHostError(e.code, e.requestId, e.text);
        const i = this.#pending.findIndex((p) => p.requestId === e.requestId);
        if (i >= 0) {
          const [p] = this.#pending.splice(i, 1);
          if (!p!.ghost) this.#settle(p!, false, error);
        } else {
          this.emit("server-error", error);
        }
        return;
      }
      case 3: {
        const k = message as host.Kick;
        this.#lastKick = { code: k.code, text: k.text, codeName: errorCodeName(k.code) };
        this.emit("kicked", this.#lastKick);
        return;
      }
      case 4:
        return; // only the first frame is a Hello
    }
    let reply = false;
    if (message) {
      const i = this.#pending.findIndex((p) => p.replyIds.has(id) && (!p.match || p.match(message)));
      if (i >= 0) {
        const [p] = this.#pending.splice(i, 1);
        reply = !p!.ghost;
        this.#track(message, typeName);
        this.#settle(p!, true, message);
      } else {
        this.#track(message, typeName);
      }
    }
    const meta: MessageMeta = { id, reply };
    this.emit("message", { ...meta, typeName, message });
    const name = typeName && MESSAGE_EVENTS.get(typeName);
    if (!name || !message) return;
    // Names from MESSAGE_EVENTS and the kinds' enums: each listed in ClientEvents.
    const emit = this.emit.bind(this) as unknown as (name: string, ...args: unknown[]) => void;
    emit(name, message, meta);
    if (typeName === "gamehost.card.GameView" && !reply) this.emit("card.dealt", message as card.GameView, meta);
    if (typeName === "gamehost.card.GameEvent") {
      const kind = card.GameEvent_KindSchema.value[(message as card.GameEvent).kind];
      if (kind) emit(kindEventName("card", kind.name), message, meta);
    }
    if (typeName === "gamehost.racemap.RaceEvent") {
      const kind = racemap.RaceEvent_KindSchema.value[(message as racemap.RaceEvent).kind];
      if (kind) emit(kindEventName("racemap", kind.name), message, meta);
    }
  }

  /** Keeps the login (for the token login after a reconnect). */
  #track(message: Message, typeName: string | undefined): void {
    if (typeName === "gamehost.auth.LoginReply") this.#login = message as auth.LoginReply;
    else if (typeName === "gamehost.auth.LogoutReply") this.#login = undefined;
  }

  #onDrop(code: number, reason: string): void {
    this.#stopHeartbeat();
    const kick = this.#lastKick;
    this.#lastKick = undefined;
    // Sent requests cannot be known to be handled or not: they fail. Waiting ones wait on.
    const error = new ConnectionClosedError(
      kick ? `kicked: ${kick.codeName ?? kick.code} ${kick.text}` : `connection closed (${code}${reason ? ` ${reason}` : ""})`,
    );
    for (const p of this.#pending) this.#settle(p, false, error);
    this.#pending = [];
    this.#failPings(error);
    if (this.#state === "closed") return;
    if (this.#state === "reconnecting") return; // the reconnect loop owns what follows
    const willReconnect = this.#reconnect !== null && reconnectAllowedAfter(kick);
    const info: DisconnectInfo = { code, reason, kick, willReconnect };
    this.emit("disconnected", info);
    if (willReconnect) {
      void this.#reconnectLoop();
    } else {
      this.#state = "closed";
      this.#failAll(error);
      this.emit("closed");
    }
  }

  async #reconnectLoop(): Promise<void> {
    const opts = this.#reconnect!;
    this.#state = "reconnecting";
    const droppedAt = Date.now();
    let attempt = 0;
    let lastError: unknown = new ConnectionClosedError();
    for (;;) {
      if (this.#state !== "reconnecting") return;
      const delayMs =
        attempt === 0 ? 0 : Math.min(opts.initialDelayMs * 2 ** (attempt - 1), opts.maxDelayMs) * (0.5 + Math.random() / 2);
      if (opts.giveUpAfterMs > 0 && Date.now() + delayMs - droppedAt > opts.giveUpAfterMs) break;
      attempt++;
      this.emit("reconnecting", { attempt, delayMs: Math.round(delayMs) });
      if (delayMs > 0) await sleep(delayMs);
      if (this.#state !== "reconnecting") return;
      let hello: host.Hello;
      try {
        hello = await this.#openSocket();
      } catch (err) {
        lastError = err;
        if (!reconnectAllowedAfter(this.#lastKick)) break;
        continue;
      }
      if (this.#state !== "reconnecting") {
        this.#discardSocket();
        return;
      }
      let login: auth.LoginReply | null = null;
      const token = this.#login?.token;
      if (token) {
        try {
          login = await this.#request(auth.TokenLoginRequestSchema, { token }, auth.LoginReplySchema, {}, true);
        } catch (err) {
          lastError = err;
          if (this.#state !== "reconnecting") return;
          if (err instanceof GameHostError && !transientCode(err.code)) {
            // The token is no good any more (expired, revoked, logged in elsewhere...).
            this.#login = undefined;
            this.#state = "open";
            this.#flushWaiting();
            this.emit("session-lost", { error: err, hello });
            return;
          }
          this.#discardSocket();
          this.#stopHeartbeat();
          continue;
        }
        if (this.#state !== "reconnecting") return;
      }
      this.#state = "open";
      this.#flushWaiting();
      this.emit("reconnected", { hello, login, attempts: attempt, offlineMs: Date.now() - droppedAt });
      return;
    }
    this.#state = "closed";
    this.#failAll(new ConnectionClosedError("gave up reconnecting"));
    this.emit("reconnect-failed", { error: lastError, attempts: attempt });
    this.emit("closed");
  }
}
