// The events a client emits: connection events, and one event per kind of message the
// server sends (its pushes, and the replies to the client's own requests).
import type { Message } from "@bufbuild/protobuf";

import type { GameHostError } from "./errors.js";
import type * as battlemap from "./gen/battlemap_pb.js";
import type * as card from "./gen/card_pb.js";
import type * as host from "./gen/host_pb.js";
import type * as racemap from "./gen/racemap_pb.js";
import type * as room from "./gen/room_pb.js";
import type * as auth from "./gen/auth_pb.js";

/** What comes with every message event. */
export interface MessageMeta {
  /** The message id. */
  id: number;
  /** True when the message answered a request of this client (the promise got it too). */
  reply: boolean;
}

/** A Kick frame (id 3): the server is closing the connection, and why. */
export interface KickInfo {
  code: number;
  text: string;
  /** The code's name in the server's sources, e.g. "SHUTTING_DOWN" or "LoggedInElsewhere". */
  codeName: string | undefined;
}

export interface DisconnectInfo {
  /** The WebSocket close code (4000 when the client gave up on a silent connection). */
  code: number;
  reason: string;
  /** The Kick the server sent before closing, if it sent one. */
  kick: KickInfo | undefined;
  /** True when the client is going to reconnect. */
  willReconnect: boolean;
}

export interface ReconnectedInfo {
  hello: host.Hello;
  /** The answer to the token login, or null when the client had not logged in. */
  login: auth.LoginReply | null;
  /** Connection attempts it took. */
  attempts: number;
  /** Milliseconds from the drop to the new login. */
  offlineMs: number;
}

export interface IncomingMessage extends MessageMeta {
  /** The protobuf type name, e.g. "gamehost.room.RoomUpdate"; undefined for an unknown id. */
  typeName: string | undefined;
  message: Message | undefined;
}

type M<T> = [T, MessageMeta];

export type ClientEvents = {
  /** A Hello arrived: on connect and on every reconnect. */
  hello: [host.Hello];
  /** The server sent a Kick; `disconnected` follows. */
  kicked: [KickInfo];
  /** The connection dropped or was closed by the server. */
  disconnected: [DisconnectInfo];
  /** A reconnect attempt is about to start after `delayMs`. */
  reconnecting: [{ attempt: number; delayMs: number }];
  /** Connected again and, when the client had logged in, logged in again with its token. */
  reconnected: [ReconnectedInfo];
  /** Reconnected, but the token login was refused (expired, revoked...): log in again. */
  "session-lost": [{ error: unknown; hello: host.Hello }];
  /** The client gave up reconnecting; it is closed now. */
  "reconnect-failed": [{ error: unknown; attempts: number }];
  /** The client is closed for good (close(), a kick that forbids reconnecting, or given up). */
  closed: [];
  /** A Heartbeat answer arrived. */
  heartbeat: [{ nonce: bigint; serverTimeMs: bigint; rttMs: number }];
  /** An Error frame that matched no pending request (e.g. a refused battlemap Move). */
  "server-error": [GameHostError];
  /** A frame whose payload did not decode as its id's message type. */
  "decode-error": [{ id: number; error: unknown }];
  /** Every decoded message other than Heartbeat, Error, Kick and Hello. */
  message: [IncomingMessage];

  "auth.login": M<auth.LoginReply>;

  "room.state": M<room.RoomState>;
  "room.update": M<room.RoomUpdate>;
  "room.left": M<room.RoomLeft>;
  "room.matchFound": M<room.MatchFound>;

  /** Every GameView: the deal, a redeal, a reconnect, and the answer to card.getGame(). */
  "card.view": M<card.GameView>;
  /** A GameView the server sent unasked: the deal, a redeal, or after a reconnect. */
  "card.dealt": M<card.GameView>;
  "card.event": M<card.GameEvent>;
  "card.bid": M<card.GameEvent>;
  "card.pass": M<card.GameEvent>;
  "card.play": M<card.GameEvent>;
  "card.landlord": M<card.GameEvent>;
  "card.autoPlay": M<card.GameEvent>;
  "card.redeal": M<card.GameEvent>;
  "card.finished": M<card.GameEvent>;
  "card.settled": M<card.GameEvent>;

  "battlemap.entered": M<battlemap.Entered>;
  "battlemap.correction": M<battlemap.Correction>;
  "battlemap.left": M<battlemap.Left>;
  "battlemap.view": M<battlemap.ViewUpdate>;
  "battlemap.chat": M<battlemap.ChatLine>;

  "racemap.view": M<racemap.RaceView>;
  "racemap.event": M<racemap.RaceEvent>;
  "racemap.go": M<racemap.RaceEvent>;
  "racemap.finished": M<racemap.RaceEvent>;
  "racemap.disconnected": M<racemap.RaceEvent>;
  "racemap.reconnected": M<racemap.RaceEvent>;
  "racemap.retired": M<racemap.RaceEvent>;
  "racemap.standings": M<racemap.Standings>;
  "racemap.result": M<racemap.RaceResult>;
  "racemap.passAccepted": M<racemap.PassAccepted>;
};

/** The event each message type is emitted as (besides `message`). */
export const MESSAGE_EVENTS: ReadonlyMap<string, string> = new Map([
  ["gamehost.auth.LoginReply", "auth.login"],
  ["gamehost.room.RoomState", "room.state"],
  ["gamehost.room.RoomUpdate", "room.update"],
  ["gamehost.room.RoomLeft", "room.left"],
  ["gamehost.room.MatchFound", "room.matchFound"],
  ["gamehost.card.GameView", "card.view"],
  ["gamehost.card.GameEvent", "card.event"],
  ["gamehost.battlemap.Entered", "battlemap.entered"],
  ["gamehost.battlemap.Correction", "battlemap.correction"],
  ["gamehost.battlemap.Left", "battlemap.left"],
  ["gamehost.battlemap.ViewUpdate", "battlemap.view"],
  ["gamehost.battlemap.ChatLine", "battlemap.chat"],
  ["gamehost.racemap.RaceView", "racemap.view"],
  ["gamehost.racemap.RaceEvent", "racemap.event"],
  ["gamehost.racemap.Standings", "racemap.standings"],
  ["gamehost.racemap.RaceResult", "racemap.result"],
  ["gamehost.racemap.PassAccepted", "racemap.passAccepted"],
]);

/**
 * The event of one kind of card.GameEvent or racemap.RaceEvent: the kind's name in the
 * .proto enum in lower camel case after the plugin, e.g. AUTO_PLAY -> "card.autoPlay",
 * GO -> "racemap.go".
 */
export function kindEventName(plugin: string, enumValueName: string): string {
  const camel = enumValueName.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return `${plugin}.${camel}`;
}
