package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/serverless-profile/profile-service/internal/profile"
)

var stored = profile.Profile{Sub: testSub, Name: "Ada Example", Version: 3}

// TestHandler_RejectsBeforeStore checks the requests that get a response from
// the event alone: the store is never called for them.
func TestHandler_RejectsBeforeStore(t *testing.T) {
	long := `{"name":"` + strings.Repeat("x", MaxBodySize) + `"}`
	noAuth := rest("GET", "")
	noAuth.noAuthorizer = true
	numericSub := rest("GET", "")
	numericSub.claims = map[string]any{"sub": 12345}
	emptyClaims := rest("GET", "")
	emptyClaims.claims = map[string]any{}
	objectSub := httpAPI("GET", "")
	objectSub.claims = map[string]any{"sub": map[string]any{"value": testSub}}
	otherPath := rest("GET", "")
	otherPath.resource, otherPath.path = "/{proxy+}", "/profile/"+testSub
	badBase64 := rest("PUT", "not base64!", "Content-Type", "application/json")
	badBase64.base64 = true

	tests := []struct {
		name   string
		event  json.RawMessage
		status int
		header string
	}{
		{"unknown path", otherPath.json(), 404, ""},
		{"post", rest("POST", `{"name":"Ada Example"}`, "Content-Type", "application/json").json(), 405, "Allow"},
		{"lower-case method", rest("get", "").json(), 405, "Allow"},
		{"no authorizer", noAuth.json(), 401, "WWW-Authenticate"},
		{"numeric sub", numericSub.json(), 401, "WWW-Authenticate"},
		{"no sub", emptyClaims.json(), 401, "WWW-Authenticate"},
		{"object sub", objectSub.json(), 401, "WWW-Authenticate"},
		{"put text/plain", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", "text/plain").json(), 415, ""},
		{"put no content type", rest("PUT", `{"name":"Ada Example"}`).json(), 415, ""},
		{"put merge patch type", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", "application/merge-patch+json").json(), 415, ""},
		{"put latin-1 charset", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", "application/json; charset=iso-8859-1").json(), 415, ""},
		{"put too large", rest("PUT", long, "Content-Type", "application/json").json(), 413, ""},
		{"put bad base64", badBase64.json(), 400, ""},
		{"put malformed if-match", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", "application/json", "If-Match", "3").json(), 400, ""},
		{"put if-none-match tag", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", "application/json", "If-None-Match", `"3"`).json(), 400, ""},
		{"put invalid json", rest("PUT", `{"name":`, "Content-Type", "application/json").json(), 400, ""},
		{"put invalid field", rest("PUT", `{"name":""}`, "Content-Type", "application/json").json(), 400, ""},
		{"not an event", json.RawMessage(`[1,2]`), 400, ""},
		{"invalid event json", json.RawMessage(`{"httpMethod":`), 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeStore{}
			h := newHarnessWithStore(t, fake, Config{})
			r := h.do(tt.event).wantProblem(tt.status)
			if tt.header != "" {
				r.wantHeader(tt.header, "*")
			}
			if fake.calls != 0 {
				t.Errorf("store called %d times, want 0", fake.calls)
			}
		})
	}
}

// TestHandler_RequireIfMatch checks the 428 rule: writes need If-Match,
// except a PUT that creates with If-None-Match: *.
func TestHandler_RequireIfMatch(t *testing.T) {
	json := "application/json"
	tests := []struct {
		name   string
		event  event
		status int
	}{
		{"put without precondition", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", json), 428},
		{"patch without precondition", rest("PATCH", `{"nickname":"Ada"}`, "Content-Type", json), 428},
		{"delete without precondition", rest("DELETE", ""), 428},
		{"patch with if-none-match", rest("PATCH", `{"nickname":"Ada"}`, "Content-Type", json, "If-None-Match", "*"), 428},
		{"put with if-none-match", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", json, "If-None-Match", "*"), 201},
		{"put with if-match", rest("PUT", `{"name":"Ada Example"}`, "Content-Type", json, "If-Match", `"3"`), 200},
		{"delete with if-match", rest("DELETE", "", "If-Match", `"3"`), 204},
		{"get", rest("GET", ""), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeStore{
				get: func(context.Context, string) (profile.Profile, error) { return stored, nil },
				put: func(_ context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error) {
					p.Sub, p.Version = sub, 1
					return p, pc.IfNoneMatchAny, nil
				},
				delete: func(context.Context, string, profile.Precondition) error { return nil },
			}
			h := newHarnessWithStore(t, fake, Config{RequireIfMatch: true})
			h.do(tt.event.json()).wantStatus(tt.status)
		})
	}
}

// TestHandler_Preconditions checks how If-Match reaches the store: strong
// comparison, so weak tags and foreign tags match no version.
func TestHandler_Preconditions(t *testing.T) {
	tests := []struct {
		name    string
		ifMatch string
		want    profile.Precondition
	}{
		{"one tag", `"3"`, profile.Precondition{IfMatch: []int64{3}}},
		{"list", `"3", "4" ,"5"`, profile.Precondition{IfMatch: []int64{3, 4, 5}}},
		{"star", `*`, profile.Precondition{IfMatchAny: true}},
		{"weak tag", `W/"3"`, profile.Precondition{IfMatch: []int64{}}},
		{"foreign tag", `"abc"`, profile.Precondition{IfMatch: []int64{}}},
		{"zero", `"0"`, profile.Precondition{IfMatch: []int64{}}},
		{"leading zero", `"03"`, profile.Precondition{IfMatch: []int64{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got profile.Precondition
			fake := &fakeStore{delete: func(_ context.Context, _ string, pc profile.Precondition) error {
				got = pc
				return nil
			}}
			h := newHarnessWithStore(t, fake, Config{})
			h.do(rest("DELETE", "", "If-Match", tt.ifMatch).json()).wantStatus(204)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || (got.IfMatch == nil) != (tt.want.IfMatch == nil) {
				t.Errorf("precondition = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestHandler_StoreErrors checks the one table from store errors to
// statuses, and that no cause reaches the client.
func TestHandler_StoreErrors(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.1:443: secret internal detail")
	// Each error comes from a request that can get it: a version mismatch
	// needs a precondition, which a GET does not have.
	tests := []struct {
		name   string
		event  event
		err    error
		status int
		header string
	}{
		{"not found", rest("GET", ""), fmt.Errorf("get profile: %w", profile.ErrNotFound), 404, ""},
		{"version mismatch", rest("DELETE", "", "If-Match", `"3"`), fmt.Errorf("delete: %w", &profile.VersionMismatchError{Current: 4}), 412, "ETag"},
		{"unavailable", rest("GET", ""), fmt.Errorf("%w: %w", profile.ErrUnavailable, secret), 503, "Retry-After"},
		{"unexpected", rest("GET", ""), secret, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeStore{
				get:    func(context.Context, string) (profile.Profile, error) { return profile.Profile{}, tt.err },
				delete: func(context.Context, string, profile.Precondition) error { return tt.err },
			}
			h := newHarnessWithStore(t, fake, Config{})
			r := h.do(tt.event.json()).wantProblem(tt.status)
			if tt.header != "" {
				r.wantHeader(tt.header, "*")
			}
			if strings.Contains(r.rawBody, "secret") {
				t.Errorf("body reveals the cause: %s", r.rawBody)
			}
		})
	}
}

// TestHandler_Panic checks that a panic becomes a 500 problem document and
// that the next request works.
func TestHandler_Panic(t *testing.T) {
	fails := true
	fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) {
		if fails {
			fails = false
			panic("boom")
		}
		return stored, nil
	}}
	h := newHarnessWithStore(t, fake, Config{})

	h.do(rest("GET", "").json()).wantProblem(500)
	h.do(rest("GET", "").json()).wantStatus(200).wantField("name", "Ada Example")
	if !strings.Contains(h.logs.String(), `"status":500`) {
		t.Errorf("the panic was not logged with status 500: %s", h.logs.String())
	}
}

// TestHandler_Deadline checks that store calls get the invocation's
// deadline less the margin, or the default timeout without one.
func TestHandler_Deadline(t *testing.T) {
	var got time.Time
	fake := &fakeStore{get: func(ctx context.Context, _ string) (profile.Profile, error) {
		got, _ = ctx.Deadline()
		return stored, nil
	}}
	h := newHarnessWithStore(t, fake, Config{DeadlineMargin: time.Second})

	deadline := time.Now().Add(5 * time.Second)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	if _, err := h.handler.Handle(ctx, rest("GET", "").json()); err != nil {
		t.Fatal(err)
	}
	if want := deadline.Add(-time.Second); !got.Equal(want) {
		t.Errorf("store deadline = %v, want %v", got, want)
	}

	h.do(rest("GET", "").json())
	if got.IsZero() || time.Until(got) > DefaultTimeout {
		t.Errorf("store deadline without an invocation deadline = %v, want within %v", got, DefaultTimeout)
	}
}

// TestHandler_RequestID checks that problems and logs carry the Lambda
// request id when there is one.
func TestHandler_RequestID(t *testing.T) {
	fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) { return profile.Profile{}, profile.ErrNotFound }}
	h := newHarnessWithStore(t, fake, Config{})
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-request-1"})

	resp, err := h.handler.Handle(ctx, rest("GET", "").json())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Body, `"request_id":"lambda-request-1"`) {
		t.Errorf("problem lacks the Lambda request id: %s", resp.Body)
	}
	if !strings.Contains(h.logs.String(), `"request_id":"lambda-request-1"`) {
		t.Errorf("log lacks the Lambda request id: %s", h.logs.String())
	}
}

// TestHandler_LogLine checks the fields of the one log line per request.
func TestHandler_LogLine(t *testing.T) {
	fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) { return stored, nil }}
	h := newHarnessWithStore(t, fake, Config{})
	h.do(rest("GET", "").json()).wantStatus(200)

	lines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1", len(lines))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	for _, key := range []string{"time", "level", "msg", "request_id", "method", "route", "status", "latency_ms", "sub"} {
		if _, ok := got[key]; !ok {
			t.Errorf("log line has no %s: %s", key, lines[0])
		}
	}
	if got["sub"] != testSub || got["route"] != "/profile" || got["status"] != float64(200) {
		t.Errorf("log line = %s", lines[0])
	}
}

// TestHandler_UnmatchedPathNotLogged checks that a raw path, which a client
// chose, does not reach the log.
func TestHandler_UnmatchedPathNotLogged(t *testing.T) {
	e := httpAPI("GET", "")
	e.resource = ""
	h := newHarnessWithStore(t, &fakeStore{}, Config{})
	raw := e.json()
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	m["routeKey"] = "$default"
	m["rawPath"] = "/profile/ada@example.com"
	raw, _ = json.Marshal(m)

	h.do(raw).wantProblem(404)
	if strings.Contains(h.logs.String(), "ada@example.com") {
		t.Errorf("log holds the raw path: %s", h.logs.String())
	}
}

// TestHandler_NotModified checks If-None-Match on a GET.
func TestHandler_NotModified(t *testing.T) {
	fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) { return stored, nil }}
	h := newHarnessWithStore(t, fake, Config{})

	h.do(rest("GET", "", "If-None-Match", `W/"3"`).json()).wantStatus(304).wantHeader("ETag", `"3"`)
	h.do(rest("GET", "", "If-None-Match", `"2"`).json()).wantStatus(200)
}

// TestHandler_Base64Body checks that a base64 body is decoded before the
// size check and the parse.
func TestHandler_Base64Body(t *testing.T) {
	var got profile.Profile
	fake := &fakeStore{put: func(_ context.Context, sub string, p profile.Profile, _ profile.Precondition) (profile.Profile, bool, error) {
		got = p
		p.Sub, p.Version = sub, 1
		return p, true, nil
	}}
	h := newHarnessWithStore(t, fake, Config{})
	e := rest("PUT", base64.StdEncoding.EncodeToString([]byte(`{"name":"Ada Example"}`)), "Content-Type", "application/json")
	e.base64 = true

	h.do(e.json()).wantStatus(201)
	if got.Name != "Ada Example" {
		t.Errorf("stored name = %q, want the decoded value", got.Name)
	}
}

// TestHandler_CORS checks the CORS headers on responses to allowed and other
// origins, errors included.
func TestHandler_CORS(t *testing.T) {
	fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) { return profile.Profile{}, profile.ErrNotFound }}
	h := newHarnessWithStore(t, fake, Config{AllowedOrigins: []string{"https://app.example.com", "https://admin.example.com"}})

	h.do(rest("GET", "", "Origin", "https://admin.example.com").json()).wantProblem(404).
		wantHeader("Access-Control-Allow-Origin", "https://admin.example.com").
		wantHeader("Access-Control-Expose-Headers", "ETag").
		wantHeader("Vary", "Origin")
	h.do(rest("GET", "", "Origin", "https://evil.example.net").json()).wantProblem(404).
		wantNoHeader("Access-Control-Allow-Origin")

	preflight := rest("OPTIONS", "", "Origin", "https://evil.example.net", "Access-Control-Request-Method", "PATCH")
	preflight.noAuthorizer = true
	h.do(preflight.json()).wantStatus(204).wantNoHeader("Access-Control-Allow-Origin").wantNoHeader("Access-Control-Allow-Methods")

	none := newHarnessWithStore(t, fake, Config{})
	none.do(rest("GET", "", "Origin", "https://app.example.com").json()).wantProblem(404).
		wantNoHeader("Access-Control-Allow-Origin").wantNoHeader("Vary")
}

