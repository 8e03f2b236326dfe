package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

// buildBootstrap builds the function for this machine, as make build-native
// does, into a temporary folder, and returns its path.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bootstrap: %v\n%s", err, out)
	}
	return bin
}

// TestMain_MissingTableName checks that the function stops at start, with
// a message naming the variable, when TABLE_NAME is not set.
func TestMain_MissingTableName(t *testing.T) {
	bin := buildBootstrap(t)

	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("run without TABLE_NAME: err = %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), "TABLE_NAME is required") {
		t.Errorf("stderr = %q, want it to name TABLE_NAME", stderr.String())
	}
}

// TestMain_UnderEmulatorLocalDB runs the built function under the AWS
// Lambda Runtime Interface Emulator, as Lambda would, and sends it the
// sample PUT and GET events.
func TestMain_UnderEmulatorLocalDB(t *testing.T) {
	_, table := devdb.NewTestTable(t)
	bin := buildBootstrap(t)
	rie := emulatorPath(t)
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}

	apiAddr, runtimeAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", apiAddr, "--runtime-api-address", runtimeAddr, bin)
	cmd.Env = append(os.Environ(),
		"TABLE_NAME="+table,
		"DYNAMODB_ENDPOINT="+devdb.Endpoint(),
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
	)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("emulator output:\n%s", logs.String())
		}
	})
	// The function dials the runtime API as soon as it starts, and the
	// emulator may open that port after the invoke port, so wait for both.
	waitForListener(t, apiAddr)
	waitForListener(t, runtimeAddr)

	put := invoke(t, apiAddr, filepath.Join(root, "events", "rest-put.json"))
	if put.StatusCode != http.StatusCreated || put.Headers["ETag"] != `"1"` {
		t.Fatalf("PUT: status %d, ETag %q; body %s", put.StatusCode, put.Headers["ETag"], put.Body)
	}

	get := invoke(t, apiAddr, filepath.Join(root, "events", "rest-get.json"))
	if get.StatusCode != http.StatusOK || get.Headers["ETag"] != `"1"` {
		t.Fatalf("GET: status %d, ETag %q; body %s", get.StatusCode, get.Headers["ETag"], get.Body)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(get.Body), &p); err != nil {
		t.Fatalf("GET body is not JSON: %v", err)
	}
	if p["email"] != "Ada@example.com" || p["phone_number"] != "+442079460018" {
		t.Errorf("GET body = %s, want the normalised profile", get.Body)
	}
}

// emulatorPath builds the emulator, a go tool dependency, and returns the
// path of its binary.
func emulatorPath(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "tool", "-n", "aws-lambda-rie").Output()
	if err != nil {
		t.Fatalf("build the Runtime Interface Emulator: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitForListener(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("emulator did not listen on %s within 10 s", addr)
}

// invoke sends an event file to the emulator and decodes the proxy
// response.
func invoke(t *testing.T, addr, eventFile string) events.APIGatewayProxyResponse {
	t.Helper()
	event, err := os.ReadFile(eventFile)
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	resp, err := http.Post(url, "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()

	var out events.APIGatewayProxyResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode proxy response: %v", err)
	}
	return out
}
