package tfetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tfe "github.com/hashicorp/go-tfe"
)

// Admin is a client of a tfe-server's admin API, the test controls under /_tfe/ (docs/testing.md
// in the tfe repository). Each method makes one request; an error answer comes back as an *Error.
// An Admin is safe for concurrent use.
type Admin struct {
	// URL is the root of the admin API, ending in "/_tfe/" (for a tenant "/t/NAME/_tfe/").
	URL string
	// Token is sent as "Authorization: Bearer TOKEN" when not empty (tfe-server --admin-token).
	Token string
	// HTTPClient makes the requests.
	HTTPClient *http.Client
}

// NewAdmin returns a client of the admin API at url (e.g. "http://127.0.0.1:8080/_tfe/"); token
// is the server's admin token or "", hc the HTTP client (nil: http.DefaultClient).
func NewAdmin(url, token string, hc *http.Client) *Admin {
	if !strings.HasSuffix(url, "/") {
		url += "/"
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Admin{URL: url, Token: token, HTTPClient: hc}
}

// Error is an error answer of the admin API (a JSON:API error document), or an answer with an
// unexpected status.
type Error struct {
	// Method and URL of the request.
	Method, URL string
	// Status is the HTTP status of the answer.
	Status int
	// Title and Detail are the error's title and detail; Detail is the start of the body when
	// the answer was not an error document.
	Title, Detail string
	// Pointer is the JSON pointer to the culprit in the request body (source.pointer), if any.
	Pointer string
}

// Error describes the failed request: method, URL, status, title, detail and pointer.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.URL, e.Status)
	if e.Title != "" {
		b.WriteString(" " + e.Title)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Pointer != "" {
		b.WriteString(" (at " + e.Pointer + ")")
	}
	return b.String()
}

// IsStatus reports whether err is (or wraps) an *Error with this HTTP status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// do sends one request to a.URL + path and decodes a JSON answer into out (when not nil). body is
// nil (no body), []byte or json.RawMessage (sent as is), or a value to encode as JSON.
func (a *Admin) do(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		var b []byte
		switch v := body.(type) {
		case []byte:
			b = v
		case json.RawMessage:
			b = v
		default:
			var err error
			if b, err = json.Marshal(body); err != nil {
				return fmt.Errorf("%s %s: encoding the body: %w", method, a.URL+path, err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if a.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.Token)
	}
	res, err := a.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, req.URL, err)
	}
	if res.StatusCode != want {
		return errorFrom(method, req.URL.String(), res.StatusCode, data)
	}
	if out != nil {
		if raw, ok := out.(*json.RawMessage); ok {
			*raw = append(json.RawMessage(nil), data...)
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding the answer: %w", method, req.URL, err)
		}
	}
	return nil
}

