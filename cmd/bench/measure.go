package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// methods are the requests whose latency is measured, in the order in
// which they are sent.
var methods = []string{"PUT", "GET", "PATCH"}

// startAttempts is how often a fresh start is tried when the emulator
// fails, as it can when another socket takes one of its ports between
// the choice of its free ports and its start. The report counts the
// failed attempts.
const startAttempts = 3

// functionUnderTest is a bootstrap with its environment and the events
// that it is sent, by method.
type functionUnderTest struct {
	rie       string
	bootstrap string
	env       []string
	events    map[string][]byte
	// wantStatus lists the status codes that count as success, by method;
	// any other fails the run, so that no error path is measured.
	wantStatus map[string][]int
}

// coldStart is the measurement of one fresh start of a function.
type coldStart struct {
	init time.Duration
	// firstRequest is the round trip of the first invocation less init:
	// what the first request costs beyond the init phase.
	firstRequest time.Duration
	peakRSS      int64 // bytes after the first request
}

// startFresh starts a new emulator, sends the event of method and returns
// the cold start's figures. It tries again, up to startAttempts times in
// all, when the emulator fails, passes the error of each failed attempt to
// retry, and returns the number of failed attempts.
func (f functionUnderTest) startFresh(ctx context.Context, client *http.Client, method string, retry func(error)) (coldStart, int, error) {
	var err error
	for attempt := range startAttempts {
		var c coldStart
		if c, err = f.startOnce(ctx, client, method); err == nil {
			return c, attempt, nil
		}
		if ctx.Err() != nil {
			break
		}
		retry(err)
	}
	return coldStart{}, startAttempts, err
}

// startOnce is one attempt of startFresh.
func (f functionUnderTest) startOnce(ctx context.Context, client *http.Client, method string) (coldStart, error) {
	e, err := startEmulator(ctx, f.rie, f.bootstrap, f.env, client)
	if err != nil {
		return coldStart{}, err
	}
	defer e.stop()

	roundTrip, status, err := e.invoke(ctx, f.events[method])
	if err != nil {
		return coldStart{}, fmt.Errorf("%w; the emulator's last lines:\n%s", err, e.lastLines())
	}
	if err := f.checkStatus(method, status); err != nil {
		return coldStart{}, err
	}
	init, err := e.initDuration()
	if err != nil {
		return coldStart{}, err
	}
	pid, err := e.functionPID()
	if err != nil {
		return coldStart{}, err
	}
	peak, _, err := peakRSS(pid)
	if err != nil {
		return coldStart{}, err
	}
	return coldStart{init: init, firstRequest: roundTrip - init, peakRSS: peak}, nil
}

func (f functionUnderTest) checkStatus(method string, status int) error {
	for _, want := range f.wantStatus[method] {
		if status == want {
			return nil
		}
	}
	return fmt.Errorf("%s through the emulator returned status %d, want %v: the measurement would time an error path", method, status, f.wantStatus[method])
}

// coldStartResults holds the cold starts of the profile function by the
// method of its first request, and those of the hello-world function.
type coldStartResults struct {
	profile map[string][]coldStart
	hello   []coldStart
	retried int // failed attempts that were tried again
}

// measureColdStarts runs rounds of fresh starts: in each, the profile
// function once per method and the hello-world function once, interleaved
// so that both meet the same load.
func measureColdStarts(ctx context.Context, profileFn, helloFn functionUnderTest, rounds int, progress func(string)) (coldStartResults, error) {
	client := &http.Client{}
	results := coldStartResults{profile: map[string][]coldStart{}}
	retry := func(err error) { progress(fmt.Sprintf("a fresh start failed and is tried again: %v", err)) }
	for round := range rounds {
		for _, method := range methods {
			c, failed, err := profileFn.startFresh(ctx, client, method, retry)
			if err != nil {
				return coldStartResults{}, fmt.Errorf("fresh start %d of the profile function with %s, tried %d times: %w", round+1, method, failed, err)
			}
			results.profile[method] = append(results.profile[method], c)
			results.retried += failed
		}
		c, failed, err := helloFn.startFresh(ctx, client, "GET", retry)
		if err != nil {
			return coldStartResults{}, fmt.Errorf("fresh start %d of the hello-world function, tried %d times: %w", round+1, failed, err)
		}
		results.hello = append(results.hello, c)
		results.retried += failed
		if (round+1)%100 == 0 {
			progress(fmt.Sprintf("%d of %d rounds of fresh starts", round+1, rounds))
		}
	}
	return results, nil
}

