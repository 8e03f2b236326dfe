package main

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// notes is the part of BENCHMARKS.md that a person writes: what each change
// bought and why the targets that are missed are missed. The report
// appends it after the measured table.
//
//go:embed notes.md
var notes string

// Targets that the report checks the measurements against.
const (
	targetAMD64Size   = 10 << 20 // bytes of the stripped linux/amd64 bootstrap
	targetInitRatio   = 1.5      // init p50 of the function over that of hello-world
	targetWarmOverDB  = 2 * time.Millisecond
	targetResidentMem = 40 << 20 // bytes resident after memoryRequests requests
)

// report holds everything that one run measured.
type report struct {
	date       time.Time
	machine    machine
	goVersion  string
	rieVersion string
	loadStart  string
	loadEnd    string
	elapsed    time.Duration

	rounds, requests, memoryRequests int

	artifacts []artifact
	cold      coldStartResults
	initTrace []packageInit
	warm      warmResults
	goBench   []goBenchmark
}

// machine describes the computer that ran the benchmark.
type machine struct {
	os, arch string
	cpu      string
	cpus     int
	memory   int64 // bytes
}

// row is one line of the table.
type row struct{ measurement, result, target, verdict string }

// markdown returns BENCHMARKS.md: the conditions of the run, the table and
// the notes.
func (r report) markdown() string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Measured by `make bench` (`go run ./cmd/bench`); every number below comes from that one run. ")
	b.WriteString("The function runs under the AWS Lambda Runtime Interface Emulator on this machine, against the local dynalite database, ")
	b.WriteString("so the latencies are those of a laptop, not of Lambda and DynamoDB.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", r.date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s/%s, %s, %d CPUs (nproc), %s GiB of memory\n", r.machine.os, r.machine.arch, r.machine.cpu, r.machine.cpus, formatFloat(float64(r.machine.memory)/(1<<30), 1))
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min): %s at the start, %s at the end; other programs shared the CPUs\n", r.loadStart, r.loadEnd)
	fmt.Fprintf(&b, "- Go: %s; emulator: aws-lambda-runtime-interface-emulator %s\n", r.goVersion, r.rieVersion)
	fmt.Fprintf(&b, "- Runs: %s rounds of fresh starts (each: the function once per method, hello-world once), %s warm requests per method, %s requests before the memory reading; %s in all\n",
		formatInt(int64(r.rounds)), formatInt(int64(r.requests)), formatInt(int64(r.memoryRequests)), r.elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Fresh starts tried again because the emulator failed: %d\n\n", r.cold.retried)
	b.WriteString(r.table())
	b.WriteString("\n")
	b.WriteString(notes)
	return b.String()
}

// table returns the Markdown table of the measurements and the targets.
func (r report) table() string {
	var rows []row
	rows = append(rows, r.sizeRows()...)
	rows = append(rows, r.coldStartRows()...)
	rows = append(rows, r.initTraceRows()...)
	rows = append(rows, r.latencyRows()...)
	rows = append(rows, r.goBenchRows()...)
	rows = append(rows, r.memoryRows()...)

	var b strings.Builder
	b.WriteString("| measurement | result | target | met |\n|---|---|---|---|\n")
	for _, x := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", x.measurement, x.result, x.target, x.verdict)
	}
	return b.String()
}

func (r report) sizeRows() []row {
	var rows []row
	for _, a := range r.artifacts {
		x := row{
			measurement: fmt.Sprintf("%s bootstrap, linux/%s, stripped; its zip", a.function, a.arch),
			result:      fmt.Sprintf("%s B (%s); zip %s B (%s)", formatInt(a.size), formatMiB(a.size), formatInt(a.zipSize), formatMiB(a.zipSize)),
		}
		if a.function == "profile" && a.arch == "amd64" {
			x.target = "≤ " + formatMiB(targetAMD64Size)
			x.verdict = verdict(a.size <= targetAMD64Size, formatMiB(a.size-targetAMD64Size)+" over")
		}
		rows = append(rows, x)
	}
	return rows
}

func (r report) coldStartRows() []row {
	initOf := func(c coldStart) time.Duration { return c.init }
	profile := durationsOf(allStarts(r.cold.profile), initOf)
	hello := durationsOf(r.cold.hello, initOf)
	if len(profile) == 0 || len(hello) == 0 {
		return nil
	}
	ratio50 := float64(percentile(profile, 50)) / float64(percentile(hello, 50))
	ratio90 := float64(percentile(profile, 90)) / float64(percentile(hello, 90))
	return []row{
		{measurement: fmt.Sprintf("init duration (INIT REPORT), profile, p50 / p90 of %s fresh starts", formatInt(int64(len(profile)))),
			result: formatMs(percentile(profile, 50)) + " / " + formatMs(percentile(profile, 90))},
		{measurement: fmt.Sprintf("init duration (INIT REPORT), hello-world, p50 / p90 of %s fresh starts", formatInt(int64(len(hello)))),
			result: formatMs(percentile(hello, 50)) + " / " + formatMs(percentile(hello, 90))},
		{measurement: "init duration, profile over hello-world, p50 / p90",
			result:  fmt.Sprintf("%.2f× / %.2f×", ratio50, ratio90),
			target:  fmt.Sprintf("≤ %.1f×", targetInitRatio),
			verdict: verdict(ratio50 <= targetInitRatio, fmt.Sprintf("%.2f× the floor, %s more than allowed", ratio50, formatMs(percentile(profile, 50)-time.Duration(targetInitRatio*float64(percentile(hello, 50)))))),
		},
	}
}

