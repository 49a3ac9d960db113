package tfetest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfe-project/tfe/clients/go/tfetest"
)

// A configuration with one resource: the simulated executor plans "1 to add" for it.
const mainTF = `resource "terraform_data" "greeting" {
  input = "hello"
}
`

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newRun creates a workspace of org with main.tf uploaded and a run of it.
func newRun(t *testing.T, srv *tfetest.Server, org, workspace string) (*tfe.Workspace, *tfe.Run) {
	t.Helper()
	ws := srv.Workspace(t, org, workspace)
	cv := srv.UploadConfiguration(t, ws.ID, map[string]string{"main.tf": mainTF})
	run, err := srv.Client.Runs.Create(t.Context(), tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	return ws, run
}

// A run driven with go-tfe from the upload to the apply, then one scripted and advanced with the
// admin API.
func TestRunLifecycle(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t, tfetest.WithSeed(7))
	ctx := t.Context()
	org := srv.Organization(t, "acme")
	ws, err := srv.Client.Workspaces.Create(ctx, org.Name, tfe.WorkspaceCreateOptions{Name: tfe.String("prod")})
	must(t, err)

	// Upload a directory holding main.tf with go-tfe (go-slug packs it).
	cv, err := srv.Client.ConfigurationVersions.Create(ctx, ws.ID, tfe.ConfigurationVersionCreateOptions{
		AutoQueueRuns: tfe.Bool(false),
	})
	must(t, err)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o644))
	must(t, srv.Client.ConfigurationVersions.Upload(ctx, cv.UploadURL, dir))
	cv, err = srv.Client.ConfigurationVersions.Read(ctx, cv.ID)
	must(t, err)
	if cv.Status != tfe.ConfigurationUploaded {
		t.Fatalf("configuration version %s after the upload: %s, want uploaded", cv.ID, cv.Status)
	}

	// The first run plans what main.tf proposes: one terraform_data to add. The organization
	// estimates costs (as TFE's do by default), so the run waits for confirmation in
	// cost_estimated. Apply it with go-tfe.
	run, err := srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	run = srv.WaitForRun(t, run.ID, tfe.RunCostEstimated)
	plan, err := srv.Client.Plans.Read(ctx, run.Plan.ID)
	must(t, err)
	if plan.ResourceAdditions != 1 || plan.ResourceChanges != 0 || plan.ResourceDestructions != 0 {
		t.Fatalf("plan of main.tf: +%d ~%d -%d, want +1 ~0 -0", plan.ResourceAdditions, plan.ResourceChanges,
			plan.ResourceDestructions)
	}
	must(t, srv.Client.Runs.Apply(ctx, run.ID, tfe.RunApplyOptions{Comment: tfe.String("ship it")}))
	run = srv.WaitForRun(t, run.ID, tfe.RunApplied)
	apply, err := srv.Client.Applies.Read(ctx, run.Apply.ID)
	must(t, err)
	if apply.ResourceAdditions != 1 {
		t.Fatalf("apply: %d additions, want 1", apply.ResourceAdditions)
	}
	sv, err := srv.Client.StateVersions.ReadCurrent(ctx, ws.ID)
	must(t, err)
	if sv.Serial < 1 {
		t.Fatalf("current state version after the apply: serial %d", sv.Serial)
	}

	// The second run is scripted (two to add, one to change) and advanced to applied in one call.
	must(t, srv.Admin.Script(ctx, tfetest.Script{Next: true, Plan: &tfetest.Phase{
		Counts: &tfetest.Counts{Additions: 2, Changes: 1}}}))
	run2, err := srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv,
		Message: tfe.String("scripted")})
	must(t, err)
	status, err := srv.Admin.AdvanceRun(ctx, run2.ID, tfe.RunApplied)
	must(t, err)
	if status != tfe.RunApplied {
		t.Fatalf("AdvanceRun: %s, want applied", status)
	}
	run2, err = srv.Client.Runs.ReadWithOptions(ctx, run2.ID, &tfe.RunReadOptions{
		Include: []tfe.RunIncludeOpt{tfe.RunPlan, tfe.RunApply}})
	must(t, err)
	if run2.Status != tfe.RunApplied || run2.Message != "scripted" {
		t.Fatalf("run %s: status %s, message %q", run2.ID, run2.Status, run2.Message)
	}
	if run2.Plan.ResourceAdditions != 2 || run2.Plan.ResourceChanges != 1 {
		t.Fatalf("scripted plan: +%d ~%d, want +2 ~1", run2.Plan.ResourceAdditions, run2.Plan.ResourceChanges)
	}
	runs, err := srv.Client.Runs.List(ctx, ws.ID, nil)
	must(t, err)
	if len(runs.Items) != 2 {
		t.Fatalf("workspace %s has %d runs, want 2", ws.ID, len(runs.Items))
	}
}

