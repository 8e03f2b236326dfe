package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Names of the shared responses under components/responses that describe
// the response to a request for which the description has no operation.
const (
	// NotFoundResponse is the response to a request for a path that the
	// description does not have.
	NotFoundResponse = "NotFound"
	// MethodNotAllowedResponse is the response to a method that the path
	// does not have.
	MethodNotAllowedResponse = "MethodNotAllowed"
	// BadRequestResponse is the response to input that is not an HTTP
	// request at all, such as a Lambda event of another kind.
	BadRequestResponse = "BadRequest"
)

// ValidateExchange checks one request and the response that the service
// sent to it. It returns nil when both match the description, or an error
// that lists the mismatches it found.
//
// The request is checked only when the status is 2xx or 304. Tests also
// send requests that are invalid on purpose (an unknown method, bad JSON,
// a wrong Content-Type, a body that is too large, no token) to see them
// rejected, and the description rightly does not allow those requests. A
// request that the service accepted, on the other hand, must be one that
// the description allows, or the description is stricter than the service.
// The response is always checked, as [Spec.ValidateResponse] does.
func (s *Spec) ValidateExchange(ctx context.Context, req *http.Request, resp *http.Response) error {
	if accepted(resp.StatusCode) {
		if err := s.validateRequest(ctx, req); err != nil {
			return fmt.Errorf("%s %s returned %d, but the request does not match the description: %w", req.Method, req.URL.Path, resp.StatusCode, err)
		}
	}
	return s.ValidateResponse(ctx, req, resp)
}

// ValidateResponse checks the response that the service sent to req; req
// itself is not checked. It returns nil when the response matches the
// description, or an error that lists the mismatches it found.
//
// When the description has an operation for the request's path and
// method, the response's status must be one of the operation's responses.
// Otherwise the response must be the shared NotFoundResponse (404) for an
// unknown path, or MethodNotAllowedResponse (405) for an unknown method.
// Method names are case-sensitive.
//
// Every header other than Content-Type must be declared for the status,
// and required headers must be present. Header values must match their
// schemas. A body must be present exactly when the response declares
// content, with a declared media type and a matching schema.
// openapi3filter.ValidateResponse then runs as well, where it applies. On
// its own it would accept undeclared statuses and headers, and it skips 304
// responses.
func (s *Spec) ValidateResponse(ctx context.Context, req *http.Request, resp *http.Response) error {
	body, err := readBody(&resp.Body)
	if err != nil {
		return fmt.Errorf("read response body: %w", err)
	}

	route, name := s.route(req)
	switch name {
	case NotFoundResponse:
		return s.validateShared(NotFoundResponse, http.StatusNotFound, resp, body)
	case MethodNotAllowedResponse:
		return s.validateShared(MethodNotAllowedResponse, http.StatusMethodNotAllowed, resp, body)
	}

	operation := req.Method + " " + req.URL.Path
	ref := route.Operation.Responses.Status(resp.StatusCode)
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("%s returned %d, which the description does not list for this operation (it lists %s)",
			operation, resp.StatusCode, strings.Join(slices.Sorted(maps.Keys(route.Operation.Responses.Map())), ", "))
	}
	if err := validateResponse(ref.Value, resp, body); err != nil {
		return fmt.Errorf("%s returned %d: %w", operation, resp.StatusCode, err)
	}
	if err := validateResponseWithFilter(ctx, route, req, resp, body); err != nil {
		return fmt.Errorf("%s returned %d: %w", operation, resp.StatusCode, err)
	}
	return nil
}

// route returns the operation of req. When there is none, it returns the
// name of the shared response that describes the response to req instead.
func (s *Spec) route(req *http.Request) (*routers.Route, string) {
	pathItem := s.doc.Paths.Find(req.URL.Path)
	if pathItem == nil {
		return nil, NotFoundResponse
	}
	op := pathItem.Operations()[req.Method]
	if op == nil {
		return nil, MethodNotAllowedResponse
	}
	return &routers.Route{Spec: s.doc, Path: req.URL.Path, PathItem: pathItem, Method: req.Method, Operation: op}, ""
}

// ValidateSharedResponse checks that resp has the status and matches the
// response called name under components/responses, as
// [Spec.ValidateResponse] checks a response to a request without an
// operation.
func (s *Spec) ValidateSharedResponse(name string, status int, resp *http.Response) error {
	body, err := readBody(&resp.Body)
	if err != nil {
		return fmt.Errorf("read response body: %w", err)
	}
	return s.validateShared(name, status, resp, body)
}

func (s *Spec) validateShared(name string, status int, resp *http.Response, body []byte) error {
	if resp.StatusCode != status {
		return fmt.Errorf("a request without an operation in the description got %d, want %d (components/responses/%s)", resp.StatusCode, status, name)
	}
	ref := s.doc.Components.Responses[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("the description has no components/responses/%s", name)
	}
	if err := validateResponse(ref.Value, resp, body); err != nil {
		return fmt.Errorf("response %d does not match components/responses/%s: %w", resp.StatusCode, name, err)
	}
	return nil
}

