package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds the wait for the emulator to accept connections.
	readyTimeout = 10 * time.Second
	// pollInterval is the pause between two attempts to connect to a port
	// that is not open yet. A refused loopback connection costs
	// microseconds, so a short pause adds little to each start.
	pollInterval = time.Millisecond
	// stopTimeout bounds the wait for the emulator to exit after SIGTERM,
	// and again after SIGKILL.
	stopTimeout = 5 * time.Second
)

// ErrExited is wrapped by the error that [Start] returns when the emulator
// exits before it accepts connections. The emulator's output gives the
// reason.
var ErrExited = errors.New("emulator exited before it accepted connections")

// Config describes how to run the emulator.
type Config struct {
	// RIE is the path of the aws-lambda-rie executable, as printed by
	// `go tool -n aws-lambda-rie`.
	RIE string
	// Bootstrap is the path of the function's executable.
	Bootstrap string
	// LogLevel is the emulator's log level: debug, info, warn or error.
	// At info and below, the output contains the INIT REPORT line.
	LogLevel string
	// Env is the whole environment of the emulator, which passes it on to
	// the function. Nil means this process's environment.
	Env []string
	// Dir is the working directory of the emulator and the function. Empty
	// means this process's working directory.
	Dir string
	// Output receives the emulator's and the function's stdout and stderr.
	// Nil discards them.
	Output io.Writer
	// Client sends the invocations. Nil means [http.DefaultClient].
	Client *http.Client
}

// Emulator is a running aws-lambda-rie process, the leader of its own
// process group, which also contains the function's process. Its methods
// may be called from several goroutines.
type Emulator struct {
	cmd       *exec.Cmd
	invokeURL string
	client    *http.Client
	done      chan struct{} // closed when the process has exited
	waitErr   error         // valid after done is closed
}

// Response is the emulator's HTTP response to an invocation.
type Response struct {
	StatusCode int    // such as 200
	Status     string // such as "200 OK"
	// Body is the function's response, the runtime's error payload, or
	// the emulator's own message, such as a timeout.
	Body []byte
}

// Start starts the emulator as config describes and waits until both its
// ports accept connections. The error wraps [ErrExited] when the emulator
// exits before that, and the context's error when ctx ends or the wait
// times out. The caller must end the emulator with [Emulator.Stop] or
// [Emulator.Kill].
func Start(ctx context.Context, config Config) (*Emulator, error) {
	addresses, err := freeLoopbackAddresses(2)
	if err != nil {
		return nil, err
	}
	invokeAddress, runtimeAPIAddress := addresses[0], addresses[1]

	// The emulator takes every argument after its flags as the function's
	// command. With exactly one, it sets no handler name, which a Go
	// bootstrap does not need.
	cmd := exec.Command(config.RIE,
		"--log-level", config.LogLevel,
		"--runtime-interface-emulator-address", invokeAddress,
		"--runtime-api-address", runtimeAPIAddress,
		config.Bootstrap,
	)
	cmd.Env = config.Env
	cmd.Dir = config.Dir
	cmd.Stdout = config.Output
	cmd.Stderr = config.Output
	// A process group of its own lets Stop and Kill end the function's
	// process too, and keeps a Ctrl-C from reaching the emulator before
	// the caller stops it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The function's process may hold the output pipe open after the
	// emulator exits, so Wait must not wait for it forever.
	cmd.WaitDelay = time.Second

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator %s: %w", config.RIE, err)
	}

	client := config.Client
	if client == nil {
		client = http.DefaultClient
	}
	e := &Emulator{
		cmd:       cmd,
		invokeURL: "http://" + invokeAddress + "/2015-03-31/functions/function/invocations",
		client:    client,
		done:      make(chan struct{}),
	}
	go func() {
		e.waitErr = cmd.Wait()
		close(e.done)
	}()

	// The function dials the runtime API as soon as it starts, and the
	// emulator may open that port after the invoke port. A function that
	// starts before both listen fails to fetch its first event and exits,
	// so wait for both.
	for _, address := range addresses {
		if err := e.waitReady(ctx, address); err != nil {
			e.Kill()
			return nil, err
		}
	}
	return e, nil
}

func (e *Emulator) waitReady(ctx context.Context, address string) error {
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
			return fmt.Errorf("%w: %v", ErrExited, e.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("emulator did not accept connections on %s: %w", address, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// Invoke posts event to the emulator and returns its response, whatever
// its status. The error wraps the context's error when ctx ends first.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.invokeURL, bytes.NewReader(event))
	if err != nil {
		return Response{}, fmt.Errorf("build invocation request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := e.client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("invoke through the emulator: %w", err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("read the emulator's response: %w", err)
	}
	return Response{StatusCode: resp.StatusCode, Status: resp.Status, Body: body}, nil
}

// PID returns the emulator's process id, which is also the id of its
// process group.
func (e *Emulator) PID() int {
	return e.cmd.Process.Pid
}

// Stop sends SIGTERM to the emulator's process group and waits for the
// emulator to exit, with SIGKILL when it has not exited after 5 seconds.
// The final SIGKILL also ends a function process that outlived the
// emulator. Stop returns an error when a signal cannot be sent or the
// emulator has not exited 5 seconds after SIGKILL.
func (e *Emulator) Stop() error {
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

// Kill sends SIGKILL to the emulator's process group, which ends the
// function's process too, and waits for the emulator to exit. It suits a
// caller that needs no graceful shutdown.
func (e *Emulator) Kill() {
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	<-e.done
}

// freeLoopbackAddresses returns n distinct 127.0.0.1 addresses whose ports
// were free a moment ago. The listeners stay open until all n ports are
// chosen, so that the system cannot hand out the same port twice.
//
// NOTE: another program can take a port between this call and the
// emulator's bind. The emulator then exits, and Start or Invoke returns
// an error.
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
