package workplacesim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
)

// maxSkewMs is the gateway's tolerance: 5 minutes or more apart is invalid.
const maxSkewMs = 5 * 60 * 1000

// signV2 is the API Gateway v2 signature: Base64(HmacSHA256(secret,
// "METHOD uri\ntimestamp\naccessKey")), uri with its query string.
func signV2(secret, method, uri, timestamp, accessKey string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + " " + uri + "\n" + timestamp + "\n" + accessKey))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// authenticate checks the v2 gateway headers and returns why they fail,
// or "" when they pass. The reason goes to the log only; the client gets
// 401 "Authentication Failed", as from the gateway.
func (s *Sim) authenticate(r *http.Request, skewMs int64) string {
	h := r.Header
	accessKey := h.Get("x-ncp-iam-access-key")
	ts := h.Get("x-ncp-apigw-timestamp")
	sig := h.Get("x-ncp-apigw-signature-v2")
	switch {
	case accessKey == "":
		return "missing x-ncp-iam-access-key"
	case accessKey != s.cfg.AccessKey:
		return "unknown access key"
	case sig == "":
		return "missing x-ncp-apigw-signature-v2"
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "x-ncp-apigw-timestamp is not epoch milliseconds"
	}
	if d := s.now().UnixMilli() + skewMs - ms; d >= maxSkewMs || d <= -maxSkewMs {
		return "x-ncp-apigw-timestamp is 5 minutes or more off (ms expected)"
	}
	uri := r.RequestURI
	if uri == "" || uri[0] != '/' {
		uri = r.URL.RequestURI()
	}
	if hmac.Equal([]byte(sig), []byte(signV2(s.cfg.SecretKey, r.Method, uri, ts, accessKey))) {
		return ""
	}
	return "signature mismatch (v2, signed " + r.Method + " " + uri + ")"
}
