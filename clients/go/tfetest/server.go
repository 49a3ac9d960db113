// Package tfetest gives a Go test its own Terraform Enterprise: a tfe-server (the tfe project's
// fake of the TFE Runs API) with a configured go-tfe v1 client and a client for its test controls.
//
//	srv := tfetest.NewServer(t)
//	org := srv.Organization(t, "acme")
//	ws, err := srv.Client.Workspaces.Create(ctx, org.Name, tfe.WorkspaceCreateOptions{Name: tfe.String("prod")})
//	...
//	status, err := srv.Admin.AdvanceRun(ctx, run.ID, tfe.RunApplied)
//
// NewServer starts a tfe-server process for the test (the executable named by the TFE_SERVER
// environment variable, else tfe-server on PATH) and stops it when the test ends. When the
// TFE_SHARED_SERVER environment variable holds the URL of a running tfe-server, NewServer instead
// creates a tenant on that server (POST /_tfe/tenants) and deletes it when the test ends: a
// tenant behaves like a server of its own (own organizations, ids, clock, faults and request
// journal), so parallel tests can share one process.
//
// Server.Admin drives the admin API under /_tfe/ (docs/testing.md in the tfe repository):
// scripted outcomes, advancing runs, faults, the request journal, the clock, reset, snapshot and
// restore. Its methods return Go values, and an *Error for an error answer.
package tfetest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"
)

// Environment variables NewServer reads.
const (
	// EnvServer names the tfe-server executable; without it NewServer looks for tfe-server on PATH.
	EnvServer = "TFE_SERVER"
	// EnvSharedServer holds the URL of a running tfe-server (e.g. "http://127.0.0.1:8080"); when
	// set, NewServer creates a tenant there instead of starting a process.
	EnvSharedServer = "TFE_SHARED_SERVER"
	// EnvSharedServerToken is an API token the shared server accepts (one of its --token values).
	// Unset: a random token, which a server started without --token accepts.
	EnvSharedServerToken = "TFE_SHARED_SERVER_TOKEN"
	// EnvSharedServerAdminToken is the shared server's --admin-token, when it has one.
	EnvSharedServerAdminToken = "TFE_SHARED_SERVER_ADMIN_TOKEN"
)

// How long NewServer waits for a server process to print its address, and for it to exit after
// SIGTERM.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
)

// Server is one tfe-server process, or one tenant of a shared tfe-server, for one test.
type Server struct {
	// URL is the root of the server or tenant, ending in "/": "http://127.0.0.1:PORT/" for a
	// process, "http://127.0.0.1:PORT/t/NAME/" for a tenant.
	URL string
	// Address is the origin, "http://127.0.0.1:PORT": go-tfe's Config.Address.
	Address string
	// BasePath is the path of the API, "/api/v2/" or "/t/NAME/api/v2/": go-tfe's Config.BasePath.
	BasePath string
	// Token is the API token Client sends.
	Token string
	// Tenant is the tenant's name when the server is a tenant of a shared tfe-server, else "".
	Tenant string
	// Client is a go-tfe v1 client of the server (Address, BasePath and Token set).
	Client *tfe.Client
	// Admin is a client of the server's admin API (URL + "_tfe/").
	Admin *Admin
	// HTTPClient is the HTTP client Client and Admin use; its idle connections are closed when
	// the test ends.
	HTTPClient *http.Client
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	seed        *uint64
	manualClock bool
	token       string
	adminToken  string
	args        []string
	private     bool
	shared      string
	sharedSet   bool
	tenant      string
}

// WithSeed makes ids, capability URLs and fault decisions deterministic (tfe-server --seed n, or
// the tenant's "seed").
func WithSeed(n uint64) Option { return func(c *config) { c.seed = &n } }

// WithManualClock freezes the server's clock at start; time then moves only through
// Admin.AdvanceClock (tfe-server --manual-clock, or the tenant's "manual-clock").
func WithManualClock() Option { return func(c *config) { c.manualClock = true } }

