package profile_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// TestNormalizeText checks the rules of the name-like fields: trimming, NFC,
// no control characters, not empty, and at most 100 characters after NFC.
// Every other field applies the same rules, except the length limit, before
// checking its own format.
func TestNormalizeText(t *testing.T) {
	tests := []fieldCase{
		{name: "plain", in: "Ada Example", want: "Ada Example"},
		{name: "trim spaces", in: "  Ada Example  ", want: "Ada Example"},
		{name: "trim tab and newline", in: "\tAda Example\r\n", want: "Ada Example"},
		{name: "trim unicode spaces", in: "\u00a0Ada Example\u3000", want: "Ada Example"},
		{name: "inner spaces kept", in: "Ada  Example", want: "Ada  Example"},
		{name: "nfc", in: "e\u0301", want: "\u00e9"},
		{name: "nfc in a word", in: "Ame\u0301lie", want: "Am\u00e9lie"},
		{name: "nfc hangul", in: "\u1100\u1161", want: "\uac00"},
		{name: "nfc not nfkc", in: "\ufb01", want: "\ufb01"},
		{name: "surrogate pair escape", in: json.RawMessage(`"Ada \ud83d\ude00"`), want: "Ada \U0001F600"},

		{name: "100 ascii", in: strings.Repeat("a", 100), want: strings.Repeat("a", 100)},
		{name: "101 ascii", in: strings.Repeat("a", 101), wantCode: profile.CodeTooLong},
		{name: "100 two-byte", in: strings.Repeat("\u00e9", 100), want: strings.Repeat("\u00e9", 100)},
		{name: "101 two-byte", in: strings.Repeat("\u00e9", 101), wantCode: profile.CodeTooLong},
		{name: "100 four-byte", in: strings.Repeat("\U0001D49C", 100), want: strings.Repeat("\U0001D49C", 100)},
		{name: "100 decomposed", in: strings.Repeat("e\u0301", 100), want: strings.Repeat("\u00e9", 100)},
		{name: "101 decomposed", in: strings.Repeat("e\u0301", 101), wantCode: profile.CodeTooLong},
		{name: "100 after trim", in: "  " + strings.Repeat("a", 100) + "  ", want: strings.Repeat("a", 100)},

		{name: "empty", in: "", wantCode: profile.CodeEmpty},
		{name: "spaces only", in: "   ", wantCode: profile.CodeEmpty},
		{name: "white space only", in: "\t\r\n\u00a0", wantCode: profile.CodeEmpty},

		{name: "nul", in: "Ada\u0000Example", wantCode: profile.CodeInvalidChars},
		{name: "escaped nul", in: json.RawMessage(`"Ada\u0000"`), wantCode: profile.CodeInvalidChars},
		{name: "inner newline", in: "Ada\nExample", wantCode: profile.CodeInvalidChars},
		{name: "inner tab", in: "Ada\tExample", wantCode: profile.CodeInvalidChars},
		{name: "escape", in: "Ada\u001b[31m", wantCode: profile.CodeInvalidChars},
		{name: "delete", in: "Ada\u007fExample", wantCode: profile.CodeInvalidChars},
		{name: "c1 control", in: "Ada\u009bExample", wantCode: profile.CodeInvalidChars},
		{name: "replacement character", in: "Ada \ufffd", wantCode: profile.CodeInvalidChars},
		{name: "lone high surrogate", in: json.RawMessage(`"Ada \ud800"`), wantCode: profile.CodeInvalidChars},
		{name: "lone low surrogate", in: json.RawMessage(`"\udc00 Ada"`), wantCode: profile.CodeInvalidChars},
		{name: "surrogates reversed", in: json.RawMessage(`"\ude00\ud83d"`), wantCode: profile.CodeInvalidChars},
	}
	for _, field := range []string{"name", "given_name", "family_name", "nickname"} {
		t.Run(field, func(t *testing.T) {
			runFieldCases(t, field, tests)
		})
	}
}

