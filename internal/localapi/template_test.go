package localapi

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

func writeTemplate(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatalf("write template: %v", err)
	}
	return path
}

func TestLoadAPIRepositoryTemplate(t *testing.T) {
	path, err := devdb.FindTemplate()
	if err != nil {
		t.Fatalf("FindTemplate() error = %v", err)
	}

	api, err := LoadAPI(path, "")
	if err != nil {
		t.Fatalf("LoadAPI() error = %v", err)
	}

	if api.Function != "ProfileFunction" {
		t.Errorf("Function = %q, want ProfileFunction", api.Function)
	}
	if api.Stage != "prod" {
		t.Errorf("Stage = %q, want prod", api.Stage)
	}
	if api.Timeout != 10*time.Second {
		t.Errorf("Timeout = %s, want 10s", api.Timeout)
	}
	want := map[string]bool{"GET": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": false}
	got := map[string]bool{}
	for _, r := range api.Routes {
		if r.Path != "/profile" {
			t.Errorf("route %s has path %q, want /profile", r.Event, r.Path)
		}
		got[r.Method] = r.Authorized
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("methods and whether they are authorized = %v, want %v", got, want)
	}
}

func TestLoadAPI(t *testing.T) {
	tests := []struct {
		name     string
		template string
		function string
		want     API
	}{
		{
			name: "implicit api with globals",
			template: `
Globals:
  Function:
    Timeout: 7
Resources:
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Any:
          Type: Api
          Properties: {Path: "/{proxy+}", Method: any}
        One:
          Type: Api
          Properties: {Path: "/items/{id}", Method: get}
        List:
          Type: Api
          Properties: {Path: /items, Method: GET}
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Q.Arn}
`,
			want: API{
				Function: "Items",
				Stage:    "Prod",
				Timeout:  7 * time.Second,
				Routes: []Route{
					{Event: "List", Method: "GET", Path: "/items"},
					{Event: "One", Method: "GET", Path: "/items/{id}"},
					{Event: "Any", Method: "ANY", Path: "/{proxy+}"},
				},
				GatewayResponses: map[string][]ResponseHeader{},
			},
		},
		{
			name: "default authorizer and none",
			template: `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Pool
        Authorizers:
          Pool:
            UserPoolArn: !GetAtt UserPool.Arn
      GatewayResponses:
        UNAUTHORIZED:
          ResponseParameters:
            Headers:
              WWW-Authenticate: "'Bearer'"
              Access-Control-Allow-Origin: !If [HasOrigins, "'x'", !Ref AWS::NoValue]
              X-Computed: !Sub "'${AWS::Region}'"
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 5
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /things, Method: GET}
        Open:
          Type: Api
          Properties: {RestApiId: {Ref: Api}, Path: /things, Method: OPTIONS, Auth: {Authorizer: NONE}}
        Named:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /things, Method: POST, Auth: {Authorizer: Pool}}
`,
			want: API{
				Function: "Fn",
				Stage:    "v1",
				Timeout:  5 * time.Second,
				Routes: []Route{
					{Event: "Get", Method: "GET", Path: "/things", Authorized: true},
					{Event: "Open", Method: "OPTIONS", Path: "/things", Authorized: false},
					{Event: "Named", Method: "POST", Path: "/things", Authorized: true},
				},
				GatewayResponses: map[string][]ResponseHeader{
					"UNAUTHORIZED": {
						{Name: "WWW-Authenticate", Value: "Bearer"},
						{Name: "Access-Control-Allow-Origin", FirstAllowedOrigin: true},
					},
				},
			},
		},
		{
			name:     "named function among several",
			function: "Second",
			template: `
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /first, Method: GET}}
  Second:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {Path: /second, Method: GET}}
`,
			want: API{
				Function:         "Second",
				Stage:            "Prod",
				Timeout:          3 * time.Second,
				Routes:           []Route{{Event: "Get", Method: "GET", Path: "/second"}},
				GatewayResponses: map[string][]ResponseHeader{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadAPI(writeTemplate(t, tt.template), tt.function)
			if err != nil {
				t.Fatalf("LoadAPI() error = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadAPI() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestLoadAPIErrors(t *testing.T) {
	const function = `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get:
          Type: Api
          Properties:
`
	tests := []struct {
		name     string
		template string
		function string
		wantErr  string
	}{
		{name: "no resources", template: "Outputs: {}\n", wantErr: "no Resources"},
		{name: "no function", template: "Resources:\n  T: {Type: AWS::SNS::Topic}\n", wantErr: "no AWS::Serverless::Function"},
		{name: "unknown function", template: "Resources:" + function + "            {Path: /a, Method: GET}\n", function: "Other", wantErr: "no AWS::Serverless::Function Other"},
		{
			name: "two functions",
			template: "Resources:" + function + "            {Path: /a, Method: GET}\n" +
				"  Fn2:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Get: {Type: Api, Properties: {Path: /b, Method: GET}}\n",
			wantErr: "2 functions",
		},
		{name: "path not literal", template: "Resources:" + function + "            {Path: !Sub '/${X}', Method: GET}\n", wantErr: "Path must be a literal"},
		{name: "path without slash", template: "Resources:" + function + "            {Path: profile, Method: GET}\n", wantErr: "starts with /"},
		{name: "no method", template: "Resources:" + function + "            {Path: /a}\n", wantErr: "Method is missing"},
		{name: "iam authorizer", template: "Resources:" + function + "            {Path: /a, Method: GET, Auth: {Authorizer: AWS_IAM}}\n", wantErr: "AWS_IAM"},
		{name: "rest api not in template", template: "Resources:" + function + "            {Path: /a, Method: GET, RestApiId: !Ref Missing}\n", wantErr: "RestApiId"},
		{
			name: "lambda authorizer",
			template: "Resources:" + function + "            {Path: /a, Method: GET, RestApiId: !Ref Api}\n" +
				"  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Auth:\n        DefaultAuthorizer: Fn\n        Authorizers:\n          Fn: {FunctionArn: arn}\n",
			wantErr: "Cognito user pool authorizers only",
		},
		{
			name: "undefined authorizer",
			template: "Resources:" + function + "            {Path: /a, Method: GET, RestApiId: !Ref Api, Auth: {Authorizer: Nope}}\n" +
				"  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n",
			wantErr: `"Nope"`,
		},
		{name: "bad timeout", template: "Resources:" + strings.Replace(function, "Properties:\n      Events", "Properties:\n      Timeout: !Ref T\n      Events", 1) + "            {Path: /a, Method: GET}\n", wantErr: "Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadAPI(writeTemplate(t, tt.template), tt.function)
			if err == nil {
				t.Fatalf("LoadAPI() error = nil, want one containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadAPI() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
