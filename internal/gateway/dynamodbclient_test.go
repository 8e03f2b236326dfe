package gateway

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/serverless-profile/profile-service/internal/devdb"
)

// dynamoDBTargetPrefix is the start of the X-Amz-Target header of every
// DynamoDB request, before the operation name.
const dynamoDBTargetPrefix = "DynamoDB_20120810."

// operationOf returns the DynamoDB operation of a request, such as
// "GetItem".
func operationOf(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("X-Amz-Target"), dynamoDBTargetPrefix)
}

// countingHTTPClient passes every request of a DynamoDB client on to next
// and records its operation, retries included, so that a test can count
// the round trips to the database.
type countingHTTPClient struct {
	next dynamodb.HTTPClient

	mu         sync.Mutex
	operations []string
}

// withCountingHTTPClient returns a copy of client whose requests c counts.
func withCountingHTTPClient(client *dynamodb.Client) (*dynamodb.Client, *countingHTTPClient) {
	c := &countingHTTPClient{}
	counted := dynamodb.New(client.Options(), func(o *dynamodb.Options) {
		c.next = o.HTTPClient
		o.HTTPClient = c
	})
	return counted, c
}

func (c *countingHTTPClient) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.operations = append(c.operations, operationOf(r))
	c.mu.Unlock()
	return c.next.Do(r)
}

// take returns the operations recorded since the last call and clears
// the record.
func (c *countingHTTPClient) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := c.operations
	c.operations = nil
	return ops
}

// stubHTTPClient responds to the requests of a DynamoDB client in-process,
// without a network, with a fixed successful response per operation.
// Benchmarks use it so that they measure the handler, the store and the
// SDK alone.
type stubHTTPClient struct {
	tb        testing.TB
	responses map[string][]byte // response bodies by operation
}

// newStubDynamoDBClient returns a real DynamoDB client, configured as
// devdb configures local clients, whose requests get the response bodies in
// responses, keyed by operation, from an in-process stub.
func newStubDynamoDBClient(tb testing.TB, responses map[string]string) *dynamodb.Client {
	tb.Helper()
	stub := &stubHTTPClient{tb: tb, responses: map[string][]byte{}}
	for operation, body := range responses {
		stub.responses[operation] = []byte(body)
	}
	// The endpoint is never dialled because the stub responds instead.
	return dynamodb.New(devdb.NewClient("http://127.0.0.1:8000").Options(), func(o *dynamodb.Options) {
		o.HTTPClient = stub
	})
}

func (s *stubHTTPClient) Do(r *http.Request) (*http.Response, error) {
	// Read the body as a server would, so that the SDK's serialisation is
	// measured to the end.
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}

	operation := operationOf(r)
	status, body := http.StatusOK, s.responses[operation]
	if body == nil {
		s.tb.Errorf("stub DynamoDB client received an unexpected %s request", operation)
		status = http.StatusBadRequest
		body = []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#UnknownOperationException","message":"no stub response"}`)
	}
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}
