package openapi

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

// FileName is the name of the OpenAPI description in the module root.
const FileName = "openapi.yaml"

// Spec is a loaded and validated OpenAPI 3.1 description. It is safe for
// concurrent use once loaded, because validation only reads it.
type Spec struct {
	doc *openapi3.T
}

// Load reads FileName from the module root, which [devdb.ModuleRoot] finds
// from the working directory, and validates it as [LoadFile] does.
func Load(ctx context.Context) (*Spec, error) {
	root, err := devdb.ModuleRoot()
	if err != nil {
		return nil, err
	}
	return LoadFile(ctx, filepath.Join(root, FileName))
}

// LoadFile reads the OpenAPI description at path and validates it. It
// returns an error when the file cannot be read or parsed, or when its
// openapi field is not 3.1.x. It also returns one when kin-openapi's
// validation finds a problem, such as an unresolved $ref, an invalid schema
// or an example that does not match its schema. References to other files or URLs are rejected, so
// loading reads no other file and no network.
func LoadFile(ctx context.Context, path string) (*Spec, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}

	if doc.OpenAPIMajorMinor() != "3.1" {
		return nil, fmt.Errorf("%s: openapi is %q, want 3.1.x", path, doc.OpenAPI)
	}
	if err := doc.Validate(ctx, openapi3.EnableMultiError()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI 3.1 description: %w", path, err)
	}
	return &Spec{doc: doc}, nil
}

// Document returns the parsed description, with every $ref resolved, for
// tests that compare it with the code. Callers must not change it.
func (s *Spec) Document() *openapi3.T {
	return s.doc
}
