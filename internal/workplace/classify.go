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
	code, msg, fields, gateway, hasError := parseError(body)
	what := res + " " + key
	e := ncpapi.NewError(what, status, code, msg, hasError)
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
			"; turn it on in the WORKPLACE admin console"
	case !gateway && code == CodeCompany:
		e.Class = target.Auth
		e.Message = what + ": company not found; check ORGSYNC_COMPANY_ID"
	default:
		ncpapi.Classify(e, what, gateway, "the access key and secret key (signature v2)")
	}
	if fields != "" { // names only: their messages may echo the values
		e.Message += " (fields: " + fields + ")"
	}
	return e
}

// parseError returns the code and message of an error body (the
// message with each errors[] entry as "field: message"), and the names of
// the fields errors[] lists; gateway is true for the API Gateway's shape;
// hasError is false when the body is not an error (a success body, HTML
// from a proxy).
func parseError(body []byte) (code, msg, fields string, gateway, hasError bool) {
	var eb errorBody
	if len(body) == 0 || json.Unmarshal(body, &eb) != nil {
		return "", "", "", false, false
	}
	switch {
	case eb.Error != nil:
		code, msg, gateway = ncpapi.Code(eb.Error.ErrorCode), eb.Error.Message, true
	case len(eb.Code) > 0 && string(eb.Code) != "null":
		code, msg = ncpapi.Code(eb.Code), eb.Message
		var parts, names []string
		for _, fe := range eb.Errors {
			if fe.Field != "" {
				parts = append(parts, fe.Field+": "+fe.Message)
				names = append(names, ncpapi.Message(fe.Field))
			}
		}
		if len(parts) > 0 {
			msg += " (" + strings.Join(parts, "; ") + ")"
			fields = ncpapi.Message(strings.Join(names, ", "))
		}
	default:
		return "", "", "", false, false
	}
	return code, ncpapi.Message(msg), fields, gateway, true
}
