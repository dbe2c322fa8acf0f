// Package app assembles orgsync's parts from the configuration: the
// source, the target and the activities, as the worker and the starter
// need them.
package app

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/orgsync/orgsync/internal/config"
	"github.com/orgsync/orgsync/internal/inputfile"
	"github.com/orgsync/orgsync/internal/knox"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/ncpapi"
	"github.com/orgsync/orgsync/internal/source"
	"github.com/orgsync/orgsync/internal/target"
	"github.com/orgsync/orgsync/internal/throttle"
	"github.com/orgsync/orgsync/internal/workbox"
	"github.com/orgsync/orgsync/internal/workplace"
)

// NewSource builds the configured source.
func NewSource(cfg config.Config) (source.Source, error) {
	switch cfg.Source {
	case "knox":
		c, err := knox.New(knox.Config{BaseURL: cfg.KnoxURL, SystemID: cfg.KnoxSystemID, CompanyCode: cfg.KnoxCompanyCode})
		if err != nil {
			return nil, fmt.Errorf("ORGSYNC_KNOX_URL: %w", err)
		}
		return &source.Knox{Client: c, EmployeeKey: cfg.EmployeeKey, PositionField: cfg.PositionField, Parallel: 4}, nil
	case "file":
		f, err := source.NewFile(cfg.FileDir)
		if err != nil {
			return nil, fmt.Errorf("ORGSYNC_FILE_DIR: %w", err)
		}
		f.Limits = FileLimits(cfg)
		return f, nil
	}
	return nil, fmt.Errorf("ORGSYNC_SOURCE: %q is not supported by this build", cfg.Source)
}

// FileLimits are the configured caps on the files people hand to orgsync
// (HR exports, key sheets).
func FileLimits(cfg config.Config) inputfile.Limits {
	return inputfile.Limits{MaxBytes: cfg.FileMaxBytes, MaxRows: cfg.FileMaxRows}
}

// Observe receives the outcome of every target request (for metrics).
type Observe func(kind model.Kind, method string, status int, d time.Duration)

// NewTarget builds the configured target client, with a limiter of its
// own that starts low (or at ORGSYNC_TARGET_RPS) and adapts.
func NewTarget(cfg config.Config, observe Observe) (target.Client, error) {
	return newTarget(cfg, observe, throttle.New(throttle.Config{Max: cfg.TargetRPS}))
}

// newTarget builds the target client whose requests wait for lim.
func newTarget(cfg config.Config, observe Observe, lim *throttle.Limiter) (target.Client, error) {
	switch cfg.Target {
	case "workbox":
		return workbox.New(workbox.Config{Account: ncpapi.Account{
			BaseURL: cfg.WorkboxURL, CompanyID: cfg.CompanyID, AccessKey: cfg.AccessKey.Reveal(),
			SecretKey: cfg.SecretKey.Reveal(), RateLimit: cfg.TargetRPS, Limiter: lim, Observe: observe,
		}, APIKey: cfg.APIKey.Reveal(), SignatureV1: cfg.SignatureV1})
	case "workplace":
		return workplace.New(workplace.Config{Account: ncpapi.Account{
			BaseURL: cfg.WorkplaceURL, CompanyID: cfg.CompanyID, AccessKey: cfg.AccessKey.Reveal(),
			SecretKey: cfg.SecretKey.Reveal(), RateLimit: cfg.TargetRPS, Limiter: lim, Observe: observe,
		}})
	}
	return nil, fmt.Errorf("ORGSYNC_TARGET: %q is not supported by this build", cfg.Target)
}

// Logger is the JSON logger of the worker and the starter.
func Logger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
