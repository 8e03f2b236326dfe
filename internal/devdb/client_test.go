package devdb

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want string
	}{
		{name: "unset", env: "", want: DefaultEndpoint},
		{name: "set", env: "http://127.0.0.1:4567", want: "http://127.0.0.1:4567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DYNAMODB_ENDPOINT", tt.env)
			if got := Endpoint(); got != tt.want {
				t.Errorf("Endpoint() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewClientOptions(t *testing.T) {
	tests := []struct {
		name       string
		region     string
		wantRegion string
	}{
		{name: "default region", region: "", wantRegion: DefaultRegion},
		{name: "AWS_REGION", region: "eu-west-1", wantRegion: "eu-west-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", tt.region)
			// Real credentials in the environment must not reach the client.
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")

			options := NewClient("http://127.0.0.1:8000").Options()

			if options.Region != tt.wantRegion {
				t.Errorf("Region = %q, want %q", options.Region, tt.wantRegion)
			}
			if got := aws.ToString(options.BaseEndpoint); got != "http://127.0.0.1:8000" {
				t.Errorf("BaseEndpoint = %q, want http://127.0.0.1:8000", got)
			}
			if options.RetryMaxAttempts != 2 {
				t.Errorf("RetryMaxAttempts = %d, want 2", options.RetryMaxAttempts)
			}
			credentials, err := options.Credentials.Retrieve(t.Context())
			if err != nil {
				t.Fatalf("retrieve credentials: %v", err)
			}
			if credentials.AccessKeyID != "local" {
				t.Errorf("AccessKeyID = %q, want the dummy key %q", credentials.AccessKeyID, "local")
			}
		})
	}
}

func TestNewTestTableLocalDB(t *testing.T) {
	client, table := NewTestTable(t)

	item := map[string]types.AttributeValue{
		"sub":  &types.AttributeValueMemberS{Value: "user-1"},
		"name": &types.AttributeValueMemberS{Value: "Ada Lovelace"},
	}
	if _, err := client.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}

	out, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      &table,
		Key:            map[string]types.AttributeValue{"sub": &types.AttributeValueMemberS{Value: "user-1"}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	name, ok := out.Item["name"].(*types.AttributeValueMemberS)
	if !ok {
		t.Fatalf("GetItem item = %#v, want a string attribute name", out.Item)
	}
	if name.Value != "Ada Lovelace" {
		t.Errorf("name = %q, want %q", name.Value, "Ada Lovelace")
	}
}

func TestEnsureTableExistingLocalDB(t *testing.T) {
	client, table := NewTestTable(t)
	spec, err := LoadTableSpec(mustFindTemplate(t))
	if err != nil {
		t.Fatal(err)
	}

	created, err := EnsureTable(t.Context(), client, table, spec)
	if err != nil {
		t.Fatalf("EnsureTable on an existing table: %v", err)
	}
	if created {
		t.Errorf("EnsureTable() created = true, want false for an existing table")
	}
}

func TestEnsureTableKeySchemaLocalDB(t *testing.T) {
	client, table := NewTestTable(t)

	out, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	if out.Table.TableStatus != types.TableStatusActive {
		t.Errorf("TableStatus = %s, want ACTIVE", out.Table.TableStatus)
	}
	if len(out.Table.KeySchema) != 1 {
		t.Fatalf("KeySchema = %+v, want one element", out.Table.KeySchema)
	}
	if got := aws.ToString(out.Table.KeySchema[0].AttributeName); got != "sub" {
		t.Errorf("partition key = %q, want sub", got)
	}
}

func mustFindTemplate(t *testing.T) string {
	t.Helper()
	path, err := FindTemplate()
	if err != nil {
		t.Fatalf("FindTemplate: %v", err)
	}
	return path
}
