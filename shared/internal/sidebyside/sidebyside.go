// Package sidebyside is a benchmark helper: Codec times a codec and a hand-written baseline of
// the same work in the same loop, so that their ratio is measured in one run whatever the
// machine's load. The codec benchmarks of shared/twilio and shared/meta use it; only tests
// import it.
package sidebyside

import (
	"testing"
	"time"
)

// batch is how many calls of each run in turn per iteration.
const batch = 50

// Codec runs codec and baseline in turns, batches of 50 each per iteration of b, and reports
// the mean time of one call of each (codec-ns/op, baseline-ns/op) and baseline/codec, their
// ratio (1 = the codec is as fast as the baseline).
func Codec(b *testing.B, codec, baseline func()) {
	var tc, tb time.Duration
	n := 0
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
		tb += time.Since(mid)
		tc += mid.Sub(start)
		n += batch
	}
	codecNs, baselineNs := float64(tc.Nanoseconds())/float64(n), float64(tb.Nanoseconds())/float64(n)
	b.ReportMetric(codecNs, "codec-ns/op")
	b.ReportMetric(baselineNs, "baseline-ns/op")
	b.ReportMetric(baselineNs/codecNs, "baseline/codec")
}
