// What the demo's tests do on a page the way a user would, shared by the Chromium (cdp.mjs)
// and Firefox (firefox.mjs) tests: a page is { eval, waitFor, click, ... } of either driver.

export const visible = (id) => `!document.getElementById(${JSON.stringify(id)}).hidden`;
export const text = (page, id) => page.eval(`document.getElementById(${JSON.stringify(id)}).textContent`);

// The operator console at the test's window size (1000 px wide): the page does not scroll
// sideways, and every tile and every Reload button lies inside the window. The table may
// scroll inside its card, but an operator must not have to scroll to find a button.
export async function assertConsoleFitsWindow(page) {
  const fit = JSON.parse(await page.eval(`JSON.stringify((() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll(".tile, [data-test=reload-button], [data-test=reload-strategy]")]
      .filter((e) => e.getBoundingClientRect().right > width).map((e) => e.id || e.className);
    return { width, scrollWidth: document.documentElement.scrollWidth, outside };
  })())`));
  if (fit.scrollWidth > fit.width || fit.outside.length > 0)
    throw new Error(`the console does not fit a ${fit.width} px window: ${JSON.stringify(fit)}`);
}

/** Logs in as a guest from the login screen and waits for the lobby with the coins. */
export async function guest(page) {
  await page.waitFor(`${visible("screen-login")} && window.demo?.client?.state === "open"`, { what: "the login screen" });
  await page.click("#btn-guest");
  await page.waitFor(`${visible("screen-lobby")} && document.getElementById("coins").textContent !== ""`, { what: "the lobby" });
}

// 3 = 0 ... 2 = 12, the jokers 13 and 14 (the card ids of card.proto: rank * 4 + suit, 52, 53)
const rank = (id) => (id < 52 ? id >> 2 : id - 52 + 13);

/**
 * What the Dou Dizhu table of `page` shows: whether the result is settled, which buttons are
 * enabled, whether it is the page's turn and it leads, the hand and the last play (card ids
 * from the cards' data-card), the status line.
 */
export function ddzState(page) {
  return page.eval(`(() => {
    const on = (id) => !document.getElementById(id).disabled;
    const ids = (sel) => [...document.querySelectorAll(sel)].map((e) => Number(e.dataset.card));
    return { done: !!document.querySelector('#ddz-coins-change[data-settled=true]'), bid3: on("bid-3"), noBid: on("bid-pass"),
             pass: on("btn-pass"), leads: document.getElementById("ddz-last").dataset.leads === "true",
             myTurn: document.body.dataset.myTurn === "true", phase: window.demo.ddz.view?.phase,
             hand: ids("[data-test=card]"), last: ids("#ddz-last .card"),
             status: document.getElementById("status").textContent };
  })()`);
}

/**
 * One action on the page's Dou Dizhu table by clicking, when it is the page's turn: bid 3
 * when it may, else no bid; when following a single, the lowest higher single (click it,
 * then Play), else Pass; when leading, the lowest card then Play. Returns what it did
 * ("bid", "noBid", "play", "pass") once the server has answered it, or null when it is not
 * the page's turn.
 * Fails when the page offered an action the server refused (the status says why).
 */
export async function ddzStep(page, s) {
  s ??= await ddzState(page);
  if (s.done || !s.myTurn) return null;
  let did;
  if (s.bid3) {
    await page.click("#bid-3");
    did = "bid";
  } else if (s.noBid) {
    await page.click("#bid-pass");
    did = "noBid";
  } else if (s.phase === 1) {
    const beat = s.last.length === 1 ? s.hand.find((x) => rank(x) > rank(s.last[0])) : undefined;
    const card = s.leads ? s.hand[0] : beat;
    if (card === undefined && s.pass) {
      await page.click("#btn-pass");
      did = "pass";
    } else if (card !== undefined) {
      await page.click(`[data-test=card][data-card="${card}"]`);
      await page.waitFor(`!!document.querySelector('[data-test=card][data-card="${card}"].selected') && !document.getElementById("btn-play").disabled`, {
        what: "the selected card",
      });
      await page.click("#btn-play");
      did = "play";
    } else return null;
  } else return null;
  // the click sent the request (the page is busy until its answer); taken: the status is
  // empty; refused: it says why
  await page.waitFor(`!window.demo.ddz.busy`, { what: `the answer to the ${did}` });
  const refused = await text(page, "status");
  if (refused !== "") throw new Error(`the page offered an action (${did}) the server refused: ${refused}`);
  return did;
}

// Plays the page's Dou Dizhu game by clicking what it offers (ddzStep) until the result
// shows; calls onPlaying once, when the first cards are on the table. Returns how often the
// page bid, declined, played and passed. Fails after 150 s, with the page's errors.
export async function playDdzToResult(page, onPlaying) {
  const seen = { bid: 0, noBid: 0, play: 0, pass: 0 };
  let playShot = false;
  const end = Date.now() + 150000;
  for (;;) {
    if (Date.now() >= end) throw new Error(`the game did not end; page errors: ${page.errors.join(" | ")}`);
    const s = await ddzState(page);
    if (s.done) break;
    if (s.phase === 1 && !playShot && s.hand.length < 20) {
      playShot = true;
      await onPlaying();
    }
    const did = await ddzStep(page, s);
    if (did) seen[did]++;
    else await new Promise((r) => setTimeout(r, 50));
  }
  console.log("# the page's actions:", JSON.stringify(seen));
  return seen;
}
