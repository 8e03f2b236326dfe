// Package deploy holds the checks of the deployment, which nothing here can
// run. Its tests compare template.yaml, the AWS SAM template, with the code
// it deploys: the DynamoDB actions and key of package store, the
// environment variables of package config and the routes of package
// gateway. They also run cfn-lint on the template, and check that the
// Makefile target that sam build runs gives a static linux/arm64 bootstrap.
//
// The package has tests only. The template is parsed with goformation, which
// resolves Ref to a resource and Fn::GetAtt to nil, so values that name
// other resources or depend on parameters are read from the template's raw
// form instead.
package deploy
