#!/usr/bin/env python3
"""Checks that every code block marked `<!-- snippet: PATH -->` in a Markdown file appears verbatim
in PATH (relative to the repository root), so documentation excerpts cannot drift from the code
they quote. Usage: check_snippets.py ROOT DOC.md [DOC.md...]; exit 1 on a mismatch or no snippet."""
import pathlib
import re
import sys

MARK = re.compile(r"<!-- snippet: (\S+) -->\n```[a-z]*\n(.*?)\n```", re.S)


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    failures, seen = 0, 0
    for doc in sys.argv[2:]:
        text = (root / doc).read_text()
        for m in MARK.finditer(text):
            seen += 1
            path, block = m.group(1), m.group(2)
            target = root / path
            if not target.is_file():
                print(f"{doc}: snippet source {path} does not exist")
                failures += 1
            elif block not in target.read_text():
                line = text[: m.start()].count("\n") + 1
                print(f"{doc}:{line}: this snippet no longer appears verbatim in {path}:\n{block}\n")
                failures += 1
    if seen == 0:
        print("no snippets found")
        return 1
    print(f"{seen} snippets checked, {failures} out of date")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
