#!/usr/bin/env python3
"""Checks that tfe's C++ follows .clang-format: every tracked .cpp/.hpp under include/, tests/, tools/,
examples/, bench/ and fuzz/ must be what clang-format 14 (Debian bookworm's clang-format) makes of it.

  check_format.py SOURCE_DIR [CLANG_FORMAT]

Exit 0: all formatted; 1: files differ (listed, with the command that fixes them); 77: no clang-format
14 (other major versions format differently), reported as skipped.
"""
import os
import re
import shutil
import subprocess
import sys

DIRS = ("include", "tests", "tools", "examples", "bench", "fuzz")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1]
    tool = sys.argv[2] if len(sys.argv) == 3 else (shutil.which("clang-format-14") or shutil.which("clang-format"))
    if not tool:
        print("check_format: clang-format not found (apt-get install clang-format); skipped")
        return 77
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\d+)", version)
    if not m or m.group(1) != "14":
        print("check_format: %s is not clang-format 14 (%s); skipped" % (tool, version.strip()))
        return 77
    files = []
    for d in DIRS:
        top = os.path.join(root, d)
        for dirpath, _, names in os.walk(top):
            files += [os.path.join(dirpath, n) for n in names if n.endswith((".cpp", ".hpp"))]
    bad = []
    for f in sorted(files):
        with open(f, encoding="utf-8") as fh:
            before = fh.read()
        after = subprocess.run([tool, "--style=file", "--assume-filename=" + f], input=before, capture_output=True,
                               text=True, cwd=root).stdout
        if after != before:
            bad.append(os.path.relpath(f, root))
    print("check_format: %d files checked, %d not formatted" % (len(files), len(bad)))
    for f in bad:
        print("  " + f)
    if bad:
        print("fix with: clang-format -i " + " ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