// WithToken sets the API token: the server process's --token, or for a tenant the token the
// client sends (it must be one the shared server accepts). Default: a random token for a process,
// $TFE_SHARED_SERVER_TOKEN (else a random one) for a tenant.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithAdminToken sets the admin token: the server process's --admin-token, or for a tenant the
// shared server's admin token (default $TFE_SHARED_SERVER_ADMIN_TOKEN). Admin sends it as
// "Authorization: Bearer TOKEN". Without one, the admin API answers loopback clients only.
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithServerArgs adds command-line flags to the tfe-server process (e.g. "--plan-duration", "5s").
// A tenant cannot take server flags, so this option always starts a process of its own, even when
// TFE_SHARED_SERVER is set.
func WithServerArgs(args ...string) Option {
	return func(c *config) {
		c.args = append(c.args, args...)
		c.private = true
	}
}

// WithPrivateServer starts a tfe-server process of its own even when TFE_SHARED_SERVER is set.
func WithPrivateServer() Option { return func(c *config) { c.private = true } }

// WithSharedServer creates a tenant on the tfe-server at url (e.g. "http://127.0.0.1:8080")
// instead of reading TFE_SHARED_SERVER; url "" starts a process. WithServerArgs and
// WithPrivateServer take precedence.
func WithSharedServer(url string) Option {
	return func(c *config) {
		c.shared = url
		c.sharedSet = true
	}
}

// WithTenantName names the tenant (1-63 characters of a-z, 0-9, "-" and "_"). Default: a name
// made of the test's name and a random suffix.
func WithTenantName(name string) Option { return func(c *config) { c.tenant = name } }

// NewServer starts a tfe-server for the test t, or creates a tenant on a shared one (see the
// package documentation), and stops or deletes it when the test ends. A server process that does
// not exit with status 0 after SIGTERM fails the test. NewServer fails the test at once (t.Fatal)
// when the server cannot be started.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	if !c.sharedSet {
		c.shared = os.Getenv(EnvSharedServer)
	}
	hc := newHTTPClient()
	t.Cleanup(hc.CloseIdleConnections) // runs last: after the server is stopped or the tenant deleted
	var s *Server
	if c.shared != "" && !c.private {
		s = startTenant(t, &c, hc)
	} else {
		s = startProcess(t, &c, hc)
	}
	s.HTTPClient = hc
	client, err := tfe.NewClient(&tfe.Config{
		Address:          s.Address,
		BasePath:         s.BasePath,
		RegistryBasePath: strings.TrimSuffix(s.BasePath, "v2/") + "registry/",
		Token:            s.Token,
		HTTPClient:       hc,
	})
	if err != nil {
		t.Fatalf("tfetest: go-tfe client for %s: %v", s.URL, err)
	}
	s.Client = client
	return s
}

func newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // loopback only
	return &http.Client{Transport: tr}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand.Read does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// ---- a server process ----------------------------------------------------------------------------

var listening = regexp.MustCompile(`^listening on (http://[^/\s]+)$`)

// serverBinary is $TFE_SERVER, else tfe-server on PATH.
func serverBinary() (string, error) {
	if p := os.Getenv(EnvServer); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s=%q is not an executable file", EnvServer, p)
		}
		return p, nil
	}
	p, err := exec.LookPath("tfe-server")
	if err != nil {
		return "", fmt.Errorf("no tfe-server: set %s to the tfe-server executable or put it on PATH "+
			"(build it with `cmake --build BUILD_DIR --target tfe-server`; it is BUILD_DIR/tools/tfe-server)", EnvServer)
	}
	return p, nil
}

// tailBuffer keeps the last max bytes written to it (the server's stderr).
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

// Write appends p, dropping the oldest bytes beyond max.
func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

// String returns what the buffer holds.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

