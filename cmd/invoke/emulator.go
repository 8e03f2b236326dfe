package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds the wait for the emulator to accept connections.
	readyTimeout = 10 * time.Second
	// stopTimeout bounds the wait for the emulator to exit after SIGTERM.
	stopTimeout = 5 * time.Second
)

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

// emulator is a running aws-lambda-rie process, the leader of its own
// process group, which also contains the function's process.
type emulator struct {
	cmd       *exec.Cmd
	invokeURL string
	done      chan struct{} // closed when the process has exited
	waitErr   error         // valid after done is closed
}

// startEmulator starts the RIE with bootstrap as the function and waits
// until it accepts connections.
func startEmulator(ctx context.Context, rie, bootstrap, logLevel string, output io.Writer) (*emulator, error) {
	addresses, err := freeLoopbackAddresses(2)
	if err != nil {
		return nil, err
	}
	invokeAddress, runtimeAPIAddress := addresses[0], addresses[1]

	// The emulator takes every argument after its flags as the function's
	// command. With exactly one, it sets no handler name, which a Go
	// bootstrap does not need.
	cmd := exec.Command(rie,
		"--log-level", logLevel,
		"--runtime-interface-emulator-address", invokeAddress,
		"--runtime-api-address", runtimeAPIAddress,
		bootstrap,
	)
	cmd.Env = functionEnvironment(cmd.Environ())
	cmd.Stdout = output
	cmd.Stderr = output
	// A process group of its own lets stop end the function's process too,
	// and keeps a Ctrl-C from reaching the emulator before stop runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The function's process may hold the output pipe open after the
	// emulator exits, so Wait must not wait for it forever.
	cmd.WaitDelay = time.Second

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator %s: %w", rie, err)
	}

	e := &emulator{
		cmd:       cmd,
		invokeURL: "http://" + invokeAddress + "/2015-03-31/functions/function/invocations",
		done:      make(chan struct{}),
	}
	go func() {
		e.waitErr = cmd.Wait()
		close(e.done)
	}()

	// The function dials the runtime API as soon as it starts, and the
	// emulator may open that port after the invoke port, so wait for both.
	for _, address := range []string{invokeAddress, runtimeAPIAddress} {
		if err := e.waitReady(ctx, address); err != nil {
			_ = e.stop()
			return nil, err
		}
	}
	return e, nil
}

func (e *emulator) waitReady(ctx context.Context, address string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()

	var dialer net.Dialer
	for {
		conn, err := dialer.DialContext(ctx, "tcp", address)
		if err == nil {
			return conn.Close()
		}

		select {
		case <-e.done:
			return fmt.Errorf("emulator exited before it accepted connections (%v); see its output above", e.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("emulator did not accept connections on %s: %w", address, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// result is the emulator's HTTP response to an invocation.
type result struct {
	status     int
	statusText string
	body       []byte
}

// invoke posts event to the emulator and returns its response.
func (e *emulator) invoke(ctx context.Context, event []byte) (result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.invokeURL, bytes.NewReader(event))
	if err != nil {
		return result{}, fmt.Errorf("build invocation request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := http.DefaultClient.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return result{}, fmt.Errorf("invocation did not finish in time; raise -timeout: %w", err)
	}
	if err != nil {
		return result{}, fmt.Errorf("invoke through emulator: %w", err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, fmt.Errorf("read emulator response: %w", err)
	}
	return result{status: resp.StatusCode, statusText: resp.Status, body: body}, nil
}

// stop sends SIGTERM to the emulator's process group and waits for the
// emulator to exit, with SIGKILL when it has not exited after stopTimeout.
// The final SIGKILL also ends a function process that outlived the
// emulator.
func (e *emulator) stop() error {
	pgid := e.cmd.Process.Pid
	defer func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) }()

	select {
	case <-e.done:
		return nil
	default:
	}

	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop emulator (process group %d): %w", pgid, err)
	}
	select {
	case <-e.done:
		return nil
	case <-time.After(stopTimeout):
	}

	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill emulator (process group %d): %w", pgid, err)
	}
	select {
	case <-e.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("emulator (pid %d) did not exit after SIGKILL", pgid)
	}
}

// freeLoopbackAddresses returns n distinct 127.0.0.1 addresses whose ports
// were free a moment ago. The listeners stay open until all n ports are
// chosen, so that the system cannot hand out the same port twice.
//
// NOTE: another program can take a port between this call and the
// emulator's bind. The emulator then exits, and invoke reports it.
func freeLoopbackAddresses(n int) ([]string, error) {
	addresses := make([]string, 0, n)
	for range n {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free loopback port: %w", err)
		}
		defer listener.Close()
		addresses = append(addresses, listener.Addr().String())
	}
	return addresses, nil
}
