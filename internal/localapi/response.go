package localapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// gatewayResponse is a response that API Gateway sends without invoking
// the function.
type gatewayResponse struct {
	// responseType is the gateway response type, such as UNAUTHORIZED,
	// whose headers the template may set.
	responseType string
	status       int
	// errorType is the x-amzn-ErrorType header, or empty for none.
	errorType string
	// message is the body's one member.
	message string
}

// Gateway responses of the local API, with API Gateway's status codes and
// messages.
//
// NOTE: the messages of the 400 and 413 responses are guesses, since AWS
// documents neither. The others match what API Gateway sends.
var (
	missingTokenResponse = gatewayResponse{"MISSING_AUTHENTICATION_TOKEN", http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	unauthorizedResponse = gatewayResponse{"UNAUTHORIZED", http.StatusUnauthorized, "UnauthorizedException", "Unauthorized"}
	expiredTokenResponse = gatewayResponse{"UNAUTHORIZED", http.StatusUnauthorized, "UnauthorizedException", "The incoming token has expired"}
	badBodyResponse      = gatewayResponse{"BAD_REQUEST_BODY", http.StatusBadRequest, "BadRequestException", "Invalid request body"}
	tooLargeResponse     = gatewayResponse{"REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, "", "Request Too Long"}
	serverErrorResponse  = gatewayResponse{"DEFAULT_5XX", http.StatusInternalServerError, "InternalServerErrorException", "Internal server error"}
	// badGatewayResponse follows a function error or a malformed proxy
	// response.
	badGatewayResponse = gatewayResponse{"DEFAULT_5XX", http.StatusBadGateway, "InternalServerErrorException", "Internal server error"}
)

// writeGatewayResponse writes resp, with the headers that the template's
// gateway response of resp's type sets, or else those of DEFAULT_4XX or
// DEFAULT_5XX. It returns the outcome to log, with failure as its reason.
func (s *Server) writeGatewayResponse(w http.ResponseWriter, resp gatewayResponse, failure string) outcome {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{resp.message})

	h := w.Header()
	for _, header := range s.gatewayHeaders(resp) {
		// The name as the template writes it, as API Gateway sends it.
		h[header.Name] = []string{header.Value}
	}
	h.Set("Content-Type", "application/json")
	if resp.errorType != "" {
		h["x-amzn-ErrorType"] = []string{resp.errorType}
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(body)
	return outcome{status: resp.status, failure: failure}
}

// gatewayHeaders returns the headers of resp's gateway response type, with
// computed Access-Control-Allow-Origin values resolved.
func (s *Server) gatewayHeaders(resp gatewayResponse) []ResponseHeader {
	headers, ok := s.cfg.API.GatewayResponses[resp.responseType]
	if !ok {
		fallback := "DEFAULT_4XX"
		if resp.status >= 500 {
			fallback = "DEFAULT_5XX"
		}
		headers = s.cfg.API.GatewayResponses[fallback]
	}

	resolved := make([]ResponseHeader, 0, len(headers))
	for _, header := range headers {
		if header.FirstAllowedOrigin {
			if len(s.cfg.AllowedOrigins) == 0 {
				continue
			}
			header.Value = s.cfg.AllowedOrigins[0]
		}
		resolved = append(resolved, header)
	}
	return resolved
}

// writeProxyResponse writes the function's proxy response. As in API
// Gateway, multiValueHeaders and headers are merged, and for a name in
// both only the multi-value list is sent. A body without a Content-Type is
// sent as application/json. It returns an error, having written nothing,
// when the status code is not a valid HTTP status or a base64 body does
// not decode.
func writeProxyResponse(w http.ResponseWriter, resp events.APIGatewayProxyResponse) error {
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("status code %d is not an HTTP status", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("decode base64 body: %w", err)
		}
		body = decoded
	}

	// Names are kept as the function wrote them, such as ETag, rather
	// than in Go's canonical form (Etag), as API Gateway keeps them.
	h := w.Header()
	for name, values := range resp.MultiValueHeaders {
		h[name] = append(h[name], values...)
	}
	for name, value := range resp.Headers {
		if !hasHeader(resp.MultiValueHeaders, name) {
			h[name] = []string{value}
		}
	}
	if len(body) > 0 && !hasHeader(h, "Content-Type") {
		h.Set("Content-Type", "application/json")
	}

	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

// hasHeader reports whether h has name in any letter case.
func hasHeader(h map[string][]string, name string) bool {
	for key := range h {
		if strings.EqualFold(key, name) {
			return true
		}
	}
	return false
}