// accepted reports whether status means that the service accepted the
// request.
func accepted(status int) bool {
	return status/100 == 2 || status == http.StatusNotModified
}

// validateRequest checks a request with openapi3filter: its parameters,
// its bearer token, and its body against the operation's content. A
// request without an operation gets an error.
func (s *Spec) validateRequest(ctx context.Context, req *http.Request) error {
	body, err := readBody(&req.Body)
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	route, shared := s.route(req)
	if route == nil {
		return fmt.Errorf("the description has no operation for it, so it gets components/responses/%s", shared)
	}

	input := &openapi3filter.RequestValidationInput{
		Request: withBody(req, body),
		Route:   route,
		Options: &openapi3filter.Options{
			MultiError:                        true,
			AuthenticationFunc:                requireBearerToken,
			RejectWhenRequestBodyNotSpecified: true,
			// JSON Schema 2020-12 lets the owner of a read-only value ignore
			// an attempt to set it, and a PUT does: a client may send back
			// the profile that it read. A PATCH lists no read-only members
			// at all, so it still rejects them.
			ExcludeReadOnlyValidations: true,
		},
	}
	return openapi3filter.ValidateRequest(ctx, input)
}

// requireBearerToken checks only that the request carries a bearer token,
// because the Cognito authorizer verifies the token before the function
// runs.
func requireBearerToken(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme := in.SecurityScheme
	if scheme.Type != "http" || !strings.EqualFold(scheme.Scheme, "bearer") {
		return fmt.Errorf("security scheme %s is %s %s, but only HTTP bearer is supported", in.SecuritySchemeName, scheme.Type, scheme.Scheme)
	}
	auth := in.RequestValidationInput.Request.Header.Get("Authorization")
	kind, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(kind, "Bearer") || strings.TrimSpace(token) == "" {
		return errors.New("the Authorization header carries no bearer token")
	}
	return nil
}

// validateResponse checks the headers and the body of resp against want.
func validateResponse(want *openapi3.Response, resp *http.Response, body []byte) error {
	return errors.Join(validateHeaders(want, resp.Header), validateBody(want, resp.Header, body))
}

// validateHeaders checks that every header but Content-Type is declared,
// that required headers are present, and that values match their schemas.
func validateHeaders(want *openapi3.Response, header http.Header) error {
	var errs []error
	declared := map[string]bool{}
	for name := range want.Headers {
		declared[http.CanonicalHeaderKey(name)] = true
	}

	for _, name := range slices.Sorted(maps.Keys(header)) {
		if name != "Content-Type" && !declared[name] {
			errs = append(errs, fmt.Errorf("header %s is not declared for this status", name))
		}
	}

	for _, name := range slices.Sorted(maps.Keys(want.Headers)) {
		h := want.Headers[name].Value
		values := header.Values(name)
		if len(values) == 0 {
			if h.Required {
				errs = append(errs, fmt.Errorf("required header %s is missing", name))
			}
			continue
		}
		if err := validateHeaderValue(h, strings.Join(values, ", ")); err != nil {
			errs = append(errs, fmt.Errorf("header %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// validateHeaderValue checks one header value against the header's schema,
// read as an integer where the schema wants one.
func validateHeaderValue(h *openapi3.Header, value string) error {
	if h.Schema == nil || h.Schema.Value == nil {
		return nil
	}
	schema := h.Schema.Value

	var v any = value
	if schema.Type.Is(openapi3.TypeInteger) {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("value %q is not an integer", value)
		}
		v = n
	}
	return schema.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())
}

// validateBody checks that a body is present exactly when want declares
// content, and that it matches the schema of its media type.
func validateBody(want *openapi3.Response, header http.Header, body []byte) error {
	if len(want.Content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("the response has a body of %d bytes, but the description declares none", len(body))
		}
		return nil
	}
	if len(body) == 0 {
		return errors.New("the response has no body, but the description declares one")
	}

	contentType := header.Get("Content-Type")
	media := want.Content.Get(contentType)
	if media == nil {
		return fmt.Errorf("Content-Type %q is not declared; the description has %s", contentType, strings.Join(slices.Sorted(maps.Keys(want.Content)), ", "))
	}
	if media.Schema == nil || media.Schema.Value == nil {
		return nil
	}

	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	if err := media.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("the body does not match the schema: %w", err)
	}
	return nil
}

// validateResponseWithFilter runs openapi3filter.ValidateResponse, which
// ignores 304 responses and responses to HEAD.
func validateResponseWithFilter(ctx context.Context, route *routers.Route, req *http.Request, resp *http.Response, body []byte) error {
	options := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: options},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                options,
	}
	input.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, input)
}

// readBody reads *body to the end and replaces it with a reader of the same
// bytes, so the caller can still read it. A nil body reads as empty.
func readBody(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// withBody returns a shallow copy of req that reads body.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return r
}
