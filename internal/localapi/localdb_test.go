package localapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-profile/profile-service/internal/app"
	"github.com/serverless-profile/profile-service/internal/authorizer"
	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/devdb"
)

// localAPI is the local API in front of the real handler, on a new table of
// the local database, with a development pool.
type localAPI struct {
	url  string
	pool *authorizer.DevPool
}

func newLocalAPI(t *testing.T) *localAPI {
	t.Helper()
	_, table := devdb.NewTestTable(t)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")

	handler, err := app.NewHandler(t.Context(), config.Config{TableName: table, DynamoDBEndpoint: devdb.Endpoint()}, io.Discard)
	if err != nil {
		t.Fatalf("NewHandler() error = %v", err)
	}
	path, err := devdb.FindTemplate()
	if err != nil {
		t.Fatalf("FindTemplate() error = %v", err)
	}
	api, err := LoadAPI(path, "")
	if err != nil {
		t.Fatalf("LoadAPI() error = %v", err)
	}
	pool := newTestPool(t, "http://127.0.0.1:3000/local-user-pool")

	server := httptest.NewServer(New(Config{
		API:      api,
		Function: handler,
		Verifier: pool.Verifier(),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}))
	t.Cleanup(server.Close)
	return &localAPI{url: server.URL + "/profile", pool: pool}
}

func (a *localAPI) token(t *testing.T, sub string) string {
	t.Helper()
	token, err := a.pool.IDToken(authorizer.User{Sub: sub, Email: "ada@example.com"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatalf("IDToken() error = %v", err)
	}
	return token
}

// send makes a request with a bearer token, when token is not empty, and
// the given headers.
func (a *localAPI) send(t *testing.T, method, token string, headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	all := map[string]string{}
	for name, value := range headers {
		all[name] = value
	}
	if token != "" {
		all["Authorization"] = "Bearer " + token
	}
	return do(t, method, a.url, all, body)
}

func decodeProfile(t *testing.T, body string) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return p
}

