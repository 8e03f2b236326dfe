package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// KeyAttribute is the table's partition key: the user's sub claim.
const KeyAttribute = "sub"

// Operations lists the DynamoDB actions that the store calls, for the IAM
// policy that allows exactly these.
var Operations = []string{"GetItem", "UpdateItem", "DeleteItem"}

// API is the part of the DynamoDB client that the store calls;
// *dynamodb.Client implements it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store reads and writes profiles in one table. It is safe for concurrent
// use. Its methods stop when ctx is done; the caller sets the deadline.
type Store struct {
	client API
	table  string
	now    func() time.Time
}

// New returns a store of profiles in table.
func New(client API, table string) *Store {
	return &Store{client: client, table: table, now: time.Now}
}

// Get returns the profile of sub with a consistent read. It returns an error
// matching profile.ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, sub string) (profile.Profile, error) {
	p, found, err := s.read(ctx, sub)
	if err != nil {
		return profile.Profile{}, err
	}
	if !found {
		return profile.Profile{}, fmt.Errorf("get profile %s: %w", sub, profile.ErrNotFound)
	}
	return p, nil
}

// Put replaces the editable fields of sub's profile with those of p,
// removing the ones p leaves empty, or creates the profile at version 1. It
// reports whether it created the profile. When pc fails it returns a
// *profile.VersionMismatchError, whose Current is 0 if there is no profile.
func (s *Store) Put(ctx context.Context, sub string, p profile.Profile, pc profile.Precondition) (profile.Profile, bool, error) {
	saved, err := s.update(ctx, sub, p.Replacement(), pc, false)
	if err != nil {
		return profile.Profile{}, false, fmt.Errorf("put profile %s: %w", sub, err)
	}
	return saved, saved.Version == 1, nil
}

// Patch applies changes to sub's existing profile. With no changes it
// writes nothing and returns the current profile after checking pc against
// it. It returns an error matching profile.ErrNotFound when there is no
// profile, and a *profile.VersionMismatchError when pc fails.
func (s *Store) Patch(ctx context.Context, sub string, changes []profile.Change, pc profile.Precondition) (profile.Profile, error) {
	if len(changes) == 0 {
		p, err := s.Get(ctx, sub)
		if err != nil {
			return profile.Profile{}, err
		}
		if !pc.Allows(p.Version) {
			return profile.Profile{}, fmt.Errorf("patch profile %s: %w", sub, &profile.VersionMismatchError{Current: p.Version})
		}
		return p, nil
	}

	saved, err := s.update(ctx, sub, changes, pc, true)
	if err != nil {
		return profile.Profile{}, fmt.Errorf("patch profile %s: %w", sub, err)
	}
	return saved, nil
}

// Delete erases sub's profile. It returns an error matching
// profile.ErrNotFound when there is none, and a
// *profile.VersionMismatchError when pc fails.
func (s *Store) Delete(ctx context.Context, sub string, pc profile.Precondition) error {
	cond, ok := condition(pc, true)
	if !ok {
		return fmt.Errorf("delete profile %s: %w", sub, s.mismatch(ctx, sub, nil, true))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("delete profile %s: build expression: %w", sub, err)
	}

	_, err = s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 key(sub),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err != nil {
		return fmt.Errorf("delete profile %s: %w", sub, s.failed(ctx, sub, err, true))
	}
	return nil
}

