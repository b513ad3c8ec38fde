// Every code excerpt of docs/client.md is a region of a tested file: the block after
// `<!-- excerpt: clients/js/FILE [NAME] -->` must be the text between `// [NAME]` and
// `// [/NAME]` (`<!-- [NAME] -->` in HTML) in FILE, without the region's common indent.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const doc = readFileSync(join(repo, "docs/client.md"), "utf8");

function region(file, name) {
  const lines = readFileSync(join(repo, file), "utf8").split("\n");
  const esc = name.replace(/[-]/g, "\\-");
  const open = new RegExp(`^\\s*(?://|<!--) \\[${esc}\\](?: -->)?\\s*$`);
  const close = new RegExp(`^\\s*(?://|<!--) \\[/${esc}\\](?: -->)?\\s*$`);
  const start = lines.findIndex((l) => open.test(l));
  const end = lines.findIndex((l, i) => i > start && close.test(l));
  assert.ok(start >= 0 && end > start, `${file}: no region [${name}]`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  return body.map((l) => l.slice(indent)).join("\n");
}

const excerpts = [...doc.matchAll(/<!-- excerpt: (\S+) \[([\w-]+)\] -->\n```\w*\n([\s\S]*?)\n```/g)];

test("docs/client.md has excerpts, and every code block of JavaScript or HTML is one", () => {
  assert.ok(excerpts.length >= 10, `${excerpts.length} excerpts`);
  const blocks = [...doc.matchAll(/```(js|html)\n/g)].length;
  assert.equal(blocks, excerpts.length, "a js/html block without an <!-- excerpt: ... --> line");
});

for (const [, file, name, text] of excerpts) {
  test(`docs/client.md excerpt ${name} is ${file}'s region`, () => {
    assert.ok(file.startsWith("clients/js/"), file);
    assert.equal(text, region(file, name));
  });
}
