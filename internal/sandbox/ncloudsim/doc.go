// Package ncloudsim is a fake of the NAVER Cloud Platform billing API v1
// discount operations, written from the vendor documents (seeds 001, 002, 004)
// and api-notes section 2 only, so that tests of the real client check one
// reading of the API against another.
//
// Server serves GET and POST {PathPrefix}/discount/{action} for the actions
// getCreditHistoryList, getCoinHistoryList, getProductDemandCostByDiscountList
// and getDiscountList, and {PathPrefix}/cost/getDemandCostList (monthly
// invoices, Data.Bills; api-notes section 6: startMonth and endMonth required,
// at most 3 months; root getDemandCostListResponse, list demandCostList, XML
// item demandCost). A request is checked in this order:
//
//   - method other than GET/POST: 405, gateway body errorCode "100", Allow: GET, POST;
//   - unknown path: 404, gateway body errorCode "300" "Not Found Exception";
//   - signature v2 (x-ncp-apigw-signature-v1 is accepted too) over
//     METHOD + " " + r.RequestURI + "\n" + timestamp + "\n" + accessKey; a missing
//     header, unknown key, bad signature or a timestamp more than 5 minutes from
//     Options.Now: 401, {"error":{"errorCode":"200","message":"Authentication Failed","details":...}};
//   - the request now counts in Calls and MaxConcurrent, and a Fault (package
//     fault, set with SetFault) applies: (access key, action), else (access key, "");
//   - parameters (query string or form body): HTTP 400 with the legacy body
//     {"responseError": {"returnCode": ..., "returnMessage": ...}}, always JSON, with
//     ReturnCodeInvalidParameter, ReturnCodeScopeConflict or ReturnCodeMonthRange;
//   - data: 200, XML (default) or JSON as responseFormatType asks.
//
// Parameters: pageNo (default 1; below 1 or past the end gives an empty list
// with the true totalRows), pageSize (1..1000, default 1000), responseFormatType
// exactly "xml" or "json", isOrganization/isPartner ("true"/"false", any case;
// both true is an error, otherwise they change nothing), and 1-based lists
// discountNoList.N, memberNoList.N, productDemandTypeCodeList.N. A bare list name
// without ".N" and other unknown parameters are ignored. startMonth/endMonth
// (yyyyMM) filter credits and discounts whose validity overlaps the range
// (either end optional), and demand rows by demandMonth (both required, at most
// Options.MaxDemandMonths months); the coin op ignores them.
//
// XML uses the seeds' element names and roots (getCreditHistoryList,
// getCoinHistoryList, getProductDemandCostByDiscountListResponse,
// getDiscountListResponse), two-space indentation and <x/> for empty lists and
// strings. Item elements the seeds do not show are named after their type
// (coinUseHistory, shareCoinSnapshot, appliedCreditHistory, discount). JSON has
// the single root key <action>Response, is pretty-printed like
// json.MarshalIndent, and drops the item elements: lists are arrays ([] when
// empty), codes are objects, amounts and totalRows are numbers, IDs strings.
// Every rendered response gets a fresh random requestId.
//
// Recorded samples (Data.Samples, set by SeedData): when the filters remove
// nothing, totalRows is the recorded one in both formats (the demand seed says
// 2 but carries one row), and an XML first page holding every item is the
// recording byte for byte. Otherwise responses are rendered from the parsed
// model.
//
// Observation: Calls and MaxConcurrent accept "" for the access key and/or the
// action to mean all of them. Requests logs every answered request, failures
// and a Fault's answers included (with the Fault's status, a Truncate one
// too); a request that a Fault hung or reset, or whose client gave up during
// a Fault's Latency, is not logged. The statistics of a request are final
// before its answer is written.
//
// Helpers besides New, Server, SeedData and Generate: the Action* names, the
// ReturnCode* values, DateLayout, Sample (Data.Samples) and Discount.
//
// getDiscountList is derived from the account's credits, coins and applied
// product discounts; its discountProcessMethod codes (RATE, AMNT) are invented.
package ncloudsim
