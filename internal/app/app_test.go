package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/devdb"
)

// TestNewHandlerLocalDB checks that the built handler reaches the table
// named in the configuration and logs to the given writer.
func TestNewHandlerLocalDB(t *testing.T) {
	_, table := devdb.NewTestTable(t)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")

	var logs bytes.Buffer
	h, err := NewHandler(t.Context(), config.Config{TableName: table, DynamoDBEndpoint: devdb.Endpoint()}, &logs)
	if err != nil {
		t.Fatalf("NewHandler() error = %v", err)
	}

	event := `{"resource":"/profile","path":"/profile","httpMethod":"GET","headers":{},` +
		`"requestContext":{"requestId":"r1","authorizer":{"claims":{"sub":"11111111-2222-3333-4444-555555555555"}}}}`
	resp, err := h.Handle(t.Context(), []byte(event))
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if resp.StatusCode != 404 {
		t.Errorf("status = %d, want 404 from an empty table; body %s", resp.StatusCode, resp.Body)
	}
	if !strings.Contains(logs.String(), `"status":404`) {
		t.Errorf("log = %q, want one request line with status 404", logs.String())
	}
}
