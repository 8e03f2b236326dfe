// Command localdb starts, stops and reports on the local DynamoDB-compatible
// database (dynalite) used by tests and local invokes.
//
// Usage:
//
//	go run ./cmd/localdb start [-port N] [-table NAME] [-started-file PATH]
//	go run ./cmd/localdb stop
//	go run ./cmd/localdb status [-port N]
//
// start runs node_modules/dynalite (installed by `npm ci`) on 127.0.0.1 in
// the background, with its data in .local/dynalite so that it survives a
// restart, its output in .local/dynalite.log and its process id in
// .local/dynalite.pid, all relative to the repository root. It then creates
// the table from template.yaml unless it exists. When a DynamoDB server
// already responds on the port, start reuses it. stop ends the process in the
// pid file. Every command is harmless to repeat.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

const (
	defaultPort  = 8000
	defaultTable = "profiles"

	// startTimeout bounds the wait for a new dynalite to respond to requests.
	startTimeout = 15 * time.Second
	// pingTimeout bounds one request that checks whether a server responds.
	pingTimeout = time.Second
	// tableTimeout bounds EnsureTable, which waits for the table to become
	// ACTIVE.
	tableTimeout = 45 * time.Second
)

// paths are the files that localdb keeps under the repository root.
type paths struct {
	root    string
	cli     string // dynalite's command-line entry point
	data    string // LevelDB directory
	logFile string
	pidFile string
}

func newPaths(root string) paths {
	local := filepath.Join(root, ".local")
	return paths{
		root:    root,
		cli:     filepath.Join(root, "node_modules", "dynalite", "cli.js"),
		data:    filepath.Join(local, "dynalite"),
		logFile: filepath.Join(local, "dynalite.log"),
		pidFile: filepath.Join(local, "dynalite.pid"),
	}
}

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		// The flag package has printed the usage already.
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localdb:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// errUsage marks command-line errors, which exit with status 2.
var errUsage = errors.New("usage: localdb start|stop|status [flags]; run `localdb COMMAND -h` for the flags")

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	command, args := args[0], args[1:]
	switch command {
	case "start", "stop", "status":
	default:
		return fmt.Errorf("unknown command %q: %w", command, errUsage)
	}

	portDefault, err := envPort("DYNAMODB_PORT", defaultPort)
	if err != nil {
		return err
	}

	fs := flag.NewFlagSet("localdb "+command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", portDefault, "TCP port on 127.0.0.1 for dynalite (env DYNAMODB_PORT)")
	table := fs.String("table", envString("TABLE_NAME", defaultTable), "name of the table that start creates from template.yaml (env TABLE_NAME)")
	startedFile := fs.String("started-file", "", "file in which start writes yes when it started dynalite and no when it reused a running server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	if *port < 1 || *port > 65535 {
		return fmt.Errorf("invalid port %d: must be between 1 and 65535", *port)
	}

	root, err := devdb.ModuleRoot()
	if err != nil {
		return err
	}
	p := newPaths(root)
	endpoint := "http://127.0.0.1:" + strconv.Itoa(*port)

	switch command {
	case "start":
		return start(p, *port, endpoint, *table, *startedFile, stdout)
	case "stop":
		return stop(p, stdout)
	default:
		return status(p, endpoint, stdout)
	}
}

// start runs dynalite unless a server already responds at endpoint, then
// creates the table.
func start(p paths, port int, endpoint, table, startedFile string, stdout io.Writer) error {
	client := devdb.NewClient(endpoint)

	started := false
	if responds(client) {
		if pid, ok := runningPID(p.pidFile); ok {
			fmt.Fprintf(stdout, "dynalite already running at %s (pid %d)\n", endpoint, pid)
		} else {
			fmt.Fprintf(stdout, "a DynamoDB server already responds at %s, not started by localdb: using it\n", endpoint)
		}
	} else {
		pid, err := launch(p, port, endpoint, client)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "started dynalite at %s (pid %d, data in %s, log in %s)\n", endpoint, pid, p.data, p.logFile)
		started = true
	}

	// Record the outcome before creating the table, so that `make test`
	// still stops a server that this call started if EnsureTable fails.
	if startedFile != "" {
		if err := writeStartedFile(startedFile, started); err != nil {
			return err
		}
	}

	templatePath, err := devdb.FindTemplate()
	if err != nil {
		return err
	}
	spec, err := devdb.LoadTableSpec(templatePath)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), tableTimeout)
	defer cancel()
	created, err := devdb.EnsureTable(ctx, client, table, spec)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "created table %s from %s in template.yaml\n", table, spec.ResourceName)
	} else {
		fmt.Fprintf(stdout, "table %s exists\n", table)
	}
	return nil
}

func stop(p paths, stdout io.Writer) error {
	pid, err := readPID(p.pidFile)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(stdout, "dynalite is not running (no pid file)")
		return nil
	}
	if err != nil {
		return err
	}

	if !isDynalite(pid) {
		fmt.Fprintf(stdout, "dynalite is not running (pid %d in %s is not a live dynalite process); removing the pid file\n", pid, p.pidFile)
		return removePIDFile(p.pidFile)
	}

	if err := terminate(pid); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stopped dynalite (pid %d)\n", pid)
	return removePIDFile(p.pidFile)
}

func status(p paths, endpoint string, stdout io.Writer) error {
	pid, running := runningPID(p.pidFile)
	serving := responds(devdb.NewClient(endpoint))

	switch {
	case running && serving:
		fmt.Fprintf(stdout, "dynalite is running at %s (pid %d, data in %s)\n", endpoint, pid, p.data)
	case running:
		fmt.Fprintf(stdout, "dynalite is running (pid %d) but does not respond at %s: it may use another port, see %s\n", pid, endpoint, p.logFile)
	case serving:
		fmt.Fprintf(stdout, "a DynamoDB server responds at %s, but localdb did not start it\n", endpoint)
	default:
		fmt.Fprintf(stdout, "dynalite is not running; nothing responds at %s\n", endpoint)
	}
	return nil
}

// responds reports whether a DynamoDB server responds at the client's
// endpoint within pingTimeout.
func responds(client *dynamodb.Client) bool {
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	return devdb.Ping(ctx, client) == nil
}

func writeStartedFile(path string, started bool) error {
	value := "no\n"
	if started {
		value = "yes\n"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create directory for started file: %w", err)
	}
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return fmt.Errorf("write started file: %w", err)
	}
	return nil
}

func envString(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// envPort returns the port number in the environment variable name, or
// fallback when it is unset.
func envPort(name string, fallback int) (int, error) {
	value := os.Getenv(name)
	if value == "" {
		return fallback, nil
	}
	port, err := strconv.Atoi(value)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q: must be a port number", name, value)
	}
	return port, nil
}
