package gateway

import (
	"strings"
	"testing"
)

// Tests that one user's requests never reach another user's profile. The
// item key is the sub claim that API Gateway's authorizer verified, and
// nothing else in an event may select or change it.

// graceSub is the second made-up user of the isolation tests.
const graceSub = "66666666-7777-8888-9999-000000000000"

// adaFull is the profile of the user testSub in the isolation tests.
const adaFull = `{"name":"Ada Example","given_name":"Ada","email":"ada@example.com","phone_number":"+44 20 7946 0018"}`

// asGrace returns e sent by graceSub, with the claims of her ID token.
func asGrace(e event) event {
	claims := idClaims()
	claims["sub"] = graceSub
	claims["email"] = "grace@example.com"
	claims["cognito:username"] = "grace"
	e.claims = claims
	return e
}

// impersonations are the places of an event, other than the sub claim,
// where a request may name another user. Each edit names testSub there.
var impersonations = []struct {
	name string
	edit func(event map[string]any)
	// unmatched is true when the edit changes the route, so that every
	// request gets 404.
	unmatched bool
}{
	{"nothing", func(map[string]any) {}, false},
	{"query", func(e map[string]any) {
		e["queryStringParameters"] = map[string]any{"sub": testSub, "user": testSub}
		e["multiValueQueryStringParameters"] = map[string]any{"sub": []any{testSub}}
	}, false},
	{"path parameters", func(e map[string]any) {
		e["pathParameters"] = map[string]any{"sub": testSub, "proxy": testSub}
	}, false},
	{"stage variables", func(e map[string]any) {
		e["stageVariables"] = map[string]any{"sub": testSub}
	}, false},
	{"headers", func(e map[string]any) {
		headers, _ := e["headers"].(map[string]any)
		headers["X-User-Sub"] = testSub
		headers["Sub"] = testSub
	}, false},
	{"other claims", func(e map[string]any) {
		claims := authorizerOf(e)["claims"].(map[string]any)
		claims["cognito:username"] = testSub
		claims["username"] = testSub
		claims["custom:sub"] = testSub
		claims["email"] = "ada@example.com"
	}, false},
	{"other authorizer members", func(e map[string]any) {
		authorizer := authorizerOf(e)
		authorizer["principalId"] = testSub
		authorizer["lambda"] = map[string]any{"sub": testSub}
		authorizer["sub"] = testSub
	}, false},
	{"identity", func(e map[string]any) {
		requestContext := e["requestContext"].(map[string]any)
		requestContext["identity"] = map[string]any{"cognitoIdentityId": testSub, "user": testSub, "caller": testSub}
	}, false},
	{"path", func(e map[string]any) {
		e["resource"] = "/{proxy+}"
		e["path"] = "/profile/" + testSub
		e["pathParameters"] = map[string]any{"proxy": "profile/" + testSub}
	}, true},
}

// authorizerOf returns requestContext.authorizer of a payload 1.0 event.
func authorizerOf(e map[string]any) map[string]any {
	return e["requestContext"].(map[string]any)["authorizer"].(map[string]any)
}

// TestIsolation_OtherUserLocalDB lets one user send every method while
// naming another user in the body, the query, the path, the headers and
// every claim but sub. Each request acts on the sender's own profile or
// on none, and the other user's profile stays as it was.
func TestIsolation_OtherUserLocalDB(t *testing.T) {
	h := newHarness(t, Config{})
	h.do(rest("PUT", adaFull, "Content-Type", jsonType).json()).wantStatus(201)
	adaBefore := h.do(rest("GET", "").json()).wantStatus(200)

	requests := 0
	for _, imp := range impersonations {
		t.Run(imp.name, func(t *testing.T) {
			steps := []struct {
				event  event
				status int
			}{
				{rest("PUT", `{"name":"Grace Example","sub":"`+testSub+`","version":1}`, "Content-Type", jsonType), 201},
				{rest("GET", ""), 200},
				{rest("PATCH", `{"sub":"`+testSub+`"}`, "Content-Type", mergePatchType), 400},
				{rest("PATCH", `{"nickname":"`+testSub+`","email":"grace@example.com"}`, "Content-Type", mergePatchType), 200},
				{rest("PUT", `{"name":"Grace Example","email":"ada@example.com"}`, "Content-Type", jsonType, "If-Match", `"2"`), 200},
				{rest("DELETE", "", "If-Match", `"3"`), 204},
				{rest("GET", ""), 404},
				{rest("DELETE", ""), 404},
				{rest("PATCH", `{"nickname":"Grace"}`, "Content-Type", mergePatchType), 404},
			}
			for i, s := range steps {
				want := s.status
				if imp.unmatched {
					want = 404
				}
				r := h.do(reshape(t, asGrace(s.event).json(), imp.edit)).wantStatus(want)
				requests++
				if r.status < 300 && r.rawBody != "" {
					r.wantField("sub", graceSub)
				}
				if strings.Contains(r.rawBody, "Ada Example") {
					t.Errorf("step %d (%s): the response holds the other user's profile: %s", i, s.event.method, r.rawBody)
				}

				after := h.do(rest("GET", "").json()).wantStatus(200)
				if after.rawBody != adaBefore.rawBody {
					t.Fatalf("step %d (%s) changed the other user's profile to %s", i, s.event.method, after.rawBody)
				}
			}
		})
	}
	t.Logf("requests: %d by one user naming another in %d places, each followed by a read of the other user's profile", requests, len(impersonations))
}

