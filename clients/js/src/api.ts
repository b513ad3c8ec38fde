// Typed helpers, one class per plugin: each method sends one request and resolves with its
// answer (docs/protocol.md sections 8-11, plugins/battlemap/README.md, plugins/racemap/README.md).
import type { GameHostClient } from "./client.js";
import * as auth from "./gen/auth_pb.js";
import * as battlemap from "./gen/battlemap_pb.js";
import * as card from "./gen/card_pb.js";
import * as racemap from "./gen/racemap_pb.js";
import * as room from "./gen/room_pb.js";
import * as user from "./gen/user_pb.js";

/** A user, room or game id: a bigint (ids are 64-bit), or a number when it is small enough. */
export type Id = bigint | number;

abstract class PluginApi {
  constructor(protected readonly client: GameHostClient) {}
}

/** auth (ids 1000-1099): logins; every login's token is kept for the reconnect. */
export class AuthApi extends PluginApi {
  /** Creates a named account and logs in with it. */
  register(username: string, password: string): Promise<auth.LoginReply> {
    return this.client.request(auth.RegisterRequestSchema, { username, password }, auth.LoginReplySchema);
  }
  login(username: string, password: string): Promise<auth.LoginReply> {
    return this.client.request(auth.LoginRequestSchema, { username, password }, auth.LoginReplySchema);
  }
  /** Logs in as the guest account of `deviceId` (16-128 of A-Z a-z 0-9 _ . : -), created on first use. */
  guest(deviceId: string): Promise<auth.LoginReply> {
    return this.client.request(auth.GuestLoginRequestSchema, { deviceId }, auth.LoginReplySchema);
  }
  /** Logs in with the token of an earlier login (e.g. one kept across a page reload). */
  tokenLogin(token: string): Promise<auth.LoginReply> {
    return this.client.request(auth.TokenLoginRequestSchema, { token }, auth.LoginReplySchema);
  }
  /** Revokes the token (and older ones of the user); the connection stays open, logged out. */
  logout(): Promise<auth.LogoutReply> {
    return this.client.request(auth.LogoutRequestSchema, {}, auth.LogoutReplySchema);
  }
  /** Gives the logged-in guest account a username and password. */
  bindCredentials(username: string, password: string): Promise<auth.BindCredentialsReply> {
    return this.client.request(auth.BindCredentialsRequestSchema, { username, password }, auth.BindCredentialsReplySchema);
  }
}

/** user (ids 1100-1199): the player's profile and coins. */
export class UserApi extends PluginApi {
  profile(): Promise<user.Profile> {
    return this.client.request(user.GetProfileSchema, {}, user.ProfileSchema);
  }
  /** Sets the nickname and/or avatar; a field left out keeps its value. */
  updateProfile(change: { nickname?: string; avatar?: string }): Promise<user.UpdateProfileReply> {
    return this.client.request(user.UpdateProfileSchema, change, user.UpdateProfileReplySchema);
  }
  publicProfile(userId: Id): Promise<user.PublicProfile> {
    return this.client.request(user.GetPublicProfileSchema, { userId: BigInt(userId) }, user.PublicProfileSchema);
  }
  balance(): Promise<user.Balance> {
    return this.client.request(user.GetBalanceSchema, {}, user.BalanceSchema);
  }
  /** The coin history, newest first; page back with `beforeId` = the last entry's id. */
  ledger(options: { limit?: number; beforeId?: Id } = {}): Promise<user.Ledger> {
    return this.client.request(
      user.GetLedgerSchema,
      { limit: options.limit ?? 0, beforeId: BigInt(options.beforeId ?? 0) },
      user.LedgerSchema,
    );
  }
}

