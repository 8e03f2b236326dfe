package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/profile"
	"github.com/serverless-profile/profile-service/internal/store"
)

// stubTable is the table name that stores on a stub endpoint use.
const stubTable = "profiles-stub"

// targetPrefix is the start of the X-Amz-Target header of every DynamoDB
// request, before the operation name.
const targetPrefix = "DynamoDB_20120810."

// stubResponse is one HTTP response of the stub endpoint.
type stubResponse struct {
	status int
	body   string
}

// stubRequest is one request that the stub endpoint received.
type stubRequest struct {
	operation string
	body      []byte
}

// stubDynamoDB is a DynamoDB endpoint on loopback that returns a fixed
// response for each operation and records every request it receives.
type stubDynamoDB struct {
	t         *testing.T
	responses map[string]stubResponse

	mu       sync.Mutex
	requests []stubRequest
}

// newStubStore starts a stub endpoint that returns responses, keyed by
// operation name such as "UpdateItem", and returns it with a store that
// sends its requests there. An operation without a response fails the test.
func newStubStore(t *testing.T, responses map[string]stubResponse) (*stubDynamoDB, *store.Store) {
	t.Helper()
	stub := &stubDynamoDB{t: t, responses: responses}
	server := httptest.NewServer(stub)
	t.Cleanup(server.Close)
	return stub, store.New(devdb.NewClient(server.URL), stubTable)
}

func (s *stubDynamoDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	operation := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("stub endpoint: read %s request body: %v", operation, err)
	}
	s.mu.Lock()
	s.requests = append(s.requests, stubRequest{operation: operation, body: body})
	s.mu.Unlock()

	response, ok := s.responses[operation]
	if !ok {
		s.t.Errorf("stub endpoint received an unexpected %s request", operation)
		response = errorResponse(http.StatusBadRequest, "UnknownOperationException")
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(response.status)
	_, _ = io.WriteString(w, response.body)
}

// count returns how many requests of operation the stub received.
func (s *stubDynamoDB) count(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.operation == operation {
			n++
		}
	}
	return n
}

// checkCounts fails the test unless the stub received exactly want requests
// of each operation, counting operations missing from want as 0.
func (s *stubDynamoDB) checkCounts(t *testing.T, want map[string]int) {
	t.Helper()
	for _, operation := range []string{"GetItem", "UpdateItem", "DeleteItem"} {
		if got := s.count(operation); got != want[operation] {
			t.Errorf("stub received %d %s requests, want %d", got, operation, want[operation])
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.requests {
		if !slices.Contains(store.Operations, r.operation) {
			t.Errorf("stub received a %s request, want only %v", r.operation, store.Operations)
		}
	}
}

// onlyRequest decodes the one request of operation that the stub received.
func (s *stubDynamoDB) onlyRequest(t *testing.T, operation string) capturedRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var bodies [][]byte
	for _, r := range s.requests {
		if r.operation == operation {
			bodies = append(bodies, r.body)
		}
	}
	if len(bodies) != 1 {
		t.Fatalf("stub received %d %s requests, want 1", len(bodies), operation)
	}

	var req capturedRequest
	if err := json.Unmarshal(bodies[0], &req); err != nil {
		t.Fatalf("%s request body is not the expected JSON: %v\n%s", operation, err, bodies[0])
	}
	return req
}

// capturedRequest is the part of a GetItem, UpdateItem or DeleteItem request
// body that the tests check. Attribute values keep their type
// descriptor, such as {"N": "3"}.
type capturedRequest struct {
	TableName                           string
	Key                                 map[string]map[string]string
	ConsistentRead                      *bool
	UpdateExpression                    string
	ConditionExpression                 string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]map[string]string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
}

