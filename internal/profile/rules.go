package profile

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits, in characters (Unicode code points) unless named otherwise.
const (
	MaxTextLength    = 100
	MaxEmailOctets   = 254
	MaxURLLength     = 2048
	MaxLocaleLength  = 64
	MaxZoneLength    = 64
	maxPhoneLength   = 64
	maxLocalPartSize = 64
)

// problem is a field rule's finding about a value. The zero value means
// the value is valid.
type problem struct {
	code   string
	detail string
}

// rule is one editable field: its name, whether PUT requires it, where it
// lives in a Profile and how a value is normalised and checked.
type rule struct {
	name      string
	required  bool
	value     func(*Profile) *string
	normalize func(string) (string, problem)
}

// editable lists the fields that clients write, in the order of the field
// table, which is also the order of errors and of stored changes.
var editable = []rule{
	{"name", true, func(p *Profile) *string { return &p.Name }, normalizeText},
	{"given_name", false, func(p *Profile) *string { return &p.GivenName }, normalizeText},
	{"family_name", false, func(p *Profile) *string { return &p.FamilyName }, normalizeText},
	{"nickname", false, func(p *Profile) *string { return &p.Nickname }, normalizeText},
	{"email", false, func(p *Profile) *string { return &p.Email }, normalizeEmail},
	{"phone_number", false, func(p *Profile) *string { return &p.PhoneNumber }, normalizePhone},
	{"picture", false, func(p *Profile) *string { return &p.Picture }, normalizeURL},
	{"website", false, func(p *Profile) *string { return &p.Website }, normalizeURL},
	{"locale", false, func(p *Profile) *string { return &p.Locale }, normalizeLocale},
	{"zoneinfo", false, func(p *Profile) *string { return &p.Zoneinfo }, normalizeZone},
}

// readOnly lists the fields that the service sets. A PUT may carry them (they
// are ignored, so that a client can send back what it read); a PATCH may not.
var readOnly = map[string]bool{"sub": true, "created_at": true, "updated_at": true, "version": true}

// fieldOrder gives each known member its place in the field table.
var fieldOrder = func() map[string]int {
	names := []string{"sub"}
	for _, r := range editable {
		names = append(names, r.name)
	}
	names = append(names, "created_at", "updated_at", "version")

	order := make(map[string]int, len(names))
	for i, n := range names {
		order[n] = i
	}
	return order
}()

// ruleFor returns the rule of an editable field.
func ruleFor(name string) (rule, bool) {
	for _, r := range editable {
		if r.name == name {
			return r, true
		}
	}
	return rule{}, false
}

// checkValue applies r to a raw JSON value that is not null.
func checkValue(r rule, raw json.RawMessage) (string, problem) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", problem{CodeInvalidType, "must be a string"}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", problem{CodeInvalidType, "must be a string"}
	}

	s, p := cleanText(s)
	if p.code != "" {
		return "", p
	}
	return r.normalize(s)
}

// cleanText applies the rules shared by every field: surrounding white space
// is trimmed, the text is put in Unicode NFC, and it may be neither empty nor
// hold control characters. U+FFFD is rejected too, since it marks text that
// was damaged before it reached the service (for example a lone surrogate
// escape, which encoding/json replaces with it).
func cleanText(s string) (string, problem) {
	s = norm.NFC.String(strings.TrimSpace(s))
	if s == "" {
		return "", problem{CodeEmpty, "must not be empty; use null in a merge patch to remove a field"}
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		return "", problem{CodeInvalidChars, "must not contain control characters or U+FFFD"}
	}
	return s, problem{}
}

// normalizeText checks a name-like field: at most MaxTextLength characters.
func normalizeText(s string) (string, problem) {
	if utf8.RuneCountInString(s) > MaxTextLength {
		return "", problem{CodeTooLong, fmt.Sprintf("must be at most %d characters", MaxTextLength)}
	}
	return s, problem{}
}
