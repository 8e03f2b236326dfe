package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// member is one top-level member of a request body, in body order.
type member struct {
	name  string
	value json.RawMessage
}

// decodeObject reads body as exactly one JSON object and returns its
// members. It rejects what encoding/json would let through on its own:
// invalid UTF-8 (which json would turn into U+FFFD), repeated member names
// (json keeps the last) and anything after the object.
func decodeObject(body []byte) ([]member, error) {
	if !utf8.Valid(body) {
		return nil, &SyntaxError{msg: "body is not valid UTF-8"}
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, &SyntaxError{msg: "body is empty; send a JSON object"}
	}
	if err != nil {
		return nil, syntaxError(dec, err)
	}
	if tok != json.Delim('{') {
		return nil, &SyntaxError{msg: "body is not a JSON object"}
	}

	var members []member
	seen := make(map[string]bool)
	for dec.More() {
		m, err := decodeMember(dec)
		if err != nil {
			return nil, err
		}
		if seen[m.name] {
			return nil, &SyntaxError{msg: "a member name appears more than once", Offset: dec.InputOffset()}
		}
		seen[m.name] = true
		members = append(members, m)
	}

	// The closing brace, then nothing but white space.
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &SyntaxError{msg: "data after the JSON object", Offset: dec.InputOffset()}
	}
	return members, nil
}

// decodeMember reads one name and its value, which may be of any JSON type.
// The field rules check the type later, so that every field gets its error.
func decodeMember(dec *json.Decoder) (member, error) {
	tok, err := dec.Token()
	if err != nil {
		return member{}, syntaxError(dec, err)
	}
	name, ok := tok.(string)
	if !ok {
		return member{}, &SyntaxError{msg: "member name is not a string", Offset: dec.InputOffset()}
	}

	var value json.RawMessage
	if err := dec.Decode(&value); err != nil {
		return member{}, syntaxError(dec, err)
	}
	return member{name: name, value: value}, nil
}

// syntaxError turns a decoding error into a *SyntaxError. The decoder's own
// messages may quote the offending input, so they are not passed on.
func syntaxError(dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{msg: "body ends before the JSON object does"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{msg: "body is not well-formed JSON", Offset: se.Offset}
	}
	return &SyntaxError{msg: "body is not well-formed JSON", Offset: dec.InputOffset()}
}
