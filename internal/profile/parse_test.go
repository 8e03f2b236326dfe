package profile_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// editableFields are the editable fields in the order of the field table.
var editableFields = []string{
	"name", "given_name", "family_name", "nickname", "email",
	"phone_number", "picture", "website", "locale", "zoneinfo",
}

// fieldIssue is the pointer and code of a profile.FieldError. Tests compare
// these and never the detail text.
type fieldIssue struct {
	Pointer string
	Code    string
}

func TestParseReplacement(t *testing.T) {
	tests := []struct {
		name string
		body string
		want profile.Profile
	}{
		{
			name: "name only",
			body: `{"name":"Ada Example"}`,
			want: profile.Profile{Name: "Ada Example"},
		},
		{
			name: "every field",
			body: `{
				"name": " Ada Example ",
				"given_name": "Ada",
				"family_name": "Example",
				"nickname": "Countess",
				"email": "Ada@Example.COM",
				"phone_number": "+44 20 7946 0018",
				"picture": "https://images.example.com/ada.png",
				"website": "https://www.example.com/",
				"locale": "en-gb",
				"zoneinfo": "Europe/London"
			}`,
			want: profile.Profile{
				Name:        "Ada Example",
				GivenName:   "Ada",
				FamilyName:  "Example",
				Nickname:    "Countess",
				Email:       "Ada@example.com",
				PhoneNumber: "+442079460018",
				Picture:     "https://images.example.com/ada.png",
				Website:     "https://www.example.com/",
				Locale:      "en-GB",
				Zoneinfo:    "Europe/London",
			},
		},
		{
			name: "null optional is absent",
			body: `{"name":"Ada Example","nickname":null,"email":null}`,
			want: profile.Profile{Name: "Ada Example"},
		},
		{
			name: "every optional null",
			body: `{"name":"Ada Example","given_name":null,"family_name":null,"nickname":null,
				"email":null,"phone_number":null,"picture":null,"website":null,"locale":null,"zoneinfo":null}`,
			want: profile.Profile{Name: "Ada Example"},
		},
		{
			name: "read-only ignored",
			body: `{"sub":"99999999-8888-7777-6666-555555555555","name":"Ada Example",
				"created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z","version":7}`,
			want: profile.Profile{Name: "Ada Example"},
		},
		{
			name: "read-only of any type ignored",
			body: `{"sub":42,"name":"Ada Example","created_at":null,"updated_at":[],"version":"seven"}`,
			want: profile.Profile{Name: "Ada Example"},
		},
		{
			name: "member order free",
			body: `{"zoneinfo":"Europe/Paris","nickname":"Countess","name":"Ada Example"}`,
			want: profile.Profile{Name: "Ada Example", Nickname: "Countess", Zoneinfo: "Europe/Paris"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := profile.ParseReplacement([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseReplacement: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseReplacement =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseReplacementErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []fieldIssue
	}{
		{
			name: "empty object",
			body: `{}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}},
		},
		{
			name: "name missing",
			body: `{"given_name":"Ada"}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}},
		},
		{
			name: "name null",
			body: `{"name":null,"given_name":"Ada"}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}},
		},
		{
			name: "name blank",
			body: `{"name":"   "}`,
			want: []fieldIssue{{"/name", profile.CodeEmpty}},
		},
		{
			name: "name not a string",
			body: `{"name":42}`,
			want: []fieldIssue{{"/name", profile.CodeInvalidType}},
		},
		{
			name: "only read-only members",
			body: `{"sub":"11111111-2222-3333-4444-555555555555","version":1}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}},
		},
		{
			name: "unknown member",
			body: `{"name":"Ada Example","givenName":"Ada"}`,
			want: []fieldIssue{{"/givenName", profile.CodeUnknownField}},
		},
		{
			name: "unknown array member",
			body: `{"name":"Ada Example","interests":[]}`,
			want: []fieldIssue{{"/interests", profile.CodeUnknownField}},
		},
		{
			name: "case variant of name",
			body: `{"name":"Ada Example","NAME":"Mallory Example"}`,
			want: []fieldIssue{{"/NAME", profile.CodeUnknownField}},
		},
		{
			name: "case variant instead of name",
			body: `{"NAME":"Ada Example"}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}, {"/NAME", profile.CodeUnknownField}},
		},
		{
			name: "case variant of sub",
			body: `{"name":"Ada Example","Sub":"99999999-8888-7777-6666-555555555555"}`,
			want: []fieldIssue{{"/Sub", profile.CodeUnknownField}},
		},
		{
			name: "two invalid fields",
			body: `{"name":"Ada Example","email":"ada.example.com","phone_number":"12345"}`,
			want: []fieldIssue{{"/email", profile.CodeInvalidEmail}, {"/phone_number", profile.CodeInvalidPhone}},
		},
		{
			name: "field order then body order",
			body: `{"zoneinfo":"Mars/Olympus","zzz":1,"email":"ada.example.com","aaa":"x","name":"Ada Example"}`,
			want: []fieldIssue{
				{"/email", profile.CodeInvalidEmail},
				{"/zoneinfo", profile.CodeInvalidZone},
				{"/zzz", profile.CodeUnknownField},
				{"/aaa", profile.CodeUnknownField},
			},
		},
		{
			name: "required before unknown",
			body: `{"zzz":1}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}, {"/zzz", profile.CodeUnknownField}},
		},
		{
			name: "every field invalid",
			body: `{"zoneinfo":"Local","locale":"not a locale","website":"http://www.example.com/",
				"picture":"/ada.png","phone_number":"12345","email":"Ada <ada@example.com>",
				"nickname":"\u0000","family_name":"","given_name":[],"name":true}`,
			want: []fieldIssue{
				{"/name", profile.CodeInvalidType},
				{"/given_name", profile.CodeInvalidType},
				{"/family_name", profile.CodeEmpty},
				{"/nickname", profile.CodeInvalidChars},
				{"/email", profile.CodeInvalidEmail},
				{"/phone_number", profile.CodeInvalidPhone},
				{"/picture", profile.CodeInvalidURL},
				{"/website", profile.CodeInvalidURL},
				{"/locale", profile.CodeInvalidTag},
				{"/zoneinfo", profile.CodeInvalidZone},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.ParseReplacement([]byte(tt.body))

			got := fieldIssues(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors = %v, want %v", got, tt.want)
			}
			if p != (profile.Profile{}) {
				t.Errorf("profile = %+v, want the zero Profile with an error", p)
			}
		})
	}
}

