package authorizer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// Settings of the key set that NewRemoteKeySet returns.
const (
	// jwksRefreshInterval is how often the cached JWKS is fetched again.
	jwksRefreshInterval = time.Hour
	// jwksUnknownKIDInterval is the shortest time between two fetches for
	// an unknown kid, so that tokens with made-up key ids cannot make the
	// local API fetch the JWKS on every request.
	jwksUnknownKIDInterval = time.Minute
	// jwksFetchTimeout bounds one fetch of the JWKS.
	jwksFetchTimeout = 10 * time.Second
)

// Pool names a Cognito user pool and the app client whose tokens the local
// API accepts.
type Pool struct {
	// Region is the pool's AWS Region, such as eu-west-1.
	Region string
	// ID is the user pool ID, such as eu-west-1_EXAMPLE.
	ID string
	// ClientID is the app client ID.
	ClientID string
}

// Issuer returns the iss of the pool's tokens.
func (p Pool) Issuer() string {
	return "https://cognito-idp." + p.Region + ".amazonaws.com/" + p.ID
}

// JWKSURL returns where Cognito publishes the pool's public keys.
func (p Pool) JWKSURL() string {
	return p.Issuer() + "/.well-known/jwks.json"
}

// PoolRegion returns the Region that a user pool ID starts with, as in
// "eu-west-1" for "eu-west-1_EXAMPLE", or false when the ID has no such
// prefix.
func PoolRegion(poolID string) (string, bool) {
	region, rest, ok := strings.Cut(poolID, "_")
	if !ok || region == "" || rest == "" {
		return "", false
	}
	return region, true
}

// NewRemoteKeySet fetches the JWKS at jwksURL once, and returns a key set
// that caches it, fetches it again every hour and, at most once a minute,
// when a token names a key id that the cache lacks. Fetches after the first
// end when ctx is done. Failed later fetches are logged to log and leave
// the cache as it was.
//
// It returns an error when the first fetch fails or the response is not a
// JWKS.
func NewRemoteKeySet(ctx context.Context, jwksURL string, client *http.Client, log *slog.Logger) (KeySet, error) {
	if client == nil {
		client = http.DefaultClient
	}
	returnFirstError := false
	keys, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{jwksURL}, keyfunc.Override{
		Client:                    client,
		HTTPTimeout:               jwksFetchTimeout,
		NoErrorReturnFirstHTTPReq: &returnFirstError,
		// An unknown kid waits at most this long for the rate limiter, and
		// the fetch that follows runs under the same limit. A wait longer
		// than that fails at once, so the token is rejected without delay.
		RateLimitWaitMax:  jwksFetchTimeout,
		RefreshInterval:   jwksRefreshInterval,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(jwksUnknownKIDInterval), 1),
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				log.WarnContext(ctx, "jwks refresh failed", slog.String("url", u), slog.String("error", err.Error()))
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS from %s: %w", jwksURL, err)
	}
	return keys, nil
}
