package gateway

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestMain runs the tests, then checks every log line that any harness of
// the package captured against every value that any harness sent. Each
// harness checks its own test as well. This check also catches a value of
// one test that reaches the log of another, and it covers every handler of
// the suite in one place.
func TestMain(m *testing.M) {
	code := m.Run()

	leaks, lines, values := suiteLogs.scan()
	if len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d log lines of the gateway tests hold a value that a request carried:\n", len(leaks))
		for _, l := range leaks {
			fmt.Fprintln(os.Stderr, "  "+l)
		}
		code = 1
	} else if testing.Verbose() {
		fmt.Printf("log check: %d log lines scanned for %d request values, none found\n", lines, values)
	}
	os.Exit(code)
}

// suiteLogs is the registry of every harness in the package.
var suiteLogs = &logRegistry{}

// logRegistry collects log outputs and the values that requests carried.
// It is safe for concurrent use.
type logRegistry struct {
	mu      sync.Mutex
	outputs []*syncBuffer
	secrets map[string]bool
	// subs are the sub claims sent, which the log line carries by design,
	// so a body member that repeats one is not a leak.
	subs map[string]bool
}

// addOutput registers a handler's log output.
func (lr *logRegistry) addOutput(b *syncBuffer) {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	lr.outputs = append(lr.outputs, b)
}

// addValues registers the values of one request.
func (lr *logRegistry) addValues(secrets, subs []string) {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	if lr.secrets == nil {
		lr.secrets, lr.subs = map[string]bool{}, map[string]bool{}
	}
	for _, s := range secrets {
		lr.secrets[s] = true
	}
	for _, s := range subs {
		lr.subs[s] = true
	}
}

// scan returns one description per log line that holds a registered
// value, and the numbers of lines and values it checked. A description
// names the line's request id and the value's length, never the value.
func (lr *logRegistry) scan() (leaks []string, lines, values int) {
	lr.mu.Lock()
	defer lr.mu.Unlock()

	var secrets []string
	for s := range lr.secrets {
		if !lr.subs[s] {
			secrets = append(secrets, s)
		}
	}
	slices.Sort(secrets)

	for _, out := range lr.outputs {
		for line := range strings.Lines(out.String()) {
			lines++
			for _, s := range secrets {
				if holdsValue(line, s) {
					leaks = append(leaks, fmt.Sprintf("request %s: a value of %d characters", requestIDOf(line), len(s)))
				}
			}
		}
	}
	return leaks, lines, len(secrets)
}

// holdsValue reports whether log text holds s, as it is or as a JSON
// string escapes it, as a whole token: the characters on either side are
// not letters or digits. A plain substring search would find a short value
// such as "ada" in the hexadecimal addresses of a stack trace.
func holdsValue(text, s string) bool {
	if containsToken(text, s) {
		return true
	}
	encoded, err := json.Marshal(s)
	return err == nil && containsToken(text, strings.Trim(string(encoded), `"`))
}

// containsToken reports whether s occurs in text with no letter or digit
// right before or after it.
func containsToken(text, s string) bool {
	for offset := 0; offset < len(text); {
		i := strings.Index(text[offset:], s)
		if i < 0 {
			return false
		}
		start, end := offset+i, offset+i+len(s)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !isAlphanumeric(before) && !isAlphanumeric(after) {
			return true
		}
		offset = start + 1
	}
	return false
}

