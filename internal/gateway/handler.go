package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// Resource is the path of the one resource: the caller's own profile.
const Resource = "/profile"

// MaxBodySize is the largest request body, in bytes after base64 decoding,
// that the handler reads; a larger one gets 413.
const MaxBodySize = 16 << 10

// Defaults of Config's time limits.
const (
	DefaultDeadlineMargin = 500 * time.Millisecond
	DefaultTimeout        = 10 * time.Second
)

// Store is the part of the profile store that the handler calls; *store.Store
// implements it. Its methods return the errors of package profile.
type Store interface {
	Get(ctx context.Context, sub string) (profile.Profile, error)
	Put(ctx context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error)
	Patch(ctx context.Context, sub string, changes []profile.Change, pc profile.Precondition) (profile.Profile, error)
	Delete(ctx context.Context, sub string, pc profile.Precondition) error
}

// Config holds the handler's settings. The zero value is usable: no CORS,
// no required If-Match, and the default time limits.
type Config struct {
	// AllowedOrigins are the origins that get CORS headers, such as
	// "https://app.example.com". Empty means no CORS headers.
	AllowedOrigins []string
	// RequireIfMatch makes writes without If-Match fail with 428, except a
	// PUT with "If-None-Match: *".
	RequireIfMatch bool
	// DeadlineMargin is the time kept free before the invocation's
	// deadline, so that a slow store still leaves time to respond with 503.
	DeadlineMargin time.Duration
	// Timeout bounds the store calls of a request whose context has no
	// deadline, as in local runs and tests.
	Timeout time.Duration
}

// Handler serves the profile API to API Gateway. It is safe for concurrent
// use.
type Handler struct {
	store Store
	cfg   Config
	log   *slog.Logger
}

// New returns a handler that keeps profiles in store and writes one log
// line per request to log.
func New(store Store, cfg Config, log *slog.Logger) *Handler {
	if cfg.DeadlineMargin <= 0 {
		cfg.DeadlineMargin = DefaultDeadlineMargin
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Handler{store: store, cfg: cfg, log: log}
}

// Handle responds to one API Gateway event, of payload format 1.0 or 2.0, with
// a proxy response. Its error is always nil: every failure, panics
// included, becomes a problem document, since API Gateway would turn an
// error into a bare 502.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (resp events.APIGatewayProxyResponse, _ error) {
	start := time.Now()
	r := &request{}
	var failure error

	defer func() {
		if v := recover(); v != nil {
			failure = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			resp = h.fail(r, failure)
		}
		h.logRequest(ctx, r, resp.StatusCode, failure, time.Since(start))
	}()

	decoded, err := decodeEvent(event)
	if err != nil {
		failure = err
		return h.fail(r, reject(http.StatusBadRequest, "The event is not an API Gateway proxy event.")), nil
	}
	r = decoded
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		r.requestID = lc.AwsRequestID
	}

	resp, failure = h.serve(ctx, r)
	if failure != nil {
		return h.fail(r, failure), nil
	}
	return resp, nil
}

// serve routes a request and runs it. Checks that need only the event come
// first, in this order: route, preflight, method, caller.
func (h *Handler) serve(ctx context.Context, r *request) (events.APIGatewayProxyResponse, error) {
	if r.route != Resource {
		return events.APIGatewayProxyResponse{}, reject(http.StatusNotFound, "There is no such resource; the API has one, /profile.")
	}
	if r.method == http.MethodOptions {
		return h.preflight(r), nil
	}
	switch r.method {
	case http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return events.APIGatewayProxyResponse{}, reject(http.StatusMethodNotAllowed, "The method is not allowed on /profile; see Allow.")
	}

	sub, ok := subject(r.authorizer)
	if !ok {
		return events.APIGatewayProxyResponse{}, reject(http.StatusUnauthorized, "The request has no verified sub claim; send a valid bearer token.")
	}
	r.sub = sub

	ctx, cancel := h.budget(ctx)
	defer cancel()
	switch r.method {
	case http.MethodGet:
		return h.get(ctx, r)
	case http.MethodPut:
		return h.put(ctx, r)
	case http.MethodPatch:
		return h.patch(ctx, r)
	default:
		return h.delete(ctx, r)
	}
}

