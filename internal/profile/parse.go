package profile

import (
	"bytes"
	"cmp"
	"slices"
)

// ParseReplacement reads the body of a PUT: a JSON object holding the whole
// profile. Read-only members are ignored, a null optional field counts as
// absent, and name is required. It returns the normalised profile, with
// only the editable fields set, or a *SyntaxError when the body is not one
// well-formed JSON object, or a *ValidationError that lists every member
// that broke a rule.
func ParseReplacement(body []byte) (Profile, error) {
	changes, err := parse(body, false)
	if err != nil {
		return Profile{}, err
	}

	var p Profile
	for _, c := range changes {
		r, _ := ruleFor(c.Field)
		*r.value(&p) = c.Value
	}
	return p, nil
}

// ParsePatch reads the body of a PATCH: a JSON merge patch (RFC 7396) of the
// profile. A member sets a field, null removes it, and {} changes nothing.
// Read-only members are rejected, and so is a null name, since every profile
// has one. It returns the changes in field order, or a *SyntaxError or a
// *ValidationError as ParseReplacement does.
func ParsePatch(body []byte) ([]Change, error) {
	return parse(body, true)
}

// ordered is a field error with its place in the error list.
type ordered struct {
	rank int
	FieldError
}

func parse(body []byte, patch bool) ([]Change, error) {
	members, err := decodeObject(body)
	if err != nil {
		return nil, err
	}

	var changes []Change
	var errs []ordered
	fail := func(m string, rank int, code, detail string) {
		errs = append(errs, ordered{rank, FieldError{Pointer: pointer(m), Code: code, Detail: detail}})
	}

	seen := make(map[string]bool)
	for i, m := range members {
		rank, known := fieldOrder[m.name]
		switch {
		case !known:
			fail(m.name, len(fieldOrder)+i, CodeUnknownField, "is not a profile field; member names are case-sensitive")
		case readOnly[m.name]:
			if patch {
				fail(m.name, rank, CodeReadOnly, "is set by the service and cannot be changed")
			}
		default:
			seen[m.name] = true
			r, _ := ruleFor(m.name)
			c, p := change(r, m, patch)
			if p.code != "" {
				fail(m.name, rank, p.code, p.detail)
				continue
			}
			if c != nil {
				changes = append(changes, *c)
			}
		}
	}

	// A PUT replaces the whole profile, so a required field must be there.
	if !patch {
		for _, r := range editable {
			if r.required && !hasValue(changes, r.name) && !failed(errs, r.name) {
				fail(r.name, fieldOrder[r.name], CodeRequired, "is required")
			}
		}
	}

	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b ordered) int { return cmp.Compare(a.rank, b.rank) })
		ve := &ValidationError{Errors: make([]FieldError, len(errs))}
		for i, e := range errs {
			ve.Errors[i] = e.FieldError
		}
		return nil, ve
	}

	slices.SortStableFunc(changes, func(a, b Change) int { return cmp.Compare(fieldOrder[a.Field], fieldOrder[b.Field]) })
	return changes, nil
}

// change returns the change that one editable member requests: a value to set, a
// removal (null in a patch), or nothing (null in a PUT means absent).
func change(r rule, m member, patch bool) (*Change, problem) {
	if bytes.Equal(m.value, []byte("null")) {
		if !patch {
			return nil, problem{}
		}
		if r.required {
			return nil, problem{CodeRequired, "is required and cannot be removed"}
		}
		return &Change{Field: r.name, Remove: true}, problem{}
	}

	v, p := checkValue(r, m.value)
	if p.code != "" {
		return nil, p
	}
	return &Change{Field: r.name, Value: v}, problem{}
}

func hasValue(changes []Change, field string) bool {
	return slices.ContainsFunc(changes, func(c Change) bool { return c.Field == field && !c.Remove })
}

func failed(errs []ordered, field string) bool {
	return slices.ContainsFunc(errs, func(e ordered) bool { return e.Pointer == pointer(field) })
}
