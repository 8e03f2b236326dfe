package profile_test

import (
	"errors"
	"fmt"

	"github.com/serverless-profile/profile-service/internal/profile"
)

func ExampleParsePatch() {
	body := []byte(`{"zoneinfo": "Europe/Paris", "nickname": null, "email": "  Ada@Example.COM "}`)

	changes, err := profile.ParsePatch(body)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The changes come in field order, whatever the order of the body.
	for _, c := range changes {
		if c.Remove {
			fmt.Printf("remove %s\n", c.Field)
			continue
		}
		fmt.Printf("set %s to %q\n", c.Field, c.Value)
	}
	// Output:
	// remove nickname
	// set email to "Ada@example.com"
	// set zoneinfo to "Europe/Paris"
}

func ExampleParseReplacement_validationError() {
	body := []byte(`{"givenName": "Ada", "phone_number": "12345", "email": "Ada <ada@example.com>"}`)

	_, err := profile.ParseReplacement(body)

	// Every problem is listed at once: the fields in the order of the field
	// table, then unknown members in the order of the body.
	var ve *profile.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Println(fe.Pointer, fe.Code)
		}
	}
	// Output:
	// /name required
	// /email invalid_email
	// /phone_number invalid_phone_number
	// /givenName unknown_field
}

func ExamplePrecondition_Allows() {
	// If-Match: "3"
	pc := profile.Precondition{IfMatch: []int64{3}}

	fmt.Println(pc.Allows(3)) // version 3 is stored
	fmt.Println(pc.Allows(4)) // another write came first
	fmt.Println(pc.Allows(0)) // no profile exists
	// Output:
	// true
	// false
	// false
}
