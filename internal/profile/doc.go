// Package profile holds the profile document, its field rules and the
// parsing of request bodies into replacements and merge patches.
//
// Field names are the OpenID Connect standard claims (OpenID Connect Core 1.0,
// section 5.1), which are also the names of Amazon Cognito's standard
// attributes. Merge patches follow RFC 7396. Bodies are read strictly: they
// must be valid UTF-8 (RFC 8259, section 8.1), member names must be unique
// and match exactly, and nothing may follow the object.
//
// The package has no AWS dependencies; the store and the API Gateway adapter
// depend on it, never the other way round.
package profile
