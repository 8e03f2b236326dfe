package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

const (
	// helperFunctionEnv makes the test binary act as the Lambda function
	// when the emulator starts it as the bootstrap, so that the tests need
	// no separately built function.
	helperFunctionEnv = "EMULATOR_TEST_HELPER_FUNCTION"
	// helperExitEnv makes the test binary exit at once with status 3, to
	// stand in for an emulator that fails to start.
	helperExitEnv = "EMULATOR_TEST_HELPER_EXIT"
	// helperValueEnv is a variable that the helper function returns, to
	// show that Config.Env reaches the function.
	helperValueEnv = "EMULATOR_TEST_VALUE"
)

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(helperExitEnv) == "1":
		os.Exit(3)
	case os.Getenv(helperFunctionEnv) == "1":
		lambda.Start(helperFunction)
		return
	}
	os.Exit(m.Run())
}

// helperEvent is the event that helperFunction reads.
type helperEvent struct {
	Name string `json:"name"`
}

// helperResponse is what helperFunction returns.
type helperResponse struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Dir   string `json:"dir"`
}

// helperFunction returns the event's name, the value of helperValueEnv and
// its working directory.
func helperFunction(_ context.Context, event helperEvent) (helperResponse, error) {
	dir, err := os.Getwd()
	if err != nil {
		return helperResponse{}, err
	}
	return helperResponse{Name: event.Name, Value: os.Getenv(helperValueEnv), Dir: dir}, nil
}

func TestEmulator_Invoke(t *testing.T) {
	dir := t.TempDir()
	// The test reads output only after Stop, which returns once the
	// emulator has exited and its output is copied.
	var output bytes.Buffer
	e, err := Start(t.Context(), Config{
		RIE:       emulatorPath(t),
		Bootstrap: testExecutable(t),
		LogLevel:  "info",
		Env:       append(os.Environ(), helperFunctionEnv+"=1", helperValueEnv+"=from-config"),
		Dir:       dir,
		Output:    &output,
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}

	resp, invokeErr := e.Invoke(t.Context(), []byte(`{"name":"first"}`))
	if err := e.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if invokeErr != nil {
		t.Fatalf("Invoke: %v\noutput:\n%s", invokeErr, output.String())
	}

	if resp.StatusCode != 200 {
		t.Errorf("StatusCode = %d, want 200", resp.StatusCode)
	}
	if resp.Status != "200 OK" {
		t.Errorf("Status = %q, want %q", resp.Status, "200 OK")
	}
	var got helperResponse
	if err := json.Unmarshal(resp.Body, &got); err != nil {
		t.Fatalf("decode response %q: %v", resp.Body, err)
	}
	want := helperResponse{Name: "first", Value: "from-config", Dir: dir}
	if got != want {
		t.Errorf("response = %+v, want %+v", got, want)
	}
	if !strings.Contains(output.String(), "INIT REPORT") {
		t.Errorf("output has no INIT REPORT line:\n%s", output.String())
	}
}

func TestEmulator_Kill(t *testing.T) {
	e, err := Start(t.Context(), Config{
		RIE:       emulatorPath(t),
		Bootstrap: testExecutable(t),
		LogLevel:  "error",
		Env:       append(os.Environ(), helperFunctionEnv+"=1"),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := e.Invoke(t.Context(), []byte(`{"name":"warm"}`)); err != nil {
		e.Kill()
		t.Fatalf("Invoke before Kill: %v", err)
	}

	e.Kill()
	// Kill returns after the emulator exited, so its port is closed.
	if _, err := e.Invoke(t.Context(), []byte(`{}`)); err == nil {
		t.Error("Invoke after Kill succeeded, want an error")
	}
	if err := e.Stop(); err != nil {
		t.Errorf("Stop after Kill: %v", err)
	}
}

func TestStart_errors(t *testing.T) {
	executable := testExecutable(t)

	t.Run("emulator exits", func(t *testing.T) {
		t.Setenv(helperExitEnv, "1")
		_, err := Start(t.Context(), Config{RIE: executable, Bootstrap: executable, LogLevel: "info"})
		if !errors.Is(err, ErrExited) {
			t.Errorf("Start error = %v, want ErrExited", err)
		}
	})
	t.Run("canceled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Start(ctx, Config{RIE: emulatorPath(t), Bootstrap: executable, LogLevel: "info"})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Start error = %v, want context.Canceled", err)
		}
	})
	t.Run("missing executable", func(t *testing.T) {
		_, err := Start(t.Context(), Config{RIE: "/nonexistent/aws-lambda-rie", Bootstrap: executable})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Start error = %v, want one that wraps os.ErrNotExist", err)
		}
	})
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

func testExecutable(t *testing.T) string {
	t.Helper()
	path, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return path
}
