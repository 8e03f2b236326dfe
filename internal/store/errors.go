package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// throttlingCodes are the error codes with which DynamoDB sheds load.
var throttlingCodes = map[string]bool{
	"ThrottlingException":                    true,
	"ProvisionedThroughputExceededException": true,
	"RequestLimitExceeded":                   true,
}

// classify wraps err with profile.ErrUnavailable when the same request may
// succeed later: the deadline passed, the database could not be reached,
// it throttled, or it responded with a server error after the SDK's
// retries. Any other error is returned as it is.
func classify(err error) error {
	if transient(err) {
		return fmt.Errorf("%w: %w", profile.ErrUnavailable, err)
	}
	return err
}

func transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}

	var sendErr *smithyhttp.RequestSendError
	var quotaErr *ratelimit.QuotaExceededError
	if errors.As(err, &sendErr) || errors.As(err, &quotaErr) {
		return true
	}

	var ise *types.InternalServerError
	if errors.As(err, &ise) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && throttlingCodes[apiErr.ErrorCode()] {
		return true
	}

	var respErr *awshttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500
}
