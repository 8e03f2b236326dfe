package app

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/serverless-profile/profile-service/internal/config"
)

func getenvFrom(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

func TestAWSConfig(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantRegion string
		wantCreds  aws.Credentials
	}{
		{
			name: "lambda environment",
			env: map[string]string{
				"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
				"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example-secret", "AWS_SESSION_TOKEN": "example-token",
			},
			wantRegion: "eu-west-1",
			wantCreds:  aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "example-secret", SessionToken: "example-token"},
		},
		{
			name:       "default region only",
			env:        map[string]string{"AWS_DEFAULT_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"},
			wantRegion: "us-west-2",
			wantCreds:  aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"},
		},
		{
			name:       "region wins over default region",
			env:        map[string]string{"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"},
			wantRegion: "eu-central-1",
			wantCreds:  aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AWSConfig(getenvFrom(tt.env))
			if err != nil {
				t.Fatalf("AWSConfig() error = %v", err)
			}
			if got.Region != tt.wantRegion {
				t.Errorf("Region = %q, want %q", got.Region, tt.wantRegion)
			}

			creds, err := got.Credentials.Retrieve(t.Context())
			if err != nil {
				t.Fatalf("Credentials.Retrieve() error = %v", err)
			}
			if creds.AccessKeyID != tt.wantCreds.AccessKeyID || creds.SecretAccessKey != tt.wantCreds.SecretAccessKey || creds.SessionToken != tt.wantCreds.SessionToken {
				t.Errorf("credentials = (%q, %q, %q), want (%q, %q, %q)",
					creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken,
					tt.wantCreds.AccessKeyID, tt.wantCreds.SecretAccessKey, tt.wantCreds.SessionToken)
			}
			if creds.CanExpire {
				t.Errorf("credentials CanExpire = true, want static credentials")
			}
		})
	}
}

func TestAWSConfig_Missing(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantNames []string
	}{
		{"nothing", map[string]string{}, []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}},
		{"no region", map[string]string{"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}, []string{"AWS_REGION"}},
		{"no secret", map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local"}, []string{"AWS_SECRET_ACCESS_KEY"}},
		{"no key id", map[string]string{"AWS_REGION": "us-east-1", "AWS_SECRET_ACCESS_KEY": "local"}, []string{"AWS_ACCESS_KEY_ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AWSConfig(getenvFrom(tt.env))
			if err == nil {
				t.Fatal("AWSConfig() error = nil, want one naming the missing variables")
			}
			for _, name := range tt.wantNames {
				if !strings.Contains(err.Error(), name+" is not set") {
					t.Errorf("error = %q, want it to name %s", err, name)
				}
			}
		})
	}
}

// TestNewHandler_NoCredentials checks that the function stops at start,
// rather than failing every request, when the environment has no
// credentials.
func TestNewHandler_NoCredentials(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")

	_, err := NewHandler(t.Context(), config.Config{TableName: "profiles"}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID is not set") {
		t.Errorf("NewHandler() error = %v, want one naming AWS_ACCESS_KEY_ID", err)
	}
}

// TestNewDynamoDBClient checks the endpoint override that local runs use,
// and that the client keeps the Region and credentials of the
// configuration.
func TestNewDynamoDBClient(t *testing.T) {
	awsCfg, err := AWSConfig(getenvFrom(map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}))
	if err != nil {
		t.Fatal(err)
	}

	local := NewDynamoDBClient(awsCfg, "http://127.0.0.1:8000").Options()
	if local.BaseEndpoint == nil || *local.BaseEndpoint != "http://127.0.0.1:8000" {
		t.Errorf("BaseEndpoint = %v, want http://127.0.0.1:8000", local.BaseEndpoint)
	}
	if local.Region != "eu-west-1" {
		t.Errorf("Region = %q, want eu-west-1", local.Region)
	}
	if local.Credentials == nil {
		t.Error("Credentials = nil, want the configuration's")
	}

	if deployed := NewDynamoDBClient(awsCfg, "").Options(); deployed.BaseEndpoint != nil {
		t.Errorf("BaseEndpoint = %q, want none, so that the Region's endpoint is used", *deployed.BaseEndpoint)
	}
}
