#!/usr/bin/env python3
"""Checks that docs/protocol.md's table of host error codes (section 4.1) lists exactly the
codes of abi.h's GAMEHOST_HOST_ERROR_CODES, with the same numbers and names.

Usage: check_error_codes.py ABI_H PROTOCOL_MD. Exit status 0 when they agree, 1 with each
difference printed otherwise. Standard library only.
"""

import re
import sys

X_RE = re.compile(r"X\((?P<name>[A-Z_]+),\s*[a-z_]+,\s*(?P<value>\d+),")
ROW_RE = re.compile(r"^\|\s*(?P<value>\d+)\s*\|\s*`(?P<name>[A-Z_]+)`\s*\|")


def codes_in_abi(text):
    start = text.index("#define GAMEHOST_HOST_ERROR_CODES(X)")
    end = text.index("\n\n", start)
    return {int(m["value"]): m["name"] for m in X_RE.finditer(text[start:end])}


def codes_in_doc(text):
    start = text.index("### 4.1 Host codes")
    end = text.find("\n### ", start + 1)
    section = text[start:end if end != -1 else len(text)]
    return {int(m["value"]): m["name"] for line in section.splitlines() if (m := ROW_RE.match(line))}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        abi = codes_in_abi(f.read())
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = codes_in_doc(f.read())
    problems = []
    for value in sorted(set(abi) | set(doc)):
        if value not in doc:
            problems.append(f"code {value} ({abi[value]}) is in abi.h but not in the table")
        elif value not in abi:
            problems.append(f"code {value} ({doc[value]}) is in the table but not in abi.h")
        elif abi[value] != doc[value]:
            problems.append(f"code {value} is {abi[value]} in abi.h but {doc[value]} in the table")
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(abi)} host error codes agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
