package workplacesim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgsync/orgsync/sandbox/gatewaysim"
	"github.com/orgsync/orgsync/sandbox/targetsim"
)

// A v2 reference vector computed from the published string-to-sign: a GET of
// the department list, query string signed.
const (
	vecSecret = "TESTSECRETKEY"
	vecTS     = "1505290625682"
	vecAccess = "D78BB444D6D3C84CA38D"
	vecCID    = "c1798784-9a47-4751-ab9f-b9629825ab93"
	vecURI    = "/organization/apigw/v2/company/c1798784-9a47-4751-ab9f-b9629825ab93/department?offset=0&limit=10"
	vecSig    = "f1OGLdZXIriuY6JG4x/TYHupxEcJq4nQ3vlBR/eBUwQ="
)

func TestSignV2Vector(t *testing.T) {
	if got := gatewaysim.SignV2(vecSecret, "GET", vecURI, vecTS, vecAccess); got != vecSig {
		t.Fatalf("SignV2 = %s, want %s", got, vecSig)
	}
}

func TestVerifierVector(t *testing.T) {
	for _, tc := range []struct {
		sig   string
		skew  time.Duration
		want  int
		notes string
	}{
		{vecSig, time.Second, http.StatusOK, "good"},
		{vecSig, 5 * time.Minute, http.StatusUnauthorized, "clock 5 min ahead"},
		{vecSig, -5 * time.Minute, http.StatusUnauthorized, "clock 5 min behind"},
		{vecSig, 4*time.Minute + 59*time.Second, http.StatusOK, "just inside"},
		{"AAAA" + vecSig[4:], time.Second, http.StatusUnauthorized, "bad signature"},
		{"", time.Second, http.StatusUnauthorized, "no signature"},
	} {
		s := New(Config{CompanyID: vecCID, AccessKey: vecAccess, SecretKey: vecSecret,
			Now: func() time.Time { return time.UnixMilli(1505290625682).Add(tc.skew) }})
		h := http.StripPrefix("/organization/apigw/v2", s)
		r := httptest.NewRequest(http.MethodGet, vecURI, nil)
		r.Header.Set("x-ncp-apigw-timestamp", vecTS)
		r.Header.Set("x-ncp-iam-access-key", vecAccess)
		if tc.sig != "" {
			r.Header.Set("x-ncp-apigw-signature-v2", tc.sig)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: status %d, want %d (%s)", tc.notes, w.Code, tc.want, w.Body)
		}
		if tc.want == http.StatusOK && !strings.Contains(w.Body.String(), `"elements":[]`) {
			t.Errorf("%s: body %s", tc.notes, w.Body)
		}
		if tc.want == http.StatusUnauthorized && !strings.Contains(w.Body.String(), `"errorCode":"200"`) {
			t.Errorf("%s: body %s", tc.notes, w.Body)
		}
	}
}

// Hand edits keep the usage counts right: a removed department can be
// re-created and its members still guard its deletion.
func TestHandEdits(t *testing.T) {
	s := New(Config{CompanyID: "c"})
	if err := s.Put(ResDept, "D1", []byte(`{"name":"본부","dispOrd":"1"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ResEmp, "E1", []byte(`{"loginId":"a","emailAddress":"a@x.com","name":"가","deptExternalKey":"D1","employYmd":"2000-01-01"}`)); err != nil {
		t.Fatal(err)
	}
	st := s.State()
	if st.Depts["D1"].ParentDeptExternalKey != "#" || st.Depts["D1"].DeptExternalKey != "D1" || st.Employees["E1"].ConcurrentDeptExternalKeys == nil {
		t.Fatalf("state %+v", st)
	}
	if err := s.Remove(ResDept, "D1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ResDept, "D1"); err == nil {
		t.Fatal("second remove succeeded")
	}
	bad := s.t.Write(http.MethodPost, targetsim.Dept, "D1", []byte(`{"name":"본부","deptExternalKey":"D1","parentDeptExternalKey":"#","dispOrd":"1"}`))
	if bad == nil {
		bad = s.t.Write(http.MethodDelete, targetsim.Dept, "D1", nil)
	}
	if bad != errHasMembers {
		t.Fatalf("re-created department should still have its member: %v", bad)
	}
	if err := s.Put("user", "X", []byte(`{}`)); err == nil {
		t.Fatal("unknown resource accepted")
	}
	if err := s.Put(ResGrade, "G", []byte(`[`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
