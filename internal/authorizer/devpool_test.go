package authorizer

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestOpenDevPoolCreatesKeyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dev-signing-key.pem")

	first, err := OpenDevPool(path, "http://127.0.0.1:3000/local-user-pool")
	if err != nil {
		t.Fatalf("first OpenDevPool() error = %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}

	second, err := OpenDevPool(path, "http://127.0.0.1:3000/local-user-pool")
	if err != nil {
		t.Fatalf("second OpenDevPool() error = %v", err)
	}
	if !bytes.Equal(first.JWKS(), second.JWKS()) {
		t.Errorf("second open has JWKS %s, want the first's %s", second.JWKS(), first.JWKS())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestOpenDevPoolConcurrentCreators(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev-signing-key.pem")

	const creators = 3
	pools := make([]*DevPool, creators)
	errs := make([]error, creators)
	var wg sync.WaitGroup
	for i := range creators {
		wg.Go(func() {
			pools[i], errs[i] = OpenDevPool(path, "http://127.0.0.1:3000/local-user-pool")
		})
	}
	wg.Wait()

	onDisk, err := OpenDevPool(path, "http://127.0.0.1:3000/local-user-pool")
	if err != nil {
		t.Fatalf("OpenDevPool() after the race error = %v", err)
	}
	for i := range creators {
		if errs[i] != nil {
			t.Fatalf("creator %d error = %v", i, errs[i])
		}
		if pools[i].kid != onDisk.kid {
			t.Errorf("creator %d uses kid %s, want the key on disk, %s", i, pools[i].kid, onDisk.kid)
		}
	}
}

func TestOpenDevPoolRejectsBadKeyFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{name: "not pem", content: "hello"},
		{name: "wrong block", content: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
		{name: "bad der", content: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.pem")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := OpenDevPool(path, "http://127.0.0.1:3000/local-user-pool"); err == nil {
				t.Error("OpenDevPool() error = nil, want an error for a bad key file")
			}
		})
	}
}

func TestDevPoolJWKS(t *testing.T) {
	pool := newSharedPool(t, testIssuer)

	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(pool.JWKS(), &set); err != nil {
		t.Fatalf("JWKS is not JSON: %v", err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys, want 1", len(set.Keys))
	}
	key := set.Keys[0]
	for name, want := range map[string]any{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": pool.kid, "e": "AQAB"} {
		if key[name] != want {
			t.Errorf("JWK %s = %v, want %v", name, key[name], want)
		}
	}
	if _, ok := key["d"]; ok {
		t.Error("JWKS contains the private exponent d")
	}
}

func TestDevPoolIDToken(t *testing.T) {
	const issuer = "http://127.0.0.1:3000/local-user-pool"
	pool := newSharedPool(t, issuer)
	issuedAt := time.Now().Truncate(time.Second)

	token, err := pool.IDToken(User{Sub: "11111111-2222-3333-4444-555555555555", Email: "ada@example.com"}, issuedAt, time.Hour)
	if err != nil {
		t.Fatalf("IDToken() error = %v", err)
	}
	claims, err := pool.Verifier().Verify(t.Context(), token)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}

	rest := claims.REST()
	want := map[string]string{
		"sub":              "11111111-2222-3333-4444-555555555555",
		"cognito:username": "11111111-2222-3333-4444-555555555555",
		"iss":              issuer,
		"aud":              DevClientID,
		"token_use":        "id",
		"email":            "ada@example.com",
		"email_verified":   "true",
		"auth_time":        strconv.FormatInt(issuedAt.Unix(), 10),
		"exp":              issuedAt.Add(time.Hour).UTC().Format(restTimeLayout),
	}
	for name, value := range want {
		if rest[name] != value {
			t.Errorf("claim %s = %q, want %q", name, rest[name], value)
		}
	}
	for _, name := range []string{"jti", "origin_jti", "event_id", "iat"} {
		if rest[name] == "" {
			t.Errorf("claim %s is missing", name)
		}
	}

	header, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		t.Fatalf("parse header: %v", err)
	}
	if _, ok := header.Header["typ"]; ok {
		t.Error("header has typ, which Cognito's tokens do not")
	}
}

func TestDevPoolIDTokenWithoutEmail(t *testing.T) {
	pool := newSharedPool(t, testIssuer)
	token, err := pool.IDToken(User{Sub: "11111111-2222-3333-4444-555555555555"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatalf("IDToken() error = %v", err)
	}
	claims, err := pool.Verifier().Verify(t.Context(), token)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if _, ok := claims["email"]; ok {
		t.Error("token has an email claim, want none")
	}
	if _, ok := claims["email_verified"]; ok {
		t.Error("token has email_verified, want none without email")
	}
}

func TestDevPoolIDTokenRejectsBadInput(t *testing.T) {
	pool := newSharedPool(t, testIssuer)
	tests := []struct {
		name string
		user User
		ttl  time.Duration
	}{
		{name: "empty sub", user: User{}, ttl: time.Hour},
		{name: "zero ttl", user: User{Sub: "a"}, ttl: 0},
		{name: "negative ttl", user: User{Sub: "a"}, ttl: -time.Minute},
		{name: "ttl over a day", user: User{Sub: "a"}, ttl: MaxDevTokenTTL + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pool.IDToken(tt.user, time.Now(), tt.ttl); err == nil {
				t.Error("IDToken() error = nil, want an error")
			}
		})
	}
}

func TestThumbprintRFC7638Example(t *testing.T) {
	// The example key and thumbprint of RFC 7638, section 3.1.
	modulus, err := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	if err != nil {
		t.Fatalf("decode modulus: %v", err)
	}

	got := thumbprint(&rsa.PublicKey{N: new(big.Int).SetBytes(modulus), E: 65537})
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint = %s, want %s", got, want)
	}
}