func startProcess(t testing.TB, c *config, hc *http.Client) *Server {
	t.Helper()
	bin, err := serverBinary()
	if err != nil {
		t.Fatalf("tfetest: %v", err)
	}
	token := c.token
	if token == "" {
		token = "tfetest-" + randomHex(16)
	}
	args := []string{"--port", "0", "--token", token}
	if c.seed != nil {
		args = append(args, "--seed", strconv.FormatUint(*c.seed, 10))
	}
	if c.manualClock {
		args = append(args, "--manual-clock")
	}
	if c.adminToken != "" {
		args = append(args, "--admin-token", c.adminToken)
	}
	args = append(args, c.args...)

	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatalf("tfetest: %v", err)
	}
	stderr := &tailBuffer{max: 64 << 10}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = stdoutW
	cmd.Stderr = stderr
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		stdoutR.Close()
		stdoutW.Close()
		t.Fatalf("tfetest: starting %s: %v", bin, err)
	}
	stdoutW.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	type firstLine struct {
		line string
		err  error
	}
	lineCh := make(chan firstLine, 1)
	go func() {
		defer stdoutR.Close()
		br := bufio.NewReader(stdoutR)
		line, err := br.ReadString('\n')
		lineCh <- firstLine{strings.TrimRight(line, "\r\n"), err}
		io.Copy(io.Discard, br) //nolint:errcheck // the rest of stdout, until the server exits
	}()
	describe := fmt.Sprintf("%s %s", bin, strings.Join(args, " "))
	kill := func() {
		cmd.Process.Kill() //nolint:errcheck
		<-exited
	}
	var address string
	select {
	case r := <-lineCh:
		m := listening.FindStringSubmatch(r.line)
		if m == nil {
			kill()
			t.Fatalf("tfetest: %s did not start: first line %q (%v); stderr:\n%s", describe, r.line, r.err, stderr)
		}
		address = m[1]
	case <-time.After(startTimeout):
		kill()
		t.Fatalf("tfetest: %s printed no address within %v; stderr:\n%s", describe, startTimeout, stderr)
	}

	t.Cleanup(func() {
		hc.CloseIdleConnections()
		select {
		case err := <-exited:
			t.Errorf("tfetest: tfe-server (%s) died during the test: %v; stderr:\n%s", address, err, stderr)
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it is running: exited is still empty
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("tfetest: tfe-server (%s) after SIGTERM: %v, want exit status 0; stderr:\n%s", address, err, stderr)
			} else if t.Failed() && stderr.String() != "" {
				t.Logf("tfetest: tfe-server (%s) stderr:\n%s", address, stderr)
			}
		case <-time.After(stopTimeout):
			kill()
			t.Errorf("tfetest: tfe-server (%s) did not exit within %v of SIGTERM; stderr:\n%s", address, stopTimeout, stderr)
		}
	})

	s := &Server{
		URL:      address + "/",
		Address:  address,
		BasePath: "/api/v2/",
		Token:    token,
	}
	s.Admin = NewAdmin(s.URL+"_tfe/", c.adminToken, hc)
	return s
}

// ---- a tenant of a shared server -----------------------------------------------------------------

var tenantNameChars = regexp.MustCompile(`[^a-z0-9_-]+`)

// tenantName makes a tenant name from the test's name: lower case, other characters as "-", at
// most 63 characters with a random suffix.
func tenantName(testName string) string {
	n := strings.Trim(tenantNameChars.ReplaceAllString(strings.ToLower(testName), "-"), "-")
	if len(n) > 48 {
		n = n[:48]
	}
	if n == "" {
		n = "test"
	}
	return n + "-" + randomHex(4)
}

