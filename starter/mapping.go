package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgsync/orgsync/internal/app"
	"github.com/orgsync/orgsync/internal/keysheet"
	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/store"
)

func (e *env) mappingCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mapping",
		Short: "Exchange the External Key sheet (.xlsx) with the WORKBOX console",
	}
	var out string
	var force bool
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the source's keys and names as an .xlsx, one sheet per kind",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			src, err := e.readSource(c.Context())
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := keysheet.Write(&buf, src); err != nil {
				return fmt.Errorf("write the sheet: %w", err)
			}
			if err := writePrivate(out, buf.Bytes(), force); err != nil {
				return err
			}
			var counts []string
			for _, sh := range keysheet.Sheets {
				counts = append(counts, fmt.Sprintf("%s %d", sh.Name, len(src[sh.Kind])))
			}
			e.printf("wrote %s: %s\n", out, strings.Join(counts, ", "))
			return nil
		},
	}
	export.Flags().StringVarP(&out, "output", "o", "orgsync-external-keys.xlsx", "file to write")
	export.Flags().BoolVar(&force, "force", false, "replace the file if it exists")

	imp := &cobra.Command{
		Use:   "import FILE.xlsx",
		Short: "Load the rows marked Mapped (items WORKBOX already has under that External Key) into the mapping table",
		Long: "Load an administrator's filled sheet into the mappings table. A row counts when it has an External Key\n" +
			"and, if the sheet has a \"Mapped (Y)\" column, Y in it. The next sync then plans an update (never a\n" +
			"create) for each imported key. Keys orgsync already maps are left as they are.",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			cfg, err := e.company()
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, err := keysheet.Read(filepath.Base(args[0]), f, app.FileLimits(cfg))
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			st, err := e.db(ctx)
			if err != nil {
				return err
			}
			ms := make([]store.Mapping, len(rows))
			byKind := map[model.Kind]int{}
			for i, r := range rows {
				ms[i] = store.Mapping{Kind: r.Kind, State: r.Entity()}
				byKind[r.Kind]++
			}
			inserted, kept, err := st.ImportMappings(ctx, cfg.Target, cfg.CompanyID, ms)
			if err != nil {
				return err
			}
			var counts []string
			for _, k := range model.Kinds {
				counts = append(counts, fmt.Sprintf("%s %d", k, byKind[k]))
			}
			e.printf("imported %d mappings into %s company %s (%s); %d already mapped were kept\n",
				inserted, cfg.Target, cfg.CompanyID, strings.Join(counts, ", "), kept)
			return nil
		},
	}
	cmd.AddCommand(export, imp)
	return cmd
}

// readSource reads every valid record of the configured source by kind.
func (e *env) readSource(ctx context.Context) (map[model.Kind][]model.Entity, error) {
	cfg, err := e.selected()
	if err != nil {
		return nil, err
	}
	src, err := app.NewSource(cfg)
	if err != nil {
		return nil, err
	}
	out := map[model.Kind][]model.Entity{}
	loaded := map[model.Kind]bool{}
	for _, k := range model.Kinds {
		if loaded[k] {
			continue
		}
		for _, l := range src.Loads(k) {
			loaded[l] = true
		}
		err := src.Fetch(ctx, k, func(e model.Entity, fe *model.FieldError) error {
			if fe == nil {
				out[e.Kind] = append(out[e.Kind], e)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read %s from %s: %w", k, cfg.Source, err)
		}
	}
	return out, nil
}

// writePrivate writes an export holding personal data (names, e-mails)
// readable by its owner only, and never over an existing file unless
// force is set.
func writePrivate(path string, b []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: give another --output, or --force to replace it", path)
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // a replaced file keeps its mode otherwise
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
