package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/serverless-profile/profile-service/internal/devdb"
	"github.com/serverless-profile/profile-service/internal/store"
)

// Tests of DynamoDB faults through Handle. A loopback proxy is in front of
// the local database, and the test writes the profile through it. Then the
// test switches the proxy to a fault and sends requests. Last, it switches
// the proxy back and reads the profile, which the faulted requests must
// have left as it was.

// fault is what faultProxy does with a DynamoDB request.
type fault int

const (
	passThrough fault = iota
	// unreachable closes the proxy's listener, so connections are refused.
	unreachable
	// internalServerError returns 500 InternalServerError.
	internalServerError
	// provisionedThroughputExceeded returns 400
	// ProvisionedThroughputExceededException, as a table over its
	// provisioned throughput does.
	provisionedThroughputExceeded
	// throttling returns 400 ThrottlingException, the other code with
	// which DynamoDB sheds load.
	throttling
	// validation returns 400 ValidationException, a fault that retrying
	// does not cure.
	validation
	// hang holds the request until the client gives up.
	hang
)

// faultErrors are the error types of the faults that the proxy responds
// to with a DynamoDB error document.
var faultErrors = map[fault]struct {
	status    int
	errorType string
}{
	internalServerError:           {http.StatusInternalServerError, "InternalServerError"},
	provisionedThroughputExceeded: {http.StatusBadRequest, "ProvisionedThroughputExceededException"},
	throttling:                    {http.StatusBadRequest, "ThrottlingException"},
	validation:                    {http.StatusBadRequest, "ValidationException"},
}

// faultMessage is the message of the injected error documents; it must
// never reach a client.
const faultMessage = "injected fault"

// faultProxy is an HTTP proxy on a loopback port that forwards DynamoDB
// requests to the local database or responds to them with a fault.
type faultProxy struct {
	t       *testing.T
	address string
	proxy   *httputil.ReverseProxy
	current atomic.Int64
	// injected counts the DynamoDB requests that got a fault, SDK
	// retries included; refused connections are not counted.
	injected atomic.Int64
	// release ends the requests that hang, when the test ends.
	release chan struct{}

	mu     sync.Mutex
	server *http.Server
}

// newFaultProxy starts a proxy to target that passes requests through. It
// stops when the test ends.
func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("parse database URL %q: %v", target, err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}

	p := &faultProxy{
		t:       t,
		address: listener.Addr().String(),
		proxy:   &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) }},
		release: make(chan struct{}),
	}
	p.serve(listener)
	t.Cleanup(func() {
		close(p.release)
		p.stop()
	})
	return p
}

// url returns the proxy's endpoint URL.
func (p *faultProxy) url() string {
	return "http://" + p.address
}

// set switches the proxy to f. Switching to or from unreachable closes or
// opens its listener on the same port.
func (p *faultProxy) set(f fault) {
	p.t.Helper()
	previous := fault(p.current.Swap(int64(f)))
	switch {
	case f == unreachable && previous != unreachable:
		p.stop()
	case f != unreachable && previous == unreachable:
		listener, err := net.Listen("tcp", p.address)
		if err != nil {
			p.t.Fatalf("listen on %s again after the unreachable fault: %v", p.address, err)
		}
		p.serve(listener)
	}
}

func (p *faultProxy) serve(listener net.Listener) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.server = &http.Server{Handler: p}
	go func() { _ = p.server.Serve(listener) }()
}

// stop closes the listener and every connection, so that clients get
// connection refused from then on.
func (p *faultProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.server != nil {
		_ = p.server.Close()
		p.server = nil
	}
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := fault(p.current.Load())
	if f == passThrough {
		p.proxy.ServeHTTP(w, r)
		return
	}
	p.injected.Add(1)

	if f == hang {
		select {
		case <-r.Context().Done():
		case <-p.release:
		}
		return
	}
	e := faultErrors[f]
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.status)
	_, _ = fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, e.errorType, faultMessage)
}

// faultMargin is the Config.DeadlineMargin of the fault tests: the time
// that Handle keeps free before the invocation's deadline to answer.
const faultMargin = time.Second

// TestFault_DynamoDBLocalDB injects each DynamoDB fault into reads and
// writes, with and without If-Match. Every request must get a problem
// document before the invocation's deadline: 503 with Retry-After for
// faults that may pass, 500 for the others. Its log line must hold the
// request id and the cause, and the stored profile must stay as it was.
func TestFault_DynamoDBLocalDB(t *testing.T) {
	tests := []struct {
		name   string
		fault  fault
		status int
		cause  string
		// budget is the time the store calls get before the margin. The
		// throttling faults need room for one retry, which the SDK delays
		// by up to 1 s.
		budget time.Duration
	}{
		{"unreachable", unreachable, 503, "connection refused", 500 * time.Millisecond},
		{"internal server error", internalServerError, 503, "InternalServerError", 500 * time.Millisecond},
		{"provisioned throughput exceeded", provisionedThroughputExceeded, 503, "ProvisionedThroughputExceededException", 2 * time.Second},
		{"throttling", throttling, 503, "ThrottlingException", 2 * time.Second},
		{"hanging past the deadline", hang, 503, "deadline exceeded", 500 * time.Millisecond},
		{"validation", validation, 500, "ValidationException", 500 * time.Millisecond},
	}
	// The faults run in parallel, each on its own table and proxy, so that
	// the waits for retries and deadlines overlap. The group returns when
	// all of them have finished.
	var requests, injected atomic.Int64
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				injected.Add(runFault(t, tt.fault, tt.status, tt.cause, tt.budget))
				requests.Add(int64(len(faultedRequests())))
			})
		}
	})
	t.Logf("faults injected: %d requests answered under %d kinds of fault; the proxy faulted %d DynamoDB calls, SDK retries included, besides the refused connections",
		requests.Load(), len(tests), injected.Load())
}

