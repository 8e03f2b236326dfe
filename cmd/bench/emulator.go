package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds the wait for the emulator to accept connections.
	readyTimeout = 10 * time.Second
	// invokeTimeout bounds one invocation, cold start included.
	invokeTimeout = 30 * time.Second
	// reportTimeout bounds the wait for the INIT REPORT line after the first
	// response; the emulator writes it before it forwards the event.
	reportTimeout = 5 * time.Second
)

// initReportPattern matches the line in which the emulator reports the
// duration of the function's init phase, such as
// "INIT REPORT(durationMs: 14.216000)".
var initReportPattern = regexp.MustCompile(`INIT REPORT\s*\(durationMs:\s*([0-9.]+)\)`)

// parseInitReport returns the init duration that line reports, and false
// when line is not an INIT REPORT line.
func parseInitReport(line string) (time.Duration, bool) {
	m := initReportPattern.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(math.Round(ms * float64(time.Millisecond))), true
}

// emulator is a running Runtime Interface Emulator with one function, the
// leader of a process group that also holds the function's process.
type emulator struct {
	cmd         *exec.Cmd
	bootstrap   string
	invokeURL   string
	client      *http.Client
	initReports chan time.Duration
	done        chan struct{} // closed when the emulator has exited
	waitErr     error         // valid after done is closed

	mu   sync.Mutex
	tail []string // the last outputTail lines of output, for errors
}

// outputTail is how many lines of the emulator's output an error shows.
const outputTail = 20

// startEmulator starts rie with bootstrap as the function and env as the
// whole environment, and waits until it accepts invocations. The emulator
// starts the function at the first invocation.
func startEmulator(ctx context.Context, rie, bootstrap string, env []string, client *http.Client) (*emulator, error) {
	addresses, err := freeLoopbackAddresses(2)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(rie,
		"--log-level", "info",
		"--runtime-interface-emulator-address", addresses[0],
		"--runtime-api-address", addresses[1],
		bootstrap,
	)
	cmd.Env = env
	cmd.Dir = filepath.Dir(bootstrap)
	// A process group of its own lets stop end the function's process too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	output, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("connect to the emulator's output: %w", err)
	}
	cmd.Stderr = cmd.Stdout
	// The function's process may hold the pipe open after the emulator
	// exits, so Wait must not wait for it forever.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator %s: %w", rie, err)
	}

	e := &emulator{
		cmd:         cmd,
		bootstrap:   bootstrap,
		invokeURL:   "http://" + addresses[0] + "/2015-03-31/functions/function/invocations",
		client:      client,
		initReports: make(chan time.Duration, 1),
		done:        make(chan struct{}),
	}
	go e.readOutput(output)
	go func() {
		e.waitErr = cmd.Wait()
		close(e.done)
	}()

	// The emulator may open the runtime API after the invocation endpoint.
	// A function started before both listen fails to fetch its first event
	// and exits, so wait for both.
	for _, address := range addresses {
		if err := e.waitReady(ctx, address); err != nil {
			e.stop()
			return nil, err
		}
	}
	return e, nil
}

// readOutput reads the emulator's and the function's output, which holds
// one log line per request, and passes on the INIT REPORT durations.
func (e *emulator) readOutput(output io.Reader) {
	scanner := bufio.NewScanner(output)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for scanner.Scan() {
		e.mu.Lock()
		e.tail = append(e.tail, scanner.Text())
		if len(e.tail) > outputTail {
			e.tail = e.tail[1:]
		}
		e.mu.Unlock()
		if d, ok := parseInitReport(scanner.Text()); ok {
			select {
			case e.initReports <- d:
			default:
			}
		}
	}
	// Drain the rest if a line was too long, so that the emulator never
	// blocks on a full pipe.
	_, _ = io.Copy(io.Discard, output)
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
			return fmt.Errorf("emulator exited before it accepted connections: %v", e.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("emulator did not accept connections on %s: %w", address, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

// invoke sends event and returns the HTTP round trip and the function's
// status code. It returns an error when the function failed or returned
// no API Gateway proxy response.
func (e *emulator) invoke(ctx context.Context, event []byte) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.invokeURL, bytes.NewReader(event))
	if err != nil {
		return 0, 0, err
	}

	start := time.Now()
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("invoke through the emulator: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("read the emulator's response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("emulator returned HTTP %s: %s", resp.Status, body)
	}

	status, err := proxyStatus(body)
	if err != nil {
		return 0, 0, err
	}
	return elapsed, status, nil
}

// lastLines returns the last lines of the emulator's output.
func (e *emulator) lastLines() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.tail, "\n")
}

// initDuration returns the init duration that the emulator reported for
// the function's start.
func (e *emulator) initDuration() (time.Duration, error) {
	select {
	case d := <-e.initReports:
		return d, nil
	case <-time.After(reportTimeout):
		return 0, errors.New("the emulator wrote no INIT REPORT line; it needs --log-level info")
	}
}

// functionPID returns the process id of the function, a child of the
// emulator.
func (e *emulator) functionPID() (int, error) {
	pids, err := childPIDs(e.cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == e.bootstrap {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no process of %s among the emulator's children %v", e.bootstrap, pids)
}

// stop kills the emulator and the function. A measurement needs no
// graceful shutdown.
func (e *emulator) stop() {
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	<-e.done
	e.client.CloseIdleConnections()
}

// childPIDs returns the processes whose parent is ppid, from /proc.
func childPIDs(ppid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var children []int
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // the process has exited
		}
		if parent, ok := parentPID(string(stat)); ok && parent == ppid {
			children = append(children, pid)
		}
	}
	return children, nil
}

// parentPID reads the parent's process id from the contents of
// /proc/PID/stat: "pid (comm) state ppid ...", where comm may contain
// spaces and brackets.
func parentPID(stat string) (int, bool) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}

// peakRSS returns the peak resident set size (VmHWM) and the current one
// (VmRSS) of process pid, in bytes.
func peakRSS(pid int) (peak, current int64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the function's memory use: %w", err)
	}
	return parseMemoryStatus(string(status))
}

// parseMemoryStatus reads VmHWM and VmRSS from the contents of
// /proc/PID/status, where they are given in kB (KiB).
func parseMemoryStatus(status string) (peak, current int64, err error) {
	for line := range strings.SplitSeq(status, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s %q: %w", name, value, err)
		}
		if name == "VmHWM" {
			peak = kib << 10
		} else {
			current = kib << 10
		}
	}
	if peak == 0 || current == 0 {
		return 0, 0, errors.New("no VmHWM and VmRSS in the process status")
	}
	return peak, current, nil
}

// freeLoopbackAddresses returns n distinct 127.0.0.1 addresses whose ports
// were free a moment ago.
//
// NOTE: another program can take a port before the emulator binds it. The
// emulator then exits, and the caller starts it again.
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
