package gateway

import (
	"errors"
	"strconv"
	"strings"

	"github.com/serverless-profile/profile-service/internal/profile"
)

// maxEntityTags bounds the entity tags of one If-Match header; each becomes
// an operand of the condition expression.
const maxEntityTags = 16

var errInvalidEntityTag = errors.New("invalid entity tag list")

// entityTag is one entity-tag of RFC 9110, section 8.8.3.
type entityTag struct {
	weak  bool
	value string
}

// parseEntityTags reads a header value that is "*" or a comma-separated
// list of entity tags. It reports any=true for "*".
func parseEntityTags(v string) (tags []entityTag, any bool, err error) {
	v = strings.TrimSpace(v)
	if v == "*" {
		return nil, true, nil
	}

	for v != "" {
		var t entityTag
		if rest, ok := strings.CutPrefix(v, "W/"); ok {
			t.weak, v = true, rest
		}
		if !strings.HasPrefix(v, `"`) {
			return nil, false, errInvalidEntityTag
		}
		end := strings.IndexByte(v[1:], '"')
		if end < 0 {
			return nil, false, errInvalidEntityTag
		}
		t.value = v[1 : end+1]
		if strings.ContainsFunc(t.value, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
			return nil, false, errInvalidEntityTag
		}
		tags = append(tags, t)
		if len(tags) > maxEntityTags {
			return nil, false, errInvalidEntityTag
		}

		// Then a comma and the next tag, or the end.
		v = strings.TrimLeft(v[end+2:], " \t")
		if v == "" {
			break
		}
		rest, ok := strings.CutPrefix(v, ",")
		if !ok {
			return nil, false, errInvalidEntityTag
		}
		v = strings.TrimLeft(rest, " \t")
	}
	if len(tags) == 0 {
		return nil, false, errInvalidEntityTag
	}
	return tags, false, nil
}

// version returns the profile version of a tag this service issued.
func (t entityTag) version() (int64, bool) {
	v, err := strconv.ParseInt(t.value, 10, 64)
	return v, err == nil && v > 0 && strconv.FormatInt(v, 10) == t.value
}

// writePrecondition reads If-Match and If-None-Match for a write. If-Match
// compares strongly, so weak tags and tags this service never issues match
// no version. On a write, If-None-Match may only be "*".
func writePrecondition(r *request) (profile.Precondition, string, bool) {
	var pc profile.Precondition

	if v, ok := r.headers["if-match"]; ok {
		tags, any, err := parseEntityTags(v)
		if err != nil {
			return pc, `If-Match must be "*" or a list of entity tags such as "3"`, false
		}
		pc.IfMatchAny = any
		if !any {
			pc.IfMatch = []int64{}
			for _, t := range tags {
				if n, ok := t.version(); ok && !t.weak {
					pc.IfMatch = append(pc.IfMatch, n)
				}
			}
		}
	}

	if v, ok := r.headers["if-none-match"]; ok {
		if _, any, err := parseEntityTags(v); err != nil || !any {
			return pc, `If-None-Match on a write must be "*"`, false
		}
		pc.IfNoneMatchAny = true
	}
	return pc, "", true
}

// notModified reports whether a GET's If-None-Match names the current
// version; it compares weakly, as RFC 9110 prescribes for If-None-Match.
// A malformed header is ignored, which RFC 9110 allows for conditional
// reads.
func notModified(r *request, version int64) bool {
	v, ok := r.headers["if-none-match"]
	if !ok {
		return false
	}
	tags, any, err := parseEntityTags(v)
	if err != nil {
		return false
	}
	if any {
		return true
	}
	for _, t := range tags {
		if n, ok := t.version(); ok && n == version {
			return true
		}
	}
	return false
}
