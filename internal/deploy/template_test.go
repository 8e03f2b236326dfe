package deploy

import (
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"

	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/gateway"
	"github.com/serverless-profile/profile-service/internal/store"
)

// An existing user pool, made up, for the template's second mode.
const (
	examplePoolID  = "us-east-1_Example1"
	examplePoolARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + examplePoolID
)

// apiGatewayIntegrationLimit is how long a REST API waits for a Lambda
// proxy integration by default before it returns 504 itself.
const apiGatewayIntegrationLimit = 29 * time.Second

func TestTemplate_FunctionRuntime(t *testing.T) {
	s := loadStack(t)
	name, fn := onlyFunction(t, s)

	if got := deref(fn.Runtime); got != "provided.al2023" {
		t.Errorf("%s Runtime = %q, want provided.al2023", name, got)
	}
	if !slices.Equal(fn.Architectures, []string{"arm64"}) {
		t.Errorf("%s Architectures = %v, want [arm64]", name, fn.Architectures)
	}
	// The OS-only runtimes run the executable named bootstrap.
	if got := deref(fn.Handler); got != "bootstrap" {
		t.Errorf("%s Handler = %q, want bootstrap", name, got)
	}
	if got := fn.AWSCloudFormationMetadata["BuildMethod"]; got != "makefile" {
		t.Errorf("%s Metadata.BuildMethod = %v, want makefile", name, got)
	}
}

// TestTemplate_MakeTarget checks that the Makefile in the function's
// CodeUri has the target that sam build runs for the makefile build method,
// and that the target writes bootstrap into ARTIFACTS_DIR, where sam build
// collects it. TestBuild_Bootstrap runs the target for real.
func TestTemplate_MakeTarget(t *testing.T) {
	s := loadStack(t)
	name, fn := onlyFunction(t, s)
	if fn.CodeUri == nil || fn.CodeUri.String == nil {
		t.Fatalf("%s CodeUri is not a local folder", name)
	}
	dir := filepath.Join(s.root, *fn.CodeUri.String)
	artifacts := t.TempDir()

	target := "build-" + name
	cmd := exec.Command("make", "--dry-run", target, "ARTIFACTS_DIR="+artifacts)
	cmd.Dir = dir
	cmd.Env = makeEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make --dry-run %s in %s: %v\n%s", target, dir, err, out)
	}
	if want := filepath.Join(artifacts, "bootstrap"); !strings.Contains(string(out), want) {
		t.Errorf("make --dry-run %s prints no command that writes %s:\n%s", target, want, out)
	}
}

func TestTemplate_FunctionLimits(t *testing.T) {
	s := loadStack(t)
	name, fn := onlyFunction(t, s)

	if fn.Timeout == nil {
		t.Fatalf("%s has no Timeout, so Lambda's default of 3 s applies", name)
	}
	timeout := time.Duration(*fn.Timeout) * time.Second
	if timeout <= gateway.DefaultDeadlineMargin {
		t.Errorf("%s Timeout = %v, want more than the handler's deadline margin of %v", name, timeout, gateway.DefaultDeadlineMargin)
	}
	if timeout > apiGatewayIntegrationLimit {
		t.Errorf("%s Timeout = %v, want at most %v, after which API Gateway returns 504 itself", name, timeout, apiGatewayIntegrationLimit)
	}

	if fn.MemorySize == nil {
		t.Fatalf("%s has no MemorySize", name)
	}
	if *fn.MemorySize < 128 || *fn.MemorySize > 10240 {
		t.Errorf("%s MemorySize = %d MB, want 128 to 10240", name, *fn.MemorySize)
	}
}

func TestTemplate_FunctionLogs(t *testing.T) {
	s := loadStack(t)
	name, _ := onlyFunction(t, s)

	if got := s.property(name, "LoggingConfig", "LogFormat"); got != "JSON" {
		t.Errorf("%s LoggingConfig.LogFormat = %v, want JSON", name, got)
	}

	group := refTarget(s.property(name, "LoggingConfig", "LogGroup"))
	lg, err := s.typed.GetLogsLogGroupWithName(group)
	if err != nil {
		t.Fatalf("%s LoggingConfig.LogGroup is not a Ref to a log group of the template: %v", name, err)
	}
	if lg.RetentionInDays == nil || *lg.RetentionInDays <= 0 {
		t.Errorf("log group %s has no retention period, so CloudWatch Logs keeps the lines forever", group)
	}
}

