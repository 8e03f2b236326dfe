package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/uuid"

	"github.com/serverless-profile/profile-service/internal/authorizer"
)

// MaxPayloadSize is the largest request body that the local API passes to
// the function, API Gateway's payload limit of 10 MB. A larger body gets
// 413.
const MaxPayloadSize = 10 << 20

// Function is the handler that the local API invokes with a REST API event:
// the *gateway.Handler that the Lambda entry point also runs.
type Function interface {
	Handle(ctx context.Context, event json.RawMessage) (events.APIGatewayProxyResponse, error)
}

// Verifier checks a bearer token and returns its claims;
// *authorizer.Verifier implements it. Its errors wrap
// authorizer.ErrTokenExpired or authorizer.ErrTokenInvalid.
type Verifier interface {
	Verify(ctx context.Context, token string) (authorizer.Claims, error)
}

// Config is the configuration of a Server.
type Config struct {
	// API holds the routes, stage and timeout from the template.
	API API
	// Function is invoked for every request that passes the authorizer.
	Function Function
	// Verifier checks the tokens of authorized routes.
	Verifier Verifier
	// JWKSPath, when set, is the path at which the server responds to GET
	// with JWKS, the development pool's public keys.
	JWKSPath string
	JWKS     []byte
	// AllowedOrigins are the function's ALLOWED_ORIGINS. Gateway responses
	// whose template header Access-Control-Allow-Origin is computed send
	// the first of them.
	AllowedOrigins []string
	// Log receives one line per request.
	Log *slog.Logger
}

// Server is an http.Handler that serves a function as API Gateway's REST
// API does: it matches the template's routes, applies the Cognito
// authorizer, invokes the function with a payload 1.0 event and writes its
// proxy response. It is safe for concurrent use.
type Server struct {
	cfg Config
}

// New returns a server for cfg.
func New(cfg Config) *Server {
	return &Server{cfg: cfg}
}

// outcome is the status and reason that the log line of a request
// records.
type outcome struct {
	status int
	// failure is the reason for a gateway response, or empty.
	failure string
}

// ServeHTTP serves one request and logs one line: method, path, status,
// latency, the API Gateway request id and, for a gateway response, its
// reason. Neither tokens nor bodies are logged.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := uuid.NewString()
	w.Header()["x-amzn-RequestId"] = []string{requestID}

	out := s.serve(w, r, requestID, start)

	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", out.status),
		slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("request_id", requestID),
	}
	if out.failure != "" {
		attrs = append(attrs, slog.String("error", out.failure))
	}
	s.cfg.Log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// serve runs API Gateway's steps in order: route, authorizer, payload
// size, then the function.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, requestID string, received time.Time) outcome {
	if s.cfg.JWKSPath != "" && r.URL.Path == s.cfg.JWKSPath && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.cfg.JWKS)
		return outcome{status: http.StatusOK}
	}

	route, params, ok := s.cfg.API.Match(r.Method, r.URL.Path)
	if !ok {
		// API Gateway responds to a method or path that the API lacks as if
		// a SigV4 signature were missing.
		return s.writeGatewayResponse(w, missingTokenResponse, "no route for this method and path")
	}

	var claims map[string]string
	if route.Authorized {
		verified, out, ok := s.authorize(w, r)
		if !ok {
			return out
		}
		claims = verified.REST()
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadSize+1))
	if err != nil {
		return s.writeGatewayResponse(w, badBodyResponse, "read request body: "+err.Error())
	}
	if len(body) > MaxPayloadSize {
		return s.writeGatewayResponse(w, tooLargeResponse, fmt.Sprintf("body over %d bytes", MaxPayloadSize))
	}

	event := newEvent(r, invocation{
		route:     route,
		params:    params,
		stage:     s.cfg.API.Stage,
		requestID: requestID,
		claims:    claims,
		body:      body,
		received:  received,
	})
	return s.invoke(w, r, event)
}

// authorize applies the Cognito authorizer. It writes the 401 itself and
// returns false when the token is missing or fails verification.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (authorizer.Claims, outcome, bool) {
	token := bearerToken(r.Header.Get("Authorization"))
	if token == "" {
		return nil, s.writeGatewayResponse(w, unauthorizedResponse, "no Authorization header"), false
	}

	claims, err := s.cfg.Verifier.Verify(r.Context(), token)
	if errors.Is(err, authorizer.ErrTokenExpired) {
		return nil, s.writeGatewayResponse(w, expiredTokenResponse, err.Error()), false
	}
	if err != nil {
		return nil, s.writeGatewayResponse(w, unauthorizedResponse, err.Error()), false
	}
	return claims, outcome{}, true
}

// bearerToken returns the token of an Authorization header: the value
// after "Bearer " (the scheme in any case), or the whole value, since the
// REST API's Cognito authorizer accepts a bare token too.
func bearerToken(header string) string {
	header = strings.TrimSpace(header)
	if scheme, token, ok := strings.Cut(header, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	return header
}

// invoke runs the function as Lambda would, with a Lambda request id and
// the template's timeout as the deadline, and writes its response.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request, event restEvent) outcome {
	payload, err := json.Marshal(event)
	if err != nil {
		return s.writeGatewayResponse(w, serverErrorResponse, "encode event: "+err.Error())
	}

	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.API.Timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: uuid.NewString()})

	resp, err := s.cfg.Function.Handle(ctx, payload)
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return s.writeGatewayResponse(w, badGatewayResponse, fmt.Sprintf("function timed out after %s", s.cfg.API.Timeout))
	case err != nil:
		return s.writeGatewayResponse(w, badGatewayResponse, "function error: "+err.Error())
	}

	if err := writeProxyResponse(w, resp); err != nil {
		return s.writeGatewayResponse(w, badGatewayResponse, "malformed function response: "+err.Error())
	}
	return outcome{status: resp.StatusCode}
}
