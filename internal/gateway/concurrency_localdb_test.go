package gateway

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// Tests of concurrent requests through Handle against the local database.
// Each write is one conditional UpdateItem or DeleteItem, so requests that
// overlap must still end as if they ran one after the other.

// concurrentRequests is the number of requests that the concurrency tests
// send at the same time.
const concurrentRequests = 50

// raceRounds is the number of times a PUT races a DELETE, so that both
// orders are likely to occur.
const raceRounds = 10

// TestConcurrency_SameIfMatchLocalDB sends 50 PATCHes with the same
// If-Match at once. Exactly one may succeed, the others get 412 with the
// new ETag, and the stored profile is the one that the winner returned.
func TestConcurrency_SameIfMatchLocalDB(t *testing.T) {
	h := newHarness(t, Config{})
	h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`)

	batch := make([]json.RawMessage, concurrentRequests)
	for i := range batch {
		body := fmt.Sprintf(`{"nickname":"Countess %d"}`, i)
		batch[i] = rest("PATCH", body, "Content-Type", mergePatchType, "If-Match", `"1"`).json()
	}
	results := h.doConcurrently(batch)

	winner, rejected := -1, 0
	for i, r := range results {
		switch r.status {
		case 200:
			if winner >= 0 {
				t.Errorf("PATCHes %d and %d both succeeded with If-Match \"1\"", winner, i)
			}
			winner = i
		case 412:
			rejected++
			r.wantProblem(412).wantHeader("ETag", `"2"`)
		default:
			t.Errorf("PATCH %d answered %d, want 200 or 412; body: %s", i, r.status, r.rawBody)
		}
	}
	if winner < 0 {
		t.Fatal("no PATCH succeeded, want exactly one")
	}
	if rejected != concurrentRequests-1 {
		t.Errorf("%d PATCHes got 412, want %d", rejected, concurrentRequests-1)
	}

	won := results[winner].wantHeader("ETag", `"2"`).
		wantField("nickname", fmt.Sprintf("Countess %d", winner)).
		wantField("version", 2)
	got := h.do(rest("GET", "").json()).wantStatus(200)
	if got.rawBody != won.rawBody {
		t.Errorf("stored profile = %s, want the winner's response %s", got.rawBody, won.rawBody)
	}
	t.Logf("requests: %d concurrent PATCHes with one If-Match: 1 answered 200, %d answered 412", concurrentRequests, rejected)
}

// patchedFields are the fields that the PATCHes without If-Match set, each
// with a value that names the request.
var patchedFields = []struct {
	name  string
	value func(i int) string
}{
	{"name", func(i int) string { return fmt.Sprintf("Ada Example %d", i) }},
	{"given_name", func(i int) string { return fmt.Sprintf("Ada %d", i) }},
	{"family_name", func(i int) string { return fmt.Sprintf("Example %d", i) }},
	{"nickname", func(i int) string { return fmt.Sprintf("Countess %d", i) }},
	{"email", func(i int) string { return fmt.Sprintf("ada.%d@example.com", i) }},
	{"website", func(i int) string { return fmt.Sprintf("https://www.example.com/ada/%d", i) }},
}

// TestConcurrency_NoIfMatchLocalDB sends 50 PATCHes without If-Match at
// once, each setting one field to a value of its own. All succeed, the
// version rises by exactly 50, and no write is lost: replayed in version
// order, the patches give every response and the stored profile exactly.
func TestConcurrency_NoIfMatchLocalDB(t *testing.T) {
	h := newHarness(t, Config{})
	created := h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(201).
		wantHeader("ETag", `"1"`)

	batch := make([]json.RawMessage, concurrentRequests)
	for i := range batch {
		f := patchedFields[i%len(patchedFields)]
		body := fmt.Sprintf(`{%q:%q}`, f.name, f.value(i))
		batch[i] = rest("PATCH", body, "Content-Type", mergePatchType).json()
	}
	results := h.doConcurrently(batch)

	// Each response is decoded with the index of its request.
	type write struct {
		request int
		saved   profile.Profile
	}
	writes := make([]write, 0, len(results))
	for i, r := range results {
		r.wantStatus(200)
		writes = append(writes, write{i, decodeProfile(t, r.rawBody)})
	}
	slices.SortFunc(writes, func(a, b write) int { return int(a.saved.Version - b.saved.Version) })

	// The versions are 2 to 51, each once.
	for i, w := range writes {
		if want := int64(i + 2); w.saved.Version != want {
			t.Fatalf("the versions returned, in order, have %d at place %d, want %d: a write was lost or counted twice", w.saved.Version, i, want)
		}
	}

	state := editableOnly(decodeProfile(t, created.rawBody))
	for _, w := range writes {
		f := patchedFields[w.request%len(patchedFields)]
		state = setField(t, state, f.name, f.value(w.request))
		if got := editableOnly(w.saved); got != state {
			t.Errorf("version %d (PATCH %d) returned %+v, want %+v from the writes before it", w.saved.Version, w.request, got, state)
		}
	}

	got := decodeProfile(t, h.do(rest("GET", "").json()).wantStatus(200).wantHeader("ETag", `"51"`).rawBody)
	if got.Version != 1+concurrentRequests {
		t.Errorf("stored version = %d, want %d", got.Version, 1+concurrentRequests)
	}
	if editableOnly(got) != state {
		t.Errorf("stored profile = %+v, want %+v", editableOnly(got), state)
	}
	t.Logf("requests: %d concurrent PATCHes without If-Match: all answered 200, versions 2 to %d", concurrentRequests, 1+concurrentRequests)
}

// TestConcurrency_PutRacesDeleteLocalDB lets a PUT and a DELETE of the same
// profile run at once, many times. Either order is fine, but the outcome
// must be one of the two that running them one after the other gives.
func TestConcurrency_PutRacesDeleteLocalDB(t *testing.T) {
	t.Run("no precondition", func(t *testing.T) {
		h := newHarness(t, Config{})
		erased, replaced := 0, 0
		for round := range raceRounds {
			before := h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(200, 201)
			version := decodeProfile(t, before.rawBody).Version

			put := rest("PUT", fmt.Sprintf(`{"name":"Ada Example","nickname":"Round %d"}`, round), "Content-Type", jsonType)
			results := h.doConcurrently([]json.RawMessage{put.json(), rest("DELETE", "").json()})
			p, d := results[0], results[1]
			after := h.do(rest("GET", "").json())

			switch {
			case p.status == 200 && d.status == 204 && after.status == 404:
				// The PUT replaced the profile, then the DELETE erased it.
				p.wantField("version", int(version+1))
				erased++
			case d.status == 204 && p.status == 201 && after.status == 200:
				// The DELETE erased the profile, then the PUT created a new one.
				p.wantField("version", 1)
				if after.rawBody != p.rawBody {
					t.Errorf("round %d: stored profile = %s, want the PUT's response %s", round, after.rawBody, p.rawBody)
				}
				replaced++
			default:
				t.Errorf("round %d: PUT %d, DELETE %d, then GET %d: no order of the two requests gives this", round, p.status, d.status, after.status)
			}
		}
		t.Logf("requests: %d rounds of a PUT racing a DELETE: %d ended erased, %d ended with the new profile", raceRounds, erased, replaced)
	})

	t.Run("same if-match", func(t *testing.T) {
		h := newHarness(t, Config{})
		putWon, deleteWon := 0, 0
		for round := range raceRounds {
			before := h.do(rest("PUT", adaPut, "Content-Type", jsonType).json()).wantStatus(200, 201)
			etag := before.headers["etag"]
			version := decodeProfile(t, before.rawBody).Version

			put := rest("PUT", fmt.Sprintf(`{"name":"Ada Example","nickname":"Round %d"}`, round), "Content-Type", jsonType, "If-Match", etag)
			del := rest("DELETE", "", "If-Match", etag)
			results := h.doConcurrently([]json.RawMessage{put.json(), del.json()})
			p, d := results[0], results[1]
			after := h.do(rest("GET", "").json())

			switch {
			case p.status == 200 && d.status == 412 && after.status == 200:
				d.wantProblem(412).wantHeader("ETag", profile.ETag(version+1))
				if after.rawBody != p.rawBody {
					t.Errorf("round %d: stored profile = %s, want the PUT's response %s", round, after.rawBody, p.rawBody)
				}
				putWon++
			case d.status == 204 && p.status == 412 && after.status == 404:
				p.wantProblem(412).wantNoHeader("ETag")
				deleteWon++
			default:
				t.Errorf("round %d: PUT %d, DELETE %d, then GET %d, with If-Match %s on both: want exactly one to succeed", round, p.status, d.status, after.status, etag)
			}
		}
		t.Logf("requests: %d rounds of a PUT racing a DELETE with one If-Match: the PUT won %d, the DELETE %d", raceRounds, putWon, deleteWon)
	})
}

// doConcurrently sends every event of batch at once, each from its own
// goroutine, and returns the responses in the order of batch. The
// goroutines start together, so that the requests overlap as much as the
// handler and the database let them.
func (h *harness) doConcurrently(batch []json.RawMessage) []*result {
	h.t.Helper()
	for _, e := range batch {
		h.remember(e)
	}

	responses := make([]events.APIGatewayProxyResponse, len(batch))
	errs := make([]error, len(batch))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, e := range batch {
		wg.Go(func() {
			<-start
			responses[i], errs[i] = h.handler.Handle(h.t.Context(), e)
		})
	}
	close(start)
	wg.Wait()

	results := make([]*result, len(batch))
	for i, resp := range responses {
		if errs[i] != nil {
			h.t.Fatalf("Handle returned an error for request %d, which API Gateway turns into a 502: %v", i, errs[i])
		}
		results[i] = newResult(h.t, resp)
	}
	return results
}

// newResult decodes a proxy response as harness.do does.
func newResult(t *testing.T, resp events.APIGatewayProxyResponse) *result {
	t.Helper()
	res := &result{t: t, status: resp.StatusCode, rawBody: resp.Body, headers: map[string]string{}}
	for k, v := range resp.Headers {
		res.headers[strings.ToLower(k)] = v
	}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &res.body); err != nil {
			t.Fatalf("response body is not JSON: %v", err)
		}
	}
	return res
}

// decodeProfile decodes a profile response body.
func decodeProfile(t *testing.T, body string) profile.Profile {
	t.Helper()
	var p profile.Profile
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("decode profile %s: %v", body, err)
	}
	return p
}

// editableOnly returns p without the fields that the service sets.
func editableOnly(p profile.Profile) profile.Profile {
	return applyChanges(profile.Profile{}, p.Replacement())
}

// setField returns p with one editable field set to value.
func setField(t *testing.T, p profile.Profile, field, value string) profile.Profile {
	t.Helper()
	if !slices.ContainsFunc(p.Replacement(), func(c profile.Change) bool { return c.Field == field }) {
		t.Fatalf("%s is not an editable field", field)
	}
	return applyChanges(p, []profile.Change{{Field: field, Value: value}})
}
