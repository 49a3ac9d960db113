// Cookbook: tfe-server's test controls (/_tfe/) from Go, with the official client go-tfe (0.11.1).
//
//	go test -v . -args http://127.0.0.1:PORT    (or TFE_ADDRESS=http://127.0.0.1:PORT go test -v .)
//
// The server runs with `--manual-clock --admin-token admin-secret` and without --token (see
// examples/cookbook/go/run.sh). go-tfe covers the normal API; the admin API is plain net/http.
// Every test starts from POST /_tfe/reset, so they must not run in parallel.
package cookbook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"
)

var (
	address string // the server's URL: the first positional argument, else $TFE_ADDRESS
	ctx     = context.Background()
)

func TestMain(m *testing.M) {
	flag.Parse()
	address = os.Getenv("TFE_ADDRESS")
	if flag.NArg() > 0 {
		address = flag.Arg(0)
	}
	if address == "" {
		fmt.Fprintln(os.Stderr, "cookbook: give the tfe-server URL as an argument or in TFE_ADDRESS")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// must stops the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// admin calls the admin API (/_tfe/...), checks the status and decodes the answer into out (if not nil).
func admin(t *testing.T, method, path string, body interface{}, want int, out interface{}) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		must(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, address+"/_tfe"+path, rd)
	must(t, err)
	req.Header.Set("Authorization", "Bearer admin-secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s /_tfe%s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		must(t, json.Unmarshal(raw, out))
	}
}

// M is a JSON object.
type M = map[string]interface{}

// journal is (part of) the answer of GET /_tfe/requests.
type journal struct {
	Data []struct {
		Status      int    `json:"status"`
		Faulted     bool   `json:"faulted"`
		RequestBody string `json:"request-body"`
	} `json:"data"`
	Meta struct {
		Count int `json:"count"`
	} `json:"meta"`
}

// setup resets the server and returns a go-tfe client and workspace prod of organization acme
// (cost estimation off, so a run waits for confirmation in "planned").
func setup(t *testing.T) (*tfe.Client, *tfe.Workspace) {
	t.Helper()
	admin(t, "POST", "/reset", nil, 204, nil)
	client, err := tfe.NewClient(&tfe.Config{Address: address, Token: "anything"})
	must(t, err)
	_, err = client.Organizations.Create(ctx, tfe.OrganizationCreateOptions{
		Name: tfe.String("acme"), Email: tfe.String("ops@acme.test"), CostEstimationEnabled: tfe.Bool(false)})
	must(t, err)
	ws, err := client.Workspaces.Create(ctx, "acme", tfe.WorkspaceCreateOptions{Name: tfe.String("prod")})
	must(t, err)
	return client, ws
}

// uploadConfig creates a configuration version and uploads a directory holding a main.tf.
func uploadConfig(t *testing.T, client *tfe.Client, ws *tfe.Workspace, autoQueueRuns bool) {
	t.Helper()
	cv, err := client.ConfigurationVersions.Create(ctx, ws.ID,
		tfe.ConfigurationVersionCreateOptions{AutoQueueRuns: tfe.Bool(autoQueueRuns)})
	must(t, err)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "null_resource" "x" {}`+"\n"), 0o644))
	must(t, client.ConfigurationVersions.Upload(ctx, cv.UploadURL, dir))
}

func createRun(t *testing.T, client *tfe.Client, ws *tfe.Workspace) *tfe.Run {
	t.Helper()
	run, err := client.Runs.Create(ctx, tfe.RunCreateOptions{Workspace: ws})
	must(t, err)
	return run
}

// waitForStatus polls the run until it is in status want (bounded, tiny sleep).
func waitForStatus(t *testing.T, client *tfe.Client, runID string, want tfe.RunStatus) {
	t.Helper()
	var status tfe.RunStatus
	for i := 0; i < 200; i++ {
		run, err := client.Runs.Read(ctx, runID)
		must(t, err)
		if status = run.Status; status == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("run %s: still %q, want %q", runID, status, want)
}

// 1. Drive a run to "applied": through the normal API, then with the /_tfe shortcut.
func TestWaitForApplied(t *testing.T) {
	client, ws := setup(t)
	uploadConfig(t, client, ws, true) // the upload queues a run
	runs, err := client.Runs.List(ctx, ws.ID, tfe.RunListOptions{})
	if err != nil || len(runs.Items) != 1 {
		t.Fatalf("runs of %s: %v, %v", ws.ID, runs, err)
	}
	run := runs.Items[0]
	waitForStatus(t, client, run.ID, tfe.RunPlanned) // plans take 0 s, so this is quick
	must(t, client.Runs.Apply(ctx, run.ID, tfe.RunApplyOptions{Comment: tfe.String("ship it")}))
	waitForStatus(t, client, run.ID, tfe.RunApplied)

	// Shortcut: jump a run straight to a status (409 when the status is unreachable).
	run = createRun(t, client, ws)
	var got struct{ ID, Status string }
	admin(t, "POST", "/runs/"+run.ID+"/advance", M{"to": "applied"}, 200, &got)
	if got.ID != run.ID || got.Status != "applied" {
		t.Fatalf("advance: %+v", got)
	}
}

// 2. Make the next 3 reads of a run answer 429: go-tfe retries them by itself (it waits for
// X-RateLimit-Reset), so the call succeeds; the journal shows the retries.
func TestRetryOn429(t *testing.T) {
	client, ws := setup(t)
	uploadConfig(t, client, ws, false)
	run := createRun(t, client, ws)
	admin(t, "DELETE", "/requests", nil, 204, nil) // journal only what follows
	admin(t, "POST", "/faults", []M{{"method": "GET", "path": "/api/v2/runs/*",
		"status": 429, "count": 3, "retry-after": 0.05}}, 201, nil)

	_, err := client.Runs.Read(ctx, run.ID) // answered after 3 retries
	must(t, err)

	var j journal
	admin(t, "GET", "/requests?route=GET%20/api/v2/runs/:id", nil, 200, &j)
	var got []string // status/faulted of each read
	for _, e := range j.Data {
		got = append(got, fmt.Sprintf("%d/%v", e.Status, e.Faulted))
	}
	if want := "[429/true 429/true 429/true 200/false]"; fmt.Sprint(got) != want {
		t.Fatalf("reads: %v, want %s", got, want)
	}
}

// 3. Script the workspace's plans to fail; a new run ends "errored" and its log says why.
func TestErroredPlan(t *testing.T) {
	client, ws := setup(t)
	uploadConfig(t, client, ws, false)
	admin(t, "POST", "/script", M{"workspace": ws.ID,
		"plan": M{"errored": true, "error-message": "Error: Invalid reference"}}, 204, nil)
	run := createRun(t, client, ws)
	waitForStatus(t, client, run.ID, tfe.RunErrored)

	logs, err := client.Plans.Logs(ctx, run.Plan.ID) // reads until the log is complete
	must(t, err)
	text, err := io.ReadAll(logs)
	if err != nil || !strings.Contains(string(text), "Error: Invalid reference") {
		t.Fatalf("plan log: %q, %v", text, err)
	}
	admin(t, "DELETE", "/script", nil, 204, nil) // later runs plan normally again
}

// 4. Assert that exactly one apply was sent for a run, and what its body was.
func TestAssertRequests(t *testing.T) {
	client, ws := setup(t)
	uploadConfig(t, client, ws, false)
	run := createRun(t, client, ws)
	waitForStatus(t, client, run.ID, tfe.RunPlanned)
	// The code under test:
	must(t, client.Runs.Apply(ctx, run.ID, tfe.RunApplyOptions{Comment: tfe.String("LGTM")}))

	var j journal
	admin(t, "GET", "/requests?run="+run.ID+"&route=POST%20/api/v2/runs/:id/actions/apply", nil, 200, &j)
	if j.Meta.Count != 1 || j.Data[0].Status != 202 {
		t.Fatalf("want one accepted apply, got %+v", j.Data)
	}
	var body struct{ Comment string }
	if err := json.Unmarshal([]byte(j.Data[0].RequestBody), &body); err != nil || body.Comment != "LGTM" {
		t.Fatalf("apply body %q: %v", j.Data[0].RequestBody, err)
	}

	admin(t, "DELETE", "/requests", nil, 204, nil)
	admin(t, "GET", "/requests", nil, 200, &j)
	if j.Meta.Count != 0 {
		t.Fatalf("after DELETE: %d requests", j.Meta.Count)
	}
}

// 5. Save the state once, and start each test from it (or from a hand-written fixture).
func TestSnapshot(t *testing.T) {
	client, ws := setup(t)
	uploadConfig(t, client, ws, false)
	run := createRun(t, client, ws)
	admin(t, "POST", "/runs/"+run.ID+"/advance", M{"to": "applied"}, 200, nil)
	var saved json.RawMessage // `tfe-server --snapshot FILE` starts from such a document
	admin(t, "GET", "/snapshot", nil, 200, &saved)

	admin(t, "POST", "/reset", nil, 204, nil)
	if _, err := client.Organizations.Read(ctx, "acme"); err != tfe.ErrResourceNotFound {
		t.Fatalf("after reset: %v", err)
	}
	admin(t, "POST", "/restore", saved, 204, nil)
	if r, err := client.Runs.Read(ctx, run.ID); err != nil || r.Status != tfe.RunApplied {
		t.Fatalf("after restore: %v, %v", r, err)
	}

	// A fixture lists only what the test needs (restore replaces the whole state; 422 on a bad document).
	admin(t, "POST", "/restore", json.RawMessage(`{
		"organizations": [{"name": "fixture-org", "email": "a@b.test"}],
		"workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}]}`), 204, nil)
	if w, err := client.Workspaces.Read(ctx, "fixture-org", "app"); err != nil || w.ID != "ws-fixture" {
		t.Fatalf("fixture: %v, %v", w, err)
	}
}

// With --manual-clock, a scripted 20 s plan stays "planning" until the clock moves 30 s.
func TestManualClock(t *testing.T) {
	client, ws := setup(t)
	uploadConfig(t, client, ws, false)
	admin(t, "POST", "/script", M{"next": true, "plan": M{"duration-ms": 20000}}, 204, nil)
	run := createRun(t, client, ws)
	waitForStatus(t, client, run.ID, tfe.RunPlanning)

	var clock struct{ Manual bool } // the answer is {"now": ISO 8601 time, "manual": true}
	admin(t, "POST", "/clock/advance", M{"seconds": 30}, 200, &clock)
	if !clock.Manual {
		t.Fatalf("clock: %+v", clock)
	}
	waitForStatus(t, client, run.ID, tfe.RunPlanned)
}
