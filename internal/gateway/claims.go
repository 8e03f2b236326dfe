package gateway

import (
	"encoding/json"
)

// subject returns the verified sub claim of the authorizer block, or false
// when there is none. The REST API's Cognito authorizer puts the claims at
// authorizer.claims, and the HTTP API's JWT authorizer at
// authorizer.jwt.claims in both payload versions. A sub that is missing,
// empty or not a JSON string is no sub: the item key is never made from a
// number or any other formatted value.
func subject(authorizer json.RawMessage) (string, bool) {
	if len(authorizer) == 0 {
		return "", false
	}

	var block struct {
		Claims map[string]json.RawMessage `json:"claims"`
		JWT    struct {
			Claims map[string]json.RawMessage `json:"claims"`
		} `json:"jwt"`
	}
	if err := json.Unmarshal(authorizer, &block); err != nil {
		return "", false
	}

	claims := block.Claims
	if claims == nil {
		claims = block.JWT.Claims
	}
	raw, ok := claims["sub"]
	if !ok {
		return "", false
	}
	var sub string
	if err := json.Unmarshal(raw, &sub); err != nil || sub == "" {
		return "", false
	}
	return sub, true
}
