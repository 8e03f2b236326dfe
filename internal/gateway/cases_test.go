package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/store"
)

// Tests of the API from a client's side. Each one sends a sequence of
// events to one handler on a fresh table and checks every response.

// Header values and bodies that many of the tests send.
const (
	jsonType       = "application/json"
	mergePatchType = "application/merge-patch+json"
	problemType    = "application/problem+json"
	adaPut         = `{"name":"Ada Example"}`
)

// bodyLimit is the largest request body, in bytes, that the API accepts
// (16 KiB). A larger one gets 413.
const bodyLimit = 16 << 10

// TestCase_Base64Body checks that a base64 body, as API Gateway sends it
// when application/json is a binary media type, is decoded before parsing
// and that the decoded values are stored, not the base64 text.
func TestCase_Base64Body(t *testing.T) {
	h := newHarness(t, Config{})

	doc := `{"name":"Ada B. Example","given_name":"Ada","email":"ada@example.com"}`
	put := rest("PUT", base64.StdEncoding.EncodeToString([]byte(doc)), "Content-Type", jsonType)
	put.base64 = true
	h.do(put.json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada B. Example").
		wantField("given_name", "Ada").
		wantField("email", "ada@example.com").
		wantField("version", 1)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada B. Example").
		wantField("given_name", "Ada").
		wantField("email", "ada@example.com")
}

// TestCase_LowercaseHeaderNames checks that Content-Type and If-Match are
// read in any case, because an exact-case lookup would return 415 to the
// PATCH and skip the stale If-Match.
func TestCase_LowercaseHeaderNames(t *testing.T) {
	h := newHarness(t, Config{})

	put := rest("PUT", adaPut, "content-type", jsonType)
	h.do(reshape(t, put.json(), lowerHeaderNames)).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example")

	patch := rest("PATCH", `{"nickname":"Countess"}`, "content-type", mergePatchType, "if-match", `"1"`)
	h.do(reshape(t, patch.json(), lowerHeaderNames)).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("nickname", "Countess").
		wantField("version", 2)

	stale := rest("PATCH", `{"nickname":"Lady Lovelace"}`, "content-type", mergePatchType, "if-match", `"1"`)
	h.do(reshape(t, stale.json(), lowerHeaderNames)).wantProblem(412).
		wantHeader("ETag", `"2"`)

	get := rest("GET", "")
	h.do(reshape(t, get.json(), lowerHeaderNames)).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("nickname", "Countess")
}

// TestCase_GetWithNullBody checks that a GET, which has a null body and no
// Content-Type, is not put through the body checks of a write.
func TestCase_GetWithNullBody(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantHeader("Content-Type", jsonType).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)
}

// TestCase_PutEmptyBody checks that a PUT whose body is empty, null or the
// JSON literal null gets 400 and does not blank the stored profile.
func TestCase_PutEmptyBody(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","nickname":"Countess"}`, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	empty := ""
	emptyBody := rest("PUT", "", "Content-Type", jsonType, "If-Match", `"1"`)
	emptyBody.body = &empty
	h.do(emptyBody.json()).wantProblem(400)

	nullBody := rest("PUT", "", "Content-Type", jsonType, "If-Match", `"1"`)
	h.do(nullBody.json()).wantProblem(400)

	h.do(rest("PUT", "null", "Content-Type", jsonType, "If-Match", `"1"`).json()).wantProblem(400)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("nickname", "Countess")
}

// TestCase_NoAuthorizer checks that an event without an authorizer block,
// with empty claims or with an empty sub gets 401 instead of a crash or a
// fallback user.
func TestCase_NoAuthorizer(t *testing.T) {
	h := newHarness(t, Config{})

	noAuthorizer := rest("GET", "")
	noAuthorizer.noAuthorizer = true
	h.do(noAuthorizer.json()).wantProblem(401).
		wantHeader("WWW-Authenticate", "Bearer")

	noClaims := rest("GET", "")
	noClaims.claims = map[string]any{}
	h.do(noClaims.json()).wantProblem(401).
		wantHeader("WWW-Authenticate", "Bearer")

	emptySub := rest("GET", "")
	emptySub.claims = idClaims()
	emptySub.claims["sub"] = ""
	h.do(emptySub.json()).wantProblem(401).
		wantHeader("WWW-Authenticate", "Bearer")
}

