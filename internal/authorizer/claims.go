package authorizer

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Claims are the claims of a verified token as the JWT carries them:
// strings, booleans, json.Number values, arrays and objects.
type Claims map[string]any

// restTimeLayout is the layout in which the REST API's Cognito authorizer
// writes exp and iat, the format of Java's Date.toString, such as
// "Tue Nov 14 23:13:20 UTC 2023".
const restTimeLayout = "Mon Jan 02 15:04:05 MST 2006"

// REST returns the claims as the REST API's Cognito authorizer puts them at
// requestContext.authorizer.claims, every value a string:
//
//   - exp and iat become UTC dates in restTimeLayout; other numbers, such
//     as auth_time, keep their digits;
//   - booleans become "true" or "false";
//   - arrays, such as cognito:groups, become their items joined by commas,
//     as in "admin,users";
//   - objects become their JSON text, and null claims are left out.
//
// AWS documents none of these forms; they follow REST API events as
// observed. The JSON text of objects is this package's choice.
func (c Claims) REST() map[string]string {
	out := make(map[string]string, len(c))
	for name, value := range c {
		if value == nil {
			continue
		}
		if name == "exp" || name == "iat" {
			if t, ok := unixTime(value); ok {
				out[name] = t.UTC().Format(restTimeLayout)
				continue
			}
		}
		out[name] = restString(value)
	}
	return out
}

func restString(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		items := make([]string, 0, len(v))
		for _, item := range v {
			items = append(items, restString(item))
		}
		return strings.Join(items, ",")
	default:
		text, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(text)
	}
}

// unixTime reads a NumericDate claim: seconds since the epoch, possibly
// with a fraction.
func unixTime(value any) (time.Time, bool) {
	var seconds float64
	switch v := value.(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return time.Time{}, false
		}
		seconds = f
	case float64:
		seconds = v
	default:
		return time.Time{}, false
	}
	whole, fraction := math.Modf(seconds)
	return time.Unix(int64(whole), int64(fraction*1e9)), true
}
