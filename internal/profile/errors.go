package profile

import (
	"errors"
	"fmt"
	"strings"
)

// Outcomes that callers of a store must tell apart.
var (
	// ErrNotFound means that the user has no profile.
	ErrNotFound = errors.New("profile not found")

	// ErrVersionMismatch means that a precondition named another version
	// than the stored one. Errors that match it are of type
	// *VersionMismatchError, which carries the current version.
	ErrVersionMismatch = errors.New("profile version does not match the precondition")

	// ErrUnavailable means that the database was throttled, unreachable or
	// too slow, so that the same request may succeed later.
	ErrUnavailable = errors.New("profile store unavailable")
)

// VersionMismatchError reports a failed precondition together with the
// version that is stored now.
type VersionMismatchError struct {
	// Current is the stored version, or 0 when no profile exists.
	Current int64
}

func (e *VersionMismatchError) Error() string {
	if e.Current == 0 {
		return "precondition failed: no profile exists"
	}
	return fmt.Sprintf("precondition failed: current version is %d", e.Current)
}

// Is makes errors.Is(err, ErrVersionMismatch) true.
func (e *VersionMismatchError) Is(target error) bool {
	return target == ErrVersionMismatch
}

// Codes of field errors. They are stable: clients may branch on them.
const (
	CodeRequired     = "required"
	CodeInvalidType  = "invalid_type"
	CodeEmpty        = "empty"
	CodeTooLong      = "too_long"
	CodeInvalidChars = "invalid_characters"
	CodeInvalidEmail = "invalid_email"
	CodeInvalidPhone = "invalid_phone_number"
	CodeInvalidURL   = "invalid_url"
	CodeInvalidTag   = "invalid_locale"
	CodeInvalidZone  = "invalid_zoneinfo"
	CodeReadOnly     = "read_only"
	CodeUnknownField = "unknown_field"
)

// FieldError is one member of a request body that broke a rule.
type FieldError struct {
	// Pointer is the JSON Pointer (RFC 6901) of the member, such as "/email".
	Pointer string `json:"pointer"`
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Detail is a sentence for a person. It never repeats the value.
	Detail string `json:"detail"`
}

// ValidationError lists every member of a body that broke a rule: the
// fields of the field table in its order first, then unknown members in the
// order of the body.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	pointers := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		pointers[i] = fe.Pointer + " (" + fe.Code + ")"
	}
	return "invalid profile: " + strings.Join(pointers, ", ")
}

// SyntaxError reports a body that is not exactly one well-formed JSON
// object. Its message names the problem and a byte offset, never the
// body's content.
type SyntaxError struct {
	msg    string
	Offset int64
}

func (e *SyntaxError) Error() string {
	if e.Offset > 0 {
		return fmt.Sprintf("%s (at byte %d)", e.msg, e.Offset)
	}
	return e.msg
}

// pointer returns the JSON Pointer of a top-level member, escaping "~" and
// "/" as RFC 6901 requires.
func pointer(member string) string {
	r := strings.NewReplacer("~", "~0", "/", "~1")
	return "/" + r.Replace(member)
}
