package portonesim

import (
	"encoding/json"
	"net/http"
)

// envelope is every JSON answer of the API.
type envelope struct {
	Code     int     `json:"code"`
	Message  *string `json:"message"` // null on success
	Response any     `json:"response"`
}

// page is the paged form of a schedule list; previous and next are 0 when there is none.
type page struct {
	Total    int        `json:"total"`
	Previous int        `json:"previous"`
	Next     int        `json:"next"`
	List     []Schedule `json:"list"`
}

func writeOK(w http.ResponseWriter, response any) {
	writeJSON(w, http.StatusOK, envelope{Response: response})
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, envelope{Code: -1, Message: &message})
}

func writeJSON(w http.ResponseWriter, status int, v any) { writeRaw(w, status, mustJSON(v)) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // only plain data is encoded here
		panic("portonesim: " + err.Error())
	}
	return b
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
