package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// TestHandler_PanicAnywhere makes each store method panic once, with each
// kind of panic value, in the middle of a request. The request must get a
// 500 problem document without the panic's text, and its log line must
// record the panic. The same request right after must succeed on the same
// handler.
func TestHandler_PanicAnywhere(t *testing.T) {
	panics := []struct {
		name  string
		raise func()
	}{
		{"string", func() { panic("store exploded") }},
		{"error", func() { panic(errors.New("store exploded")) }},
		{"nil", func() {
			var v any
			panic(v)
		}},
		{"type assertion", func() {
			var v any = "store exploded"
			_ = v.(int)
		}},
		{"index out of range", func() {
			var s []int
			_ = s[len("store exploded")]
		}},
	}
	requests := []struct {
		method string
		event  event
		status int
	}{
		{"GET", rest("GET", ""), 200},
		{"PUT", rest("PUT", adaPut, "Content-Type", jsonType), 200},
		{"PATCH", rest("PATCH", `{"nickname":"Countess"}`, "Content-Type", mergePatchType), 200},
		{"DELETE", rest("DELETE", ""), 204},
	}

	for _, req := range requests {
		for _, p := range panics {
			t.Run(req.method+"/"+p.name, func(t *testing.T) {
				store := &fixedStore{}
				armed := true
				raise := func() {
					if armed {
						armed = false
						p.raise()
					}
				}
				h := newHarnessWithStore(t, &panickingStore{fixedStore: store, method: req.method, raise: raise}, Config{})

				r := h.do(req.event.json()).wantProblem(500)
				if strings.Contains(r.rawBody, "store exploded") || strings.Contains(r.rawBody, "panic") {
					t.Errorf("body reveals the panic: %s", r.rawBody)
				}
				line := lastLogLine(t, h.logs.String())
				if line["status"] != float64(500) || line["level"] != "ERROR" {
					t.Errorf("log line = %v, want status 500 at level ERROR", line)
				}
				if logged, _ := line["error"].(string); !strings.HasPrefix(logged, "panic: ") {
					t.Errorf("logged error = %q, want it to start with \"panic: \"", logged)
				}

				h.do(req.event.json()).wantStatus(req.status)
			})
		}
	}
	t.Logf("panics: %d raised in %d store methods, each answered 500 and followed by a request that succeeded", len(requests)*len(panics), len(requests))
}

// panickingStore is a fixedStore whose method named method calls raise
// first.
type panickingStore struct {
	*fixedStore
	method string
	raise  func()
}

func (s *panickingStore) Get(ctx context.Context, sub string) (profile.Profile, error) {
	if s.method == "GET" {
		s.raise()
	}
	return s.fixedStore.Get(ctx, sub)
}

func (s *panickingStore) Put(ctx context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error) {
	if s.method == "PUT" {
		s.raise()
	}
	return s.fixedStore.Put(ctx, sub, p, pc)
}

func (s *panickingStore) Patch(ctx context.Context, sub string, changes []profile.Change, pc profile.Precondition) (profile.Profile, error) {
	if s.method == "PATCH" {
		s.raise()
	}
	return s.fixedStore.Patch(ctx, sub, changes, pc)
}

func (s *panickingStore) Delete(ctx context.Context, sub string, pc profile.Precondition) error {
	if s.method == "DELETE" {
		s.raise()
	}
	return s.fixedStore.Delete(ctx, sub, pc)
}

// lastLogLine decodes the last line of a JSON log.
func lastLogLine(t *testing.T, logs string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &line); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	return line
}
