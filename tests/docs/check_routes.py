#!/usr/bin/env python3
"""Checks that the docs list exactly the routes of the route tables.

  check_routes.py ROUTE_LIST_BINARY SOURCE_DIR

The binary (tools/route_list.cpp) prints "api METHOD PATTERN" and "admin METHOD PATTERN" lines.
docs/http.md must list every api route in the endpoint tables of its "## Endpoints" section (rows
"| METHOD[, METHOD] | `path`[, `path`] | ..."), and nothing else; docs/testing.md must list every admin
route in the table of "## The admin API" (rows "| `METHOD /path` | ..."). Placeholder names do not
matter (":id", ":org", "{id}" all match any placeholder) and a query string is ignored.
"""
import re
import subprocess
import sys


def norm(path):
    path = path.split("?")[0].rstrip("/") or "/"
    segs = []
    for s in path.split("/"):
        if s.startswith(":") or (s.startswith("{") and s.endswith("}")):
            s = ":"
        segs.append(s)
    return "/".join(segs)


def section(text, heading):
    start = text.find("\n" + heading + "\n")
    if start < 0:
        sys.exit("check_routes: no section '%s'" % heading)
    level = heading.split(" ")[0]
    rest = text[start + len(heading) + 2:]
    m = re.search(r"\n%s " % re.escape(level), rest)
    return rest[: m.start()] if m else rest


def http_md_routes(text):
    out = set()
    for line in section(text, "## Endpoints").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.fullmatch(r"(GET|POST|PATCH|PUT|DELETE)(, (GET|POST|PATCH|PUT|DELETE))*", cells[0]):
            continue
        for method in cells[0].split(", "):
            for path in re.findall(r"`([^`]+)`", cells[1]):
                out.add((method, norm(path)))
    return out


def testing_md_routes(text):
    out = set()
    for line in section(text, "## The admin API").splitlines():
        m = re.match(r"\|\s*`(GET|POST|PATCH|PUT|DELETE) (/_tfe[^`]*)`\s*\|", line)
        if m:
            out.add((m.group(1), norm(m.group(2))))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, root = sys.argv[1], sys.argv[2]
    lines = subprocess.run([binary], check=True, capture_output=True, text=True).stdout.splitlines()
    table = {"api": set(), "admin": set()}
    for line in lines:
        kind, method, pattern = line.split(" ", 2)
        table[kind].add((method, norm(pattern)))
    with open(root + "/docs/http.md", encoding="utf-8") as f:
        documented_api = http_md_routes(f.read())
    with open(root + "/docs/testing.md", encoding="utf-8") as f:
        documented_admin = testing_md_routes(f.read())
    ok = True
    for name, have, doc, page in (("api", table["api"], documented_api, "docs/http.md"),
                                  ("admin", table["admin"], documented_admin, "docs/testing.md")):
        for method, path in sorted(have - doc):
            print("%s: route %s %s is served but not listed" % (page, method, path))
            ok = False
        for method, path in sorted(doc - have):
            print("%s: %s %s is listed but not served" % (page, method, path))
            ok = False
        print("%s: %d %s routes, %d listed" % (page, len(have), name, len(doc)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
