package gateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// request is the part of an API Gateway event that the handler reads, whatever its
// payload version.
type request struct {
	method string
	// route is the resource path that API Gateway matched, such as
	// "/profile" or "/{proxy+}".
	route string
	// routeFromPath is true when route is the raw path, which a client
	// chose and so is not logged.
	routeFromPath bool
	// headers holds every header under its lower-case name, with repeated
	// values joined by ", " as RFC 9110 allows.
	headers   map[string]string
	body      string
	base64    bool
	requestID string
	// authorizer is the raw requestContext.authorizer block, or nil.
	authorizer json.RawMessage
	// sub is the caller, once the claims are read.
	sub string
}

// header returns the value of the header name, in any case.
func (r *request) header(name string) string {
	return r.headers[strings.ToLower(name)]
}

// restEvent is a payload 1.0 event whose authorizer block is kept raw: claim
// values may be of any JSON type, which the typed struct would not accept.
type restEvent struct {
	events.APIGatewayProxyRequest
	RequestContext struct {
		events.APIGatewayProxyRequestContext
		Authorizer json.RawMessage `json:"authorizer"`
	} `json:"requestContext"`
}

// httpEvent is a payload 2.0 event whose authorizer block is kept raw, for
// the same reason: the SDK's struct wants every JWT claim to be a string.
type httpEvent struct {
	events.APIGatewayV2HTTPRequest
	RequestContext struct {
		events.APIGatewayV2HTTPRequestContext
		Authorizer json.RawMessage `json:"authorizer"`
	} `json:"requestContext"`
}

var errInvalidEvent = errors.New("event is not an API Gateway proxy event")

// decodeEvent reads a payload 1.0 or 2.0 event, distinguished by the version
// member that only 2.0 events carry.
func decodeEvent(raw json.RawMessage) (*request, error) {
	var probe struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, errInvalidEvent
	}
	if probe.Version == "2.0" {
		return decodeHTTPEvent(raw)
	}
	return decodeRESTEvent(raw)
}

func decodeRESTEvent(raw json.RawMessage) (*request, error) {
	var e restEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, errInvalidEvent
	}

	headers := make(map[string]string, len(e.MultiValueHeaders)+len(e.Headers))
	for name, values := range e.MultiValueHeaders {
		addHeader(headers, name, strings.Join(values, ", "))
	}
	for name, value := range e.Headers {
		if _, ok := headers[strings.ToLower(name)]; !ok {
			addHeader(headers, name, value)
		}
	}

	route, fromPath := e.Resource, false
	if route == "" {
		route, fromPath = e.Path, true
	}
	return &request{
		method:        e.HTTPMethod,
		route:         route,
		routeFromPath: fromPath,
		headers:       headers,
		body:          e.Body,
		base64:        e.IsBase64Encoded,
		requestID:     e.RequestContext.RequestID,
		authorizer:    e.RequestContext.Authorizer,
	}, nil
}

func decodeHTTPEvent(raw json.RawMessage) (*request, error) {
	var e httpEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, errInvalidEvent
	}

	headers := make(map[string]string, len(e.Headers))
	for name, value := range e.Headers {
		addHeader(headers, name, value)
	}

	route, fromPath := httpRoute(e.RouteKey, e.RawPath, e.RequestContext.Stage)
	return &request{
		method:        e.RequestContext.HTTP.Method,
		route:         route,
		routeFromPath: fromPath,
		headers:       headers,
		body:          e.Body,
		base64:        e.IsBase64Encoded,
		requestID:     e.RequestContext.RequestID,
		authorizer:    e.RequestContext.Authorizer,
	}, nil
}

// httpRoute returns the path of a route key such as "GET /profile". The
// $default route matches any path, so its raw path decides, less the stage
// prefix that a named stage adds.
func httpRoute(routeKey, rawPath, stage string) (route string, fromPath bool) {
	if _, path, ok := strings.Cut(routeKey, " "); ok {
		return path, false
	}
	if stage != "" && stage != "$default" {
		if rest, ok := strings.CutPrefix(rawPath, "/"+stage); ok && strings.HasPrefix(rest, "/") {
			return rest, true
		}
	}
	return rawPath, true
}

func addHeader(headers map[string]string, name, value string) {
	key := strings.ToLower(name)
	if prev, ok := headers[key]; ok {
		value = prev + ", " + value
	}
	headers[key] = value
}

// decodeBody returns the request body as bytes, decoding base64 when API
// Gateway encoded it (for binary media types).
func (r *request) decodeBody() ([]byte, error) {
	if !r.base64 {
		return []byte(r.body), nil
	}
	return base64.StdEncoding.DecodeString(r.body)
}