// resolve replaces the placeholders in expression with the attribute names
// and values that the request maps them to, so that "#0 IN (:0)" becomes
// "version IN (3)". String values are quoted.
func (r capturedRequest) resolve(expression string) string {
	var pairs [][2]string
	for placeholder, name := range r.ExpressionAttributeNames {
		pairs = append(pairs, [2]string{placeholder, name})
	}
	for placeholder, value := range r.ExpressionAttributeValues {
		literal := value["N"]
		if s, ok := value["S"]; ok {
			literal = strconv.Quote(s)
		}
		pairs = append(pairs, [2]string{placeholder, literal})
	}

	// strings.Replacer tries the old strings in argument order, so longer
	// placeholders such as ":10" must come before ":1".
	slices.SortFunc(pairs, func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
	var oldNew []string
	for _, p := range pairs {
		oldNew = append(oldNew, p[0], p[1])
	}
	return strings.NewReplacer(oldNew...).Replace(expression)
}

// checkKey fails the test unless the request is for sub in the stub table.
func (r capturedRequest) checkKey(t *testing.T, sub string) {
	t.Helper()
	if r.TableName != stubTable {
		t.Errorf("TableName = %q, want %q", r.TableName, stubTable)
	}
	want := map[string]map[string]string{store.KeyAttribute: {"S": sub}}
	if !reflect.DeepEqual(r.Key, want) {
		t.Errorf("Key = %v, want %v", r.Key, want)
	}
}

// Patterns of resolved condition expressions. They allow any spacing.
var (
	keyExistsPattern    = regexp.MustCompile(`attribute_exists\s*\(\s*sub\s*\)`)
	keyNotExistsPattern = regexp.MustCompile(`attribute_not_exists\s*\(\s*sub\s*\)`)
)

// versionInPattern matches "version IN (v1, v2, ...)" with exactly versions.
func versionInPattern(versions ...int64) *regexp.Regexp {
	numbers := make([]string, len(versions))
	for i, v := range versions {
		numbers[i] = strconv.FormatInt(v, 10)
	}
	return regexp.MustCompile(`version\s+IN\s*\(\s*` + strings.Join(numbers, `\s*,\s*`) + `\s*\)`)
}

// errorResponse returns a DynamoDB error response with the error code
// errorType, as the JSON 1.0 protocol writes it.
func errorResponse(status int, errorType string) stubResponse {
	return stubResponse{
		status: status,
		body:   `{"__type":"com.amazonaws.dynamodb.v20120810#` + errorType + `","message":"stub error ` + errorType + `"}`,
	}
}

// stubItem returns the DynamoDB JSON of a made-up stored profile of testSub
// at version.
func stubItem(version int64) string {
	return `{"sub":{"S":"` + testSub + `"},"name":{"S":"Ada Example"},` +
		`"created_at":{"S":"2025-01-02T03:04:05Z"},"updated_at":{"S":"2025-01-02T03:04:05Z"},` +
		`"version":{"N":"` + strconv.FormatInt(version, 10) + `"}}`
}

// conditionFailed returns the ConditionalCheckFailedException response,
// with the old item when item is not empty.
func conditionFailed(item string) stubResponse {
	body := `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"`
	if item != "" {
		body += `,"Item":` + item
	}
	return stubResponse{status: http.StatusBadRequest, body: body + "}"}
}

func okResponse(body string) stubResponse {
	return stubResponse{status: http.StatusOK, body: body}
}

// storeCall is a call of one store method that sends one DynamoDB request
// when no condition fails.
type storeCall struct {
	name      string
	operation string // the DynamoDB operation that call sends
	call      func(ctx context.Context, s *store.Store) error
}

var writeCalls = []storeCall{
	{
		name:      "put",
		operation: "UpdateItem",
		call: func(ctx context.Context, s *store.Store) error {
			_, _, err := s.Put(ctx, testSub, adaProfile(), profile.Precondition{IfMatch: []int64{6}})
			return err
		},
	},
	{
		name:      "patch",
		operation: "UpdateItem",
		call: func(ctx context.Context, s *store.Store) error {
			_, err := s.Patch(ctx, testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatch: []int64{6}})
			return err
		},
	},
	{
		name:      "delete",
		operation: "DeleteItem",
		call: func(ctx context.Context, s *store.Store) error {
			return s.Delete(ctx, testSub, profile.Precondition{IfMatch: []int64{6}})
		},
	},
}

