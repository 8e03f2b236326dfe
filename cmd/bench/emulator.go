package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/serverless-profile/profile-service/internal/emulator"
)

const (
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

// instance is one function running under the emulator, with the INIT
// REPORT durations and the last lines of its output.
type instance struct {
	process     *emulator.Emulator
	bootstrap   string
	client      *http.Client
	output      *io.PipeWriter
	initReports chan time.Duration

	mu   sync.Mutex
	tail []string // the last outputTail lines of output, for errors
}

// outputTail is how many lines of the emulator's output an error shows.
const outputTail = 20

// startEmulator starts rie with bootstrap as the function and env as the
// whole environment, and waits until it accepts invocations. The emulator
// starts the function at the first invocation.
func startEmulator(ctx context.Context, rie, bootstrap string, env []string, client *http.Client) (*instance, error) {
	reader, writer := io.Pipe()
	in := &instance{
		bootstrap:   bootstrap,
		client:      client,
		output:      writer,
		initReports: make(chan time.Duration, 1),
	}
	go in.readOutput(reader)

	process, err := emulator.Start(ctx, emulator.Config{
		RIE:       rie,
		Bootstrap: bootstrap,
		LogLevel:  "info",
		Env:       env,
		Dir:       filepath.Dir(bootstrap),
		Output:    writer,
		Client:    client,
	})
	if err != nil {
		writer.Close()
		return nil, err
	}
	in.process = process
	return in, nil
}

// readOutput reads the emulator's and the function's output, which holds
// one log line per request, and passes on the INIT REPORT durations.
func (in *instance) readOutput(output io.Reader) {
	scanner := bufio.NewScanner(output)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for scanner.Scan() {
		in.mu.Lock()
		in.tail = append(in.tail, scanner.Text())
		if len(in.tail) > outputTail {
			in.tail = in.tail[1:]
		}
		in.mu.Unlock()
		if d, ok := parseInitReport(scanner.Text()); ok {
			select {
			case in.initReports <- d:
			default:
			}
		}
	}
	// Drain the rest if a line was too long, so that the emulator never
	// blocks on a full pipe.
	_, _ = io.Copy(io.Discard, output)
}

// invoke sends event and returns the HTTP round trip and the function's
// status code. It returns an error when the function failed or returned
// no API Gateway proxy response.
func (in *instance) invoke(ctx context.Context, event []byte) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()

	start := time.Now()
	resp, err := in.process.Invoke(ctx, event)
	elapsed := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("emulator returned HTTP %s: %s", resp.Status, resp.Body)
	}

	status, err := proxyStatus(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	return elapsed, status, nil
}

// lastLines returns the last lines of the emulator's output.
func (in *instance) lastLines() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return strings.Join(in.tail, "\n")
}

// initDuration returns the init duration that the emulator reported for
// the function's start.
func (in *instance) initDuration() (time.Duration, error) {
	select {
	case d := <-in.initReports:
		return d, nil
	case <-time.After(reportTimeout):
		return 0, errors.New("the emulator wrote no INIT REPORT line; it needs --log-level info")
	}
}

// functionPID returns the process id of the function, a child of the
// emulator.
func (in *instance) functionPID() (int, error) {
	pids, err := childPIDs(in.process.PID())
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == in.bootstrap {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no process of %s among the emulator's children %v", in.bootstrap, pids)
}

// stop kills the emulator and the function. A measurement needs no
// graceful shutdown.
func (in *instance) stop() {
	in.process.Kill()
	// The emulator has exited and its output is copied, so closing the
	// pipe ends readOutput.
	in.output.Close()
	in.client.CloseIdleConnections()
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