// Scripts: an errored plan, the 409 of an unreachable status, clearing scripts, bad scripts.
func TestAdminScript(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t)
	ctx := t.Context()
	srv.Organization(t, "acme")
	ws := srv.Workspace(t, "acme", "prod")
	cv := srv.UploadConfiguration(t, ws.ID, map[string]string{"main.tf": mainTF})

	must(t, srv.Admin.Script(ctx, tfetest.Script{Workspace: ws.ID, Plan: &tfetest.Phase{
		Errored: true, ErrorMessage: "boom: scripted failure"}}))
	run, err := srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	_, err = srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunApplied)
	var aerr *tfetest.Error
	if !errors.As(err, &aerr) || aerr.Status != 409 || aerr.Detail == "" {
		t.Fatalf("advancing a run with an errored plan to applied: %v, want a 409 with a detail", err)
	}
	run = srv.WaitForRun(t, run.ID, tfe.RunErrored)
	logs, err := srv.Client.Plans.Logs(ctx, run.Plan.ID)
	must(t, err)
	text, err := io.ReadAll(logs)
	must(t, err)
	if !strings.Contains(string(text), "boom: scripted failure") {
		t.Fatalf("plan log of the errored run does not show the scripted message:\n%s", text)
	}

	// Without scripts the next run plans main.tf again.
	must(t, srv.Admin.ClearScripts(ctx))
	run, err = srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	if st, err := srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunCostEstimated); err != nil || st != tfe.RunCostEstimated {
		t.Fatalf("AdvanceRun to cost_estimated after ClearScripts: %s, %v", st, err)
	}

	// A script names exactly one target, and an existing one.
	err = srv.Admin.Script(ctx, tfetest.Script{Plan: &tfetest.Phase{NoChanges: true}})
	if !tfetest.IsStatus(err, 422) {
		t.Fatalf("a script without a target: %v, want 422", err)
	}
	err = srv.Admin.Script(ctx, tfetest.Script{Run: "run-doesnotexist", Policy: tfetest.PolicyPass})
	if !tfetest.IsStatus(err, 404) {
		t.Fatalf("a script of an unknown run: %v, want 404", err)
	}
	_, err = srv.Admin.AdvanceRun(ctx, "run-doesnotexist", tfe.RunApplied)
	if !tfetest.IsStatus(err, 404) {
		t.Fatalf("advancing an unknown run: %v, want 404", err)
	}
	_, err = srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunStatus("sideways"))
	if !errors.As(err, &aerr) || aerr.Status != 422 || aerr.Pointer != "/to" {
		t.Fatalf("advancing to an unknown status: %v, want 422 at /to", err)
	}
}