func startTenant(t testing.TB, c *config, hc *http.Client) *Server {
	t.Helper()
	base := strings.TrimSuffix(c.shared, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Fatalf("tfetest: shared server %q is not an http:// URL", c.shared)
	}
	adminToken := c.adminToken
	if adminToken == "" {
		adminToken = os.Getenv(EnvSharedServerAdminToken)
	}
	token := c.token
	if token == "" {
		token = os.Getenv(EnvSharedServerToken)
	}
	if token == "" {
		token = "tfetest-" + randomHex(16)
	}
	root := NewAdmin(base+"/_tfe/", adminToken, hc)
	opts := TenantOptions{Name: c.tenant, Seed: c.seed, ManualClock: c.manualClock}
	if opts.Name == "" {
		opts.Name = tenantName(t.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	tn, err := root.CreateTenant(ctx, opts)
	if err != nil {
		if IsStatus(err, http.StatusNotFound) {
			t.Fatalf("tfetest: the shared server %s has no tenant API (POST /_tfe/tenants answered 404): "+
				"it needs a tfe-server with tenants, or unset %s: %v", base, EnvSharedServer, err)
		}
		t.Fatalf("tfetest: creating a tenant on %s: %v", base, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := root.DeleteTenant(ctx, tn.Name); err != nil {
			t.Errorf("tfetest: deleting tenant %s: %v", tn.Name, err)
		}
		hc.CloseIdleConnections()
	})
	u, err := url.Parse(tn.BaseURL)
	if err != nil || u.Host == "" {
		t.Fatalf("tfetest: tenant %s: bad base-url %q", tn.Name, tn.BaseURL)
	}
	s := &Server{
		URL:      tn.BaseURL,
		Address:  u.Scheme + "://" + u.Host,
		BasePath: tn.BasePath,
		Token:    token,
		Tenant:   tn.Name,
	}
	s.Admin = NewAdmin(tn.AdminURL, adminToken, hc)
	return s
}

// ---- helpers for tests ---------------------------------------------------------------------------

// Organization creates the organization name (email name@example.test) and fails the test when
// that fails.
func (s *Server) Organization(t testing.TB, name string) *tfe.Organization {
	t.Helper()
	org, err := s.Client.Organizations.Create(t.Context(), tfe.OrganizationCreateOptions{
		Name:  tfe.String(name),
		Email: tfe.String(name + "@example.test"),
	})
	if err != nil {
		t.Fatalf("tfetest: creating organization %q: %v", name, err)
	}
	return org
}

// Workspace creates the workspace name in organization org and fails the test when that fails.
func (s *Server) Workspace(t testing.TB, org, name string) *tfe.Workspace {
	t.Helper()
	ws, err := s.Client.Workspaces.Create(t.Context(), org, tfe.WorkspaceCreateOptions{Name: tfe.String(name)})
	if err != nil {
		t.Fatalf("tfetest: creating workspace %q in %q: %v", name, org, err)
	}
	return ws
}

// UploadConfiguration creates a configuration version of the workspace (auto-queue-runs false),
// uploads files (file name -> content, e.g. "main.tf") as its archive, waits until it is uploaded
// and returns it. It fails the test when any step fails.
func (s *Server) UploadConfiguration(t testing.TB, workspaceID string, files map[string]string) *tfe.ConfigurationVersion {
	t.Helper()
	ctx := t.Context()
	cv, err := s.Client.ConfigurationVersions.Create(ctx, workspaceID, tfe.ConfigurationVersionCreateOptions{
		AutoQueueRuns: tfe.Bool(false),
	})
	if err != nil {
		t.Fatalf("tfetest: creating a configuration version of %s: %v", workspaceID, err)
	}
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(dir+string(os.PathSeparator)+name, []byte(content), 0o644); err != nil {
			t.Fatalf("tfetest: %v", err)
		}
	}
	if err := s.Client.ConfigurationVersions.Upload(ctx, cv.UploadURL, dir); err != nil {
		t.Fatalf("tfetest: uploading configuration version %s: %v", cv.ID, err)
	}
	var last tfe.ConfigurationStatus
	poll(t, "configuration version "+cv.ID+" to be uploaded", func() (bool, error) {
		got, err := s.Client.ConfigurationVersions.Read(ctx, cv.ID)
		if err != nil {
			return false, err
		}
		cv, last = got, got.Status
		if got.Status == tfe.ConfigurationErrored {
			return false, fmt.Errorf("errored: %s", got.ErrorMessage)
		}
		return got.Status == tfe.ConfigurationUploaded, nil
	}, func() string { return string(last) })
	return cv
}

// WaitForRun reads the run until its status is one of want and returns it. It fails the test when
// the run does not get there within 30 seconds (or reaches a final status that is not wanted).
func (s *Server) WaitForRun(t testing.TB, runID string, want ...tfe.RunStatus) *tfe.Run {
	t.Helper()
	final := map[tfe.RunStatus]bool{tfe.RunApplied: true, tfe.RunErrored: true, tfe.RunCanceled: true,
		tfe.RunDiscarded: true, tfe.RunPlannedAndFinished: true}
	var run *tfe.Run
	poll(t, fmt.Sprintf("run %s to be %v", runID, want), func() (bool, error) {
		r, err := s.Client.Runs.Read(t.Context(), runID)
		if err != nil {
			return false, err
		}
		run = r
		if slices.Contains(want, r.Status) {
			return true, nil
		}
		if final[r.Status] {
			return false, fmt.Errorf("it ended %s", r.Status)
		}
		return false, nil
	}, func() string { return string(run.Status) })
	return run
}

// poll calls f every 10 ms until it reports done or an error, for at most 30 seconds; last
// describes the state f saw last (for the failure message).
func poll(t testing.TB, what string, f func() (bool, error), last func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		done, err := f()
		if err != nil {
			t.Fatalf("tfetest: waiting for %s: %v", what, err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tfetest: waiting for %s: not done after 30s (last seen: %s)", what, last())
		}
		select {
		case <-tick.C:
		case <-t.Context().Done():
			t.Fatalf("tfetest: waiting for %s: %v", what, t.Context().Err())
		}
	}
}