/** room (ids 2000-2099): the lobby. Pushes: room.state, room.update, room.left. */
export class RoomApi extends PluginApi {
  create(options: { gameType: string; name?: string; seats?: number; password?: string }): Promise<room.RoomState> {
    return this.client.request(room.CreateRoomSchema, options, room.RoomStateSchema);
  }
  list(options: { gameType?: string; openOnly?: boolean; pageSize?: number; afterRoomId?: Id } = {}): Promise<room.RoomList> {
    const { afterRoomId, ...rest } = options;
    return this.client.request(room.ListRoomsSchema, { ...rest, afterRoomId: BigInt(afterRoomId ?? 0) }, room.RoomListSchema);
  }
  join(roomId: Id, password = ""): Promise<room.RoomState> {
    return this.client.request(room.JoinRoomSchema, { roomId: BigInt(roomId), password }, room.RoomStateSchema, {
      match: (s) => s.roomId === BigInt(roomId),
    });
  }
  leave(): Promise<room.RoomLeft> {
    return this.client.request(room.LeaveRoomSchema, {}, room.RoomLeftSchema, {
      match: (l) => l.reason === room.LeaveReason.LEFT,
    });
  }
  /** Sets the ready flag; the answer is the room's `member_changed` update for this user. */
  ready(ready = true): Promise<room.RoomUpdate> {
    return this.client.request(room.SetReadySchema, { ready }, room.RoomUpdateSchema, {
      match: (u) => u.change.case === "memberChanged" && this.#isMe(u.change.value.userId),
    });
  }
  /** The owner takes `userId` out of the room. */
  kick(userId: Id): Promise<room.RoomUpdate> {
    return this.client.request(room.KickMemberSchema, { userId: BigInt(userId) }, room.RoomUpdateSchema, {
      match: (u) => u.change.case === "memberLeft" && u.change.value.userId === BigInt(userId),
    });
  }
  /** Reserves a seat in an open room of `gameType`; confirm it with confirmSeat() in time. */
  quickMatch(gameType: string): Promise<room.MatchFound> {
    return this.client.request(room.QuickMatchSchema, { gameType }, room.MatchFoundSchema);
  }
  confirmSeat(roomId: Id): Promise<room.RoomState> {
    return this.client.request(room.ConfirmSeatSchema, { roomId: BigInt(roomId) }, room.RoomStateSchema, {
      match: (s) => s.roomId === BigInt(roomId),
    });
  }
  /** quickMatch() then confirmSeat(): a confirmed seat in a room of `gameType`. */
  async quickJoin(gameType: string): Promise<room.RoomState> {
    const found = await this.quickMatch(gameType);
    return this.confirmSeat(found.roomId);
  }
  chat(text: string): Promise<room.RoomUpdate> {
    return this.client.request(room.SendChatSchema, { text }, room.RoomUpdateSchema, {
      match: (u) => u.change.case === "chat" && this.#isMe(u.change.value.userId),
    });
  }
  /** The sender's room. */
  get(): Promise<room.RoomState> {
    return this.client.request(room.GetRoomSchema, {}, room.RoomStateSchema);
  }
  #isMe(userId: bigint): boolean {
    const me = this.client.userId;
    return me === 0n || userId === me;
  }
}

/** card (ids 2100-2199): Dou Dizhu. Pushes: card.view / card.dealt, card.event and its kinds. */
export class CardApi extends PluginApi {
  /** Bids 1-3, or 0 for no bid. Resolves when accepted; the events follow. */
  bid(amount: number): Promise<card.ActionDone> {
    return this.client.request(card.BidSchema, { amount }, card.ActionDoneSchema);
  }
  /** Plays `cards` (ids 0-53), read as `as` when given; an empty list passes. */
  play(cards: readonly number[], as?: card.ComboType): Promise<card.ActionDone> {
    return this.client.request(card.PlaySchema, { cards: [...cards], as }, card.ActionDoneSchema);
  }
  /** Passes while playing (for "no bid" while bidding, bid(0)). */
  pass(): Promise<card.ActionDone> {
    return this.play([]);
  }
  setAutoPlay(on: boolean): Promise<card.ActionDone> {
    return this.client.request(card.SetAutoPlaySchema, { on }, card.ActionDoneSchema);
  }
  getGame(): Promise<card.GameView> {
    return this.client.request(card.GetGameSchema, {}, card.GameViewSchema);
  }
  recentGames(limit = 0): Promise<card.RecentGames> {
    return this.client.request(card.GetRecentGamesSchema, { limit }, card.RecentGamesSchema);
  }
}

/** One avatar that moved, from a ViewUpdate's packed arrays. */
export interface Moved {
  id: number;
  x: number;
  y: number;
  dir: number;
}

/** battlemap (ids 3000-3099): MMO maps. Pushes: battlemap.view, .correction, .chat, .entered, .left. */
export class BattlemapApi extends PluginApi {
  #lastMoveTime = 0;