func TestTemplate_Table(t *testing.T) {
	s := loadStack(t)
	name := onlyTable(t, s)
	table, err := s.typed.GetDynamoDBTableWithName(name)
	if err != nil {
		t.Fatal(err)
	}

	if len(table.KeySchema) != 1 || table.KeySchema[0].AttributeName != store.KeyAttribute || table.KeySchema[0].KeyType != "HASH" {
		t.Errorf("%s KeySchema = %+v, want one HASH key %q, as the store uses", name, table.KeySchema, store.KeyAttribute)
	}
	if len(table.AttributeDefinitions) != 1 || table.AttributeDefinitions[0].AttributeName != store.KeyAttribute || table.AttributeDefinitions[0].AttributeType != "S" {
		t.Errorf("%s AttributeDefinitions = %+v, want %q of type S", name, table.AttributeDefinitions, store.KeyAttribute)
	}
	if got := deref(table.BillingMode); got != "PAY_PER_REQUEST" {
		t.Errorf("%s BillingMode = %q, want PAY_PER_REQUEST (on demand)", name, got)
	}
	if pitr := table.PointInTimeRecoverySpecification; pitr == nil || !deref(pitr.PointInTimeRecoveryEnabled) {
		t.Errorf("%s has no point-in-time recovery", name)
	}
	if !deref(table.DeletionProtectionEnabled) {
		t.Errorf("%s has no deletion protection", name)
	}
	if sse := table.SSESpecification; sse == nil || !sse.SSEEnabled {
		t.Errorf("%s SSESpecification.SSEEnabled is not true", name)
	}
	if table.AWSCloudFormationDeletionPolicy != policies.DeletionPolicy("Retain") {
		t.Errorf("%s DeletionPolicy = %q, want Retain, so that deleting the stack keeps the profiles", name, table.AWSCloudFormationDeletionPolicy)
	}
}

// TestTemplate_Policy checks that the function may call exactly the
// DynamoDB actions that the store calls, on the template's table alone.
func TestTemplate_Policy(t *testing.T) {
	s := loadStack(t)
	name, fn := onlyFunction(t, s)
	table := onlyTable(t, s)

	if fn.Role != nil {
		t.Fatalf("%s sets Role, so SAM ignores its Policies", name)
	}
	policyList, ok := s.property(name, "Policies").([]any)
	if !ok || len(policyList) != 1 {
		t.Fatalf("%s Policies = %v, want one inline policy document", name, s.property(name, "Policies"))
	}
	statements, ok := lookup(policyList[0], "Statement").([]any)
	if !ok || len(statements) != 1 {
		t.Fatalf("%s policy Statement = %v, want one statement", name, lookup(policyList[0], "Statement"))
	}
	statement := statements[0]

	if got := lookup(statement, "Effect"); got != "Allow" {
		t.Errorf("statement Effect = %v, want Allow", got)
	}

	var want []string
	for _, op := range store.Operations {
		want = append(want, "dynamodb:"+op)
	}
	slices.Sort(want)
	got := stringList(lookup(statement, "Action"))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("statement Action = %v, want %v (store.Operations)", got, want)
	}

	resource := lookup(statement, "Resource")
	if logicalID, attribute := getAttTarget(resource); logicalID != table || attribute != "Arn" {
		t.Errorf("statement Resource = %v, want the Arn of %s alone", resource, table)
	}
	for _, key := range []string{"NotAction", "NotResource"} {
		if v := lookup(statement, key); v != nil {
			t.Errorf("statement has %s = %v, which allows more than it names", key, v)
		}
	}
}

// TestTemplate_Environment checks that the function's environment sets
// every variable that package config reads, apart from the local ones, and
// nothing else.
func TestTemplate_Environment(t *testing.T) {
	s := loadStack(t)
	name, fn := onlyFunction(t, s)
	table := onlyTable(t, s)
	if fn.Environment == nil {
		t.Fatalf("%s has no Environment", name)
	}

	var want []string
	for _, v := range config.Variables {
		if !slices.Contains(config.LocalVariables, v) {
			want = append(want, v)
		}
	}
	slices.Sort(want)
	got := slices.Sorted(maps.Keys(fn.Environment.Variables))
	if !slices.Equal(got, want) {
		t.Errorf("%s Environment.Variables = %v, want %v (config.Variables less config.LocalVariables)", name, got, want)
	}

	if ref := refTarget(s.property(name, "Environment", "Variables", config.EnvTableName)); ref != table {
		t.Errorf("%s %s = Ref %q, want Ref %s, the table the policy allows", name, config.EnvTableName, ref, table)
	}
}

