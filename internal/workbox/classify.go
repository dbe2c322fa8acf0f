package workbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/orgsync/orgsync/internal/target"
)

// errorBody is both the WORKBOX and the API Gateway error body,
// {"error":{"errorCode":"180011","message":"..."}}. The gateway table types
// errorCode as Integer while its example shows a string, so both decode.
type errorBody struct {
	Error *struct {
		ErrorCode json.RawMessage `json:"errorCode"`
		Message   string          `json:"message"`
	} `json:"error"`
}

// maxMessage bounds the server's message kept in an error.
const maxMessage = 300

// classify turns an answer into nil or a *target.Error, by the body's
// errorCode first and the HTTP status second (docs/protocol.md).
func classify(method, res, key string, status int, body []byte) error {
	code, msg, hasError := parseError(body)
	if status >= 200 && status < 300 && !hasError {
		return nil
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	what := res + " " + key
	e := &target.Error{Status: status, Code: code, Message: what + ": " + msg}

	switch {
	case code == "180011" && method == http.MethodPost:
		e.Class = target.Exists
	case code == notFoundCode[res] && (method == http.MethodPut || method == http.MethodDelete):
		e.Class = target.NotFound
	case code == "180001":
		e.Class = target.Forbidden
		e.Message = what + ": the WORKBOX console's sync switch for " + label[res] +
			" is OFF (Developers > 조직 연동); turn it ON to sync this item (" + msg + ")"
	case code == "180000":
		e.Class = target.Auth
		e.Message = what + ": company not found (" + msg + "); check ORGSYNC_COMPANY_ID (WORKBOX Developers > 기본 설정 > 연동키)"
	case code == "400" || code == "410" || code == "420":
		e.Class = target.Throttled
	case status == http.StatusUnauthorized:
		e.Class = target.Auth
		e.Message = what + ": authentication failed (" + msg + "); check the access key, secret key and API key " +
			"(and ORGSYNC_SIGNATURE_V1), and the machine clock: the gateway rejects timestamps 5 or more minutes off"
	case status == http.StatusTooManyRequests:
		e.Class = target.Throttled
	case status >= 500:
		e.Class = target.Transient
	default:
		// Other 4xx (including a reference's not-found code and 2xx/3xx
		// answers carrying an error): the data or request is at fault.
		e.Class = target.Invalid
	}
	return e
}

// parseError returns the errorCode and message of an error body; hasError
// is false when the body is not one (a success body, HTML from a proxy).
func parseError(body []byte) (code, msg string, hasError bool) {
	var eb errorBody
	if len(body) == 0 || json.Unmarshal(body, &eb) != nil || eb.Error == nil {
		return "", "", false
	}
	code = string(bytes.Trim(eb.Error.ErrorCode, `"`))
	if code == "null" {
		code = ""
	}
	msg = strings.TrimSpace(eb.Error.Message)
	if r := []rune(msg); len(r) > maxMessage {
		msg = string(r[:maxMessage]) + "…"
	}
	return code, msg, true
}