  /** Puts the avatar on `map` ("" = the first map). */
  enter(map = ""): Promise<battlemap.Entered> {
    return this.client.request(battlemap.EnterSchema, { map }, battlemap.EnteredSchema, {
      match: (e) => !e.resumed,
    });
  }
  /**
   * Reports the avatar's position; not answered unless refused (a `server-error` with the
   * code, and a `battlemap.correction`). `clientTimeMs` defaults to the clock, kept
   * increasing from move to move as the server requires. Returns false when not connected.
   */
  move(x: number, y: number, dir: number, clientTimeMs?: number): boolean {
    const t = clientTimeMs ?? Math.max(Date.now(), this.#lastMoveTime + 1);
    this.#lastMoveTime = t;
    return this.client.send(battlemap.MoveSchema, { x, y, dir, clientTimeMs: BigInt(t) });
  }
  leave(): Promise<battlemap.Left> {
    return this.client.request(battlemap.LeaveSchema, {}, battlemap.LeftSchema);
  }
  /** A chat line to those who see the avatar; resolves with the line as everyone gets it. */
  say(text: string): Promise<battlemap.ChatLine> {
    return this.client.request(battlemap.SaySchema, { text }, battlemap.ChatLineSchema, {
      match: (l) => !l.world && this.#isMe(l.userId) && l.text === text,
    });
  }
  /** A chat line to the whole map. */
  worldSay(text: string): Promise<battlemap.ChatLine> {
    return this.client.request(battlemap.WorldSaySchema, { text }, battlemap.ChatLineSchema, {
      match: (l) => l.world && this.#isMe(l.userId) && l.text === text,
    });
  }
  /** The moves of a ViewUpdate, unpacked: moved_ids[i] is at moved[3i], moved[3i+1], facing moved[3i+2]. */
  static moves(update: battlemap.ViewUpdate): Moved[] {
    return update.movedIds.map((id, i) => ({
      id,
      x: update.moved[3 * i]!,
      y: update.moved[3 * i + 1]!,
      dir: update.moved[3 * i + 2]!,
    }));
  }
  /** Applies a ViewUpdate to the avatars a client knows (by entity id): disappeared, appeared, moves. */
  static applyView(known: Map<number, battlemap.Entity>, update: battlemap.ViewUpdate): void {
    for (const id of update.disappeared) known.delete(id);
    for (const e of update.appeared) known.set(e.id, e);
    for (const m of BattlemapApi.moves(update)) {
      const e = known.get(m.id);
      if (e) {
        e.x = m.x;
        e.y = m.y;
        e.dir = m.dir;
      }
    }
  }
  #isMe(userId: bigint): boolean {
    const me = this.client.userId;
    return me === 0n || userId === me;
  }
}

export interface Position {
  x: number;
  y: number;
  z?: number;
}

/** racemap (ids 3100-3199): checkpoint races. Pushes: racemap.view, .event (and its kinds), .standings, .result. */
export class RacemapApi extends PluginApi {
  /** "I passed checkpoint `checkpoint` here"; `lap` 1-based, 0 = the current lap. */
  pass(checkpoint: number, position: Position, lap = 0): Promise<racemap.PassAccepted> {
    return this.client.request(
      racemap.PassCheckpointSchema,
      { checkpoint, lap, position: { x: position.x, y: position.y, z: position.z ?? 0 } },
      racemap.PassAcceptedSchema,
    );
  }
  /** Where the racer is (for the live distance); no answer unless refused. */
  reportPosition(position: Position): boolean {
    return this.client.send(racemap.ReportPositionSchema, {
      position: { x: position.x, y: position.y, z: position.z ?? 0 },
    });
  }
  race(): Promise<racemap.RaceView> {
    return this.client.request(racemap.GetRaceSchema, {}, racemap.RaceViewSchema);
  }
  /** The best times of `track` ("" = the default track). */
  leaderboard(track = "", limit = 0): Promise<racemap.Leaderboard> {
    return this.client.request(racemap.GetLeaderboardSchema, { track, limit }, racemap.LeaderboardSchema);
  }
  tracks(): Promise<racemap.Tracks> {
    return this.client.request(racemap.GetTracksSchema, {}, racemap.TracksSchema);
  }
}
