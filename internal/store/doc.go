// Package store keeps profiles in Amazon DynamoDB, one item per user keyed by
// the user's sub.
//
// Every write is a single conditional request (UpdateItem or DeleteItem), so
// there is no read-modify-write window: the version is incremented inside
// the request, and the client's If-Match or If-None-Match becomes part of
// its ConditionExpression. When a condition fails, the store distinguishes
// "no profile" from "another version" by the old item that DynamoDB returns
// with ReturnValuesOnConditionCheckFailure, or, where the database returns
// none (as dynalite does), by one consistent read.
//
// The store turns SDK errors into the errors of package profile: ErrNotFound,
// ErrVersionMismatch (as *profile.VersionMismatchError) and ErrUnavailable.
package store
