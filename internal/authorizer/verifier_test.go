package authorizer

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"

// testNow is the verifiers' clock in these tests, so that expiry does not
// depend on when the tests run.
var testNow = time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)

// newTestPool returns a development pool with a new key in a temporary
// directory.
func newTestPool(t *testing.T, issuer string) *DevPool {
	t.Helper()
	pool, err := OpenDevPool(filepath.Join(t.TempDir(), "key.pem"), issuer)
	if err != nil {
		t.Fatalf("OpenDevPool() error = %v", err)
	}
	return pool
}

// sharedKey is one key file's content for the tests that need a pool but
// not a key of their own, since generating RSA keys is slow under -race.
var sharedKey = sync.OnceValues(func() ([]byte, error) {
	path := filepath.Join(os.TempDir(), "authorizer-test-"+strconv.Itoa(os.Getpid())+".pem")
	defer os.Remove(path)
	if _, err := loadOrCreateKey(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// newSharedPool returns a development pool with the shared test key.
func newSharedPool(t *testing.T, issuer string) *DevPool {
	t.Helper()
	pem, err := sharedKey()
	if err != nil {
		t.Fatalf("create the shared test key: %v", err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatalf("write key file: %v", err)
	}
	pool, err := OpenDevPool(path, issuer)
	if err != nil {
		t.Fatalf("OpenDevPool() error = %v", err)
	}
	return pool
}

// idClaims returns the claims of a valid ID token at testNow.
func idClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub":       "11111111-2222-3333-4444-555555555555",
		"iss":       testIssuer,
		"aud":       DevClientID,
		"token_use": TokenUseID,
		"auth_time": testNow.Unix(),
		"iat":       testNow.Unix(),
		"exp":       testNow.Add(time.Hour).Unix(),
		"email":     "ada@example.com",
	}
}

// accessClaims returns the claims of a valid access token at testNow.
func accessClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub":       "11111111-2222-3333-4444-555555555555",
		"iss":       testIssuer,
		"client_id": DevClientID,
		"token_use": TokenUseAccess,
		"scope":     "aws.cognito.signin.user.admin",
		"iat":       testNow.Unix(),
		"exp":       testNow.Add(time.Hour).Unix(),
	}
}

// with returns a copy of claims with changes applied; a nil value deletes
// the claim.
func with(claims jwt.MapClaims, changes jwt.MapClaims) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// signWith signs claims with key under method, with header kid unless it
// is empty.
func signWith(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	signed, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("sign token: %v", err)
	}
	return signed
}

