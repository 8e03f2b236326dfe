package devdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DefaultEndpoint is the URL of the local database when DYNAMODB_ENDPOINT is
// not set. It matches the default port of `go run ./cmd/localdb start`.
const DefaultEndpoint = "http://127.0.0.1:8000"

// DefaultRegion is the region that clients from [NewClient] sign requests
// for when AWS_REGION is not set. A local server accepts any region.
const DefaultRegion = "us-east-1"

// tableActiveTimeout bounds the wait for a new table to become ACTIVE. A
// local server started with --createTableMs 0 needs none of it.
const tableActiveTimeout = 30 * time.Second

// Endpoint returns the URL of the local database: the DYNAMODB_ENDPOINT
// environment variable, or [DefaultEndpoint] when it is empty.
func Endpoint() string {
	if endpoint := os.Getenv("DYNAMODB_ENDPOINT"); endpoint != "" {
		return endpoint
	}
	return DefaultEndpoint
}

// NewClient returns a DynamoDB client that sends every request to endpoint.
//
// The client signs with static dummy credentials and ignores the shared AWS
// config files, so it never uses real AWS credentials. The region is
// AWS_REGION, or [DefaultRegion] when that is empty. A request is tried at
// most twice, so a stopped server fails fast instead of being retried with
// backoff.
func NewClient(endpoint string) *dynamodb.Client {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = DefaultRegion
	}

	return dynamodb.New(dynamodb.Options{
		Region:           region,
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 2,
	})
}

// Ping sends one ListTables request, without retries, and returns its error,
// or nil when the database at the client's endpoint responded. The caller sets
// the time limit through ctx and decides whether to try again.
func Ping(ctx context.Context, client *dynamodb.Client) error {
	_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}, func(o *dynamodb.Options) {
		o.RetryMaxAttempts = 1
	})
	return err
}

// EnsureTable creates the table name from spec unless it exists, then waits
// until the table is ACTIVE. It returns created = true when this call
// created the table. An existing table is left as it is, even when its key
// schema differs from spec. It returns an error when DescribeTable or
// CreateTable fails, or when the table is not ACTIVE within 30 seconds.
func EnsureTable(ctx context.Context, client *dynamodb.Client, name string, spec TableSpec) (created bool, err error) {
	described, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	var notFound *types.ResourceNotFoundException
	switch {
	case err == nil:
		if described.Table != nil && described.Table.TableStatus == types.TableStatusActive {
			return false, nil
		}
	case errors.As(err, &notFound):
		created, err = createTable(ctx, client, name, spec)
		if err != nil {
			return false, err
		}
	default:
		return false, fmt.Errorf("describe table %s: %w", name, err)
	}

	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		// The waiter's defaults (20 s minimum delay) suit AWS, not a local
		// server that creates a table at once.
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, tableActiveTimeout); err != nil {
		return created, fmt.Errorf("wait for table %s to become ACTIVE: %w", name, err)
	}
	return created, nil
}

// createTable returns created = false when another process created the
// table between DescribeTable and CreateTable.
func createTable(ctx context.Context, client *dynamodb.Client, name string, spec TableSpec) (created bool, err error) {
	input := &dynamodb.CreateTableInput{
		TableName:            &name,
		KeySchema:            spec.KeySchema,
		AttributeDefinitions: spec.AttributeDefinitions,
		BillingMode:          spec.BillingMode,
	}
	if spec.BillingMode == types.BillingModeProvisioned {
		// CreateTable requires a throughput for provisioned tables, and
		// local servers do not enforce it, so any valid value works.
		input.ProvisionedThroughput = &types.ProvisionedThroughput{
			ReadCapacityUnits:  aws.Int64(1),
			WriteCapacityUnits: aws.Int64(1),
		}
	}

	_, err = client.CreateTable(ctx, input)
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create table %s: %w", name, err)
	}
	return true, nil
}
