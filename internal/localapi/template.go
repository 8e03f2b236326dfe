package localapi

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults that AWS SAM applies when the template does not set a value.
const (
	// samDefaultTimeout is a function's timeout without Timeout.
	samDefaultTimeout = 3 * time.Second
	// samImplicitStage is the stage of the API that SAM creates for Api
	// events without RestApiId.
	samImplicitStage = "Prod"
)

// Route is one method on one resource that the template declares for the
// function with an event of type Api.
type Route struct {
	// Event is the event's logical name in the template.
	Event string
	// Method is an upper-case HTTP method, or "ANY" for every method.
	Method string
	// Path is the resource path, such as /profile, /items/{id} or
	// /{proxy+}.
	Path string
	// Authorized is true when a Cognito user pool authorizer guards the
	// route, and false for Authorizer: NONE or an API without a default
	// authorizer.
	Authorized bool
}

// API is the routes, stage and timeout that the local API serves for one
// function of an AWS SAM template.
type API struct {
	// Function is the function's logical ID.
	Function string
	// Stage is the stage name, which the event carries in requestContext.
	Stage string
	// Timeout is the function's timeout, the deadline of each invocation.
	Timeout time.Duration
	// Routes are the function's Api events, in the order of
	// [API.Match]'s precedence.
	Routes []Route
	// GatewayResponses are the headers of the responses that API Gateway
	// sends without invoking the function, by response type such as
	// UNAUTHORIZED or DEFAULT_4XX, from the API's GatewayResponses.
	GatewayResponses map[string][]ResponseHeader
}

// ResponseHeader is a header of a gateway response.
type ResponseHeader struct {
	Name string
	// Value is the header's literal value, without the single quotes that
	// the template puts around it.
	Value string
	// FirstAllowedOrigin is true when the template computes the value
	// rather than stating it. The local API then sends the first origin of
	// ALLOWED_ORIGINS, the local counterpart of the template's
	// AllowedOrigins parameter, and leaves the header out when there is
	// none. It does so for Access-Control-Allow-Origin only; other computed
	// values are left out of API.GatewayResponses.
	FirstAllowedOrigin bool
}

// LoadAPI reads the AWS SAM template at templatePath and returns the Api
// events of the AWS::Serverless::Function named function, or of the only
// function with Api events when function is empty.
//
// A route is authorized when its Auth.Authorizer, or else its API's
// Auth.DefaultAuthorizer, names a Cognito user pool authorizer (one with
// UserPoolArn). Authorizer: NONE, and an API without a default authorizer,
// leave it open.
//
// LoadAPI returns an error naming the file and line when the template
// cannot be read or parsed, when no function or more than one matches, or
// when a Path or Method is not a literal string. It also returns one when a
// route uses an authorizer that the local API cannot apply (AWS_IAM or a
// Lambda authorizer), or a RestApiId that is not an AWS::Serverless::Api of
// the template.
func LoadAPI(templatePath, function string) (API, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return API{}, fmt.Errorf("read template: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return API{}, fmt.Errorf("parse template %s: %w", templatePath, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return API{}, fmt.Errorf("template %s is not a YAML mapping", templatePath)
	}

	p := templateParser{path: templatePath, root: doc.Content[0]}
	p.resources = lookup(p.root, "Resources")
	if p.resources == nil || p.resources.Kind != yaml.MappingNode {
		return API{}, p.errorf(p.root, "template has no Resources mapping")
	}
	p.globals = lookup(p.root, "Globals")
	return p.api(function)
}

// templateParser walks a decoded template and builds errors that name the
// file and line.
type templateParser struct {
	path      string
	root      *yaml.Node
	resources *yaml.Node
	globals   *yaml.Node
}

func (p templateParser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.path, n.Line, fmt.Sprintf(format, args...))
}

func (p templateParser) api(function string) (API, error) {
	name, fn, err := p.findFunction(function)
	if err != nil {
		return API{}, err
	}
	props := lookup(fn, "Properties")

	api := API{Function: name}
	api.Timeout, err = p.timeout(name, props)
	if err != nil {
		return API{}, err
	}

	events := lookup(props, "Events")
	for i := 0; i+1 < len(events.Content); i += 2 {
		eventName, event := events.Content[i].Value, events.Content[i+1]
		if !isAPIEvent(event) {
			continue
		}
		route, stage, apiProps, err := p.route(name+".Events."+eventName, eventName, event)
		if err != nil {
			return API{}, err
		}
		if api.Stage != "" && stage != api.Stage {
			return API{}, p.errorf(event, "%s.Events.%s is on stage %q but other events are on %q: the local API serves one stage", name, eventName, stage, api.Stage)
		}
		api.Stage = stage
		api.Routes = append(api.Routes, route)
		if api.GatewayResponses == nil {
			api.GatewayResponses = gatewayResponses(apiProps)
		}
	}

	slices.SortStableFunc(api.Routes, func(a, b Route) int {
		return routeRank(a) - routeRank(b)
	})
	return api, nil
}

