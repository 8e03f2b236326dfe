package gateway

import (
	"context"
	"log/slog"
	"time"
)

// logRequest writes the one log line of a request. It holds ids, the route,
// the status and, for errors, a description without request values: no
// body, no field value, no header but the ids. The caller appears by sub
// alone.
func (h *Handler) logRequest(ctx context.Context, r *request, status int, failure error, latency time.Duration) {
	// The line is written after Handle has recovered from any panic, so a
	// log writer that panics would escape it and cost the client its response.
	defer func() { _ = recover() }()

	route := r.route
	if r.routeFromPath && route != Resource {
		route = "(unmatched path)"
	}
	attrs := []slog.Attr{
		slog.String("request_id", r.requestID),
		slog.String("method", r.method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
	}
	if r.sub != "" {
		attrs = append(attrs, slog.String("sub", r.sub))
	}

	level := slog.LevelInfo
	if failure != nil {
		_, _, logged := problem(failure)
		attrs = append(attrs, slog.String("error", logged))
		level = slog.LevelWarn
		if status >= 500 {
			level = slog.LevelError
		}
	}
	h.log.LogAttrs(ctx, level, "request", attrs...)
}
