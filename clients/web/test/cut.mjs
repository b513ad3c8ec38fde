// A TCP relay between a page and the host, for cutting the page's connection the way a
// network does: cut() resets both sides of every relayed connection (the page sees its
// WebSocket fail, code 1006, with no closing handshake; the host sees the session close),
// and while blocked, a new connection is reset as soon as it comes (the page's reconnect
// attempts fail) until unblock(). A page goes through it with ?ws=<relay.url>.
// (DevTools' offline emulation leaves an open WebSocket alone: it cannot cut one.)
import { createServer, connect } from "node:net";

export async function startRelay(port) {
  const pairs = new Set();
  let blocked = false;
  let accepted = 0;
  let refused = 0;
  const server = createServer((page) => {
    if (blocked) {
      refused++;
      page.resetAndDestroy();
      return;
    }
    accepted++;
    const host = connect(Number(port), "127.0.0.1");
    const pair = { page, host };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      page.destroy();
      host.destroy();
    };
    page.on("error", drop).on("close", drop);
    host.on("error", drop).on("close", drop);
    page.pipe(host);
    host.pipe(page);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    /** How many connections it relayed, and how many it reset while blocked. */
    counts: () => ({ accepted, refused, open: pairs.size }),
    /** Resets every relayed connection and refuses new ones until unblock(). */
    cut() {
      blocked = true;
      for (const { page, host } of [...pairs]) {
        page.resetAndDestroy();
        host.resetAndDestroy();
      }
      pairs.clear();
    },
    unblock() {
      blocked = false;
    },
    /** Stops listening and ends the relayed connections. */
    close() {
      for (const { page, host } of pairs) (page.destroy(), host.destroy());
      pairs.clear();
      return new Promise((r) => server.close(r));
    },
  };
}