// update runs one conditional UpdateItem that applies changes, increments
// the version and stamps the times. With mustExist it never creates an item.
func (s *Store) update(ctx context.Context, sub string, changes []profile.Change, pc profile.Precondition, mustExist bool) (profile.Profile, error) {
	cond, ok := condition(pc, mustExist)
	if !ok {
		return profile.Profile{}, s.mismatch(ctx, sub, nil, mustExist)
	}

	now := s.now().UTC().Truncate(time.Second).Format(time.RFC3339)
	var ub expression.UpdateBuilder
	for _, c := range changes {
		if c.Remove {
			ub = ub.Remove(expression.Name(c.Field))
			continue
		}
		ub = ub.Set(expression.Name(c.Field), expression.Value(c.Value))
	}
	ub = ub.Set(expression.Name("version"), expression.Plus(expression.IfNotExists(expression.Name("version"), expression.Value(0)), expression.Value(1))).
		Set(expression.Name("created_at"), expression.IfNotExists(expression.Name("created_at"), expression.Value(now))).
		Set(expression.Name("updated_at"), expression.Value(now))

	b := expression.NewBuilder().WithUpdate(ub)
	if cond.IsSet() {
		b = b.WithCondition(cond)
	}
	expr, err := b.Build()
	if err != nil {
		return profile.Profile{}, fmt.Errorf("build expression: %w", err)
	}

	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 key(sub),
		UpdateExpression:                    expr.Update(),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err != nil {
		return profile.Profile{}, s.failed(ctx, sub, err, mustExist)
	}
	return decode(out.Attributes)
}

// condition turns pc into a condition expression. With mustExist the item
// must exist. It returns false when pc can never hold, so that no write is
// sent, and an unset builder when there is nothing to check.
func condition(pc profile.Precondition, mustExist bool) (expression.ConditionBuilder, bool) {
	var conds []expression.ConditionBuilder
	if mustExist || pc.IfMatchAny {
		conds = append(conds, expression.AttributeExists(expression.Name(KeyAttribute)))
	}
	if pc.IfNoneMatchAny {
		conds = append(conds, expression.AttributeNotExists(expression.Name(KeyAttribute)))
	}
	if pc.IfMatch != nil {
		if len(pc.IfMatch) == 0 {
			return expression.ConditionBuilder{}, false
		}
		versions := make([]expression.OperandBuilder, len(pc.IfMatch))
		for i, v := range pc.IfMatch {
			versions[i] = expression.Value(v)
		}
		conds = append(conds, expression.Name("version").In(versions[0], versions[1:]...))
	}

	switch len(conds) {
	case 0:
		return expression.ConditionBuilder{}, true
	case 1:
		return conds[0], true
	default:
		return expression.And(conds[0], conds[1], conds[2:]...), true
	}
}

// failed turns the error of a conditional write into the store's errors.
func (s *Store) failed(ctx context.Context, sub string, err error, mustExist bool) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return s.mismatch(ctx, sub, ccf.Item, mustExist)
	}
	return classify(err)
}

// mismatch explains a failed condition from the old item, reading it when
// the database did not return it: no item is ErrNotFound for requests that
// need one, and any other state is a *profile.VersionMismatchError.
func (s *Store) mismatch(ctx context.Context, sub string, old map[string]types.AttributeValue, mustExist bool) error {
	var version int64
	if len(old) > 0 {
		v, err := versionOf(old)
		if err != nil {
			return err
		}
		version = v
	} else {
		p, found, err := s.read(ctx, sub)
		if err != nil {
			return err
		}
		if found {
			version = p.Version
		}
	}

	if version == 0 && mustExist {
		return profile.ErrNotFound
	}
	return &profile.VersionMismatchError{Current: version}
}

// read does one consistent GetItem.
func (s *Store) read(ctx context.Context, sub string) (profile.Profile, bool, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(sub),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return profile.Profile{}, false, fmt.Errorf("read profile %s: %w", sub, classify(err))
	}
	if len(out.Item) == 0 {
		return profile.Profile{}, false, nil
	}
	p, err := decode(out.Item)
	return p, err == nil, err
}

func key(sub string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{KeyAttribute: &types.AttributeValueMemberS{Value: sub}}
}

// decode reads an item into a Profile; the attribute names are the JSON
// member names.
func decode(item map[string]types.AttributeValue) (profile.Profile, error) {
	var p profile.Profile
	err := attributevalue.UnmarshalMapWithOptions(item, &p, func(o *attributevalue.DecoderOptions) {
		o.TagKey = "json"
	})
	if err != nil {
		return profile.Profile{}, fmt.Errorf("decode item: %w", err)
	}
	return p, nil
}

func versionOf(item map[string]types.AttributeValue) (int64, error) {
	n, ok := item["version"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, errors.New("decode item: version is not a number")
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("decode item: version: %w", err)
	}
	return v, nil
}
