package localapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// encodeEvent returns the event as the function receives it, a generic
// JSON object.
func encodeEvent(t *testing.T, e restEvent) map[string]any {
	t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("encode event: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	return out
}

func TestNewEvent(t *testing.T) {
	r := httptest.NewRequest("PATCH", "http://127.0.0.1:3000/items/42?tag=a&tag=b&q=x", nil)
	r.RemoteAddr = "127.0.0.1:51000"
	r.Header.Set("User-Agent", "curl/8.5.0")
	r.Header.Add("Accept", "application/json")
	r.Header.Add("Accept", "text/plain")
	received := time.Date(2023, 11, 14, 22, 15, 14, 274_000_000, time.UTC)

	e := encodeEvent(t, newEvent(r, invocation{
		route:     Route{Method: "PATCH", Path: "/items/{id}", Authorized: true},
		params:    map[string]string{"id": "42"},
		stage:     "prod",
		requestID: "b549e078-2aba-41b9-a352-c3af78d3f685",
		claims:    map[string]string{"sub": "11111111-2222-3333-4444-555555555555", "exp": "Tue Nov 14 23:13:20 UTC 2023"},
		body:      []byte(`{"name":"Ada Example"}`),
		received:  received,
	}))

	checks := map[string]any{
		"resource":                             "/items/{id}",
		"path":                                 "/items/42",
		"httpMethod":                           "PATCH",
		"body":                                 `{"name":"Ada Example"}`,
		"headers.Accept":                       "text/plain",
		"headers.Host":                         "127.0.0.1:3000",
		"headers.X-Forwarded-For":              "127.0.0.1",
		"headers.X-Forwarded-Port":             "3000",
		"headers.X-Forwarded-Proto":            "http",
		"queryStringParameters.tag":            "b",
		"queryStringParameters.q":              "x",
		"pathParameters.id":                    "42",
		"requestContext.stage":                 "prod",
		"requestContext.path":                  "/prod/items/42",
		"requestContext.resourcePath":          "/items/{id}",
		"requestContext.httpMethod":            "PATCH",
		"requestContext.requestId":             "b549e078-2aba-41b9-a352-c3af78d3f685",
		"requestContext.requestTime":           "14/Nov/2023:22:15:14 +0000",
		"requestContext.requestTimeEpoch":      float64(1700000114274),
		"requestContext.protocol":              "HTTP/1.1",
		"requestContext.domainName":            "127.0.0.1:3000",
		"requestContext.identity.sourceIp":     "127.0.0.1",
		"requestContext.identity.userAgent":    "curl/8.5.0",
		"requestContext.authorizer.claims.sub": "11111111-2222-3333-4444-555555555555",
		"requestContext.authorizer.claims.exp": "Tue Nov 14 23:13:20 UTC 2023",
		"multiValueHeaders.Accept":             []any{"application/json", "text/plain"},
		"multiValueQueryStringParameters.tag":  []any{"a", "b"},
	}
	for path, want := range checks {
		got, _ := member(e, path)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if id, _ := member(e, "requestContext.extendedRequestId"); id == "" || id == nil {
		t.Error("requestContext.extendedRequestId is empty")
	}
	if _, ok := e["isBase64Encoded"]; ok {
		t.Errorf("isBase64Encoded = %v, want it left out for a text body", e["isBase64Encoded"])
	}
}

// member returns the value at a dotted path of JSON object members.
func member(v any, path string) (any, bool) {
	for _, name := range strings.Split(path, ".") {
		object, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok = object[name]
		if !ok {
			return nil, false
		}
	}
	return v, true
}

func TestNewEventWithoutBodyOrAuthorizer(t *testing.T) {
	r := httptest.NewRequest("OPTIONS", "http://127.0.0.1:3000/profile", nil)

	e := encodeEvent(t, newEvent(r, invocation{route: Route{Method: "OPTIONS", Path: "/profile"}, stage: "prod", received: time.Now()}))

	if body, ok := e["body"]; !ok || body != nil {
		t.Errorf("body = %#v (present %v), want null", body, ok)
	}
	for _, name := range []string{"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables"} {
		if value, ok := e[name]; !ok || value != nil {
			t.Errorf("%s = %#v (present %v), want null", name, value, ok)
		}
	}
	if _, ok := member(e, "requestContext.authorizer"); ok {
		t.Error("requestContext.authorizer is present on a route without an authorizer")
	}
}

func TestNewEventBase64Body(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantBase64  bool
	}{
		{name: "json", contentType: "application/json", body: []byte(`{"a":1}`)},
		{name: "merge patch", contentType: "application/merge-patch+json; charset=utf-8", body: []byte(`{"a":null}`)},
		{name: "plain text", contentType: "text/plain", body: []byte("hello")},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: []byte("a=1")},
		{name: "no content type", contentType: "", body: []byte("hello")},
		{name: "octet stream", contentType: "application/octet-stream", body: []byte("hello"), wantBase64: true},
		{name: "image", contentType: "image/png", body: []byte{0x89, 'P', 'N', 'G'}, wantBase64: true},
		{name: "json not utf-8", contentType: "application/json", body: []byte{'"', 0xff, '"'}, wantBase64: true},
		{name: "invalid content type", contentType: "a/b; =", body: []byte("x"), wantBase64: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "http://127.0.0.1:3000/profile", nil)
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}

			e := newEvent(r, invocation{route: Route{Method: "PUT", Path: "/profile"}, stage: "prod", body: tt.body, received: time.Now()})

			if e.IsBase64Encoded != tt.wantBase64 {
				t.Fatalf("IsBase64Encoded = %v, want %v", e.IsBase64Encoded, tt.wantBase64)
			}
			got := []byte(*e.Body)
			if tt.wantBase64 {
				decoded, err := base64.StdEncoding.DecodeString(*e.Body)
				if err != nil {
					t.Fatalf("body is not base64: %v", err)
				}
				got = decoded
			}
			if string(got) != string(tt.body) {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
		})
	}
}
