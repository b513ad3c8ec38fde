// gamehost-client: a client for gamehost servers over WebSocket (docs/client.md).
export {
  GameHostClient,
  type ClientOptions,
  type ClientState,
  type ReconnectOptions,
  type RequestOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./client.js";
export { AuthApi, BattlemapApi, CardApi, RacemapApi, RoomApi, UserApi, type Id, type Moved, type Position } from "./api.js";
export { Emitter } from "./emitter.js";
export {
  ConnectionClosedError,
  GameHostError,
  HostCode,
  RequestTimeoutError,
  errorCodeName,
  errorCodeOwner,
} from "./errors.js";
export type { ClientEvents, DisconnectInfo, IncomingMessage, KickInfo, MessageMeta, ReconnectedInfo } from "./events.js";
export { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, type Frame } from "./framing.js";
export { decodeMessage, encodeMessage, messageIdOf, ownerOfId, schemaOfId, type DecodedFrame } from "./registry.js";
// The generated protobuf code: types (e.g. card.GameView), schemas (card.GameViewSchema), enums.
export { auth, battlemap, card, host, racemap, room, user, ERROR_CODES, MESSAGE_TABLE, MessageIds } from "./gen/index.js";
// The protobuf runtime's helpers, for working with the messages (create, toBinary, toJson...).
export { create, fromBinary, toBinary, toJson, fromJson } from "@bufbuild/protobuf";
