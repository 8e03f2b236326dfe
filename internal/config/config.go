// Package config reads the function's settings from its environment
// variables, so that a wrong setting stops the function at start with a
// message rather than failing requests later.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// Names of the environment variables that Load reads.
const (
	EnvTableName        = "TABLE_NAME"
	EnvAllowedOrigins   = "ALLOWED_ORIGINS"
	EnvRequireIfMatch   = "REQUIRE_IF_MATCH"
	EnvLogLevel         = "LOG_LEVEL"
	EnvDynamoDBEndpoint = "DYNAMODB_ENDPOINT"
)

// Variables lists every environment variable that Load reads, in the order
// of the Config fields. The function in template.yaml sets each of them
// except LocalVariables.
var Variables = []string{EnvTableName, EnvAllowedOrigins, EnvRequireIfMatch, EnvLogLevel, EnvDynamoDBEndpoint}

// LocalVariables lists the variables of Variables that only local runs set.
// A deployed function leaves them unset.
var LocalVariables = []string{EnvDynamoDBEndpoint}

// Config is the function's configuration.
type Config struct {
	// TableName is the DynamoDB table of profiles (TABLE_NAME, required).
	TableName string
	// AllowedOrigins are the origins that get CORS headers
	// (ALLOWED_ORIGINS, comma-separated; empty means none).
	AllowedOrigins []string
	// RequireIfMatch makes writes without If-Match fail with 428
	// (REQUIRE_IF_MATCH, "true" or "false", default false).
	RequireIfMatch bool
	// LogLevel is the lowest level logged (LOG_LEVEL: DEBUG, INFO, WARN or
	// ERROR, in any case; default INFO).
	LogLevel slog.Level
	// DynamoDBEndpoint replaces the AWS endpoint, for local runs only
	// (DYNAMODB_ENDPOINT, an http or https URL; empty means AWS).
	DynamoDBEndpoint string
}

// Load reads the configuration through getenv, which is os.Getenv outside
// tests. It returns an error naming every variable that is missing or
// invalid.
func Load(getenv func(string) string) (Config, error) {
	var cfg Config
	var errs []error

	cfg.TableName = strings.TrimSpace(getenv(EnvTableName))
	if cfg.TableName == "" {
		errs = append(errs, errors.New("TABLE_NAME is required: set it to the name of the DynamoDB table of profiles"))
	}

	for o := range strings.SplitSeq(getenv(EnvAllowedOrigins), ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if err := checkOrigin(o); err != nil {
			errs = append(errs, err)
			continue
		}
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, o)
	}

	if v := strings.TrimSpace(getenv(EnvRequireIfMatch)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("REQUIRE_IF_MATCH is %q: set it to true or false", v))
		}
		cfg.RequireIfMatch = b
	}

	if v := strings.TrimSpace(getenv(EnvLogLevel)); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL is %q: set it to DEBUG, INFO, WARN or ERROR", v))
		}
	}

	if v := strings.TrimSpace(getenv(EnvDynamoDBEndpoint)); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("DYNAMODB_ENDPOINT is %q: set it to a URL such as http://127.0.0.1:8000, or leave it empty for AWS", v))
		}
		cfg.DynamoDBEndpoint = v
	}

	return cfg, errors.Join(errs...)
}

// checkOrigin accepts an origin as browsers send it: a scheme, a host and
// an optional port, with no path.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("ALLOWED_ORIGINS has %q, which is not an origin such as https://app.example.com", o)
	}
	return nil
}