var getCall = storeCall{
	name:      "get",
	operation: "GetItem",
	call: func(ctx context.Context, s *store.Store) error {
		_, err := s.Get(ctx, testSub)
		return err
	},
}

func TestStore_ConditionCheckFailed(t *testing.T) {
	for _, c := range writeCalls {
		t.Run(c.name+" with returned item", func(t *testing.T) {
			stub, s := newStubStore(t, map[string]stubResponse{
				c.operation: conditionFailed(stubItem(7)),
			})

			err := c.call(t.Context(), s)
			checkMismatch(t, err, 7)
			stub.checkCounts(t, map[string]int{c.operation: 1})
		})

		t.Run(c.name+" with read item", func(t *testing.T) {
			stub, s := newStubStore(t, map[string]stubResponse{
				c.operation: conditionFailed(""),
				"GetItem":   okResponse(`{"Item":` + stubItem(3) + `}`),
			})

			err := c.call(t.Context(), s)
			checkMismatch(t, err, 3)
			stub.checkCounts(t, map[string]int{c.operation: 1, "GetItem": 1})
			if req := stub.onlyRequest(t, "GetItem"); req.ConsistentRead == nil || !*req.ConsistentRead {
				t.Errorf("GetItem ConsistentRead = %v, want true", req.ConsistentRead)
			}
		})

		t.Run(c.name+" with no item", func(t *testing.T) {
			stub, s := newStubStore(t, map[string]stubResponse{
				c.operation: conditionFailed(""),
				"GetItem":   okResponse(`{}`),
			})

			err := c.call(t.Context(), s)
			if c.name == "put" {
				checkMismatch(t, err, 0)
			} else {
				checkNotFound(t, err)
			}
			stub.checkCounts(t, map[string]int{c.operation: 1, "GetItem": 1})
		})

		t.Run(c.name+" with failing read", func(t *testing.T) {
			stub, s := newStubStore(t, map[string]stubResponse{
				c.operation: conditionFailed(""),
				"GetItem":   errorResponse(http.StatusBadRequest, "ThrottlingException"),
			})

			err := c.call(t.Context(), s)
			if !errors.Is(err, profile.ErrUnavailable) {
				t.Errorf("error = %v, want an error matching profile.ErrUnavailable", err)
			}
			if got := stub.count(c.operation); got != 1 {
				t.Errorf("stub received %d %s requests, want 1", got, c.operation)
			}
		})
	}
}

// errorKinds are failure responses of the endpoint, each with whether the
// store must report it as profile.ErrUnavailable.
var errorKinds = []struct {
	name        string
	response    stubResponse
	unavailable bool
}{
	{"internal server error", errorResponse(http.StatusInternalServerError, "InternalServerError"), true},
	{"service unavailable", errorResponse(http.StatusServiceUnavailable, "ServiceUnavailable"), true},
	{"bad gateway without body", stubResponse{status: http.StatusBadGateway}, true},
	{"throttling", errorResponse(http.StatusBadRequest, "ThrottlingException"), true},
	{"provisioned throughput exceeded", errorResponse(http.StatusBadRequest, "ProvisionedThroughputExceededException"), true},
	{"request limit exceeded", errorResponse(http.StatusBadRequest, "RequestLimitExceeded"), true},
	{"validation", errorResponse(http.StatusBadRequest, "ValidationException"), false},
	{"resource not found", errorResponse(http.StatusBadRequest, "ResourceNotFoundException"), false},
}