// TestTemplate_ParametersLoad checks that package config accepts the
// function's environment with every parameter at its default and at each of
// its allowed values, so a deploy cannot pick a value that stops the
// function at start.
func TestTemplate_ParametersLoad(t *testing.T) {
	s := loadStack(t)
	name, _ := onlyFunction(t, s)
	variables, ok := s.property(name, "Environment", "Variables").(map[string]any)
	if !ok {
		t.Fatalf("%s has no Environment.Variables", name)
	}

	cases := map[string]map[string]any{"defaults": nil}
	for _, value := range variables {
		param := refTarget(value)
		for _, allowed := range lookupList(s.raw, "Parameters", param, "AllowedValues") {
			cases[param+"="+allowed] = map[string]any{param: allowed}
		}
	}
	// AllowedOrigins has a pattern rather than a list of values.
	cases["two origins"] = map[string]any{"AllowedOrigins": "https://app.example.com,http://localhost:3000"}

	for caseName, params := range cases {
		t.Run(caseName, func(t *testing.T) {
			env := map[string]string{}
			for key, value := range s.evaluate(t, variables, params).(map[string]any) {
				if str, ok := value.(string); ok {
					env[key] = str
					continue
				}
				env[key] = "value-of-" + key // a Ref to a resource, such as the table
			}

			if _, err := config.Load(func(k string) string { return env[k] }); err != nil {
				t.Errorf("config.Load rejects the deployed environment %v: %v", env, err)
			}
		})
	}
}

