package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-profile/profile-service/internal/authorizer"
	"github.com/serverless-profile/profile-service/internal/devdb"
)

// readyTimeout bounds the wait for a server started by a test to accept
// connections.
const readyTimeout = 30 * time.Second

// env is a fake environment for run's getenv.
type env map[string]string

func (e env) get(name string) string { return e[name] }

func TestTokenPrintsVerifiableToken(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "key.pem")
	var stdout, stderr bytes.Buffer

	err := run(t.Context(), []string{"token", "-signing-key", keyPath}, &stdout, &stderr,
		env{"PORT": "3001", "SUB": "66666666-7777-8888-9999-000000000000", "EMAIL": "grace@example.com", "TTL": "30m"}.get)
	if err != nil {
		t.Fatalf("run(token) error = %v; stderr %s", err, stderr.String())
	}

	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout has %d lines, want the token alone:\n%s", len(lines), stdout.String())
	}
	pool, err := authorizer.OpenDevPool(keyPath, "http://127.0.0.1:3001/local-user-pool")
	if err != nil {
		t.Fatalf("OpenDevPool() error = %v", err)
	}
	claims, err := pool.Verifier().Verify(t.Context(), lines[0])
	if err != nil {
		t.Fatalf("the printed token does not verify for port 3001: %v", err)
	}
	if claims["sub"] != "66666666-7777-8888-9999-000000000000" || claims["email"] != "grace@example.com" {
		t.Errorf("sub, email = %v, %v; want the SUB and EMAIL values", claims["sub"], claims["email"])
	}
	exp, err := jwt.MapClaims(claims).GetExpirationTime()
	if err != nil {
		t.Fatalf("read exp: %v", err)
	}
	iat, err := jwt.MapClaims(claims).GetIssuedAt()
	if err != nil {
		t.Fatalf("read iat: %v", err)
	}
	if lifetime := exp.Sub(iat.Time); lifetime != 30*time.Minute {
		t.Errorf("lifetime = %s, want the TTL, 30m", lifetime)
	}
}

func TestTokenFlagsOverrideEnvironment(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "key.pem")
	var stdout bytes.Buffer

	err := run(t.Context(), []string{"token", "-signing-key", keyPath, "-sub", "flag-sub", "-email", "", "-port", "3002"}, &stdout, io.Discard,
		env{"SUB": "env-sub", "EMAIL": "ada@example.com"}.get)
	if err != nil {
		t.Fatalf("run(token) error = %v", err)
	}

	pool, err := authorizer.OpenDevPool(keyPath, "http://127.0.0.1:3002/local-user-pool")
	if err != nil {
		t.Fatalf("OpenDevPool() error = %v", err)
	}
	claims, err := pool.Verifier().Verify(t.Context(), strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if claims["sub"] != "flag-sub" {
		t.Errorf("sub = %v, want the -sub value", claims["sub"])
	}
	if _, ok := claims["email"]; ok {
		t.Errorf("email = %v, want none with -email \"\"", claims["email"])
	}
}

func TestTokenErrors(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "key.pem")
	tests := []struct {
		name      string
		args      []string
		env       env
		wantUsage bool
	}{
		{name: "pool mode", env: env{"COGNITO_USER_POOL_ID": "eu-west-1_EXAMPLE"}},
		{name: "zero ttl", args: []string{"-ttl", "0s"}, wantUsage: true},
		{name: "ttl over a day", args: []string{"-ttl", "25h"}, wantUsage: true},
		{name: "invalid TTL", env: env{"TTL": "an hour"}},
		{name: "invalid PORT", env: env{"PORT": "http"}},
		{name: "unknown flag", args: []string{"-user", "x"}, wantUsage: true},
		{name: "extra argument", args: []string{"now"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			args := append([]string{"token", "-signing-key", keyPath}, tt.args...)

			err := run(t.Context(), args, &stdout, io.Discard, tt.env.get)

			if err == nil {
				t.Fatal("run(token) error = nil, want an error")
			}
			if errors.Is(err, errUsage) != tt.wantUsage {
				t.Errorf("errors.Is(err, errUsage) = %v, want %v; err %v", errors.Is(err, errUsage), tt.wantUsage, err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing on an error", stdout.String())
			}
		})
	}
}