func TestStore_ErrorClassification(t *testing.T) {
	calls := append([]storeCall{getCall}, writeCalls...)
	for _, kind := range errorKinds {
		for _, c := range calls {
			t.Run(kind.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				_, s := newStubStore(t, map[string]stubResponse{c.operation: kind.response})

				err := c.call(t.Context(), s)
				if err == nil {
					t.Fatalf("%s succeeded, want an error", c.name)
				}
				if got := errors.Is(err, profile.ErrUnavailable); got != kind.unavailable {
					t.Errorf("errors.Is(%v, profile.ErrUnavailable) = %t, want %t", err, got, kind.unavailable)
				}
				if errors.Is(err, profile.ErrNotFound) {
					t.Errorf("error = %v, want it not to match profile.ErrNotFound", err)
				}
				if errors.Is(err, profile.ErrVersionMismatch) {
					t.Errorf("error = %v, want it not to match profile.ErrVersionMismatch", err)
				}
			})
		}
	}
}

// closedLoopbackURL returns the URL of a loopback port on which nothing
// listens, so that connections to it are refused.
func closedLoopbackURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	address := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + address
}

// returnTimeout bounds how long a call may take against an endpoint that
// refuses or never responds. It is generous so that a slow machine does
// not fail the test, and it only turns a hang into a failure.
const returnTimeout = 10 * time.Second

// callWithin runs call and fails the test if it does not return within
// returnTimeout.
func callWithin(t *testing.T, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(returnTimeout):
		t.Fatalf("call did not return within %v", returnTimeout)
		return nil
	}
}

func TestStore_UnreachableEndpoint(t *testing.T) {
	calls := append([]storeCall{getCall}, writeCalls...)

	for _, c := range calls {
		t.Run("closed port/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := store.New(devdb.NewClient(closedLoopbackURL(t)), stubTable)

			err := callWithin(t, func() error { return c.call(t.Context(), s) })
			if !errors.Is(err, profile.ErrUnavailable) {
				t.Errorf("error = %v, want an error matching profile.ErrUnavailable", err)
			}
		})
	}

	for _, c := range calls {
		t.Run("deadline/"+c.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Hold the request until the client gives up or the test ends.
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(server.Close)
			t.Cleanup(func() { close(release) }) // runs before server.Close
			s := store.New(devdb.NewClient(server.URL), stubTable)

			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			err := callWithin(t, func() error { return c.call(ctx, s) })
			if !errors.Is(err, profile.ErrUnavailable) {
				t.Errorf("error = %v, want an error matching profile.ErrUnavailable", err)
			}
		})
	}
}

