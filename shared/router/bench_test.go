package router_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkInboundCapacity measures the DynamoDB capacity units one inbound message costs the
// router, against DynamoDB Local with ReturnConsumedCapacity: a message that opens a new
// contact and conversation, one that joins an open conversation, and a duplicate (a redelivery).
// Report: RCU/msg and WCU/msg.
func BenchmarkInboundCapacity(b *testing.B) {
	for _, mode := range []string{"new-conversation", "existing-conversation", "duplicate"} {
		b.Run(mode, func(b *testing.B) {
			f := newFixture(b)
			var mu sync.Mutex
			var rcu, wcu float64
			ops := map[string]float64{}
			f.store.OnCapacity(func(op string, r, w float64) {
				mu.Lock()
				rcu, wcu = rcu+r, wcu+w
				ops[op] += r + w
				mu.Unlock()
			})
			first := f.message("SMfirst", phoneA, "hello", base)
			if err := f.router.Handle(f.ctx, first); err != nil {
				b.Fatal(err)
			}
			mu.Lock()
			rcu, wcu = 0, 0
			clear(ops)
			mu.Unlock()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				env := first
				switch mode {
				case "new-conversation":
					env = f.message(fmt.Sprintf("SMn%030d", i), fmt.Sprintf("+1555%07d", i), "hello", base.Add(time.Duration(i)*time.Millisecond))
				case "existing-conversation":
					env = f.message(fmt.Sprintf("SMe%030d", i), phoneA, "again", base.Add(time.Duration(i+1)*time.Millisecond))
				}
				if err := f.router.Handle(f.ctx, env); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(rcu/float64(b.N), "RCU/msg")
			b.ReportMetric(wcu/float64(b.N), "WCU/msg")
			if testing.Verbose() {
				for op, cu := range ops {
					b.Logf("%s: %.2f CU/msg", op, cu/float64(b.N))
				}
			}
		})
	}
}
