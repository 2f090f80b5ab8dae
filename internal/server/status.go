package server

import (
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// TargetStatus is one row of the status page.
type TargetStatus struct {
	Provider        string  `json:"provider"`
	Account         string  `json:"account"`
	Collector       string  `json:"collector"`
	State           string  `json:"state"` // ok, failing, pending
	LastSuccess     string  `json:"last_success,omitempty"`
	LastAttempt     string  `json:"last_attempt,omitempty"`
	DurationSeconds float64 `json:"duration_seconds"`
	Series          int     `json:"series"`
	ErrorCode       string  `json:"error_code,omitempty"`
	ErrorMessage    string  `json:"error_message,omitempty"`
	Error           string  `json:"error,omitempty"`
}

// Statuses reports every target of the current exporter without calling
// any upstream.
func (s *Server) Statuses() []TargetStatus {
	e := s.exporter.Load()
	if e == nil {
		return nil
	}
	var out []TargetStatus
	for _, t := range e.Targets() {
		st := t.State()
		row := TargetStatus{
			Provider:        t.Provider,
			Account:         t.Account,
			Collector:       t.Collector,
			State:           "pending",
			DurationSeconds: st.Duration.Seconds(),
			Series:          st.Series(),
			LastSuccess:     formatTime(st.LastSuccess),
			LastAttempt:     formatTime(st.LastAttempt),
		}
		switch {
		case st.LastAttempt.IsZero():
		case st.Err == nil:
			row.State = "ok"
		default:
			row.State = "failing"
			row.Error = upstream.Clean(st.Err.Error(), 1000)
			if ue, ok := upstream.AsError(st.Err); ok {
				row.ErrorCode, row.ErrorMessage = ue.Shown()
			}
		}
		out = append(out, row)
	}
	return out
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	rows := s.Statuses()
	if r.URL.Query().Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rows)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusPage.Execute(w, struct {
		Rows        []TargetStatus
		MetricsPath string
		Demo        string
	}{rows, s.o.MetricsPath, map[bool]string{true: demoNotice}[s.o.Demo]}); err != nil {
		s.o.Logger.Error("Rendering the status page failed", "err", err)
	}
}

// The template escapes every value (html/template), so upstream messages
// cannot inject markup.
var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>billing_exporter status</title>
<link rel="icon" href="data:,">
<style>
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #e6522c; color: #fff; }
tr.failing td.state { background: #f8d7da; font-weight: bold; }
tr.ok td.state { background: #d4edda; }
tr.pending td.state { background: #fff3cd; }
td.num { text-align: right; }
td.time { white-space: nowrap; }
</style>
</head>
<body>
<h1>billing_exporter status</h1>
{{if .Demo}}<p id="demo"><strong>{{.Demo}}</strong>: every account is served by fake upstreams on loopback; no real billing API is called.</p>
{{end}}<p><a href="/">Home</a> · <a href="{{.MetricsPath}}">Metrics</a> · <a href="/status?format=json">JSON</a></p>
<p>State of each account's collectors as of their last upstream refresh; loading this page calls no upstream.</p>
<table id="status">
<thead><tr><th>Provider</th><th>Account</th><th>Collector</th><th>State</th><th>Last success (UTC)</th><th>Last attempt (UTC)</th><th>Duration (s)</th><th>Series</th><th>Upstream code</th><th>Last error</th></tr></thead>
<tbody>
{{range .Rows}}<tr class="{{.State}}" data-target="{{.Provider}}/{{.Account}}/{{.Collector}}">
<td>{{.Provider}}</td><td>{{.Account}}</td><td>{{.Collector}}</td><td class="state">{{.State}}</td>
<td class="time">{{.LastSuccess}}</td><td class="time">{{.LastAttempt}}</td><td class="num">{{printf "%.3f" .DurationSeconds}}</td><td class="num">{{.Series}}</td>
<td>{{.ErrorCode}}</td><td>{{if .ErrorMessage}}{{.ErrorMessage}}<br><small>{{.Error}}</small>{{else}}{{.Error}}{{end}}</td>
</tr>
{{else}}<tr><td colspan="10">No accounts configured.</td></tr>
{{end}}</tbody>
</table>
</body>
</html>
`))
