package openapi_test

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/serverless-profile/profile-service/internal/gateway"
	"github.com/serverless-profile/profile-service/internal/profile"
)

// Tests that hold openapi.yaml to the rules in the code, so that neither
// can change without the other.

// bodySchemas are the schemas of the profile: the response and the request
// bodies of PUT and PATCH.
var bodySchemas = []string{"Profile", "ProfileReplacement", "ProfilePatch"}

// stringSchema returns the string schema of a property, looking through an
// anyOf with null, which the request bodies use for fields that may be null.
func stringSchema(prop *openapi3.SchemaRef) *openapi3.Schema {
	s := prop.Value
	for _, alt := range s.AnyOf {
		if !alt.Value.Type.Is(openapi3.TypeNull) {
			return alt.Value
		}
	}
	return s
}

// TestSpec_FieldLimits compares each field's maxLength in every profile
// schema with the limit that package profile enforces.
func TestSpec_FieldLimits(t *testing.T) {
	doc := loadSpec(t).Document()
	want := map[string]uint64{
		"name":        profile.MaxTextLength,
		"given_name":  profile.MaxTextLength,
		"family_name": profile.MaxTextLength,
		"nickname":    profile.MaxTextLength,
		// maxLength counts characters and the service counts octets, so
		// the schema's bound is looser, but it is the same number.
		"email":    profile.MaxEmailOctets,
		"picture":  profile.MaxURLLength,
		"website":  profile.MaxURLLength,
		"locale":   profile.MaxLocaleLength,
		"zoneinfo": profile.MaxZoneLength,
	}

	for _, schema := range bodySchemas {
		for field, prop := range doc.Components.Schemas[schema].Value.Properties {
			got := stringSchema(prop).MaxLength
			limit, limited := want[field]
			switch {
			case !limited && got != nil:
				t.Errorf("%s.%s has maxLength %d, but the service enforces no length limit with a constant", schema, field, *got)
			case limited && got == nil:
				t.Errorf("%s.%s has no maxLength, want %d", schema, field, limit)
			case limited && *got != limit:
				t.Errorf("%s.%s maxLength = %d, want %d", schema, field, *got, limit)
			}
		}
	}
}

// TestSpec_ProfileFields checks that the profile schema has a property for
// each JSON member of profile.Profile and no other.
func TestSpec_ProfileFields(t *testing.T) {
	doc := loadSpec(t).Document()

	var want []string
	for f := range reflect.TypeFor[profile.Profile]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		want = append(want, name)
	}
	for _, schema := range []string{"Profile", "ProfileReplacement"} {
		got := slices.Sorted(maps.Keys(doc.Components.Schemas[schema].Value.Properties))
		if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s properties = %v, want the members of profile.Profile %v", schema, got, want)
		}
	}
}

// TestSpec_ReadOnlyFields checks the readOnly marks against the members
// that a merge patch may not name, and that ProfilePatch lists exactly the
// others.
func TestSpec_ReadOnlyFields(t *testing.T) {
	doc := loadSpec(t).Document()
	props := doc.Components.Schemas["Profile"].Value.Properties

	var editable []string
	for field, prop := range props {
		value := `"x"`
		if prop.Value.Type.Is(openapi3.TypeInteger) {
			value = "1"
		}
		_, err := profile.ParsePatch([]byte(`{"` + field + `":` + value + `}`))
		readOnly := hasCode(err, profile.CodeReadOnly)
		if prop.Value.ReadOnly != readOnly {
			t.Errorf("Profile.%s readOnly = %t, but a merge patch that sets it gets read_only = %t", field, prop.Value.ReadOnly, readOnly)
		}
		if replacement := doc.Components.Schemas["ProfileReplacement"].Value.Properties[field]; replacement != nil && replacement.Value.ReadOnly != readOnly {
			t.Errorf("ProfileReplacement.%s readOnly = %t, want %t", field, replacement.Value.ReadOnly, readOnly)
		}
		if !readOnly {
			editable = append(editable, field)
		}
	}

	got := slices.Sorted(maps.Keys(doc.Components.Schemas["ProfilePatch"].Value.Properties))
	if want := slices.Sorted(slices.Values(editable)); !slices.Equal(got, want) {
		t.Errorf("ProfilePatch properties = %v, want the editable fields %v", got, want)
	}
}

// TestSpec_RequiredOnPut compares the required members of a PUT body with
// those that profile.ParseReplacement reports missing from {}.
func TestSpec_RequiredOnPut(t *testing.T) {
	doc := loadSpec(t).Document()

	_, err := profile.ParseReplacement([]byte(`{}`))
	var verr *profile.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("ParseReplacement({}) error = %v, want a *profile.ValidationError", err)
	}
	var want []string
	for _, fe := range verr.Errors {
		if fe.Code == profile.CodeRequired {
			want = append(want, strings.TrimPrefix(fe.Pointer, "/"))
		}
	}

	got := doc.Components.Schemas["ProfileReplacement"].Value.Required
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("ProfileReplacement required = %v, want %v", got, want)
	}
}

// TestSpec_FieldErrorCodes compares the enum of FieldError.code with the
// codes of package profile.
func TestSpec_FieldErrorCodes(t *testing.T) {
	doc := loadSpec(t).Document()
	want := []string{
		profile.CodeRequired, profile.CodeInvalidType, profile.CodeEmpty, profile.CodeTooLong,
		profile.CodeInvalidChars, profile.CodeInvalidEmail, profile.CodeInvalidPhone, profile.CodeInvalidURL,
		profile.CodeInvalidTag, profile.CodeInvalidZone, profile.CodeReadOnly, profile.CodeUnknownField,
	}

	var got []string
	for _, v := range doc.Components.Schemas["FieldError"].Value.Properties["code"].Value.Enum {
		got = append(got, fmt.Sprint(v))
	}
	if !slices.Equal(got, want) {
		t.Errorf("FieldError.code enum = %v, want %v", got, want)
	}
}

// TestSpec_BodyLimit checks that the descriptions of the request bodies and
// of the 413 response state gateway.MaxBodySize.
func TestSpec_BodyLimit(t *testing.T) {
	doc := loadSpec(t).Document()
	want := fmt.Sprintf("%d bytes", gateway.MaxBodySize)

	descriptions := map[string]string{
		"components/responses/ContentTooLarge": *doc.Components.Responses["ContentTooLarge"].Value.Description,
	}
	for method, op := range doc.Paths.Value("/profile").Operations() {
		if op.RequestBody != nil {
			descriptions[method+" request body"] = op.RequestBody.Value.Description
		}
	}
	if len(descriptions) < 3 {
		t.Errorf("found %d descriptions, want the 413 response and the bodies of PUT and PATCH", len(descriptions))
	}
	for where, description := range descriptions {
		if !strings.Contains(description, want) {
			t.Errorf("description of %s = %q, want it to state %q", where, description, want)
		}
	}
}

// hasCode reports whether err is a *profile.ValidationError with code.
func hasCode(err error, code string) bool {
	var verr *profile.ValidationError
	if !errors.As(err, &verr) {
		return false
	}
	return slices.ContainsFunc(verr.Errors, func(fe profile.FieldError) bool { return fe.Code == code })
}
