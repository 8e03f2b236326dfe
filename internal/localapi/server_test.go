package localapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-profile/profile-service/internal/authorizer"
)

const testSub = "11111111-2222-3333-4444-555555555555"

// recordingFunction is a fake function that records the events it gets
// and returns resp and err.
type recordingFunction struct {
	mu     sync.Mutex
	events []map[string]any
	hadID  []bool
	resp   events.APIGatewayProxyResponse
	err    error
}

func (f *recordingFunction) Handle(ctx context.Context, event json.RawMessage) (events.APIGatewayProxyResponse, error) {
	var decoded map[string]any
	if err := json.Unmarshal(event, &decoded); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	lc, ok := lambdacontext.FromContext(ctx)

	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, decoded)
	f.hadID = append(f.hadID, ok && lc.AwsRequestID != "")
	return f.resp, f.err
}

func (f *recordingFunction) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

func (f *recordingFunction) lastEvent(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	return f.events[len(f.events)-1]
}

// profileAPI is the API of the repository's template, written out so that
// these tests do not depend on the file.
var profileAPI = API{
	Function: "ProfileFunction",
	Stage:    "prod",
	Timeout:  10 * time.Second,
	Routes: []Route{
		{Event: "Get", Method: "GET", Path: "/profile", Authorized: true},
		{Event: "Put", Method: "PUT", Path: "/profile", Authorized: true},
		{Event: "Preflight", Method: "OPTIONS", Path: "/profile"},
	},
}

// testServer is a local API on loopback in front of a fake function.
type testServer struct {
	url      string
	pool     *authorizer.DevPool
	function *recordingFunction
	logs     *syncBuffer
}

// syncBuffer is a bytes.Buffer that the server's goroutines may write to
// while the test reads it.
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

// sharedKey is the content of one development key file for every test
// pool of this package, since generating RSA keys is slow under -race.
var sharedKey = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "localapi-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "key.pem")
	if _, err := authorizer.OpenDevPool(path, "http://127.0.0.1:3000/local-user-pool"); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// newTestPool returns a development pool with the shared test key in a
