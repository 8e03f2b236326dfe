package authorizer

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestClaimsREST(t *testing.T) {
	claims := Claims{
		"sub":            "11111111-2222-3333-4444-555555555555",
		"exp":            json.Number("1700003600"),
		"iat":            json.Number("1700000000"),
		"auth_time":      json.Number("1700000000"),
		"email_verified": true,
		"phone_verified": false,
		"cognito:groups": []any{"admin", "users"},
		"custom:score":   json.Number("4.5"),
		"address":        map[string]any{"country": "GB"},
		"nickname":       nil,
	}

	got := claims.REST()

	want := map[string]string{
		"sub":            "11111111-2222-3333-4444-555555555555",
		"exp":            "Tue Nov 14 23:13:20 UTC 2023",
		"iat":            "Tue Nov 14 22:13:20 UTC 2023",
		"auth_time":      "1700000000",
		"email_verified": "true",
		"phone_verified": "false",
		"cognito:groups": "admin,users",
		"custom:score":   "4.5",
		"address":        `{"country":"GB"}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("REST() = %v\nwant %v", got, want)
	}
}

func TestClaimsRESTDayPadding(t *testing.T) {
	// Java's Date.toString pads the day of the month to two digits.
	got := Claims{"exp": json.Number("1699056000")}.REST()["exp"]
	if want := "Sat Nov 04 00:00:00 UTC 2023"; got != want {
		t.Errorf("exp = %q, want %q", got, want)
	}
}

func TestClaimsRESTNonNumericExp(t *testing.T) {
	got := Claims{"exp": "soon"}.REST()["exp"]
	if got != "soon" {
		t.Errorf("exp = %q, want the string unchanged", got)
	}
}
