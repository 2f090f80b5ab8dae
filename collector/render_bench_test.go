package collector

import (
	"context"
	"testing"
)

// BenchmarkRenderSmall renders the refresh of a small account (a few
// dozen series), the cost every refresh of the parallelism scenario pays.
func BenchmarkRenderSmall(b *testing.B) {
	c := &setCollector{account: "a", n: 12}
	b.ReportAllocs()
	for b.Loop() {
		ms, err := c.Update(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := render(ms, nil); err != nil {
			b.Fatal(err)
		}
	}
}
