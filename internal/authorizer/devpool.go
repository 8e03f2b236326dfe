package authorizer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Names of the development user pool.
const (
	// DevPoolID is the pool ID, the last path segment of the issuer.
	DevPoolID = "local-user-pool"
	// DevClientID is the app client ID, the aud of its ID tokens.
	DevClientID = "local-app-client"
)

// devKeyBits is the size of the development signing key, the size of
// Cognito's own RS256 keys.
const devKeyBits = 2048

// MaxDevTokenTTL is the longest lifetime of a development ID token, the
// longest ID token validity that Cognito allows (one day).
const MaxDevTokenTTL = 24 * time.Hour

// DevIssuer returns the issuer of the development pool served at baseURL,
// such as http://127.0.0.1:3000. Its JWKS is at the returned URL plus
// /.well-known/jwks.json, where Cognito puts a pool's.
func DevIssuer(baseURL string) string {
	return strings.TrimSuffix(baseURL, "/") + "/" + DevPoolID
}

// DevPool is a development user pool: an RSA signing key kept in a PEM
// file, the JWKS with its public key, and ID tokens signed with it. It is
// safe for concurrent use.
type DevPool struct {
	issuer string
	key    *rsa.PrivateKey
	kid    string
	keys   keyfunc.Keyfunc
	jwks   []byte
}

// OpenDevPool returns the development pool of issuer, whose signing key is
// in the PKCS #8 PEM file keyPath. When the file does not exist,
// OpenDevPool creates it with a new 2048-bit key, readable by the owner
// alone. When two processes create it at once, both use the key that
// reached the disk first. It returns an error when the file cannot be
// read, written or parsed, or does not contain an RSA key of at least 2048
// bits.
func OpenDevPool(keyPath, issuer string) (*DevPool, error) {
	key, err := loadOrCreateKey(keyPath)
	if err != nil {
		return nil, err
	}

	kid := thumbprint(&key.PublicKey)
	jwk, err := jwkset.NewJWKFromKey(&key.PublicKey, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{ALG: jwkset.AlgRS256, KID: kid, USE: jwkset.UseSig},
	})
	if err != nil {
		return nil, fmt.Errorf("build JWK of %s: %w", keyPath, err)
	}
	storage := jwkset.NewMemoryStorage()
	if err := storage.KeyWrite(context.Background(), jwk); err != nil {
		return nil, fmt.Errorf("store JWK of %s: %w", keyPath, err)
	}
	jwks, err := storage.JSONPublic(context.Background())
	if err != nil {
		return nil, fmt.Errorf("encode JWKS of %s: %w", keyPath, err)
	}
	keys, err := keyfunc.New(keyfunc.Options{Storage: storage})
	if err != nil {
		return nil, fmt.Errorf("build key set of %s: %w", keyPath, err)
	}

	return &DevPool{issuer: issuer, key: key, kid: kid, keys: keys, jwks: jwks}, nil
}

// Issuer returns the iss of the pool's tokens.
func (p *DevPool) Issuer() string { return p.issuer }

// KeySet returns the pool's public key as a key set for [Config].
func (p *DevPool) KeySet() KeySet { return p.keys }

// JWKS returns the JSON Web Key Set with the pool's public key.
func (p *DevPool) JWKS() []byte { return p.jwks }

// Verifier returns a verifier that accepts the pool's tokens for
// [DevClientID].
func (p *DevPool) Verifier() *Verifier {
	return NewVerifier(Config{Issuer: p.issuer, ClientID: DevClientID, Keys: p.keys})
}

// User is a test user of the development pool.
type User struct {
	// Sub is the user's immutable id, the profile's key.
	Sub string
	// Email is left out of the token when empty.
	Email string
}

// IDToken returns an ID token for u, issued at issuedAt and valid for ttl,
// with the claims that Cognito puts in the ID token of a user pool whose
// users sign in with their email address. It returns an error when u.Sub is
// empty or ttl is not between zero and [MaxDevTokenTTL].
func (p *DevPool) IDToken(u User, issuedAt time.Time, ttl time.Duration) (string, error) {
	if u.Sub == "" {
		return "", errors.New("missing sub: set it to the test user's id, such as a UUID")
	}
	if ttl <= 0 || ttl > MaxDevTokenTTL {
		return "", fmt.Errorf("invalid token lifetime %s: must be more than 0 and at most %s", ttl, MaxDevTokenTTL)
	}

	claims := jwt.MapClaims{
		"sub":              u.Sub,
		"iss":              p.issuer,
		"aud":              DevClientID,
		"token_use":        TokenUseID,
		"cognito:username": u.Sub,
		"auth_time":        issuedAt.Unix(),
		"iat":              issuedAt.Unix(),
		"exp":              issuedAt.Add(ttl).Unix(),
		"jti":              uuid.NewString(),
		"origin_jti":       uuid.NewString(),
		"event_id":         uuid.NewString(),
	}
	if u.Email != "" {
		claims["email"] = u.Email
		claims["email_verified"] = true
	}
	return p.Sign(claims)
}

// Sign returns a token with claims, signed with RS256 by the pool's key and
// naming its kid. It checks nothing, so tests can build tokens that a
// verifier must reject.
func (p *DevPool) Sign(claims jwt.MapClaims) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	token.Header["kid"] = p.kid
	// Cognito's token headers carry kid and alg only.
	delete(token.Header, "typ")
	signed, err := token.SignedString(p.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// loadOrCreateKey writes a new key to a temporary file and links it into
// place, which fails when the file exists, so a concurrent creator's key is
// never overwritten.
func loadOrCreateKey(path string) (*rsa.PrivateKey, error) {
	key, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create directory for the signing key: %w", err)
	}
	key, err = rsa.GenerateKey(rand.Reader, devKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}

	// CreateTemp makes the file with mode 0600.
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create signing key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write signing key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write signing key file: %w", err)
	}

	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		return readKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("save signing key as %s: %w", path, err)
	}
	return key, nil
}

func readKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s is not a PEM file with a PRIVATE KEY block: delete it, and a new key is created", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() < devKeyBits {
		return nil, fmt.Errorf("%s does not hold an RSA key of at least %d bits: delete it, and a new key is created", path, devKeyBits)
	}
	return key, nil
}

// thumbprint returns the RFC 7638 JWK thumbprint of key (SHA-256,
// base64url), a key id that changes whenever the key does.
func thumbprint(key *rsa.PublicKey) string {
	// RFC 7638 hashes the required members in lexical order, without
	// white space.
	members, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		Kty: "RSA",
		N:   base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
	})
	sum := sha256.Sum256(members)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