func TestParsePatch(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []profile.Change
	}{
		{
			name: "empty patch",
			body: `{}`,
			want: nil,
		},
		{
			name: "set one field",
			body: `{"nickname":"Countess"}`,
			want: []profile.Change{{Field: "nickname", Value: "Countess"}},
		},
		{
			name: "null removes",
			body: `{"nickname":null}`,
			want: []profile.Change{{Field: "nickname", Remove: true}},
		},
		{
			name: "set name",
			body: `{"name":" Ada Example "}`,
			want: []profile.Change{{Field: "name", Value: "Ada Example"}},
		},
		{
			name: "field order",
			body: `{"zoneinfo":"Europe/Paris","email":null,"name":"Ada Example","given_name":"Ada"}`,
			want: []profile.Change{
				{Field: "name", Value: "Ada Example"},
				{Field: "given_name", Value: "Ada"},
				{Field: "email", Remove: true},
				{Field: "zoneinfo", Value: "Europe/Paris"},
			},
		},
		{
			name: "every optional null",
			body: `{"zoneinfo":null,"locale":null,"website":null,"picture":null,"phone_number":null,
				"email":null,"nickname":null,"family_name":null,"given_name":null}`,
			want: []profile.Change{
				{Field: "given_name", Remove: true},
				{Field: "family_name", Remove: true},
				{Field: "nickname", Remove: true},
				{Field: "email", Remove: true},
				{Field: "phone_number", Remove: true},
				{Field: "picture", Remove: true},
				{Field: "website", Remove: true},
				{Field: "locale", Remove: true},
				{Field: "zoneinfo", Remove: true},
			},
		},
		{
			name: "values normalised",
			body: `{"email":"  Ada@Example.COM ","phone_number":"+44 20 7946 0018","locale":"en-gb"}`,
			want: []profile.Change{
				{Field: "email", Value: "Ada@example.com"},
				{Field: "phone_number", Value: "+442079460018"},
				{Field: "locale", Value: "en-GB"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := profile.ParsePatch([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePatch: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParsePatch =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParsePatchErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []fieldIssue
	}{
		{
			name: "null name",
			body: `{"name":null}`,
			want: []fieldIssue{{"/name", profile.CodeRequired}},
		},
		{
			name: "blank name",
			body: `{"name":" "}`,
			want: []fieldIssue{{"/name", profile.CodeEmpty}},
		},
		{
			name: "empty optional",
			body: `{"nickname":""}`,
			want: []fieldIssue{{"/nickname", profile.CodeEmpty}},
		},
		{
			name: "sub",
			body: `{"sub":"99999999-8888-7777-6666-555555555555"}`,
			want: []fieldIssue{{"/sub", profile.CodeReadOnly}},
		},
		{
			name: "created_at",
			body: `{"created_at":"2024-01-02T03:04:05Z"}`,
			want: []fieldIssue{{"/created_at", profile.CodeReadOnly}},
		},
		{
			name: "updated_at",
			body: `{"updated_at":"2024-01-02T03:04:05Z"}`,
			want: []fieldIssue{{"/updated_at", profile.CodeReadOnly}},
		},
		{
			name: "version",
			body: `{"version":2}`,
			want: []fieldIssue{{"/version", profile.CodeReadOnly}},
		},
		{
			name: "null read-only",
			body: `{"sub":null}`,
			want: []fieldIssue{{"/sub", profile.CodeReadOnly}},
		},
		{
			name: "read-only next to valid field",
			body: `{"nickname":"Countess","version":1}`,
			want: []fieldIssue{{"/version", profile.CodeReadOnly}},
		},
		{
			name: "unknown member",
			body: `{"givenName":"Ada"}`,
			want: []fieldIssue{{"/givenName", profile.CodeUnknownField}},
		},
		{
			name: "case variant of name",
			body: `{"NAME":"Mallory Example"}`,
			want: []fieldIssue{{"/NAME", profile.CodeUnknownField}},
		},
		{
			name: "not a string",
			body: `{"given_name":["Ada"]}`,
			want: []fieldIssue{{"/given_name", profile.CodeInvalidType}},
		},
		{
			name: "field order then body order",
			body: `{"zzz":1,"version":2,"email":"ada.example.com","name":null,"aaa":2,"sub":"x"}`,
			want: []fieldIssue{
				{"/sub", profile.CodeReadOnly},
				{"/name", profile.CodeRequired},
				{"/email", profile.CodeInvalidEmail},
				{"/version", profile.CodeReadOnly},
				{"/zzz", profile.CodeUnknownField},
				{"/aaa", profile.CodeUnknownField},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := profile.ParsePatch([]byte(tt.body))

			got := fieldIssues(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors = %v, want %v", got, tt.want)
			}
			if changes != nil {
				t.Errorf("changes = %+v, want nil with an error", changes)
			}
		})
	}
}

// TestNormalizationIdempotent sends a profile that ParseReplacement returned
// back as a PUT body, as a client does after a GET, and expects the same
// profile. The read-only members that json.Marshal adds are ignored.
func TestNormalizationIdempotent(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{
			name: "name only",
			body: `{"name":"Ada Example"}`,
		},
		{
			name: "every field normalised",
			body: `{
				"name": "  Ame\u0301lie Example\t",
				"given_name": "Ame\u0301lie",
				"family_name": " Example ",
				"nickname": "\ud83d\ude00",
				"email": " Ada.Example@BU\u0308CHER.example ",
				"phone_number": "+44 (20) 7946-0018",
				"picture": " https://images.example.com/ada.png?size=64 ",
				"website": "https://www.example.com/~ada/#about",
				"locale": "zh-hant-tw",
				"zoneinfo": " America/Argentina/Buenos_Aires "
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := profile.ParseReplacement([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseReplacement(body): %v", err)
			}

			again, err := json.Marshal(first)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			got, err := profile.ParseReplacement(again)
			if err != nil {
				t.Fatalf("ParseReplacement(%s): %v", again, err)
			}
			if got != first {
				t.Errorf("second parse =\n%+v\nwant\n%+v", got, first)
			}
		})
	}
}

// fieldIssues returns the pointers and codes of err, which must be a
// *profile.ValidationError.
func fieldIssues(t *testing.T, err error) []fieldIssue {
	t.Helper()
	var ve *profile.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v (%T), want a *profile.ValidationError", err, err)
	}

	issues := make([]fieldIssue, len(ve.Errors))
	for i, fe := range ve.Errors {
		issues[i] = fieldIssue{fe.Pointer, fe.Code}
	}
	return issues
}

// jsonObject encodes members as a JSON object. A json.RawMessage value is
// written as it is, so that a test can send escapes such as "\ud800" that
// json.Marshal never writes.
func jsonObject(t *testing.T, members map[string]any) []byte {
	t.Helper()
	body, err := json.Marshal(members)
	if err != nil {
		t.Fatalf("json.Marshal(%v): %v", members, err)
	}
	return body
}

// patchField parses a merge patch that sets field to value. It returns the
// value that the patch stores, or the code of the field's error.
func patchField(t *testing.T, field string, value any) (got, code string) {
	t.Helper()
	changes, err := profile.ParsePatch(jsonObject(t, map[string]any{field: value}))
	if err != nil {
		issues := fieldIssues(t, err)
		if len(issues) != 1 || issues[0].Pointer != "/"+field {
			t.Fatalf("errors = %v, want one error at /%s", issues, field)
		}
		return "", issues[0].Code
	}

	want := []string{field}
	if fields := changedFields(changes); !slices.Equal(fields, want) || changes[0].Remove {
		t.Fatalf("changes = %+v, want one change that sets %s", changes, field)
	}
	return changes[0].Value, ""
}

// assertStable sends a PUT body whose field is an already normalised value
// and checks that normalising it again leaves it unchanged.
func assertStable(t *testing.T, field, normalised string) {
	t.Helper()
	members := map[string]any{"name": "Ada Example", field: normalised}
	p, err := profile.ParseReplacement(jsonObject(t, members))
	if err != nil {
		t.Fatalf("ParseReplacement of normalised %s %q: %v", field, normalised, err)
	}
	if got := fieldValues(p)[field]; got != normalised {
		t.Errorf("normalising %s %q again = %q, want it unchanged", field, normalised, got)
	}
}

// fieldValues returns the editable fields of p by JSON member name.
func fieldValues(p profile.Profile) map[string]string {
	return map[string]string{
		"name":         p.Name,
		"given_name":   p.GivenName,
		"family_name":  p.FamilyName,
		"nickname":     p.Nickname,
		"email":        p.Email,
		"phone_number": p.PhoneNumber,
		"picture":      p.Picture,
		"website":      p.Website,
		"locale":       p.Locale,
		"zoneinfo":     p.Zoneinfo,
	}
}

func changedFields(changes []profile.Change) []string {
	fields := make([]string, len(changes))
	for i, c := range changes {
		fields[i] = c.Field
	}
	return fields
}

// fieldCase is one value of a field and the outcome that the field table
// requires: the normalised value, or the code of the error.
type fieldCase struct {
	name     string
	in       any // a string, or a json.RawMessage for JSON written by hand
	want     string
	wantCode string
}

// runFieldCases checks each case through a merge patch and, for every
// accepted value, checks that normalising the result again changes nothing.
func runFieldCases(t *testing.T, field string, tests []fieldCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, code := patchField(t, field, tt.in)
			if code != tt.wantCode {
				t.Fatalf("%s %.60q: code = %q, want %q", field, tt.in, code, tt.wantCode)
			}
			if tt.wantCode != "" {
				return
			}
			if got != tt.want {
				t.Errorf("%s %.60q = %.60q, want %.60q", field, tt.in, got, tt.want)
			}
			assertStable(t, field, got)
		})
	}
}
