package devdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// probeTimeout bounds the request that checks whether the local database is
// running. A local server responds in milliseconds, and a stopped one
// refuses the connection at once.
const probeTimeout = 2 * time.Second

// cleanupTimeout bounds the DeleteTable call after a test.
const cleanupTimeout = 10 * time.Second

// NewTestTable creates a table with a random name (profiles-test-<16 hex
// digits>) in the local database at [Endpoint], using the table definition in
// template.yaml, and returns a client for it and the table's name. The table
// is deleted when the test and its subtests finish.
//
// When the database does not respond, NewTestTable skips the test, or fails
// it when the environment variable CI is "true", because CI must run every
// test. Any other setup failure fails the test.
func NewTestTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()

	endpoint := Endpoint()
	client := NewClient(endpoint)

	ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
	err := Ping(ctx, client)
	cancel()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("local DynamoDB not reachable at %s: %v; CI=true requires it, so start it with `make db` or run `make test`", endpoint, err)
		}
		t.Skipf("local DynamoDB not reachable at %s; run `make db` or `make test`", endpoint)
	}

	templatePath, err := FindTemplate()
	if err != nil {
		t.Fatalf("find template: %v", err)
	}
	spec, err := LoadTableSpec(templatePath)
	if err != nil {
		t.Fatalf("load table definition: %v", err)
	}

	name := "profiles-test-" + randomHex(8)
	if _, err := EnsureTable(t.Context(), client, name, spec); err != nil {
		t.Fatalf("create test table: %v", err)
	}

	t.Cleanup(func() {
		// t.Context is canceled before cleanup functions run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("delete test table %s: %v", name, err)
		}
	})

	return client, name
}

// randomHex returns n random bytes as 2n hexadecimal digits.
func randomHex(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error (Go 1.24 and later).
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