func isAlphanumeric(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// requestIDOf returns the request_id of a JSON log line, or "(unknown)".
func requestIDOf(line string) string {
	var l struct {
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal([]byte(line), &l) != nil || l.RequestID == "" {
		return "(unknown)"
	}
	return l.RequestID
}

// personalClaims are the claims of a Cognito token that hold personal data.
var personalClaims = []string{"email", "phone_number", "name", "given_name", "family_name", "nickname", "cognito:username", "username"}

// sentValues returns the values of an event that must never reach a log
// line: the string members of its body, the bearer token, and the
// personal claims. It also returns the sub claims, which the log line
// carries by design. Values shorter than three characters are left out,
// since they occur in any text.
func sentValues(event json.RawMessage) (secrets, subs []string) {
	var e struct {
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		RequestContext    struct {
			Authorizer struct {
				Claims map[string]any `json:"claims"`
				JWT    struct {
					Claims map[string]any `json:"claims"`
				} `json:"jwt"`
			} `json:"authorizer"`
		} `json:"requestContext"`
	}
	if json.Unmarshal(event, &e) != nil {
		return nil, nil
	}
	add := func(s string) {
		if s = strings.TrimSpace(s); len(s) >= 3 {
			secrets = append(secrets, s)
		}
	}

	body := []byte(e.Body)
	if e.IsBase64Encoded {
		body, _ = base64.StdEncoding.DecodeString(e.Body)
	}
	var members map[string]any
	if json.Unmarshal(body, &members) == nil {
		for _, v := range members {
			if s, ok := v.(string); ok {
				add(s)
			}
		}
	}

	for name, value := range e.Headers {
		if strings.EqualFold(name, "Authorization") {
			add(strings.TrimPrefix(value, "Bearer "))
		}
	}
	for name, values := range e.MultiValueHeaders {
		if strings.EqualFold(name, "Authorization") {
			for _, v := range values {
				add(strings.TrimPrefix(v, "Bearer "))
			}
		}
	}

	for _, claims := range []map[string]any{e.RequestContext.Authorizer.Claims, e.RequestContext.Authorizer.JWT.Claims} {
		if sub, ok := claims["sub"].(string); ok && sub != "" {
			subs = append(subs, sub)
		}
		for _, name := range personalClaims {
			if s, ok := claims[name].(string); ok {
				add(s)
			}
		}
	}
	return secrets, subs
}

// TestLogRegistry_FindsValue checks that the suite check finds a value of
// one request in the log of another handler, in plain and JSON-escaped
// form, and that a sub claim repeated in a body is not reported.
func TestLogRegistry_FindsValue(t *testing.T) {
	var lr logRegistry
	put := rest("PUT", `{"name":"Ada <Example>","nickname":"`+testSub+`"}`, "Content-Type", jsonType)
	lr.addValues(sentValues(put.json()))

	clean := &syncBuffer{}
	_, _ = clean.Write([]byte(`{"msg":"request","request_id":"r-1","sub":"` + testSub + `"}` + "\n"))
	lr.addOutput(clean)
	leaks, lines, _ := lr.scan()
	if len(leaks) != 0 {
		t.Errorf("scan of a clean log = %v, want no leak", leaks)
	}
	if lines != 1 {
		t.Errorf("scan checked %d lines, want 1", lines)
	}

	escaped := &syncBuffer{}
	_, _ = escaped.Write([]byte(`{"msg":"request","request_id":"r-2","error":"Ada \u003cExample\u003e"}` + "\n"))
	lr.addOutput(escaped)
	if leaks, _, _ := lr.scan(); len(leaks) != 1 || !strings.Contains(leaks[0], "r-2") {
		t.Errorf("scan of a log with an escaped name = %v, want one leak in request r-2", leaks)
	}
}

// TestHoldsValue checks that values match as whole tokens only.
func TestHoldsValue(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"quoted", `{"error":"ada"}`, true},
		{"start and end", "ada", true},
		{"between spaces", "user ada logged", true},
		{"inside a word", `{"error":"metadata"}`, false},
		{"inside hexadecimal", "handler.go:90 +0xada3", false},
		{"second occurrence whole", "metadata, ada", true},
		{"between punctuation", `{"error":"<ada>"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := holdsValue(tt.text, "ada"); got != tt.want {
				t.Errorf("holdsValue(%q, \"ada\") = %t, want %t", tt.text, got, tt.want)
			}
		})
	}
}

// TestSentValues checks which values of an event the log check looks for.
func TestSentValues(t *testing.T) {
	e := rest("PATCH", `{"nickname":"Countess","version":7,"given_name":"Al"}`, "Content-Type", mergePatchType)
	secrets, subs := sentValues(e.json())

	for _, want := range []string{"Countess", "<fake-id-token>", "ada@example.com", "ada"} {
		if !slices.Contains(secrets, want) {
			t.Errorf("values %q lack %q", secrets, want)
		}
	}
	if slices.Contains(secrets, "Al") {
		t.Errorf("values %q hold a two-character value, which any text may contain", secrets)
	}
	if !slices.Equal(subs, []string{testSub}) {
		t.Errorf("subs = %q, want [%s]", subs, testSub)
	}
}
