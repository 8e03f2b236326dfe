package profile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// The fuzz targets of this file share one property: any input yields either
// a valid profile (or valid changes) or a client error, never a panic, and a
// valid value passes the rules again unchanged. Their seed corpora are under
// testdata/fuzz/, so plain `go test` runs every seed; `make fuzz` explores
// beyond them.

func FuzzParseReplacement(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := profile.ParseReplacement(body)
		if err != nil {
			checkClientError(t, err)
			if p != (profile.Profile{}) {
				t.Errorf("ParseReplacement returned %+v with an error, want the zero profile", p)
			}
			return
		}

		checkValidProfile(t, p)

		// A client sends back what it read: the same profile must come out.
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		second, err := profile.ParseReplacement(again)
		if err != nil {
			t.Fatalf("ParseReplacement of its own output %s: %v", again, err)
		}
		if second != p {
			t.Errorf("second parse = %+v, want %+v", second, p)
		}

		// A merge patch of the same fields normalises them alike.
		changes, err := profile.ParsePatch(editableJSON(t, p))
		if err != nil {
			t.Fatalf("ParsePatch of the editable fields: %v", err)
		}
		if got := applyChanges(t, profile.Profile{}, changes); got != p {
			t.Errorf("the same fields as a merge patch give %+v, want %+v", got, p)
		}
	})
}

func FuzzParsePatch(f *testing.F) {
	base := mustParse(f, `{"name":"Ada Example","given_name":"Ada","family_name":"Example",`+
		`"nickname":"Countess","email":"ada@example.com","phone_number":"+442079460018",`+
		`"picture":"https://images.example.com/ada.png","website":"https://www.example.com/ada",`+
		`"locale":"en-GB","zoneinfo":"Europe/London"}`)

	f.Fuzz(func(t *testing.T, body []byte) {
		changes, err := profile.ParsePatch(body)
		if err != nil {
			checkClientError(t, err)
			if changes != nil {
				t.Errorf("ParsePatch returned %+v with an error, want nil", changes)
			}
			return
		}

		checkChanges(t, changes)

		// Applying the changes gives the document that RFC 7396 merges from
		// the stored profile and the body, once normalised, and that
		// document is a valid profile.
		got := applyChanges(t, base, changes)
		merged := mergePatch(t, editableJSON(t, base), body)
		want, err := profile.ParseReplacement(merged)
		if err != nil {
			t.Fatalf("the merged document %s is not a valid profile: %v", merged, err)
		}
		if got != want {
			t.Errorf("applied changes = %+v, want the merged document %+v", got, want)
		}
		checkValidProfile(t, got)
	})
}

// The field targets send one value in a one-field merge patch, so that the
// fuzzer spends its time on that field's rule.

func FuzzTextField(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		for _, field := range []string{"name", "given_name", "family_name", "nickname"} {
			checkOneField(t, field, value)
		}
	})
}

func FuzzEmailField(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		checkOneField(t, "email", value)
	})
}

func FuzzPhoneNumberField(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		checkOneField(t, "phone_number", value)
	})
}

func FuzzURLField(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		for _, field := range []string{"picture", "website"} {
			checkOneField(t, field, value)
		}
	})
}

func FuzzLocaleField(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		checkOneField(t, "locale", value)
	})
}

func FuzzZoneinfoField(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		checkOneField(t, "zoneinfo", value)
	})
}

// fieldCodes lists the error codes that a string value of each field may
// get. invalid_type, required, read_only and unknown_field never fit a
// string value of a known field.
var fieldCodes = map[string][]string{
	"text":         {profile.CodeEmpty, profile.CodeInvalidChars, profile.CodeTooLong},
	"email":        {profile.CodeEmpty, profile.CodeInvalidChars, profile.CodeInvalidEmail, profile.CodeTooLong},
	"phone_number": {profile.CodeEmpty, profile.CodeInvalidChars, profile.CodeInvalidPhone},
	"url":          {profile.CodeEmpty, profile.CodeInvalidChars, profile.CodeInvalidURL, profile.CodeTooLong},
	"locale":       {profile.CodeEmpty, profile.CodeInvalidChars, profile.CodeInvalidTag},
	"zoneinfo":     {profile.CodeEmpty, profile.CodeInvalidChars, profile.CodeInvalidZone},
}

// fieldKind maps each editable field to its rule in fieldCodes and
// checkFormat.
var fieldKind = map[string]string{
	"name": "text", "given_name": "text", "family_name": "text", "nickname": "text",
	"email": "email", "phone_number": "phone_number", "picture": "url", "website": "url",
	"locale": "locale", "zoneinfo": "zoneinfo",
}

