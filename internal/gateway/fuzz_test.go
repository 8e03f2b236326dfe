package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/profile"
)

// The fuzz targets of this file feed the adapter what API Gateway or a
// client could send. Their seed corpora are under testdata/fuzz/, so plain
// `go test` runs every seed; `make fuzz` explores beyond them.

func FuzzDecodeEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := decodeEvent(raw)
		if err != nil {
			if !errors.Is(err, errInvalidEvent) || r != nil {
				t.Fatalf("decodeEvent = %v, %v; want nil and errInvalidEvent", r, err)
			}
			return
		}
		if r == nil {
			t.Fatal("decodeEvent returned neither a request nor an error")
		}

		for name, value := range r.headers {
			if name != strings.ToLower(name) {
				t.Errorf("header name %q is not lower-case", name)
			}
			// Unicode case mapping is not a round trip (ToLower(ToUpper("ı"))
			// is "i"), and HTTP header names are ASCII tokens anyway.
			upper := strings.ToUpper(name)
			if isASCII(name) && r.header(upper) != value {
				t.Errorf("header(%q) = %q, want %q in any case", upper, r.header(upper), value)
			}
		}

		body, err := r.decodeBody()
		if !r.base64 && (err != nil || string(body) != r.body) {
			t.Errorf("decodeBody of a plain body = %q, %v; want the body unchanged", body, err)
		}
		if sub, ok := subject(r.authorizer); ok && sub == "" {
			t.Errorf("subject accepted an empty sub")
		}
	})
}

func FuzzSubject(f *testing.F) {
	f.Fuzz(func(t *testing.T, authorizer []byte) {
		sub, ok := subject(authorizer)
		if !ok {
			if sub != "" {
				t.Errorf("subject = %q, false; want no sub without ok", sub)
			}
			return
		}
		if sub == "" {
			t.Fatal("subject accepted an empty sub")
		}
		if !json.Valid(authorizer) {
			t.Errorf("subject accepted a sub from a block that is not JSON")
		}

		// The sub comes out as it went in, from either place of the claims.
		for _, place := range []string{`{"claims":{"sub":%s}}`, `{"jwt":{"claims":{"sub":%s}}}`} {
			encoded, err := json.Marshal(sub)
			if err != nil {
				t.Fatal(err)
			}
			block := strings.Replace(place, "%s", string(encoded), 1)
			if got, ok := subject(json.RawMessage(block)); !ok || got != sub {
				t.Errorf("subject(%s) = %q, %t; want %q", block, got, ok, sub)
			}
		}
	})
}

func FuzzHandle(f *testing.F) {
	f.Fuzz(func(t *testing.T, event []byte) {
		want := ""
		if r, err := decodeEvent(event); err == nil {
			want, _ = subject(r.authorizer)
		}
		checkHandle(t, event, want)
	})
}

// FuzzHandleRequest builds well-formed events from the parts that a client
// controls, so that the fuzzer explores methods, headers and bodies rather
// than the event's JSON. sub is the token's sub claim.
func FuzzHandleRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, httpAPIEvent bool, method, contentType, ifMatch, ifNoneMatch, body string, encode bool, sub string) {
		var headers []string
		for _, h := range [][2]string{{"Content-Type", contentType}, {"If-Match", ifMatch}, {"If-None-Match", ifNoneMatch}} {
			if h[1] != "" {
				headers = append(headers, h[0], h[1])
			}
		}
		if encode {
			body = base64.StdEncoding.EncodeToString([]byte(body))
		}
		e := rest(method, body, headers...)
		if httpAPIEvent {
			e = httpAPI(method, body, headers...)
		}
		e.base64 = encode
		e.claims = map[string]any{"sub": sub, "token_use": "access"}

		// The event carries sub as JSON, which turns invalid UTF-8 into
		// U+FFFD; that is the sub the store must receive.
		var want string
		if raw, err := json.Marshal(sub); err == nil {
			_ = json.Unmarshal(raw, &want)
		}
		resp := checkHandle(t, e.json(), want)

		// The route is always /profile, so a known method reaches the
		// check of the caller.
		known := slices.Contains([]string{"GET", "PUT", "PATCH", "DELETE"}, method)
		unauthorized := resp.StatusCode == http.StatusUnauthorized
		if known && want == "" && !unauthorized {
			t.Errorf("%s without a sub answered %d, want 401", method, resp.StatusCode)
		}
		if known && want != "" && unauthorized {
			t.Errorf("%s with a sub answered 401", method)
		}
	})
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 })
}

