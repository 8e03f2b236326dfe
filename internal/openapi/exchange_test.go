package openapi_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/serverless-profile/profile-service/internal/openapi"
)

// Bodies and headers of the exchanges below. Each failing case changes one
// thing in an exchange that passes.
const (
	adaProfile = `{"sub":"11111111-2222-3333-4444-555555555555","name":"Ada Example",` +
		`"created_at":"2024-05-01T09:30:00Z","updated_at":"2024-05-01T09:30:00Z","version":1}`
	notFound = `{"type":"about:blank","title":"Not Found","status":404,` +
		`"detail":"There is no profile yet; create it with PUT.","request_id":"c0ffee00"}`
	methodNotAllowed = `{"type":"about:blank","title":"Method Not Allowed","status":405,` +
		`"detail":"The method is not allowed on /profile; see Allow.","request_id":"c0ffee00"}`
	allow = "GET, PUT, PATCH, DELETE, OPTIONS"
)

// fieldProblem returns a 400 problem document with one field error of code.
func fieldProblem(code string) string {
	return `{"type":"about:blank","title":"Bad Request","status":400,` +
		`"detail":"The profile has invalid fields; see errors.","request_id":"c0ffee00",` +
		`"errors":[{"pointer":"/email","code":"` + code + `","detail":"must be an email address"}]}`
}

// newRequest returns a request for path on the API, with headers given as
// name, value pairs. It carries a bearer token unless headers set
// Authorization to "".
func newRequest(t *testing.T, method, path, body string, headers ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://api.example.com"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Method = method
	req.Header.Set("Authorization", "Bearer fake-id-token")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if req.Header.Get("Authorization") == "" {
		req.Header.Del("Authorization")
	}
	return req
}

