package authorizer

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestPoolIssuer(t *testing.T) {
	pool := Pool{Region: "eu-west-1", ID: "eu-west-1_EXAMPLE", ClientID: "1example23456789abcdefghij"}
	if got, want := pool.Issuer(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"; got != want {
		t.Errorf("Issuer() = %q, want %q", got, want)
	}
	if got, want := pool.JWKSURL(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE/.well-known/jwks.json"; got != want {
		t.Errorf("JWKSURL() = %q, want %q", got, want)
	}
}

func TestPoolRegion(t *testing.T) {
	tests := []struct {
		name   string
		poolID string
		want   string
		wantOK bool
	}{
		{name: "region prefix", poolID: "eu-west-1_EXAMPLE", want: "eu-west-1", wantOK: true},
		{name: "no underscore", poolID: "EXAMPLE", wantOK: false},
		{name: "empty region", poolID: "_EXAMPLE", wantOK: false},
		{name: "empty id", poolID: "eu-west-1_", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PoolRegion(tt.poolID)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("PoolRegion(%q) = %q, %v; want %q, %v", tt.poolID, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// jwksServer serves one JWKS at a time on loopback and counts its
// requests.
type jwksServer struct {
	mu       sync.Mutex
	jwks     []byte
	requests int
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.jwks == nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.jwks)
}

func (s *jwksServer) serve(jwks []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jwks = jwks
}

func (s *jwksServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func TestRemoteKeySetRefreshesOnUnknownKID(t *testing.T) {
	first := newTestPool(t, testIssuer)
	rotated := newTestPool(t, testIssuer)
	unknown := newTestPool(t, testIssuer)
	jwks := &jwksServer{jwks: first.JWKS()}
	server := httptest.NewServer(jwks)
	t.Cleanup(server.Close)

	keys, err := NewRemoteKeySet(t.Context(), server.URL+"/jwks.json", server.Client(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("NewRemoteKeySet() error = %v", err)
	}
	verifier := NewVerifier(Config{Issuer: testIssuer, ClientID: DevClientID, Keys: keys, Now: func() time.Time { return testNow }})
	verify := func(pool *DevPool) error {
		t.Helper()
		token, err := pool.Sign(idClaims())
		if err != nil {
			t.Fatalf("Sign() error = %v", err)
		}
		_, err = verifier.Verify(t.Context(), token)
		return err
	}

	if err := verify(first); err != nil {
		t.Fatalf("token of the first key: Verify() error = %v", err)
	}
	if got := jwks.count(); got != 1 {
		t.Errorf("JWKS fetched %d times after a known kid, want 1 (cached)", got)
	}

	jwks.serve(rotated.JWKS())
	if err := verify(rotated); err != nil {
		t.Fatalf("token of the rotated key: Verify() error = %v", err)
	}
	if got := jwks.count(); got != 2 {
		t.Errorf("JWKS fetched %d times after the rotation, want 2", got)
	}

	// A second unknown kid within the minute is rejected without a fetch.
	if err := verify(unknown); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("token of an unknown key: Verify() error = %v, want ErrTokenInvalid", err)
	}
	if got := jwks.count(); got != 2 {
		t.Errorf("JWKS fetched %d times after a second unknown kid, want still 2", got)
	}
}

func TestRemoteKeySetFirstFetchFails(t *testing.T) {
	server := httptest.NewServer(&jwksServer{})
	t.Cleanup(server.Close)

	_, err := NewRemoteKeySet(t.Context(), server.URL+"/jwks.json", server.Client(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Error("NewRemoteKeySet() error = nil, want an error when the JWKS is unavailable")
	}
}
