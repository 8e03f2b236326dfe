package profile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// parsers are the two entry points, which read bodies the same strict way.
var parsers = []struct {
	name  string
	parse func([]byte) error
}{
	{"put", func(b []byte) error { _, err := profile.ParseReplacement(b); return err }},
	{"patch", func(b []byte) error { _, err := profile.ParsePatch(b); return err }},
}

func TestParseMalformedBody(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ""},
		{"white space only", " \r\n\t"},
		{"top-level array", `[{"name":"Ada Example"}]`},
		{"top-level empty array", `[]`},
		{"top-level null", `null`},
		{"top-level string", `"Ada Example"`},
		{"top-level number", `42`},
		{"top-level true", `true`},
		{"open brace only", `{`},
		{"unterminated object", `{"name":"Ada Example"`},
		{"unterminated after comma", `{"name":"Ada Example",`},
		{"unterminated string", `{"name":"Ada`},
		{"trailing comma", `{"name":"Ada Example",}`},
		{"missing value", `{"name":}`},
		{"missing colon", `{"name" "Ada Example"}`},
		{"single quotes", `{'name':'Ada Example'}`},
		{"unquoted member name", `{name:"Ada Example"}`},
		{"number as member name", `{1:"Ada Example"}`},
		{"invalid escape", `{"name":"Ada \x"}`},
		{"raw newline in string", "{\"name\":\"Ada\nExample\"}"},
		{"raw nul in string", "{\"name\":\"Ada\x00Example\"}"},
		{"leading zero", `{"name":"Ada Example","nickname":01}`},
		{"nan", `{"name":"Ada Example","nickname":NaN}`},

		{"data after object", `{"name":"Ada Example"}x`},
		{"two objects", `{} {}`},
		{"two objects no space", `{"name":"Ada Example"}{"name":"Ada Example"}`},
		{"array after object", `{"name":"Ada Example"}[]`},
		{"null after object", `{"name":"Ada Example"} null`},
		{"extra closing brace", `{"name":"Ada Example"}}`},
		{"comment after object", `{"name":"Ada Example"} // note`},

		{"invalid utf-8 in value", "{\"name\":\"Ada Example\",\"nickname\":\"Ada \xff\xfe\"}"},
		{"invalid utf-8 in member name", "{\"name\":\"Ada Example\",\"nick\xffname\":\"Ada\"}"},
		{"invalid utf-8 after object", "{\"name\":\"Ada Example\"}\xff"},
		{"overlong encoding", "{\"name\":\"Ada \xc0\xaf\"}"},
		{"encoded surrogate", "{\"name\":\"Ada \xed\xa0\x80\"}"},
		{"truncated sequence", "{\"name\":\"Ada \xc3\"}"},

		{"duplicate name", `{"name":"Ada Example","name":"Mallory Example"}`},
		{"duplicate same value", `{"name":"Ada Example","name":"Ada Example"}`},
		{"duplicate by escape", `{"name":"Ada Example","n\u0061me":"Mallory Example"}`},
		{"duplicate all escaped", `{"\u006e\u0061\u006d\u0065":"Ada Example","name":"Mallory Example"}`},
		{"duplicate null", `{"name":"Ada Example","nickname":null,"nickname":"Countess"}`},
		{"duplicate unknown", `{"name":"Ada Example","zzz":1,"zzz":2}`},
		{"duplicate read-only", `{"name":"Ada Example","version":1,"version":2}`},
	}
	for _, tt := range tests {
		for _, p := range parsers {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				err := p.parse([]byte(tt.body))

				var se *profile.SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("error = %v (%T), want a *profile.SyntaxError", err, err)
				}
			})
		}
	}
}

func TestParseWellFormedBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"compact", `{"name":"Ada Example"}`, "Ada Example"},
		{"white space around", " \r\n\t{ \"name\" : \"Ada Example\" } \r\n\t", "Ada Example"},
		{"trailing newline", "{\"name\":\"Ada Example\"}\n", "Ada Example"},
		{"escaped member name", `{"n\u0061me":"Ada Example"}`, "Ada Example"},
		{"escaped value", `{"name":"Ada\u0020Example"}`, "Ada Example"},
		{"escaped solidus", `{"name":"Ada\/Example"}`, "Ada/Example"},
		{"surrogate pair", `{"name":"Ada \ud83d\ude00"}`, "Ada \U0001F600"},
		{"utf-8 value", `{"name":"Ada Éxample"}`, "Ada Éxample"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.ParseReplacement([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseReplacement: %v", err)
			}
			if p.Name != tt.want {
				t.Errorf("name = %q, want %q", p.Name, tt.want)
			}
		})
	}
}

// TestParseDeepNesting checks that deeply nested values end in a client
// error, not in a panic or a stack overflow.
func TestParseDeepNesting(t *testing.T) {
	tests := []struct {
		name string
		body string
		// putIgnores is true when a PUT ignores the nested member, as it
		// ignores every read-only member.
		putIgnores bool
	}{
		{name: "5000 arrays as a value", body: `{"name":"Ada Example","nickname":` + nested("[", "]", 5000) + `}`},
		{name: "100000 arrays as a value", body: `{"name":"Ada Example","nickname":` + nested("[", "]", 100000) + `}`},
		{name: "5000 objects as a value", body: `{"name":"Ada Example","nickname":` + nested(`{"a":`, "}", 5000) + `}`},
		{name: "5000 arrays as an unknown member", body: `{"name":"Ada Example","zzz":` + nested("[", "]", 5000) + `}`},
		{name: "5000 arrays as read-only", body: `{"name":"Ada Example","version":` + nested("[", "]", 5000) + `}`, putIgnores: true},
		{name: "100000 arrays at top level", body: nested("[", "]", 100000)},
	}
	for _, tt := range tests {
		for _, p := range parsers {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				err := p.parse([]byte(tt.body))
				if tt.putIgnores && p.name == "put" {
					if err != nil {
						t.Errorf("error = %.200v, want nil", err)
					}
					return
				}

				var se *profile.SyntaxError
				var ve *profile.ValidationError
				if !errors.As(err, &se) && !errors.As(err, &ve) {
					t.Errorf("error = %.200v (%T), want a *profile.SyntaxError or *profile.ValidationError", err, err)
				}
			})
		}
	}
}

// TestSyntaxErrorOmitsBody checks that a syntax error never repeats the
// body, because the body may contain personal data and the error reaches
// logs.
func TestSyntaxErrorOmitsBody(t *testing.T) {
	const secret = "Mallory-7f3a9c"
	bodies := []struct {
		name string
		body string
	}{
		{"unterminated", `{"name":"` + secret + `"`},
		{"bad token", `{"name":` + secret + `}`},
		{"data after object", `{"name":"Ada Example"}` + secret},
		{"duplicate", `{"` + secret + `":1,"` + secret + `":2}`},
		{"invalid utf-8", "{\"name\":\"" + secret + "\xff\"}"},
	}
	for _, tt := range bodies {
		for _, p := range parsers {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				err := p.parse([]byte(tt.body))

				var se *profile.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error = %v (%T), want a *profile.SyntaxError", err, err)
				}
				if strings.Contains(se.Error(), secret) || strings.Contains(se.Error(), "Mallory") {
					t.Errorf("error %q repeats the body", se.Error())
				}
			})
		}
	}
}

// nested returns depth copies of prefix followed by depth copies of suffix.
func nested(prefix, suffix string, depth int) string {
	return strings.Repeat(prefix, depth) + strings.Repeat(suffix, depth)
}