// newResponse returns a response with Cache-Control: no-store, a JSON or
// problem Content-Type when body is not empty, and headers given as name,
// value pairs. A pair with an empty value removes that header.
func newResponse(status int, body string, headers ...string) *http.Response {
	header := http.Header{}
	header.Set("Cache-Control", "no-store")
	switch {
	case strings.Contains(body, `"about:blank"`):
		header.Set("Content-Type", "application/problem+json")
	case body != "":
		header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			header.Del(headers[i])
			continue
		}
		header.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

func TestSpec_ValidateExchange(t *testing.T) {
	spec := loadSpec(t)
	longName := strings.Repeat("x", 101)

	tests := []struct {
		name    string
		req     *http.Request
		resp    *http.Response
		wantErr bool
	}{
		// Exchanges that match the description.
		{"get", newRequest(t, "GET", "/profile", ""), newResponse(200, adaProfile, "ETag", `"1"`), false},
		{"get with cors", newRequest(t, "GET", "/profile", "", "Origin", "https://app.example.com"),
			newResponse(200, adaProfile, "ETag", `"1"`, "Vary", "Origin", "Access-Control-Allow-Origin", "https://app.example.com", "Access-Control-Expose-Headers", "ETag"), false},
		{"get not modified", newRequest(t, "GET", "/profile", "", "If-None-Match", `"1"`), newResponse(304, "", "ETag", `"1"`), false},
		{"get unavailable", newRequest(t, "GET", "/profile", ""), newResponse(503, notFound, "Retry-After", "1"), false},
		{"put create", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/json"),
			newResponse(201, adaProfile, "ETag", `"1"`), false},
		{"put with charset", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/json; charset=utf-8"),
			newResponse(201, adaProfile, "ETag", `"1"`), false},
		{"put read-only members", newRequest(t, "PUT", "/profile", `{"name":"Ada Example","sub":"x","version":7,"created_at":null}`, "Content-Type", "application/json"),
			newResponse(200, adaProfile, "ETag", `"1"`), false},
		{"put null optional field", newRequest(t, "PUT", "/profile", `{"name":"Ada Example","nickname":null}`, "Content-Type", "application/json"),
			newResponse(200, adaProfile, "ETag", `"1"`), false},
		{"put if-none-match", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/json", "If-None-Match", "*"),
			newResponse(201, adaProfile, "ETag", `"1"`), false},
		{"patch remove field", newRequest(t, "PATCH", "/profile", `{"given_name":null,"nickname":"Countess"}`, "Content-Type", "application/merge-patch+json"),
			newResponse(200, adaProfile, "ETag", `"2"`), false},
		{"patch as json", newRequest(t, "PATCH", "/profile", `{}`, "Content-Type", "application/json"),
			newResponse(200, adaProfile, "ETag", `"1"`), false},
		{"patch invalid on purpose", newRequest(t, "PATCH", "/profile", `{"version":2}`, "Content-Type", "text/plain"),
			newResponse(400, fieldProblem("read_only")), false},
		{"delete", newRequest(t, "DELETE", "/profile", "", "If-Match", `"1"`), newResponse(204, ""), false},
		{"delete stale", newRequest(t, "DELETE", "/profile", "", "If-Match", `"1"`), newResponse(412, notFound, "ETag", `"2"`), false},
		{"delete stale without profile", newRequest(t, "DELETE", "/profile", "", "If-Match", "*"), newResponse(412, notFound), false},
		{"preflight", newRequest(t, "OPTIONS", "/profile", "", "Authorization", "", "Origin", "https://app.example.com"),
			newResponse(204, "", "Allow", allow, "Vary", "Origin"), false},
		{"no token", newRequest(t, "GET", "/profile", "", "Authorization", ""), newResponse(401, notFound, "WWW-Authenticate", "Bearer"), false},
		{"unknown path", newRequest(t, "GET", "/profiles", ""), newResponse(404, notFound), false},
		{"unknown method", newRequest(t, "POST", "/profile", `{}`), newResponse(405, methodNotAllowed, "Allow", allow), false},
		{"lower-case method", newRequest(t, "get", "/profile", ""), newResponse(405, methodNotAllowed, "Allow", allow), false},

		// Responses that the description does not allow.
		{"status not listed", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/json"),
			newResponse(202, adaProfile, "ETag", `"1"`), true},
		{"etag missing", newRequest(t, "GET", "/profile", ""), newResponse(200, adaProfile), true},
		{"etag weak", newRequest(t, "GET", "/profile", ""), newResponse(200, adaProfile, "ETag", `W/"1"`), true},
		{"cache-control missing", newRequest(t, "GET", "/profile", ""), newResponse(200, adaProfile, "ETag", `"1"`, "Cache-Control", ""), true},
		{"cache-control other", newRequest(t, "GET", "/profile", ""), newResponse(200, adaProfile, "ETag", `"1"`, "Cache-Control", "private"), true},
		{"header not declared", newRequest(t, "GET", "/profile", ""), newResponse(200, adaProfile, "ETag", `"1"`, "X-Debug", "1"), true},
		{"etag on 404", newRequest(t, "GET", "/profile", ""), newResponse(404, notFound, "ETag", `"1"`), true},
		{"wrong content type", newRequest(t, "GET", "/profile", ""),
			newResponse(200, adaProfile, "ETag", `"1"`, "Content-Type", "application/problem+json"), true},
		{"profile without sub", newRequest(t, "GET", "/profile", ""),
			newResponse(200, strings.Replace(adaProfile, `"sub":"11111111-2222-3333-4444-555555555555",`, "", 1), "ETag", `"1"`), true},
		{"profile extra member", newRequest(t, "GET", "/profile", ""),
			newResponse(200, strings.Replace(adaProfile, `{`, `{"password":"x",`, 1), "ETag", `"1"`), true},
		{"profile name too long", newRequest(t, "GET", "/profile", ""),
			newResponse(200, strings.Replace(adaProfile, "Ada Example", longName, 1), "ETag", `"1"`), true},
		{"profile version zero", newRequest(t, "GET", "/profile", ""),
			newResponse(200, strings.Replace(adaProfile, `"version":1`, `"version":0`, 1), "ETag", `"1"`), true},
		{"not modified without etag", newRequest(t, "GET", "/profile", "", "If-None-Match", `"1"`), newResponse(304, ""), true},
		{"not modified with body", newRequest(t, "GET", "/profile", "", "If-None-Match", `"1"`), newResponse(304, adaProfile, "ETag", `"1"`), true},
		{"no content with body", newRequest(t, "DELETE", "/profile", ""), newResponse(204, adaProfile), true},
		{"profile without body", newRequest(t, "GET", "/profile", ""), newResponse(200, "", "ETag", `"1"`), true},
		{"unknown error code", newRequest(t, "PUT", "/profile", `{"email":"x"}`, "Content-Type", "application/json"),
			newResponse(400, fieldProblem("bad_email")), true},
		{"problem without request id", newRequest(t, "GET", "/profile", ""),
			newResponse(404, strings.Replace(notFound, `,"request_id":"c0ffee00"`, "", 1)), true},
		{"unauthorized without challenge", newRequest(t, "GET", "/profile", "", "Authorization", ""), newResponse(401, notFound), true},
		{"retry-after not a number", newRequest(t, "GET", "/profile", ""), newResponse(503, notFound, "Retry-After", "soon"), true},
		{"method not allowed without allow", newRequest(t, "POST", "/profile", `{}`), newResponse(405, methodNotAllowed), true},
		{"unknown path found", newRequest(t, "GET", "/profiles", ""), newResponse(200, adaProfile, "ETag", `"1"`), true},
		{"unknown method accepted", newRequest(t, "POST", "/profile", `{}`), newResponse(201, adaProfile, "ETag", `"1"`), true},

		// Requests that the service accepted but the description does not allow.
		{"accepted without token", newRequest(t, "GET", "/profile", "", "Authorization", ""), newResponse(200, adaProfile, "ETag", `"1"`), true},
		{"accepted other scheme", newRequest(t, "GET", "/profile", "", "Authorization", "Basic YWRhOng="), newResponse(200, adaProfile, "ETag", `"1"`), true},
		{"accepted name too long", newRequest(t, "PUT", "/profile", `{"name":"`+longName+`"}`, "Content-Type", "application/json"),
			newResponse(201, adaProfile, "ETag", `"1"`), true},
		{"accepted put without name", newRequest(t, "PUT", "/profile", `{"nickname":"Countess"}`, "Content-Type", "application/json"),
			newResponse(201, adaProfile, "ETag", `"1"`), true},
		{"accepted put unknown member", newRequest(t, "PUT", "/profile", `{"name":"Ada Example","givenName":"Ada"}`, "Content-Type", "application/json"),
			newResponse(201, adaProfile, "ETag", `"1"`), true},
		{"accepted patch read-only", newRequest(t, "PATCH", "/profile", `{"version":2}`, "Content-Type", "application/merge-patch+json"),
			newResponse(200, adaProfile, "ETag", `"2"`), true},
		{"accepted patch null name", newRequest(t, "PATCH", "/profile", `{"name":null}`, "Content-Type", "application/merge-patch+json"),
			newResponse(200, adaProfile, "ETag", `"2"`), true},
		{"accepted text/plain", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "text/plain"),
			newResponse(201, adaProfile, "ETag", `"1"`), true},
		{"accepted merge patch put", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/merge-patch+json"),
			newResponse(201, adaProfile, "ETag", `"1"`), true},
		{"accepted get with body", newRequest(t, "GET", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/json"),
			newResponse(200, adaProfile, "ETag", `"1"`), true},
		{"accepted if-none-match tag", newRequest(t, "PUT", "/profile", `{"name":"Ada Example"}`, "Content-Type", "application/json", "If-None-Match", `"1"`),
			newResponse(201, adaProfile, "ETag", `"1"`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := spec.ValidateExchange(t.Context(), tt.req, tt.resp)
			if tt.wantErr && err == nil {
				t.Errorf("ValidateExchange() = nil, want an error")
			}
			if !tt.wantErr && err != nil {
				t.Errorf("ValidateExchange() = %v, want nil", err)
			}
		})
	}
}

// TestSpec_ValidateResponseSkipsRequest checks that ValidateResponse judges
// the response alone, for requests that the service reads leniently.
func TestSpec_ValidateResponseSkipsRequest(t *testing.T) {
	spec := loadSpec(t)
	padded := `{"name":"  ` + strings.Repeat("x", 100) + `  "}`

	req := newRequest(t, "PUT", "/profile", padded, "Content-Type", "application/json")
	if err := spec.ValidateResponse(t.Context(), req, newResponse(200, adaProfile, "ETag", `"2"`)); err != nil {
		t.Errorf("ValidateResponse() = %v, want nil", err)
	}

	req = newRequest(t, "PUT", "/profile", padded, "Content-Type", "application/json")
	if err := spec.ValidateResponse(t.Context(), req, newResponse(202, adaProfile, "ETag", `"2"`)); err == nil {
		t.Errorf("ValidateResponse() of a 202 = nil, want an error")
	}

	req = newRequest(t, "PUT", "/profile", padded, "Content-Type", "application/json")
	if err := spec.ValidateExchange(t.Context(), req, newResponse(200, adaProfile, "ETag", `"2"`)); err == nil {
		t.Errorf("ValidateExchange() of a padded name = nil, want an error")
	}
}

func TestSpec_ValidateSharedResponse(t *testing.T) {
	spec := loadSpec(t)
	badEvent := strings.NewReplacer(`"Not Found"`, `"Bad Request"`, "404", "400").Replace(notFound)

	tests := []struct {
		name    string
		resp    *http.Response
		wantErr bool
	}{
		{"bad request", newResponse(400, badEvent), false},
		{"other status", newResponse(500, badEvent), true},
		{"not a problem", newResponse(400, adaProfile), true},
		{"header not declared", newResponse(400, badEvent, "ETag", `"1"`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := spec.ValidateSharedResponse(openapi.BadRequestResponse, 400, tt.resp)
			if tt.wantErr && err == nil {
				t.Errorf("ValidateSharedResponse() = nil, want an error")
			}
			if !tt.wantErr && err != nil {
				t.Errorf("ValidateSharedResponse() = %v, want nil", err)
			}
		})
	}
}

// TestSpec_ValidateExchangeConcurrent checks that a Spec is safe for
// concurrent use, which go test -race reports on.
func TestSpec_ValidateExchangeConcurrent(t *testing.T) {
	spec := loadSpec(t)

	var wg sync.WaitGroup
	for range 8 {
		req := newRequest(t, "PUT", "/profile", `{"name":"Ada Example","email":"ada@example.com"}`, "Content-Type", "application/json")
		resp := newResponse(201, adaProfile, "ETag", `"1"`)
		wg.Go(func() {
			if err := spec.ValidateExchange(t.Context(), req, resp); err != nil {
				t.Errorf("ValidateExchange() = %v, want nil", err)
			}
		})
	}
	wg.Wait()
}
