package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-profile/profile-service/internal/openapi"
)

// loadContract loads and validates openapi.yaml once per test binary.
var loadContract = sync.OnceValues(func() (*openapi.Spec, error) {
	return openapi.Load(context.Background())
})

// doLenient sends an event that the handler accepts although openapi.yaml
// does not allow its request, such as text with surrounding white space,
// which the handler trims before it checks the length. Only the response
// is checked against openapi.yaml.
func (h *harness) doLenient(event json.RawMessage) *result {
	h.t.Helper()
	h.lenient = true
	defer func() { h.lenient = false }()
	return h.do(event)
}

// checkContract fails the test when an event and the handler's response to
// it do not match openapi.yaml. The rules for which requests and responses
// are checked are those of openapi.Spec.ValidateExchange, and under
// doLenient those of openapi.Spec.ValidateResponse. An event that is not an
// API Gateway event has no HTTP request, so its response must be the shared
// 400 problem response.
func (h *harness) checkContract(event json.RawMessage, resp events.APIGatewayProxyResponse) {
	h.t.Helper()
	spec, err := loadContract()
	if err != nil {
		h.t.Fatalf("openapi.yaml: %v", err)
	}

	r, err := decodeEvent(event)
	if err != nil {
		if err := spec.ValidateSharedResponse(openapi.BadRequestResponse, http.StatusBadRequest, httpResponse(resp)); err != nil {
			h.t.Errorf("response does not match openapi.yaml: %v", err)
		}
		return
	}
	req, err := httpRequest(r)
	if err != nil {
		h.t.Fatalf("build the HTTP request of the event: %v", err)
	}
	validate := spec.ValidateExchange
	if h.lenient {
		validate = spec.ValidateResponse
	}
	if err := validate(h.t.Context(), req, httpResponse(resp)); err != nil {
		h.t.Errorf("exchange does not match openapi.yaml: %v", err)
	}
}

// httpRequest returns the HTTP request that API Gateway turned into r. Its
// path is the route that the handler matched, /profile or another one, so
// that a stage prefix in the raw path does not hide the resource.
func httpRequest(r *request) (*http.Request, error) {
	body, err := r.decodeBody()
	if err != nil {
		// The handler returns 400 for a body that is not valid base64, so
		// only the response is checked, and any body will do.
		body = []byte(r.body)
	}
	u := &url.URL{Scheme: "https", Host: "api.example.com", Path: r.route}

	req, err := http.NewRequest(http.MethodGet, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	// NewRequest turns an empty method into GET and rejects names that are
	// not HTTP tokens, but the handler routes on the event's method as it is.
	req.Method = r.method
	for name, value := range r.headers {
		req.Header.Set(name, value)
	}
	return req, nil
}

// httpResponse returns resp as an HTTP response.
func httpResponse(resp events.APIGatewayProxyResponse) *http.Response {
	header := http.Header{}
	for name, value := range resp.Headers {
		header.Set(name, value)
	}
	for name, values := range resp.MultiValueHeaders {
		for _, v := range values {
			header.Add(name, v)
		}
	}
	return &http.Response{
		StatusCode: resp.StatusCode,
		Header:     header,
		Body:       io.NopCloser(strings.NewReader(resp.Body)),
	}
}