func TestStore_WriteRequest(t *testing.T) {
	t.Run("put with if-match", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"UpdateItem": okResponse(`{"Attributes":` + stubItem(5) + `}`),
		})

		got, created, err := s.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatch: []int64{4}})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if got.Version != 5 {
			t.Errorf("Put() version = %d, want 5 from the returned item", got.Version)
		}
		if created {
			t.Errorf("Put() created = true, want false for a returned item at version 5")
		}
		stub.checkCounts(t, map[string]int{"UpdateItem": 1})

		req := stub.onlyRequest(t, "UpdateItem")
		req.checkKey(t, testSub)
		condition := req.resolve(req.ConditionExpression)
		if !versionInPattern(4).MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require version IN (4)", condition)
		}
		if keyNotExistsPattern.MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want no attribute_not_exists(sub)", condition)
		}
		if req.ReturnValues != "ALL_NEW" {
			t.Errorf("ReturnValues = %q, want ALL_NEW", req.ReturnValues)
		}
		if req.ReturnValuesOnConditionCheckFailure != "ALL_OLD" {
			t.Errorf("ReturnValuesOnConditionCheckFailure = %q, want ALL_OLD", req.ReturnValuesOnConditionCheckFailure)
		}
	})

	t.Run("put with several if-match versions", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"UpdateItem": okResponse(`{"Attributes":` + stubItem(5) + `}`),
		})

		if _, _, err := s.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfMatch: []int64{2, 4}}); err != nil {
			t.Fatalf("Put() error: %v", err)
		}

		req := stub.onlyRequest(t, "UpdateItem")
		if condition := req.resolve(req.ConditionExpression); !versionInPattern(2, 4).MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require version IN (2, 4)", condition)
		}
	})

	t.Run("put with if-none-match", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"UpdateItem": okResponse(`{"Attributes":` + stubItem(1) + `}`),
		})

		_, created, err := s.Put(t.Context(), testSub, adaProfile(), profile.Precondition{IfNoneMatchAny: true})
		if err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		if !created {
			t.Errorf("Put() created = false, want true for a returned item at version 1")
		}
		stub.checkCounts(t, map[string]int{"UpdateItem": 1})

		req := stub.onlyRequest(t, "UpdateItem")
		if condition := req.resolve(req.ConditionExpression); !keyNotExistsPattern.MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require attribute_not_exists(sub)", condition)
		}
	})

	t.Run("put without precondition", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"UpdateItem": okResponse(`{"Attributes":` + stubItem(2) + `}`),
		})

		if _, _, err := s.Put(t.Context(), testSub, adaProfile(), profile.Precondition{}); err != nil {
			t.Fatalf("Put() error: %v", err)
		}
		stub.checkCounts(t, map[string]int{"UpdateItem": 1})

		req := stub.onlyRequest(t, "UpdateItem")
		if req.ConditionExpression != "" {
			t.Errorf("ConditionExpression = %q, want none, because a PUT without precondition creates or replaces", req.resolve(req.ConditionExpression))
		}
		if req.ReturnValues != "ALL_NEW" {
			t.Errorf("ReturnValues = %q, want ALL_NEW", req.ReturnValues)
		}
	})

	t.Run("patch", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"UpdateItem": okResponse(`{"Attributes":` + stubItem(3) + `}`),
		})

		got, err := s.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got.Version != 3 {
			t.Errorf("Patch() version = %d, want 3 from the returned item", got.Version)
		}
		stub.checkCounts(t, map[string]int{"UpdateItem": 1})

		req := stub.onlyRequest(t, "UpdateItem")
		req.checkKey(t, testSub)
		if condition := req.resolve(req.ConditionExpression); !keyExistsPattern.MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require attribute_exists(sub)", condition)
		}
		if req.ReturnValues != "ALL_NEW" {
			t.Errorf("ReturnValues = %q, want ALL_NEW", req.ReturnValues)
		}
		if req.ReturnValuesOnConditionCheckFailure != "ALL_OLD" {
			t.Errorf("ReturnValuesOnConditionCheckFailure = %q, want ALL_OLD", req.ReturnValuesOnConditionCheckFailure)
		}
	})

	t.Run("patch with if-match", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"UpdateItem": okResponse(`{"Attributes":` + stubItem(3) + `}`),
		})

		if _, err := s.Patch(t.Context(), testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatch: []int64{2}}); err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		stub.checkCounts(t, map[string]int{"UpdateItem": 1})

		req := stub.onlyRequest(t, "UpdateItem")
		condition := req.resolve(req.ConditionExpression)
		if !keyExistsPattern.MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require attribute_exists(sub)", condition)
		}
		if !versionInPattern(2).MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require version IN (2)", condition)
		}
	})

	t.Run("delete with if-match", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"DeleteItem": okResponse(`{}`),
		})

		if err := s.Delete(t.Context(), testSub, profile.Precondition{IfMatch: []int64{2}}); err != nil {
			t.Fatalf("Delete() error: %v", err)
		}
		stub.checkCounts(t, map[string]int{"DeleteItem": 1})

		req := stub.onlyRequest(t, "DeleteItem")
		req.checkKey(t, testSub)
		condition := req.resolve(req.ConditionExpression)
		if !keyExistsPattern.MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require attribute_exists(sub)", condition)
		}
		if !versionInPattern(2).MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require version IN (2)", condition)
		}
		if req.ReturnValuesOnConditionCheckFailure != "ALL_OLD" {
			t.Errorf("ReturnValuesOnConditionCheckFailure = %q, want ALL_OLD", req.ReturnValuesOnConditionCheckFailure)
		}
	})

	t.Run("delete without precondition", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"DeleteItem": okResponse(`{}`),
		})

		if err := s.Delete(t.Context(), testSub, profile.Precondition{}); err != nil {
			t.Fatalf("Delete() error: %v", err)
		}
		stub.checkCounts(t, map[string]int{"DeleteItem": 1})

		req := stub.onlyRequest(t, "DeleteItem")
		if condition := req.resolve(req.ConditionExpression); !keyExistsPattern.MatchString(condition) {
			t.Errorf("ConditionExpression = %q, want it to require attribute_exists(sub)", condition)
		}
	})
}

