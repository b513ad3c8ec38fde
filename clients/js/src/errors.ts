import { ERROR_CODES } from "./gen/codes.js";

/** The name of an error code in the server's sources (e.g. 3 -> "NOT_AUTHENTICATED", 2084 -> "NotInRoom"). */
export function errorCodeName(code: number): string | undefined {
  return ERROR_CODES.get(code)?.name;
}

/** Who owns an error code: "host" (below 1000) or the plugin whose id range holds it. */
export function errorCodeOwner(code: number): string | undefined {
  return ERROR_CODES.get(code)?.plugin;
}

/** Host error codes (docs/protocol.md, section 4.1). */
export const HostCode = {
  UNKNOWN_ID: 1,
  MALFORMED: 2,
  NOT_AUTHENTICATED: 3,
  BUSY: 4,
  PLUGIN_FAILURE: 5,
  FRAME_TOO_LARGE: 6,
  RATE_LIMITED: 7,
  IDLE_TIMEOUT: 8,
  SLOW_READER: 9,
  SERVER_FULL: 10,
  SHUTTING_DOWN: 11,
  KICKED: 12,
  PLUGIN_UNAVAILABLE: 13,
  BAD_FRAME: 14,
  STORAGE_UNAVAILABLE: 15,
  LOGIN_TIMEOUT: 16,
} as const;

/** An Error frame (id 2) from the server: the request with id `requestId` was not handled. */
export class GameHostError extends Error {
  override readonly name = "GameHostError";
  /** The code: a host code below 1000, or a plugin's code inside its id range. */
  readonly code: number;
  /** The message id of the request that was refused. */
  readonly requestId: number;
  /** The server's text, for people. */
  readonly text: string;
  /** The code's name in the server's sources, when the client knows it. */
  readonly codeName: string | undefined;
  /** "host" or the plugin that owns the code. */
  readonly owner: string | undefined;

  constructor(code: number, requestId: number, text: string) {
    const codeName = errorCodeName(code);
    super(`${codeName ?? "error"} ${code} (request ${requestId}): ${text}`);
    this.code = code;
    this.requestId = requestId;
    this.text = text;
    this.codeName = codeName;
    this.owner = errorCodeOwner(code);
  }
}

/** No answer within the request's timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = "RequestTimeoutError";
  constructor(
    readonly requestId: number,
    readonly timeoutMs: number,
  ) {
    super(`no answer to request ${requestId} within ${timeoutMs} ms`);
  }
}

/** The connection closed (or was never open) before the request was answered. */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
  constructor(message = "the connection is closed") {
    super(message);
  }
}
