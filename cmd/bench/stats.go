package main

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 < p <= 100) of samples by the
// nearest-rank method: the smallest sample that at least p percent of the
// samples do not exceed. It returns 0 for no samples.
func percentile[T cmp.Ordered](samples []T, p float64) T {
	if len(samples) == 0 {
		var zero T
		return zero
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// durationsOf returns one duration of each cold start, picked by field.
func durationsOf(starts []coldStart, field func(coldStart) time.Duration) []time.Duration {
	out := make([]time.Duration, len(starts))
	for i, s := range starts {
		out[i] = field(s)
	}
	return out
}

// allStarts returns the cold starts of every method in one slice.
func allStarts(byMethod map[string][]coldStart) []coldStart {
	var all []coldStart
	for _, method := range methods {
		all = append(all, byMethod[method]...)
	}
	return all
}
