package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

// stack is template.yaml read two ways. typed is goformation's parse, which
// rejects property names and types that its SAM and CloudFormation schema
// does not know, but turns Ref to a resource and Fn::GetAtt into nil. raw is
// the template as JSON with every intrinsic function kept in long form.
type stack struct {
	root  string // the module root, which holds template.yaml and Makefile
	typed *cloudformation.Template
	raw   map[string]any
}

// unmodelledProperties are the properties, by resource type, that
// goformation v7.14.9 does not model (LoggingConfig of a SAM function) or
// models wrongly (GatewayResponses of a SAM API, which it declares as a map
// of strings). loadStack leaves them out of the typed parse, which would
// fail on them, and tests read them from raw.
var unmodelledProperties = map[string][]string{
	"AWS::Serverless::Function": {"LoggingConfig"},
	"AWS::Serverless::Api":      {"GatewayResponses"},
}

// loadStack reads template.yaml from the module root, and stops the test
// when it cannot be read or parsed.
func loadStack(t *testing.T) stack {
	t.Helper()
	root, err := devdb.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	// NoProcess converts the short-form tags (!Ref, !If) to long form and
	// resolves nothing.
	longForm, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(longForm, &raw); err != nil {
		t.Fatalf("decode template.yaml: %v", err)
	}

	var trimmed map[string]any
	if err := json.Unmarshal(longForm, &trimmed); err != nil {
		t.Fatal(err)
	}
	removeUnmodelled(trimmed)
	trimmedJSON, err := json.Marshal(trimmed)
	if err != nil {
		t.Fatal(err)
	}
	typed, err := goformation.ParseJSON(trimmedJSON)
	if err != nil {
		t.Fatalf("goformation rejects template.yaml: %v", err)
	}

	return stack{root: root, typed: typed, raw: raw}
}

func removeUnmodelled(template map[string]any) {
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		resource, _ := r.(map[string]any)
		typ, _ := resource["Type"].(string)
		props, _ := resource["Properties"].(map[string]any)
		for _, name := range unmodelledProperties[typ] {
			delete(props, name)
		}
	}
}

// property returns the raw value at path under the properties of the
// resource named logicalID, or nil when any step is missing.
func (s stack) property(logicalID string, path ...string) any {
	resources, _ := s.raw["Resources"].(map[string]any)
	return lookup(resources[logicalID], append([]string{"Properties"}, path...)...)
}

// lookup follows path through nested JSON objects and returns nil when a
// step is missing or is not an object.
func lookup(value any, path ...string) any {
	for _, key := range path {
		m, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		value = m[key]
	}
	return value
}

// evaluate computes the intrinsic functions in value, a part of raw, as
// CloudFormation would with the template's parameters at their defaults
// except those in params. Conditions, Fn::If, Fn::Equals, Fn::Not, Fn::Sub,
// Fn::Select and Fn::Split are computed, Ref AWS::NoValue becomes nil, and
// Ref to a resource and Fn::GetAtt stay as they are, because their values
// exist only in a deployed stack.
func (s stack) evaluate(t *testing.T, value any, params map[string]any) any {
	t.Helper()
	doc := map[string]any{
		"Parameters": s.raw["Parameters"],
		"Conditions": s.raw["Conditions"],
		"Value":      value,
	}
	in, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}

	out, err := intrinsics.ProcessJSON(in, &intrinsics.ProcessorOptions{
		ParameterOverrides: params,
		EvaluateConditions: true,
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":        refParameter,
			"Fn::GetAtt": keepIntrinsic,
			// goformation's own Fn::Split returns []string, which its
			// Fn::Select does not accept.
			"Fn::Split": split,
		},
	})
	if err != nil {
		t.Fatalf("evaluate %v: %v", value, err)
	}

	var result map[string]any
	if err := json.Unmarshal(out, &result); err != nil {
		t.Fatal(err)
	}
	return result["Value"]
}

// condition evaluates the template condition named name.
func (s stack) condition(t *testing.T, name string, params map[string]any) bool {
	t.Helper()
	v := s.evaluate(t, map[string]any{"Fn::If": []any{name, true, false}}, params)
	b, ok := v.(bool)
	if !ok {
		t.Fatalf("condition %s evaluates to %v, want true or false", name, v)
	}
	return b
}

// refParameter resolves Ref to a parameter to the parameter's default,
// which evaluate has replaced where params sets it, and keeps every other
// Ref as it is.
func refParameter(_ string, input, template any) any {
	name, _ := input.(string)
	if name == "AWS::NoValue" {
		return nil
	}
	parameter, _ := lookup(template, "Parameters", name).(map[string]any)
	if def, ok := parameter["Default"]; ok {
		return def
	}
	return map[string]any{"Ref": input}
}

func keepIntrinsic(name string, input, _ any) any {
	return map[string]any{name: input}
}

func split(_ string, input, _ any) any {
	args, ok := input.([]any)
	if !ok || len(args) != 2 {
		return nil
	}
	sep, _ := args[0].(string)
	source, ok := args[1].(string)
	if !ok {
		return nil
	}
	var parts []any
	for _, p := range strings.Split(source, sep) {
		parts = append(parts, p)
	}
	return parts
}