func (h *Handler) get(ctx context.Context, r *request) (events.APIGatewayProxyResponse, error) {
	p, err := h.store.Get(ctx, r.sub)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	if notModified(r, p.Version) {
		return h.respond(r, http.StatusNotModified, nil, p.ETag()), nil
	}
	return h.profileResponse(r, http.StatusOK, p)
}

func (h *Handler) put(ctx context.Context, r *request) (events.APIGatewayProxyResponse, error) {
	body, pc, err := h.writeRequest(r, "application/json")
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	p, err := profile.ParseReplacement(body)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}

	saved, created, err := h.store.Put(ctx, r.sub, p, pc)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return h.profileResponse(r, status, saved)
}

func (h *Handler) patch(ctx context.Context, r *request) (events.APIGatewayProxyResponse, error) {
	body, pc, err := h.writeRequest(r, "application/merge-patch+json", "application/json")
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	changes, err := profile.ParsePatch(body)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}

	saved, err := h.store.Patch(ctx, r.sub, changes, pc)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return h.profileResponse(r, http.StatusOK, saved)
}

func (h *Handler) delete(ctx context.Context, r *request) (events.APIGatewayProxyResponse, error) {
	pc, err := h.precondition(r)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	if err := h.store.Delete(ctx, r.sub, pc); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return h.respond(r, http.StatusNoContent, nil, ""), nil
}

// writeRequest checks what a PUT or PATCH needs before its body is parsed,
// in this order: Content-Type (415), body size (413), preconditions (400,
// 428). It returns the decoded body.
func (h *Handler) writeRequest(r *request, mediaTypes ...string) ([]byte, profile.Precondition, error) {
	if !acceptsContentType(r.header("Content-Type"), mediaTypes) {
		detail := "The Content-Type must be " + strings.Join(mediaTypes, " or ") + "."
		return nil, profile.Precondition{}, reject(http.StatusUnsupportedMediaType, detail)
	}

	body, err := r.decodeBody()
	if err != nil {
		return nil, profile.Precondition{}, reject(http.StatusBadRequest, "The body is marked as base64 but is not valid base64.")
	}
	if len(body) > MaxBodySize {
		return nil, profile.Precondition{}, reject(http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", MaxBodySize))
	}

	pc, err := h.precondition(r)
	return body, pc, err
}

// precondition reads a write's If-Match and If-None-Match, and enforces
// RequireIfMatch.
func (h *Handler) precondition(r *request) (profile.Precondition, error) {
	pc, detail, ok := writePrecondition(r)
	if !ok {
		return pc, reject(http.StatusBadRequest, detail+".")
	}
	creating := r.method == http.MethodPut && pc.IfNoneMatchAny
	if h.cfg.RequireIfMatch && !pc.HasIfMatch() && !creating {
		return pc, reject(http.StatusPreconditionRequired, `Writes need an If-Match header with the profile's ETag; a PUT that creates may send "If-None-Match: *" instead.`)
	}
	return pc, nil
}

// acceptsContentType reports whether header names one of mediaTypes, with
// any parameters but a charset other than UTF-8.
func acceptsContentType(header string, mediaTypes []string) bool {
	mt, params, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false
	}
	for _, want := range mediaTypes {
		if mt == want {
			return true
		}
	}
	return false
}

// budget bounds the store calls: the invocation's deadline less the margin,
// or the default timeout where there is no deadline.
func (h *Handler) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-h.cfg.DeadlineMargin))
	}
	return context.WithTimeout(ctx, h.cfg.Timeout)
}

// fail renders err as a problem document with the common headers.
func (h *Handler) fail(r *request, err error) events.APIGatewayProxyResponse {
	doc, headers, _ := problem(err)
	doc.RequestID = r.requestID
	h.corsHeaders(r, headers, false)
	return problemResponse(doc, headers)
}