func errorFrom(method, url string, status int, body []byte) *Error {
	e := &Error{Method: method, URL: url, Status: status}
	var doc struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
			Source struct {
				Pointer string `json:"pointer"`
			} `json:"source"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		e.Title, e.Detail, e.Pointer = doc.Errors[0].Title, doc.Errors[0].Detail, doc.Errors[0].Source.Pointer
		return e
	}
	e.Title = http.StatusText(status)
	d := strings.TrimSpace(string(body))
	if len(d) > 200 {
		d = d[:200] + "..."
	}
	e.Detail = d
	return e
}

// Endpoints lists the admin API's endpoints, e.g. "POST /_tfe/reset" (GET /_tfe/).
func (a *Admin) Endpoints(ctx context.Context) ([]string, error) {
	var doc struct {
		Endpoints []string `json:"endpoints"`
	}
	err := a.do(ctx, "GET", "", nil, http.StatusOK, &doc)
	return doc.Endpoints, err
}

// Reset empties the server: every organization, workspace, run and the rest; it also clears
// faults, the request journal and scripts, and with a seed reseeds the ids (POST /_tfe/reset). The
// clock is not rewound.
func (a *Admin) Reset(ctx context.Context) error {
	return a.do(ctx, "POST", "reset", nil, http.StatusNoContent, nil)
}

// Snapshot returns the whole state as one JSON document (GET /_tfe/snapshot).
func (a *Admin) Snapshot(ctx context.Context) (json.RawMessage, error) {
	var doc json.RawMessage
	err := a.do(ctx, "GET", "snapshot", nil, http.StatusOK, &doc)
	return doc, err
}

// Restore replaces the state with a snapshot or a fixture (POST /_tfe/restore): doc is a
// json.RawMessage, []byte or string sent as is, or a value encoded as JSON. An invalid document
// changes nothing and answers 422 with the pointer to the culprit.
func (a *Admin) Restore(ctx context.Context, doc any) error {
	if s, ok := doc.(string); ok {
		doc = []byte(s)
	}
	return a.do(ctx, "POST", "restore", doc, http.StatusNoContent, nil)
}

// ---- faults --------------------------------------------------------------------------------------

// Fault is a fault rule (docs/testing.md#faults): which requests it hits and what happens to them.
// A rule needs a Status, a Latency or a Transport.
type Fault struct {
	// Method is the HTTP method it hits ("GET", ...); "": any.
	Method string
	// Path is a glob over the request path without the query; "*" matches any characters, "/"
	// included ("/api/v2/runs/*/actions/apply").
	Path string
	// Count is how many times it fires before it retires; 0: until cleared. In a listing, the
	// count left.
	Count int
	// Probability is the chance it fires on a match (drawn from the server's seeded generator);
	// 0 means 1.
	Probability float64
	// Status answers with this HTTP status instead of serving the request.
	Status int
	// RetryAfter is the Retry-After of a 429 or 503 (whole milliseconds count).
	RetryAfter time.Duration
	// Latency delays the answer (whole milliseconds count).
	Latency time.Duration
	// Transport is "drop" (close without answering) or "truncate" (half the body, then close).
	Transport string
	// Body replaces the error document of a Status answer.
	Body string
	// Fired is how often the rule fired (listings only).
	Fired int
}

type faultWire struct {
	Method      string   `json:"method,omitempty"`
	Path        string   `json:"path,omitempty"`
	Count       *int     `json:"count,omitempty"`
	Probability *float64 `json:"probability,omitempty"`
	Status      int      `json:"status,omitempty"`
	RetryAfter  *float64 `json:"retry-after,omitempty"`
	LatencyMS   int64    `json:"latency-ms,omitempty"`
	Transport   string   `json:"transport,omitempty"`
	Body        string   `json:"body,omitempty"`
	Fired       *int     `json:"fired,omitempty"`
}

// MarshalJSON writes the rule as POST /_tfe/faults takes it.
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultWire{Method: f.Method, Path: f.Path, Status: f.Status, Transport: f.Transport, Body: f.Body,
		LatencyMS: f.Latency.Milliseconds()}
	if f.Count > 0 {
		w.Count = &f.Count
	}
	if f.Probability > 0 {
		w.Probability = &f.Probability
	}
	if f.RetryAfter > 0 {
		s := f.RetryAfter.Seconds()
		w.RetryAfter = &s
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a rule as GET /_tfe/faults lists it.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w faultWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Fault{Method: w.Method, Path: w.Path, Status: w.Status, Transport: w.Transport, Body: w.Body,
		Latency: time.Duration(w.LatencyMS) * time.Millisecond}
	if w.Count != nil {
		f.Count = *w.Count
	}
	if w.Probability != nil {
		f.Probability = *w.Probability
	}
	if w.RetryAfter != nil {
		f.RetryAfter = time.Duration(math.Round(*w.RetryAfter*1000)) * time.Millisecond
	}
	if w.Fired != nil {
		f.Fired = *w.Fired
	}
	return nil
}

type faultList struct {
	Rules []Fault `json:"rules"`
}

// Faults lists the rules in force, with their remaining counts and how often each fired
// (GET /_tfe/faults).
func (a *Admin) Faults(ctx context.Context) ([]Fault, error) {
	var l faultList
	err := a.do(ctx, "GET", "faults", nil, http.StatusOK, &l)
	return l.Rules, err
}

// AddFaults adds rules after checking them all (POST /_tfe/faults) and returns every rule then in
// force.
func (a *Admin) AddFaults(ctx context.Context, rules ...Fault) ([]Fault, error) {
	var l faultList
	if rules == nil {
		rules = []Fault{}
	}
	err := a.do(ctx, "POST", "faults", rules, http.StatusCreated, &l)
	return l.Rules, err
}

// AddFaultsSeeded reseeds the generator of fault decisions with seed, then adds rules like
// AddFaults.
func (a *Admin) AddFaultsSeeded(ctx context.Context, seed uint64, rules ...Fault) ([]Fault, error) {
	var l faultList
	if rules == nil {
		rules = []Fault{}
	}
	body := struct {
		Rules []Fault `json:"rules"`
		Seed  uint64  `json:"seed"`
	}{rules, seed}
	err := a.do(ctx, "POST", "faults", body, http.StatusCreated, &l)
	return l.Rules, err
}

// ClearFaults removes every rule (DELETE /_tfe/faults).
func (a *Admin) ClearFaults(ctx context.Context) error {
	return a.do(ctx, "DELETE", "faults", nil, http.StatusNoContent, nil)
}

// ---- the request journal -------------------------------------------------------------------------

// RequestsQuery filters the request journal; zero members do not filter.
type RequestsQuery struct {
	// Route keeps the requests of one route template, e.g. "POST /api/v2/runs/:id/actions/apply".
	Route string
	// Run keeps the requests concerning this run.
	Run string
	// Limit keeps the latest Limit requests (after the other filters); 0: all.
	Limit int
}

// Request is one journaled request and its answer.
type Request struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Method   string    `json:"method"`
	Target   string    `json:"target"` // path and query
	Route    string    `json:"route"`  // the route template, e.g. "GET /api/v2/runs/:id"
	Status   int       `json:"status"`
	Faulted  bool      `json:"faulted"` // a fault rule fired
	Runs     []string  `json:"runs"`    // the runs concerned
	Request  string    `json:"request-body"`
	Response string    `json:"response-body"`
}

// Requests is an answer of GET /_tfe/requests.
type Requests struct {
	// Entries are the matching requests, oldest first.
	Entries []Request `json:"data"`
	// Meta: Count is the number that matched (before Limit), Capacity the journal's size,
	// Dropped how many old entries it forgot, Routes the count of every route template among the
	// requests of the run filter (or all).
	Meta struct {
		Count    int            `json:"count"`
		Capacity int            `json:"capacity"`
		Dropped  int            `json:"dropped"`
		Routes   map[string]int `json:"routes"`
	} `json:"meta"`
}

// Requests reads the request journal (GET /_tfe/requests?route=&run=&limit=). Admin requests are
// never journaled.
func (a *Admin) Requests(ctx context.Context, q RequestsQuery) (*Requests, error) {
	v := url.Values{}
	if q.Route != "" {
		v.Set("route", q.Route)
	}
	if q.Run != "" {
		v.Set("run", q.Run)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	path := "requests"
	if len(v) > 0 {
		path += "?" + strings.ReplaceAll(v.Encode(), "+", "%20")
	}
	var r Requests
	if err := a.do(ctx, "GET", path, nil, http.StatusOK, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ClearRequests empties the request journal (DELETE /_tfe/requests).
func (a *Admin) ClearRequests(ctx context.Context) error {
	return a.do(ctx, "DELETE", "requests", nil, http.StatusNoContent, nil)
}

// ---- runs and scripts ----------------------------------------------------------------------------

// AdvanceRun moves a run along legal transitions until it is in status to, taking the user's
// actions where needed (apply, discard, ...), and returns the run's status then
// (POST /_tfe/runs/{id}/advance). It answers 409 when to cannot be reached and 404 for an unknown
// run.
func (a *Admin) AdvanceRun(ctx context.Context, runID string, to tfe.RunStatus) (tfe.RunStatus, error) {
	var r struct {
		ID     string        `json:"id"`
		Status tfe.RunStatus `json:"status"`
	}
	err := a.do(ctx, "POST", "runs/"+url.PathEscape(runID)+"/advance", map[string]string{"to": string(to)},
		http.StatusOK, &r)
	return r.Status, err
}

// Policy is a scripted policy-check result.
type Policy string

// Scripted policy-check results.
const (
	PolicyPass     Policy = "pass"      // the policy check passes
	PolicySoftFail Policy = "soft-fail" // it fails, and a user may override it
	PolicyHardFail Policy = "hard-fail" // it fails: the run cannot go on
)

// Script overrides what runs do (docs/testing.md#scripted-outcomes). Name exactly one of Run,
// Workspace and Next.
type Script struct {
	// Run scripts this run.
	Run string `json:"run,omitempty"`
	// Workspace scripts every later run of this workspace.
	Workspace string `json:"workspace,omitempty"`
	// Next scripts the next run whose plan starts (scripts queue up).
	Next bool `json:"next,omitempty"`
	// Plan and Apply are the outcomes of the phases; nil: the default.
	Plan  *Phase `json:"plan,omitempty"`
	Apply *Phase `json:"apply,omitempty"`
	// Policy forces a policy-check stage with this result.
	Policy Policy `json:"policy,omitempty"`
	// CostDelta, when not nil, forces a cost estimate with this monthly delta.
	CostDelta *float64 `json:"cost-delta,omitempty"`
}

// Counts are the resource counts of a plan or an apply.
type Counts struct {
	Additions    int `json:"additions"`
	Changes      int `json:"changes"`
	Destructions int `json:"destructions"`
	Imports      int `json:"imports"`
}

// Phase is the scripted outcome of a plan or an apply. Zero members keep the default.
type Phase struct {
	// Errored makes the phase fail (the run ends errored) with ErrorMessage in its log.
	Errored      bool
	ErrorMessage string
	// Counts is what the phase proposes or does.
	Counts *Counts
	// NoChanges plans no changes: the run ends planned_and_finished.
	NoChanges bool
	// Duration is how long the phase takes, in clock time (whole milliseconds count).
	Duration time.Duration
	// Log replaces the phase's log text.
	Log string
	// SlowCancel makes a cancel never complete by itself (force-cancel is needed);
	// CancelDuration is how long a cancel takes.
	SlowCancel     bool
	CancelDuration time.Duration
}

// MarshalJSON writes the phase as POST /_tfe/script takes it.
func (p Phase) MarshalJSON() ([]byte, error) {
	w := struct {
		Errored          bool    `json:"errored,omitempty"`
		ErrorMessage     string  `json:"error-message,omitempty"`
		Counts           *Counts `json:"counts,omitempty"`
		NoChanges        bool    `json:"no-changes,omitempty"`
		DurationMS       *int64  `json:"duration-ms,omitempty"`
		Log              string  `json:"log,omitempty"`
		SlowCancel       bool    `json:"slow-cancel,omitempty"`
		CancelDurationMS *int64  `json:"cancel-duration-ms,omitempty"`
	}{Errored: p.Errored, ErrorMessage: p.ErrorMessage, Counts: p.Counts, NoChanges: p.NoChanges, Log: p.Log,
		SlowCancel: p.SlowCancel}
	if p.Duration > 0 {
		ms := p.Duration.Milliseconds()
		w.DurationMS = &ms
	}
	if p.CancelDuration > 0 {
		ms := p.CancelDuration.Milliseconds()
		w.CancelDurationMS = &ms
	}
	return json.Marshal(w)
}

// Script adds a script (POST /_tfe/script). It answers 404 for an unknown run or workspace and 422
// for an invalid script.
func (a *Admin) Script(ctx context.Context, s Script) error {
	return a.do(ctx, "POST", "script", s, http.StatusNoContent, nil)
}

// ClearScripts removes every script (DELETE /_tfe/script).
func (a *Admin) ClearScripts(ctx context.Context) error {
	return a.do(ctx, "DELETE", "script", nil, http.StatusNoContent, nil)
}

// ---- the clock -----------------------------------------------------------------------------------

// Clock is the server's time and whether it is manual (frozen, moved by AdvanceClock).
type Clock struct {
	Now    time.Time `json:"now"`
	Manual bool      `json:"manual"`
}

// Clock reads the server's time (GET /_tfe/clock).
func (a *Admin) Clock(ctx context.Context) (Clock, error) {
	var c Clock
	err := a.do(ctx, "GET", "clock", nil, http.StatusOK, &c)
	return c, err
}

// AdvanceClock moves a manual clock forward by d (whole milliseconds count), performing each step
// that falls due at its own time, and returns the clock then (POST /_tfe/clock/advance). A server
// without a manual clock (WithManualClock) answers 409.
func (a *Admin) AdvanceClock(ctx context.Context, d time.Duration) (Clock, error) {
	var c Clock
	err := a.do(ctx, "POST", "clock/advance", map[string]int64{"ms": d.Milliseconds()}, http.StatusOK, &c)
	return c, err
}

// ---- tenants -------------------------------------------------------------------------------------

// TenantOptions are the members of POST /_tfe/tenants; all are optional.
type TenantOptions struct {
	// Name is the tenant's name (1-63 characters of a-z, 0-9, "-", "_"); "": the server picks one.
	Name string `json:"name,omitempty"`
	// Seed makes the tenant's ids deterministic.
	Seed *uint64 `json:"seed,omitempty"`
	// ManualClock freezes the tenant's clock.
	ManualClock bool `json:"manual-clock,omitempty"`
}

// Tenant is a tenant of a tfe-server: a server of its own under /t/NAME/.
type Tenant struct {
	Name     string `json:"name"`
	BaseURL  string `json:"base-url"`  // "http://127.0.0.1:PORT/t/NAME/"
	APIURL   string `json:"api-url"`   // "http://127.0.0.1:PORT/t/NAME/api/v2/"
	BasePath string `json:"base-path"` // "/t/NAME/api/v2/" (go-tfe's Config.BasePath)
	AdminURL string `json:"admin-url"` // "http://127.0.0.1:PORT/t/NAME/_tfe/"
}

// CreateTenant creates a tenant (POST /_tfe/tenants, on the admin API of a server's root). It
// answers 422 for a bad name, 409 when the name is taken and 429 when the server has as many
// tenants as it allows; 404 from a tfe-server without tenants.
func (a *Admin) CreateTenant(ctx context.Context, o TenantOptions) (*Tenant, error) {
	var tn Tenant
	if err := a.do(ctx, "POST", "tenants", o, http.StatusCreated, &tn); err != nil {
		return nil, err
	}
	return &tn, nil
}

// Tenants lists the server's tenants (GET /_tfe/tenants).
func (a *Admin) Tenants(ctx context.Context) ([]Tenant, error) {
	var l struct {
		Tenants []Tenant `json:"tenants"`
	}
	err := a.do(ctx, "GET", "tenants", nil, http.StatusOK, &l)
	return l.Tenants, err
}

// DeleteTenant deletes the tenant name and everything in it (DELETE /_tfe/tenants/NAME); 404 when
// there is no such tenant.
func (a *Admin) DeleteTenant(ctx context.Context, name string) error {
	return a.do(ctx, "DELETE", "tenants/"+url.PathEscape(name), nil, http.StatusNoContent, nil)
}
