package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgsync/orgsync/internal/config"
)

func (e *env) purgeCmd() *cobra.Command {
	var olderThan string
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Remove the records and target messages of runs older than ORGSYNC_RETENTION (counts and outcomes stay)",
		Long: "Remove the personal data of runs that ended before the retention period: their source snapshot,\n" +
			"and the payload, pre-image and target message of each plan item. Runs, reports and each item's key,\n" +
			"operation, status, code and field stay. Mappings (what the target holds now) are never touched.\n" +
			"The worker does the same after every run; this command does it on demand.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := e.config()
			if err != nil {
				return err
			}
			if olderThan == "" {
				olderThan = cfg.Retention
			}
			keep, err := config.ParseRetention(olderThan)
			if err != nil {
				return usageErr(fmt.Errorf("--older-than: %w", err))
			}
			if keep == 0 {
				return usageErr(fmt.Errorf("retention is 0 (keep for ever): nothing to purge; give --older-than"))
			}
			st, err := e.db(c.Context())
			if err != nil {
				return err
			}
			cutoff := time.Now().Add(-keep)
			p, err := st.Purge(c.Context(), cutoff, dryRun)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(e.out).Encode(p)
			}
			verb := "purged"
			if dryRun {
				verb = "would purge (dry run)"
			}
			e.printf("%s %d runs that ended before %s: %d plan items cleared, %d snapshot rows deleted\n",
				verb, p.Runs, cutoff.Local().Format(time.RFC3339), p.Items, p.SnapshotRows)
			return nil
		},
	}
	cmd.Flags().StringVar(&olderThan, "older-than", "", "retention period, e.g. 90d or 720h (default ORGSYNC_RETENTION)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "count only, remove nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}
