package workbox

import (
	"encoding/json"
	"net/http"

	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/target"
)

// errorBody is both the WORKBOX and the API Gateway error body,
// {"error":{"errorCode":"180011","message":"..."}}: one shape, so every
// code may be the gateway's.
type errorBody = ncpapi.GatewayError

// classify turns an answer into nil or a *target.Error, by the body's
// errorCode first and the HTTP status second (docs/protocol.md).
func classify(method, res, key string, status int, body []byte) error {
	code, msg, hasError := parseError(body)
	what := res + " " + key
	e := ncpapi.NewError(what, status, code, msg, hasError)
	if e == nil {
		return nil
	}
	switch {
	case code == "180011" && method == http.MethodPost:
		e.Class = target.Exists
	case code == notFoundCode[res] && (method == http.MethodPut || method == http.MethodDelete):
		e.Class = target.NotFound
	case code == "180001":
		e.Class = target.Forbidden
		e.Message = what + ": the WORKBOX console's sync switch for " + label[res] +
			" is OFF (Developers > 조직 연동); turn it ON to sync this item"
	case code == "180000":
		e.Class = target.Auth
		e.Message = what + ": company not found; check ORGSYNC_COMPANY_ID (WORKBOX Developers > 기본 설정 > 연동키)"
	default:
		ncpapi.Classify(e, what, true,
			"the access key, secret key and API key (and ORGSYNC_SIGNATURE_V1)")
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
	return ncpapi.Code(eb.Error.ErrorCode), ncpapi.Message(eb.Error.Message), true
}
