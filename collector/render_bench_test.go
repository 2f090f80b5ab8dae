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

// BenchmarkRenderLarge renders a refresh of 100,000 series in one family
// and 33,334 in another, the tail of a large refresh after its last page:
// its wall time per op is what the refresh waits for.
func BenchmarkRenderLarge(b *testing.B) {
	c := &setCollector{account: "a", n: 100_000}
	ms, err := c.Update(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(ms, nil); err != nil {
			b.Fatal(err)
		}
	}
}