// findFunction returns the logical ID and node of the function to serve.
func (p templateParser) findFunction(function string) (string, *yaml.Node, error) {
	var names []string
	var nodes []*yaml.Node
	for i := 0; i+1 < len(p.resources.Content); i += 2 {
		name, resource := p.resources.Content[i].Value, p.resources.Content[i+1]
		if scalar(lookup(resource, "Type")) != "AWS::Serverless::Function" || !hasAPIEvents(resource) {
			continue
		}
		if function == "" || function == name {
			names = append(names, name)
			nodes = append(nodes, resource)
		}
	}

	switch {
	case len(nodes) == 1:
		return names[0], nodes[0], nil
	case function != "":
		return "", nil, p.errorf(p.resources, "no AWS::Serverless::Function %s with events of type Api", function)
	case len(nodes) == 0:
		return "", nil, p.errorf(p.resources, "no AWS::Serverless::Function with events of type Api")
	default:
		return "", nil, p.errorf(p.resources, "%d functions with events of type Api (%s): name the one to serve", len(nodes), strings.Join(names, ", "))
	}
}

func hasAPIEvents(function *yaml.Node) bool {
	events := lookup(lookup(function, "Properties"), "Events")
	if events == nil || events.Kind != yaml.MappingNode {
		return false
	}
	for i := 1; i < len(events.Content); i += 2 {
		if isAPIEvent(events.Content[i]) {
			return true
		}
	}
	return false
}

func isAPIEvent(event *yaml.Node) bool {
	return scalar(lookup(event, "Type")) == "Api"
}

// timeout returns the function's Timeout, or the one in Globals.Function,
// or SAM's default.
func (p templateParser) timeout(function string, props *yaml.Node) (time.Duration, error) {
	n := lookup(props, "Timeout")
	if n == nil {
		n = lookup(lookup(p.globals, "Function"), "Timeout")
	}
	if n == nil {
		return samDefaultTimeout, nil
	}
	seconds, err := strconv.Atoi(scalar(n))
	if err != nil || seconds <= 0 {
		return 0, p.errorf(n, "%s has Timeout %q, expected a literal number of seconds", function, n.Value)
	}
	return time.Duration(seconds) * time.Second, nil
}

// route reads one Api event and returns its route, its API's stage and
// its API's properties.
func (p templateParser) route(where, eventName string, event *yaml.Node) (Route, string, *yaml.Node, error) {
	props := lookup(event, "Properties")
	if props == nil || props.Kind != yaml.MappingNode {
		return Route{}, "", nil, p.errorf(event, "%s has no Properties mapping", where)
	}
	path, err := p.literal(props, where, "Path")
	if err != nil {
		return Route{}, "", nil, err
	}
	if !strings.HasPrefix(path, "/") {
		return Route{}, "", nil, p.errorf(props, "%s.Properties.Path is %q, expected a path that starts with /", where, path)
	}
	method, err := p.literal(props, where, "Method")
	if err != nil {
		return Route{}, "", nil, err
	}

	apiProps, stage, err := p.restAPI(where, props)
	if err != nil {
		return Route{}, "", nil, err
	}
	authorized, err := p.authorized(where, props, apiProps)
	if err != nil {
		return Route{}, "", nil, err
	}
	return Route{Event: eventName, Method: strings.ToUpper(method), Path: path, Authorized: authorized}, stage, apiProps, nil
}

