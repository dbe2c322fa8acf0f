package ncpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/orgsync/orgsync/internal/target"
)

// GatewayError is the API Gateway's error body,
// {"error":{"errorCode":"420","message":"..."}}. The gateway's table types
// errorCode as Integer while its example shows a string, so both decode
// (read it with Code). Products embed it in their own error body.
type GatewayError struct {
	Error *struct {
		ErrorCode json.RawMessage `json:"errorCode"`
		Message   string          `json:"message"`
	} `json:"error"`
}

// MaxMessage bounds, in characters, the server's message kept in an error.
const MaxMessage = 300

// Code reads an error code sent as a string or a number ("" for null).
func Code(raw json.RawMessage) string {
	c := string(bytes.Trim(raw, `"`))
	if c == "null" {
		return ""
	}
	return c
}

// Message trims the server's message and cuts it to MaxMessage characters
// (the Knox client's too).
func Message(msg string) string {
	msg = strings.TrimSpace(msg)
	if r := []rune(msg); len(r) > MaxMessage {
		msg = string(r[:MaxMessage]) + "…"
	}
	return msg
}

// NewError starts the error of an answer: nil for a 2xx answer without an
// error body, else a *target.Error (class not yet set) naming what and the
// status, with the server's message as its Detail: a message may repeat
// the data sent, so it stays out of Error() (target.Error).
func NewError(what string, status int, code, msg string, hasError bool) *target.Error {
	if status >= 200 && status < 300 && !hasError {
		return nil
	}
	text := http.StatusText(status)
	if text == "" || status < 300 {
		text = "error answer"
	}
	if msg == text {
		msg = ""
	}
	return &target.Error{Status: status, Code: code, Message: what + ": " + text, Detail: msg}
}

// IsThrottleCode reports whether code is one of the gateway's throttling
// codes: 400 Quota Exceeded, 410 Throttle Limited, 420 Rate Limited.
func IsThrottleCode(code string) bool {
	return code == "400" || code == "410" || code == "420"
}

// IsThrottle reports whether an answer is a throttle: 429, or the
// gateway's error body with one of its throttling codes (WORKBOX's own
// codes are six digits, WORKPLACE's own body has another shape, so the
// gateway's codes cannot be mistaken for a product's).
func IsThrottle(status int, body []byte) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	if (status >= 200 && status < 300) || len(body) == 0 {
		return false
	}
	var g GatewayError
	return json.Unmarshal(body, &g) == nil && g.Error != nil && IsThrottleCode(Code(g.Error.ErrorCode))
}

// Classify sets the class of an error answer no product-specific rule
// claimed: a gateway throttling code (gatewayCode says the code is the
// gateway's) or 429 is Throttled, 401 is Auth with a message naming
// credentials and the clock, 5xx is Transient, anything else Invalid (the
// data or the request is at fault). what is as for NewError.
func Classify(e *target.Error, what string, gatewayCode bool, credentials string) {
	switch {
	case gatewayCode && IsThrottleCode(e.Code):
		e.Class = target.Throttled
	case e.Status == http.StatusUnauthorized:
		e.Class = target.Auth
		e.Message = what + ": authentication failed; check " + credentials +
			", and the machine clock: the gateway rejects timestamps 5 or more minutes off"
	case e.Status == http.StatusTooManyRequests:
		e.Class = target.Throttled
	case e.Status >= 500:
		e.Class = target.Transient
	default:
		// Other 4xx (including a reference's not-found code and 2xx/3xx
		// answers carrying an error).
		e.Class = target.Invalid
	}
}
