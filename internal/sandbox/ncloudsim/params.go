package ncloudsim

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Business-error returnCodes. The real codes are unknown (api-notes 2.6); these
// follow the legacy API's seven-digit string style seen in terraform-provider-ncloud.
const (
	ReturnCodeInvalidParameter = "1007009" // malformed or out-of-range parameter
	ReturnCodeScopeConflict    = "1007010" // isOrganization and isPartner both true
	ReturnCodeMonthRange       = "1007011" // month range missing, reversed or too long
)

const maxPageSize = 1000

// seoul is the API's zone (dates carry +0900); fixed so no tzdata is needed.
var seoul = time.FixedZone("KST", 9*60*60)

// apiError is a business error, answered as HTTP 400 {"responseError": ...}.
type apiError struct{ code, message string }

func badParam(format string, args ...any) *apiError {
	return &apiError{ReturnCodeInvalidParameter, fmt.Sprintf(format, args...)}
}

// params are the request parameters shared by the discount ops. The list
// filters are nil when absent, so "no filter" differs from "filter on nothing".
type params struct {
	pageNo, pageSize     int
	format               string // "xml" or "json"
	discountNos          map[string]bool
	memberNos            map[string]bool
	productCodes         map[string]bool
	startMonth, endMonth string     // yyyyMM, "" when absent
	form                 url.Values // for op-specific parameters
}

// parseParams reads the common parameters from the query and the form body.
// Unknown parameters are ignored, as are bare list names without ".N".
func parseParams(form url.Values) (params, *apiError) {
	p := params{pageNo: 1, pageSize: maxPageSize, format: "xml", form: form}
	var err *apiError
	if p.pageNo, err = intParam(form, "pageNo", 1); err != nil {
		return p, err
	}
	if p.pageSize, err = intParam(form, "pageSize", maxPageSize); err != nil {
		return p, err
	}
	if p.pageSize < 1 || p.pageSize > maxPageSize {
		return p, badParam("pageSize must be between 1 and %d", maxPageSize)
	}
	if v := form.Get("responseFormatType"); v != "" {
		p.format = v
		if v != "xml" && v != "json" {
			return p, badParam("responseFormatType must be xml or json")
		}
	}
	organization, err := boolParam(form, "isOrganization")
	if err != nil {
		return p, err
	}
	partner, err := boolParam(form, "isPartner")
	if err != nil {
		return p, err
	}
	if organization && partner { // otherwise the scope flags change nothing here
		return p, &apiError{ReturnCodeScopeConflict, "isOrganization and isPartner cannot both be true"}
	}
	for _, l := range []struct {
		name string
		set  *map[string]bool
	}{
		{"discountNoList", &p.discountNos},
		{"memberNoList", &p.memberNos},
		{"productDemandTypeCodeList", &p.productCodes},
	} {
		if *l.set, err = listParam(form, l.name); err != nil {
			return p, err
		}
	}
	p.startMonth, p.endMonth = form.Get("startMonth"), form.Get("endMonth")
	for _, m := range []string{p.startMonth, p.endMonth} {
		if _, ok := parseMonth(m); m != "" && !ok {
			return p, badParam("month %q is not yyyyMM", m)
		}
	}
	if p.startMonth != "" && p.endMonth != "" && p.endMonth < p.startMonth {
		return p, &apiError{ReturnCodeMonthRange, "endMonth is before startMonth"}
	}
	return p, nil
}

// requireMonths enforces a required startMonth..endMonth of at most maxMonths.
func (p params) requireMonths(maxMonths int) *apiError {
	if p.startMonth == "" || p.endMonth == "" {
		return &apiError{ReturnCodeMonthRange, "startMonth and endMonth are required"}
	}
	return p.limitMonths(maxMonths)
}

// limitMonths rejects a range longer than maxMonths (inclusive); an open range is fine.
func (p params) limitMonths(maxMonths int) *apiError {
	if p.startMonth == "" || p.endMonth == "" {
		return nil
	}
	s, _ := parseMonth(p.startMonth)
	e, _ := parseMonth(p.endMonth)
	span := int(e-s) + 1
	if span > maxMonths {
		return &apiError{ReturnCodeMonthRange, fmt.Sprintf("startMonth..endMonth spans %d months, at most %d allowed", span, maxMonths)}
	}
	return nil
}

func intParam(form url.Values, name string, def int) (int, *apiError) {
	v := form.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badParam("%s must be an integer", name)
	}
	return n, nil
}

func boolParam(form url.Values, name string) (bool, *apiError) {
	switch v := form.Get(name); {
	case v == "" || strings.EqualFold(v, "false"):
		return false, nil
	case strings.EqualFold(v, "true"):
		return true, nil
	}
	return false, badParam("%s must be true or false", name)
}

// listParam collects name.1, name.2, ... (1-based, any order).
func listParam(form url.Values, name string) (map[string]bool, *apiError) {
	var set map[string]bool
	for k, vs := range form {
		idx, ok := strings.CutPrefix(k, name+".")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(idx); err != nil || n < 1 {
			return nil, badParam("%s needs a 1-based index", k)
		}
		if set == nil {
			set = map[string]bool{}
		}
		for _, v := range vs {
			set[v] = true
		}
	}
	return set, nil
}

// month counts months since year 0, so month arithmetic is integer arithmetic.
type month int

func monthOf(t time.Time) month { return month(t.Year()*12 + int(t.Month()) - 1) }

// String is yyyyMM (years have four digits: parseMonth accepts no others).
func (m month) String() string { return strconv.Itoa(int(m)/12*100 + int(m)%12 + 1) }

// time is the month's first instant in Seoul.
func (m month) time() time.Time {
	return time.Date(int(m)/12, time.Month(int(m)%12+1), 1, 0, 0, 0, 0, seoul)
}

// parseMonth reads the API's yyyyMM.
func parseMonth(s string) (month, bool) {
	t, err := time.Parse("200601", s)
	if err != nil || len(s) != 6 {
		return 0, false
	}
	return monthOf(t), true
}

// monthTime is the first instant of a yyyyMM month, zero if s is not one.
func monthTime(s string) time.Time {
	if m, ok := parseMonth(s); ok {
		return m.time()
	}
	return time.Time{}
}

// matches reports whether v passes an optional list filter.
func matches(filter map[string]bool, v string) bool {
	return filter == nil || filter[v]
}
