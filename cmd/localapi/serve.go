package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/serverless-profile/profile-service/internal/app"
	"github.com/serverless-profile/profile-service/internal/authorizer"
	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/localapi"
)

const (
	defaultPort = 3000
	// shutdownTimeout bounds the wait for requests in progress at a stop.
	shutdownTimeout = 10 * time.Second
	// readHeaderTimeout bounds how long a client may take to send its
	// request headers.
	readHeaderTimeout = 10 * time.Second
)

// devKeyFile is the development signing key, relative to the repository
// root.
var devKeyFile = filepath.Join(".local", "dev-signing-key.pem")

// authorizerSetup is the token verifier and the banner line that describes
// it.
type authorizerSetup struct {
	verifier *authorizer.Verifier
	// jwksPath and jwks are set for the development pool, whose keys the
	// server publishes.
	jwksPath string
	jwks     []byte
	banner   string
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("localapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port, err := portFlag(fs, getenv)
	if err != nil {
		return err
	}
	function := fs.String("function", "", "logical ID of the function in template.yaml; empty means the only one with events of type Api")
	keyPath := signingKeyFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	setLocalAWSDefaults(cfg, getenv)
	templatePath, err := devdb.FindTemplate()
	if err != nil {
		return err
	}
	api, err := localapi.LoadAPI(templatePath, *function)
	if err != nil {
		return err
	}

	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return fmt.Errorf("listen on 127.0.0.1:%d: %w; set PORT to a free port", *port, err)
	}
	defer listener.Close()
	baseURL := "http://" + listener.Addr().String()

	log := slog.New(slog.NewTextHandler(stderr, nil))
	auth, err := setUpAuthorizer(ctx, baseURL, *keyPath, getenv, log)
	if err != nil {
		return err
	}
	handler, err := app.NewHandler(ctx, cfg, stdout)
	if err != nil {
		return err
	}

	server := &http.Server{
		Handler: localapi.New(localapi.Config{
			API:      api,
			Function: handler,
			Verifier: auth.verifier,
			JWKSPath: auth.jwksPath,
			JWKS:     auth.jwks,
			// The template's gateway responses send the first of them.
			AllowedOrigins: cfg.AllowedOrigins,
			Log:            log,
		}),
		ReadHeaderTimeout: readHeaderTimeout,
	}
	printBanner(stderr, api, cfg, baseURL, listener.Addr().(*net.TCPAddr).Port, auth)
	return runServer(ctx, server, listener, stderr)
}

// setLocalAWSDefaults sets a Region and dummy credentials, where the
// environment has none, when the function uses a local database. The
// handler reads them from the environment alone, as in Lambda.
func setLocalAWSDefaults(cfg config.Config, getenv func(string) string) {
	if cfg.DynamoDBEndpoint == "" {
		return
	}
	defaults := map[string]string{
		"AWS_REGION":            devdb.DefaultRegion,
		"AWS_ACCESS_KEY_ID":     "local",
		"AWS_SECRET_ACCESS_KEY": "local",
	}
	for name, value := range defaults {
		if getenv(name) == "" {
			os.Setenv(name, value)
		}
	}
}

// setUpAuthorizer returns the verifier for the user pool named by
// COGNITO_USER_POOL_ID, or for the development pool when it is unset.
func setUpAuthorizer(ctx context.Context, baseURL, keyPath string, getenv func(string) string, log *slog.Logger) (authorizerSetup, error) {
	if getenv("COGNITO_USER_POOL_ID") != "" {
		return setUpPool(ctx, getenv, log)
	}

	keyPath, err := resolveKeyPath(keyPath)
	if err != nil {
		return authorizerSetup{}, err
	}
	pool, err := authorizer.OpenDevPool(keyPath, authorizer.DevIssuer(baseURL))
	if err != nil {
		return authorizerSetup{}, err
	}
	jwksURL := pool.Issuer() + "/.well-known/jwks.json"
	return authorizerSetup{
		verifier: pool.Verifier(),
		jwksPath: "/" + authorizer.DevPoolID + "/.well-known/jwks.json",
		jwks:     pool.JWKS(),
		banner: fmt.Sprintf("Tokens: development user pool %s, app client %s, JWKS at %s (signing key %s)",
			pool.Issuer(), authorizer.DevClientID, jwksURL, displayPath(keyPath)),
	}, nil
}

