package workboxsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
)

// Reference vectors of the v1 signature, computed from the published
// string-to-sign (docs/protocol.md), with and without the API-key line.
const (
	vecSecret    = "TESTSECRETKEY"
	vecTimestamp = "1505290625682"
	vecAccess    = "D78BB444D6D3C84CA38D"
	vecAPIKey    = "DUxjP4HYTP8V7khBkgywdDHQjKuaYWGrppHKpvdv"
	vecCompany   = "578c7009-bdad-4493-9835-72302cf988c6"
	vecURI       = "/workbox/workbox/openapi/v1/organization/company/578c7009-bdad-4493-9835-72302cf988c6/job-grade/0000001"
	vecWithKey   = "uMFHu/e0b6tZNrGliqqfRewyTqrtWInJ6ZyVGO1x0qs="
	vecSDK       = "6R3VO5BMq4Yd/UY1VljpdnZ9WK7sNyHVDW9/gTJS6oI="
)

// hmacB64 is the test's own signer, independent of gatewaysim.SignV1.
func hmacB64(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSignatureVectors(t *testing.T) {
	withKey := hmacB64(vecSecret, "POST "+vecURI+"\n"+vecTimestamp+"\n"+vecAPIKey+"\n"+vecAccess)
	sdk := hmacB64(vecSecret, "POST "+vecURI+"\n"+vecTimestamp+"\n"+vecAccess)
	if withKey != vecWithKey || sdk != vecSDK {
		t.Fatalf("reference vectors do not reproduce: %s %s", withKey, sdk)
	}
	if got := gatewaysim.SignV1(vecSecret, "POST", vecURI, vecTimestamp, vecAPIKey, vecAccess); got != vecWithKey {
		t.Errorf("SignV1 apikey variant = %s, want %s", got, vecWithKey)
	}
	if got := gatewaysim.SignV1(vecSecret, "POST", vecURI, vecTimestamp, "", vecAccess); got != vecSDK {
		t.Errorf("SignV1 sdk variant = %s, want %s", got, vecSDK)
	}
}

// TestVerifierVectors sends the reference request to a stand-in whose
// clock is pinned to the vector's timestamp.
func TestVerifierVectors(t *testing.T) {
	for _, tc := range []struct {
		mode, sig string
		want      int
	}{
		{SignatureAny, vecWithKey, http.StatusCreated},
		{SignatureAny, vecSDK, http.StatusCreated},
		{SignatureAPIKey, vecWithKey, http.StatusCreated},
		{SignatureAPIKey, vecSDK, http.StatusUnauthorized},
		{SignatureSDK, vecSDK, http.StatusCreated},
		{SignatureSDK, vecWithKey, http.StatusUnauthorized},
		{SignatureAny, "AAAA" + vecSDK[4:], http.StatusUnauthorized},
	} {
		s := New(Config{
			CompanyID: vecCompany, AccessKey: vecAccess, SecretKey: vecSecret, APIKey: vecAPIKey,
			SignatureV1: tc.mode, Now: func() time.Time { return time.UnixMilli(1505290625682 + 1000) },
		})
		h := http.StripPrefix("/workbox/workbox/openapi/v1", s)
		r := httptest.NewRequest(http.MethodPost, vecURI, strings.NewReader(`{"name":"사원","sortOrd":1}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("x-ncp-apigw-timestamp", vecTimestamp)
		r.Header.Set("x-ncp-iam-access-key", vecAccess)
		r.Header.Set("x-ncp-apigw-api-key", vecAPIKey)
		r.Header.Set("x-ncp-apigw-signature-v1", tc.sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("mode %q sig %s: status %d, want %d (%s)", tc.mode, tc.sig, w.Code, tc.want, w.Body)
		}
	}
}

func TestKeyShareStable(t *testing.T) {
	a, b := KeyShare(ResUser, "E1"), KeyShare(ResUser, "E1")
	if a != b || a < 0 || a >= 1 {
		t.Fatalf("KeyShare not stable or out of range: %v %v", a, b)
	}
	if KeyShare(ResUser, "E1") == KeyShare(ResDept, "E1") {
		t.Errorf("resource should be part of the hash")
	}
}
