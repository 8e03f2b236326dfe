package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/serverless-profile/profile-service/internal/emulator"
)

// invokeOnce runs bootstrap under the emulator at rie for one event and
// returns the emulator's response. The emulator's and the function's
// output goes to output.
func invokeOnce(ctx context.Context, rie, bootstrap, logLevel string, event []byte, output io.Writer) (emulator.Response, error) {
	e, err := emulator.Start(ctx, emulator.Config{
		RIE:       rie,
		Bootstrap: bootstrap,
		LogLevel:  logLevel,
		Env:       functionEnvironment(os.Environ()),
		Output:    output,
	})
	if errors.Is(err, emulator.ErrExited) {
		return emulator.Response{}, fmt.Errorf("%w; see its output above", err)
	}
	if err != nil {
		return emulator.Response{}, err
	}

	result, invokeErr := e.Invoke(ctx, event)
	if err := e.Stop(); err != nil {
		fmt.Fprintln(output, "invoke:", err)
	}
	if errors.Is(invokeErr, context.DeadlineExceeded) {
		return emulator.Response{}, fmt.Errorf("invocation did not finish in time; raise -timeout: %w", invokeErr)
	}
	return result, invokeErr
}

// functionDefaults are the environment variables that the function gets
// when they are unset or empty in this command's environment. The timeout
// (seconds) and memory size (MB) match ProfileFunction in template.yaml,
// so that the function gets the same deadline as when deployed.
var functionDefaults = []struct{ name, value string }{
	{"AWS_REGION", "us-east-1"},
	// Dummy credentials let the SDK sign requests to the local database.
	{"AWS_ACCESS_KEY_ID", "local"},
	{"AWS_SECRET_ACCESS_KEY", "local"},
	{"TABLE_NAME", "profiles"},
	{"DYNAMODB_ENDPOINT", "http://127.0.0.1:8000"},
	{"AWS_LAMBDA_FUNCTION_TIMEOUT", "10"},
	{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"},
}

// functionEnvironment returns environ with functionDefaults filled in. The
// emulator passes its whole environment on to the function.
func functionEnvironment(environ []string) []string {
	values := make(map[string]string, len(environ))
	for _, entry := range environ {
		name, value, _ := strings.Cut(entry, "=")
		values[name] = value
	}

	env := make([]string, 0, len(environ)+len(functionDefaults))
	for _, entry := range environ {
		name, value, _ := strings.Cut(entry, "=")
		if value == "" && hasDefault(name) {
			continue
		}
		env = append(env, entry)
	}
	for _, d := range functionDefaults {
		if values[d.name] == "" {
			env = append(env, d.name+"="+d.value)
		}
	}
	return env
}

func hasDefault(name string) bool {
	for _, d := range functionDefaults {
		if d.name == name {
			return true
		}
	}
	return false
}
