package localrun

import (
	"testing"
	"time"
)

func TestRateOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		expr string
		want time.Duration
	}{
		{"rate(1 minute)", time.Minute},
		{"rate(5 minutes)", 5 * time.Minute},
		{"rate(1 hour)", time.Hour},
		{"rate(2 hours)", 2 * time.Hour},
		{"rate(1 day)", 24 * time.Hour},
		{"cron(0 9 * * ? *)", 0},
		{"rate(0 minutes)", 0},
		{"rate(1 fortnight)", 0},
		{"rate(1 minute", 0},
		{"1 minute)", 0},
	}
	for _, c := range cases {
		got, err := rateOf(c.expr)
		if (err != nil) != (c.want == 0) || got != c.want {
			t.Errorf("rateOf(%q) = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
}
