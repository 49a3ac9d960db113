#!/usr/bin/env python3
"""Runs the Go cookbook (cookbook_test.go: go-tfe v1 and tfetest) against tfe-server: the ctest test cookbook_go.

    run_tests.py --server BIN --workdir DIR [--go GO] [--run REGEX]

1. finds a go tool of version 1.25 or newer (--go, $GO, `go` on PATH, /usr/local/go/bin/go); without
   one, exits with status 77 (skipped) and says how to install it;
2. checks the module (gofmt -l, go vet) and builds its test binary (go test -c), one build at a time on
   a shared machine (flock of the file TFE_BUILD_LOCK names, if any), with the module cache, build cache and GOPATH under DIR and
   -mod=readonly: modules come from the Go module proxy as go.sum pins them, and tfetest from this
   checkout (the replace directive in go.mod);
3. runs the tests with TFE_SERVER=BIN: each tfetest.NewServer starts a tfe-server process of its own;
4. starts one tfe-server (--token, --admin-token) and runs the tests again with TFE_SHARED_SERVER
   pointing at it: each NewServer creates a tenant there. Afterwards the server must have no tenant
   left and must exit with status 0 on SIGTERM.

Exit status 0 when both runs pass, 1 when anything fails, 77 without a suitable go tool, 2 usage error.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The steps are those of the Go test helper's own runner: one implementation for both.
_spec = importlib.util.spec_from_file_location(
    "tfetest_run_tests", os.path.join(HERE, "..", "..", "..", "clients", "go", "tfetest", "run_tests.py"))
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

if __name__ == "__main__":
    sys.exit(runner.main(label="cookbook_go", module_dir=HERE, binary_name="cookbook.test",
                         test_flags=("-test.timeout=240s",), doc=__doc__))
