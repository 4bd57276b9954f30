// Package sidebyside is a benchmark helper: Codec times a codec and a hand-written baseline of
// the same work in the same loop, so that their ratio is measured in one run whatever the
// machine's load. The codec benchmarks of shared/twilio and shared/meta use it; only tests
// import it.
package sidebyside

import (
	"slices"
	"testing"
	"time"
)

// batch is how many calls of each run in turn per iteration.
const batch = 50

// Codec runs codec and baseline in turns, batches of 50 each per iteration of b, and reports
// the median time of one call of each over the iterations (codec-ns/op, baseline-ns/op) and
// baseline/codec, the median of the iterations' own ratios (1 = the codec is as fast as the
// baseline). Medians of paired turns, not means: on a shared machine one preempted or
// GC-stalled batch would otherwise decide the ratio of a short run (make bench's 10x).
func Codec(b *testing.B, codec, baseline func()) {
	var codecNs, baselineNs, ratios []float64
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		for range batch {
			codec()
		}
		mid := time.Now()
		for range batch {
			baseline()
		}
		tb, tc := float64(time.Since(mid).Nanoseconds()), float64(mid.Sub(start).Nanoseconds())
		codecNs = append(codecNs, tc/batch)
		baselineNs = append(baselineNs, tb/batch)
		ratios = append(ratios, tb/tc)
	}
	b.ReportMetric(median(codecNs), "codec-ns/op")
	b.ReportMetric(median(baselineNs), "baseline-ns/op")
	b.ReportMetric(median(ratios), "baseline/codec")
}

// median returns the middle value of xs (the mean of the two middle ones for an even count),
// sorting xs in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 0 {
		return (xs[m-1] + xs[m]) / 2
	}
	return xs[m]
}
