// Command profile is the Lambda function of the profile API. It reads its
// configuration, builds the handler and hands it to the Lambda runtime;
// everything else lives in the internal packages.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/gateway"
	"github.com/serverless-profile/profile-service/internal/store"
)

func main() {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "profile: invalid configuration:\n%v\n", err)
		os.Exit(1)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))

	// LoadDefaultConfig reads the environment and files only; credentials
	// are fetched on the first request, so the cold start makes no call.
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	client := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
		}
	})

	h := gateway.New(store.New(client, cfg.TableName), gateway.Config{
		AllowedOrigins: cfg.AllowedOrigins,
		RequireIfMatch: cfg.RequireIfMatch,
	}, log)
	lambda.Start(h.Handle)
}
