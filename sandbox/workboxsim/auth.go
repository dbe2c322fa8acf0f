package workboxsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
)

// maxSkewMs is the gateway's tolerance: 5 minutes or more apart is invalid.
const maxSkewMs = 5 * 60 * 1000

// signV1 is the API Gateway v1 signature: Base64(HmacSHA256(secret,
// "METHOD uri\ntimestamp\n[apiKey\n]accessKey")). An empty apiKey gives the
// SDK variant, which leaves the line out.
func signV1(secret, method, uri, timestamp, apiKey, accessKey string) string {
	m := hmac.New(sha256.New, []byte(secret))
	msg := method + " " + uri + "\n" + timestamp + "\n"
	if apiKey != "" {
		msg += apiKey + "\n"
	}
	m.Write([]byte(msg + accessKey))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// authenticate checks the gateway headers and returns why they fail, or ""
// when they pass. The reason is for the log only: like the gateway, the
// client just gets 401 "Authentication Failed". No secret is ever logged.
func (s *Sim) authenticate(r *http.Request, skewMs int64) string {
	h := r.Header
	accessKey := h.Get("x-ncp-iam-access-key")
	apiKey := h.Get("x-ncp-apigw-api-key")
	ts := h.Get("x-ncp-apigw-timestamp")
	sig := h.Get("x-ncp-apigw-signature-v1")
	switch {
	case accessKey == "":
		return "missing x-ncp-iam-access-key"
	case accessKey != s.cfg.AccessKey:
		return "unknown access key"
	case apiKey != s.cfg.APIKey:
		return "missing or wrong x-ncp-apigw-api-key"
	case sig == "":
		return "missing x-ncp-apigw-signature-v1"
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "x-ncp-apigw-timestamp is not epoch milliseconds"
	}
	if d := s.now().UnixMilli() + skewMs - ms; d >= maxSkewMs || d <= -maxSkewMs {
		return "x-ncp-apigw-timestamp is 5 minutes or more off (ms expected)"
	}
	// The gateway signs the request target as sent: escaped path + query.
	uri := r.RequestURI
	if uri == "" || uri[0] != '/' {
		uri = r.URL.RequestURI()
	}
	if s.cfg.SignatureV1 != SignatureSDK &&
		hmac.Equal([]byte(sig), []byte(signV1(s.cfg.SecretKey, r.Method, uri, ts, apiKey, accessKey))) {
		return ""
	}
	if s.cfg.SignatureV1 != SignatureAPIKey &&
		hmac.Equal([]byte(sig), []byte(signV1(s.cfg.SecretKey, r.Method, uri, ts, "", accessKey))) {
		return ""
	}
	return "signature mismatch (variant " + variantName(s.cfg.SignatureV1) + ", signed " + r.Method + " " + uri + ")"
}

func variantName(v string) string {
	if v == SignatureAny {
		return "apikey or sdk"
	}
	return v
}
