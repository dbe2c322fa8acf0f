package workplace

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/target"
)

// errorBody decodes both error shapes WORKPLACE answers with: the API
// Gateway's {"error":{"errorCode":"420","message":"..."}} and the
// service's {"status":400,"code":-1015,"message":"...","errors":[...]}
// (seed 003). Codes decode whether they are numbers or strings.
type errorBody struct {
	ncpapi.GatewayError
	Status  json.RawMessage `json:"status"`
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Errors  []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// classify turns an answer into nil or a *target.Error: the body's code
// first, the HTTP status second (docs/protocol.md, "WORKPLACE").
func classify(method, res, key string, status int, body []byte) error {
	code, msg, gateway, hasError := parseError(body)
	what := res + " " + key
	e, msg := ncpapi.NewError(what, status, code, msg, hasError)
	if e == nil {
		return nil
	}
	switch {
	case !gateway && code == CodeExists && method == http.MethodPost:
		e.Class = target.Exists
	case !gateway && code == notFoundCode[res] && method != http.MethodPost:
		e.Class = target.NotFound
	case !gateway && code == CodeSyncOff:
		e.Class = target.Forbidden
		e.Message = what + ": organisation sync is not enabled in WORKPLACE for " + res +
			"; turn it on in the WORKPLACE admin console (" + msg + ")"
	case !gateway && code == CodeCompany:
		e.Class = target.Auth
		e.Message = what + ": company not found (" + msg + "); check ORGSYNC_COMPANY_ID"
	default:
		ncpapi.Classify(e, what, msg, gateway, "the access key and secret key (signature v2)")
	}
	return e
}

// parseError returns the code and message of an error body; gateway is
// true for the API Gateway's shape; hasError is false when the body is not
// an error (a success body, HTML from a proxy).
func parseError(body []byte) (code, msg string, gateway, hasError bool) {
	var eb errorBody
	if len(body) == 0 || json.Unmarshal(body, &eb) != nil {
		return "", "", false, false
	}
	switch {
	case eb.Error != nil:
		code, msg, gateway = ncpapi.Code(eb.Error.ErrorCode), eb.Error.Message, true
	case len(eb.Code) > 0 && string(eb.Code) != "null":
		code, msg = ncpapi.Code(eb.Code), eb.Message
		var parts []string
		for _, fe := range eb.Errors {
			if fe.Field != "" {
				parts = append(parts, fe.Field+": "+fe.Message)
			}
		}
		if len(parts) > 0 {
			msg += " (" + strings.Join(parts, "; ") + ")"
		}
	default:
		return "", "", false, false
	}
	return code, ncpapi.Message(msg), gateway, true
}
