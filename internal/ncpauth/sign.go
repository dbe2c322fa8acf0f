// Package ncpauth signs requests for the NAVER Cloud Platform API Gateway
// (docs/protocol.md gives the strings to sign). Two v1 conventions exist in
// the wild, so the v1 string to sign is a choice of V1Variant.
package ncpauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
)

// V1Variant selects the string to sign of signature v1.
type V1Variant string

const (
	// V1APIKey is the legacy API-Gateway-product form:
	// "METHOD path?query\nts\napiKey\naccessKey".
	V1APIKey V1Variant = "apikey"
	// V1SDK is what the official SDKs send as v1: the v2 string, no API key.
	V1SDK V1Variant = "sdk"
)

// ParseV1Variant accepts "apikey", "sdk" and "" (= V1APIKey, the likelier
// form for WORKBOX, which documents the API-key header).
func ParseV1Variant(s string) (V1Variant, bool) {
	switch V1Variant(s) {
	case "", V1APIKey:
		return V1APIKey, true
	case V1SDK:
		return V1SDK, true
	}
	return "", false
}

// SignV2 returns Base64(HmacSHA256(secret, "METHOD path?query\nts\naccessKey")).
func SignV2(method, pathWithQuery string, timestampMs int64, accessKey, secret string) string {
	return mac(secret, method+" "+pathWithQuery+"\n"+strconv.FormatInt(timestampMs, 10)+"\n"+accessKey)
}

// SignV1 returns the v1 signature in the given variant. apiKey is ignored by
// V1SDK.
func SignV1(variant V1Variant, method, pathWithQuery string, timestampMs int64, apiKey, accessKey, secret string) string {
	if variant == V1SDK {
		return SignV2(method, pathWithQuery, timestampMs, accessKey, secret)
	}
	return mac(secret, method+" "+pathWithQuery+"\n"+strconv.FormatInt(timestampMs, 10)+"\n"+apiKey+"\n"+accessKey)
}

func mac(secret, msg string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
