package gatewaysim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
)

// maxSkewMs is the gateway's tolerance: 5 minutes or more apart is invalid.
const maxSkewMs = 5 * 60 * 1000

// Signature versions.
const (
	V1 = "v1" // x-ncp-apigw-signature-v1, with the API key header
	V2 = "v2" // x-ncp-apigw-signature-v2
)

// Variants of the v1 string to sign (ORGSYNC_SIGNATURE_V1).
const (
	V1Any    = ""       // accept both
	V1APIKey = "apikey" // METHOD uri\nts\napiKey\naccessKey
	V1SDK    = "sdk"    // METHOD uri\nts\naccessKey
)

// Verifier holds what the gateway accepts. The stand-in signs with its own
// code, independent of internal/ncpauth, so that a client bug is caught.
type Verifier struct {
	Version   string // V1 or V2
	AccessKey string
	SecretKey string
	APIKey    string // v1: must equal x-ncp-apigw-api-key
	V1Variant string // v1: V1Any, V1APIKey or V1SDK
}

// SignV1 is the API Gateway v1 signature: Base64(HmacSHA256(secret,
// "METHOD uri\ntimestamp\n[apiKey\n]accessKey")). An empty apiKey gives the
// SDK variant, which leaves the line out.
func SignV1(secret, method, uri, timestamp, apiKey, accessKey string) string {
	m := hmac.New(sha256.New, []byte(secret))
	msg := method + " " + uri + "\n" + timestamp + "\n"
	if apiKey != "" {
		msg += apiKey + "\n"
	}
	m.Write([]byte(msg + accessKey))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignV2 is the API Gateway v2 signature: Base64(HmacSHA256(secret,
// "METHOD uri\ntimestamp\naccessKey")), uri with its query string.
func SignV2(secret, method, uri, timestamp, accessKey string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + " " + uri + "\n" + timestamp + "\n" + accessKey))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Check checks the gateway headers of r against the clock nowMs (epoch
// milliseconds, skew included) and returns why they fail, or "" when they
// pass. The reason is for the log only: like the gateway, the client just
// gets 401 "Authentication Failed". No secret is ever in it.
func (v *Verifier) Check(r *http.Request, nowMs int64) string {
	h := r.Header
	sigHeader := "x-ncp-apigw-signature-" + v.Version
	accessKey := h.Get("x-ncp-iam-access-key")
	apiKey := h.Get("x-ncp-apigw-api-key")
	ts := h.Get("x-ncp-apigw-timestamp")
	sig := h.Get(sigHeader)
	switch {
	case accessKey == "":
		return "missing x-ncp-iam-access-key"
	case accessKey != v.AccessKey:
		return "unknown access key"
	case v.Version == V1 && apiKey != v.APIKey:
		return "missing or wrong x-ncp-apigw-api-key"
	case sig == "":
		return "missing " + sigHeader
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "x-ncp-apigw-timestamp is not epoch milliseconds"
	}
	if d := nowMs - ms; d >= maxSkewMs || d <= -maxSkewMs {
		return "x-ncp-apigw-timestamp is 5 minutes or more off (ms expected)"
	}
	// The gateway signs the request target as sent: escaped path + query.
	uri := r.RequestURI
	if uri == "" || uri[0] != '/' {
		uri = r.URL.RequestURI()
	}
	if v.Version == V2 {
		if hmac.Equal([]byte(sig), []byte(SignV2(v.SecretKey, r.Method, uri, ts, accessKey))) {
			return ""
		}
		return "signature mismatch (v2, signed " + r.Method + " " + uri + ")"
	}
	if v.V1Variant != V1SDK &&
		hmac.Equal([]byte(sig), []byte(SignV1(v.SecretKey, r.Method, uri, ts, apiKey, accessKey))) {
		return ""
	}
	if v.V1Variant != V1APIKey &&
		hmac.Equal([]byte(sig), []byte(SignV1(v.SecretKey, r.Method, uri, ts, "", accessKey))) {
		return ""
	}
	variant := v.V1Variant
	if variant == V1Any {
		variant = "apikey or sdk"
	}
	return "signature mismatch (variant " + variant + ", signed " + r.Method + " " + uri + ")"
}