// The manual clock: a scripted 20 s plan finishes when the clock has moved 20 s, not before.
func TestAdminClock(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t, tfetest.WithManualClock())
	ctx := t.Context()
	c0, err := srv.Admin.Clock(ctx)
	must(t, err)
	if !c0.Manual || c0.Now.IsZero() {
		t.Fatalf("clock of a server with a manual clock: %+v", c0)
	}
	srv.Organization(t, "acme")
	ws := srv.Workspace(t, "acme", "prod")
	cv := srv.UploadConfiguration(t, ws.ID, map[string]string{"main.tf": mainTF})
	must(t, srv.Admin.Script(ctx, tfetest.Script{Next: true, Plan: &tfetest.Phase{Duration: 20 * time.Second}}))
	run, err := srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	must(t, err)
	srv.WaitForRun(t, run.ID, tfe.RunPlanning)

	c1, err := srv.Admin.AdvanceClock(ctx, 19*time.Second)
	must(t, err)
	if got := c1.Now.Sub(c0.Now); got != 19*time.Second || !c1.Manual {
		t.Fatalf("AdvanceClock(19s): moved %v (manual %v), want 19s", got, c1.Manual)
	}
	if r, err := srv.Client.Runs.Read(ctx, run.ID); err != nil || r.Status != tfe.RunPlanning {
		t.Fatalf("run after 19 of the plan's 20 s: %v, %v; want planning", r.Status, err)
	}
	c2, err := srv.Admin.AdvanceClock(ctx, time.Second)
	must(t, err)
	if got := c2.Now.Sub(c0.Now); got != 20*time.Second {
		t.Fatalf("clock moved %v in all, want 20s", got)
	}
	if r, err := srv.Client.Runs.Read(ctx, run.ID); err != nil || r.Status != tfe.RunCostEstimated {
		t.Fatalf("run after 20 s: %v, %v; want cost_estimated (planned, then its cost estimate)", r.Status, err)
	}
	if c3, err := srv.Admin.Clock(ctx); err != nil || !c3.Now.Equal(c2.Now) {
		t.Fatalf("a frozen clock moved by itself: %v then %v (%v)", c2.Now, c3.Now, err)
	}

	// A server on the system clock refuses to move it.
	live := tfetest.NewServer(t)
	c, err := live.Admin.Clock(ctx)
	must(t, err)
	if c.Manual {
		t.Fatalf("clock of a server without a manual clock: %+v", c)
	}
	if _, err := live.Admin.AdvanceClock(ctx, time.Second); !tfetest.IsStatus(err, 409) {
		t.Fatalf("AdvanceClock without a manual clock: %v, want 409", err)
	}
}

// Faults: a 429 go-tfe retries, a 503 it does not, listing, clearing, the journal of the retries.
func TestAdminFaults(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t)
	ctx := t.Context()
	srv.Organization(t, "acme")

	rules, err := srv.Admin.AddFaults(ctx, tfetest.Fault{Method: "GET", Path: "/api/v2/organizations/*",
		Status: 429, Count: 2, RetryAfter: 10 * time.Millisecond})
	must(t, err)
	want := tfetest.Fault{Method: "GET", Path: "/api/v2/organizations/*", Status: 429, Count: 2,
		RetryAfter: 10 * time.Millisecond, Probability: 1}
	if len(rules) != 1 || rules[0] != want {
		t.Fatalf("AddFaults answered %+v, want [%+v]", rules, want)
	}
	must(t, srv.Admin.ClearRequests(ctx))
	org, err := srv.Client.Organizations.Read(ctx, "acme") // go-tfe retries the two 429s
	must(t, err)
	if org.Name != "acme" {
		t.Fatalf("organization: %+v", org)
	}
	j, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{Route: "GET /api/v2/organizations/:organization"})
	must(t, err)
	var got []string
	for _, e := range j.Entries {
		got = append(got, fmt.Sprintf("%d/%v", e.Status, e.Faulted))
	}
	if fmt.Sprint(got) != "[429/true 429/true 200/false]" {
		t.Fatalf("journal of the organization reads: %v, want [429/true 429/true 200/false]", got)
	}
	if rules, err := srv.Admin.Faults(ctx); err != nil || len(rules) != 0 {
		t.Fatalf("a rule with count 2 after firing twice: %+v, %v; want retired", rules, err)
	}

	// A rule without a count stays until cleared; go-tfe does not retry a 503 by default.
	_, err = srv.Admin.AddFaultsSeeded(ctx, 1, tfetest.Fault{Path: "/api/v2/organizations/acme", Status: 503})
	must(t, err)
	if _, err := srv.Client.Organizations.Read(ctx, "acme"); err == nil {
		t.Fatal("reading the organization through a 503 fault succeeded")
	}
	rules, err = srv.Admin.Faults(ctx)
	must(t, err)
	if len(rules) != 1 || rules[0].Fired != 1 || rules[0].Count != 0 || rules[0].Status != 503 {
		t.Fatalf("faults after one 503: %+v", rules)
	}
	must(t, srv.Admin.ClearFaults(ctx))
	if rules, err := srv.Admin.Faults(ctx); err != nil || len(rules) != 0 {
		t.Fatalf("faults after ClearFaults: %+v, %v", rules, err)
	}
	_, err = srv.Client.Organizations.Read(ctx, "acme")
	must(t, err)

	// Rules are checked before any is added: the second one here has no effect.
	_, err = srv.Admin.AddFaults(ctx, tfetest.Fault{Path: "/x", Status: 500}, tfetest.Fault{Path: "/y"})
	var aerr *tfetest.Error
	if !errors.As(err, &aerr) || aerr.Status != 422 || aerr.Pointer != "/1" {
		t.Fatalf("adding a rule without an effect: %v, want 422 at /1", err)
	}
	if rules, err := srv.Admin.Faults(ctx); err != nil || len(rules) != 0 {
		t.Fatalf("faults after a refused AddFaults: %+v, %v", rules, err)
	}
}

