package rulescheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/billingexporter/billing_exporter/internal/testenv"

	"go.yaml.in/yaml/v3"
)

// notification is what Alertmanager hands a template: one firing alert
// and one resolved, with text that looks like YAML and JSON (a colon, a
// quote) so that a payload that is not valid JSON shows.
const notification = `{"receiver":"billing-oncall","status":"firing","alerts":[
 {"status":"firing","labels":{"alertname":"BillingPortOnePaymentFailed","severity":"critical","account":"shop","customer_uid":"cust_1"},
  "annotations":{"summary":"Scheduled payment of cust_1 in shop failed","description":"Note: the \"latest\" run failed (latest failure 2026-11-20 15:03 KST).","runbook_url":"https://github.com/billingexporter/billing_exporter#runbook-billingportonepaymentfailed"},
  "startsAt":"2026-11-20T06:03:13Z","endsAt":"0001-01-01T00:00:00Z"},
 {"status":"resolved","labels":{"alertname":"BillingPortOnePaymentFailed","severity":"critical","account":"shop","customer_uid":"cust_2"},
  "annotations":{"summary":"Scheduled payment of cust_2 in shop failed","description":"second","runbook_url":"https://github.com/billingexporter/billing_exporter#runbook-billingportonepaymentfailed"},
  "startsAt":"2026-11-19T15:30:00Z","endsAt":"2026-11-20T01:00:00Z"}],
 "groupLabels":{"alertname":"BillingPortOnePaymentFailed","account":"shop"},
 "commonLabels":{"alertname":"BillingPortOnePaymentFailed","severity":"critical","account":"shop"},
 "commonAnnotations":{},"externalURL":"http://alertmanager.example"}`

// render runs amtool 0.35 template render on examples/templates with the
// notification above.
func render(t *testing.T, amtool, text string) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(data, []byte(notification), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(amtool, "template", "render",
		"--template.glob="+filepath.Join(root, "examples", "templates", "*.tmpl"),
		"--template.text="+text, "--template.data="+data).CombinedOutput()
	if err != nil {
		t.Fatalf("amtool template render %s: %v\n%s", text, err, out)
	}
	return string(out)
}

