// Package e2e holds the end-to-end tests of the operator paths: the
// Temporal UI in a headless browser and the temporal CLI. Run
// e2e/setup.sh first (scripts/test.sh does) to install chromium and
// playwright-core; the test runs it itself when they are missing.
package e2e
