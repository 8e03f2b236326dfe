package app

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Environment variables that AWSConfig reads. Lambda sets all of them for
// every function: the credentials are those of the execution role.
const (
	EnvRegion          = "AWS_REGION"
	EnvDefaultRegion   = "AWS_DEFAULT_REGION"
	EnvAccessKeyID     = "AWS_ACCESS_KEY_ID"
	EnvSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken    = "AWS_SESSION_TOKEN"
)

// AWSConfig returns the SDK configuration that Lambda passes to a function
// in its environment, read through getenv (os.Getenv outside tests): the
// Region from AWS_REGION, or AWS_DEFAULT_REGION when that is empty, and
// static credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the
// optional AWS_SESSION_TOKEN. It returns an error naming every missing
// variable.
//
// It replaces config.LoadDefaultConfig, which also reads shared config and
// credentials files, AWS_PROFILE, SSO, web identity and container
// credentials, and the AWS_ENDPOINT_URL variables. None of those exist in
// Lambda, and linking them made the linux/amd64 bootstrap 2.1 MB larger
// (BENCHMARKS.md has the measurement). A local run must therefore put its
// credentials in the environment, as cmd/invoke and the tests do; a profile
// in ~/.aws is not read.
//
// NOTE: like LoadDefaultConfig, AWSConfig reads the credentials once. A
// runtime that serves them from AWS_CONTAINER_CREDENTIALS_FULL_URI instead
// of the environment, as Lambda SnapStart does, would need the SDK's
// endpointcreds provider here.
func AWSConfig(getenv func(string) string) (aws.Config, error) {
	region := getenv(EnvRegion)
	if region == "" {
		region = getenv(EnvDefaultRegion)
	}
	accessKeyID := getenv(EnvAccessKeyID)
	secretAccessKey := getenv(EnvSecretAccessKey)

	var errs []error
	if region == "" {
		errs = append(errs, fmt.Errorf("%s is not set: Lambda sets it; for a local run set it to a Region such as us-east-1", EnvRegion))
	}
	for _, missing := range []struct{ name, value string }{
		{EnvAccessKeyID, accessKeyID},
		{EnvSecretAccessKey, secretAccessKey},
	} {
		if missing.value == "" {
			errs = append(errs, fmt.Errorf("%s is not set: Lambda sets it from the execution role; for a local database set any value, such as local", missing.name))
		}
	}
	if len(errs) > 0 {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", errors.Join(errs...))
	}

	creds := credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, getenv(EnvSessionToken))
	// The SDK reports the credential source in its User-Agent, as it does for
	// the environment credentials that LoadDefaultConfig finds.
	creds.Source = []aws.CredentialSource{aws.CredentialSourceEnvVars}
	return aws.Config{Region: region, Credentials: creds}, nil
}