func TestServerTokensLocalDB(t *testing.T) {
	a := newLocalAPI(t)
	const sub = "22222222-3333-4444-5555-666666666666"
	otherPool, err := authorizer.OpenDevPool(filepath.Join(t.TempDir(), "other.pem"), a.pool.Issuer())
	if err != nil {
		t.Fatalf("OpenDevPool() error = %v", err)
	}

	claims := func(changes jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{
			"sub": sub, "iss": a.pool.Issuer(), "aud": authorizer.DevClientID, "token_use": "id",
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		}
		for k, v := range changes {
			c[k] = v
		}
		return c
	}
	sign := func(pool *authorizer.DevPool, c jwt.MapClaims) string {
		token, err := pool.Sign(c)
		if err != nil {
			t.Fatalf("Sign() error = %v", err)
		}
		return token
	}
	put := map[string]string{"Content-Type": "application/json"}

	rejected := []struct {
		name  string
		token string
	}{
		{name: "expired", token: sign(a.pool, claims(jwt.MapClaims{"iat": time.Now().Add(-2 * time.Hour).Unix(), "exp": time.Now().Add(-time.Hour).Unix()}))},
		{name: "wrongly signed", token: sign(otherPool, claims(nil))},
		{name: "wrong audience", token: sign(a.pool, claims(jwt.MapClaims{"aud": "another-client"}))},
		{name: "wrong token use", token: sign(a.pool, claims(jwt.MapClaims{"token_use": "refresh"}))},
		{name: "wrong issuer", token: sign(a.pool, claims(jwt.MapClaims{"iss": "http://127.0.0.1:3001/local-user-pool"}))},
		{name: "malformed", token: "eyJhbGciOiJSUzI1NiJ9.not-json.signature"},
		{name: "missing", token: ""},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := a.send(t, "PUT", tt.token, put, `{"name":"Ada Example"}`)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401; body %s", resp.StatusCode, body)
			}
		})
	}

	// None of the rejected requests wrote the profile.
	valid := a.token(t, sub)
	resp, body := a.send(t, "GET", valid, nil, "")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET after rejected PUTs: status = %d, want 404; body %s", resp.StatusCode, body)
	}

	resp, body = a.send(t, "PUT", valid, put, `{"name":"Ada Example"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT with a valid token: status = %d, want 201; body %s", resp.StatusCode, body)
	}
	if got := decodeProfile(t, body)["sub"]; got != sub {
		t.Errorf("sub = %v, want the token's %s", got, sub)
	}
}

func TestServerSessionLocalDB(t *testing.T) {
	a := newLocalAPI(t)
	token := a.token(t, "33333333-4444-5555-6666-777777777777")

	resp, body := a.send(t, "PUT", token, map[string]string{"Content-Type": "application/json"},
		`{"name":"Ada Example","email":"ada@example.com","phone_number":"+44 20 7946 0018"}`)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("PUT = %d ETag %s, want 201 ETag \"1\"; body %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	if got := decodeProfile(t, body)["phone_number"]; got != "+442079460018" {
		t.Errorf("phone_number = %v, want E.164 +442079460018", got)
	}

	resp, body = a.send(t, "GET", token, nil, "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("GET = %d ETag %s, want 200 ETag \"1\"; body %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	if got := decodeProfile(t, body)["name"]; got != "Ada Example" {
		t.Errorf("name = %v, want Ada Example", got)
	}

	patch := map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": `"1"`}
	resp, body = a.send(t, "PATCH", token, patch, `{"nickname":"Ada","phone_number":null}`)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"2"` {
		t.Fatalf("PATCH = %d ETag %s, want 200 ETag \"2\"; body %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	patched := decodeProfile(t, body)
	if patched["nickname"] != "Ada" {
		t.Errorf("nickname = %v, want Ada", patched["nickname"])
	}
	if _, ok := patched["phone_number"]; ok {
		t.Errorf("phone_number = %v, want it removed by null", patched["phone_number"])
	}

	resp, body = a.send(t, "PATCH", token, patch, `{"nickname":"Countess"}`)
	if resp.StatusCode != http.StatusPreconditionFailed || resp.Header.Get("ETag") != `"2"` {
		t.Fatalf("stale PATCH = %d ETag %s, want 412 ETag \"2\"; body %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}

	resp, body = a.send(t, "DELETE", token, nil, "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE = %d, want 204; body %s", resp.StatusCode, body)
	}
	resp, _ = a.send(t, "GET", token, nil, "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET after DELETE = %d, want 404", resp.StatusCode)
	}
}

func TestServerUsersIsolatedLocalDB(t *testing.T) {
	a := newLocalAPI(t)
	ada := a.token(t, "44444444-5555-6666-7777-888888888888")
	grace := a.token(t, "55555555-6666-7777-8888-999999999999")
	put := map[string]string{"Content-Type": "application/json"}

	if resp, body := a.send(t, "PUT", ada, put, `{"name":"Ada Example"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT as the first user = %d, want 201; body %s", resp.StatusCode, body)
	}
	if resp, body := a.send(t, "GET", grace, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET as the second user = %d, want 404 before their PUT; body %s", resp.StatusCode, body)
	}
	if resp, body := a.send(t, "PUT", grace, put, `{"name":"Grace Example"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT as the second user = %d, want 201 (their own profile); body %s", resp.StatusCode, body)
	}

	_, body := a.send(t, "GET", ada, nil, "")
	if got := decodeProfile(t, body)["name"]; got != "Ada Example" {
		t.Errorf("first user's name = %v, want Ada Example", got)
	}
	_, body = a.send(t, "GET", grace, nil, "")
	if got := decodeProfile(t, body)["name"]; got != "Grace Example" {
		t.Errorf("second user's name = %v, want Grace Example", got)
	}

	if resp, _ := a.send(t, "DELETE", grace, nil, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE as the second user = %d, want 204", resp.StatusCode)
	}
	if resp, _ := a.send(t, "GET", ada, nil, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("first user's GET after the second user's DELETE = %d, want 200", resp.StatusCode)
	}
}
