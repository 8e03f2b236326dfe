package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/serverless-profile/profile-service/internal/authorizer"
)

// Defaults of the test user whose token the token command prints. A fixed
// sub lets every new token reach the same profile.
const (
	defaultSub      = "3f0c8a52-7d4e-4b1a-9c6f-2e5d8b7a1c40"
	defaultEmail    = "ada@example.com"
	defaultTokenTTL = time.Hour
)

// token prints an ID token of the development pool for the local API on
// the port of -port, and nothing else on stdout, so that
// TOKEN=$(make -s token) works.
func token(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("localapi token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port, err := portFlag(fs, getenv)
	if err != nil {
		return err
	}
	sub := fs.String("sub", envOr(getenv, "SUB", defaultSub), "the test user's sub, the key of their profile (env SUB)")
	email := fs.String("email", envOr(getenv, "EMAIL", defaultEmail), "the test user's email claim; empty leaves it out (env EMAIL)")
	ttlDefault, err := envDuration(getenv, "TTL", defaultTokenTTL)
	if err != nil {
		return err
	}
	ttl := fs.Duration("ttl", ttlDefault, "how long the token is valid, such as 30m or 8h, at most 24h (env TTL)")
	keyPath := signingKeyFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	if getenv("COGNITO_USER_POOL_ID") != "" {
		return errors.New("COGNITO_USER_POOL_ID is set, so the local API accepts only that pool's tokens: sign in to the pool for a token, or unset COGNITO_USER_POOL_ID to use development tokens")
	}
	path, err := resolveKeyPath(*keyPath)
	if err != nil {
		return err
	}
	baseURL := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
	pool, err := authorizer.OpenDevPool(path, authorizer.DevIssuer(baseURL))
	if err != nil {
		return err
	}

	idToken, err := pool.IDToken(authorizer.User{Sub: *sub, Email: *email}, time.Now(), *ttl)
	if err != nil {
		return fmt.Errorf("%w: %w", err, errUsage)
	}
	_, err = fmt.Fprintln(stdout, idToken)
	return err
}

func envOr(getenv func(string) string, name, fallback string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return fallback
}

func envDuration(getenv func(string) string, name string, fallback time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return fallback, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q: must be a duration such as 30m or 8h", name, v)
	}
	return d, nil
}
