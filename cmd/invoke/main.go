// Command invoke runs a built Lambda function once under the AWS Lambda
// Runtime Interface Emulator (RIE), like `sam local invoke` but without
// Docker.
//
// Usage:
//
//	go run ./cmd/invoke -bootstrap bin/bootstrap -rie "$(go tool -n aws-lambda-rie)" EVENT.json
//
// invoke starts the emulator on two free loopback ports with the bootstrap
// executable as the function, posts the event file to the emulator's
// invocation endpoint, and stops the emulator. The response goes to stdout
// as indented JSON. When the response has a body field that holds JSON, the
// parsed body follows as a second JSON document. The emulator's and the
// function's output, including the START, END, INIT REPORT and REPORT lines,
// goes to stderr unchanged.
//
// The function gets this command's environment plus defaults for the
// variables it needs locally: AWS_REGION (us-east-1), dummy
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, TABLE_NAME (profiles),
// DYNAMODB_ENDPOINT (http://127.0.0.1:8000), and the timeout and memory size
// from template.yaml. A variable that is set and not empty keeps its value.
//
// The exit status is 0 when the function returned a response, 1 when the
// function returned an error or crashed or the emulator failed, and 2 for
// invalid arguments.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// errUsage marks command-line errors, which exit with status 2.
var errUsage = errors.New("usage: invoke [-bootstrap PATH] -rie PATH [-timeout DURATION] EVENT.json")

// errFunction marks an invocation that completed but where the function
// returned an error or crashed. The response is printed before it.
var errFunction = errors.New("function error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()

	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	bootstrap       string
	rie             string
	eventPath       string
	timeout         time.Duration
	emulatorLogging string
}

func parseArgs(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), errUsage.Error())
		fs.PrintDefaults()
	}

	var c config
	fs.StringVar(&c.bootstrap, "bootstrap", "bin/bootstrap", "path of the function's bootstrap executable")
	fs.StringVar(&c.rie, "rie", "", "path of the aws-lambda-rie executable, as printed by `go tool -n aws-lambda-rie` (required)")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "maximum time for the emulator to start and the invocation to finish")
	fs.StringVar(&c.emulatorLogging, "rie-log-level", "info", "log level of the emulator (debug, info, warn, error); info shows INIT REPORT")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}

	if fs.NArg() != 1 {
		fs.Usage()
		return config{}, fmt.Errorf("expected one event file, got %d arguments: %w", fs.NArg(), errUsage)
	}
	c.eventPath = fs.Arg(0)
	if c.rie == "" {
		return config{}, fmt.Errorf("missing -rie: %w", errUsage)
	}
	if c.timeout <= 0 {
		return config{}, fmt.Errorf("invalid -timeout %s: must be positive: %w", c.timeout, errUsage)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}

	event, err := readEvent(c.eventPath)
	if err != nil {
		return err
	}
	bootstrap, err := executablePath(c.bootstrap, "bootstrap", "run `make build-native`")
	if err != nil {
		return err
	}
	rie, err := executablePath(c.rie, "emulator", "pass the path that `go tool -n aws-lambda-rie` prints")
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	result, err := invokeOnce(ctx, rie, bootstrap, c.emulatorLogging, event, stderr)
	if err != nil {
		return err
	}

	if err := printResult(stdout, stderr, result); err != nil {
		return err
	}
	return checkResult(result)
}
