package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

const (
	// stopTimeout bounds the wait for dynalite to exit after SIGTERM, and
	// then again after SIGKILL.
	stopTimeout = 10 * time.Second
	// logTailLines is how many lines of dynalite's log a start failure shows.
	logTailLines = 20
)

// launch starts dynalite in its own process group, so that it outlives this
// command and a Ctrl-C in the terminal does not reach it, and waits until it
// responds at endpoint. It returns the process id.
func launch(p paths, port int, endpoint string, client *dynamodb.Client) (int, error) {
	if _, err := os.Stat(p.cli); err != nil {
		return 0, fmt.Errorf("dynalite is not installed (%s not found): run `npm ci` or `make deps` in %s", p.cli, p.root)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return 0, errors.New("node not found in PATH: install Node.js 20 or later")
	}

	if pid, ok := runningPID(p.pidFile); ok {
		return 0, fmt.Errorf("dynalite (pid %d in %s) is running but does not respond at %s: run `localdb stop`, or see %s", pid, p.pidFile, endpoint, p.logFile)
	}
	if err := removePIDFile(p.pidFile); err != nil {
		return 0, err
	}

	if err := os.MkdirAll(p.data, 0o755); err != nil {
		return 0, fmt.Errorf("create data directory: %w", err)
	}
	logFile, err := os.OpenFile(p.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, fmt.Errorf("open dynalite log: %w", err)
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "--- localdb start %s: port %d, data %s\n", time.Now().Format(time.RFC3339), port, p.data)

	cmd := exec.Command(node, p.cli,
		"--host", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--path", p.data,
		// Tables are ACTIVE at once instead of after dynalite's default
		// 500 ms, which keeps test setup fast.
		"--createTableMs", "0",
		"--deleteTableMs", "0",
		"--updateTableMs", "0",
	)
	cmd.Dir = p.root
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start dynalite: %w", err)
	}
	pid := cmd.Process.Pid
	if err := os.WriteFile(p.pidFile, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		_ = terminate(pid)
		return 0, fmt.Errorf("write pid file: %w", err)
	}

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(startTimeout)
	for {
		if responds(client) {
			return pid, nil
		}

		select {
		case err := <-exited:
			_ = removePIDFile(p.pidFile)
			log := tail(p.logFile, logTailLines)
			if strings.Contains(log, "EADDRINUSE") {
				return 0, fmt.Errorf("another program uses %s but does not respond as DynamoDB; set DYNAMODB_PORT to a free port (details in %s)", endpoint, p.logFile)
			}
			return 0, fmt.Errorf("dynalite exited during start (%v); last lines of %s:\n%s", err, p.logFile, log)
		case <-time.After(100 * time.Millisecond):
		}

		if time.Now().After(deadline) {
			_ = terminate(pid)
			_ = removePIDFile(p.pidFile)
			return 0, fmt.Errorf("dynalite did not respond at %s within %s; last lines of %s:\n%s", endpoint, startTimeout, p.logFile, tail(p.logFile, logTailLines))
		}
	}
}

// terminate sends SIGTERM to the process group of pid, which dynalite leads,
// and waits for the process to exit, with SIGKILL as the last resort.
func terminate(pid int) error {
	for _, signal := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		if err := syscall.Kill(-pid, signal); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("send %s to process group %d: %w", signal, pid, err)
		}

		deadline := time.Now().Add(stopTimeout)
		for time.Now().Before(deadline) {
			if !isAlive(pid) {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return fmt.Errorf("process %d did not exit after SIGKILL", pid)
}

// runningPID returns the process id in pidFile when that process is a
// running dynalite.
func runningPID(pidFile string) (int, bool) {
	pid, err := readPID(pidFile)
	if err != nil {
		return 0, false
	}
	return pid, isDynalite(pid)
}

func readPID(pidFile string) (int, error) {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("invalid process id %q in %s: delete the file if dynalite is not running", strings.TrimSpace(string(data)), pidFile)
	}
	return pid, nil
}

func removePIDFile(pidFile string) error {
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove pid file: %w", err)
	}
	return nil
}

// isDynalite reports whether pid is a live dynalite process. The command
// line check stops a stale pid file, whose number the system may have given
// to another program since, from making stop signal that program.
func isDynalite(pid int) bool {
	if !isAlive(pid) {
		return false
	}

	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		// No procfs, as on macOS: ask ps instead.
		cmdline, err = exec.Command("ps", "-o", "command=", "-p", strconv.Itoa(pid)).Output()
	}
	if err != nil {
		// NOTE: without procfs or ps the pid file is trusted as it is.
		return true
	}
	return bytes.Contains(cmdline, []byte("dynalite"))
}

// isAlive reports whether pid exists and has not exited. A zombie counts as
// exited, because in a container without an init process nothing may ever
// reap it.
func isAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		// EPERM means the pid belongs to another user's process, which is
		// not a dynalite this command started.
		return false
	}

	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name, which may itself
	// contain spaces and parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// tail returns the last n lines of the file at path, or a note that it
// cannot be read.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
