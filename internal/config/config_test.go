package config

import (
	"log/slog"
	"slices"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{"minimal", map[string]string{"TABLE_NAME": "profiles"}, Config{TableName: "profiles"}, false},
		{"everything", map[string]string{
			"TABLE_NAME":        "profiles",
			"ALLOWED_ORIGINS":   " https://app.example.com, https://admin.example.com:8443 ,",
			"REQUIRE_IF_MATCH":  "true",
			"LOG_LEVEL":         "debug",
			"DYNAMODB_ENDPOINT": "http://127.0.0.1:8000",
		}, Config{
			TableName:        "profiles",
			AllowedOrigins:   []string{"https://app.example.com", "https://admin.example.com:8443"},
			RequireIfMatch:   true,
			LogLevel:         slog.LevelDebug,
			DynamoDBEndpoint: "http://127.0.0.1:8000",
		}, false},
		{"missing table", map[string]string{}, Config{}, true},
		{"blank table", map[string]string{"TABLE_NAME": "  "}, Config{}, true},
		{"bad boolean", map[string]string{"TABLE_NAME": "p", "REQUIRE_IF_MATCH": "yes please"}, Config{}, true},
		{"bad level", map[string]string{"TABLE_NAME": "p", "LOG_LEVEL": "loud"}, Config{}, true},
		{"origin with path", map[string]string{"TABLE_NAME": "p", "ALLOWED_ORIGINS": "https://app.example.com/"}, Config{}, true},
		{"origin without scheme", map[string]string{"TABLE_NAME": "p", "ALLOWED_ORIGINS": "app.example.com"}, Config{}, true},
		{"endpoint not a URL", map[string]string{"TABLE_NAME": "p", "DYNAMODB_ENDPOINT": "localhost:8000"}, Config{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(env(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load() error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got.TableName != tt.want.TableName || got.RequireIfMatch != tt.want.RequireIfMatch ||
				got.LogLevel != tt.want.LogLevel || got.DynamoDBEndpoint != tt.want.DynamoDBEndpoint ||
				!slices.Equal(got.AllowedOrigins, tt.want.AllowedOrigins) {
				t.Errorf("Load() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestLoad_AllErrors checks that one error names every bad variable, so
// that a deploy is fixed in one round.
func TestLoad_AllErrors(t *testing.T) {
	_, err := Load(env(map[string]string{"REQUIRE_IF_MATCH": "maybe", "LOG_LEVEL": "loud"}))
	if err == nil {
		t.Fatal("Load() error = nil, want one")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 3 {
		t.Errorf("Load() error = %v, want 3 joined errors", err)
	}
}

// TestLoad_ReadsVariables checks that Variables names exactly the
// variables that Load reads, because the template tests rely on it to find
// a setting that template.yaml leaves out.
func TestLoad_ReadsVariables(t *testing.T) {
	var read []string
	_, _ = Load(func(name string) string {
		read = append(read, name)
		return ""
	})

	if !slices.Equal(read, Variables) {
		t.Errorf("Load read %v, want Variables = %v", read, Variables)
	}
	for _, name := range LocalVariables {
		if !slices.Contains(Variables, name) {
			t.Errorf("LocalVariables has %s, which is not in Variables", name)
		}
	}
}