// TestCase_JWTClaimsInRESTEvent checks that a payload 1.0 event from an
// HTTP API, which carries the claims at authorizer.jwt.claims, is
// authenticated and reaches the same profile as a REST API event.
func TestCase_JWTClaimsInRESTEvent(t *testing.T) {
	h := newHarness(t, Config{})

	get := rest("GET", "")
	get.jwtClaims = true
	get.claims = accessClaims()
	h.do(get.json()).wantProblem(404)

	put := rest("PUT", adaPut, "Content-Type", jsonType)
	put.jwtClaims = true
	put.claims = accessClaims()
	h.do(put.json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("version", 1).
		wantField("sub", testSub)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example")
}

// TestCase_SubNotString checks that a numeric sub and null claims get 401.
// An unchecked type assertion would panic, and API Gateway turns a panic
// into a bare 502.
func TestCase_SubNotString(t *testing.T) {
	h := newHarness(t, Config{})

	numericSub := rest("GET", "")
	numericSub.claims = idClaims()
	numericSub.claims["sub"] = 12345
	h.do(numericSub.json()).wantProblem(401).
		wantHeader("WWW-Authenticate", "Bearer")

	nullClaims := rest("GET", "")
	h.do(reshape(t, nullClaims.json(), setNullClaims)).wantProblem(401).
		wantHeader("WWW-Authenticate", "Bearer")
}

// TestCase_AccessTokenWithoutEmail checks that the claims of a Cognito
// access token, which has no email claim, identify the caller by sub alone,
// and that the stored email comes from the request body, not the token.
func TestCase_AccessTokenWithoutEmail(t *testing.T) {
	h := newHarness(t, Config{})

	get := rest("GET", "")
	get.claims = accessClaims()
	h.do(get.json()).wantProblem(404)

	put := rest("PUT", `{"name":"Ada Example","email":"ada@example.com"}`, "Content-Type", jsonType)
	put.claims = accessClaims()
	h.do(put.json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("sub", testSub).
		wantField("email", "ada@example.com")

	h.do(get.json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("email", "ada@example.com").
		wantField("sub", testSub)
}

// TestCase_HTTPAPIGet checks that a payload 2.0 GET is routed by its route
// key and method. Decoded as a REST event, it has neither and would get
// 404 or 405.
func TestCase_HTTPAPIGet(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	get := httpAPI("GET", "", "x-amzn-trace-id", "Root=1-6553f100-0123456789abcdef01234567")
	h.do(get.json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)
}

// TestCase_StaleIfMatchOnPut checks that a PUT naming an old version gets
// 412 with the current ETag and keeps the newer data. A handler that does
// not find the conditional check failure in the SDK's wrapped error
// returns 500 instead.
func TestCase_StaleIfMatchOnPut(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"nickname":"Countess"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`)

	h.do(rest("PUT", `{"name":"Ada Stale Example"}`, "Content-Type", jsonType, "If-Match", `"1"`).json()).wantProblem(412).
		wantHeader("ETag", `"2"`)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("name", "Ada Example").
		wantField("nickname", "Countess").
		wantField("version", 2)
}

// TestCase_PatchMissingWithIfMatch checks that a conditional PATCH with no
// profile gets 404, not the 412 of a version conflict, and creates nothing.
func TestCase_PatchMissingWithIfMatch(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PATCH", `{"nickname":"Countess"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantProblem(404)

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_ArrayForString checks that an array for a string field, or an
// unknown member holding an array, gets 400 without a DynamoDB request. An
// empty array once reached DynamoDB as an empty set and came back as 500.
func TestCase_ArrayForString(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","given_name":[]}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/given_name")

	h.do(rest("PUT", `{"name":"Ada Example","interests":[]}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/interests")

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_PatchNullRemovesField checks that null in a merge patch removes
// the field and leaves the others, although Go structs decode null and a
// missing member to the same nil.
func TestCase_PatchNullRemovesField(t *testing.T) {
	h := newHarness(t, Config{})

	put := rest("PUT", `{"name":"Ada Example","nickname":"Countess","email":"ada@example.com"}`, "Content-Type", jsonType)
	h.do(put.json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"nickname":null}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("name", "Ada Example").
		wantField("email", "ada@example.com").
		wantAbsent("nickname")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("name", "Ada Example").
		wantField("email", "ada@example.com").
		wantAbsent("nickname")
}

// TestCase_EmptyMergePatch checks that the patch {} writes nothing and
// returns the current document with its ETag. Sent to DynamoDB as an empty
// update expression, it would be rejected and end as a 500.
func TestCase_EmptyMergePatch(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","nickname":"Countess"}`, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("nickname", "Countess").
		wantField("version", 1)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("nickname", "Countess").
		wantField("version", 1)
}

// TestCase_DuplicateMemberNames checks that a body naming a member twice
// gets 400. encoding/json keeps the last value, so a validator and the
// store could each read a different one.
func TestCase_DuplicateMemberNames(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	patch := rest("PATCH", `{"name":"Ada Example","name":"Mallory Example"}`, "Content-Type", mergePatchType, "If-Match", `"1"`)
	h.do(patch.json()).wantProblem(400)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example")
}

// TestCase_MemberNameCase checks that member names match exactly, so NAME
// and Sub are unknown fields. encoding/json alone would match them to name
// and sub without regard to case.
func TestCase_MemberNameCase(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","NAME":"Mallory Example"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/NAME")

	h.do(rest("PUT", `{"name":"Ada Example","Sub":"99999999-8888-7777-6666-555555555555"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/Sub")

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_InvalidUTF8 checks that invalid UTF-8 in a string gets 400,
// because encoding/json would replace the bytes with U+FFFD unnoticed.
// The bytes travel base64-encoded, since an event's JSON cannot carry them.
func TestCase_InvalidUTF8(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	invalid := []byte("{\"nickname\":\"Ada \xff\xfe\"}")
	patch := rest("PATCH", base64.StdEncoding.EncodeToString(invalid), "Content-Type", mergePatchType, "If-Match", `"1"`)
	patch.base64 = true
	h.do(patch.json()).wantProblem(400)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantAbsent("nickname")
}

// TestCase_OversizedPatch checks that a PATCH body over the size limit gets
// 413 before it is parsed, not the 400 of the field's length rule nor a
// 500 from DynamoDB's item size limit.
func TestCase_OversizedPatch(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	body := `{"nickname":"` + strings.Repeat("x", 16400) + `"}`
	if len(body) != 16415 {
		t.Fatalf("oversized body is %d bytes, want 16415", len(body))
	}
	h.do(rest("PATCH", body, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantProblem(413)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantAbsent("nickname")
}

// TestCase_EmailCaseAndSpaces checks that an email is trimmed and only its
// domain lowercased, since the local part may be case-sensitive
// (RFC 5321).
func TestCase_EmailCaseAndSpaces(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","email":"ada.old@example.com"}`, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"email":"  Ada@Example.COM "}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("email", "Ada@example.com")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("email", "Ada@example.com")
}

// TestCase_PhoneFormatting checks that a valid phone number written with
// spaces is stored in E.164 instead of being rejected. Ofcom reserves the
// +44 20 7946 0xxx range for TV and radio drama, so the number is valid but
// fake.
func TestCase_PhoneFormatting(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"phone_number":"+44 20 7946 0018"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("phone_number", "+442079460018")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("phone_number", "+442079460018")
}

// TestCase_DynamoDBServerError checks that a DynamoDB 500 becomes a problem
// document without the database's message, not a Go error, which API
// Gateway would turn into a bare 502.
func TestCase_DynamoDBServerError(t *testing.T) {
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"stub failure"}`))
	}))
	t.Cleanup(stub.Close)
	h := newHarnessWithStore(t, storeAt(stub.URL), Config{})

	get := h.do(rest("GET", "").json()).wantStatus(500, 503).
		wantHeader("Content-Type", problemType)
	wantUnavailableDetails(t, get)

	put := h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(500, 503).
		wantHeader("Content-Type", problemType)
	wantUnavailableDetails(t, put)
}

// TestCase_DynamoDBSlow checks that a DynamoDB call that never returns ends
// within the handler's time budget with 503 and Retry-After, before Lambda
// would kill the invocation and the client got a 504.
func TestCase_DynamoDBSlow(t *testing.T) {
	stop := make(chan struct{})
	stub := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	// Cleanups run last-in first-out, so stop is closed first and releases
	// any request still blocked, which Close would otherwise wait for.
	t.Cleanup(stub.Close)
	t.Cleanup(func() { close(stop) })

	// The invocation has 2 s left, as Lambda's context would state; the
	// handler keeps a 500 ms margin for its response.
	h := newHarnessWithStore(t, storeAt(stub.URL), Config{DeadlineMargin: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()

	h.doContext(ctx, rest("PUT", adaPut, "Content-Type", jsonType).json()).wantProblem(503).
		wantHeader("Retry-After", "*")
	if ctx.Err() != nil {
		t.Errorf("the answer came after the invocation's deadline: %v", ctx.Err())
	}
}

// TestCase_DynamoDBUnreachable checks that a database that refuses the
// connection gives 503 with Retry-After, not a 500 or a Go error.
func TestCase_DynamoDBUnreachable(t *testing.T) {
	// A server that is started and closed at once leaves a local port that
	// nothing listens on.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	h := newHarnessWithStore(t, storeAt(closed.URL), Config{})

	h.do(rest("GET", "").json()).wantProblem(503).
		wantHeader("Retry-After", "*")

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantProblem(503).
		wantHeader("Retry-After", "*")
}

// TestCase_ResponseEnvelope checks that errors and successes alike are
// proxy responses that API Gateway accepts: a status code, a JSON body with
// its Content-Type, and an empty body for 204.
func TestCase_ResponseEnvelope(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("GET", "").json()).wantProblem(404)

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantHeader("Content-Type", jsonType)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantHeader("Cache-Control", "no-store").
		wantHeader("Content-Type", jsonType)

	deleted := h.do(rest("DELETE", "", "If-Match", `"1"`).json()).wantStatus(204)
	if deleted.rawBody != "" {
		t.Errorf("204 body = %q, want empty", deleted.rawBody)
	}
}

// TestCase_PreflightWithoutToken checks that a CORS preflight, which
// browsers send without a token and API Gateway without an authorizer,
// gets 204 with the CORS headers and not 401.
func TestCase_PreflightWithoutToken(t *testing.T) {
	h := newHarness(t, Config{AllowedOrigins: []string{"https://app.example.com"}})

	preflight := rest("OPTIONS", "",
		"Origin", "https://app.example.com",
		"Referer", "https://app.example.com/",
		"Access-Control-Request-Method", "PATCH",
		"Access-Control-Request-Headers", "authorization,content-type,if-match")
	preflight.noAuthorizer = true
	h.do(reshape(t, preflight.json(), dropAuthorization)).wantStatus(204).
		wantHeader("Access-Control-Allow-Origin", "https://app.example.com").
		wantHeader("Access-Control-Allow-Methods", "*").
		wantHeader("Access-Control-Allow-Headers", "*")
}

// TestCase_PreflightAllowedOrigin checks that the CORS headers echo the
// request's origin when it is any entry of the allowed list, not only the
// first, and that the request after the preflight exposes the ETag.
func TestCase_PreflightAllowedOrigin(t *testing.T) {
	h := newHarness(t, Config{AllowedOrigins: []string{"https://app.example.com", "https://admin.example.com"}})

	preflight := rest("OPTIONS", "",
		"Origin", "https://admin.example.com",
		"Referer", "https://admin.example.com/",
		"Access-Control-Request-Method", "PATCH",
		"Access-Control-Request-Headers", "authorization,content-type,if-match")
	preflight.noAuthorizer = true
	h.do(reshape(t, preflight.json(), dropAuthorization)).wantStatus(204).
		wantHeader("Access-Control-Allow-Origin", "https://admin.example.com").
		wantHeader("Vary", "*").
		wantHeader("Access-Control-Allow-Methods", "*").
		wantHeader("Access-Control-Allow-Headers", "*")

	put := rest("PUT", adaPut,
		"Content-Type", jsonType,
		"Origin", "https://admin.example.com",
		"Referer", "https://admin.example.com/")
	h.do(put.json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantHeader("Access-Control-Allow-Origin", "https://admin.example.com").
		wantHeader("Vary", "Origin").
		wantHeader("Access-Control-Expose-Headers", "ETag")
}

// TestCase_PutCreateThenReplace checks that a PUT creates the profile with
// 201 and a second PUT replaces it with 200, removing every optional field
// that it leaves out.
func TestCase_PutCreateThenReplace(t *testing.T) {
	h := newHarness(t, Config{})

	full := `{"name":"Ada Example","given_name":"Ada","family_name":"Example","nickname":"Countess",` +
		`"email":"ada@example.com","phone_number":"+442079460018","picture":"https://images.example.com/ada.png",` +
		`"website":"https://www.example.com/ada","locale":"en-GB","zoneinfo":"Europe/London"}`
	h.do(rest("PUT", full, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantHeader("Content-Type", jsonType).
		wantField("name", "Ada Example").
		wantField("given_name", "Ada").
		wantField("family_name", "Example").
		wantField("nickname", "Countess").
		wantField("email", "ada@example.com").
		wantField("phone_number", "+442079460018").
		wantField("picture", "https://images.example.com/ada.png").
		wantField("website", "https://www.example.com/ada").
		wantField("locale", "en-GB").
		wantField("zoneinfo", "Europe/London").
		wantField("sub", testSub).
		wantField("version", 1)

	optional := []string{"given_name", "family_name", "nickname", "email", "phone_number", "picture", "website", "locale", "zoneinfo"}

	h.do(rest("PUT", `{"name":"Ada Lovelace Example"}`, "Content-Type", jsonType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantHeader("Content-Type", jsonType).
		wantField("name", "Ada Lovelace Example").
		wantField("sub", testSub).
		wantField("version", 2).
		wantAbsent(optional...)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("name", "Ada Lovelace Example").
		wantField("version", 2).
		wantAbsent(optional...)
}

// TestCase_PatchReadOnlyFields checks that a PATCH naming version,
// created_at or sub gets 400 with code read_only, and that a valid field
// next to a read-only one is not written either.
func TestCase_PatchReadOnlyFields(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"version":7}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantProblem(400).
		wantErrors("/version").
		wantField("errors.0.code", "read_only")

	createdAt := rest("PATCH", `{"nickname":"Countess","created_at":"2001-01-01T00:00:00Z"}`, "Content-Type", mergePatchType, "If-Match", `"1"`)
	h.do(createdAt.json()).wantProblem(400).
		wantErrors("/created_at").
		wantField("errors.0.code", "read_only")

	sub := rest("PATCH", `{"sub":"99999999-8888-7777-6666-555555555555"}`, "Content-Type", mergePatchType, "If-Match", `"1"`)
	h.do(sub.json()).wantProblem(400).
		wantErrors("/sub").
		wantField("errors.0.code", "read_only")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("sub", testSub).
		wantAbsent("nickname")
}

// TestCase_UnknownField checks that a member that is not a profile field,
// such as the typo givenName, gets 400 in PUT and PATCH instead of being
// dropped without notice.
func TestCase_UnknownField(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","givenName":"Ada"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/givenName")

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"givenName":"Ada"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantProblem(400).
		wantErrors("/givenName")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantAbsent("given_name", "givenName")
}

// TestCase_MultipleInvalidFields checks that one 400 lists every invalid
// field, in the order of the profile's field table, so that a client can
// fix them all at once.
func TestCase_MultipleInvalidFields(t *testing.T) {
	h := newHarness(t, Config{})

	put := rest("PUT", `{"name":"Ada Example","email":"ada.example.com","phone_number":"12345"}`, "Content-Type", jsonType)
	h.do(put.json()).wantProblem(400).
		wantErrors("/email", "/phone_number")

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_StaleIfMatchOnPatch checks that a PATCH naming an old version
// gets 412 with the current ETag and changes nothing.
func TestCase_StaleIfMatchOnPatch(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"nickname":"Countess"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("nickname", "Countess")

	h.do(rest("PATCH", `{"nickname":"Lady Lovelace"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantProblem(412).
		wantHeader("ETag", `"2"`)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("nickname", "Countess")
}

// TestCase_RequireIfMatch checks that with RequireIfMatch a write without a
// precondition gets 428 before the store is read, that reads are not
// affected, and that a creating PUT may send If-None-Match: * instead.
func TestCase_RequireIfMatch(t *testing.T) {
	h := newHarness(t, Config{RequireIfMatch: true})

	h.do(rest("PATCH", `{"nickname":"Countess"}`, "Content-Type", mergePatchType).json()).wantProblem(428)

	h.do(rest("GET", "").json()).wantProblem(404)

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantProblem(428)

	h.do(rest("PUT", adaPut, "Content-Type", jsonType, "If-None-Match", "*").json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("version", 1)
}

// TestCase_PatchNullName checks that a PATCH setting the required name to
// null gets 400, since the profile would be left without a name.
func TestCase_PatchNullName(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(rest("PATCH", `{"name":null}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).wantProblem(400).
		wantErrors("/name")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example")
}

// TestCase_PatchMissingProfile checks that a PATCH without a profile gets
// 404 and is never an upsert.
func TestCase_PatchMissingProfile(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PATCH", adaPut, "Content-Type", mergePatchType).json()).wantProblem(404)

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_DeleteMissingProfile checks that a DELETE without a profile gets
// a 404 problem document.
func TestCase_DeleteMissingProfile(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("DELETE", "").json()).wantProblem(404)
}

// TestCase_PostNotAllowed checks that POST gets 405 with an Allow header
// and creates nothing.
func TestCase_PostNotAllowed(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("POST", adaPut, "Content-Type", jsonType).json()).wantProblem(405).
		wantHeader("Allow", "*")

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_UnknownPath checks that paths other than /profile, which reach
// the function only through a {proxy+} resource, get 404. No path selects a
// user, so /profile/<sub> gets 404 even for the caller's own existing
// profile.
func TestCase_UnknownPath(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(proxyEvent(t, "/profiles")).wantProblem(404)

	h.do(proxyEvent(t, "/profile/99999999-8888-7777-6666-555555555555")).wantProblem(404)

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example").
		wantField("sub", testSub).
		wantField("version", 1)

	h.do(proxyEvent(t, "/profile/"+testSub)).wantProblem(404)
}

// TestCase_TextPlainBody checks that a PUT labelled text/plain gets 415
// even when its body is valid JSON, and writes nothing.
func TestCase_TextPlainBody(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", adaPut, "Content-Type", "text/plain").json()).wantProblem(415)

	h.do(rest("GET", "").json()).wantProblem(404)
}

// TestCase_BodySizeLimit checks that a body of exactly 16 KiB is accepted
// and one byte more gets 413 without a write.
func TestCase_BodySizeLimit(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", paddedBody(t, bodyLimit), "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", "Ada Example")

	h.do(rest("PUT", paddedBody(t, bodyLimit+1), "Content-Type", jsonType, "If-Match", `"1"`).json()).wantProblem(413)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`)
}

// TestCase_PictureAndWebsiteURLs checks that picture and website reject an
// http URL, user info and more than 2,048 characters, and accept a URL of
// exactly 2,048 characters.
func TestCase_PictureAndWebsiteURLs(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","picture":"http://images.example.com/ada.png"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/picture")

	h.do(rest("PUT", `{"name":"Ada Example","website":"https://ada:secret@www.example.com/"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/website")

	h.do(rest("PUT", pictureBody(t, 2049), "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/picture")

	h.do(rest("GET", "").json()).wantProblem(404)

	h.do(rest("PUT", pictureBody(t, 2048), "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("picture", longURL(2048))
}

// TestCase_EmailDisplayNameAndLength checks that an email with a display
// name or of more than 254 octets gets 400, and one of 254 octets is
// stored. net/mail.ParseAddress would accept the display name and return
// the bare address.
func TestCase_EmailDisplayNameAndLength(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"name":"Ada Example","email":"Ada <ada@example.com>"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/email").
		wantField("errors.0.code", "invalid_email")

	h.do(rest("PUT", emailBody(t, 255), "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/email")

	h.do(rest("GET", "").json()).wantProblem(404)

	h.do(rest("PUT", emailBody(t, 254), "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("email", longEmail(254))
}

// TestCase_NameLengthInCharacters checks that the name's 100-character
// limit counts characters, not bytes (100 "é" are 200 bytes), and applies
// after trimming.
func TestCase_NameLengthInCharacters(t *testing.T) {
	h := newHarness(t, Config{})

	// U+00E9 is the precomposed "é", so the text is already in NFC.
	name100 := strings.Repeat("\u00e9", 100)
	name101 := strings.Repeat("\u00e9", 101)

	h.do(rest("PUT", nameBody(name100), "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantField("name", name100)

	h.do(rest("PUT", nameBody(name101), "Content-Type", jsonType, "If-Match", `"1"`).json()).wantProblem(400).
		wantErrors("/name")

	// openapi.yaml requires trimmed text from clients, so the padded name is
	// outside it, but the handler trims before it counts.
	h.doLenient(rest("PUT", nameBody("  "+name100+"  "), "Content-Type", jsonType, "If-Match", `"1"`).json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("name", name100)

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"2"`).
		wantField("name", name100)
}

// TestCase_CacheControlNoStore checks that errors and profiles alike carry
// Cache-Control: no-store, since a profile is personal data.
func TestCase_CacheControlNoStore(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("GET", "").json()).wantProblem(404).
		wantHeader("Cache-Control", "no-store")

	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`).
		wantHeader("Cache-Control", "no-store")

	h.do(rest("GET", "").json()).wantStatus(200).
		wantHeader("ETag", `"1"`).
		wantHeader("Cache-Control", "no-store").
		wantField("name", "Ada Example")
}

// TestCase_PutMissingName checks that a PUT without a name, or with name
// null, gets 400 with the pointer /name and creates nothing.
func TestCase_PutMissingName(t *testing.T) {
	h := newHarness(t, Config{})

	h.do(rest("PUT", `{"given_name":"Ada"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/name")

	h.do(rest("PUT", `{"name":null,"given_name":"Ada"}`, "Content-Type", jsonType).json()).wantProblem(400).
		wantErrors("/name")

	h.do(rest("GET", "").json()).wantProblem(404)
}

// accessClaims are the claims of a Cognito access token, which has no email
// and has username in place of cognito:username.
func accessClaims() map[string]any {
	return map[string]any{
		"sub":        testSub,
		"iss":        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
		"client_id":  "exampleclientid0123456789",
		"origin_jti": "00000000-0000-4000-8000-000000000002",
		"event_id":   "00000000-0000-4000-8000-000000000003",
		"token_use":  "access",
		"scope":      "aws.cognito.signin.user.admin",
		"auth_time":  "1700000000",
		"exp":        "Tue Nov 14 23:13:20 UTC 2023",
		"iat":        "Tue Nov 14 22:13:20 UTC 2023",
		"jti":        "00000000-0000-4000-8000-000000000004",
		"username":   "ada",
	}
}

// reshape decodes a rendered event, applies edit to it and encodes it
// again, for event shapes that the event builder does not produce.
func reshape(t *testing.T, raw json.RawMessage, edit func(event map[string]any)) json.RawMessage {
	t.Helper()
	var event map[string]any
	if err := json.Unmarshal(raw, &event); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	edit(event)
	out, err := json.Marshal(event)
	if err != nil {
		t.Fatalf("encode event: %v", err)
	}
	return out
}

// lowerHeaderNames lower-cases every header name of a payload 1.0 event,
// as HTTP/2 clients and some proxies send them.
func lowerHeaderNames(event map[string]any) {
	for _, member := range []string{"headers", "multiValueHeaders"} {
		headers, _ := event[member].(map[string]any)
		lower := make(map[string]any, len(headers))
		for name, value := range headers {
			lower[strings.ToLower(name)] = value
		}
		event[member] = lower
	}
}

// dropAuthorization removes the Authorization header of a payload 1.0
// event, as a browser's preflight has none.
func dropAuthorization(event map[string]any) {
	for _, member := range []string{"headers", "multiValueHeaders"} {
		if headers, ok := event[member].(map[string]any); ok {
			delete(headers, "Authorization")
		}
	}
}

// setNullClaims sets requestContext.authorizer.claims to null.
func setNullClaims(event map[string]any) {
	requestContext, _ := event["requestContext"].(map[string]any)
	requestContext["authorizer"] = map[string]any{"claims": nil}
}

// proxyEvent returns a REST API GET of path through a {proxy+} resource,
// with the path parameter that API Gateway sets for it.
func proxyEvent(t *testing.T, path string) json.RawMessage {
	t.Helper()
	e := rest("GET", "")
	e.resource = "/{proxy+}"
	e.path = path
	return reshape(t, e.json(), func(event map[string]any) {
		event["pathParameters"] = map[string]any{"proxy": strings.TrimPrefix(path, "/")}
	})
}

// paddedBody returns a valid PUT body of exactly size bytes, padded with
// white space before the closing brace.
func paddedBody(t *testing.T, size int) string {
	t.Helper()
	prefix := strings.TrimSuffix(adaPut, "}")
	body := prefix + strings.Repeat(" ", size-len(prefix)-1) + "}"
	if len(body) != size {
		t.Fatalf("padded body is %d bytes, want %d", len(body), size)
	}
	return body
}

// longURL returns an https URL of length characters.
func longURL(length int) string {
	const prefix = "https://images.example.com/"
	return prefix + strings.Repeat("a", length-len(prefix))
}

// pictureBody returns a PUT body whose picture is a URL of length
// characters.
func pictureBody(t *testing.T, length int) string {
	t.Helper()
	url := longURL(length)
	if len(url) != length {
		t.Fatalf("URL is %d characters, want %d", len(url), length)
	}
	return `{"name":"Ada Example","picture":"` + url + `"}`
}

// longEmail returns an address of length octets with a 64-octet local part
// and domain labels of at most 63 octets, so that only the total length can
// make it invalid. length must be between 202 and 264.
func longEmail(length int) string {
	local := "ada." + strings.Repeat("a", 60)
	domain := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "."
	const tld = ".example"
	third := length - len(local) - len("@") - len(domain) - len(tld)
	return local + "@" + domain + strings.Repeat("c", third) + tld
}

// emailBody returns a PUT body whose email is an address of length octets.
func emailBody(t *testing.T, length int) string {
	t.Helper()
	email := longEmail(length)
	if len(email) != length {
		t.Fatalf("email is %d octets, want %d", len(email), length)
	}
	return `{"name":"Ada Example","email":"` + email + `"}`
}

// nameBody returns a PUT body with name, which must not need JSON
// escaping.
func nameBody(name string) string {
	return `{"name":"` + name + `"}`
}

// storeAt returns a store whose DynamoDB client sends every request to
// endpoint.
func storeAt(endpoint string) *store.Store {
	return store.New(devdb.NewClient(endpoint), "profiles")
}

// wantUnavailableDetails checks the response to a DynamoDB fault. A 503
// must carry Retry-After, and no response may carry the database's message.
func wantUnavailableDetails(t *testing.T, r *result) {
	t.Helper()
	if r.status == http.StatusServiceUnavailable {
		r.wantHeader("Retry-After", "*")
	}
	if strings.Contains(r.rawBody, "stub failure") {
		t.Errorf("body contains the database's error message: %s", r.rawBody)
	}
}
