#!/usr/bin/env python3
"""Checks that the code snippets in markdown files match the code they were cut from.

A snippet in a markdown file is an HTML comment naming a file and a marker, followed by a
fenced code block:

    <!-- snippet: sdk/examples/echo/echo_plugin.cpp#echo-handler -->
    ```cpp
    ...
    ```

In the named file (relative to --root), the snippet is the lines between the two marker
lines `// [echo-handler]` (or `# [echo-handler]`), dedented with textwrap.dedent. The fenced
block must equal it exactly. Snippet comments inside fenced blocks are ignored.

Exit status: 0 when every snippet matches ("N snippets checked"), 1 on any mismatch,
missing file or missing/unpaired marker (each problem is printed with a diff), 2 on bad usage.
Standard library only.
"""

import argparse
import difflib
import re
import sys
import textwrap
from pathlib import Path

SNIPPET_RE = re.compile(r"^<!--\s*snippet:\s*(?P<path>[^#\s]+)#(?P<name>[^\s]+)\s*-->$")
FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})")


class Problem(Exception):
    pass


def marker_lines(source_lines, name):
    """Indexes of the lines that are markers for `name`."""
    wanted = {f"// [{name}]", f"# [{name}]"}
    return [i for i, line in enumerate(source_lines) if line.strip() in wanted]


def extract(root, rel_path, name):
    path = root / rel_path
    if not path.is_file():
        raise Problem(f"source file {rel_path} does not exist (under {root})")
    lines = path.read_text(encoding="utf-8").splitlines()
    marks = marker_lines(lines, name)
    if len(marks) == 0:
        raise Problem(f"marker [{name}] not found in {rel_path}")
    if len(marks) != 2:
        where = ", ".join(str(i + 1) for i in marks)
        raise Problem(f"marker [{name}] must appear exactly twice in {rel_path}, "
                      f"found {len(marks)} (lines {where})")
    body = lines[marks[0] + 1:marks[1]]
    if not body:
        raise Problem(f"marker pair [{name}] in {rel_path} encloses no lines")
    return textwrap.dedent("\n".join(body) + "\n").rstrip("\n")


def fenced_block_after(md_lines, start):
    """The text of the fenced block that follows line `start` (blank lines may come
    between). Returns (text, index of the closing fence line)."""
    i = start + 1
    while i < len(md_lines) and md_lines[i].strip() == "":
        i += 1
    if i >= len(md_lines):
        raise Problem("no fenced code block after the snippet comment")
    m = FENCE_RE.match(md_lines[i])
    if not m:
        raise Problem(f"line {i + 1} should open a fenced code block, found: {md_lines[i]!r}")
    fence = m.group("fence")
    body = []
    j = i + 1
    while j < len(md_lines):
        stripped = md_lines[j].strip()
        if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
            return "\n".join(body).rstrip("\n"), j
        body.append(md_lines[j])
        j += 1
    raise Problem(f"the fenced code block opened at line {i + 1} is never closed")


def check_file(md_path, root):
    """Returns (snippets checked, list of problem texts)."""
    md_lines = md_path.read_text(encoding="utf-8").splitlines()
    checked = 0
    problems = []
    in_fence = None
    i = 0
    while i < len(md_lines):
        line = md_lines[i]
        fence = FENCE_RE.match(line.strip())
        if in_fence is not None:
            if fence and line.strip().strip(in_fence[0]) == "" and len(line.strip()) >= len(in_fence):
                in_fence = None
            i += 1
            continue
        if fence:
            in_fence = fence.group("fence")
            i += 1
            continue
        m = SNIPPET_RE.match(line.strip())
        if not m:
            i += 1
            continue
        where = f"{md_path}:{i + 1}"
        ref = f"{m.group('path')}#{m.group('name')}"
        checked += 1
        try:
            expected = extract(root, m.group("path"), m.group("name"))
            actual, end = fenced_block_after(md_lines, i)
        except Problem as e:
            problems.append(f"{where}: snippet {ref}: {e}")
            i += 1
            continue
        if actual != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), actual.splitlines(),
                fromfile=f"{ref} (source, dedented)", tofile=f"{where} (markdown)", lineterm="")
            problems.append(f"{where}: snippet {ref} differs from its source:\n" + "\n".join(diff))
        i = end + 1
    return checked, problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="directory snippet paths are relative to (default: the repository)")
    parser.add_argument("markdown", nargs="+", type=Path, help="markdown files to check")
    args = parser.parse_args(argv)

    total = 0
    problems = []
    for md in args.markdown:
        if not md.is_file():
            problems.append(f"{md}: markdown file does not exist")
            continue
        checked, found = check_file(md, args.root)
        total += checked
        problems.extend(found)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
            print(file=sys.stderr)
        print(f"{len(problems)} problem(s) in {total} snippets: copy the code between the "
              "markers into the markdown again, or fix the markers", file=sys.stderr)
        return 1
    print(f"{total} snippets checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
