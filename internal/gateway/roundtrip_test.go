package gateway

import (
	"slices"
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/store"
)

// roundTripPut is the body that creates the profile of the round-trip
// tests, and roundTripPatch one that changes it.
const (
	roundTripPut   = `{"name":"Ada Example","email":"ada@example.com","phone_number":"+44 20 7946 0018"}`
	roundTripPatch = `{"nickname":"Countess","email":null}`
)

// TestHandler_RoundTripsLocalDB counts the DynamoDB requests of every
// outcome of every method, through the real store and SDK client against
// the local database. A success takes exactly one request. A request
// rejected from the event alone takes none. A store error takes at most
// two: the conditional write, and one consistent read where the database
// does not return the old item with the failed condition (DynamoDB does,
// dynalite does not).
func TestHandler_RoundTripsLocalDB(t *testing.T) {
	const merge = "application/merge-patch+json"
	long := `{"name":"` + strings.Repeat("x", MaxBodySize) + `"}`
	noAuthorizer := rest("GET", "")
	noAuthorizer.noAuthorizer = true
	otherPath := rest("GET", "")
	otherPath.resource, otherPath.path = "/{proxy+}", "/profile/"+testSub
	preflight := rest("OPTIONS", "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "PATCH")
	preflight.noAuthorizer = true

	tests := []struct {
		name    string
		cfg     Config
		seeded  bool  // a profile at version 1 exists before the request
		request event // the request whose round trips are counted
		status  int
		// first is the operation of the first request, empty when the
		// handler must send none.
		first string
		// success requires exactly one request; otherwise a consistent
		// GetItem may follow the first.
		success bool
	}{
		{name: "get", seeded: true, request: rest("GET", ""), status: 200, first: "GetItem", success: true},
		{name: "get not modified", seeded: true, request: rest("GET", "", "If-None-Match", `"1"`), status: 304, first: "GetItem", success: true},
		{name: "get http api", seeded: true, request: httpAPI("GET", ""), status: 200, first: "GetItem", success: true},
		{name: "put create", request: rest("PUT", roundTripPut, "Content-Type", "application/json"), status: 201, first: "UpdateItem", success: true},
		{name: "put create if-none-match", request: rest("PUT", roundTripPut, "Content-Type", "application/json", "If-None-Match", "*"), status: 201, first: "UpdateItem", success: true},
		{name: "put replace", seeded: true, request: rest("PUT", roundTripPut, "Content-Type", "application/json"), status: 200, first: "UpdateItem", success: true},
		{name: "put if-match", seeded: true, request: rest("PUT", roundTripPut, "Content-Type", "application/json", "If-Match", `"1"`), status: 200, first: "UpdateItem", success: true},
		{name: "patch", seeded: true, request: rest("PATCH", roundTripPatch, "Content-Type", merge), status: 200, first: "UpdateItem", success: true},
		{name: "patch if-match", seeded: true, request: rest("PATCH", roundTripPatch, "Content-Type", merge, "If-Match", `"1"`), status: 200, first: "UpdateItem", success: true},
		{name: "patch empty", seeded: true, request: rest("PATCH", `{}`, "Content-Type", merge, "If-Match", `"1"`), status: 200, first: "GetItem", success: true},
		{name: "delete", seeded: true, request: rest("DELETE", ""), status: 204, first: "DeleteItem", success: true},
		{name: "delete if-match", seeded: true, request: rest("DELETE", "", "If-Match", `"1"`), status: 204, first: "DeleteItem", success: true},
		{name: "preflight", cfg: Config{AllowedOrigins: []string{"https://app.example.com"}}, request: preflight, status: 204, success: true},

		{name: "invalid field", request: rest("PUT", `{"name":""}`, "Content-Type", "application/json"), status: 400},
		{name: "invalid json", request: rest("PATCH", `{"name":`, "Content-Type", merge), status: 400},
		{name: "malformed if-match", request: rest("DELETE", "", "If-Match", "1"), status: 400},
		{name: "no authorizer", request: noAuthorizer, status: 401},
		{name: "other path", request: otherPath, status: 404},
		{name: "post", request: rest("POST", roundTripPut, "Content-Type", "application/json"), status: 405},
		{name: "body too large", request: rest("PUT", long, "Content-Type", "application/json"), status: 413},
		{name: "text plain body", request: rest("PUT", roundTripPut, "Content-Type", "text/plain"), status: 415},
		{name: "if-match required", cfg: Config{RequireIfMatch: true}, seeded: true, request: rest("PATCH", roundTripPatch, "Content-Type", merge), status: 428},

		{name: "get missing", request: rest("GET", ""), status: 404, first: "GetItem"},
		{name: "patch missing", request: rest("PATCH", roundTripPatch, "Content-Type", merge), status: 404, first: "UpdateItem"},
		{name: "delete missing", request: rest("DELETE", ""), status: 404, first: "DeleteItem"},
		{name: "put stale if-match", seeded: true, request: rest("PUT", roundTripPut, "Content-Type", "application/json", "If-Match", `"7"`), status: 412, first: "UpdateItem"},
		{name: "put if-none-match existing", seeded: true, request: rest("PUT", roundTripPut, "Content-Type", "application/json", "If-None-Match", "*"), status: 412, first: "UpdateItem"},
		{name: "patch stale if-match", seeded: true, request: rest("PATCH", roundTripPatch, "Content-Type", merge, "If-Match", `"7"`), status: 412, first: "UpdateItem"},
		{name: "patch empty stale if-match", seeded: true, request: rest("PATCH", `{}`, "Content-Type", merge, "If-Match", `"7"`), status: 412, first: "GetItem"},
		{name: "delete stale if-match", seeded: true, request: rest("DELETE", "", "If-Match", `"7"`), status: 412, first: "DeleteItem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, table := devdb.NewTestTable(t)
			counted, counter := withCountingHTTPClient(client)
			h := newHarnessWithStore(t, store.New(counted, table), tt.cfg)
			if tt.seeded {
				h.do(rest("PUT", roundTripPut, "Content-Type", "application/json", "If-None-Match", "*").json()).wantStatus(201)
				counter.take()
			}

			h.do(tt.request.json()).wantStatus(tt.status)

			ops := counter.take()
			switch {
			case tt.first == "":
				if len(ops) != 0 {
					t.Errorf("DynamoDB requests = %v, want none", ops)
				}
			case tt.success:
				if !slices.Equal(ops, []string{tt.first}) {
					t.Errorf("DynamoDB requests = %v, want exactly one %s", ops, tt.first)
				}
			default:
				checkErrorRoundTrips(t, ops, tt.first)
			}
		})
	}
}

// checkErrorRoundTrips checks the requests of a store error: first, then
// at most one GetItem.
func checkErrorRoundTrips(t *testing.T, ops []string, first string) {
	t.Helper()
	if len(ops) == 0 || ops[0] != first {
		t.Errorf("DynamoDB requests = %v, want %s first", ops, first)
		return
	}
	if len(ops) > 2 || (len(ops) == 2 && ops[1] != "GetItem") {
		t.Errorf("DynamoDB requests = %v, want %s and at most one GetItem after it", ops, first)
	}
}