// checkOneField sends value as the one member field of a merge patch. The
// result must be one change that sets the field, or one error at its
// pointer with a code of the field's rule. An accepted value must be
// normalised already, pass again unchanged, and come out the same from a
// PUT.
func checkOneField(t *testing.T, field, value string) {
	t.Helper()
	body := jsonObject(t, map[string]any{field: value})

	changes, err := profile.ParsePatch(body)
	if err != nil {
		issues := fieldIssues(t, err)
		if len(issues) != 1 || issues[0].Pointer != "/"+field {
			t.Fatalf("errors = %v, want one error at /%s", issues, field)
		}
		if codes := fieldCodes[fieldKind[field]]; !slices.Contains(codes, issues[0].Code) {
			t.Errorf("%s: code = %q, want one of %v", field, issues[0].Code, codes)
		}
		return
	}
	if len(changes) != 1 || changes[0].Field != field || changes[0].Remove {
		t.Fatalf("changes = %+v, want one change that sets %s", changes, field)
	}
	got := changes[0].Value
	checkFormat(t, field, got)

	again, err := profile.ParsePatch(jsonObject(t, map[string]any{field: got}))
	if err != nil {
		t.Fatalf("%s: normalised value %q is rejected: %v", field, got, err)
	}
	if len(again) != 1 {
		t.Fatalf("%s: normalising %q again gives changes %+v, want one", field, got, again)
	}
	if again[0].Value != got {
		t.Errorf("%s: normalising %q again = %q, want it unchanged", field, got, again[0].Value)
	}

	members := map[string]any{"name": "Ada Example", field: value}
	p, err := profile.ParseReplacement(jsonObject(t, members))
	if err != nil {
		t.Fatalf("%s: a merge patch accepts the value but a PUT rejects it: %v", field, err)
	}
	if put := fieldValues(p)[field]; put != got {
		t.Errorf("%s: PUT stores %q, merge patch stores %q", field, put, got)
	}
}

// syntaxMessages are the only messages of a *profile.SyntaxError, so that
// none can carry a piece of the body.
var syntaxMessages = regexp.MustCompile(`^(body is not valid UTF-8|body is empty; send a JSON object|` +
	`body is not a JSON object|a member name appears more than once|data after the JSON object|` +
	`body ends before the JSON object does|body is not well-formed JSON|member name is not a string)` +
	`( \(at byte [0-9]+\))?$`)

// allCodes are the codes of package profile.
var allCodes = []string{
	profile.CodeRequired, profile.CodeInvalidType, profile.CodeEmpty, profile.CodeTooLong,
	profile.CodeInvalidChars, profile.CodeInvalidEmail, profile.CodeInvalidPhone, profile.CodeInvalidURL,
	profile.CodeInvalidTag, profile.CodeInvalidZone, profile.CodeReadOnly, profile.CodeUnknownField,
}

// knownMembers are the members of the field table, in its order.
var knownMembers = append(append([]string{"sub"}, editableFields...), "created_at", "updated_at", "version")

// checkClientError fails the test unless err is one of the two errors for
// which the API returns 400. A syntax error must have a fixed message, and
// a validation error complete entries in field table order, with unknown
// members last.
func checkClientError(t *testing.T, err error) {
	t.Helper()
	var se *profile.SyntaxError
	if errors.As(err, &se) {
		if !syntaxMessages.MatchString(se.Error()) {
			t.Errorf("syntax error message %q is not one of the fixed messages", se.Error())
		}
		return
	}

	var ve *profile.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v (%T), want a *profile.SyntaxError or a *profile.ValidationError", err, err)
	}
	if len(ve.Errors) == 0 {
		t.Fatalf("validation error lists no field")
	}
	lastRank := -1
	for _, fe := range ve.Errors {
		if !strings.HasPrefix(fe.Pointer, "/") {
			t.Errorf("pointer %q does not start with /", fe.Pointer)
		}
		if !slices.Contains(allCodes, fe.Code) {
			t.Errorf("code %q is not one of %v", fe.Code, allCodes)
		}
		if fe.Detail == "" {
			t.Errorf("error at %s has no detail", fe.Pointer)
		}

		rank := slices.Index(knownMembers, strings.TrimPrefix(fe.Pointer, "/"))
		if rank < 0 {
			rank = len(knownMembers)
		}
		if rank < lastRank {
			t.Errorf("errors %+v are not in the order of the field table", ve.Errors)
		}
		lastRank = rank
	}
}

// checkValidProfile fails the test unless p is what ParseReplacement may
// return: only editable fields set, a name, and every value valid and
// normalised.
func checkValidProfile(t *testing.T, p profile.Profile) {
	t.Helper()
	if p.Sub != "" || p.Version != 0 || !p.CreatedAt.IsZero() || !p.UpdatedAt.IsZero() {
		t.Errorf("profile %+v has read-only fields set", p)
	}
	if p.Name == "" {
		t.Errorf("profile %+v has no name", p)
	}
	for field, v := range fieldValues(p) {
		if v != "" {
			checkFormat(t, field, v)
		}
	}
}

