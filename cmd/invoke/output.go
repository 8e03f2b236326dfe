package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/serverless-profile/profile-service/internal/emulator"
)

// readEvent returns the contents of the event file, which must be JSON.
func readEvent(path string) ([]byte, error) {
	event, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read event file: %w", err)
	}
	if !json.Valid(event) {
		return nil, fmt.Errorf("event file %s is not valid JSON", path)
	}
	return event, nil
}

// executablePath returns the absolute path of an executable file. label
// names the file in errors, and hint is the next step that errors suggest.
func executablePath(path, label, hint string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s path %s: %w", label, path, err)
	}

	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s %s not found: %s", label, path, hint)
	}
	if err != nil {
		return "", fmt.Errorf("check %s %s: %w", label, path, err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%s %s is not an executable file: %s", label, path, hint)
	}
	return abs, nil
}

// proxyResponse is the part of an API Gateway proxy response that
// printResult decodes.
type proxyResponse struct {
	Body            *string `json:"body"`
	IsBase64Encoded bool    `json:"isBase64Encoded"`
}

// printResult writes the response to stdout as indented JSON, or as it is
// when it is not JSON. When the response is a proxy response whose body is
// JSON, it writes the parsed body after it, announced on stderr so that
// stdout stays a stream of JSON documents.
func printResult(stdout, stderr io.Writer, r emulator.Response) error {
	if err := writeJSON(stdout, r.Body); err != nil {
		return err
	}

	var response proxyResponse
	if json.Unmarshal(r.Body, &response) != nil || response.Body == nil {
		return nil
	}
	body := []byte(*response.Body)
	if response.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(*response.Body)
		if err != nil {
			return nil
		}
		body = decoded
	}
	if len(body) == 0 || !json.Valid(body) {
		return nil
	}

	fmt.Fprintln(stderr, "invoke: the response body, parsed:")
	return writeJSON(stdout, body)
}

// writeJSON writes data indented when it is JSON and unchanged when it is
// not, followed by a newline.
func writeJSON(w io.Writer, data []byte) error {
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		out.Reset()
		out.Write(data)
	}
	out.WriteByte('\n')

	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}

// functionError is the payload that the Lambda runtime returns when the
// handler returns an error or panics.
type functionError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// checkResult returns an error wrapping errFunction when the emulator
// reports a failure. A status other than 200 means that the function crashed
// or failed to start. A text body instead of JSON is the emulator's own
// message, such as a timeout. A JSON body with errorType and errorMessage is
// the runtime's error payload.
func checkResult(r emulator.Response) error {
	if !json.Valid(r.Body) {
		return fmt.Errorf("%w: the emulator returned HTTP %s with %q instead of a JSON response", errFunction, r.Status, r.Body)
	}

	var payload functionError
	isError := json.Unmarshal(r.Body, &payload) == nil && payload.ErrorType != "" && payload.ErrorMessage != ""
	switch {
	case r.StatusCode != 200 && isError:
		return fmt.Errorf("%w: the function failed (HTTP %s from the emulator) with %s: %s", errFunction, r.Status, payload.ErrorType, payload.ErrorMessage)
	case r.StatusCode != 200:
		return fmt.Errorf("%w: the emulator returned HTTP %s; see its output above", errFunction, r.Status)
	case isError:
		return fmt.Errorf("%w: the function returned %s: %s", errFunction, payload.ErrorType, payload.ErrorMessage)
	}
	return nil
}
