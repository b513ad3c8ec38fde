// Compiled (not run) by `npm run build`: the published .d.ts files type a client's code.
import { GameHostClient, GameHostError, card, room, type ClientEvents, type MessageMeta } from "gamehost-client";
import { WebSocket } from "ws";

export async function typed(): Promise<void> {
  const c = await GameHostClient.connect("ws://127.0.0.1:7001/", { WebSocket, heartbeatMs: 5000, reconnect: { maxDelayMs: 2000 } });
  const login = await c.auth.guest("device-0123456789abcdef");
  const userId: bigint = login.userId;
  const token: string | undefined = c.token;
  c.on("card.dealt", (view: card.GameView, meta: MessageMeta) => {
    const hand: number[] = view.hand;
    const reply: boolean = meta.reply;
    void hand, reply;
  });
  c.on("room.update", (u) => {
    if (u.change.case === "gameStarted") {
      const gameId: bigint = u.change.value;
      void gameId;
    }
  });
  c.on("reconnected", (info) => {
    const again: bigint | undefined = info.login?.userId;
    void again;
  });
  const state: room.RoomState = await c.room.quickJoin("doudizhu");
  const done: card.ActionDone = await c.card.play([0, 1], card.ComboType.PAIR);
  const passed = await c.racemap.pass(0, { x: 1, y: 2 });
  const lap: number = passed.lap;
  const view = await c.waitFor("card.view", { timeoutMs: 1000 });
  const seat: number = view.seat;
  try {
    await c.card.bid(3);
  } catch (e) {
    if (e instanceof GameHostError) {
      const code: number = e.code;
      void code;
    }
  }
  // @ts-expect-error bid takes a number
  await c.card.bid("3");
  // @ts-expect-error no such event
  c.on("card.dealtt", () => {});
  const names: (keyof ClientEvents)[] = ["card.play", "racemap.go", "kicked"];
  void userId, token, state, done, lap, seat, names;
}