// Every receiver's template renders, the JSON payloads have the shape each
// chat tool documents, and times are in KST.
func TestAlertmanagerTemplatesRender(t *testing.T) {
	amtool := testenv.AMTool(t)
	const when = "2026-11-20 15:03 KST" // 06:03:13 UTC
	const title = "[FIRING:1] BillingPortOnePaymentFailed shop"

	if got := render(t, amtool, `{{ template "billing.title" . }}`); got != title {
		t.Errorf("title %q, want %q", got, title)
	}
	text := render(t, amtool, `{{ template "billing.text" . }}`)
	for _, want := range []string{
		"[FIRING] Scheduled payment of cust_1 in shop failed\n",
		"Since " + when + ", severity critical. Runbook: https://github.com/billingexporter/billing_exporter#runbook-billingportonepaymentfailed",
		"[RESOLVED] Scheduled payment of cust_2 in shop failed\n",
		"Resolved; started 2026-11-20 00:30 KST",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if got := render(t, amtool, `{{ template "billing.color" . }}`); got != "#E01E5A" {
		t.Errorf("color of a critical notification %q", got)
	}

	var jandi struct {
		Body         string `json:"body"`
		ConnectColor string `json:"connectColor"`
		ConnectInfo  []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"connectInfo"`
	}
	decodeStrict(t, "JANDI", render(t, amtool, `{{ template "billing.jandi" . }}`), &jandi)
	if jandi.Body != title || jandi.ConnectColor != "#E01E5A" || len(jandi.ConnectInfo) != 2 ||
		jandi.ConnectInfo[0].Title != "Scheduled payment of cust_1 in shop failed" ||
		!strings.Contains(jandi.ConnectInfo[0].Description, `Note: the "latest" run failed`) ||
		!strings.Contains(jandi.ConnectInfo[0].Description, "Since "+when) {
		t.Errorf("JANDI payload %+v", jandi)
	}

	var dooray struct {
		BotName     string `json:"botName"`
		Text        string `json:"text"`
		Attachments []struct {
			Title     string `json:"title"`
			TitleLink string `json:"titleLink"`
			Text      string `json:"text"`
			Color     string `json:"color"`
		} `json:"attachments"`
	}
	decodeStrict(t, "Dooray!", render(t, amtool, `{{ template "billing.dooray" . }}`), &dooray)
	if dooray.BotName == "" || dooray.Text != title || len(dooray.Attachments) != 2 ||
		dooray.Attachments[0].Color != "red" || dooray.Attachments[1].Color != "green" ||
		!strings.HasSuffix(dooray.Attachments[0].TitleLink, "#runbook-billingportonepaymentfailed") ||
		!strings.Contains(dooray.Attachments[0].Text, when) {
		t.Errorf("Dooray! payload %+v", dooray)
	}

	var kakao struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type       string `json:"type"`
			Text       string `json:"text"`
			Style      string `json:"style,omitempty"`
			Markdown   bool   `json:"markdown,omitempty"`
			ActionType string `json:"action_type,omitempty"`
			Value      string `json:"value,omitempty"`
		} `json:"blocks"`
	}
	decodeStrict(t, "KakaoWork", render(t, amtool, `{{ template "billing.kakaowork" . }}`), &kakao)
	if kakao.Text != title || len(kakao.Blocks) != 5 || kakao.Blocks[0].Type != "header" || kakao.Blocks[0].Style != "red" ||
		kakao.Blocks[1].Type != "text" || !kakao.Blocks[1].Markdown || !strings.Contains(kakao.Blocks[1].Text, when) ||
		kakao.Blocks[2].Type != "button" || kakao.Blocks[2].ActionType != "open_system_browser" ||
		!strings.HasSuffix(kakao.Blocks[2].Value, "#runbook-billingportonepaymentfailed") {
		t.Errorf("KakaoWork payload %+v", kakao)
	}
}

// decodeStrict decodes a rendered payload as Alertmanager does (YAML, of
// which JSON is a subset) and then as JSON into v, refusing unknown fields.
func decodeStrict(t *testing.T, what, rendered string, v any) {
	t.Helper()
	var generic any
	if err := yaml.Unmarshal([]byte(rendered), &generic); err != nil {
		t.Fatalf("%s payload is not YAML/JSON: %v\n%s", what, err, rendered)
	}
	if _, ok := generic.(map[string]any); !ok {
		t.Fatalf("%s payload is not an object: %s", what, rendered)
	}
	dec := json.NewDecoder(strings.NewReader(rendered))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s payload: %v\n%s", what, err, rendered)
	}
}

// Every payload template the example config names exists, and the JANDI
// receiver sends JANDI's Accept header.
func TestAlertmanagerExampleReceivers(t *testing.T) {
	var am struct {
		Templates []string `yaml:"templates"`
		Route     struct {
			Routes []struct {
				Matchers       []string `yaml:"matchers"`
				Receiver       string   `yaml:"receiver"`
				RepeatInterval string   `yaml:"repeat_interval"`
			} `yaml:"routes"`
		} `yaml:"route"`
		Receivers []struct {
			Name           string           `yaml:"name"`
			SlackConfigs   []map[string]any `yaml:"slack_configs"`
			MSTeamsV2      []map[string]any `yaml:"msteamsv2_configs"`
			WebhookConfigs []struct {
				URL        string         `yaml:"url"`
				Payload    string         `yaml:"payload"`
				HTTPConfig map[string]any `yaml:"http_config"`
			} `yaml:"webhook_configs"`
		} `yaml:"receivers"`
	}
	readYAML(t, filepath.Join(root, "examples", "alertmanager.yml"), &am)
	tmpl, err := os.ReadFile(filepath.Join(root, "examples", "templates", "billing.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(am.Route.Routes) == 0 || am.Route.Routes[0].Matchers[0] != `alertname="BillingWatchdog"` || am.Route.Routes[0].RepeatInterval != "1m" {
		t.Errorf("the first route must send BillingWatchdog every minute: %+v", am.Route.Routes)
	}
	kinds := map[string]bool{}
	for _, r := range am.Receivers {
		if len(r.SlackConfigs) > 0 {
			kinds["slack"] = true
		}
		if len(r.MSTeamsV2) > 0 {
			kinds["teams"] = true
		}
		for _, w := range r.WebhookConfigs {
			name, _, _ := strings.Cut(strings.TrimPrefix(w.Payload, `{{ template "`), `"`)
			if w.Payload != "" && !strings.Contains(string(tmpl), `{{ define "`+name+`" -}}`) {
				t.Errorf("%s: payload %q names no template of examples/templates", r.Name, w.Payload)
			}
			switch {
			case strings.Contains(w.URL, "jandi.com"):
				kinds["jandi"] = name == "billing.jandi"
				accept, _ := yaml.Marshal(w.HTTPConfig)
				if !strings.Contains(string(accept), "application/vnd.tosslab.jandi-v2+json") {
					t.Errorf("JANDI webhook without its Accept header: %s", accept)
				}
			case strings.Contains(w.URL, "dooray.com"):
				kinds["dooray"] = name == "billing.dooray"
			case strings.Contains(w.URL, "kakaowork.com"):
				kinds["kakaowork"] = name == "billing.kakaowork"
			}
		}
	}
	for _, k := range []string{"slack", "teams", "jandi", "dooray", "kakaowork"} {
		if !kinds[k] {
			t.Errorf("no %s receiver with its template in examples/alertmanager.yml", k)
		}
	}
}
