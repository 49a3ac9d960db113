// Cookbook: tfe-server's test controls (/_tfe/) from Go, with go-tfe v1 and the test helper tfetest
// (clients/go/tfetest).
//
//	TFE_SERVER=/path/to/tfe-server go test ./...
//
// Each test gets a server of its own from tfetest.NewServer: a tfe-server process, or a tenant of the
// server at $TFE_SHARED_SERVER. So the tests run in parallel and none needs POST /_tfe/reset.
// run_tests.py (the ctest test cookbook_go) runs them both ways.
package cookbook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfe-project/tfe/clients/go/tfetest"
)

// mainTF is the configuration the recipes upload. tfe plans from it: one resource to add, and nothing
// to change once a run has applied it.
const mainTF = `resource "terraform_data" "app" {}` + "\n"

// must stops the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// setup starts a server (tfetest.NewServer, with opts) holding organization acme and its workspace
// prod. The organization estimates costs, as TFE's do by default: a plan with changes waits for
// confirmation in "cost_estimated".
func setup(t *testing.T, opts ...tfetest.Option) (*tfetest.Server, *tfe.Workspace) {
	t.Helper()
	srv := tfetest.NewServer(t, opts...)
	srv.Organization(t, "acme")
	return srv, srv.Workspace(t, "acme", "prod")
}

// newRun uploads mainTF to the workspace and creates a run of it.
func newRun(t *testing.T, srv *tfetest.Server, ws *tfe.Workspace) *tfe.Run {
	t.Helper()
	cv := srv.UploadConfiguration(t, ws.ID, map[string]string{"main.tf": mainTF})
	run, err := srv.Client.Runs.Create(t.Context(), tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	return run
}

// 1. Drive a run to "applied": through the normal API, then with the /_tfe shortcut.
func TestWaitForApplied(t *testing.T) {
	t.Parallel()
	srv, ws := setup(t)
	ctx := t.Context()
	cv, err := srv.Client.ConfigurationVersions.Create(ctx, ws.ID,
		tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(true)})
	must(t, err)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o644))
	must(t, srv.Client.ConfigurationVersions.Upload(ctx, cv.UploadURL, dir)) // the upload queues a run
	runs, err := srv.Client.Runs.List(ctx, ws.ID, nil)
	if err != nil || len(runs.Items) != 1 {
		t.Fatalf("runs of %s: %v, %v", ws.ID, runs, err)
	}
	run := srv.WaitForRun(t, runs.Items[0].ID, tfe.RunCostEstimated) // plans take 0 s, so this is quick
	must(t, srv.Client.Runs.Apply(ctx, run.ID, tfe.RunApplyOptions{Comment: tfe.String("ship it")}))
	srv.WaitForRun(t, run.ID, tfe.RunApplied)

	// Shortcut: jump a run straight to a status. A run of the same main.tf would plan no changes now
	// (it ends planned_and_finished: AdvanceRun answers 409 for applied), so add a resource first.
	cv = srv.UploadConfiguration(t, ws.ID, map[string]string{"main.tf": mainTF + `resource "terraform_data" "db" {}`})
	run, err = srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	if status, err := srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunApplied); err != nil || status != tfe.RunApplied {
		t.Fatalf("advance: %s, %v", status, err)
	}
}

// 2. Make the next 3 reads of a run answer 429: go-tfe retries them by itself (it waits for
// X-RateLimit-Reset), so the call succeeds; the journal shows the retries.
func TestRetryOn429(t *testing.T) {
	t.Parallel()
	srv, ws := setup(t)
	ctx := t.Context()
	run := newRun(t, srv, ws)
	must(t, srv.Admin.ClearRequests(ctx)) // journal only what follows
	_, err := srv.Admin.AddFaults(ctx, tfetest.Fault{Method: "GET", Path: "/api/v2/runs/*",
		Status: 429, Count: 3, RetryAfter: 50 * time.Millisecond})
	must(t, err)

	_, err = srv.Client.Runs.Read(ctx, run.ID) // answered after 3 retries
	must(t, err)

	j, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{Route: "GET /api/v2/runs/:id"})
	must(t, err)
	var got []string // status/faulted of each read
	for _, e := range j.Entries {
		got = append(got, fmt.Sprintf("%d/%v", e.Status, e.Faulted))
	}
	if want := "[429/true 429/true 429/true 200/false]"; fmt.Sprint(got) != want {
		t.Fatalf("reads: %v, want %s", got, want)
	}
}

