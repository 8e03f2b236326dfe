package gateway

import (
	"slices"
	"strings"
)

// Values of the CORS headers (Fetch standard, "CORS protocol").
const (
	allowMethods  = "GET, PUT, PATCH, DELETE, OPTIONS"
	allowHeaders  = "Authorization, Content-Type, If-Match, If-None-Match"
	exposeHeaders = "ETag"
	// maxAge is how long, in seconds, a browser may cache a preflight.
	maxAge = "600"
)

// corsHeaders adds the CORS headers when the request's Origin is one of the
// allowed origins, compared exactly as browsers serialise them.
func (h *Handler) corsHeaders(r *request, headers map[string]string, preflight bool) {
	if len(h.cfg.AllowedOrigins) == 0 {
		return
	}
	headers["Vary"] = "Origin"

	origin := r.header("Origin")
	if origin == "" || !slices.Contains(h.cfg.AllowedOrigins, origin) {
		return
	}
	headers["Access-Control-Allow-Origin"] = origin
	headers["Access-Control-Expose-Headers"] = exposeHeaders
	if preflight {
		headers["Access-Control-Allow-Methods"] = allowMethods
		headers["Access-Control-Allow-Headers"] = allowHeaders
		headers["Access-Control-Max-Age"] = maxAge
		headers["Vary"] = strings.Join([]string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}, ", ")
	}
}
