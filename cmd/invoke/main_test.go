package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/serverless-profile/profile-service/internal/emulator"
)

// helperFunctionEnv makes the test binary act as the Lambda function when
// the emulator starts it as the bootstrap, so that the end-to-end test
// needs no separately built function.
const helperFunctionEnv = "INVOKE_TEST_HELPER_FUNCTION"

func TestMain(m *testing.M) {
	if os.Getenv(helperFunctionEnv) == "1" {
		lambda.Start(helperFunction)
		return
	}
	os.Exit(m.Run())
}

// helperEvent is the part of an API Gateway proxy event that helperFunction
// reads.
type helperEvent struct {
	Path string `json:"path"`
}

// helperResponse is an API Gateway proxy response.
type helperResponse struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// helperFunction returns the event's path and the environment variables that
// invoke sets, or an error when the event's path is /fail.
func helperFunction(_ context.Context, event helperEvent) (helperResponse, error) {
	if event.Path == "/fail" {
		return helperResponse{}, errors.New("failure requested by the event")
	}
	body, err := json.Marshal(map[string]string{
		"path":       event.Path,
		"table":      os.Getenv("TABLE_NAME"),
		"region":     os.Getenv("AWS_REGION"),
		"endpoint":   os.Getenv("DYNAMODB_ENDPOINT"),
		"access_key": os.Getenv("AWS_ACCESS_KEY_ID"),
	})
	if err != nil {
		return helperResponse{}, err
	}
	return helperResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(body)}, nil
}

