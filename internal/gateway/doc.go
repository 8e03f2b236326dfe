// Package gateway adapts the profile API to Amazon API Gateway's Lambda
// proxy integration. It is the only package that reads API Gateway events.
//
// It accepts the REST API event (payload format 1.0) and the HTTP API event
// (payload format 2.0), reads the caller's sub from the Cognito or JWT
// authorizer's claims, routes on the resource or route key rather than the
// raw path, and answers with proxy responses. Errors are RFC 9457 problem
// documents. Preconditions follow RFC 9110, section 13.1, with the ETag
// being the quoted profile version, and merge patches RFC 7396.
//
// No error or panic leaves Handle: API Gateway would turn either into a bare
// 502 that the client cannot read.
package gateway