func TestServeConfigurationErrors(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "key.pem")
	tests := []struct {
		name string
		env  env
	}{
		{name: "no table", env: env{}},
		{name: "pool without client", env: env{"TABLE_NAME": "profiles", "COGNITO_USER_POOL_ID": "eu-west-1_EXAMPLE"}},
		{name: "pool without region", env: env{"TABLE_NAME": "profiles", "COGNITO_USER_POOL_ID": "EXAMPLE", "COGNITO_CLIENT_ID": "client"}},
		{name: "invalid PORT", env: env{"TABLE_NAME": "profiles", "PORT": "three thousand"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), []string{"-port", "0", "-signing-key", keyPath}, io.Discard, io.Discard, tt.env.get)
			if err == nil {
				t.Error("run() error = nil, want a configuration error")
			}
		})
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitForHTTP polls url until it responds, or fails the test after
// readyTimeout.
func waitForHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer within %s: %v", url, readyTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServe runs the server command with getenv until the test ends, and
// returns its base URL and its stderr.
func startServe(t *testing.T, getenv func(string) string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	port := freePort(t)
	stderr := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-port", strconv.Itoa(port)}, args...), io.Discard, stderr, getenv)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run() after stop error = %v; stderr:\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "Stopped.") {
			t.Errorf("stderr lacks the stop message:\n%s", stderr.String())
		}
	})

	baseURL := "http://127.0.0.1:" + strconv.Itoa(port)
	waitForHTTP(t, baseURL+"/")
	return baseURL, stderr
}

// localDBEnv returns the environment of a server on a new table of the
// local database.
func localDBEnv(t *testing.T) env {
	t.Helper()
	_, table := devdb.NewTestTable(t)
	for name, value := range map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"} {
		t.Setenv(name, value)
	}
	return env{"TABLE_NAME": table, "DYNAMODB_ENDPOINT": devdb.Endpoint()}
}

// request sends one request and returns its status and body.
func request(t *testing.T, method, url, token, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, string(data)
}

func TestServeDevelopmentTokenLocalDB(t *testing.T) {
	getenv := localDBEnv(t)
	keyPath := filepath.Join(t.TempDir(), "key.pem")
	baseURL, stderr := startServe(t, getenv.get, "-signing-key", keyPath)

	if _, err := os.Stat(keyPath); err != nil {
		t.Fatalf("the server did not create its signing key: %v", err)
	}
	for _, want := range []string{"Local API for ProfileFunction", "PUT     " + baseURL + "/profile  (Cognito authorizer)", "OPTIONS " + baseURL + "/profile  (no authorizer)", "make -s token PORT="} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, stderr.String())
		}
	}

	port := strings.TrimPrefix(baseURL, "http://127.0.0.1:")
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"token", "-signing-key", keyPath}, &stdout, io.Discard, env{"PORT": port}.get); err != nil {
		t.Fatalf("run(token) error = %v", err)
	}
	token := strings.TrimSpace(stdout.String())

	status, body := request(t, "PUT", baseURL+"/profile", token, "application/json", `{"name":"Ada Example"}`)
	if status != http.StatusCreated {
		t.Fatalf("PUT with the printed token = %d, want 201; body %s", status, body)
	}
	if !strings.Contains(body, defaultSub) {
		t.Errorf("body %s lacks the default sub %s", body, defaultSub)
	}
	if status, _ := request(t, "GET", baseURL+"/profile", "", "", ""); status != http.StatusUnauthorized {
		t.Errorf("GET without a token = %d, want 401", status)
	}
	if status, _ := request(t, "GET", baseURL+"/local-user-pool/.well-known/jwks.json", "", "", ""); status != http.StatusOK {
		t.Errorf("GET JWKS = %d, want 200", status)
	}
}

func TestServePortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)

	err = run(t.Context(), []string{"-port", port, "-signing-key", filepath.Join(t.TempDir(), "key.pem")}, io.Discard, io.Discard, env{"TABLE_NAME": "profiles"}.get)
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Errorf("run() on a busy port error = %v, want one that suggests another PORT", err)
	}
}