func TestStore_EmptyIfMatch(t *testing.T) {
	for _, c := range []storeCall{
		{
			name: "put",
			call: func(ctx context.Context, s *store.Store) error {
				_, _, err := s.Put(ctx, testSub, adaProfile(), profile.Precondition{IfMatch: []int64{}})
				return err
			},
		},
		{
			name: "patch",
			call: func(ctx context.Context, s *store.Store) error {
				_, err := s.Patch(ctx, testSub, []profile.Change{{Field: "nickname", Value: "Countess"}}, profile.Precondition{IfMatch: []int64{}})
				return err
			},
		},
		{
			name: "delete",
			call: func(ctx context.Context, s *store.Store) error {
				return s.Delete(ctx, testSub, profile.Precondition{IfMatch: []int64{}})
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			stub, s := newStubStore(t, map[string]stubResponse{
				"GetItem": okResponse(`{"Item":` + stubItem(3) + `}`),
			})

			err := c.call(t.Context(), s)
			checkMismatch(t, err, 3)
			stub.checkCounts(t, map[string]int{"GetItem": 1})
		})
	}
}

func TestStore_ReadRequest(t *testing.T) {
	t.Run("get", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"GetItem": okResponse(`{"Item":` + stubItem(4) + `}`),
		})

		got, err := s.Get(t.Context(), testSub)
		if err != nil {
			t.Fatalf("Get() error: %v", err)
		}
		if got.Version != 4 {
			t.Errorf("Get() version = %d, want 4 from the stub's item", got.Version)
		}
		if got.Sub != testSub {
			t.Errorf("Get() sub = %q, want %q", got.Sub, testSub)
		}
		if got.Name != "Ada Example" {
			t.Errorf("Get() name = %q, want %q", got.Name, "Ada Example")
		}
		stub.checkCounts(t, map[string]int{"GetItem": 1})

		req := stub.onlyRequest(t, "GetItem")
		req.checkKey(t, testSub)
		if req.ConsistentRead == nil || !*req.ConsistentRead {
			t.Errorf("ConsistentRead = %v, want true", req.ConsistentRead)
		}
	})

	t.Run("patch without changes", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"GetItem": okResponse(`{"Item":` + stubItem(4) + `}`),
		})

		got, err := s.Patch(t.Context(), testSub, nil, profile.Precondition{IfMatch: []int64{4}})
		if err != nil {
			t.Fatalf("Patch() error: %v", err)
		}
		if got.Version != 4 {
			t.Errorf("Patch() version = %d, want 4, unchanged", got.Version)
		}
		stub.checkCounts(t, map[string]int{"GetItem": 1})

		req := stub.onlyRequest(t, "GetItem")
		if req.ConsistentRead == nil || !*req.ConsistentRead {
			t.Errorf("ConsistentRead = %v, want true", req.ConsistentRead)
		}
	})

	t.Run("patch without changes and stale if-match", func(t *testing.T) {
		stub, s := newStubStore(t, map[string]stubResponse{
			"GetItem": okResponse(`{"Item":` + stubItem(4) + `}`),
		})

		_, err := s.Patch(t.Context(), testSub, nil, profile.Precondition{IfMatch: []int64{3}})
		checkMismatch(t, err, 4)
		stub.checkCounts(t, map[string]int{"GetItem": 1})
	})
}
