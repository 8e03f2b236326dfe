package gateway

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

// TestEventFilesLocalDB runs every sample event of events/ in the order
// that events/README.md gives, on one fresh table, and checks each response.
func TestEventFilesLocalDB(t *testing.T) {
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatalf("find module root: %v", err)
	}
	h := newHarness(t, Config{AllowedOrigins: []string{"https://app.example.com"}})

	steps := []eventStep{
		{"rest-put.json", func(r *result) {
			r.wantStatus(201).wantHeader("ETag", `"1"`).
				wantField("name", "Ada Example").
				wantField("email", "Ada@example.com").
				wantField("phone_number", "+442079460018").
				wantField("locale", "en-GB").
				wantField("sub", testSub)
		}},
		{"rest-get.json", func(r *result) { r.wantStatus(200).wantHeader("ETag", `"1"`).wantField("version", 1) }},
		{"rest-patch-if-match.json", func(r *result) { r.wantStatus(200).wantHeader("ETag", `"2"`) }},
		{"rest-patch-stale-if-match.json", func(r *result) { r.wantProblem(412).wantHeader("ETag", `"2"`) }},
		{"rest-patch.json", func(r *result) {
			r.wantStatus(200).wantHeader("ETag", `"3"`).wantField("nickname", "Enchantress of Numbers").wantAbsent("website")
		}},
		{"rest-put-invalid.json", func(r *result) { r.wantProblem(400).wantErrors("/email", "/phone_number", "/website") }},
		{"rest-put-unknown-field.json", func(r *result) { r.wantProblem(400).wantErrors("/givenName") }},
		{"rest-put-text-plain.json", func(r *result) { r.wantProblem(415) }},
		{"rest-post.json", func(r *result) { r.wantProblem(405).wantHeader("Allow", allowMethods) }},
		{"rest-get-no-authorizer.json", func(r *result) { r.wantProblem(401).wantHeader("WWW-Authenticate", "Bearer") }},
		{"rest-options.json", func(r *result) {
			r.wantStatus(204).wantHeader("Access-Control-Allow-Origin", "https://app.example.com").wantHeader("Access-Control-Allow-Methods", "*")
		}},
		{"rest-delete.json", func(r *result) { r.wantStatus(204) }},
		{"http-get.json", func(r *result) { r.wantProblem(404) }},
		{"http-put.json", func(r *result) { r.wantStatus(201).wantHeader("ETag", `"1"`).wantField("locale", "en-GB") }},
		{"http-patch.json", func(r *result) {
			r.wantStatus(200).wantHeader("ETag", `"2"`).wantField("nickname", "Countess").wantAbsent("zoneinfo")
		}},
		{"http-delete.json", func(r *result) { r.wantStatus(204) }},
	}

	// Every file is run, so that a new event cannot go untested.
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if !slices.ContainsFunc(steps, func(s eventStep) bool { return s.file == name }) {
			t.Errorf("events/%s has no step in this test", name)
		}
	}

	for _, s := range steps {
		raw, err := os.ReadFile(filepath.Join(root, "events", s.file))
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		if !json.Valid(raw) {
			t.Fatalf("events/%s is not JSON", s.file)
		}
		t.Logf("events/%s", s.file)
		s.check(h.do(raw))
	}
}

// eventStep is one sample event and the checks of its response.
type eventStep struct {
	file  string
	check func(*result)
}