// runFault writes a profile through a proxy, sends faultedRequests with
// the proxy switched to f, and checks each answer, its log line and the
// profile after the proxy passes requests through again. It returns the
// number of DynamoDB calls that the proxy answered with the fault.
func runFault(t *testing.T, f fault, status int, cause string, budget time.Duration) int64 {
	_, table := devdb.NewTestTable(t)
	proxy := newFaultProxy(t, devdb.Endpoint())
	h := newHarnessWithStore(t, store.New(devdb.NewClient(proxy.url()), table), Config{DeadlineMargin: faultMargin})

	// Write the profile through the proxy before the fault.
	put := `{"name":"Ada Example","email":"ada@example.com","phone_number":"+44 20 7946 0018"}`
	h.do(rest("PUT", put, "Content-Type", jsonType).json()).wantStatus(201)
	before := h.do(rest("PATCH", `{"nickname":"Countess"}`, "Content-Type", mergePatchType, "If-Match", `"1"`).json()).
		wantStatus(200).wantHeader("ETag", `"2"`)

	proxy.set(f)
	for i, e := range faultedRequests() {
		requestID := fmt.Sprintf("fault-%d-%d", f, i)
		r := h.handleWithDeadline(requestID, budget, e.json())
		r.wantProblem(status).wantField("request_id", requestID)
		if status == 503 {
			r.wantHeader("Retry-After", retryAfter)
		} else {
			r.wantNoHeader("Retry-After")
		}
		if strings.Contains(r.rawBody, faultMessage) || strings.Contains(r.rawBody, cause) {
			t.Errorf("%s: the body reveals the cause: %s", e.method, r.rawBody)
		}
		h.wantErrorLogged(requestID, status, cause)
	}

	proxy.set(passThrough)
	after := h.do(rest("GET", "").json()).wantStatus(200)
	if after.rawBody != before.rawBody {
		t.Errorf("stored profile after the fault = %s, want it unchanged: %s", after.rawBody, before.rawBody)
	}

	return proxy.injected.Load()
}

// faultedRequests are the requests that each fault meets: a read, and each
// write with and without If-Match, the stored version being 2.
func faultedRequests() []event {
	return []event{
		rest("GET", ""),
		rest("PUT", `{"name":"Ada Lovelace Example"}`, "Content-Type", jsonType, "If-Match", `"2"`),
		rest("PUT", `{"name":"Ada Lovelace Example"}`, "Content-Type", jsonType),
		rest("PATCH", `{"nickname":"Enchantress of Numbers"}`, "Content-Type", mergePatchType, "If-Match", `"2"`),
		rest("PATCH", `{"nickname":"Enchantress of Numbers"}`, "Content-Type", mergePatchType),
		rest("DELETE", "", "If-Match", `"2"`),
		rest("DELETE", ""),
	}
}

// handleWithDeadline sends event as an invocation whose deadline is the
// margin plus budget away, with requestID as the Lambda request id. It
// fails the test when Handle returns after that deadline.
func (h *harness) handleWithDeadline(requestID string, budget time.Duration, event json.RawMessage) *result {
	h.t.Helper()
	h.remember(event)

	ctx, cancel := context.WithTimeout(h.t.Context(), h.handler.cfg.DeadlineMargin+budget)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID})

	resp, err := h.handler.Handle(ctx, event)
	if err != nil {
		h.t.Fatalf("Handle returned an error, which API Gateway turns into a 502: %v", err)
	}
	// Handle returned before the deadline when the context is not done yet.
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		h.t.Errorf("request %s: Handle returned after the invocation's deadline, when Lambda would have ended it", requestID)
	}
	return newResult(h.t, resp)
}

// wantErrorLogged checks the log line of requestID: level ERROR, the
// status, the caller's sub, and an error that names cause.
func (h *harness) wantErrorLogged(requestID string, status int, cause string) {
	h.t.Helper()
	var found []map[string]any
	for line := range strings.Lines(h.logs.String()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			h.t.Fatalf("log line is not JSON: %v", err)
		}
		if l["request_id"] == requestID {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		h.t.Fatalf("request %s has %d log lines, want 1", requestID, len(found))
	}

	l := found[0]
	if l["level"] != "ERROR" {
		h.t.Errorf("request %s: log level = %v, want ERROR", requestID, l["level"])
	}
	if l["status"] != float64(status) {
		h.t.Errorf("request %s: logged status = %v, want %d", requestID, l["status"], status)
	}
	if l["sub"] != testSub {
		h.t.Errorf("request %s: logged sub = %v, want %s", requestID, l["sub"], testSub)
	}
	if logged, _ := l["error"].(string); !strings.Contains(logged, cause) {
		h.t.Errorf("request %s: logged error %q does not name the cause %q", requestID, logged, cause)
	}
}