// claimsWithoutSub are authorizer blocks that carry no usable sub: missing,
// empty, or not a JSON string. Each is set as requestContext.authorizer.
var claimsWithoutSub = []struct {
	name       string
	authorizer any
}{
	{"no authorizer", nil},
	{"authorizer string", "Bearer " + testSub},
	{"null claims", map[string]any{"claims": nil}},
	{"claims string", map[string]any{"claims": `{"sub":"` + testSub + `"}`}},
	{"empty claims", map[string]any{"claims": map[string]any{}}},
	{"other claims only", map[string]any{"claims": map[string]any{"cognito:username": testSub, "username": testSub, "email": "ada@example.com"}}},
	{"empty sub", map[string]any{"claims": map[string]any{"sub": ""}}},
	{"null sub", map[string]any{"claims": map[string]any{"sub": nil}}},
	{"number sub", map[string]any{"claims": map[string]any{"sub": 12345}}},
	{"boolean sub", map[string]any{"claims": map[string]any{"sub": true}}},
	{"array sub", map[string]any{"claims": map[string]any{"sub": []any{testSub}}}},
	{"object sub", map[string]any{"claims": map[string]any{"sub": map[string]any{"value": testSub}}}},
	{"jwt number sub", map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": 12345}}}},
	{"jwt empty sub", map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": ""}}}},
	{"principal id only", map[string]any{"principalId": testSub}},
}

// TestIsolation_NoSubLocalDB sends every method with claims that lack a
// usable sub, with bodies that name an existing user. Each gets 401 with
// WWW-Authenticate, and no profile changes.
func TestIsolation_NoSubLocalDB(t *testing.T) {
	h := newHarness(t, Config{})
	h.do(rest("PUT", adaFull, "Content-Type", jsonType).json()).wantStatus(201)
	before := h.do(rest("GET", "").json()).wantStatus(200)

	writes := []event{
		rest("GET", ""),
		rest("PUT", `{"name":"Mallory Example","sub":"`+testSub+`"}`, "Content-Type", jsonType),
		rest("PUT", `{"name":"Mallory Example"}`, "Content-Type", jsonType, "If-Match", `"1"`),
		rest("PATCH", `{"nickname":"Mallory"}`, "Content-Type", mergePatchType),
		rest("DELETE", ""),
		rest("DELETE", "", "If-Match", `"1"`),
	}
	requests := 0
	for _, c := range claimsWithoutSub {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range writes {
				raw := reshape(t, w.json(), func(e map[string]any) {
					requestContext := e["requestContext"].(map[string]any)
					if c.authorizer == nil {
						delete(requestContext, "authorizer")
						return
					}
					requestContext["authorizer"] = c.authorizer
				})
				h.do(raw).wantProblem(401).wantHeader("WWW-Authenticate", "Bearer")
				requests++
			}
		})
	}

	after := h.do(rest("GET", "").json()).wantStatus(200)
	if after.rawBody != before.rawBody {
		t.Errorf("profile after the requests without sub = %s, want it unchanged: %s", after.rawBody, before.rawBody)
	}
	t.Logf("requests: %d without a usable sub, in %d shapes of claims, all answered 401", requests, len(claimsWithoutSub))
}