// TestSharedTextRules checks that the fields with a format of their own
// still trim, and still reject empty values and control characters before
// their format is checked.
func TestSharedTextRules(t *testing.T) {
	fields := []struct {
		name  string
		valid string
	}{
		{"email", "ada@example.com"},
		{"phone_number", "+442079460018"},
		{"picture", "https://images.example.com/ada.png"},
		{"website", "https://www.example.com/"},
		{"locale", "en-GB"},
		{"zoneinfo", "Europe/Paris"},
	}
	for _, f := range fields {
		v := f.valid
		tests := []fieldCase{
			{name: "trim", in: " \t" + v + "\n ", want: v},
			{name: "empty", in: "", wantCode: profile.CodeEmpty},
			{name: "blank", in: "  ", wantCode: profile.CodeEmpty},
			{name: "nul", in: v + "\u0000", wantCode: profile.CodeInvalidChars},
			{name: "newline", in: v + "\nx", wantCode: profile.CodeInvalidChars},
			{name: "delete", in: v + "\u007f", wantCode: profile.CodeInvalidChars},
			{name: "replacement character", in: v + "\ufffd", wantCode: profile.CodeInvalidChars},
			{name: "lone surrogate", in: json.RawMessage(`"` + v + `\ud800"`), wantCode: profile.CodeInvalidChars},
		}
		t.Run(f.name, func(t *testing.T) {
			runFieldCases(t, f.name, tests)
		})
	}
}

func TestInvalidType(t *testing.T) {
	values := []struct {
		name  string
		value string
	}{
		{"number", `42`},
		{"float", `1.5`},
		{"true", `true`},
		{"false", `false`},
		{"empty array", `[]`},
		{"array of string", `["Ada"]`},
		{"empty object", `{}`},
		{"object", `{"value":"Ada"}`},
	}
	for _, field := range editableFields {
		for _, v := range values {
			t.Run(field+"/"+v.name, func(t *testing.T) {
				want := []fieldIssue{{"/" + field, profile.CodeInvalidType}}

				put := `{"name":"Ada Example","` + field + `":` + v.value + `}`
				if field == "name" {
					put = `{"name":` + v.value + `}`
				}
				_, err := profile.ParseReplacement([]byte(put))
				if got := fieldIssues(t, err); !slices.Equal(got, want) {
					t.Errorf("PUT %s: errors = %v, want %v", put, got, want)
				}

				patch := `{"` + field + `":` + v.value + `}`
				_, err = profile.ParsePatch([]byte(patch))
				if got := fieldIssues(t, err); !slices.Equal(got, want) {
					t.Errorf("PATCH %s: errors = %v, want %v", patch, got, want)
				}
			})
		}
	}
}

// TestFieldTable checks that each editable field is accepted in a PUT and
// in a merge patch, and that a patch can remove each optional field.
func TestFieldTable(t *testing.T) {
	values := map[string]string{
		"name":         "Ada Example",
		"given_name":   "Ada",
		"family_name":  "Example",
		"nickname":     "Countess",
		"email":        "ada@example.com",
		"phone_number": "+442079460018",
		"picture":      "https://images.example.com/ada.png",
		"website":      "https://www.example.com/",
		"locale":       "en-GB",
		"zoneinfo":     "Europe/Paris",
	}
	for _, field := range editableFields {
		t.Run(field, func(t *testing.T) {
			want := values[field]

			p, err := profile.ParseReplacement(jsonObject(t, map[string]any{"name": "Ada Example", field: want}))
			if err != nil {
				t.Fatalf("ParseReplacement: %v", err)
			}
			if got := fieldValues(p)[field]; got != want {
				t.Errorf("PUT %s = %q, want %q", field, got, want)
			}

			got, code := patchField(t, field, want)
			if code != "" || got != want {
				t.Errorf("PATCH %s = %q with code %q, want %q", field, got, code, want)
			}

			changes, err := profile.ParsePatch(jsonObject(t, map[string]any{field: nil}))
			if field == "name" {
				if got := fieldIssues(t, err); !slices.Equal(got, []fieldIssue{{"/name", profile.CodeRequired}}) {
					t.Errorf("PATCH name null: errors = %v, want /name required", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("PATCH %s null: %v", field, err)
			}
			if len(changes) != 1 || changes[0] != (profile.Change{Field: field, Remove: true}) {
				t.Errorf("PATCH %s null = %+v, want one removal", field, changes)
			}
		})
	}
}