// setUpPool reads the user pool settings and fetches the pool's JWKS.
func setUpPool(ctx context.Context, getenv func(string) string, log *slog.Logger) (authorizerSetup, error) {
	pool := authorizer.Pool{ID: getenv("COGNITO_USER_POOL_ID"), ClientID: getenv("COGNITO_CLIENT_ID")}
	if pool.ClientID == "" {
		return authorizerSetup{}, errors.New("COGNITO_CLIENT_ID is required with COGNITO_USER_POOL_ID: set it to the app client ID (the stack output UserPoolClientId)")
	}
	region, ok := authorizer.PoolRegion(pool.ID)
	if !ok {
		region = getenv("AWS_REGION")
	}
	if region == "" {
		return authorizerSetup{}, fmt.Errorf("COGNITO_USER_POOL_ID %q does not start with a Region, such as eu-west-1_EXAMPLE, and AWS_REGION is empty: set one of them", pool.ID)
	}
	pool.Region = region

	jwksURL := pool.JWKSURL()
	if override := getenv("COGNITO_JWKS_URL"); override != "" {
		jwksURL = override
	}
	keys, err := authorizer.NewRemoteKeySet(ctx, jwksURL, &http.Client{}, log)
	if err != nil {
		return authorizerSetup{}, err
	}
	verifier := authorizer.NewVerifier(authorizer.Config{Issuer: pool.Issuer(), ClientID: pool.ClientID, Keys: keys})
	return authorizerSetup{
		verifier: verifier,
		banner: fmt.Sprintf("Tokens: Cognito user pool %s, app client %s, issuer %s, JWKS from %s",
			pool.ID, pool.ClientID, pool.Issuer(), jwksURL),
	}, nil
}

func printBanner(w io.Writer, api localapi.API, cfg config.Config, baseURL string, port int, auth authorizerSetup) {
	fmt.Fprintf(w, "Local API for %s (stage %s, table %s) at %s\n", api.Function, api.Stage, cfg.TableName, baseURL)
	for _, r := range api.Routes {
		guard := "no authorizer"
		if r.Authorized {
			guard = "Cognito authorizer"
		}
		fmt.Fprintf(w, "  %-7s %s%s  (%s)\n", r.Method, baseURL, r.Path, guard)
	}
	fmt.Fprintln(w, auth.banner)
	if auth.jwks != nil {
		tokenCommand := "make -s token"
		if port != defaultPort {
			tokenCommand += " PORT=" + strconv.Itoa(port)
		}
		fmt.Fprintf(w, "Get a token: TOKEN=$(%s)   (SUB=, EMAIL= and TTL= change the user and lifetime)\n", tokenCommand)
	} else {
		fmt.Fprintln(w, "Get a token: sign in to the user pool, and send its ID token or access token")
	}
	fmt.Fprintf(w, "Then:        curl -H \"Authorization: Bearer $TOKEN\" %s/profile\n", baseURL)
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

// runServer serves until ctx is done, then lets the requests in progress
// finish.
func runServer(ctx context.Context, server *http.Server, listener net.Listener, stderr io.Writer) error {
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	fmt.Fprintln(stderr, "Stopping: waiting for requests in progress")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stop the server: %w", err)
	}
	fmt.Fprintln(stderr, "Stopped. The local database keeps running; make db-stop stops it.")
	return nil
}

// portFlag defines -port with PORT, or 3000, as its default. It returns an
// error when PORT is not a number.
func portFlag(fs *flag.FlagSet, getenv func(string) string) (*int, error) {
	port := defaultPort
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("invalid PORT %q: must be a port number", v)
		}
		port = p
	}
	return fs.Int("port", port, "TCP port on 127.0.0.1 of the local API (env PORT)"), nil
}

// parseFlags parses args and checks the port and that no argument is left.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", err, errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	if port := fs.Lookup("port").Value.(flag.Getter).Get().(int); port < 0 || port > 65535 {
		return fmt.Errorf("invalid port %d: must be between 0 and 65535: %w", port, errUsage)
	}
	return nil
}

// signingKeyFlag defines -signing-key, the development pool's key file.
func signingKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("signing-key", devKeyFile, "PEM file of the development user pool's signing key, created when missing; a relative path is relative to the repository root")
}

// resolveKeyPath returns path, made absolute against the repository root
// when it is relative, so that the server and the token command agree
// whatever their working directory.
func resolveKeyPath(path string) (string, error) {
	if filepath.IsAbs(path) {
		return path, nil
	}
	root, err := devdb.ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, path), nil
}

// displayPath returns path relative to the working directory when it lies
// below it, for shorter messages.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