// initTraceShown is how many packages the table names; the others share
// one row.
const initTraceShown = 4

func (r report) initTraceRows() []row {
	var rows []row
	var rest time.Duration
	for i, p := range r.initTrace {
		if i >= initTraceShown {
			rest += p.clock
			continue
		}
		rows = append(rows, row{
			measurement: fmt.Sprintf("package init of profile, p50 of %d starts (GODEBUG=inittrace=1): %s", initTraceRuns, p.pkg),
			result:      fmt.Sprintf("%s; %s B; %s allocs", formatMs(p.clock), formatInt(p.bytes), formatInt(p.allocs)),
		})
	}
	if len(r.initTrace) > initTraceShown {
		rows = append(rows, row{
			measurement: fmt.Sprintf("package init of profile, p50 of %d starts: the other %d packages together", initTraceRuns, len(r.initTrace)-initTraceShown),
			result:      formatMs(rest),
		})
	}
	return rows
}

func (r report) latencyRows() []row {
	var rows []row
	if hello := r.warm.hello; len(hello) > 0 {
		rows = append(rows, row{
			measurement: fmt.Sprintf("hello-world warm through the emulator (the emulator's own share), p50 / p99 of %s", formatInt(int64(len(hello)))),
			result:      formatMs(percentile(hello, 50)) + " / " + formatMs(percentile(hello, 99)),
		})
	}
	for _, method := range []string{"GET", "PUT", "PATCH"} {
		first := durationsOf(r.cold.profile[method], func(c coldStart) time.Duration { return c.firstRequest })
		warm := r.warm.emulator[method]
		db := r.warm.database[method]
		if len(first) > 0 {
			rows = append(rows, row{
				measurement: fmt.Sprintf("%s first request after init, p50 / p99 of %s fresh starts", method, formatInt(int64(len(first)))),
				result:      formatMs(percentile(first, 50)) + " / " + formatMs(percentile(first, 99)),
			})
		}
		if len(warm) == 0 {
			continue
		}
		over := percentile(warm, 99) - percentile(db, 99)
		rows = append(rows,
			row{measurement: fmt.Sprintf("%s warm through the emulator, p50 / p99 of %s", method, formatInt(int64(len(warm)))),
				result: formatMs(percentile(warm, 50)) + " / " + formatMs(percentile(warm, 99))},
			row{measurement: fmt.Sprintf("%s to the database alone (SDK), p50 / p99 of %s", method, formatInt(int64(len(db)))),
				result: formatMs(percentile(db, 50)) + " / " + formatMs(percentile(db, 99))},
			row{measurement: fmt.Sprintf("%s warm p99 over database-alone p99", method),
				result:  formatMs(over),
				target:  "≤ " + formatMs(targetWarmOverDB),
				verdict: verdict(over <= targetWarmOverDB, formatMs(over-targetWarmOverDB)+" over")},
		)
	}
	return rows
}

func (r report) goBenchRows() []row {
	var rows []row
	for _, g := range r.goBench {
		rows = append(rows, row{
			measurement: fmt.Sprintf("in-process %s (Go benchmark, stub DynamoDB): time, CPU time, bytes and allocations per request", g.name),
			result: fmt.Sprintf("%s µs; %s µs CPU; %s B; %s allocs",
				formatFloat(g.nsPerOp/1e3, 1), formatFloat(g.cpuNsPerOp/1e3, 1), formatInt(int64(g.bytesPerOp)), formatInt(int64(g.allocsPerOp))),
		})
	}
	return rows
}

func (r report) memoryRows() []row {
	var rows []row
	if r.warm.peakRSS > 0 {
		rows = append(rows, row{
			measurement: fmt.Sprintf("profile peak resident memory (VmHWM) after %s requests; resident at the end", formatInt(int64(r.warm.requests))),
			result:      formatMiB(r.warm.peakRSS) + "; " + formatMiB(r.warm.currentRSS),
			target:      "≤ " + formatMiB(targetResidentMem),
			verdict:     verdict(r.warm.peakRSS <= targetResidentMem, formatMiB(r.warm.peakRSS-targetResidentMem)+" over"),
		})
	}
	peakOf := func(starts []coldStart) int64 {
		peaks := make([]int64, len(starts))
		for i, s := range starts {
			peaks[i] = s.peakRSS
		}
		return percentile(peaks, 50)
	}
	if len(r.cold.hello) > 0 {
		rows = append(rows,
			row{measurement: "profile peak resident memory after its first request, p50", result: formatMiB(peakOf(allStarts(r.cold.profile)))},
			row{measurement: "hello-world peak resident memory after its first request, p50", result: formatMiB(peakOf(r.cold.hello))},
		)
	}
	return rows
}

func verdict(met bool, miss string) string {
	if met {
		return "yes"
	}
	return "no: " + miss
}

func formatMs(d time.Duration) string {
	return formatFloat(float64(d)/float64(time.Millisecond), 2) + " ms"
}

func formatMiB(n int64) string {
	return formatFloat(float64(n)/(1<<20), 2) + " MiB"
}

func formatFloat(v float64, decimals int) string {
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// formatInt writes n with commas between groups of three digits.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