// fuzzStored is the profile that fixedStore holds, at version 3.
var fuzzStored = profile.Profile{
	Name: "Ada Example", GivenName: "Ada", Email: "ada@example.com", Locale: "en-GB",
	CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	UpdatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	Version:   3,
}

// fixedStore is a Store that holds fuzzStored for every user and never
// fails but for preconditions, so that a 5xx from Handle can only come
// from the handler itself. It records the subs it was called with.
type fixedStore struct {
	subs []string
}

func (s *fixedStore) Get(_ context.Context, sub string) (profile.Profile, error) {
	s.subs = append(s.subs, sub)
	p := fuzzStored
	p.Sub = sub
	return p, nil
}

func (s *fixedStore) Put(_ context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error) {
	s.subs = append(s.subs, sub)
	if !pc.Allows(fuzzStored.Version) {
		return profile.Profile{}, false, &profile.VersionMismatchError{Current: fuzzStored.Version}
	}
	p.Sub, p.CreatedAt, p.UpdatedAt, p.Version = sub, fuzzStored.CreatedAt, fuzzStored.UpdatedAt, fuzzStored.Version+1
	return p, false, nil
}

func (s *fixedStore) Patch(_ context.Context, sub string, changes []profile.Change, pc profile.Precondition) (profile.Profile, error) {
	s.subs = append(s.subs, sub)
	if !pc.Allows(fuzzStored.Version) {
		return profile.Profile{}, &profile.VersionMismatchError{Current: fuzzStored.Version}
	}
	p := applyChanges(fuzzStored, changes)
	p.Sub = sub
	if len(changes) > 0 {
		p.Version++
	}
	return p, nil
}

func (s *fixedStore) Delete(_ context.Context, sub string, pc profile.Precondition) error {
	s.subs = append(s.subs, sub)
	if !pc.Allows(fuzzStored.Version) {
		return &profile.VersionMismatchError{Current: fuzzStored.Version}
	}
	return nil
}

// applyChanges returns p with changes applied, as the store's update
// expression applies them.
func applyChanges(p profile.Profile, changes []profile.Change) profile.Profile {
	fields := map[string]*string{
		"name": &p.Name, "given_name": &p.GivenName, "family_name": &p.FamilyName, "nickname": &p.Nickname,
		"email": &p.Email, "phone_number": &p.PhoneNumber, "picture": &p.Picture, "website": &p.Website,
		"locale": &p.Locale, "zoneinfo": &p.Zoneinfo,
	}
	for _, c := range changes {
		*fields[c.Field] = c.Value
	}
	return p
}

