// Command profile is the Lambda function of the profile API. It reads its
// configuration, builds the handler and hands it to the Lambda runtime;
// everything else lives in the internal packages.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/serverless-profile/profile-service/internal/app"
	"github.com/serverless-profile/profile-service/internal/config"
)

func main() {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "profile: invalid configuration:\n%v\n", err)
		os.Exit(1)
	}

	h, err := app.NewHandler(context.Background(), cfg, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "profile: %v\n", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
