// Command bench measures the profile function as it is deployed and writes
// BENCHMARKS.md. It measures the size of the bootstrap and of its zip, and
// the cold start beside a hello-world function built the same way. It
// measures the latency through the AWS Lambda Runtime Interface Emulator
// against the local database, the CPU time and allocations of one request
// in process, and the resident memory after many requests.
//
// Usage:
//
//	go run ./cmd/bench [-out BENCHMARKS.md] [-rie PATH] [-rounds 1000] [-requests 1000] [-warm-up 30] [-memory-requests 10000]
//
// make bench starts the local database first. The database is the one at
// DYNAMODB_ENDPOINT (default http://127.0.0.1:8000); bench creates a fresh
// table there and deletes it at the end. The functions get only the
// environment that Lambda would give them, with dummy credentials, and
// none of this command's, so that settings of the machine such as
// AWS_CA_BUNDLE do not change what is measured.
//
// The table goes to stdout and, with the notes in notes.md, to the -out
// file. Progress goes to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/serverless-profile/profile-service/internal/app"
	"github.com/serverless-profile/profile-service/internal/devdb"
)

// errUsage marks command-line errors, which exit with status 2.
var errUsage = errors.New("usage: bench [-out FILE] [-rie PATH] [-rounds N] [-requests N] [-warm-up N] [-memory-requests N]")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()

	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options is the parsed command line.
type options struct {
	out            string
	rie            string
	rounds         int
	requests       int
	warmUp         int
	memoryRequests int
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "file to write the report to, relative to the repository root; empty writes none")
	fs.StringVar(&o.rie, "rie", "", "path of the aws-lambda-rie executable; empty runs `go tool -n aws-lambda-rie`")
	fs.IntVar(&o.rounds, "rounds", 1000, "rounds of fresh starts; each starts the function once per method (PUT, GET, PATCH) and hello-world once")
	fs.IntVar(&o.requests, "requests", 1000, "warm requests per method through the emulator, and as many to the database alone")
	fs.IntVar(&o.warmUp, "warm-up", 30, "rounds of warm requests sent before the counted ones")
	fs.IntVar(&o.memoryRequests, "memory-requests", 10000, "requests the warm function serves before its peak memory is read")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() != 0 {
		return options{}, fmt.Errorf("unexpected arguments %v: %w", fs.Args(), errUsage)
	}
	if o.rounds < 1 || o.requests < 1 || o.warmUp < 0 || o.memoryRequests < 1 {
		return options{}, fmt.Errorf("-rounds, -requests and -memory-requests must be positive and -warm-up not negative: %w", errUsage)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	progress := func(msg string) { fmt.Fprintf(stderr, "bench: %s\n", msg) }
	started := time.Now()
	r := report{date: started, rounds: o.rounds, requests: o.requests, memoryRequests: o.memoryRequests, loadStart: loadAverage()}

	root, err := devdb.ModuleRoot()
	if err != nil {
		return err
	}
	r.machine = describeMachine()
	r.goVersion = goOutput(ctx, root, "env", "GOVERSION")
	r.rieVersion = goOutput(ctx, root, "list", "-m", "-f", "{{.Version}}", "github.com/aws/aws-lambda-runtime-interface-emulator")
	if o.rie == "" {
		progress("building the Runtime Interface Emulator")
		if o.rie = goOutput(ctx, root, "tool", "-n", "aws-lambda-rie"); o.rie == "" {
			return errors.New("go tool -n aws-lambda-rie printed no path; pass -rie")
		}
	}

	dir, err := os.MkdirTemp("", "profile-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	progress("building the bootstraps for linux/arm64 and linux/amd64")
	if r.artifacts, err = buildArtifacts(ctx, root, dir); err != nil {
		return err
	}
	if err := r.measureRuntime(ctx, root, o, progress); err != nil {
		return err
	}

	progress("running the Go benchmarks of internal/gateway")
	if r.goBench, err = runGoBenchmarks(ctx, root); err != nil {
		return err
	}

	r.loadEnd = loadAverage()
	r.elapsed = time.Since(started)
	fmt.Fprint(stdout, r.table())
	if o.out == "" {
		return nil
	}
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := os.WriteFile(out, []byte(r.markdown()), 0o644); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	progress("wrote " + out)
	return nil
}

// measureRuntime runs the functions of the host's architecture under the
// emulator against a fresh table: the fresh starts, then the warm requests
// and the memory reading.
func (r *report) measureRuntime(ctx context.Context, root string, o options, progress func(string)) error {
	endpoint := devdb.Endpoint()
	table, drop, err := createBenchTable(ctx, endpoint)
	if err != nil {
		return err
	}
	defer func() {
		if err := drop(); err != nil {
			progress(fmt.Sprintf("could not delete table %s: %v", table, err))
		}
	}()

	env := lambdaEnvironment(table, endpoint)
	events, err := readEvents(root)
	if err != nil {
		return err
	}
	profileFn := functionUnderTest{
		rie: o.rie, bootstrap: r.bootstrapFor("profile"), env: env, events: events,
		wantStatus: map[string][]int{"PUT": {http.StatusOK, http.StatusCreated}, "GET": {http.StatusOK}, "PATCH": {http.StatusOK}},
	}
	helloFn := functionUnderTest{
		rie: o.rie, bootstrap: r.bootstrapFor("hello"), env: env, events: events,
		wantStatus: map[string][]int{"GET": {http.StatusOK}},
	}

	progress(fmt.Sprintf("%d rounds of fresh starts under the emulator", o.rounds))
	if r.cold, err = measureColdStarts(ctx, profileFn, helloFn, o.rounds, progress); err != nil {
		return err
	}

	progress(fmt.Sprintf("%d starts with GODEBUG=inittrace=1", initTraceRuns))
	if r.initTrace, err = traceInit(ctx, profileFn.bootstrap, env, initTraceRuns); err != nil {
		return err
	}

	direct, err := newDirectRequestsFor(table, endpoint, env, events)
	if err != nil {
		return err
	}
	progress(fmt.Sprintf("%d warm requests per method, then up to %d in all", o.requests, o.memoryRequests))
	r.warm, err = measureWarm(ctx, profileFn, helloFn, direct, o.warmUp, o.requests, o.memoryRequests)
	return err
}

// bootstrapFor returns the bootstrap of function for the host's
// architecture, which the emulator can run.
func (r *report) bootstrapFor(function string) string {
	for _, a := range r.artifacts {
		if a.function == function && a.arch == runtime.GOARCH {
			return a.bootstrap
		}
	}
	return ""
}

// lambdaEnvironment returns the environment of the functions: what Lambda
// sets for a function of template.yaml, with dummy credentials, and the
// function's own settings for the local table.
func lambdaEnvironment(table, endpoint string) []string {
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_REGION=" + devdb.DefaultRegion,
		"AWS_DEFAULT_REGION=" + devdb.DefaultRegion,
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_SESSION_TOKEN=local",
		"AWS_LAMBDA_FUNCTION_NAME=profile-bench",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"TABLE_NAME=" + table,
		"DYNAMODB_ENDPOINT=" + endpoint,
	}
}

