package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

// TestStartStopKeepsData runs the real dynalite from node_modules on a free
// port with its data in a temporary directory, so it never touches the
// developer's database in .local.
func TestStartStopKeepsData(t *testing.T) {
	p := testPaths(t)
	requireDynalite(t, p)
	port := freePort(t)
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	startedFile := filepath.Join(t.TempDir(), "started")
	t.Cleanup(func() {
		if err := stop(p, &bytes.Buffer{}); err != nil {
			t.Errorf("stop in cleanup: %v", err)
		}
	})

	var out bytes.Buffer
	if err := start(p, port, endpoint, "profiles", startedFile, &out); err != nil {
		t.Fatalf("first start: %v\n%s", err, out.String())
	}
	assertFileContent(t, startedFile, "yes\n")
	assertFileExists(t, p.pidFile)

	client := devdb.NewClient(endpoint)
	putItem(t, client)

	out.Reset()
	if err := start(p, port, endpoint, "profiles", startedFile, &out); err != nil {
		t.Fatalf("second start: %v\n%s", err, out.String())
	}
	assertFileContent(t, startedFile, "no\n")

	out.Reset()
	if err := stop(p, &out); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(p.pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file after stop: stat error %v, want not exist", err)
	}
	if responds(client) {
		t.Errorf("server still responds at %s after stop", endpoint)
	}
	if err := stop(p, &out); err != nil {
		t.Errorf("stop when not running: %v", err)
	}

	out.Reset()
	if err := start(p, port, endpoint, "profiles", startedFile, &out); err != nil {
		t.Fatalf("start after stop: %v\n%s", err, out.String())
	}
	assertFileContent(t, startedFile, "yes\n")

	got, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String("profiles"),
		Key:            map[string]types.AttributeValue{"sub": &types.AttributeValueMemberS{Value: "user-1"}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem after restart: %v", err)
	}
	if got.Item == nil {
		t.Errorf("GetItem after restart: item is missing, want the item written before stop")
	}
}

func TestStopStalePIDFile(t *testing.T) {
	p := testPaths(t)
	// Process 1 exists but is never dynalite, so stop must not signal it.
	if err := os.WriteFile(p.pidFile, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := stop(p, &out); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(p.pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file after stop: stat error %v, want not exist", err)
	}
}

func TestStartWithoutDynalite(t *testing.T) {
	p := testPaths(t)
	p.cli = filepath.Join(t.TempDir(), "node_modules", "dynalite", "cli.js")
	port := freePort(t)

	err := start(p, port, "http://127.0.0.1:"+strconv.Itoa(port), "profiles", "", &bytes.Buffer{})
	if err == nil {
		t.Fatal("start without node_modules/dynalite succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("start error = %q, want it to tell the user to run npm ci", err)
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "no command", args: nil},
		{name: "unknown command", args: []string{"restart"}},
		{name: "extra argument", args: []string{"status", "now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil {
				t.Fatalf("run(%q) succeeded, want a usage error", tt.args)
			}
		})
	}
}

// testPaths returns paths that use the repository's dynalite but keep data,
// log and pid file in a temporary directory.
func testPaths(t *testing.T) paths {
	t.Helper()
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := newPaths(root)

	dir := t.TempDir()
	p.data = filepath.Join(dir, "dynalite")
	p.logFile = filepath.Join(dir, "dynalite.log")
	p.pidFile = filepath.Join(dir, "dynalite.pid")
	return p
}

// requireDynalite skips the test when node or node_modules/dynalite is
// missing, except under CI (CI=true), where it fails the test.
func requireDynalite(t *testing.T, p paths) {
	t.Helper()
	_, statErr := os.Stat(p.cli)
	_, nodeErr := exec.LookPath("node")
	if statErr == nil && nodeErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("dynalite or node missing (%v, %v); run `make deps`", statErr, nodeErr)
	}
	t.Skipf("dynalite or node missing; run `make deps`")
}

func freePort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port
}

func putItem(t *testing.T, client *dynamodb.Client) {
	t.Helper()
	_, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String("profiles"),
		Item: map[string]types.AttributeValue{
			"sub":  &types.AttributeValueMemberS{Value: "user-1"},
			"name": &types.AttributeValueMemberS{Value: "Ada"},
		},
	})
	if err != nil {
		t.Fatalf("PutItem: %v", err)
	}
}

func assertFileContent(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if string(got) != want {
		t.Errorf("%s = %q, want %q", filepath.Base(path), got, want)
	}
}

func assertFileExists(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("stat %s: %v", path, err)
	}
}
