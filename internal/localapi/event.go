package localapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Values of the event's requestContext that have no local counterpart.
const (
	// localAccountID is the placeholder account ID that AWS documentation
	// uses.
	localAccountID = "123456789012"
	// localAPIID stands for the REST API's ID.
	localAPIID = "local"
)

// requestTimeLayout is the format of requestContext.requestTime, such as
// "14/Nov/2023:22:15:14 +0000".
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// restEvent is the REST API proxy event, payload format 1.0. It replaces
// two members of the SDK's type so that they encode as API Gateway sends
// them: body is null for a request without a body, and requestContext has
// no authorizer member on a route without an authorizer.
type restEvent struct {
	events.APIGatewayProxyRequest
	Body           *string     `json:"body"`
	RequestContext restContext `json:"requestContext"`
}

type restContext struct {
	events.APIGatewayProxyRequestContext
	Authorizer *restAuthorizer `json:"authorizer,omitempty"`
}

// restAuthorizer is the block that the Cognito user pool authorizer adds:
// the token's claims, every value a string.
type restAuthorizer struct {
	Claims map[string]string `json:"claims"`
}

// invocation holds the parts of an event beyond the HTTP request itself.
type invocation struct {
	route     Route
	params    map[string]string
	stage     string
	requestID string
	// claims are nil on a route without an authorizer.
	claims   map[string]string
	body     []byte
	received time.Time
}

// newEvent builds the event that API Gateway would send for r. Header and
// query values keep their order, and the single-value maps hold the last
// value of a repeated name, as API Gateway's do.
func newEvent(r *http.Request, in invocation) restEvent {
	headers, multiHeaders := eventHeaders(r)
	query, multiQuery := eventQuery(r)
	sourceIP := clientIP(r)

	e := restEvent{
		APIGatewayProxyRequest: events.APIGatewayProxyRequest{
			Resource:                        in.route.Path,
			Path:                            r.URL.Path,
			HTTPMethod:                      r.Method,
			Headers:                         headers,
			MultiValueHeaders:               multiHeaders,
			QueryStringParameters:           query,
			MultiValueQueryStringParameters: multiQuery,
			PathParameters:                  in.params,
		},
		RequestContext: restContext{
			APIGatewayProxyRequestContext: events.APIGatewayProxyRequestContext{
				AccountID:         localAccountID,
				ResourceID:        resourceID(in.route.Path),
				Stage:             in.stage,
				DomainName:        r.Host,
				DomainPrefix:      domainPrefix(r.Host),
				RequestID:         in.requestID,
				ExtendedRequestID: extendedRequestID(),
				Protocol:          r.Proto,
				Identity: events.APIGatewayRequestIdentity{
					SourceIP:  sourceIP,
					UserAgent: r.UserAgent(),
				},
				ResourcePath:     in.route.Path,
				Path:             "/" + in.stage + r.URL.Path,
				HTTPMethod:       r.Method,
				RequestTime:      in.received.UTC().Format(requestTimeLayout),
				RequestTimeEpoch: in.received.UnixMilli(),
				APIID:            localAPIID,
			},
		},
	}
	if in.claims != nil {
		e.RequestContext.Authorizer = &restAuthorizer{Claims: in.claims}
	}
	if len(in.body) > 0 {
		body := string(in.body)
		if !isText(r.Header.Get("Content-Type"), in.body) {
			body = base64.StdEncoding.EncodeToString(in.body)
			e.IsBase64Encoded = true
		}
		e.Body = &body
	}
	return e
}

// eventHeaders returns the request's headers with the Host header, which
// net/http keeps apart, and the X-Forwarded-* headers that API Gateway
// adds.
func eventHeaders(r *http.Request) (map[string]string, map[string][]string) {
	multi := make(map[string][]string, len(r.Header)+4)
	for name, values := range r.Header {
		multi[name] = append([]string(nil), values...)
	}
	multi["Host"] = []string{r.Host}
	multi["X-Forwarded-For"] = append(multi["X-Forwarded-For"], clientIP(r))
	multi["X-Forwarded-Proto"] = []string{"http"}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		multi["X-Forwarded-Port"] = []string{port}
	}

	single := make(map[string]string, len(multi))
	for name, values := range multi {
		single[name] = values[len(values)-1]
	}
	return single, multi
}

// eventQuery returns the query parameters, or nil maps when there are
// none, as API Gateway sends null then.
func eventQuery(r *http.Request) (map[string]string, map[string][]string) {
	values := r.URL.Query()
	if len(values) == 0 {
		return nil, nil
	}
	single := make(map[string]string, len(values))
	multi := make(map[string][]string, len(values))
	for name, v := range values {
		single[name] = v[len(v)-1]
		multi[name] = v
	}
	return single, multi
}

// isText reports whether a body can travel as text: valid UTF-8 of a
// textual media type, or of no stated type. API Gateway base64-encodes the
// bodies whose type is one of the API's binary media types. The local API
// treats every other type as binary, so the function receives a binary
// upload as it would with binary media types configured.
func isText(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	if contentType == "" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mediaType, "text/"),
		mediaType == "application/json",
		strings.HasSuffix(mediaType, "+json"),
		mediaType == "application/xml",
		strings.HasSuffix(mediaType, "+xml"),
		mediaType == "application/x-www-form-urlencoded",
		mediaType == "application/javascript":
		return true
	}
	return false
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// domainPrefix returns the first label of the host name, as API Gateway's
// requestContext.domainPrefix does.
func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	return prefix
}

// resourceID returns a stable six-character id for a resource path, as
// API Gateway gives each resource one.
func resourceID(path string) string {
	sum := sha256.Sum256([]byte(path))
	return hex.EncodeToString(sum[:3])
}

func extendedRequestID() string {
	b := make([]byte, 10)
	// crypto/rand.Read never returns an error (Go 1.24 and later).
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
