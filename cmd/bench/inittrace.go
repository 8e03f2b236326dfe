package main

import (
	"bufio"
	"context"
	"errors"
	"math"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// initTraceRuns is how often the bootstrap is started to time its package
// initialisers.
const initTraceRuns = 30

// packageInit is the median cost of one package's initialisation.
type packageInit struct {
	pkg    string
	clock  time.Duration
	bytes  int64
	allocs int64
}

// initTraceLine matches a line of GODEBUG=inittrace=1, such as
// "init github.com/nyaruka/phonenumbers @5.0 ms, 8.6 ms clock, 2479184 bytes, 35512 allocs".
var initTraceLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, (\d+) bytes, (\d+) allocs`)

// traceInit starts bootstrap runs times outside the emulator with
// GODEBUG=inittrace=1 and returns each package's median initialisation
// time, most expensive first. Without the emulator's runtime API the
// function exits in lambda.Start, after every initialiser has run.
func traceInit(ctx context.Context, bootstrap string, env []string, runs int) ([]packageInit, error) {
	clocks := map[string][]time.Duration{}
	last := map[string]packageInit{}
	for range runs {
		cmd := exec.CommandContext(ctx, bootstrap)
		cmd.Env = append(slices.Clone(env), "GODEBUG=inittrace=1")
		// The exit status is 1, because there is no runtime API to call.
		out, _ := cmd.CombinedOutput()
		for _, p := range parseInitTrace(string(out)) {
			clocks[p.pkg] = append(clocks[p.pkg], p.clock)
			last[p.pkg] = p
		}
	}

	if len(clocks) == 0 {
		return nil, errors.New("the bootstrap printed no GODEBUG=inittrace=1 lines")
	}
	var inits []packageInit
	for pkg, c := range clocks {
		p := last[pkg]
		p.clock = percentile(c, 50)
		inits = append(inits, p)
	}
	slices.SortFunc(inits, func(a, b packageInit) int {
		if a.clock != b.clock {
			return int(b.clock - a.clock)
		}
		return strings.Compare(a.pkg, b.pkg)
	})
	return inits, nil
}

// parseInitTrace reads the inittrace lines of a program's output.
func parseInitTrace(output string) []packageInit {
	var inits []packageInit
	scanner := bufio.NewScanner(strings.NewReader(output))
	for scanner.Scan() {
		m := initTraceLine.FindStringSubmatch(scanner.Text())
		if m == nil {
			continue
		}
		ms, _ := strconv.ParseFloat(m[2], 64)
		bytes, _ := strconv.ParseInt(m[3], 10, 64)
		allocs, _ := strconv.ParseInt(m[4], 10, 64)
		inits = append(inits, packageInit{pkg: m[1], clock: time.Duration(math.Round(ms * float64(time.Millisecond))), bytes: bytes, allocs: allocs})
	}
	return inits
}
