// Package authorizer verifies Amazon Cognito user pool tokens as the
// Cognito authorizer of an API Gateway REST API does, and renders their
// claims as that authorizer passes them to the function.
//
// [Verifier] applies the rules of "Verifying a JSON Web Token" in the Amazon
// Cognito Developer Guide:
//
//   - the header's alg is RS256 and its kid names a key of the pool's JSON
//     Web Key Set (JWKS), published at <issuer>/.well-known/jwks.json;
//   - the RS256 signature verifies with that key;
//   - iss is the pool's issuer, https://cognito-idp.<region>.amazonaws.com/<userPoolId>;
//   - token_use is "id" or "access";
//   - an ID token's aud, or an access token's client_id, is the app client ID;
//   - exp is in the future, with no leeway, and nbf, when present, is not.
//
// The REST API's Cognito authorizer accepts ID tokens, and access tokens
// only on methods that name OAuth scopes. This package accepts both kinds,
// as Cognito's own verification rules do, and checks no scopes.
//
// [NewRemoteKeySet] fetches a pool's JWKS over HTTP, caches it, refreshes it
// every hour, and refreshes it at once when a token names an unknown key id.
// [DevPool] is a development user pool: a signing key kept in a file, its
// JWKS and ID tokens for test users, so that the local API can run without
// an AWS account.
package authorizer
