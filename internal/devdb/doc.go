// Package devdb creates and connects to the local DynamoDB-compatible
// database (dynalite) that tests and local runs use in place of Amazon
// DynamoDB.
//
// The table definition comes from the AWS::DynamoDB::Table resource in the
// repository's template.yaml, so the local table and the deployed one share
// one key schema. Clients built here use static dummy credentials and a fixed
// endpoint, never the caller's AWS profile, so a local run cannot reach an
// AWS account by mistake.
//
// Tests that need the database call [NewTestTable], which skips the test when
// the database is not running, except under CI (CI=true), where it fails the
// test instead. `make test` starts the database before running the tests.
package devdb
