package ncloudsim

import (
	"embed"
	"encoding/xml"
	"fmt"
)

// seeds/ holds the sample responses of the vendor documents, cut from "<?xml"
// through the closing root tag and otherwise untouched (indentation and
// trailing spaces included); seed_test.go checks them against the documents.
//
//go:embed seeds/*.xml
var seedFiles embed.FS

// seedResponse reads any of the three samples; each fills one list.
type seedResponse struct {
	TotalRows int                 `xml:"totalRows"`
	Credits   []CreditHistory     `xml:"creditHistoryList>creditHistory"`
	Coins     []CoinHistory       `xml:"coinHistoryList>coinHistory"`
	Demand    []ProductDemandCost `xml:"productDemandCostByDiscountList>productDemandCostByDiscount"`
}

// SeedData returns the three documented samples (one credit, two coins, one
// demand row) with Samples set, so they are served verbatim. Each call
// returns a fresh copy.
func SeedData() Data {
	d := Data{Samples: map[string]Sample{}}
	for _, action := range []string{ActionCreditHistory, ActionCoinHistory, ActionDemandCost} {
		raw, err := seedFiles.ReadFile("seeds/" + action + ".xml")
		var r seedResponse
		if err == nil {
			err = xml.Unmarshal(raw, &r)
		}
		if err != nil { // embedded at build time and covered by the tests
			panic(fmt.Sprintf("ncloudsim: seed %s: %v", action, err))
		}
		d.Credits = append(d.Credits, r.Credits...)
		d.Coins = append(d.Coins, r.Coins...)
		d.Demand = append(d.Demand, r.Demand...)
		d.Samples[action] = Sample{XML: string(raw), TotalRows: r.TotalRows}
	}
	return d
}