// gatewayResponses reads the headers of the API's GatewayResponses. A
// value in single quotes is a literal; any other value is computed by the
// template and kept only for Access-Control-Allow-Origin (see
// ResponseHeader.FirstAllowedOrigin).
func gatewayResponses(apiProps *yaml.Node) map[string][]ResponseHeader {
	responses := lookup(apiProps, "GatewayResponses")
	if responses == nil || responses.Kind != yaml.MappingNode {
		return map[string][]ResponseHeader{}
	}

	out := make(map[string][]ResponseHeader, len(responses.Content)/2)
	for i := 0; i+1 < len(responses.Content); i += 2 {
		headers := lookup(lookup(responses.Content[i+1], "ResponseParameters"), "Headers")
		var list []ResponseHeader
		for j := 0; headers != nil && j+1 < len(headers.Content); j += 2 {
			name, value := headers.Content[j].Value, headers.Content[j+1]
			literal := scalar(value)
			switch {
			case value.Tag == "!!str" && len(literal) >= 2 && strings.HasPrefix(literal, "'") && strings.HasSuffix(literal, "'"):
				list = append(list, ResponseHeader{Name: name, Value: literal[1 : len(literal)-1]})
			case strings.EqualFold(name, "Access-Control-Allow-Origin"):
				list = append(list, ResponseHeader{Name: name, FirstAllowedOrigin: true})
			}
		}
		out[responses.Content[i].Value] = list
	}
	return out
}

// restAPI returns the properties of the event's API, with Globals.Api
// filling in what the API leaves out, and its stage name.
func (p templateParser) restAPI(where string, eventProps *yaml.Node) (*yaml.Node, string, error) {
	globalAPI := lookup(p.globals, "Api")
	ref := lookup(eventProps, "RestApiId")
	if ref == nil {
		stage := scalar(lookup(globalAPI, "StageName"))
		if stage == "" {
			stage = samImplicitStage
		}
		return globalAPI, stage, nil
	}

	name := refName(ref)
	resource := lookup(p.resources, name)
	if name == "" || scalar(lookup(resource, "Type")) != "AWS::Serverless::Api" {
		return nil, "", p.errorf(ref, "%s.Properties.RestApiId must be a !Ref to an AWS::Serverless::Api of this template", where)
	}
	props := withDefaults(lookup(resource, "Properties"), globalAPI)
	stage := scalar(lookup(props, "StageName"))
	if stage == "" {
		return nil, "", p.errorf(resource, "%s has no literal StageName", name)
	}
	return props, stage, nil
}

// authorized reports whether a Cognito authorizer guards the event.
func (p templateParser) authorized(where string, eventProps, apiProps *yaml.Node) (bool, error) {
	apiAuth := lookup(apiProps, "Auth")
	name := lookup(lookup(eventProps, "Auth"), "Authorizer")
	if name == nil {
		name = lookup(apiAuth, "DefaultAuthorizer")
	}
	if name == nil {
		return false, nil
	}

	switch value := scalar(name); value {
	case "NONE":
		return false, nil
	case "AWS_IAM":
		return false, p.errorf(name, "%s uses the AWS_IAM authorizer, which the local API does not support", where)
	default:
		authorizer := lookup(lookup(apiAuth, "Authorizers"), value)
		if authorizer == nil {
			return false, p.errorf(name, "%s uses authorizer %q, which its API's Auth.Authorizers does not define", where, value)
		}
		if lookup(authorizer, "UserPoolArn") == nil {
			return false, p.errorf(authorizer, "authorizer %q has no UserPoolArn: the local API supports Cognito user pool authorizers only", value)
		}
		return true, nil
	}
}

// literal returns the plain string value of key in the mapping m.
func (p templateParser) literal(m *yaml.Node, where, key string) (string, error) {
	n := lookup(m, key)
	if n == nil {
		return "", p.errorf(m, "%s.Properties.%s is missing", where, key)
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
		return "", p.errorf(n, "%s.Properties.%s must be a literal string", where, key)
	}
	return n.Value, nil
}

// refName returns X of "!Ref X" or "{Ref: X}", or "" for anything else.
func refName(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!Ref" {
		return n.Value
	}
	return scalar(lookup(n, "Ref"))
}

// withDefaults returns props with the keys of defaults that props lacks,
// as SAM merges Globals into a resource.
func withDefaults(props, defaults *yaml.Node) *yaml.Node {
	merged := &yaml.Node{Kind: yaml.MappingNode}
	if props != nil && props.Kind == yaml.MappingNode {
		merged.Content = append(merged.Content, props.Content...)
	}
	if defaults != nil && defaults.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(defaults.Content); i += 2 {
			if lookup(merged, defaults.Content[i].Value) == nil {
				merged.Content = append(merged.Content, defaults.Content[i], defaults.Content[i+1])
			}
		}
	}
	return merged
}

// scalar returns the value of a scalar node, or "" for a nil node or
// another kind.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// lookup returns the value of key in the mapping m, or nil when m is not a
// mapping or has no such key.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
