// Starts build/bin/gamehost (or $GAMEHOST_BUILD_DIR/bin/gamehost) for the demo's tests:
// auth, user, room, card, battlemap and racemap on SQLite in a temporary directory, the
// WebSocket port free (port 0, read from --ready-file) and serving clients/web as web_root.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const web = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repo = join(web, "../..");
const build = process.env.GAMEHOST_BUILD_DIR ?? join(repo, "build");
const bin = join(build, "bin/gamehost");
const pluginDir = join(build, "lib/gamehost/plugins");
const plugins = ["auth", "user", "room", "card", "battlemap", "racemap"];

/** Why the host cannot be started (a missing file), or false. */
export function hostMissing() {
  const missing = [bin, ...plugins.map((p) => join(pluginDir, `${p}.so`))].filter((f) => !existsSync(f));
  return missing.length ? `not built: ${missing.join(", ")}` : false;
}

/** The admin token of the test host (its operator console). */
export const ADMIN_TOKEN = "gamehost-web-test-admin-token";

export async function startHost() {
  const work = mkdtempSync(join(tmpdir(), "gamehost-web-test-"));
  const config = join(work, "gamehost.toml");
  writeFileSync(
    config,
    `[server]
data_dir = "${work}/data"
[listen]
tcp = "127.0.0.1:0"
websocket = "127.0.0.1:0"
web_root = "${web}"
[admin]
listen = "127.0.0.1:0"
token = "${ADMIN_TOKEN}"
[log]
level = "warn"
[storage]
url = ""
migrations_dir = "${repo}/migrations"
[plugins]
dir = "${pluginDir}"
required = true
load = ${JSON.stringify(plugins)}
[plugins.auth]
capabilities = ["bind_user"]
[plugins.auth.settings]
token_secret = "gamehost-web-test-secret-0123456789abcdef"
argon2_ops_limit = 1
argon2_mem_limit_kib = 8
[plugins.user.settings]
starting_coins = 1000
[plugins.room.settings]
games = "doudizhu:3, race:2-8"
[plugins.card.settings]
turn_ms = 30000
[plugins.battlemap.settings]
maps = "field:1000x1000:cell=50:spawn=100,100,120,120:speed=10:tick=10"
[plugins.racemap.settings]
tracks = "dash laps=1 countdown_ms=1000 min_gap_ms=200 limit_ms=60000 cp=0,0,8 60,0,8 60,40,8"
tick_ms = 200
`,
  );
  const ready = join(work, "ready");
  const server = spawn(bin, ["--config", config, "--ready-file", ready], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr.on("data", (d) => (log += d));
  const end = Date.now() + 20000;
  while (!existsSync(ready)) {
    if (server.exitCode !== null) throw new Error(`gamehost exited ${server.exitCode}: ${log}`);
    if (Date.now() > end) throw new Error(`gamehost not ready after 20 s: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports = readFileSync(ready, "utf8");
  const port = ports.match(/^ws=(\d+)$/m)[1];
  const admin = ports.match(/^admin=(\d+)$/m)[1];
  return {
    port,
    console: `http://127.0.0.1:${admin}/console`,
    url: `ws://127.0.0.1:${port}/`,
    page: `http://127.0.0.1:${port}/`,
    log: () => log,
    async stop() {
      if (server.exitCode === null) {
        server.kill("SIGTERM");
        await new Promise((r) => server.once("exit", r));
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}