// warmResults holds warm round trips by method, through the emulator and
// to the database alone, those of the hello-world function through the
// emulator, and the function's memory after every request.
type warmResults struct {
	emulator   map[string][]time.Duration
	database   map[string][]time.Duration
	hello      []time.Duration
	requests   int   // invocations the function served before peakRSS was read
	peakRSS    int64 // bytes
	currentRSS int64 // bytes
}

// measureWarm starts the profile and hello-world functions once each and
// sends warmUp rounds that are not counted, then rounds of PUT, GET and
// PATCH, each followed by the same request to the database alone, and one
// hello-world request per round. Then it sends more requests to the
// profile function until it has served memoryRequests invocations, and
// reads its peak memory.
func measureWarm(ctx context.Context, profileFn, helloFn functionUnderTest, direct *directRequests, warmUp, rounds, memoryRequests int) (warmResults, error) {
	profile, err := startEmulator(ctx, profileFn.rie, profileFn.bootstrap, profileFn.env, &http.Client{})
	if err != nil {
		return warmResults{}, err
	}
	defer profile.stop()
	hello, err := startEmulator(ctx, helloFn.rie, helloFn.bootstrap, helloFn.env, &http.Client{})
	if err != nil {
		return warmResults{}, err
	}
	defer hello.stop()

	results := warmResults{emulator: map[string][]time.Duration{}, database: map[string][]time.Duration{}}
	round := func(count bool) error {
		for _, method := range methods {
			results.requests++
			d, err := profileFn.send(ctx, profile, method)
			if err != nil {
				return err
			}
			db, err := direct.send(ctx, method)
			if err != nil {
				return err
			}
			if count {
				results.emulator[method] = append(results.emulator[method], d)
				results.database[method] = append(results.database[method], db)
			}
		}
		d, err := helloFn.send(ctx, hello, "GET")
		if count {
			results.hello = append(results.hello, d)
		}
		return err
	}
	for i := range warmUp + rounds {
		if err := round(i >= warmUp); err != nil {
			return warmResults{}, err
		}
	}
	for i := 0; results.requests < memoryRequests; i++ {
		results.requests++
		if _, err := profileFn.send(ctx, profile, methods[i%len(methods)]); err != nil {
			return warmResults{}, err
		}
	}

	pid, err := profile.functionPID()
	if err != nil {
		return warmResults{}, err
	}
	results.peakRSS, results.currentRSS, err = peakRSS(pid)
	return results, err
}

// send invokes the function in e with the event of method and returns the
// round trip, or an error when the status is not a success.
func (f functionUnderTest) send(ctx context.Context, e *instance, method string) (time.Duration, error) {
	d, status, err := e.invoke(ctx, f.events[method])
	if err != nil {
		return 0, err
	}
	return d, f.checkStatus(method, status)
}

// proxyStatus returns the statusCode of an API Gateway proxy response, or
// an error when body is the runtime's error payload or no proxy response.
func proxyStatus(body []byte) (int, error) {
	var resp struct {
		StatusCode   int    `json:"statusCode"`
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return 0, fmt.Errorf("the function's response is not JSON: %q", body)
	}
	if resp.ErrorType != "" {
		return 0, fmt.Errorf("the function failed with %s: %s", resp.ErrorType, resp.ErrorMessage)
	}
	if resp.StatusCode == 0 {
		return 0, fmt.Errorf("the function's response has no statusCode: %q", body)
	}
	return resp.StatusCode, nil
}
