// Package openapi loads the OpenAPI 3.1 description of the profile API,
// openapi.yaml at the module root, and checks HTTP exchanges against it, so
// that tests can prove that the handler responds as the description states.
//
// Loading validates the document with github.com/getkin/kin-openapi, whose
// schema checks follow JSON Schema draft 2020-12 as OpenAPI 3.1 requires.
// Requests are checked with its openapi3filter package. Responses are
// checked more strictly than openapi3filter does on its own: see
// [Spec.ValidateResponse].
//
// Nothing in the Lambda function imports this package; it serves tests and
// local tools, like package devdb.
package openapi
