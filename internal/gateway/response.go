package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// profileResponse renders p as JSON with its ETag.
func (h *Handler) profileResponse(r *request, status int, p profile.Profile) (events.APIGatewayProxyResponse, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode profile: %w", err)
	}
	return h.respond(r, status, body, p.ETag()), nil
}

// respond builds a response with the headers every response carries:
// Cache-Control: no-store, since a profile is personal data, and the CORS
// headers for an allowed origin. A nil body gets no Content-Type.
func (h *Handler) respond(r *request, status int, body []byte, etag string) events.APIGatewayProxyResponse {
	headers := map[string]string{"Cache-Control": "no-store"}
	if body != nil {
		headers["Content-Type"] = "application/json"
	}
	if etag != "" {
		headers["ETag"] = etag
	}
	h.corsHeaders(r, headers, false)
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(body)}
}

// preflight responds to a CORS preflight. It needs no caller, since browsers
// send it without credentials, and touches no data.
func (h *Handler) preflight(r *request) events.APIGatewayProxyResponse {
	headers := map[string]string{"Cache-Control": "no-store", "Allow": allowMethods}
	h.corsHeaders(r, headers, true)
	return events.APIGatewayProxyResponse{StatusCode: http.StatusNoContent, Headers: headers}
}