// readEvents reads the sample REST API events of the three methods.
func readEvents(root string) (map[string][]byte, error) {
	files := map[string]string{"GET": "rest-get.json", "PUT": "rest-put.json", "PATCH": "rest-patch.json"}
	events := map[string][]byte{}
	for method, file := range files {
		event, err := os.ReadFile(filepath.Join(root, "events", file))
		if err != nil {
			return nil, fmt.Errorf("read the sample event: %w", err)
		}
		events[method] = event
	}
	return events, nil
}

// newDirectRequestsFor builds the database-alone requests for the user and
// bodies of the sample events, with a client built as the function builds
// its own.
func newDirectRequestsFor(table, endpoint string, env []string, events map[string][]byte) (*directRequests, error) {
	values := map[string]string{}
	for _, entry := range env {
		name, value, _ := strings.Cut(entry, "=")
		values[name] = value
	}
	awsCfg, err := app.AWSConfig(func(name string) string { return values[name] })
	if err != nil {
		return nil, err
	}

	sub, err := eventSub(events["GET"])
	if err != nil {
		return nil, err
	}
	putBody, err := eventBody(events["PUT"])
	if err != nil {
		return nil, err
	}
	patchBody, err := eventBody(events["PATCH"])
	if err != nil {
		return nil, err
	}
	return newDirectRequests(app.NewDynamoDBClient(awsCfg, endpoint), table, sub, putBody, patchBody)
}

// eventSub returns the sub claim of a REST API event.
func eventSub(event []byte) (string, error) {
	var e struct {
		RequestContext struct {
			Authorizer struct {
				Claims struct {
					Sub string `json:"sub"`
				} `json:"claims"`
			} `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(event, &e); err != nil || e.RequestContext.Authorizer.Claims.Sub == "" {
		return "", fmt.Errorf("the sample GET event has no sub claim (%v)", err)
	}
	return e.RequestContext.Authorizer.Claims.Sub, nil
}

// eventBody returns the body of a REST API event that is not base64
// encoded.
func eventBody(event []byte) ([]byte, error) {
	var e struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(event, &e); err != nil {
		return nil, fmt.Errorf("read a sample event's body: %w", err)
	}
	return []byte(e.Body), nil
}

// goOutput runs the go command in root and returns its trimmed output, or
// "unknown" when it fails.
func goOutput(ctx context.Context, root string, args ...string) string {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// loadAverage returns the first three fields of /proc/loadavg.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], ", ")
}

// describeMachine reads the CPU model and the memory from /proc.
func describeMachine() machine {
	m := machine{os: runtime.GOOS, arch: runtime.GOARCH, cpu: "unknown CPU", cpus: runtime.NumCPU()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.cpu = strings.TrimSpace(value)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if value, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
				m.memory = kib << 10
			}
		}
	}
	return m
}