// fuzzing reports whether the test binary runs a fuzz target with -fuzz,
// rather than its seeds alone.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// checkHandle sends event to a handler on a fixedStore and checks what
// every response must be: no error, a status below 500, the headers of its
// status, and a JSON body, which is a problem document for errors. A
// returned profile must pass the rules again unchanged, the handler must
// log one line, and the store must see no sub but wantSub. It returns the
// response.
func checkHandle(t *testing.T, event []byte, wantSub string) events.APIGatewayProxyResponse {
	t.Helper()
	logs := &syncBuffer{}
	if !fuzzing() {
		// Seeds run with the suite, so their logs join its check; during
		// fuzzing, millions of inputs would only fill memory.
		suiteLogs.addOutput(logs)
		suiteLogs.addValues(sentValues(event))
	}
	store := &fixedStore{}
	h := New(store, Config{}, slog.New(slog.NewJSONHandler(logs, nil)))

	resp, err := h.Handle(context.Background(), event)
	if err != nil {
		t.Fatalf("Handle returned an error, which API Gateway turns into a 502: %v", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 500 {
		t.Fatalf("status = %d, want 2xx to 4xx; body: %s", resp.StatusCode, resp.Body)
	}
	if got := resp.Headers["Cache-Control"]; got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	for _, sub := range store.subs {
		if sub == "" || sub != wantSub {
			t.Errorf("store called for sub %q, want %q", sub, wantSub)
		}
	}

	checkBody(t, resp)
	checkLogLine(t, logs.String(), resp.StatusCode)
	return resp
}

// checkBody checks a response body by its status: none for 204 and 304, a
// profile for other successes, a problem document for errors.
func checkBody(t *testing.T, resp events.APIGatewayProxyResponse) {
	t.Helper()
	switch {
	case resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified:
		if resp.Body != "" {
			t.Errorf("%d has a body: %s", resp.StatusCode, resp.Body)
		}
	case resp.StatusCode < 300:
		checkProfileBody(t, resp)
	default:
		checkProblemBody(t, resp)
	}
}

// checkProfileBody checks a profile response: its ETag, and that its
// editable fields, sent back as a PUT body, are parsed unchanged.
func checkProfileBody(t *testing.T, resp events.APIGatewayProxyResponse) {
	t.Helper()
	if got := resp.Headers["Content-Type"]; got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var p profile.Profile
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatalf("profile body is not JSON: %v; body: %s", err, resp.Body)
	}
	if got, want := resp.Headers["ETag"], p.ETag(); got != want {
		t.Errorf("ETag = %q, want %q", got, want)
	}

	again, err := profile.ParseReplacement([]byte(resp.Body))
	if err != nil {
		t.Fatalf("the returned profile is rejected as a PUT body: %v", err)
	}
	p.Sub, p.CreatedAt, p.UpdatedAt, p.Version = "", time.Time{}, time.Time{}, 0
	if again != p {
		t.Errorf("the returned profile parses to %+v, want it unchanged: %+v", again, p)
	}
}

// statusHeaders are the headers that a problem of a status must carry.
var statusHeaders = map[int]string{
	http.StatusUnauthorized:       "WWW-Authenticate",
	http.StatusMethodNotAllowed:   "Allow",
	http.StatusPreconditionFailed: "ETag",
}

// checkProblemBody checks an RFC 9457 problem document.
func checkProblemBody(t *testing.T, resp events.APIGatewayProxyResponse) {
	t.Helper()
	if got := resp.Headers["Content-Type"]; got != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", got)
	}
	var doc problemDoc
	dec := json.NewDecoder(strings.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("problem body is not a problem document: %v; body: %s", err, resp.Body)
	}
	if doc.Type != "about:blank" || doc.Status != resp.StatusCode || doc.Title != http.StatusText(resp.StatusCode) || doc.Detail == "" {
		t.Errorf("problem document %+v does not match status %d", doc, resp.StatusCode)
	}
	if name, ok := statusHeaders[resp.StatusCode]; ok && resp.Headers[name] == "" {
		t.Errorf("%d has no %s header", resp.StatusCode, name)
	}
}

// checkLogLine checks that the handler wrote exactly one JSON log line,
// with the response's status.
func checkLogLine(t *testing.T, logs string, status int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(logs, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1", len(lines))
	}
	var line struct {
		Msg    string `json:"msg"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	if line.Msg != "request" || line.Status != status {
		t.Errorf("log line has msg %q and status %d, want request and %d", line.Msg, line.Status, status)
	}
}

// fuzzTargetPattern matches the declaration of a fuzz target.
var fuzzTargetPattern = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)

// TestFuzzTargetsInMakefile checks that make fuzz runs every fuzz target
// of the module, so that a new target cannot be left out, and nothing
// else.
func TestFuzzTargetsInMakefile(t *testing.T) {
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatalf("find module root: %v", err)
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile(`(\./[\w/]+):(Fuzz\w+)`).FindAllString(string(makefile), -1)

	var declared []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, m := range fuzzTargetPattern.FindAllSubmatch(src, -1) {
			declared = append(declared, "./"+filepath.ToSlash(rel)+":"+string(m[1]))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk the module: %v", err)
	}

	slices.Sort(listed)
	slices.Sort(declared)
	if !slices.Equal(listed, declared) {
		t.Errorf("FUZZ_TARGETS in the Makefile = %v,\nwant the fuzz targets of the module: %v", listed, declared)
	}
	if len(declared) == 0 {
		t.Error("found no fuzz target")
	}
	if !bytes.Contains(makefile, []byte("FUZZTIME ?= 30s")) {
		t.Error("the Makefile does not set FUZZTIME ?= 30s")
	}
}
