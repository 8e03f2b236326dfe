// Package app builds the profile handler from the configuration: the
// DynamoDB client, the store and the API Gateway adapter. The Lambda entry
// point and local tools build it here, so that they all run the same code.
package app

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/gateway"
	"github.com/serverless-profile/profile-service/internal/store"
)

// NewHandler returns the handler for cfg, writing its JSON log lines to
// logs. It takes the AWS Region and credentials from the environment, as
// [AWSConfig] describes, and returns its error when they are missing. It
// makes no network call and reads no file, so ctx is not used.
func NewHandler(ctx context.Context, cfg config.Config, logs io.Writer) (*gateway.Handler, error) {
	awsCfg, err := AWSConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	client := NewDynamoDBClient(awsCfg, cfg.DynamoDBEndpoint)

	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	h := gateway.New(store.New(client, cfg.TableName), gateway.Config{
		AllowedOrigins: cfg.AllowedOrigins,
		RequireIfMatch: cfg.RequireIfMatch,
	}, log)
	return h, nil
}

// NewDynamoDBClient returns the function's DynamoDB client for awsCfg. A
// non-empty endpoint, such as http://127.0.0.1:8000, replaces the AWS
// endpoint of the Region.
func NewDynamoDBClient(awsCfg aws.Config, endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}
