// Command localapi serves the profile API on 127.0.0.1 behind a
// Cognito-compatible authorizer, like `sam local start-api` but without
// Docker, and prints ID tokens for it.
//
// Usage:
//
//	go run ./cmd/localapi [-port N] [-function NAME] [-signing-key PATH]
//	go run ./cmd/localapi token [-port N] [-sub ID] [-email ADDRESS] [-ttl DURATION] [-signing-key PATH]
//
// The server builds the same handler as the Lambda entry point, from the
// same environment variables (TABLE_NAME, ALLOWED_ORIGINS,
// REQUIRE_IF_MATCH, LOG_LEVEL, DYNAMODB_ENDPOINT), and serves the routes
// that template.yaml declares for the function on http://127.0.0.1:PORT
// (PORT, default 3000). The function's JSON log lines go to stdout; the
// server's own messages and its line per request go to stderr. SIGINT or
// SIGTERM stops it after the requests in progress.
//
// Without COGNITO_USER_POOL_ID the server trusts a development user pool,
// whose signing key is .local/dev-signing-key.pem in the repository (or
// -signing-key), created on first use by either command. Its issuer is
// http://127.0.0.1:PORT/local-user-pool, its JWKS is served at that URL
// plus /.well-known/jwks.json, and the token command prints one of its ID
// tokens (SUB, EMAIL and TTL set the defaults of its flags). With
// COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID the server accepts that
// pool's tokens instead, fetching its JWKS from the pool's issuer URL, or
// from COGNITO_JWKS_URL when that is set.
//
// The exit status is 0 after a clean stop, 1 on errors and 2 for invalid
// arguments.
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
)

// errUsage marks command-line errors, which exit with status 2.
var errUsage = errors.New("usage: localapi [-port N] [-function NAME] [-signing-key PATH] | localapi token [-port N] [-sub ID] [-email ADDRESS] [-ttl DURATION] [-signing-key PATH]; add -h for the flags")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()

	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "localapi:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "localapi:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) > 0 && args[0] == "token" {
		return token(args[1:], stdout, stderr, getenv)
	}
	return serve(ctx, args, stdout, stderr, getenv)
}
