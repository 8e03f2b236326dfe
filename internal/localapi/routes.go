package localapi

import (
	"strings"
)

// anyMethod is the Method of a route that takes every method.
const anyMethod = "ANY"

// Match returns the first route, in the order of a.Routes, that takes
// method on path, with the values of the route's path parameters. It
// returns false when no route matches.
func (a API) Match(method, path string) (Route, map[string]string, bool) {
	for _, r := range a.Routes {
		if r.Method != method && r.Method != anyMethod {
			continue
		}
		if params, ok := matchPath(r.Path, path); ok {
			return r, params, true
		}
	}
	return Route{}, nil, false
}

// routeRank orders routes as API Gateway prefers them: a path without
// parameters before one with, a greedy parameter such as {proxy+} last,
// and on the same kind of path a named method before ANY.
func routeRank(r Route) int {
	rank := 0
	switch {
	case strings.Contains(r.Path, "+}"):
		rank = 4
	case strings.Contains(r.Path, "{"):
		rank = 2
	}
	if r.Method == anyMethod {
		rank++
	}
	return rank
}

// matchPath matches path against a resource path such as /items/{id} or
// /{proxy+}. A {name} segment takes one non-empty segment, and a greedy
// {name+} last segment takes the rest of the path. It returns the
// parameters, or nil when there are none.
func matchPath(resource, path string) (map[string]string, bool) {
	want := strings.Split(strings.TrimPrefix(resource, "/"), "/")
	got := strings.Split(strings.TrimPrefix(path, "/"), "/")

	var params map[string]string
	for i, segment := range want {
		name, isParam := strings.CutPrefix(segment, "{")
		name, _ = strings.CutSuffix(name, "}")
		greedy := isParam && strings.HasSuffix(name, "+")

		switch {
		case i >= len(got):
			return nil, false
		case greedy && i == len(want)-1:
			rest := strings.Join(got[i:], "/")
			if rest == "" {
				return nil, false
			}
			return withParam(params, strings.TrimSuffix(name, "+"), rest), true
		case isParam:
			if got[i] == "" {
				return nil, false
			}
			params = withParam(params, name, got[i])
		case segment != got[i]:
			return nil, false
		}
	}
	if len(got) != len(want) {
		return nil, false
	}
	return params, true
}

func withParam(params map[string]string, name, value string) map[string]string {
	if params == nil {
		params = make(map[string]string)
	}
	params[name] = value
	return params
}
