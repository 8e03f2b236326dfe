package profile

import (
	"strconv"
	"time"
)

// Profile is one user's profile document. An empty string means that the
// optional field is absent. The JSON names are also the DynamoDB attribute
// names.
type Profile struct {
	Sub         string    `json:"sub"`
	Name        string    `json:"name,omitempty"`
	GivenName   string    `json:"given_name,omitempty"`
	FamilyName  string    `json:"family_name,omitempty"`
	Nickname    string    `json:"nickname,omitempty"`
	Email       string    `json:"email,omitempty"`
	PhoneNumber string    `json:"phone_number,omitempty"`
	Picture     string    `json:"picture,omitempty"`
	Website     string    `json:"website,omitempty"`
	Locale      string    `json:"locale,omitempty"`
	Zoneinfo    string    `json:"zoneinfo,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
}

// ETag returns the strong entity tag of the profile's version, such as "3"
// with the quotes (RFC 9110, section 8.8.3).
func (p Profile) ETag() string {
	return ETag(p.Version)
}

// ETag returns the strong entity tag for version.
func ETag(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// Replacement returns the changes that make a stored profile equal to p: one
// per editable field, in field order, removing the fields that p leaves empty.
func (p Profile) Replacement() []Change {
	changes := make([]Change, 0, len(editable))
	for _, f := range editable {
		v := *f.value(&p)
		changes = append(changes, Change{Field: f.name, Value: v, Remove: v == ""})
	}
	return changes
}

// Change sets or removes one editable field.
type Change struct {
	// Field is the JSON member name, which is also the attribute name.
	Field string
	// Value is the normalised value to set; it is empty when Remove is true.
	Value string
	// Remove is true when the field is to be deleted.
	Remove bool
}

// Precondition is a request's condition on the stored version, taken from
// its If-Match and If-None-Match headers (RFC 9110, section 13.1).
// The zero value places no condition.
type Precondition struct {
	// IfMatch holds the versions that the request may act on. A non-nil empty
	// slice matches no version, which is what entity tags that this service
	// never issues (weak or non-numeric ones) come to.
	IfMatch []int64
	// IfMatchAny is true for "If-Match: *": the profile must exist.
	IfMatchAny bool
	// IfNoneMatchAny is true for "If-None-Match: *": the profile must not
	// exist.
	IfNoneMatchAny bool
}

// HasIfMatch reports whether the request carried an If-Match header.
func (pc Precondition) HasIfMatch() bool {
	return pc.IfMatch != nil || pc.IfMatchAny
}

// Allows reports whether a request with this precondition may act on a
// profile whose current version is version, where 0 means that no profile
// exists.
func (pc Precondition) Allows(version int64) bool {
	exists := version > 0
	if pc.IfNoneMatchAny && exists {
		return false
	}
	if pc.IfMatchAny && !exists {
		return false
	}
	if pc.IfMatch == nil {
		return true
	}
	for _, v := range pc.IfMatch {
		if exists && v == version {
			return true
		}
	}
	return false
}
