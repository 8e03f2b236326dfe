// Package localapi serves a Lambda function over HTTP on the local machine
// as an API Gateway REST API with a Cognito user pool authorizer would, so
// that the real API can be tried without an AWS account or Docker.
//
// [LoadAPI] reads the routes from the function's events of type Api in the
// AWS SAM template, so a route added there is served with no second list.
// [Server] then responds to each request in API Gateway's order:
//
//   - a method or path that no route takes gets 403
//     {"message":"Missing Authentication Token"};
//   - on a route with the Cognito authorizer, a missing or failing token
//     gets 401 {"message":"Unauthorized"}, and an expired one 401
//     {"message":"The incoming token has expired"}, without invoking the
//     function;
//   - a body over 10 MB gets 413;
//   - otherwise the function gets a REST API proxy event (payload format
//     1.0) with the verified claims at requestContext.authorizer.claims,
//     every value a string, and its proxy response is written back. An
//     error from the function, or a response that is not a valid proxy
//     response, gets 502 {"message":"Internal server error"}.
//
// Every response carries an x-amzn-RequestId header with the event's
// requestContext.requestId.
package localapi