func TestRunWithEmulator(t *testing.T) {
	rie := emulatorPath(t)
	bootstrap, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(helperFunctionEnv, "1")
	t.Setenv("TABLE_NAME", "")
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("DYNAMODB_ENDPOINT", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")

	event := writeFile(t, "event.json", `{"httpMethod":"GET","path":"/profile"}`)
	var stdout, stderr bytes.Buffer
	err = run(t.Context(), []string{"-bootstrap", bootstrap, "-rie", rie, event}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}

	decoder := json.NewDecoder(&stdout)
	var response helperResponse
	if err := decoder.Decode(&response); err != nil {
		t.Fatalf("decode response from stdout: %v", err)
	}
	if response.StatusCode != 200 {
		t.Errorf("statusCode = %d, want 200", response.StatusCode)
	}
	var body map[string]string
	if err := decoder.Decode(&body); err != nil {
		t.Fatalf("decode parsed body from stdout: %v", err)
	}
	want := map[string]string{
		"path":       "/profile",
		"table":      "profiles",
		"region":     "eu-central-1",
		"endpoint":   "http://127.0.0.1:8000",
		"access_key": "local",
	}
	for key, value := range want {
		if body[key] != value {
			t.Errorf("body[%q] = %q, want %q", key, body[key], value)
		}
	}

	for _, line := range []string{"INIT REPORT", "REPORT RequestId:"} {
		if !strings.Contains(stderr.String(), line) {
			t.Errorf("stderr has no %q line:\n%s", line, stderr.String())
		}
	}
}

func TestRunWithEmulatorFunctionError(t *testing.T) {
	rie := emulatorPath(t)
	bootstrap, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(helperFunctionEnv, "1")

	event := writeFile(t, "event.json", `{"path":"/fail"}`)
	var stdout, stderr bytes.Buffer
	err = run(t.Context(), []string{"-bootstrap", bootstrap, "-rie", rie, event}, &stdout, &stderr)
	if !errors.Is(err, errFunction) {
		t.Fatalf("run error = %v, want errFunction\nstderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "errorMessage") {
		t.Errorf("stdout does not show the error payload:\n%s", stdout.String())
	}
}

func TestRunArgumentErrors(t *testing.T) {
	executable, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	validEvent := writeFile(t, "event.json", `{}`)
	invalidEvent := writeFile(t, "invalid.json", `{"path":`)
	missingEvent := filepath.Join(t.TempDir(), "missing.json")

	tests := []struct {
		name      string
		args      []string
		wantUsage bool
	}{
		{name: "no event", args: []string{"-rie", executable}, wantUsage: true},
		{name: "two events", args: []string{"-rie", executable, validEvent, validEvent}, wantUsage: true},
		{name: "no rie", args: []string{"-bootstrap", executable, validEvent}, wantUsage: true},
		{name: "zero timeout", args: []string{"-rie", executable, "-timeout", "0s", validEvent}, wantUsage: true},
		{name: "missing event file", args: []string{"-bootstrap", executable, "-rie", executable, missingEvent}},
		{name: "invalid event json", args: []string{"-bootstrap", executable, "-rie", executable, invalidEvent}},
		{name: "missing bootstrap", args: []string{"-bootstrap", missingEvent, "-rie", executable, validEvent}},
		{name: "bootstrap not executable", args: []string{"-bootstrap", validEvent, "-rie", executable, validEvent}},
		{name: "missing rie", args: []string{"-bootstrap", executable, "-rie", missingEvent, validEvent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tt.args, &stdout, &stderr)
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			if got := errors.Is(err, errUsage); got != tt.wantUsage {
				t.Errorf("run error %q: usage error = %v, want %v", err, got, tt.wantUsage)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestFunctionEnvironment(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin",
		"AWS_REGION=eu-west-1",
		"TABLE_NAME=",
		"LOG_LEVEL=DEBUG",
	}

	got := map[string]string{}
	for _, entry := range functionEnvironment(environ) {
		name, value, _ := strings.Cut(entry, "=")
		if _, seen := got[name]; seen {
			t.Errorf("variable %s appears twice", name)
		}
		got[name] = value
	}

	want := map[string]string{
		"PATH":                            "/usr/bin",
		"AWS_REGION":                      "eu-west-1",
		"TABLE_NAME":                      "profiles",
		"LOG_LEVEL":                       "DEBUG",
		"AWS_ACCESS_KEY_ID":               "local",
		"AWS_SECRET_ACCESS_KEY":           "local",
		"DYNAMODB_ENDPOINT":               "http://127.0.0.1:8000",
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     "10",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
	}
	for name, value := range want {
		if got[name] != value {
			t.Errorf("%s = %q, want %q", name, got[name], value)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d variables, want %d: %v", len(got), len(want), got)
	}
}

func TestPrintResult(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStdout string
	}{
		{
			name:       "json body",
			body:       `{"statusCode":200,"body":"{\"name\":\"Ada\"}"}`,
			wantStdout: "{\n  \"statusCode\": 200,\n  \"body\": \"{\\\"name\\\":\\\"Ada\\\"}\"\n}\n{\n  \"name\": \"Ada\"\n}\n",
		},
		{
			name:       "base64 json body",
			body:       `{"statusCode":200,"isBase64Encoded":true,"body":"eyJuYW1lIjoiQWRhIn0="}`,
			wantStdout: "{\n  \"statusCode\": 200,\n  \"isBase64Encoded\": true,\n  \"body\": \"eyJuYW1lIjoiQWRhIn0=\"\n}\n{\n  \"name\": \"Ada\"\n}\n",
		},
		{
			name:       "text body",
			body:       `{"statusCode":204,"body":""}`,
			wantStdout: "{\n  \"statusCode\": 204,\n  \"body\": \"\"\n}\n",
		},
		{
			name:       "not json",
			body:       `Task timed out after 10.00 seconds`,
			wantStdout: "Task timed out after 10.00 seconds\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := printResult(&stdout, &stderr, emulator.Response{StatusCode: 200, Body: []byte(tt.body)}); err != nil {
				t.Fatalf("printResult: %v", err)
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout =\n%s\nwant\n%s", stdout.String(), tt.wantStdout)
			}
		})
	}
}

func TestCheckResult(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr bool
	}{
		{name: "proxy response", status: 200, body: `{"statusCode":500,"body":"{}"}`},
		{name: "returned error", status: 200, body: `{"errorMessage":"boom","errorType":"errorString"}`, wantErr: true},
		{name: "runtime exited", status: 502, body: `{"errorMessage":"exit status 2","errorType":"Runtime.ExitError"}`, wantErr: true},
		{name: "empty 502", status: 502, body: `{}`, wantErr: true},
		{name: "timeout text", status: 200, body: `Task timed out after 10.00 seconds`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkResult(emulator.Response{StatusCode: tt.status, Status: "status", Body: []byte(tt.body)})
			if tt.wantErr && !errors.Is(err, errFunction) {
				t.Errorf("checkResult() = %v, want errFunction", err)
			}
			if !tt.wantErr && err != nil {
				t.Errorf("checkResult() = %v, want nil", err)
			}
		})
	}
}

// emulatorPath returns the path of the aws-lambda-rie tool that go.mod
// pins, building it when needed.
func emulatorPath(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "tool", "-n", "aws-lambda-rie").Output()
	if err != nil {
		t.Fatalf("locate the emulator with `go tool -n aws-lambda-rie`: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