// The request journal and its filters.
func TestAdminRequests(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t)
	ctx := t.Context()
	must(t, srv.Admin.ClearRequests(ctx))
	srv.Organization(t, "acme")
	_, run := newRun(t, srv, "acme", "prod")

	all, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{})
	must(t, err)
	if all.Meta.Count != len(all.Entries) || all.Meta.Count < 5 || all.Meta.Capacity < all.Meta.Count {
		t.Fatalf("journal meta %+v with %d entries", all.Meta, len(all.Entries))
	}
	if all.Meta.Routes["POST /api/v2/organizations"] != 1 || all.Meta.Routes["POST /api/v2/runs"] != 1 {
		t.Fatalf("journal routes: %v", all.Meta.Routes)
	}
	for i := 1; i < len(all.Entries); i++ {
		if all.Entries[i].Seq <= all.Entries[i-1].Seq {
			t.Fatalf("journal not in order: %d then %d", all.Entries[i-1].Seq, all.Entries[i].Seq)
		}
	}

	orgs, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{Route: "POST /api/v2/organizations"})
	must(t, err)
	if len(orgs.Entries) != 1 || orgs.Entries[0].Status != 201 || orgs.Entries[0].Method != "POST" ||
		!strings.Contains(orgs.Entries[0].Request, `"acme"`) || orgs.Entries[0].At.IsZero() {
		t.Fatalf("journal of POST /api/v2/organizations: %+v", orgs.Entries)
	}

	ofRun, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{Run: run.ID})
	must(t, err)
	if len(ofRun.Entries) == 0 || ofRun.Entries[0].Route != "POST /api/v2/runs" ||
		!slices.Contains(ofRun.Entries[0].Runs, run.ID) || !strings.Contains(ofRun.Entries[0].Response, run.ID) {
		t.Fatalf("journal of run %s: %+v", run.ID, ofRun.Entries)
	}

	last, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{Limit: 2})
	must(t, err)
	if len(last.Entries) != 2 || last.Entries[1].Seq != all.Entries[len(all.Entries)-1].Seq {
		t.Fatalf("the latest 2 requests: %+v", last.Entries)
	}

	must(t, srv.Admin.ClearRequests(ctx))
	empty, err := srv.Admin.Requests(ctx, tfetest.RequestsQuery{})
	must(t, err)
	if len(empty.Entries) != 0 {
		t.Fatalf("journal after ClearRequests: %d entries", len(empty.Entries))
	}
}

