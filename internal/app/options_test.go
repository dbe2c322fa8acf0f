package app_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/testenv"
)

// isolate clears the TEMPORAL_* variables and points TEMPORAL_CONFIG_FILE
// at file, so the test sees neither the machine's environment nor the
// developer's own temporal.toml.
func isolate(t *testing.T, file string) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TEMPORAL_") && k != "TEMPORAL_CLI_PATH" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("TEMPORAL_CONFIG_FILE", file)
}

// Which setting wins: ORGSYNC_TEMPORAL_* when set, then TEMPORAL_*, then
// the temporal.toml profile, then the defaults.
func TestTemporalSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	toml := filepath.Join(dir, "temporal.toml")
	if err := os.WriteFile(toml, []byte(`
[profile.default]
address = "profile-default:7233"
namespace = "from-profile"

[profile.cloud]
address = "acme.tmprl.cloud:7233"
namespace = "acme.a1b2c"
api_key = "profile-key"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name          string
		file          string
		env           map[string]string
		cfg           config.Config
		addr, ns      string
		apiKey, tlsOn bool
	}{
		{name: "nothing set", file: filepath.Join(dir, "absent.toml"), addr: "127.0.0.1:7233", ns: "default"},
		{name: "profile", file: toml, addr: "profile-default:7233", ns: "from-profile"},
		{name: "named profile with an API key turns TLS on", file: toml, env: map[string]string{"TEMPORAL_PROFILE": "cloud"},
			addr: "acme.tmprl.cloud:7233", ns: "acme.a1b2c", apiKey: true, tlsOn: true},
		{name: "TEMPORAL_* over the profile", file: toml, env: map[string]string{"TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_NAMESPACE": "env-ns"},
			addr: "env:7233", ns: "env-ns"},
		{name: "ORGSYNC_TEMPORAL_* over both", file: toml, env: map[string]string{"TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_NAMESPACE": "env-ns"},
			cfg: config.Config{TemporalAddress: "orgsync:7233", TemporalNamespace: "orgsync-ns"}, addr: "orgsync:7233", ns: "orgsync-ns"},
		{name: "TLS off by TEMPORAL_TLS=false", file: toml, env: map[string]string{"TEMPORAL_PROFILE": "cloud", "TEMPORAL_TLS": "false"},
			addr: "acme.tmprl.cloud:7233", ns: "acme.a1b2c", apiKey: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t, tc.file)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			opts, err := app.TemporalClientOptions(tc.cfg, log)
			if err != nil {
				t.Fatal(err)
			}
			tlsOn := opts.ConnectionOptions.TLS != nil && !opts.ConnectionOptions.TLSDisabled
			if opts.HostPort != tc.addr || opts.Namespace != tc.ns || (opts.Credentials != nil) != tc.apiKey || tlsOn != tc.tlsOn {
				t.Fatalf("got %s %s, API key %v, TLS %v; want %s %s, %v, %v", opts.HostPort, opts.Namespace,
					opts.Credentials != nil, tlsOn, tc.addr, tc.ns, tc.apiKey, tc.tlsOn)
			}
			if d := app.DescribeTemporal(opts); strings.Contains(d, "profile-key") {
				t.Fatalf("the API key is in %q", d)
			}
		})
	}
}

// An unusable certificate, key or CA stops start-up with one line naming
// the setting, and no file's contents.
func TestTemporalTLSErrorsNameTheSetting(t *testing.T) {
	ca := testenv.NewCA(t, "unit")
	cert, key := ca.Issue(t, "client", false)
	otherCert, _ := testenv.NewCA(t, "other").Issue(t, "client", false)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("SECRET-BYTES not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing certificate file", map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": missing, "TEMPORAL_TLS_CLIENT_KEY_PATH": key},
			"TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read " + missing + ": no such file or directory"},
		{"key without certificate", map[string]string{"TEMPORAL_TLS_CLIENT_KEY_PATH": key},
			"TEMPORAL_TLS_CLIENT_KEY_PATH is set but no client certificate"},
		{"key of another certificate", map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": otherCert, "TEMPORAL_TLS_CLIENT_KEY_PATH": key},
			"TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: not a usable certificate and key pair"},
		{"CA file without a certificate", map[string]string{"TEMPORAL_TLS_CLIENT_CERT_PATH": cert, "TEMPORAL_TLS_CLIENT_KEY_PATH": key,
			"TEMPORAL_TLS_SERVER_CA_CERT_PATH": garbage}, "TEMPORAL_TLS_SERVER_CA_CERT_PATH: no PEM certificate in it"},
		{"certificate data that is not PEM", map[string]string{"TEMPORAL_TLS_CLIENT_CERT_DATA": "SECRET-BYTES", "TEMPORAL_TLS_CLIENT_KEY_PATH": key},
			"TEMPORAL_TLS_CLIENT_CERT_DATA and TEMPORAL_TLS_CLIENT_KEY_PATH: not a usable certificate and key pair"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t, missing)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := app.TemporalClientOptions(config.Config{}, slog.New(slog.DiscardHandler))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "SECRET-BYTES") {
				t.Fatalf("got %q, want one line starting %q and no file contents", msg, tc.want)
			}
		})
	}
	// A good pair and CA pass.
	isolate(t, missing)
	t.Setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", cert)
	t.Setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", key)
	t.Setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", ca.CAPath)
	opts, err := app.TemporalClientOptions(config.Config{}, slog.New(slog.DiscardHandler))
	if err != nil || opts.ConnectionOptions.TLS == nil || len(opts.ConnectionOptions.TLS.Certificates) != 1 {
		t.Fatalf("a good certificate, key and CA: %v", err)
	}
}
