package gateway

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// retryAfter is the Retry-After value, in seconds, of a 503.
const retryAfter = "1"

// problemDoc is an RFC 9457 problem document. Its type is "about:blank",
// so its title is the status phrase and detail states what went wrong.
type problemDoc struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail"`
	RequestID string               `json:"request_id"`
	Errors    []profile.FieldError `json:"errors,omitempty"`
}

// requestError is a request that the gateway rejects before it reaches the
// store. Its detail goes to the client, so it never holds a request value.
type requestError struct {
	status int
	detail string
}

func (e *requestError) Error() string { return e.detail }

func reject(status int, detail string) error {
	return &requestError{status: status, detail: detail}
}

// problem is the one table from errors to problem documents. It also
// returns the headers that the status needs, and a short description for
// the log line that holds no request value.
func problem(err error) (doc problemDoc, headers map[string]string, logged string) {
	headers = map[string]string{}

	var reqErr *requestError
	var valErr *profile.ValidationError
	var synErr *profile.SyntaxError
	var verErr *profile.VersionMismatchError
	switch {
	case errors.As(err, &reqErr):
		doc = newProblem(reqErr.status, reqErr.detail)
		logged = reqErr.detail
		switch reqErr.status {
		case http.StatusUnauthorized:
			headers["WWW-Authenticate"] = "Bearer"
		case http.StatusMethodNotAllowed:
			headers["Allow"] = allowMethods
		}
	case errors.As(err, &valErr):
		doc = newProblem(http.StatusBadRequest, "The profile has invalid fields; see errors.")
		doc.Errors = valErr.Errors
		logged = validationCodes(valErr)
	case errors.As(err, &synErr):
		doc = newProblem(http.StatusBadRequest, "The body must be one JSON object: "+synErr.Error()+".")
		logged = synErr.Error()
	case errors.As(err, &verErr):
		doc = newProblem(http.StatusPreconditionFailed, "The profile has another version than the request's precondition names; read it again and retry with its ETag.")
		if verErr.Current > 0 {
			headers["ETag"] = profile.ETag(verErr.Current)
		}
		logged = verErr.Error()
	case errors.Is(err, profile.ErrNotFound):
		doc = newProblem(http.StatusNotFound, "There is no profile yet; create it with PUT.")
		logged = "profile not found"
	case errors.Is(err, profile.ErrUnavailable):
		doc = newProblem(http.StatusServiceUnavailable, "The profile store is busy or unreachable; retry after the time in Retry-After.")
		headers["Retry-After"] = retryAfter
		logged = err.Error()
	default:
		doc = newProblem(http.StatusInternalServerError, "The service failed unexpectedly; quote the request_id when you report it.")
		logged = err.Error()
	}
	return doc, headers, logged
}

func newProblem(status int, detail string) problemDoc {
	return problemDoc{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// validationCodes lists the codes of a validation error without its
// pointers, which name members that the client chose.
func validationCodes(e *profile.ValidationError) string {
	s := "invalid fields:"
	for _, fe := range e.Errors {
		s += " " + fe.Code
	}
	return s
}

// problemResponse renders doc as a proxy response.
func problemResponse(doc problemDoc, headers map[string]string) events.APIGatewayProxyResponse {
	body, err := json.Marshal(doc)
	if err != nil {
		// A problemDoc holds only strings and numbers, so Marshal cannot fail;
		// the status line alone still makes a readable response.
		body = []byte(`{"type":"about:blank","status":500}`)
	}
	headers["Content-Type"] = "application/problem+json"
	headers["Cache-Control"] = "no-store"
	return events.APIGatewayProxyResponse{StatusCode: doc.Status, Headers: headers, Body: string(body)}
}
