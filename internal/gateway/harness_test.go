package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/store"
)

// testSub is the made-up user of the tests.
const testSub = "11111111-2222-3333-4444-555555555555"

// harness runs a Handler against a fresh table of the local database and
// keeps every log line it writes. When the test ends, it fails if a log
// line holds any value that a request body or token carried.
type harness struct {
	t       *testing.T
	handler *Handler
	logs    *syncBuffer
	secrets []string
	// subs are the sub claims sent, which log lines carry by design.
	subs []string
	// lenient is true while doLenient sends an event whose request
	// openapi.yaml does not allow, so that only the response is checked.
	lenient bool
}

// newHarness returns a harness with a fresh table; it skips the test when
// the local database is not running (and fails it under CI=true).
func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	client, table := devdb.NewTestTable(t)
	return newHarnessWithStore(t, store.New(client, table), cfg)
}

func newHarnessWithStore(t *testing.T, s Store, cfg Config) *harness {
	t.Helper()
	logs := &syncBuffer{}
	h := &harness{
		t:       t,
		handler: New(s, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		logs:    logs,
		secrets: []string{"fake-id-token"},
	}
	suiteLogs.addOutput(logs)
	t.Cleanup(h.checkLogs)
	return h
}

// do sends one event and returns the decoded response. It fails the test
// when the event and the response do not match openapi.yaml (see
// checkContract).
func (h *harness) do(event json.RawMessage) *result {
	h.t.Helper()
	return h.doContext(h.t.Context(), event)
}

// doContext is do with the invocation's context, which may carry a
// deadline as Lambda's does.
func (h *harness) doContext(ctx context.Context, event json.RawMessage) *result {
	h.t.Helper()
	h.remember(event)

	resp, err := h.handler.Handle(ctx, event)
	if err != nil {
		h.t.Fatalf("Handle returned an error, which API Gateway turns into a 502: %v", err)
	}
	h.checkContract(event, resp)
	res := &result{t: h.t, status: resp.StatusCode, rawBody: resp.Body, headers: map[string]string{}}
	for k, v := range resp.Headers {
		res.headers[strings.ToLower(k)] = v
	}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &res.body); err != nil {
			h.t.Fatalf("response body is not JSON: %v", err)
		}
	}
	return res
}

// remember records the values of an event that must never reach a log
// line (see sentValues), for this test and for the check of the whole
// suite in TestMain. It is not safe for concurrent use.
func (h *harness) remember(event json.RawMessage) {
	secrets, subs := sentValues(event)
	h.secrets = append(h.secrets, secrets...)
	h.subs = append(h.subs, subs...)
	suiteLogs.addValues(secrets, subs)
}

// checkLogs fails the test when a log line holds a remembered value, or
// when the handler wrote no line at all.
func (h *harness) checkLogs() {
	lines := h.logs.String()
	for _, s := range h.secrets {
		if slices.Contains(h.subs, s) {
			continue
		}
		if holdsValue(lines, s) {
			h.t.Errorf("a log line holds a value that a request carried (%d characters long)", len(s))
		}
	}
}

// syncBuffer is a bytes.Buffer that concurrent requests may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// result is a decoded proxy response.
type result struct {
	t       *testing.T
	status  int
	headers map[string]string
	rawBody string
	body    map[string]any
}

// wantStatus stops the test when the status is not one of want.
func (r *result) wantStatus(want ...int) *result {
	r.t.Helper()
	for _, w := range want {
		if r.status == w {
			return r
		}
	}
	r.t.Fatalf("status = %d, want %v; body: %s", r.status, want, r.rawBody)
	return r
}

// wantHeader checks a header's value; "*" accepts any value but none.
func (r *result) wantHeader(name, want string) *result {
	r.t.Helper()
	got, ok := r.headers[strings.ToLower(name)]
	switch {
	case !ok:
		r.t.Errorf("header %s missing, want %q", name, want)
	case want != "*" && got != want:
		r.t.Errorf("header %s = %q, want %q", name, got, want)
	}
	return r
}

// wantNoHeader checks that a header is absent.
func (r *result) wantNoHeader(name string) *result {
	r.t.Helper()
	if got, ok := r.headers[strings.ToLower(name)]; ok {
		r.t.Errorf("header %s = %q, want none", name, got)
	}
	return r
}

// wantField checks the value at a dot path of the body, such as
// "errors.0.pointer". Numbers compare as float64.
func (r *result) wantField(path string, want any) *result {
	r.t.Helper()
	got, ok := r.lookup(path)
	if !ok {
		r.t.Errorf("body has no %s, want %v; body: %s", path, want, r.rawBody)
		return r
	}
	if n, isInt := want.(int); isInt {
		want = float64(n)
	}
	if got != want {
		r.t.Errorf("body %s = %v, want %v", path, got, want)
	}
	return r
}

// wantAbsent checks that nothing is at each dot path.
func (r *result) wantAbsent(paths ...string) *result {
	r.t.Helper()
	for _, p := range paths {
		if got, ok := r.lookup(p); ok {
			r.t.Errorf("body %s = %v, want it absent", p, got)
		}
	}
	return r
}

// wantProblem checks a problem document of status, with its request id.
func (r *result) wantProblem(status int) *result {
	r.t.Helper()
	r.wantStatus(status)
	r.wantHeader("Content-Type", "application/problem+json")
	r.wantHeader("Cache-Control", "no-store")
	r.wantField("status", status)
	if _, ok := r.lookup("title"); !ok {
		r.t.Errorf("problem has no title; body: %s", r.rawBody)
	}
	if _, ok := r.lookup("request_id"); !ok {
		r.t.Errorf("problem has no request_id; body: %s", r.rawBody)
	}
	return r
}

// wantErrors checks the pointers of a validation problem, in order.
func (r *result) wantErrors(pointers ...string) *result {
	r.t.Helper()
	list, _ := r.body["errors"].([]any)
	var got []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		p, _ := m["pointer"].(string)
		got = append(got, p)
	}
	if strings.Join(got, " ") != strings.Join(pointers, " ") {
		r.t.Errorf("error pointers = %v, want %v", got, pointers)
	}
	return r
}

func (r *result) lookup(path string) (any, bool) {
	var cur any = r.body
	for part := range strings.SplitSeq(path, ".") {
		switch node := cur.(type) {
		case map[string]any:
			v, ok := node[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i := 0
			for _, c := range part {
				if c < '0' || c > '9' {
					return nil, false
				}
				i = i*10 + int(c-'0')
			}
			if i >= len(node) {
				return nil, false
			}
			cur = node[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
