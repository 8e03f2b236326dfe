// Command hello is the smallest real Go Lambda function: it returns a
// fixed API Gateway proxy response. The benchmark builds it exactly like the
// profile function and measures it in the same run, so that the profile
// function's cold start is read against this floor rather than against a
// number from another machine.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: "hello"}, nil
}

func main() {
	lambda.Start(handle)
}
