package devdb

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestLoadTableSpec(t *testing.T) {
	realTemplate, err := FindTemplate()
	if err != nil {
		t.Fatalf("FindTemplate: %v", err)
	}

	tests := []struct {
		name     string
		path     string // used when template is empty
		template string
		want     TableSpec
		wantErr  bool
	}{
		{
			name: "repository template",
			path: realTemplate,
			want: TableSpec{
				ResourceName: "ProfileTable",
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("sub"), KeyType: types.KeyTypeHash},
				},
				AttributeDefinitions: []types.AttributeDefinition{
					{AttributeName: aws.String("sub"), AttributeType: types.ScalarAttributeTypeS},
				},
				BillingMode: types.BillingModePayPerRequest,
			},
		},
		{
			name: "hash and range key with default billing",
			template: `
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub ${AWS::StackName}-events
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: at, KeyType: RANGE}
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: at, AttributeType: N}
`,
			want: TableSpec{
				ResourceName: "Events",
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("at"), KeyType: types.KeyTypeRange},
				},
				AttributeDefinitions: []types.AttributeDefinition{
					{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("at"), AttributeType: types.ScalarAttributeTypeN},
				},
				BillingMode: types.BillingModeProvisioned,
			},
		},
		{
			name: "no table",
			template: `
Resources:
  Queue:
    Type: AWS::SQS::Queue
`,
			wantErr: true,
		},
		{
			name: "two tables",
			template: `
Resources:
  A:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: a, KeyType: HASH}], AttributeDefinitions: [{AttributeName: a, AttributeType: S}]}
  B:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: b, KeyType: HASH}], AttributeDefinitions: [{AttributeName: b, AttributeType: S}]}
`,
			wantErr: true,
		},
		{
			name:     "malformed yaml",
			template: "Resources:\n  Table:\n    Type: [AWS::DynamoDB::Table\n",
			wantErr:  true,
		},
		{
			name:     "empty file",
			template: "\n",
			wantErr:  true,
		},
		{
			name: "missing key schema",
			template: `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: sub, AttributeType: S}]
`,
			wantErr: true,
		},
		{
			name: "intrinsic function as key name",
			template: `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: !Ref KeyName, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: sub, AttributeType: S}]
`,
			wantErr: true,
		},
		{
			name: "invalid key type",
			template: `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: sub, KeyType: PARTITION}]
      AttributeDefinitions: [{AttributeName: sub, AttributeType: S}]
`,
			wantErr: true,
		},
		{
			name: "invalid attribute type",
			template: `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: sub, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: sub, AttributeType: STRING}]
`,
			wantErr: true,
		},
		{
			name: "invalid billing mode",
			template: `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: sub, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: sub, AttributeType: S}]
      BillingMode: ON_DEMAND
`,
			wantErr: true,
		},
		{
			name:    "missing file",
			path:    filepath.Join(t.TempDir(), "absent.yaml"),
			wantErr: true,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if tt.template != "" {
				path = filepath.Join(t.TempDir(), "template.yaml")
				if err := os.WriteFile(path, []byte(tt.template), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			got, err := LoadTableSpec(path)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LoadTableSpec() = %+v, want an error", got)
				}
				t.Logf("error: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("LoadTableSpec() error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadTableSpec() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFindTemplateFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"go.mod", "template.yaml"} {
		if err := os.WriteFile(filepath.Join(root, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sub := filepath.Join(root, "internal", "pkg")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)

	got, err := FindTemplate()
	if err != nil {
		t.Fatalf("FindTemplate() error: %v", err)
	}
	want, err := filepath.EvalSymlinks(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	gotResolved, err := filepath.EvalSymlinks(got)
	if err != nil {
		t.Fatalf("FindTemplate() = %s, which cannot be resolved: %v", got, err)
	}
	if gotResolved != want {
		t.Errorf("FindTemplate() = %s, want %s", gotResolved, want)
	}
}

func TestFindTemplateMissing(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)

	if got, err := FindTemplate(); err == nil {
		t.Errorf("FindTemplate() = %s, want an error because template.yaml is missing", got)
	}
}