// checkChanges fails the test unless changes are in field table order, name
// each editable field at most once, never remove name, and set only valid
// values.
func checkChanges(t *testing.T, changes []profile.Change) {
	t.Helper()
	last := -1
	for _, c := range changes {
		i := slices.Index(editableFields, c.Field)
		if i < 0 {
			t.Fatalf("change %+v names no editable field", c)
		}
		if i <= last {
			t.Errorf("changes %+v are not in field order or repeat a field", changes)
		}
		last = i

		switch {
		case c.Remove && c.Field == "name":
			t.Errorf("change %+v removes the required name", c)
		case c.Remove && c.Value != "":
			t.Errorf("change %+v removes a field but carries a value", c)
		case !c.Remove:
			checkFormat(t, c.Field, c.Value)
		}
	}
}

// e164 is a phone number in E.164: "+", a country code that does not start
// with 0, and at most 15 digits in all.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// checkFormat checks a normalised value against the field table: the text
// rules that every field shares, then the field's own format.
func checkFormat(t *testing.T, field, v string) {
	t.Helper()
	switch {
	case !utf8.ValidString(v):
		t.Errorf("%s %q is not valid UTF-8", field, v)
	case v == "" || strings.TrimSpace(v) != v:
		t.Errorf("%s %q is empty or not trimmed", field, v)
	case !norm.NFC.IsNormalString(v):
		t.Errorf("%s %q is not in NFC", field, v)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }):
		t.Errorf("%s %q holds a control character or U+FFFD", field, v)
	}

	switch fieldKind[field] {
	case "text":
		if n := utf8.RuneCountInString(v); n > profile.MaxTextLength {
			t.Errorf("%s is %d characters, want at most %d", field, n, profile.MaxTextLength)
		}
	case "email":
		checkEmail(t, v)
	case "phone_number":
		if !e164.MatchString(v) {
			t.Errorf("phone_number %q is not in E.164", v)
		}
	case "url":
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
			t.Errorf("%s %q is not an absolute https URL without user information", field, v)
		}
		if n := utf8.RuneCountInString(v); n > profile.MaxURLLength {
			t.Errorf("%s is %d characters, want at most %d", field, n, profile.MaxURLLength)
		}
	case "locale":
		tag, err := language.Parse(v)
		if err != nil || tag.String() != v {
			t.Errorf("locale %q is not a BCP 47 tag in canonical form (err %v)", v, err)
		}
	case "zoneinfo":
		if _, err := time.LoadLocation(v); err != nil {
			t.Errorf("zoneinfo %q is not a known zone: %v", v, err)
		}
	default:
		t.Fatalf("field %q has no rule in this test", field)
	}
}

// checkEmail checks an address that the email rule returned: one "@", at
// most MaxEmailOctets octets, and a lower-case ASCII domain.
func checkEmail(t *testing.T, v string) {
	t.Helper()
	if len(v) > profile.MaxEmailOctets {
		t.Errorf("email is %d octets, want at most %d", len(v), profile.MaxEmailOctets)
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		t.Fatalf("email %q is not local@domain", v)
	}
	if domain != strings.ToLower(domain) || strings.ContainsFunc(domain, func(r rune) bool { return r >= utf8.RuneSelf }) {
		t.Errorf("email domain %q is not lower-case ASCII", domain)
	}
}

// mustParse returns the profile of a PUT body that is valid.
func mustParse(f *testing.F, body string) profile.Profile {
	f.Helper()
	p, err := profile.ParseReplacement([]byte(body))
	if err != nil {
		f.Fatalf("ParseReplacement(%s): %v", body, err)
	}
	return p
}

// editableJSON returns p's editable fields, those that are set, as a JSON
// object.
func editableJSON(t *testing.T, p profile.Profile) []byte {
	t.Helper()
	members := map[string]any{}
	for field, v := range fieldValues(p) {
		if v != "" {
			members[field] = v
		}
	}
	return jsonObject(t, members)
}

// applyChanges returns p with changes applied: each sets or removes one
// member of its JSON document.
func applyChanges(t *testing.T, p profile.Profile, changes []profile.Change) profile.Profile {
	t.Helper()
	doc := map[string]any{}
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	for _, c := range changes {
		if c.Remove {
			delete(doc, c.Field)
			continue
		}
		doc[c.Field] = c.Value
	}

	var out profile.Profile
	if err := json.Unmarshal(jsonObject(t, doc), &out); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	return out
}

// mergePatch applies a merge patch whose members are all top-level, as
// RFC 7396, section 2 describes: null removes a member, any other value
// replaces it.
func mergePatch(t *testing.T, target, patch []byte) []byte {
	t.Helper()
	var doc, members map[string]json.RawMessage
	if err := json.Unmarshal(target, &doc); err != nil {
		t.Fatalf("decode target: %v", err)
	}
	if err := json.Unmarshal(patch, &members); err != nil {
		t.Fatalf("decode a patch that ParsePatch accepted: %v", err)
	}
	for name, value := range members {
		if bytes.Equal(value, []byte("null")) {
			delete(doc, name)
			continue
		}
		doc[name] = value
	}

	merged, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("encode merged document: %v", err)
	}
	return merged
}
