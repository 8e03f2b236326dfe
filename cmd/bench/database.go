package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/profile"
	"github.com/serverless-profile/profile-service/internal/store"
)

// dropTableTimeout bounds the DeleteTable call at the end.
const dropTableTimeout = 10 * time.Second

// createBenchTable creates a fresh table, keyed as in template.yaml, in the
// local database at endpoint, and returns its name and a function that
// deletes it.
func createBenchTable(ctx context.Context, endpoint string) (string, func() error, error) {
	client := devdb.NewClient(endpoint)
	if err := devdb.Ping(ctx, client); err != nil {
		return "", nil, fmt.Errorf("local DynamoDB not reachable at %s (%v): start it with make db, or run make bench", endpoint, err)
	}
	templatePath, err := devdb.FindTemplate()
	if err != nil {
		return "", nil, err
	}
	spec, err := devdb.LoadTableSpec(templatePath)
	if err != nil {
		return "", nil, err
	}

	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	name := "profiles-bench-" + hex.EncodeToString(suffix)
	if _, err := devdb.EnsureTable(ctx, client, name, spec); err != nil {
		return "", nil, err
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), dropTableTimeout)
		defer cancel()
		_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		return err
	}
	return name, drop, nil
}

// directRequests are the DynamoDB requests that the function sends for the
// sample GET, PUT and PATCH events, sent with the SDK alone: the baseline
// of the latency through the emulator.
type directRequests struct {
	client *dynamodb.Client
	get    *dynamodb.GetItemInput
	put    *dynamodb.UpdateItemInput
	patch  *dynamodb.UpdateItemInput
}

// newDirectRequests builds the requests that the store sends for sub in
// table: a consistent GetItem, and the UpdateItem of a PUT and of a PATCH
// with the normalised fields of putBody and patchBody, with the same
// update and condition expressions as the store.
func newDirectRequests(client *dynamodb.Client, table, sub string, putBody, patchBody []byte) (*directRequests, error) {
	replacement, err := profile.ParseReplacement(putBody)
	if err != nil {
		return nil, fmt.Errorf("parse the PUT event's body: %w", err)
	}
	patch, err := profile.ParsePatch(patchBody)
	if err != nil {
		return nil, fmt.Errorf("parse the PATCH event's body: %w", err)
	}

	key := map[string]types.AttributeValue{store.KeyAttribute: &types.AttributeValueMemberS{Value: sub}}
	d := &directRequests{
		client: client,
		get:    &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)},
		put:    updateInput(table, key, replacement.Replacement(), ""),
		patch:  updateInput(table, key, patch, "attribute_exists(#key)"),
	}
	return d, nil
}

// updateInput returns the UpdateItem of the store: the changes, the
// version and the times, returning the new item. condition may name the
// key attribute as #key.
func updateInput(table string, key map[string]types.AttributeValue, changes []profile.Change, condition string) *dynamodb.UpdateItemInput {
	names := map[string]string{"#version": "version", "#created_at": "created_at", "#updated_at": "updated_at"}
	values := map[string]types.AttributeValue{
		":zero": &types.AttributeValueMemberN{Value: "0"},
		":one":  &types.AttributeValueMemberN{Value: "1"},
		":now":  &types.AttributeValueMemberS{Value: time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)},
	}
	var set, remove []string
	for i, c := range changes {
		name := fmt.Sprintf("#f%d", i)
		names[name] = c.Field
		if c.Remove {
			remove = append(remove, name)
			continue
		}
		value := fmt.Sprintf(":f%d", i)
		values[value] = &types.AttributeValueMemberS{Value: c.Value}
		set = append(set, name+" = "+value)
	}
	set = append(set,
		"#version = if_not_exists(#version, :zero) + :one",
		"#created_at = if_not_exists(#created_at, :now)",
		"#updated_at = :now")

	expression := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		expression += " REMOVE " + strings.Join(remove, ", ")
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                           aws.String(table),
		Key:                                 key,
		UpdateExpression:                    aws.String(expression),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if condition != "" {
		in.ConditionExpression = aws.String(condition)
		names["#key"] = store.KeyAttribute
	}
	return in
}

// send sends the request of method and returns its round trip.
func (d *directRequests) send(ctx context.Context, method string) (time.Duration, error) {
	start := time.Now()
	var err error
	switch method {
	case "GET":
		var out *dynamodb.GetItemOutput
		out, err = d.client.GetItem(ctx, d.get)
		if err == nil && len(out.Item) == 0 {
			err = fmt.Errorf("no item")
		}
	case "PUT":
		_, err = d.client.UpdateItem(ctx, d.put)
	default:
		_, err = d.client.UpdateItem(ctx, d.patch)
	}
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("%s request to the database alone: %w", method, err)
	}
	return elapsed, nil
}
