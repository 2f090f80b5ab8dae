package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: no input panics or hangs, and an accepted config satisfies
// what validation promises.
func FuzzParse(f *testing.F) {
	good, err := os.ReadFile("testdata/good.yml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("ncloud: [{name: a, access_key: k, secret_key: s, thresholds: {stale: 1h}}]"))
	f.Add([]byte("vgp: [{name: v, caller: Vroomgo, phone_number: \"821041139274\"}]\nglobal: {timeout: 1m}"))
	f.Add([]byte("portone: [{name: p, imp_key: k, imp_secret: s, customer_uids: [a], lookback: 30d}]"))
	f.Add([]byte("a: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "testdata/fuzz.yml")
		if err != nil {
			return
		}
		if c.Accounts() == 0 || c.Global.Timeout <= 0 || c.Global.MaxConcurrency < 1 {
			t.Fatalf("accepted an invalid config: %+v", c.Global)
		}
		names := map[string]bool{}
		for _, a := range c.NCloud {
			if a.Name == "" || names["n/"+a.Name] || strings.ContainsAny(a.Name, "/ \t\n") || a.SecretKey == "" {
				t.Fatalf("accepted account %+v", a)
			}
			names["n/"+a.Name] = true
		}
	})
}
