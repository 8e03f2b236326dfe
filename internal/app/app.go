// Package app builds the profile handler from the configuration: the
// DynamoDB client, the store and the API Gateway adapter. The Lambda entry
// point and local tools build it here, so that they all run the same code.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/serverless-profile/profile-service/internal/config"
	"github.com/serverless-profile/profile-service/internal/gateway"
	"github.com/serverless-profile/profile-service/internal/store"
)

// NewHandler returns the handler for cfg, writing its JSON log lines to
// logs. It makes no network call: the AWS configuration comes from the
// environment and files, and credentials are fetched on the first request.
func NewHandler(ctx context.Context, cfg config.Config, logs io.Writer) (*gateway.Handler, error) {
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))

	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
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
	return h, nil
}
