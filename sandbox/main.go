// Command sandbox runs the Knox and WORKBOX stand-ins on one loopback
// address so orgsync can be exercised end to end without the real systems:
//
//	go run ./sandbox
//
// Configuration comes from the same ORGSYNC_* variables as the worker
// (see sandbox/server.Config).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/orgsync/orgsync/sandbox/server"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run() error {
	cfgs, err := server.GroupConfigFromEnv()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", cfgs[0].Addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	var servers []*server.Server
	for _, cfg := range cfgs {
		cfg.Logger = log
		start := time.Now()
		servers = append(servers, server.New(cfg))
		// Where to point the worker. Access key and ids are not secret; the
		// secret key and the API key are never printed.
		fmt.Printf("orgsync sandbox, company %s (generated %d employees / %d departments, seed %d, in %s)\n",
			cfg.KnoxCompanyCode, cfg.Employees, cfg.Departments, cfg.Seed, time.Since(start).Round(time.Millisecond))
		fmt.Printf("  Knox     %s%s   (System-ID %s, companyCode %s)\n", base, server.KnoxPrefix, cfg.KnoxSystemID, cfg.KnoxCompanyCode)
		fmt.Printf("  WORKBOX  %s%s   (company %s, access key %s, signature v1 %s)\n",
			base, server.WorkboxPrefix, cfg.CompanyID, cfg.AccessKey, variant(cfg.SignatureV1))
		fmt.Printf("  WORKPLACE %s%s   (company %s, signature v2)\n", base, server.WorkplacePrefix, cfg.CompanyID)
	}
	fmt.Printf("  admin    %s%s%s\n", base, server.AdminPrefix, map[bool]string{true: "   (?company=<Knox code> picks the company)"}[len(cfgs) > 1])

	var srv http.Handler = servers[0]
	if len(servers) > 1 {
		srv = server.NewGroup(servers...)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func variant(v string) string {
	if v == "" {
		return "apikey or sdk"
	}
	return v
}
