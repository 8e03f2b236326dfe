package authorizer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors that Verify returns, wrapped with the reason. Their messages and
// reasons never contain the token.
var (
	// ErrTokenInvalid marks a token that is malformed, wrongly signed, or
	// not issued by the pool for the app client.
	ErrTokenInvalid = errors.New("token is invalid")
	// ErrTokenExpired marks a correctly signed token whose exp has passed.
	ErrTokenExpired = errors.New("token has expired")
)

// Token uses that Cognito writes in the token_use claim.
const (
	TokenUseID     = "id"
	TokenUseAccess = "access"
)

// KeySet returns the verification key for a parsed token. The
// keyfunc.Keyfunc values of [NewRemoteKeySet] and [DevPool.KeySet]
// implement it.
type KeySet interface {
	KeyfuncCtx(ctx context.Context) jwt.Keyfunc
}

// Config holds what a Verifier checks tokens against.
type Config struct {
	// Issuer is the exact iss a token must carry, such as
	// https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE.
	Issuer string
	// ClientID is the app client ID that an ID token's aud, or an access
	// token's client_id, must be.
	ClientID string
	// Keys holds the pool's public keys.
	Keys KeySet
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Verifier checks Cognito user pool tokens. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	parser *jwt.Parser
}

// NewVerifier returns a verifier for the pool and app client in cfg.
func NewVerifier(cfg Config) *Verifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithExpirationRequired(),
		// Numbers stay json.Number, so a claim such as auth_time is
		// rendered with the digits it was issued with.
		jwt.WithJSONNumber(),
		jwt.WithTimeFunc(cfg.Now),
	)
	return &Verifier{cfg: cfg, parser: parser}
}

// Issuer returns the iss that tokens must carry.
func (v *Verifier) Issuer() string {
	return v.cfg.Issuer
}

// Verify checks token, the compact JWT without any "Bearer " prefix, and
// returns its claims. It returns an error wrapping [ErrTokenExpired] for a
// correctly signed token that has expired, and [ErrTokenInvalid] for every
// other failure. Fetching an unknown key id's key uses ctx.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	claims := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(token, claims, v.keyfunc(ctx))
	if errors.Is(err, jwt.ErrTokenExpired) {
		return nil, fmt.Errorf("%w: %w", ErrTokenExpired, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}

	if err := v.checkClient(claims); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	return Claims(claims), nil
}

// keyfunc requires a kid, as Cognito's rules do: the key set would
// otherwise try every key it holds.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	keys := v.cfg.Keys.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		return keys(t)
	}
}

// checkClient checks token_use and the app client ID claim that goes with
// it.
func (v *Verifier) checkClient(claims jwt.MapClaims) error {
	use, _ := claims["token_use"].(string)
	switch use {
	case TokenUseID:
		aud, err := claims.GetAudience()
		if err != nil || !slices.Contains(aud, v.cfg.ClientID) {
			return errors.New("ID token's aud is not the app client ID")
		}
	case TokenUseAccess:
		clientID, _ := claims["client_id"].(string)
		if clientID != v.cfg.ClientID {
			return errors.New("access token's client_id is not the app client ID")
		}
	default:
		return errors.New(`token_use is neither "id" nor "access"`)
	}
	return nil
}