func TestVerifierVerify(t *testing.T) {
	pool := newSharedPool(t, testIssuer)
	verifier := NewVerifier(Config{Issuer: testIssuer, ClientID: DevClientID, Keys: pool.KeySet(), Now: func() time.Time { return testNow }})

	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	sign := func(claims jwt.MapClaims) string {
		token, err := pool.Sign(claims)
		if err != nil {
			t.Fatalf("Sign() error = %v", err)
		}
		return token
	}

	tampered := func() string {
		// A valid token's header and signature around another payload.
		valid := strings.Split(sign(idClaims()), ".")
		payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"someone-else","iss":"` + testIssuer + `","aud":"` + DevClientID + `","token_use":"id","exp":9999999999}`))
		return valid[0] + "." + payload + "." + valid[2]
	}

	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{name: "id token", token: sign(idClaims())},
		{name: "access token", token: sign(accessClaims())},
		{name: "audience list with client", token: sign(with(idClaims(), jwt.MapClaims{"aud": []string{"other", DevClientID}}))},
		{name: "expired", token: sign(with(idClaims(), jwt.MapClaims{"exp": testNow.Add(-time.Second).Unix()})), wantErr: ErrTokenExpired},
		{name: "expires now", token: sign(with(idClaims(), jwt.MapClaims{"exp": testNow.Unix()})), wantErr: ErrTokenExpired},
		{name: "no exp", token: sign(with(idClaims(), jwt.MapClaims{"exp": nil})), wantErr: ErrTokenInvalid},
		{name: "not yet valid", token: sign(with(idClaims(), jwt.MapClaims{"nbf": testNow.Add(time.Minute).Unix()})), wantErr: ErrTokenInvalid},
		{name: "other key same kid", token: signWith(t, jwt.SigningMethodRS256, otherKey, pool.kid, idClaims()), wantErr: ErrTokenInvalid},
		{name: "other key own kid", token: signWith(t, jwt.SigningMethodRS256, otherKey, "other-kid", idClaims()), wantErr: ErrTokenInvalid},
		{name: "tampered payload", token: tampered(), wantErr: ErrTokenInvalid},
		{name: "no kid", token: signWith(t, jwt.SigningMethodRS256, pool.key, "", idClaims()), wantErr: ErrTokenInvalid},
		{name: "rs512", token: signWith(t, jwt.SigningMethodRS512, pool.key, pool.kid, idClaims()), wantErr: ErrTokenInvalid},
		{name: "hs256 with public key", token: signWith(t, jwt.SigningMethodHS256, []byte(pool.jwks), pool.kid, idClaims()), wantErr: ErrTokenInvalid},
		{name: "alg none", token: signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, pool.kid, idClaims()), wantErr: ErrTokenInvalid},
		{name: "wrong issuer", token: sign(with(idClaims(), jwt.MapClaims{"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OTHER"})), wantErr: ErrTokenInvalid},
		{name: "no issuer", token: sign(with(idClaims(), jwt.MapClaims{"iss": nil})), wantErr: ErrTokenInvalid},
		{name: "wrong audience", token: sign(with(idClaims(), jwt.MapClaims{"aud": "another-client"})), wantErr: ErrTokenInvalid},
		{name: "id token without aud", token: sign(with(idClaims(), jwt.MapClaims{"aud": nil, "client_id": DevClientID})), wantErr: ErrTokenInvalid},
		{name: "access token wrong client", token: sign(with(accessClaims(), jwt.MapClaims{"client_id": "another-client"})), wantErr: ErrTokenInvalid},
		{name: "access token with aud only", token: sign(with(accessClaims(), jwt.MapClaims{"client_id": nil, "aud": DevClientID})), wantErr: ErrTokenInvalid},
		{name: "refresh token use", token: sign(with(idClaims(), jwt.MapClaims{"token_use": "refresh"})), wantErr: ErrTokenInvalid},
		{name: "no token use", token: sign(with(idClaims(), jwt.MapClaims{"token_use": nil})), wantErr: ErrTokenInvalid},
		{name: "malformed", token: "not-a-jwt", wantErr: ErrTokenInvalid},
		{name: "empty", token: "", wantErr: ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := verifier.Verify(t.Context(), tt.token)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify() error = %v, want nil", err)
				}
				if claims["sub"] != "11111111-2222-3333-4444-555555555555" {
					t.Errorf("sub = %v, want the token's", claims["sub"])
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify() error = %v, want %v", err, tt.wantErr)
			}
			if claims != nil {
				t.Errorf("claims = %v, want nil with an error", claims)
			}
		})
	}
}

func TestVerifierErrorOmitsToken(t *testing.T) {
	pool := newSharedPool(t, testIssuer)
	verifier := NewVerifier(Config{Issuer: testIssuer, ClientID: "another-client", Keys: pool.KeySet(), Now: func() time.Time { return testNow }})
	token, err := pool.Sign(idClaims())
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}

	_, err = verifier.Verify(t.Context(), token)
	if err == nil {
		t.Fatal("Verify() error = nil, want a wrong-audience error")
	}
	for _, part := range strings.Split(token, ".") {
		if strings.Contains(err.Error(), part) {
			t.Errorf("error %q contains part of the token", err)
		}
	}
}

func TestVerifierClaimsKeepNumbers(t *testing.T) {
	pool := newSharedPool(t, testIssuer)
	verifier := NewVerifier(Config{Issuer: testIssuer, ClientID: DevClientID, Keys: pool.KeySet(), Now: func() time.Time { return testNow }})
	token, err := pool.Sign(idClaims())
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}

	claims, err := verifier.Verify(t.Context(), token)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if got := claims.REST()["auth_time"]; got != "1700000000" {
		t.Errorf("auth_time = %q, want the issued digits 1700000000", got)
	}
}
