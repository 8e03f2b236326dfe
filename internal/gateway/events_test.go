package gateway

import (
	"encoding/json"
	"maps"
	"strings"
)

// event builds API Gateway events for tests. The zero value is a REST API
// (payload 1.0) GET of /profile by testSub through the Cognito authorizer.
type event struct {
	version  string // "1.0" or "2.0"
	method   string
	resource string // the REST resource or HTTP route path; "/profile" if empty
	path     string // the raw path; resource if empty
	headers  map[string]string
	body     *string
	base64   bool
	// claims replaces the authorizer's claims; with noAuthorizer the event
	// has no authorizer block at all.
	claims       map[string]any
	noAuthorizer bool
	// jwtClaims puts the claims at authorizer.jwt.claims, as an HTTP API
	// JWT authorizer does.
	jwtClaims bool
}

// rest returns a REST API event of method with body (no body when empty)
// and headers given as name, value pairs.
func rest(method, body string, headers ...string) event {
	e := event{version: "1.0", method: method, headers: pairs(headers)}
	if body != "" {
		e.body = &body
	}
	return e
}

// httpAPI returns an HTTP API (payload 2.0) event, with the claims of an
// access token at authorizer.jwt.claims.
func httpAPI(method, body string, headers ...string) event {
	e := rest(method, body, headers...)
	e.version = "2.0"
	e.jwtClaims = true
	e.claims = map[string]any{"sub": testSub, "token_use": "access", "client_id": "exampleclientid0123456789", "username": testSub}
	return e
}

func pairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// idClaims are the claims of a Cognito ID token as the REST API's
// authorizer passes them: every value a string.
func idClaims() map[string]any {
	return map[string]any{
		"sub":              testSub,
		"aud":              "exampleclientid0123456789",
		"email_verified":   "true",
		"token_use":        "id",
		"auth_time":        "1700000000",
		"iss":              "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
		"cognito:username": "ada",
		"exp":              "Tue Nov 14 23:13:20 UTC 2023",
		"iat":              "Tue Nov 14 22:13:20 UTC 2023",
		"email":            "ada@example.com",
	}
}

// json renders the event as API Gateway would send it.
func (e event) json() json.RawMessage {
	if e.method == "" {
		e.method = "GET"
	}
	if e.resource == "" {
		e.resource = "/profile"
	}
	if e.path == "" {
		e.path = e.resource
	}
	claims := e.claims
	if claims == nil {
		claims = idClaims()
	}
	var authorizer any
	switch {
	case e.noAuthorizer:
	case e.jwtClaims:
		authorizer = map[string]any{"jwt": map[string]any{"claims": claims, "scopes": nil}}
	default:
		authorizer = map[string]any{"claims": claims}
	}

	headers := map[string]string{"Accept": "application/json", "Authorization": "Bearer <fake-id-token>"}
	maps.Copy(headers, e.headers)

	var m map[string]any
	if e.version == "2.0" {
		m = e.httpEvent(headers, authorizer)
	} else {
		m = e.restEvent(headers, authorizer)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func (e event) restEvent(headers map[string]string, authorizer any) map[string]any {
	multi := map[string][]string{}
	for k, v := range headers {
		multi[k] = []string{v}
	}
	ctx := map[string]any{
		"resourcePath": e.resource,
		"httpMethod":   e.method,
		"path":         "/prod" + e.path,
		"stage":        "prod",
		"requestId":    "c0ffee00-0000-4000-8000-000000000001",
		"identity":     map[string]any{"sourceIp": "203.0.113.10"},
	}
	if authorizer != nil {
		ctx["authorizer"] = authorizer
	}
	return map[string]any{
		"resource":          e.resource,
		"path":              e.path,
		"httpMethod":        e.method,
		"headers":           headers,
		"multiValueHeaders": multi,
		"requestContext":    ctx,
		"body":              e.body,
		"isBase64Encoded":   e.base64,
	}
}

func (e event) httpEvent(headers map[string]string, authorizer any) map[string]any {
	lower := map[string]string{}
	for k, v := range headers {
		lower[strings.ToLower(k)] = v
	}
	ctx := map[string]any{
		"http":      map[string]any{"method": e.method, "path": e.path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10"},
		"requestId": "c0ffee00-0000-4000-8000-000000000002",
		"routeKey":  e.method + " " + e.resource,
		"stage":     "$default",
	}
	if authorizer != nil {
		ctx["authorizer"] = authorizer
	}
	m := map[string]any{
		"version":         "2.0",
		"routeKey":        e.method + " " + e.resource,
		"rawPath":         e.path,
		"rawQueryString":  "",
		"headers":         lower,
		"requestContext":  ctx,
		"isBase64Encoded": e.base64,
	}
	if e.body != nil {
		m["body"] = *e.body
	}
	return m
}