// 3. Script the workspace's plans to fail; a new run ends "errored" and its log says why.
func TestErroredPlan(t *testing.T) {
	t.Parallel()
	srv, ws := setup(t)
	ctx := t.Context()
	must(t, srv.Admin.Script(ctx, tfetest.Script{Workspace: ws.ID,
		Plan: &tfetest.Phase{Errored: true, ErrorMessage: "Error: Invalid reference"}}))
	run := newRun(t, srv, ws)
	srv.WaitForRun(t, run.ID, tfe.RunErrored)

	logs, err := srv.Client.Plans.Logs(ctx, run.Plan.ID) // reads until the log is complete
	must(t, err)
	text, err := io.ReadAll(logs)
	if err != nil || !strings.Contains(string(text), "Error: Invalid reference") {
		t.Fatalf("plan log: %q, %v", text, err)
	}
	must(t, srv.Admin.ClearScripts(ctx)) // later runs plan normally again
}

// 4. Assert that exactly one apply was sent for a run, and what its body was.
func TestAssertRequests(t *testing.T) {
	t.Parallel()
	srv, ws := setup(t)
	ctx := t.Context()
	run := newRun(t, srv, ws)
	srv.WaitForRun(t, run.ID, tfe.RunCostEstimated)
	// The code under test:
	must(t, srv.Client.Runs.Apply(ctx, run.ID, tfe.RunApplyOptions{Comment: tfe.String("LGTM")}))

	j, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{Run: run.ID, Route: "POST /api/v2/runs/:id/actions/apply"})
	must(t, err)
	if j.Meta.Count != 1 || j.Entries[0].Status != 202 {
		t.Fatalf("want one accepted apply, got %+v", j.Entries)
	}
	var body struct{ Comment string }
	if err := json.Unmarshal([]byte(j.Entries[0].Request), &body); err != nil || body.Comment != "LGTM" {
		t.Fatalf("apply body %q: %v", j.Entries[0].Request, err)
	}
	// Meta.Routes counts every journaled request of the run by route, whatever the route filter.
	if n := j.Meta.Routes["POST /api/v2/runs"]; n != 1 {
		t.Fatalf("run creations: %d, want 1 (%v)", n, j.Meta.Routes)
	}

	must(t, srv.Admin.ClearRequests(ctx))
	j, err = srv.Admin.Requests(ctx, tfetest.RequestsQuery{})
	must(t, err)
	if j.Meta.Count != 0 {
		t.Fatalf("after ClearRequests: %d requests", j.Meta.Count)
	}
}

// 5. Save the state once, and start each test from it (or from a hand-written fixture).
func TestSnapshot(t *testing.T) {
	t.Parallel()
	srv, ws := setup(t)
	ctx := t.Context()
	run := newRun(t, srv, ws)
	_, err := srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunApplied)
	must(t, err)
	saved, err := srv.Admin.Snapshot(ctx) // `tfe-server --snapshot FILE` starts from such a document
	must(t, err)

	must(t, srv.Admin.Reset(ctx))
	if _, err := srv.Client.Organizations.Read(ctx, "acme"); err != tfe.ErrResourceNotFound {
		t.Fatalf("after reset: %v", err)
	}
	must(t, srv.Admin.Restore(ctx, saved))
	if r, err := srv.Client.Runs.Read(ctx, run.ID); err != nil || r.Status != tfe.RunApplied {
		t.Fatalf("after restore: %v, %v", r, err)
	}

	// A fixture lists only what the test needs (restore replaces the whole state; 422 on a bad document).
	must(t, srv.Admin.Restore(ctx, `{
		"organizations": [{"name": "fixture-org", "email": "a@b.test"}],
		"workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}]}`))
	if w, err := srv.Client.Workspaces.Read(ctx, "fixture-org", "app"); err != nil || w.ID != "ws-fixture" {
		t.Fatalf("fixture: %v, %v", w, err)
	}
}

// With a manual clock, a scripted 20 s plan stays "planning" until the clock moves 30 s.
func TestManualClock(t *testing.T) {
	t.Parallel()
	srv, ws := setup(t, tfetest.WithManualClock())
	ctx := t.Context()
	must(t, srv.Admin.Script(ctx, tfetest.Script{Next: true, Plan: &tfetest.Phase{Duration: 20 * time.Second}}))
	run := newRun(t, srv, ws)
	srv.WaitForRun(t, run.ID, tfe.RunPlanning)

	clock, err := srv.Admin.AdvanceClock(ctx, 30*time.Second)
	if err != nil || !clock.Manual {
		t.Fatalf("clock: %+v, %v", clock, err)
	}
	srv.WaitForRun(t, run.ID, tfe.RunCostEstimated)
}