// TestTemplate_Routes checks that the REST API sends the five methods of
// the profile resource to the function, each behind the Cognito authorizer
// except the CORS preflight.
func TestTemplate_Routes(t *testing.T) {
	s := loadStack(t)
	name, fn := onlyFunction(t, s)
	api, authorizer := onlyAPI(t, s)

	want := []string{http.MethodDelete, http.MethodGet, http.MethodOptions, http.MethodPatch, http.MethodPut}
	var got []string
	for eventName, event := range fn.Events {
		if event.Type != "Api" || event.Properties == nil || event.Properties.ApiEvent == nil {
			t.Errorf("%s event %s has Type %s, want Api", name, eventName, event.Type)
			continue
		}
		e := event.Properties.ApiEvent
		got = append(got, strings.ToUpper(e.Method))

		if ref := refTarget(s.property(name, "Events", eventName, "Properties", "RestApiId")); ref != api {
			t.Errorf("event %s RestApiId = Ref %q, want Ref %s", eventName, ref, api)
		}
		if e.Path != gateway.Resource {
			t.Errorf("event %s Path = %q, want %q", eventName, e.Path, gateway.Resource)
		}

		var eventAuthorizer string
		if e.Auth != nil {
			eventAuthorizer = deref(e.Auth.Authorizer)
		}
		if strings.EqualFold(e.Method, http.MethodOptions) {
			if eventAuthorizer != "NONE" {
				t.Errorf("event %s (OPTIONS) Auth.Authorizer = %q, want NONE: browsers send the preflight without a token", eventName, eventAuthorizer)
			}
			continue
		}
		if eventAuthorizer != "" && eventAuthorizer != authorizer {
			t.Errorf("event %s (%s) Auth.Authorizer = %q, want the API's default %s", eventName, e.Method, eventAuthorizer, authorizer)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s routes the methods %v, want %v", name, got, want)
	}
}

// TestTemplate_Authorizer checks the API's default authorizer in both user
// pool modes: the pool the stack creates, or an existing one.
func TestTemplate_Authorizer(t *testing.T) {
	s := loadStack(t)
	api, authorizer := onlyAPI(t, s)
	pool := onlyUserPool(t, s)

	if got := s.property(api, "Auth", "AddDefaultAuthorizerToCorsPreflight"); got != false {
		t.Errorf("%s Auth.AddDefaultAuthorizerToCorsPreflight = %v, want false", api, got)
	}

	arn := s.property(api, "Auth", "Authorizers", authorizer, "UserPoolArn")
	if arn == nil {
		t.Fatalf("%s authorizer %s has no UserPoolArn, so it is not a Cognito authorizer", api, authorizer)
	}
	created := s.evaluate(t, arn, nil)
	if logicalID, attribute := getAttTarget(created); logicalID != pool || attribute != "Arn" {
		t.Errorf("with ExistingUserPoolArn empty, UserPoolArn = %v, want the Arn of %s", created, pool)
	}
	existing := s.evaluate(t, arn, map[string]any{"ExistingUserPoolArn": examplePoolARN})
	if existing != examplePoolARN {
		t.Errorf("with ExistingUserPoolArn set, UserPoolArn = %v, want %s", existing, examplePoolARN)
	}
}

// TestTemplate_UserPoolModes checks that the stack creates a user pool and
// app client only when ExistingUserPoolArn is empty, and that the outputs
// name the pool in both modes.
func TestTemplate_UserPoolModes(t *testing.T) {
	s := loadStack(t)
	pool := onlyUserPool(t, s)
	existing := map[string]any{"ExistingUserPoolArn": examplePoolARN}

	conditional := []string{pool}
	conditional = slices.AppendSeq(conditional, maps.Keys(s.typed.GetAllCognitoUserPoolClientResources()))
	for _, logicalID := range conditional {
		condition, _ := lookup(s.raw, "Resources", logicalID, "Condition").(string)
		if condition == "" {
			t.Errorf("%s has no Condition, so the stack creates it even with ExistingUserPoolArn set", logicalID)
			continue
		}
		if !s.condition(t, condition, nil) {
			t.Errorf("%s Condition %s is false with ExistingUserPoolArn empty", logicalID, condition)
		}
		if s.condition(t, condition, existing) {
			t.Errorf("%s Condition %s is true with ExistingUserPoolArn set", logicalID, condition)
		}
	}

	poolID := lookup(s.raw, "Outputs", "UserPoolId", "Value")
	if got := refTarget(s.evaluate(t, poolID, nil)); got != pool {
		t.Errorf("with ExistingUserPoolArn empty, output UserPoolId = Ref %q, want Ref %s", got, pool)
	}
	if got := s.evaluate(t, poolID, existing); got != examplePoolID {
		t.Errorf("with ExistingUserPoolArn set, output UserPoolId = %v, want %s", got, examplePoolID)
	}

	clientOutput := lookup(s.raw, "Outputs", "UserPoolClientId")
	if clientOutput == nil {
		t.Fatal("no output UserPoolClientId")
	}
	if condition, _ := lookup(clientOutput, "Condition").(string); condition == "" || s.condition(t, condition, existing) {
		t.Errorf("output UserPoolClientId has Condition %q, want one that is false with ExistingUserPoolArn set, when the stack creates no client", condition)
	}
}

func TestTemplate_Outputs(t *testing.T) {
	s := loadStack(t)
	api, _ := onlyAPI(t, s)
	apiResource, err := s.typed.GetServerlessApiWithName(api)
	if err != nil {
		t.Fatal(err)
	}

	for _, output := range []string{"ApiUrl", "UserPoolId", "UserPoolClientId"} {
		if lookup(s.raw, "Outputs", output, "Value") == nil {
			t.Errorf("output %s is missing", output)
		}
	}

	url, _ := lookup(s.raw, "Outputs", "ApiUrl", "Value", "Fn::Sub").(string)
	wantPrefix := "https://${" + api + "}.execute-api."
	wantSuffix := "/" + apiResource.StageName
	if !strings.HasPrefix(url, wantPrefix) || !strings.HasSuffix(url, wantSuffix) {
		t.Errorf("output ApiUrl = %q, want %s...%s", url, wantPrefix, wantSuffix)
	}
}

// TestTemplate_GatewayResponses checks the headers of the responses that
// API Gateway sends without calling the function.
func TestTemplate_GatewayResponses(t *testing.T) {
	s := loadStack(t)
	api, _ := onlyAPI(t, s)
	responses := s.property(api, "GatewayResponses")
	twoOrigins := map[string]any{"AllowedOrigins": "https://app.example.com,https://admin.example.com"}

	for _, responseType := range []string{"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"} {
		t.Run(responseType, func(t *testing.T) {
			headers := lookup(responses, responseType, "ResponseParameters", "Headers")
			if headers == nil {
				t.Fatalf("%s has no gateway response %s with headers", api, responseType)
			}

			withOrigins, _ := s.evaluate(t, headers, twoOrigins).(map[string]any)
			if got := withOrigins["Access-Control-Allow-Origin"]; got != "'https://app.example.com'" {
				t.Errorf("with two allowed origins, Access-Control-Allow-Origin = %v, want the first, quoted", got)
			}
			// API Gateway takes an unquoted value as a mapping expression
			// and rejects the deployment when it is not one.
			for header, value := range withOrigins {
				str, ok := value.(string)
				if !ok || len(str) < 2 || !strings.HasPrefix(str, "'") || !strings.HasSuffix(str, "'") {
					t.Errorf("header %s = %v, want a static value between single quotes", header, value)
				}
			}
			if got := withOrigins["Cache-Control"]; got != "'no-store'" {
				t.Errorf("Cache-Control = %v, want 'no-store'", got)
			}

			withoutOrigins, _ := s.evaluate(t, headers, nil).(map[string]any)
			if got := withoutOrigins["Access-Control-Allow-Origin"]; got != nil {
				t.Errorf("with no allowed origins, Access-Control-Allow-Origin = %v, want none", got)
			}
		})
	}

	got := s.evaluate(t, lookup(responses, "UNAUTHORIZED", "ResponseParameters", "Headers", "WWW-Authenticate"), nil)
	if got != "'Bearer'" {
		t.Errorf("UNAUTHORIZED WWW-Authenticate = %v, want 'Bearer', as the function's own 401 sends", got)
	}
}

// onlyFunction returns the template's one SAM function.
func onlyFunction(t *testing.T, s stack) (string, *serverless.Function) {
	t.Helper()
	functions := s.typed.GetAllServerlessFunctionResources()
	if len(functions) != 1 {
		t.Fatalf("template.yaml has %d AWS::Serverless::Function resources, want 1", len(functions))
	}
	for name, fn := range functions {
		return name, fn
	}
	panic("unreachable")
}

// onlyTable returns the logical ID of the template's one DynamoDB table.
func onlyTable(t *testing.T, s stack) string {
	t.Helper()
	return onlyName(t, "AWS::DynamoDB::Table", slices.Collect(maps.Keys(s.typed.GetAllDynamoDBTableResources())))
}

// onlyUserPool returns the logical ID of the template's one user pool.
func onlyUserPool(t *testing.T, s stack) string {
	t.Helper()
	return onlyName(t, "AWS::Cognito::UserPool", slices.Collect(maps.Keys(s.typed.GetAllCognitoUserPoolResources())))
}

// onlyAPI returns the logical ID of the template's one SAM REST API and the
// name of its default authorizer.
func onlyAPI(t *testing.T, s stack) (string, string) {
	t.Helper()
	apis := s.typed.GetAllServerlessApiResources()
	name := onlyName(t, "AWS::Serverless::Api", slices.Collect(maps.Keys(apis)))
	auth := apis[name].Auth
	if auth == nil || deref(auth.DefaultAuthorizer) == "" {
		t.Fatalf("%s has no Auth.DefaultAuthorizer, so a route without its own Auth is open", name)
	}
	return name, *auth.DefaultAuthorizer
}

func onlyName(t *testing.T, resourceType string, names []string) string {
	t.Helper()
	if len(names) != 1 {
		t.Fatalf("template.yaml has %d %s resources %v, want 1", len(names), resourceType, names)
	}
	return names[0]
}

// refTarget returns the logical ID that v, a raw {"Ref": ID}, names, or ""
// when v is something else.
func refTarget(v any) string {
	target, _ := lookup(v, "Ref").(string)
	return target
}

// getAttTarget returns the logical ID and attribute that v, a raw
// Fn::GetAtt in either of its forms ("ID.Attribute" or [ID, Attribute]),
// names.
func getAttTarget(v any) (string, string) {
	switch arg := lookup(v, "Fn::GetAtt").(type) {
	case string:
		id, attribute, _ := strings.Cut(arg, ".")
		return id, attribute
	case []any:
		if len(arg) == 2 {
			id, _ := arg[0].(string)
			attribute, _ := arg[1].(string)
			return id, attribute
		}
	}
	return "", ""
}

// stringList returns v, a raw string or list of strings, as a list.
func stringList(v any) []string {
	if str, ok := v.(string); ok {
		return []string{str}
	}
	var list []string
	items, _ := v.([]any)
	for _, item := range items {
		str, _ := item.(string)
		list = append(list, str)
	}
	return list
}

// lookupList returns the list at path under v as strings, with numbers
// written as CloudFormation parameters take them.
func lookupList(v any, path ...string) []string {
	items, _ := lookup(v, path...).([]any)
	var list []string
	for _, item := range items {
		switch x := item.(type) {
		case string:
			list = append(list, x)
		case float64:
			list = append(list, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	return list
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// makeEnv returns the environment for a nested make, without the outer
// make's variables, which would hand it a jobserver it cannot reach when
// make test runs these tests.
func makeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL" {
			continue
		}
		env = append(env, kv)
	}
	return env
}
