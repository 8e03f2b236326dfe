package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// goBenchmarkPattern selects the handler benchmarks of internal/gateway.
const goBenchmarkPattern = "^BenchmarkHandle$"

// goBenchmark is one result line of go test -bench -benchmem.
type goBenchmark struct {
	name        string  // the sub-benchmark, such as "get"
	nsPerOp     float64 // wall time per request
	cpuNsPerOp  float64 // CPU time of the whole process per request
	bytesPerOp  float64
	allocsPerOp float64
}

// runGoBenchmarks runs the handler benchmarks and returns their results.
func runGoBenchmarks(ctx context.Context, root string) ([]goBenchmark, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", goBenchmarkPattern, "-benchmem", "-count", "1", "./internal/gateway/")
	cmd.Dir = root
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	results := parseGoBenchmarks(string(out))
	if len(results) == 0 {
		return nil, fmt.Errorf("go test -bench printed no results:\n%s", out)
	}
	return results, nil
}

// goBenchmarkLine matches a result line such as
// "BenchmarkHandle/get-2  20000  61234 ns/op  55000 cpu-ns/op  9120 B/op  123 allocs/op";
// the metrics after the iteration count are pairs of a value and a unit.
var goBenchmarkLine = regexp.MustCompile(`^Benchmark\w+/(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseGoBenchmarks reads the result lines of go test -bench output.
func parseGoBenchmarks(output string) []goBenchmark {
	var results []goBenchmark
	scanner := bufio.NewScanner(strings.NewReader(output))
	for scanner.Scan() {
		m := goBenchmarkLine.FindStringSubmatch(scanner.Text())
		if m == nil {
			continue
		}
		b := goBenchmark{name: m[1]}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				b.nsPerOp = v
			case "cpu-ns/op":
				b.cpuNsPerOp = v
			case "B/op":
				b.bytesPerOp = v
			case "allocs/op":
				b.allocsPerOp = v
			}
		}
		results = append(results, b)
	}
	return results
}