// TestHandler_HTTPAPIRoutes checks routing of payload 2.0 events by route
// key, and by raw path less the stage on the $default route.
func TestHandler_HTTPAPIRoutes(t *testing.T) {
	tests := []struct {
		name     string
		routeKey string
		rawPath  string
		stage    string
		status   int
	}{
		{"route key", "GET /profile", "/prod/profile", "prod", 200},
		{"any route key", "ANY /profile", "/profile", "$default", 200},
		{"default route", "$default", "/profile", "$default", 200},
		{"default route with stage", "$default", "/prod/profile", "prod", 200},
		{"default route other path", "$default", "/profiles", "$default", 404},
		{"other route", "GET /{proxy+}", "/profile/x", "$default", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) { return stored, nil }}
			h := newHarnessWithStore(t, fake, Config{})
			var m map[string]any
			_ = json.Unmarshal(httpAPI("GET", "").json(), &m)
			m["routeKey"], m["rawPath"] = tt.routeKey, tt.rawPath
			m["requestContext"].(map[string]any)["stage"] = tt.stage
			raw, _ := json.Marshal(m)
			h.do(raw).wantStatus(tt.status)
		})
	}
}

// panicWriter is a log destination that panics on every write.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("log destination broke") }

// TestHandler_LogWriterPanics checks that a failing log destination does
// not take the response with it.
func TestHandler_LogWriterPanics(t *testing.T) {
	fake := &fakeStore{get: func(context.Context, string) (profile.Profile, error) { return profile.Profile{}, profile.ErrNotFound }}
	h := New(fake, Config{}, slog.New(slog.NewJSONHandler(panicWriter{}, nil)))

	resp, err := h.Handle(t.Context(), rest("GET", "").json())
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if resp.StatusCode != 404 {
		t.Errorf("status = %d, want 404", resp.StatusCode)
	}
}
