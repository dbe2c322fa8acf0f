package ncpauth

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Vectors of the API Gateway documents (docs/protocol.md, "Sources").
const (
	tSecret    = "TESTSECRETKEY"
	tTS        = int64(1505290625682)
	tAccessKey = "D78BB444D6D3C84CA38D"
	tAPIKey    = "DUxjP4HYTP8V7khBkgywdDHQjKuaYWGrppHKpvdv"
	tV2Path    = "/organization/apigw/v2/company/c1798784-9a47-4751-ab9f-b9629825ab93/department?offset=0&limit=10"
	tV1Path    = "/workbox/workbox/openapi/v1/organization/company/578c7009-bdad-4493-9835-72302cf988c6/job-grade/0000001"
)

func TestVectors(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"v2", SignV2("GET", tV2Path, tTS, tAccessKey, tSecret), "f1OGLdZXIriuY6JG4x/TYHupxEcJq4nQ3vlBR/eBUwQ="},
		{"v1 apikey", SignV1(V1APIKey, "POST", tV1Path, tTS, tAPIKey, tAccessKey, tSecret), "uMFHu/e0b6tZNrGliqqfRewyTqrtWInJ6ZyVGO1x0qs="},
		{"v1 sdk", SignV1(V1SDK, "POST", tV1Path, tTS, tAPIKey, tAccessKey, tSecret), "6R3VO5BMq4Yd/UY1VljpdnZ9WK7sNyHVDW9/gTJS6oI="},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestSignerHeaders(t *testing.T) {
	clock := func() time.Time { return time.UnixMilli(tTS) }
	tests := []struct {
		name           string
		s              *Signer
		method, url    string
		sigHeader, sig string
		wantAPIKey     string
		absentSig      string
	}{
		{"v1 apikey", NewV1(tAccessKey, tSecret, tAPIKey, ""), "POST", "https://workbox.apigw.ntruss.com" + tV1Path,
			HeaderSignatureV1, "uMFHu/e0b6tZNrGliqqfRewyTqrtWInJ6ZyVGO1x0qs=", tAPIKey, HeaderSignatureV2},
		{"v1 sdk", NewV1(tAccessKey, tSecret, tAPIKey, V1SDK), "POST", "https://workbox.apigw.ntruss.com" + tV1Path,
			HeaderSignatureV1, "6R3VO5BMq4Yd/UY1VljpdnZ9WK7sNyHVDW9/gTJS6oI=", tAPIKey, HeaderSignatureV2},
		{"v2 with query", NewV2(tAccessKey, tSecret), "GET", "https://workplace.apigw.ntruss.com" + tV2Path,
			HeaderSignatureV2, "f1OGLdZXIriuY6JG4x/TYHupxEcJq4nQ3vlBR/eBUwQ=", "", HeaderSignatureV1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Now = clock
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			tt.s.Sign(req)
			h := req.Header
			if got := h.Get(HeaderTimestamp); got != "1505290625682" {
				t.Errorf("timestamp %q", got)
			}
			if got := h.Get(HeaderAccessKey); got != tAccessKey {
				t.Errorf("access key %q", got)
			}
			if got := h.Get(HeaderAPIKey); got != tt.wantAPIKey {
				t.Errorf("api key %q, want %q", got, tt.wantAPIKey)
			}
			if got := h.Get(tt.sigHeader); got != tt.sig {
				t.Errorf("%s = %q, want %q", tt.sigHeader, got, tt.sig)
			}
			if h.Get(tt.absentSig) != "" {
				t.Errorf("%s must not be set", tt.absentSig)
			}
		})
	}
}

func TestParseV1Variant(t *testing.T) {
	for in, want := range map[string]V1Variant{"": V1APIKey, "apikey": V1APIKey, "sdk": V1SDK} {
		if got, ok := ParseV1Variant(in); !ok || got != want {
			t.Errorf("ParseV1Variant(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseV1Variant("v2"); ok {
		t.Error("ParseV1Variant(v2) accepted")
	}
}

func TestSignerRedacts(t *testing.T) {
	s := NewV1(tAccessKey, tSecret, tAPIKey, V1APIKey)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "signer", s, "value", *s)
	outs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v", *s), fmt.Sprintf("%+v", s), fmt.Sprintf("%+v", *s),
		fmt.Sprintf("%#v", s), fmt.Sprintf("%#v", *s), s.String(), logged.String(),
		fmt.Sprintf("%v", struct{ S *Signer }{s}), fmt.Sprintf("%+v", struct{ S Signer }{*s}),
		fmt.Sprintf("%+v", struct{ s Signer }{*s}), fmt.Sprintf("%#v", struct{ s Signer }{*s}),
	}
	for _, out := range outs {
		if strings.Contains(out, tSecret) || strings.Contains(out, tAPIKey) {
			t.Errorf("credential leaked: %s", out)
		}
	}
	if !strings.Contains(s.String(), "[redacted]") || !strings.Contains(s.String(), tAccessKey) {
		t.Errorf("String() = %s", s)
	}
}