// Snapshot, reset and restore; a fixture; a refused restore; the endpoint list.
func TestAdminSnapshot(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t, tfetest.WithSeed(3))
	ctx := t.Context()
	srv.Organization(t, "acme")
	ws := srv.Workspace(t, "acme", "prod")

	snap, err := srv.Admin.Snapshot(ctx)
	must(t, err)
	var doc struct {
		Version    int `json:"tfe-snapshot"`
		Workspaces []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"workspaces"`
	}
	must(t, json.Unmarshal(snap, &doc))
	if doc.Version != 1 || len(doc.Workspaces) != 1 || doc.Workspaces[0].ID != ws.ID {
		t.Fatalf("snapshot: %s", snap)
	}

	must(t, srv.Admin.Reset(ctx))
	if _, err := srv.Client.Organizations.Read(ctx, "acme"); !errors.Is(err, tfe.ErrResourceNotFound) {
		t.Fatalf("organization after Reset: %v, want not found", err)
	}
	must(t, srv.Admin.Restore(ctx, snap))
	got, err := srv.Client.Workspaces.Read(ctx, "acme", "prod")
	must(t, err)
	if got.ID != ws.ID {
		t.Fatalf("restored workspace: %s, want %s", got.ID, ws.ID)
	}

	// A hand-written fixture (a Go value), then one with a typo: refused, state unchanged.
	fixture := map[string]any{
		"organizations": []map[string]any{{"name": "fixture-org", "email": "a@example.test"}},
		"workspaces":    []map[string]any{{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}},
	}
	must(t, srv.Admin.Restore(ctx, fixture))
	if w, err := srv.Client.Workspaces.ReadByID(ctx, "ws-fixture"); err != nil || w.Name != "app" {
		t.Fatalf("workspace of the fixture: %+v, %v", w, err)
	}
	err = srv.Admin.Restore(ctx, `{"organizations": [{"name": "x", "emial": "typo"}]}`)
	var aerr *tfetest.Error
	if !errors.As(err, &aerr) || aerr.Status != 422 || !strings.HasPrefix(aerr.Pointer, "/organizations/0") {
		t.Fatalf("restoring a fixture with a typo: %v, want 422 at /organizations/0/...", err)
	}
	if _, err := srv.Client.Workspaces.ReadByID(ctx, "ws-fixture"); err != nil {
		t.Fatalf("a refused restore changed the state: %v", err)
	}

	endpoints, err := srv.Admin.Endpoints(ctx)
	must(t, err)
	for _, e := range []string{"POST /_tfe/reset", "POST /_tfe/runs/{id}/advance", "GET|POST|DELETE /_tfe/faults"} {
		if !slices.Contains(endpoints, e) {
			t.Fatalf("endpoints %v lack %q", endpoints, e)
		}
	}
}

// With an admin token the admin API refuses requests without it. (A tenant's admin API follows
// the shared server's rules: the shared-server run of these tests starts it with --admin-token.)
func TestAdminToken(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t, tfetest.WithPrivateServer(), tfetest.WithAdminToken("admin-secret"))
	ctx := t.Context()
	if _, err := srv.Admin.Clock(ctx); err != nil {
		t.Fatalf("admin API with the admin token: %v", err)
	}
	anonymous := tfetest.NewAdmin(srv.Admin.URL, "", srv.HTTPClient)
	if _, err := anonymous.Clock(ctx); !tfetest.IsStatus(err, 401) {
		t.Fatalf("admin API without the admin token: %v, want 401", err)
	}
	// The API's token does not open the admin API.
	if _, err := tfetest.NewAdmin(srv.Admin.URL, srv.Token, srv.HTTPClient).Clock(ctx); !tfetest.IsStatus(err, 401) {
		t.Fatalf("admin API with the API token: %v, want 401", err)
	}
}

// Server flags: a 60-minute plan stays planning until the admin API advances the run.
func TestServerArgs(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t, tfetest.WithServerArgs("--plan-duration", "60m"))
	if srv.Tenant != "" || srv.BasePath != "/api/v2/" {
		t.Fatalf("WithServerArgs gave a tenant: %+v", srv)
	}
	srv.Organization(t, "acme")
	_, run := newRun(t, srv, "acme", "prod")
	if r := srv.WaitForRun(t, run.ID, tfe.RunPlanning); r.Status != tfe.RunPlanning {
		t.Fatalf("run: %s", r.Status)
	}
	status, err := srv.Admin.AdvanceRun(t.Context(), run.ID, tfe.RunPlanned)
	must(t, err)
	if status != tfe.RunPlanned {
		t.Fatalf("AdvanceRun to planned: %s", status)
	}
	srv.WaitForRun(t, run.ID, tfe.RunPlanned, tfe.RunCostEstimated) // the run goes on to its cost estimate
}

// Several servers (or tenants) at once: each has its own state, and the same seed and requests
// give the same ids in each.
func TestParallelServers(t *testing.T) {
	t.Parallel()
	const n = 4
	var mu sync.Mutex
	ids := map[string][]string{}
	urls := map[string]bool{}
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				srv := tfetest.NewServer(t, tfetest.WithSeed(42))
				srv.Organization(t, "acme")
				ws, run := newRun(t, srv, "acme", "prod")
				status, err := srv.Admin.AdvanceRun(t.Context(), run.ID, tfe.RunApplied)
				must(t, err)
				if status != tfe.RunApplied {
					t.Fatalf("AdvanceRun: %s", status)
				}
				orgs, err := srv.Client.Organizations.List(t.Context(), nil)
				must(t, err)
				wss, err := srv.Client.Workspaces.List(t.Context(), "acme", nil)
				must(t, err)
				if len(orgs.Items) != 1 || len(wss.Items) != 1 {
					t.Fatalf("server %s sees %d organizations and %d workspaces, want 1 and 1 (not shared)",
						srv.URL, len(orgs.Items), len(wss.Items))
				}
				mu.Lock()
				defer mu.Unlock()
				ids["workspace"] = append(ids["workspace"], ws.ID)
				ids["run"] = append(ids["run"], run.ID)
				urls[srv.URL] = true
			})
		}
	})
	if t.Failed() {
		return
	}
	if len(urls) != n {
		t.Fatalf("%d servers had %d distinct URLs: %v", n, len(urls), urls)
	}
	for kind, list := range ids {
		if len(list) != n || len(slices.Compact(slices.Sorted(slices.Values(list)))) != 1 {
			t.Fatalf("%s ids with the same seed differ: %v", kind, list)
		}
	}
}

// Tenants of one tfe-server: what NewServer makes when TFE_SHARED_SERVER (here WithSharedServer)
// is set. Skipped only while tfe-server has no tenant API (404).
func TestTenants(t *testing.T) {
	t.Parallel()
	root := tfetest.NewServer(t, tfetest.WithPrivateServer(), tfetest.WithAdminToken("root-admin"))
	ctx := t.Context()
	if _, err := root.Admin.Tenants(ctx); tfetest.IsStatus(err, 404) {
		t.Skipf("this tfe-server has no tenant API yet (GET /_tfe/tenants answered 404): %v", err)
	} else {
		must(t, err)
	}
	shared := []tfetest.Option{tfetest.WithSharedServer(root.URL), tfetest.WithAdminToken("root-admin"),
		tfetest.WithToken(root.Token)}

	t.Run("two tenants", func(t *testing.T) {
		a := tfetest.NewServer(t, append(shared, tfetest.WithTenantName("alpha"), tfetest.WithSeed(5))...)
		b := tfetest.NewServer(t, append(shared, tfetest.WithManualClock())...)
		if a.Tenant != "alpha" || a.BasePath != "/t/alpha/api/v2/" || a.URL != root.URL+"t/alpha/" ||
			a.Address != root.Address || a.Admin.URL != root.URL+"t/alpha/_tfe/" {
			t.Fatalf("tenant alpha: %+v", a)
		}
		if !strings.HasPrefix(b.Tenant, "testtenants-two_tenants-") || b.BasePath != "/t/"+b.Tenant+"/api/v2/" {
			t.Fatalf("tenant named after the test: %+v", b)
		}
		list, err := root.Admin.Tenants(ctx)
		must(t, err)
		var names []string
		for _, tn := range list {
			names = append(names, tn.Name)
		}
		if !slices.Contains(names, "alpha") || !slices.Contains(names, b.Tenant) {
			t.Fatalf("tenants %v lack alpha and %s", names, b.Tenant)
		}

		// Each tenant has its own state, clock and journal; the root sees none of it.
		for _, srv := range []*tfetest.Server{a, b} {
			srv.Organization(t, "acme")
			_, run := newRun(t, srv, "acme", "prod")
			if st, err := srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunApplied); err != nil || st != tfe.RunApplied {
				t.Fatalf("tenant %s: AdvanceRun: %s, %v", srv.Tenant, st, err)
			}
			if r := srv.WaitForRun(t, run.ID, tfe.RunApplied); r.ID != run.ID {
				t.Fatalf("tenant %s: read run %s", srv.Tenant, r.ID)
			}
		}
		if orgs, err := root.Client.Organizations.List(ctx, nil); err != nil || len(orgs.Items) != 0 {
			t.Fatalf("the root server sees organizations of its tenants: %v, %v", orgs, err)
		}
		ca, err := a.Admin.Clock(ctx)
		must(t, err)
		cb, err := b.Admin.Clock(ctx)
		must(t, err)
		if ca.Manual || !cb.Manual {
			t.Fatalf("clocks: alpha %+v, %s %+v; want only the second manual", ca, b.Tenant, cb)
		}
		must(t, a.Admin.Reset(ctx))
		if _, err := b.Client.Organizations.Read(ctx, "acme"); err != nil {
			t.Fatalf("resetting tenant alpha reset %s: %v", b.Tenant, err)
		}
		j, err := b.Admin.Requests(ctx, tfetest.RequestsQuery{Route: "POST /api/v2/organizations"})
		must(t, err)
		if len(j.Entries) != 1 {
			t.Fatalf("journal of %s: %d organization creations, want 1", b.Tenant, len(j.Entries))
		}

		// Names are unique and checked.
		if _, err := root.Admin.CreateTenant(ctx, tfetest.TenantOptions{Name: "alpha"}); !tfetest.IsStatus(err, 409) {
			t.Fatalf("a second tenant alpha: %v, want 409", err)
		}
		if _, err := root.Admin.CreateTenant(ctx, tfetest.TenantOptions{Name: "Not A Name"}); !tfetest.IsStatus(err, 422) {
			t.Fatalf("a tenant named \"Not A Name\": %v, want 422", err)
		}
	})

	// The tenants were deleted when the subtest ended.
	list, err := root.Admin.Tenants(ctx)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("tenants left after their test: %+v", list)
	}
	if err := root.Admin.DeleteTenant(ctx, "alpha"); !tfetest.IsStatus(err, 404) {
		t.Fatalf("deleting a deleted tenant: %v, want 404", err)
	}
}

// fakeTB records what NewServer reports instead of failing the real test.
type fakeTB struct {
	testing.TB
	fatal    string
	cleanups []func()
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// newServerFailure runs NewServer on a fakeTB and returns the message it failed with.
func newServerFailure(t *testing.T, opts ...tfetest.Option) string {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tfetest.NewServer(f, opts...)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f.fatal
}

// NewServer fails the test with a message that says what to do.
func TestStartFailures(t *testing.T) {
	if msg := newServerFailure(t, tfetest.WithServerArgs("--no-such-flag")); !strings.Contains(msg, "did not start") ||
		!strings.Contains(msg, "--no-such-flag") {
		t.Errorf("a server that refuses its flags: %q", msg)
	}
	missing := filepath.Join(t.TempDir(), "tfe-server")
	t.Setenv(tfetest.EnvServer, missing)
	if msg := newServerFailure(t, tfetest.WithPrivateServer()); !strings.Contains(msg, "TFE_SERVER="+fmt.Sprintf("%q", missing)) {
		t.Errorf("TFE_SERVER naming no file: %q", msg)
	}
	t.Setenv(tfetest.EnvServer, "")
	t.Setenv("PATH", t.TempDir())
	if msg := newServerFailure(t, tfetest.WithPrivateServer()); !strings.Contains(msg, "set TFE_SERVER") {
		t.Errorf("no tfe-server on PATH: %q", msg)
	}
}

// The example of README.md, with a check of its outcome.
func TestDeploy(t *testing.T) {
	t.Parallel()
	srv := tfetest.NewServer(t, tfetest.WithSeed(7))
	ctx := t.Context()
	srv.Organization(t, "acme")
	ws := srv.Workspace(t, "acme", "prod")
	cv := srv.UploadConfiguration(t, ws.ID, map[string]string{"main.tf": `resource "terraform_data" "x" {}`})

	// The next run plans two additions; jump it to "applied" without waiting.
	err := srv.Admin.Script(ctx, tfetest.Script{Next: true, Plan: &tfetest.Phase{Counts: &tfetest.Counts{Additions: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := srv.Client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws, ConfigurationVersion: cv})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunApplied); err != nil {
		t.Fatal(err)
	}
	// ... the code under test reads the run, its plan, the workspace's state ...

	apply, err := srv.Client.Applies.Read(ctx, run.Apply.ID)
	must(t, err)
	if apply.Status != tfe.ApplyFinished || apply.ResourceAdditions != 2 {
		t.Fatalf("apply of the README's run: %s, %d additions; want finished, 2", apply.Status, apply.ResourceAdditions)
	}
}
