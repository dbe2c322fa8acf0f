package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/orgsync/orgsync/internal/config"
)

// Where the Temporal connection comes from when nothing names it.
const (
	DefaultTemporalAddress   = "127.0.0.1:7233"
	DefaultTemporalNamespace = "default"
)

// TemporalClientOptions are the client settings every orgsync process
// uses (the bench's no-op baseline too). The connection is read the way
// the `temporal` CLI reads it (go.temporal.io/sdk/contrib/envconfig): the
// temporal.toml profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), then
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
// TEMPORAL_GRPC_META_*. ORGSYNC_TEMPORAL_ADDRESS and
// ORGSYNC_TEMPORAL_NAMESPACE, when set, win over both: they are the more
// specific setting, and installations that used them keep working
// unchanged. A certificate, key or CA that cannot be used is an error
// naming the setting it came from; nothing secret is in any error.
func TemporalClientOptions(cfg config.Config, log *slog.Logger) (client.Options, error) {
	src := profileSource()
	prof, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{})
	if err != nil {
		return client.Options{}, fmt.Errorf("Temporal client configuration (%s): %w", src.where(), err)
	}
	if prof.TLS != nil && !prof.TLS.Disabled {
		if err := checkTLS(prof.TLS); err != nil {
			return client.Options{}, err
		}
	}
	opts, err := prof.ToClientOptions(envconfig.ToClientOptionsRequest{})
	if err != nil { // checkTLS has named the usual causes; this is the rest
		return client.Options{}, fmt.Errorf("Temporal TLS settings (TEMPORAL_TLS_* or %s): %w", src.where(), err)
	}
	if cfg.TemporalAddress != "" {
		opts.HostPort = cfg.TemporalAddress
	}
	if cfg.TemporalNamespace != "" {
		opts.Namespace = cfg.TemporalNamespace
	}
	if opts.HostPort == "" {
		opts.HostPort = DefaultTemporalAddress
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultTemporalNamespace
	}
	opts.Logger = tlog.NewStructuredLogger(log)
	// Payloads are ids and counts, a few hundred bytes. Gzip, the SDK's
	// default, took about 8% of the worker's CPU (and the server's to undo
	// it) to save next to nothing.
	opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	return opts, nil
}

// MaxActivities caps the activities one worker runs at once.
const MaxActivities = 500

// ResolveTemporal returns cfg with the address and namespace the client
// actually uses, so that logs, errors and namespace calls name them.
func ResolveTemporal(cfg config.Config, opts client.Options) config.Config {
	cfg.TemporalAddress, cfg.TemporalNamespace = opts.HostPort, opts.Namespace
	return cfg
}

// DescribeTemporal says where a client connects and how it authenticates,
// for start-up logs and connection errors (no secret in it).
func DescribeTemporal(opts client.Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Temporal %s namespace %s", opts.HostPort, opts.Namespace)
	switch t := opts.ConnectionOptions.TLS; {
	case t == nil || opts.ConnectionOptions.TLSDisabled:
		b.WriteString(", plaintext")
	case len(t.Certificates) > 0:
		b.WriteString(", TLS with client certificate (" + setting("TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_CERT_DATA", "tls.client_cert_path") + ")")
	default:
		b.WriteString(", TLS")
	}
	if opts.Credentials != nil {
		b.WriteString(", API key (" + setting("TEMPORAL_API_KEY", "", "api_key") + ")")
	}
	return b.String()
}

// setting names where a value came from: one of two variables, else the
// temporal.toml profile's key.
func setting(env, envData, key string) string {
	for _, e := range []string{env, envData} {
		if e != "" {
			if _, ok := os.LookupEnv(e); ok {
				return e
			}
		}
	}
	return key + " of " + profileSource().where()
}

type profileFile struct{ file, profile string }

func profileSource() profileFile {
	s := profileFile{file: os.Getenv("TEMPORAL_CONFIG_FILE"), profile: os.Getenv("TEMPORAL_PROFILE")}
	if s.file == "" {
		s.file = envconfig.DefaultConfigFilePath()
	}
	if s.profile == "" {
		s.profile = envconfig.DefaultConfigFileProfile
	}
	return s
}

func (s profileFile) where() string { return fmt.Sprintf("profile %q of %s", s.profile, s.file) }

// checkTLS loads the certificate, key and CA once, so that an unusable one
// stops start-up with the name of its setting. Errors name files and
// settings, never their contents.
func checkTLS(t *envconfig.ClientConfigTLS) error {
	certName := setting("TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_CERT_DATA", "tls.client_cert_path")
	keyName := setting("TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_CLIENT_KEY_DATA", "tls.client_key_path")
	caName := setting("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "TEMPORAL_TLS_SERVER_CA_CERT_DATA", "tls.server_ca_cert_path")
	read := func(name, path string, data []byte) ([]byte, error) {
		if len(data) > 0 || path == "" {
			return data, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read %s: %w", name, path, unwrapPath(err))
		}
		return b, nil
	}
	cert, err := read(certName, t.ClientCertPath, t.ClientCertData)
	if err != nil {
		return err
	}
	key, err := read(keyName, t.ClientKeyPath, t.ClientKeyData)
	if err != nil {
		return err
	}
	switch {
	case len(cert) > 0 && len(key) == 0:
		return fmt.Errorf("%s is set but no client key (TEMPORAL_TLS_CLIENT_KEY_PATH) is", certName)
	case len(key) > 0 && len(cert) == 0:
		return fmt.Errorf("%s is set but no client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH) is", keyName)
	case len(cert) > 0:
		if _, err := tls.X509KeyPair(cert, key); err != nil {
			return fmt.Errorf("%s and %s: not a usable certificate and key pair: %v", certName, keyName, err)
		}
	}
	ca, err := read(caName, t.ServerCACertPath, t.ServerCACertData)
	if err != nil {
		return err
	}
	if len(ca) > 0 && !x509.NewCertPool().AppendCertsFromPEM(ca) {
		return fmt.Errorf("%s: no PEM certificate in it", caName)
	}
	return nil
}

// unwrapPath drops the path os.ReadFile repeats ("open /x: no such file").
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// StopTimeout is how long a stopping worker lets running activities
// finish: nine tenths of ORGSYNC_SHUTDOWN_TIMEOUT. The last tenth reports
// the ones cut off (so Temporal retries them at once, not after a
// heartbeat timeout) and closes the connections.
func StopTimeout(cfg config.Config) time.Duration { return cfg.ShutdownTimeout * 9 / 10 }

// TemporalWorkerOptions are the worker settings every orgsync worker uses
// (the bench's no-op baseline too, so P1 compares like with like).
func TemporalWorkerOptions() worker.Options {
	return worker.Options{
		// The window is bounded by the workflow; this only caps one
		// worker's share so a small machine is not swamped. (orgsync's
		// worker replaces it with slots that follow the target's rate,
		// Slots, with the same cap.)
		MaxConcurrentActivityExecutionSize: MaxActivities,
		// A fan-out of short activities is poll-bound with the default two
		// pollers; more pollers keep the window full.
		MaxConcurrentActivityTaskPollers: 8,
		MaxConcurrentWorkflowTaskPollers: 4,
	}
}
