package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseInitReport(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		want   time.Duration
		wantOK bool
	}{
		{"emulator line", "04 Dec 2026 20:28:38,355 [INFO] (rapid) INIT REPORT(durationMs: 14.216000)", 14216 * time.Microsecond, true},
		{"space before bracket", "INIT REPORT (durationMs: 3.5)", 3500 * time.Microsecond, true},
		{"init start", "04 Dec 2026 20:28:38,341 [INFO] (rapid) INIT START(type: on-demand, phase: init)", 0, false},
		{"report line", "REPORT RequestId: 59064f4f	Init Duration: 0.04 ms	Duration: 15.34 ms", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseInitReport(tt.line)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseInitReport(%q) = %v, %t; want %v, %t", tt.line, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParentPID(t *testing.T) {
	tests := []struct {
		name   string
		stat   string
		want   int
		wantOK bool
	}{
		{"plain", "4242 (bootstrap) S 4200 4200 17 0 -1", 4200, true},
		{"spaces and brackets in comm", "4242 (a (b) c) R 77 4200 17", 77, true},
		{"truncated", "4242 (bootstrap) S", 0, false},
		{"no comm", "garbage", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parentPID(tt.stat)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parentPID(%q) = %d, %t; want %d, %t", tt.stat, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseMemoryStatus(t *testing.T) {
	status := "Name:\tbootstrap\nVmPeak:\t 1290000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   18432 kB\nThreads:\t7\n"
	peak, current, err := parseMemoryStatus(status)
	if err != nil {
		t.Fatalf("parseMemoryStatus() error = %v", err)
	}
	if peak != 20<<20 {
		t.Errorf("peak = %d, want %d (VmHWM)", peak, 20<<20)
	}
	if current != 18<<20 {
		t.Errorf("current = %d, want %d (VmRSS)", current, 18<<20)
	}

	if _, _, err := parseMemoryStatus("Name:\tbootstrap\n"); err == nil {
		t.Error("parseMemoryStatus() without VmHWM: error = nil, want one")
	}
}

func TestParseGoBenchmarks(t *testing.T) {
	output := `goos: linux
goarch: amd64
pkg: github.com/serverless-profile/profile-service/internal/gateway
BenchmarkHandle/get-2         	   10000	    104559 ns/op	     99790 cpu-ns/op	   36996 B/op	     463 allocs/op
BenchmarkHandle/invalid_put-2 	    2000	     83102 ns/op	    115594 cpu-ns/op	   48214 B/op	     282 allocs/op
BenchmarkHandle/put 	    2000	     274193 ns/op
PASS
ok  	github.com/serverless-profile/profile-service/internal/gateway	1.413s
`
	got := parseGoBenchmarks(output)
	want := []goBenchmark{
		{name: "get", nsPerOp: 104559, cpuNsPerOp: 99790, bytesPerOp: 36996, allocsPerOp: 463},
		{name: "invalid_put", nsPerOp: 83102, cpuNsPerOp: 115594, bytesPerOp: 48214, allocsPerOp: 282},
		{name: "put", nsPerOp: 274193},
	}
	if len(got) != len(want) {
		t.Fatalf("parseGoBenchmarks() = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPercentile(t *testing.T) {
	samples := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{50, 5},
		{90, 9},
		{99, 10},
		{100, 10},
		{1, 1},
	}
	for _, tt := range tests {
		if got := percentile(samples, tt.p); got != tt.want {
			t.Errorf("percentile(p%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile([]time.Duration(nil), 50); got != 0 {
		t.Errorf("percentile of no samples = %v, want 0", got)
	}
	if samples[0] != 5 {
		t.Error("percentile sorted its argument, want it left as it was")
	}
}

func TestProxyStatus(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    int
		wantErr bool
	}{
		{"proxy response", `{"statusCode":201,"headers":{},"body":"{}"}`, 201, false},
		{"runtime error", `{"errorMessage":"boom","errorType":"errorString"}`, 0, true},
		{"no status", `{"body":"hello"}`, 0, true},
		{"not json", `Task timed out`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := proxyStatus([]byte(tt.body))
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("proxyStatus(%s) = %d, %v; want %d, error %t", tt.body, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestFormatInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{999, "999"},
		{1000, "1,000"},
		{19468450, "19,468,450"},
		{-1234567, "-1,234,567"},
	}
	for _, tt := range tests {
		if got := formatInt(tt.n); got != tt.want {
			t.Errorf("formatInt(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestReportVerdicts(t *testing.T) {
	r := report{
		artifacts: []artifact{{function: "profile", arch: "amd64", size: 11 << 20, zipSize: 4 << 20}},
		cold: coldStartResults{
			profile: map[string][]coldStart{"GET": {{init: 9 * time.Millisecond}}},
			hello:   []coldStart{{init: 3 * time.Millisecond}},
		},
		warm: warmResults{
			emulator: map[string][]time.Duration{"GET": {4 * time.Millisecond}},
			database: map[string][]time.Duration{"GET": {3 * time.Millisecond}},
			requests: 10000, peakRSS: 30 << 20, currentRSS: 25 << 20,
		},
	}
	table := r.table()
	for _, want := range []string{
		"| ≤ 10.00 MiB | no: 1.00 MiB over |",
		"| 3.00× / 3.00× | ≤ 1.5× | no: 3.00× the floor, 4.50 ms more than allowed |",
		"| GET warm p99 over database-alone p99 | 1.00 ms | ≤ 2.00 ms | yes |",
		"| 30.00 MiB; 25.00 MiB | ≤ 40.00 MiB | yes |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table has no %q:\n%s", want, table)
		}
	}
}

func TestParseInitTrace(t *testing.T) {
	output := "init internal/bytealg @0.006 ms, 0.010 ms clock, 0 bytes, 0 allocs\n" +
		"init github.com/nyaruka/phonenumbers @5.0 ms, 8.6 ms clock, 2479184 bytes, 35512 allocs\n" +
		"2026/12/04 20:37:36 expected AWS Lambda environment variables [AWS_LAMBDA_RUNTIME_API] are not defined\n"
	got := parseInitTrace(output)
	want := []packageInit{
		{pkg: "internal/bytealg", clock: 10 * time.Microsecond},
		{pkg: "github.com/nyaruka/phonenumbers", clock: 8600 * time.Microsecond, bytes: 2479184, allocs: 35512},
	}
	if len(got) != len(want) {
		t.Fatalf("parseInitTrace() = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
