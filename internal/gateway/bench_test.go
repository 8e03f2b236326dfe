package gateway

import (
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/serverless-profile/profile-service/internal/store"
)

// benchItem is a stored profile of testSub in DynamoDB JSON, as GetItem and
// UpdateItem with ReturnValues ALL_NEW return it.
const benchItem = `{"sub":{"S":"` + testSub + `"},"name":{"S":"Ada Example"},"given_name":{"S":"Ada"},` +
	`"family_name":{"S":"Example"},"email":{"S":"Ada@example.com"},"phone_number":{"S":"+442079460018"},` +
	`"website":{"S":"https://www.example.com/ada"},"locale":{"S":"en-GB"},"zoneinfo":{"S":"Europe/London"},` +
	`"created_at":{"S":"2025-01-02T03:04:05Z"},"updated_at":{"S":"2025-01-02T03:04:05Z"},"version":{"N":"3"}}`

// benchPut is a PUT body with every editable field, as in
// events/rest-put.json.
const benchPut = `{"name":"  Ada Example  ","given_name":"Ada","family_name":"Example","nickname":"Ada",` +
	`"email":"  Ada@Example.COM ","phone_number":"+44 20 7946 0018","picture":"https://images.example.com/ada.png",` +
	`"website":"https://www.example.com/ada","locale":"en-gb","zoneinfo":"Europe/London"}`

// BenchmarkHandle measures one request through the handler, the real store
// and the real SDK client. An in-process stub responds to the DynamoDB
// requests, so that only this code and the SDK are timed. Besides the
// standard metrics it reports cpu-ns/op: the CPU time of the whole process
// per request, garbage collection included.
func BenchmarkHandle(b *testing.B) {
	client := newStubDynamoDBClient(b, map[string]string{
		"GetItem":    `{"Item":` + benchItem + `}`,
		"UpdateItem": `{"Attributes":` + benchItem + `}`,
		"DeleteItem": `{}`,
	})
	h := New(store.New(client, "profiles"), Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := lambdacontext.NewContext(b.Context(), &lambdacontext.LambdaContext{AwsRequestID: "c0ffee00-0000-4000-8000-000000000003"})

	benchmarks := []struct {
		name   string
		event  event
		status int
	}{
		{"get", rest("GET", ""), 200},
		{"put", rest("PUT", benchPut, "Content-Type", "application/json"), 200},
		{"patch", rest("PATCH", `{"nickname":"Enchantress of Numbers","website":null}`, "Content-Type", "application/merge-patch+json"), 200},
		{"delete", rest("DELETE", "", "If-Match", `"3"`), 204},
		{"invalid put", rest("PUT", `{"name":"","email":"ada","phone_number":"+44 20","website":"http://example.com"}`, "Content-Type", "application/json"), 400},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			event := bm.event.json()
			b.ReportAllocs()
			cpuStart := processCPUTime(b)
			for b.Loop() {
				resp, err := h.Handle(ctx, event)
				if err != nil || resp.StatusCode != bm.status {
					b.Fatalf("Handle() = %d, %v; want %d; body %s", resp.StatusCode, err, bm.status, resp.Body)
				}
			}
			b.ReportMetric(float64(processCPUTime(b)-cpuStart)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPUTime returns the user and system CPU time of this process so
// far.
func processCPUTime(b *testing.B) time.Duration {
	b.Helper()
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
