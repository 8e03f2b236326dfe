package profile_test

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/serverless-profile/profile-service/internal/profile"
)

func TestETag(t *testing.T) {
	tests := []struct {
		name    string
		version int64
		want    string
	}{
		{"zero", 0, `"0"`},
		{"first", 1, `"1"`},
		{"third", 3, `"3"`},
		{"max int64", math.MaxInt64, `"9223372036854775807"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := profile.ETag(tt.version); got != tt.want {
				t.Errorf("ETag(%d) = %s, want %s", tt.version, got, tt.want)
			}
			if got := (profile.Profile{Version: tt.version}).ETag(); got != tt.want {
				t.Errorf("Profile{Version: %d}.ETag() = %s, want %s", tt.version, got, tt.want)
			}
		})
	}
}

func TestProfileReplacement(t *testing.T) {
	full := profile.Profile{
		Sub:         "11111111-2222-3333-4444-555555555555",
		Name:        "Ada Example",
		GivenName:   "Ada",
		FamilyName:  "Example",
		Nickname:    "Countess",
		Email:       "ada@example.com",
		PhoneNumber: "+442079460018",
		Picture:     "https://images.example.com/ada.png",
		Website:     "https://www.example.com/",
		Locale:      "en-GB",
		Zoneinfo:    "Europe/London",
		CreatedAt:   time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		UpdatedAt:   time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Version:     3,
	}

	tests := []struct {
		name string
		p    profile.Profile
		want []profile.Change
	}{
		{
			name: "every field",
			p:    full,
			want: []profile.Change{
				{Field: "name", Value: "Ada Example"},
				{Field: "given_name", Value: "Ada"},
				{Field: "family_name", Value: "Example"},
				{Field: "nickname", Value: "Countess"},
				{Field: "email", Value: "ada@example.com"},
				{Field: "phone_number", Value: "+442079460018"},
				{Field: "picture", Value: "https://images.example.com/ada.png"},
				{Field: "website", Value: "https://www.example.com/"},
				{Field: "locale", Value: "en-GB"},
				{Field: "zoneinfo", Value: "Europe/London"},
			},
		},
		{
			name: "name only",
			p:    profile.Profile{Sub: "11111111-2222-3333-4444-555555555555", Name: "Ada Example", Version: 1},
			want: []profile.Change{
				{Field: "name", Value: "Ada Example"},
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
			name: "some fields",
			p:    profile.Profile{Name: "Ada Example", Email: "ada@example.com", Zoneinfo: "Europe/Paris"},
			want: []profile.Change{
				{Field: "name", Value: "Ada Example"},
				{Field: "given_name", Remove: true},
				{Field: "family_name", Remove: true},
				{Field: "nickname", Remove: true},
				{Field: "email", Value: "ada@example.com"},
				{Field: "phone_number", Remove: true},
				{Field: "picture", Remove: true},
				{Field: "website", Remove: true},
				{Field: "locale", Remove: true},
				{Field: "zoneinfo", Value: "Europe/Paris"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.Replacement()
			if !slices.Equal(got, tt.want) {
				t.Errorf("Replacement() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestProfileReplacementFields checks that the replacement of any profile
// names exactly the editable fields of the field table, in its order.
func TestProfileReplacementFields(t *testing.T) {
	got := changedFields(profile.Profile{}.Replacement())
	if !slices.Equal(got, editableFields) {
		t.Errorf("Replacement() fields = %v, want %v", got, editableFields)
	}
}

// TestProfileReplacementAsPatch checks that a replacement, written as a
// merge patch with null for each removal, parses back to itself.
func TestProfileReplacementAsPatch(t *testing.T) {
	p, err := profile.ParseReplacement([]byte(`{"name":"Ada Example","email":"Ada@Example.COM","locale":"en-gb"}`))
	if err != nil {
		t.Fatalf("ParseReplacement: %v", err)
	}
	want := p.Replacement()

	patch := map[string]any{}
	for _, c := range want {
		if c.Remove {
			patch[c.Field] = nil
			continue
		}
		patch[c.Field] = c.Value
	}
	got, err := profile.ParsePatch(jsonObject(t, patch))
	if err != nil {
		t.Fatalf("ParsePatch: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParsePatch =\n%+v\nwant\n%+v", got, want)
	}
}

// TestProfileJSON checks the member names, which are the OpenID Connect
// claim names, and that absent optional fields are left out.
func TestProfileJSON(t *testing.T) {
	p := profile.Profile{
		Sub:       "11111111-2222-3333-4444-555555555555",
		Name:      "Ada Example",
		Email:     "ada@example.com",
		CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		UpdatedAt: time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC),
		Version:   2,
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", b, err)
	}

	want := map[string]any{
		"sub":        "11111111-2222-3333-4444-555555555555",
		"name":       "Ada Example",
		"email":      "ada@example.com",
		"created_at": "2024-01-02T03:04:05Z",
		"updated_at": "2024-01-02T03:04:06Z",
		"version":    float64(2),
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("member %q = %v, want %v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("member %q = %v, want it absent", k, got[k])
		}
	}
}

func TestPreconditionAllows(t *testing.T) {
	const missing = 0

	tests := []struct {
		name    string
		pc      profile.Precondition
		version int64
		want    bool
	}{
		{"zero value on missing", profile.Precondition{}, missing, true},
		{"zero value on existing", profile.Precondition{}, 3, true},

		{"if-match same", profile.Precondition{IfMatch: []int64{3}}, 3, true},
		{"if-match older", profile.Precondition{IfMatch: []int64{2}}, 3, false},
		{"if-match newer", profile.Precondition{IfMatch: []int64{4}}, 3, false},
		{"if-match on missing", profile.Precondition{IfMatch: []int64{1}}, missing, false},
		{"if-match zero on missing", profile.Precondition{IfMatch: []int64{0}}, missing, false},
		{"if-match list first", profile.Precondition{IfMatch: []int64{3, 5}}, 3, true},
		{"if-match list last", profile.Precondition{IfMatch: []int64{1, 3}}, 3, true},
		{"if-match list none", profile.Precondition{IfMatch: []int64{1, 2}}, 3, false},
		{"if-match empty list on existing", profile.Precondition{IfMatch: []int64{}}, 3, false},
		{"if-match empty list on missing", profile.Precondition{IfMatch: []int64{}}, missing, false},

		{"if-match any on missing", profile.Precondition{IfMatchAny: true}, missing, false},
		{"if-match any on existing", profile.Precondition{IfMatchAny: true}, 3, true},

		{"if-none-match any on missing", profile.Precondition{IfNoneMatchAny: true}, missing, true},
		{"if-none-match any on existing", profile.Precondition{IfNoneMatchAny: true}, 3, false},

		{"both headers on existing", profile.Precondition{IfMatch: []int64{3}, IfNoneMatchAny: true}, 3, false},
		{"both headers on missing", profile.Precondition{IfMatch: []int64{3}, IfNoneMatchAny: true}, missing, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.pc.Allows(tt.version); got != tt.want {
				t.Errorf("%+v.Allows(%d) = %t, want %t", tt.pc, tt.version, got, tt.want)
			}
		})
	}
}

func TestPreconditionHasIfMatch(t *testing.T) {
	tests := []struct {
		name string
		pc   profile.Precondition
		want bool
	}{
		{"zero value", profile.Precondition{}, false},
		{"version list", profile.Precondition{IfMatch: []int64{3}}, true},
		{"empty list", profile.Precondition{IfMatch: []int64{}}, true},
		{"any", profile.Precondition{IfMatchAny: true}, true},
		{"if-none-match only", profile.Precondition{IfNoneMatchAny: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.pc.HasIfMatch(); got != tt.want {
				t.Errorf("%+v.HasIfMatch() = %t, want %t", tt.pc, got, tt.want)
			}
		})
	}
}
