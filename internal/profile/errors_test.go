package profile_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/profile"
)

func TestVersionMismatchError(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		current int64
	}{
		{"no profile", &profile.VersionMismatchError{Current: 0}, 0},
		{"current version", &profile.VersionMismatchError{Current: 3}, 3},
		{"wrapped", fmt.Errorf("update profile: %w", &profile.VersionMismatchError{Current: 4}), 4},
		{"wrapped twice", fmt.Errorf("handle PUT: %w", fmt.Errorf("update profile: %w", &profile.VersionMismatchError{Current: 5})), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, profile.ErrVersionMismatch) {
				t.Errorf("errors.Is(%v, ErrVersionMismatch) = false, want true", tt.err)
			}
			if errors.Is(tt.err, profile.ErrNotFound) {
				t.Errorf("errors.Is(%v, ErrNotFound) = true, want false", tt.err)
			}
			if errors.Is(tt.err, profile.ErrUnavailable) {
				t.Errorf("errors.Is(%v, ErrUnavailable) = true, want false", tt.err)
			}

			var vm *profile.VersionMismatchError
			if !errors.As(tt.err, &vm) {
				t.Fatalf("errors.As(%v, *VersionMismatchError) = false, want true", tt.err)
			}
			if vm.Current != tt.current {
				t.Errorf("Current = %d, want %d", vm.Current, tt.current)
			}
			if vm.Error() == "" {
				t.Error("Error() is empty")
			}
		})
	}
}

// TestSentinelErrors checks that each sentinel matches only itself, so that
// a caller's errors.Is chain picks the right response.
func TestSentinelErrors(t *testing.T) {
	sentinels := []struct {
		name string
		err  error
	}{
		{"not found", profile.ErrNotFound},
		{"version mismatch", profile.ErrVersionMismatch},
		{"unavailable", profile.ErrUnavailable},
	}
	for _, s := range sentinels {
		for _, target := range sentinels {
			t.Run(s.name+"/"+target.name, func(t *testing.T) {
				wrapped := fmt.Errorf("get profile: %w", s.err)
				want := s.name == target.name
				if got := errors.Is(wrapped, target.err); got != want {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", wrapped, target.err, got, want)
				}
			})
		}
	}
}

// TestCodes pins the field error codes, which clients may branch on.
func TestCodes(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"required", profile.CodeRequired, "required"},
		{"invalid type", profile.CodeInvalidType, "invalid_type"},
		{"empty", profile.CodeEmpty, "empty"},
		{"too long", profile.CodeTooLong, "too_long"},
		{"invalid characters", profile.CodeInvalidChars, "invalid_characters"},
		{"invalid email", profile.CodeInvalidEmail, "invalid_email"},
		{"invalid phone", profile.CodeInvalidPhone, "invalid_phone_number"},
		{"invalid url", profile.CodeInvalidURL, "invalid_url"},
		{"invalid locale", profile.CodeInvalidTag, "invalid_locale"},
		{"invalid zoneinfo", profile.CodeInvalidZone, "invalid_zoneinfo"},
		{"read only", profile.CodeReadOnly, "read_only"},
		{"unknown field", profile.CodeUnknownField, "unknown_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("code = %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestJSONPointer checks that member names are escaped as RFC 6901
// requires: "~" becomes "~0" and "/" becomes "~1".
func TestJSONPointer(t *testing.T) {
	tests := []struct {
		name   string
		member string
		want   string
	}{
		{"plain", "givenName", "/givenName"},
		{"slash", "a/b", "/a~1b"},
		{"tilde", "a~b", "/a~0b"},
		{"tilde then one", "~1", "/~01"},
		{"slash then zero", "/0", "/~10"},
		{"both", "a~/b", "/a~0~1b"},
		{"empty name", "", "/"},
		{"space", "a b", "/a b"},
		{"non-ascii", "prénom", "/prénom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := []fieldIssue{{tt.want, profile.CodeUnknownField}}

			_, err := profile.ParsePatch(jsonObject(t, map[string]any{tt.member: "Ada"}))
			if got := fieldIssues(t, err); !slices.Equal(got, want) {
				t.Errorf("PATCH errors = %v, want %v", got, want)
			}

			_, err = profile.ParseReplacement(jsonObject(t, map[string]any{"name": "Ada Example", tt.member: "Ada"}))
			if got := fieldIssues(t, err); !slices.Equal(got, want) {
				t.Errorf("PUT errors = %v, want %v", got, want)
			}
		})
	}
}

// TestFieldErrorJSON checks the member names of an entry of the "errors"
// list in a problem document.
func TestFieldErrorJSON(t *testing.T) {
	fe := profile.FieldError{Pointer: "/email", Code: profile.CodeInvalidEmail, Detail: "must be an email address"}
	b, err := json.Marshal(fe)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}

	var got map[string]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", b, err)
	}
	want := map[string]string{"pointer": "/email", "code": "invalid_email", "detail": "must be an email address"}
	if len(got) != len(want) {
		t.Errorf("members = %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("member %q = %q, want %q", k, got[k], w)
		}
	}
}

// TestFieldErrorDetailOmitsValue checks that every field error has a detail
// for a person and that the detail never repeats the rejected value, which
// may be personal data and reaches clients and logs.
func TestFieldErrorDetailOmitsValue(t *testing.T) {
	const secret = "Mallory7f3a9c"
	bodies := []struct {
		name  string
		body  string
		patch bool
	}{
		{name: "too long", body: `{"name":"` + strings.Repeat(secret, 10) + `"}`},
		{name: "control character", body: `{"name":"` + secret + `\u0000"}`},
		{name: "email", body: `{"name":"Ada Example","email":"` + secret + ` <ada@example.com>"}`},
		{name: "phone", body: `{"name":"Ada Example","phone_number":"+44 ` + secret + `"}`},
		{name: "url", body: `{"name":"Ada Example","website":"http://` + secret + `.example.com/"}`},
		{name: "locale", body: `{"name":"Ada Example","locale":"` + secret + `"}`},
		{name: "zoneinfo", body: `{"name":"Ada Example","zoneinfo":"Europe/` + secret + `"}`},
		{name: "unknown member", body: `{"name":"Ada Example","` + secret + `":"x"}`},
		{name: "read-only", body: `{"sub":"` + secret + `"}`, patch: true},
	}
	for _, tt := range bodies {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.patch {
				_, err = profile.ParsePatch([]byte(tt.body))
			} else {
				_, err = profile.ParseReplacement([]byte(tt.body))
			}

			var ve *profile.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) != 1 {
				t.Fatalf("error = %v, want a *profile.ValidationError with one entry", err)
			}
			if ve.Errors[0].Detail == "" {
				t.Errorf("detail of %s is empty", ve.Errors[0].Pointer)
			}
			if strings.Contains(ve.Errors[0].Detail, secret) {
				t.Errorf("detail %q repeats the value", ve.Errors[0].Detail)
			}
		})
	}
}