// temporary directory, for issuer.
func newTestPool(t *testing.T, issuer string) *authorizer.DevPool {
	t.Helper()
	pem, err := sharedKey()
	if err != nil {
		t.Fatalf("create the shared test key: %v", err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatalf("write key file: %v", err)
	}
	pool, err := authorizer.OpenDevPool(path, issuer)
	if err != nil {
		t.Fatalf("OpenDevPool() error = %v", err)
	}
	return pool
}

func newTestServer(t *testing.T, api API, origins []string, fn *recordingFunction) *testServer {
	t.Helper()
	pool := newTestPool(t, "http://127.0.0.1:3000/local-user-pool")
	logs := &syncBuffer{}
	server := httptest.NewServer(New(Config{
		API:            api,
		Function:       fn,
		Verifier:       pool.Verifier(),
		JWKSPath:       "/local-user-pool/.well-known/jwks.json",
		JWKS:           pool.JWKS(),
		AllowedOrigins: origins,
		Log:            slog.New(slog.NewTextHandler(logs, nil)),
	}))
	t.Cleanup(server.Close)
	return &testServer{url: server.URL, pool: pool, function: fn, logs: logs}
}

func (s *testServer) token(t *testing.T) string {
	t.Helper()
	token, err := s.pool.IDToken(authorizer.User{Sub: testSub, Email: "ada@example.com"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatalf("IDToken() error = %v", err)
	}
	return token
}

// do sends a request with the given headers, and returns the response and
// its body.
func do(t *testing.T, method, url string, headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, string(data)
}

func okFunction() *recordingFunction {
	return &recordingFunction{resp: events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"ok":true}`}}
}

func TestServerPassesClaimsAsStrings(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	token := s.token(t)

	resp, _ := do(t, "GET", s.url+"/profile", map[string]string{"Authorization": "Bearer " + token}, "")

	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, want 200 from the function", resp.StatusCode)
	}
	event := s.function.lastEvent(t)
	claims, ok := member(event, "requestContext.authorizer.claims")
	if !ok {
		t.Fatal("event has no requestContext.authorizer.claims")
	}
	for name, value := range claims.(map[string]any) {
		if _, isString := value.(string); !isString {
			t.Errorf("claim %s = %#v, want a string", name, value)
		}
	}
	for path, want := range map[string]any{
		"requestContext.authorizer.claims.sub":            testSub,
		"requestContext.authorizer.claims.email_verified": "true",
		"requestContext.authorizer.claims.token_use":      "id",
		"headers.Authorization":                           "Bearer " + token,
	} {
		if got, _ := member(event, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	exp, _ := member(event, "requestContext.authorizer.claims.exp")
	if _, err := time.Parse("Mon Jan 02 15:04:05 MST 2006", exp.(string)); err != nil {
		t.Errorf("exp = %q, want a date such as Tue Nov 14 23:13:20 UTC 2023: %v", exp, err)
	}
	if !s.function.hadID[0] {
		t.Error("the function's context has no Lambda request id")
	}
}

func TestServerAuthorizationHeaderForms(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	token := s.token(t)

	for _, header := range []string{"Bearer " + token, "bearer " + token, token, "Bearer   " + token + " "} {
		resp, body := do(t, "GET", s.url+"/profile", map[string]string{"Authorization": header}, "")
		if resp.StatusCode != 200 {
			t.Errorf("Authorization %.10q...: status = %d, want 200; body %s", header, resp.StatusCode, body)
		}
	}
}

func TestServerRejectsWithoutInvoking(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	expired, err := s.pool.IDToken(authorizer.User{Sub: testSub}, time.Now().Add(-2*time.Hour), time.Hour)
	if err != nil {
		t.Fatalf("IDToken() error = %v", err)
	}
	wrongAudience, err := s.pool.Sign(jwt.MapClaims{
		"sub": testSub, "iss": s.pool.Issuer(), "aud": "another-client", "token_use": "id",
		"exp": time.Now().Add(time.Hour).Unix(),
	})
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}

	tests := []struct {
		name        string
		headers     map[string]string
		wantMessage string
	}{
		{name: "no header", headers: nil, wantMessage: "Unauthorized"},
		{name: "empty bearer", headers: map[string]string{"Authorization": "Bearer "}, wantMessage: "Unauthorized"},
		{name: "malformed", headers: map[string]string{"Authorization": "Bearer abc.def"}, wantMessage: "Unauthorized"},
		{name: "basic scheme", headers: map[string]string{"Authorization": "Basic YWRhOnNlY3JldA=="}, wantMessage: "Unauthorized"},
		{name: "wrong audience", headers: map[string]string{"Authorization": "Bearer " + wrongAudience}, wantMessage: "Unauthorized"},
		{name: "expired", headers: map[string]string{"Authorization": "Bearer " + expired}, wantMessage: "The incoming token has expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, "PUT", s.url+"/profile", tt.headers, `{"name":"Ada Example"}`)

			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
			if want := `{"message":"` + tt.wantMessage + `"}`; body != want {
				t.Errorf("body = %s, want %s", body, want)
			}
			if got := resp.Header.Get("x-amzn-ErrorType"); got != "UnauthorizedException" {
				t.Errorf("x-amzn-ErrorType = %q, want UnauthorizedException", got)
			}
		})
	}
	if calls := s.function.calls(); calls != 0 {
		t.Errorf("the function was invoked %d times, want 0 for rejected tokens", calls)
	}
}

func TestServerPreflightWithoutToken(t *testing.T) {
	fn := &recordingFunction{resp: events.APIGatewayProxyResponse{StatusCode: 204}}
	s := newTestServer(t, profileAPI, nil, fn)

	resp, _ := do(t, "OPTIONS", s.url+"/profile", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"}, "")

	if resp.StatusCode != 204 {
		t.Errorf("status = %d, want 204 from the function", resp.StatusCode)
	}
	if _, ok := member(fn.lastEvent(t), "requestContext.authorizer"); ok {
		t.Error("preflight event has an authorizer block, want none")
	}
}

func TestServerUnknownRoute(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	token := s.token(t)

	for _, tt := range []struct{ method, path string }{{"POST", "/profile"}, {"GET", "/profiles"}, {"GET", "/"}} {
		resp, body := do(t, tt.method, s.url+tt.path, map[string]string{"Authorization": "Bearer " + token}, "")
		if resp.StatusCode != http.StatusForbidden || body != `{"message":"Missing Authentication Token"}` {
			t.Errorf("%s %s = %d %s, want 403 Missing Authentication Token", tt.method, tt.path, resp.StatusCode, body)
		}
	}
	if calls := s.function.calls(); calls != 0 {
		t.Errorf("the function was invoked %d times, want 0", calls)
	}
}

func TestServerGatewayResponseHeaders(t *testing.T) {
	api := profileAPI
	api.GatewayResponses = map[string][]ResponseHeader{
		"UNAUTHORIZED": {
			{Name: "WWW-Authenticate", Value: "Bearer"},
			{Name: "Access-Control-Allow-Origin", FirstAllowedOrigin: true},
		},
		"DEFAULT_4XX": {{Name: "Cache-Control", Value: "no-store"}},
	}

	s := newTestServer(t, api, []string{"https://app.example.com", "https://admin.example.com"}, okFunction())
	resp, _ := do(t, "GET", s.url+"/profile", nil, "")
	if got := resp.Header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("401 WWW-Authenticate = %q, want Bearer", got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("401 Access-Control-Allow-Origin = %q, want the first allowed origin", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "" {
		t.Errorf("401 Cache-Control = %q, want none: UNAUTHORIZED has its own entry", got)
	}

	resp, _ = do(t, "POST", s.url+"/profile", nil, "")
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("403 Cache-Control = %q, want no-store from DEFAULT_4XX", got)
	}

	withoutOrigins := newTestServer(t, api, nil, okFunction())
	resp, _ = do(t, "GET", withoutOrigins.url+"/profile", nil, "")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("401 without ALLOWED_ORIGINS: Access-Control-Allow-Origin = %q, want none", got)
	}
}

func TestServerWritesProxyResponse(t *testing.T) {
	fn := &recordingFunction{resp: events.APIGatewayProxyResponse{
		StatusCode:        201,
		Headers:           map[string]string{"ETag": `"1"`, "X-Both": "single", "Content-Type": "text/plain"},
		MultiValueHeaders: map[string][]string{"X-Both": {"one", "two"}},
		Body:              base64.StdEncoding.EncodeToString([]byte("created")),
		IsBase64Encoded:   true,
	}}
	s := newTestServer(t, profileAPI, nil, fn)

	resp, body := do(t, "PUT", s.url+"/profile", map[string]string{"Authorization": "Bearer " + s.token(t)}, "x")

	if resp.StatusCode != 201 {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
	if body != "created" {
		t.Errorf("body = %q, want the decoded base64 body", body)
	}
	if got := resp.Header.Values("X-Both"); len(got) != 2 || got[0] != "one" || got[1] != "two" {
		t.Errorf("X-Both = %q, want the multi-value list only", got)
	}
	if got := resp.Header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	if got := resp.Header.Get("x-amzn-RequestId"); got == "" {
		t.Error("x-amzn-RequestId is missing")
	}
}

func TestServerDefaultContentType(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	resp, _ := do(t, "GET", s.url+"/profile", map[string]string{"Authorization": "Bearer " + s.token(t)}, "")
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json for a body without one", got)
	}
}

func TestServerFunctionFailures(t *testing.T) {
	tests := []struct {
		name string
		fn   *recordingFunction
	}{
		{name: "function error", fn: &recordingFunction{err: errors.New("boom")}},
		{name: "no status code", fn: &recordingFunction{resp: events.APIGatewayProxyResponse{Body: "x"}}},
		{name: "bad base64", fn: &recordingFunction{resp: events.APIGatewayProxyResponse{StatusCode: 200, Body: "%%%", IsBase64Encoded: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, profileAPI, nil, tt.fn)
			resp, body := do(t, "GET", s.url+"/profile", map[string]string{"Authorization": "Bearer " + s.token(t)}, "")
			if resp.StatusCode != http.StatusBadGateway || body != `{"message":"Internal server error"}` {
				t.Errorf("response = %d %s, want 502 Internal server error", resp.StatusCode, body)
			}
		})
	}
}

func TestServerPayloadTooLarge(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	body := strings.Repeat("a", MaxPayloadSize+1)

	resp, _ := do(t, "PUT", s.url+"/profile", map[string]string{"Authorization": "Bearer " + s.token(t)}, body)

	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
	if calls := s.function.calls(); calls != 0 {
		t.Errorf("the function was invoked %d times, want 0", calls)
	}
}

func TestServerServesJWKS(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())

	resp, body := do(t, "GET", s.url+"/local-user-pool/.well-known/jwks.json", nil, "")

	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if body != string(s.pool.JWKS()) {
		t.Errorf("body = %s, want the pool's JWKS %s", body, s.pool.JWKS())
	}
}

func TestServerLogLine(t *testing.T) {
	s := newTestServer(t, profileAPI, nil, okFunction())
	token := s.token(t)

	do(t, "GET", s.url+"/profile", map[string]string{"Authorization": "Bearer " + token}, "")
	do(t, "PUT", s.url+"/profile", map[string]string{"Authorization": "Bearer x.y.z"}, `{"name":"Ada Example"}`)

	lines := strings.Split(strings.TrimSpace(s.logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want one per request:\n%s", len(lines), s.logs.String())
	}
	for _, want := range []string{"method=GET", "path=/profile", "status=200", "latency_ms="} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "status=401") || !strings.Contains(lines[1], "error=") {
		t.Errorf("log line %q lacks the 401 and its reason", lines[1])
	}
	for _, secret := range []string{token, "x.y.z", "Ada Example"} {
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("log contains %q, a token or body", secret)
		}
	}
}
