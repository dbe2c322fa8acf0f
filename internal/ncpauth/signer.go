package ncpauth

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Header names of the API Gateway.
const (
	HeaderTimestamp   = "x-ncp-apigw-timestamp"
	HeaderAccessKey   = "x-ncp-iam-access-key"
	HeaderAPIKey      = "x-ncp-apigw-api-key"
	HeaderSignatureV1 = "x-ncp-apigw-signature-v1"
	HeaderSignatureV2 = "x-ncp-apigw-signature-v2"
)

// Version is the signature version a product expects.
type Version string

const (
	V1 Version = "v1" // WORKBOX, WORKPLACE v1: needs the API key as well
	V2 Version = "v2" // WORKPLACE v2, most IAM APIs
)

// Signer sets the authentication headers on a request. The secret key is
// unexported and String/GoString/LogValue redact it, so a Signer (or a struct
// holding one) can be logged or printed with %v / %+v / %#v safely.
type Signer struct {
	AccessKey string
	Version   Version
	Variant   V1Variant // v1 only; "" means V1APIKey
	// Now is the clock of the timestamp (nil = time.Now). Tests skew it to
	// check the gateway's 5-minute window.
	Now func() time.Time

	// The credentials are behind pointers so that even a Signer printed as
	// an unexported field of another struct (where fmt cannot call String)
	// shows addresses, not the keys. apiKey is sent as x-ncp-apigw-api-key
	// when set and signed by V1APIKey.
	secretKey, apiKey *string
}

// NewV1 returns a v1 signer.
func NewV1(accessKey, secretKey, apiKey string, variant V1Variant) *Signer {
	return &Signer{AccessKey: accessKey, Version: V1, Variant: variant, secretKey: &secretKey, apiKey: &apiKey}
}

// NewV2 returns a v2 signer.
func NewV2(accessKey, secretKey string) *Signer {
	return &Signer{AccessKey: accessKey, Version: V2, secretKey: &secretKey, apiKey: new(string)}
}

// Sign sets x-ncp-apigw-timestamp, x-ncp-iam-access-key, the API key (when
// set) and the signature. The signed path is req.URL.RequestURI(): the full
// path as sent (gateway prefix included) plus the query.
func (s *Signer) Sign(req *http.Request) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := now().UnixMilli()
	uri := req.URL.RequestURI()
	secret, apiKey := deref(s.secretKey), deref(s.apiKey)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderAccessKey, s.AccessKey)
	if apiKey != "" {
		req.Header.Set(HeaderAPIKey, apiKey)
	}
	if s.Version == V2 {
		req.Header.Set(HeaderSignatureV2, SignV2(req.Method, uri, ts, s.AccessKey, secret))
		return
	}
	req.Header.Set(HeaderSignatureV1, SignV1(s.Variant, req.Method, uri, ts, apiKey, s.AccessKey, secret))
}

// String prints the signer without its secret (and without the API key,
// which is a credential too). Value receivers, so that printing a Signer
// value does not fall back to dumping the unexported secret.
func (s Signer) String() string {
	v := string(s.Version)
	if s.Version != V2 {
		variant := s.Variant
		if variant == "" {
			variant = V1APIKey
		}
		v += "/" + string(variant)
	}
	return fmt.Sprintf("ncpauth.Signer{version:%s accessKey:%s secretKey:[redacted] apiKey:%s}", v, s.AccessKey, Redact(deref(s.apiKey)))
}

// GoString keeps %#v from dumping the fields.
func (s Signer) GoString() string { return s.String() }

// LogValue keeps slog from dumping the fields.
func (s Signer) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Redact is what a printout shows of a credential: "[redacted]", or ""
// when it is not set (so a missing key still shows).
func Redact(v string) string {
	if v == "" {
		return ""
	}
	return "[redacted]"
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
