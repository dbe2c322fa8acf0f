package knox

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is a failed Knox call: an error answer (Status, Code, Message from
// the body), an unusable answer (Status set, Code empty) or no answer at all
// (Status 0, Err the cause). Meaning says what to do about it.
type Error struct {
	Endpoint string // titles, organizations or employees
	Page     int    // 0 when the call is not paged
	Status   int    // HTTP status; 0 when no answer arrived
	Code     string // Knox errorCode, e.g. EM0016
	Message  string // Knox errorMessage, or what was wrong with the answer
	Meaning  string // what to do (seed 001, 조치방안)
	Err      error  // transport cause (timeout, connection, context), if any
	// RetryAfter is the answer's Retry-After (429, 503), 0 if none.
	RetryAfter time.Duration

	transport bool // no (complete) answer arrived for a reason worth a retry
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("knox " + e.Endpoint)
	if e.Page > 0 {
		fmt.Fprintf(&b, " page %d", e.Page)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	b.WriteString(": " + e.Message)
	if e.Meaning != "" {
		b.WriteString(" (" + e.Meaning + ")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable is true for 429 and 5xx answers, timeouts and connection
// errors only: any other 4xx or a malformed 200 answer will not change by
// asking again.
func (e *Error) Retryable() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.transport
}

// meanings are seed 001's 조치방안 (what to do), in English.
var meanings = map[string]string{
	// Employee search.
	"EM0001": "more than 100 items were requested in one search; add parameters to narrow it",
	"EM0004": "a search parameter is missing",
	"EM0005": "a search parameter has an invalid length",
	"EM0006": "search parameters must be 100 characters or fewer",
	"EM0007": "a search parameter contains * or %",
	"EM0010": "a parameter is missing or malformed",
	"EM0014": "a required value is missing",
	"EM0015": "a value is not in the required format",
	"EM0016": "only one of the named search attributes may be used per call",
	"EM0017": "paging is not supported for these search conditions",
	"EM0018": "remove the named condition from the search and try again",
	// Organization and title lookup.
	"ORG0003": "check the parameters",
	"ORG0004": "the search keyword must be at least 4 bytes",
	"ORG0005": "search parameters must be 100 characters or fewer",
	"ORG0006": "a search parameter contains * or %",
	"ORG0010": "a parameter is missing or malformed",
	"ORG0011": "a required value is missing",
	"ORG0012": "a value is not in the required format",
	"ORG0013": "only one of the named search attributes may be used per call",
	"ORG0014": "paging is not supported for these search conditions",
	// Not in seed 001: the stand-in's answer to a missing or unknown System-ID.
	"UNAUTHORIZED": "the System-ID is missing or not registered; check ORGSYNC_KNOX_SYSTEM_ID",
}

// Codes lists the error codes of seed 001, in the seed's order.
var Codes = []string{
	"EM0001", "EM0004", "EM0005", "EM0006", "EM0007", "EM0010", "EM0014", "EM0015", "EM0016", "EM0017", "EM0018",
	"ORG0003", "ORG0004", "ORG0005", "ORG0006", "ORG0010", "ORG0011", "ORG0012", "ORG0013", "ORG0014",
}

// Meaning returns what to do about a Knox error code ("" if unknown).
func Meaning(code string) string { return meanings[code] }

// statusMeaning covers answers without a known code.
func statusMeaning(status int) string {
	switch {
	case status == 401 || status == 403:
		return meanings["UNAUTHORIZED"]
	case status == 404:
		return "check ORGSYNC_KNOX_URL"
	case status == http.StatusTooManyRequests:
		return "Knox is throttling orgsync's calls; they are asked again later"
	case status >= 500:
		return "Knox failed; retry later"
	}
	return ""
}
