package openapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/openapi"
)

// loadSpec loads openapi.yaml from the module root and stops the test when
// it is not a valid OpenAPI 3.1 description.
func loadSpec(t *testing.T) *openapi.Spec {
	t.Helper()
	spec, err := openapi.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestLoad(t *testing.T) {
	doc := loadSpec(t).Document()
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if doc.Paths.Value("/profile") == nil {
		t.Errorf("openapi.yaml has no /profile path")
	}
}

// TestLoadFile_Invalid checks that LoadFile rejects openapi.yaml with one
// mistake in it.
func TestLoadFile_Invalid(t *testing.T) {
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	valid, err := os.ReadFile(filepath.Join(root, openapi.FileName))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		old, new string
	}{
		{"openapi 3.0", "openapi: 3.1.0", "openapi: 3.0.3"},
		{"unknown type", "type: object\n      additionalProperties: false\n      required: [sub", "type: record\n      additionalProperties: false\n      required: [sub"},
		{"missing ref", `$ref: "#/components/schemas/Email"`, `$ref: "#/components/schemas/EmailAddress"`},
		{"external ref", `$ref: "#/components/schemas/Email"`, `$ref: "schemas.yaml#/Email"`},
		{"boolean exclusive minimum", "          minimum: 400\n", "          minimum: 400\n          exclusiveMinimum: true\n"},
		{"invalid pattern", `pattern: ^"[1-9][0-9]*"$`, `pattern: ^"[1-9][0-9*"$`},
		{"misspelt keyword", "      maxLength: 2048\n", "      maxLenght: 2048\n"},
		{"response without description", "      description: The profile as stored, with its version in ETag.\n", ""},
		{"parameter in body", "      name: If-Match\n      in: header\n", "      name: If-Match\n      in: body\n"},
		{"not yaml", "paths:\n", "paths: [\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(valid), tt.old) {
				t.Fatalf("openapi.yaml has no %q to change", tt.old)
			}
			path := filepath.Join(t.TempDir(), openapi.FileName)
			broken := strings.Replace(string(valid), tt.old, tt.new, 1)
			if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
				t.Fatal(err)
			}

			if _, err := openapi.LoadFile(t.Context(), path); err == nil {
				t.Errorf("LoadFile() = nil error, want one")
			}
		})
	}
}

// TestSpec_StatusCodes checks the status codes, which kin-openapi's
// validation lets through unchecked: each must have a net/http status text.
func TestSpec_StatusCodes(t *testing.T) {
	doc := loadSpec(t).Document()
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || http.StatusText(status) == "" {
					t.Errorf("%s %s lists response %q, want an HTTP status code", method, path, code)
				}
			}
		}
	}
}

// TestSpec_SchemaExamples checks that every example in a component schema
// matches the schema, since kin-openapi checks only the example keyword of
// OpenAPI 3.0 and not the examples list of OpenAPI 3.1.
func TestSpec_SchemaExamples(t *testing.T) {
	doc := loadSpec(t).Document()
	checked := 0
	for name, ref := range doc.Components.Schemas {
		for i, example := range ref.Value.Examples {
			checked++
			if err := ref.Value.VisitJSON(example, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("example %d of schema %s does not match it: %v", i, name, err)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no schema has examples, want the profile schemas to have some")
	}
}
