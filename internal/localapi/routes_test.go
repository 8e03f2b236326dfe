package localapi

import (
	"reflect"
	"testing"
)

func TestMatchPath(t *testing.T) {
	tests := []struct {
		name       string
		resource   string
		path       string
		wantParams map[string]string
		wantOK     bool
	}{
		{name: "literal", resource: "/profile", path: "/profile", wantOK: true},
		{name: "literal mismatch", resource: "/profile", path: "/profiles", wantOK: false},
		{name: "trailing slash", resource: "/profile", path: "/profile/", wantOK: false},
		{name: "longer path", resource: "/profile", path: "/profile/x", wantOK: false},
		{name: "root", resource: "/", path: "/", wantOK: true},
		{name: "parameter", resource: "/items/{id}", path: "/items/42", wantParams: map[string]string{"id": "42"}, wantOK: true},
		{name: "empty parameter", resource: "/items/{id}", path: "/items/", wantOK: false},
		{name: "missing parameter", resource: "/items/{id}", path: "/items", wantOK: false},
		{name: "greedy", resource: "/{proxy+}", path: "/a/b/c", wantParams: map[string]string{"proxy": "a/b/c"}, wantOK: true},
		{name: "greedy after literal", resource: "/files/{key+}", path: "/files/x/y", wantParams: map[string]string{"key": "x/y"}, wantOK: true},
		{name: "greedy needs a segment", resource: "/files/{key+}", path: "/files/", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, ok := matchPath(tt.resource, tt.path)
			if ok != tt.wantOK {
				t.Fatalf("matchPath(%q, %q) ok = %v, want %v", tt.resource, tt.path, ok, tt.wantOK)
			}
			if ok && !reflect.DeepEqual(params, tt.wantParams) {
				t.Errorf("params = %v, want %v", params, tt.wantParams)
			}
		})
	}
}

func TestAPIMatch(t *testing.T) {
	api := API{Routes: []Route{
		{Event: "List", Method: "GET", Path: "/items"},
		{Event: "One", Method: "GET", Path: "/items/{id}"},
		{Event: "AnyItem", Method: "ANY", Path: "/items/{id}"},
		{Event: "Proxy", Method: "ANY", Path: "/{proxy+}"},
	}}
	tests := []struct {
		method, path string
		wantEvent    string
	}{
		{"GET", "/items", "List"},
		{"GET", "/items/7", "One"},
		{"DELETE", "/items/7", "AnyItem"},
		{"POST", "/items", "Proxy"},
		{"GET", "/other/path", "Proxy"},
	}
	for _, tt := range tests {
		route, _, ok := api.Match(tt.method, tt.path)
		if !ok || route.Event != tt.wantEvent {
			t.Errorf("Match(%s %s) = %q, %v; want %q", tt.method, tt.path, route.Event, ok, tt.wantEvent)
		}
	}

	if _, _, ok := (API{Routes: api.Routes[:2]}).Match("POST", "/items"); ok {
		t.Error("Match(POST /items) without an ANY route matched, want no route")
	}
}
