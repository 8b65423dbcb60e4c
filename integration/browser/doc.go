// Package browser drives the operators' dashboard in a real headless
// Chromium (Debian's chromium package) through chromedp, against the real
// server built by app/wire on an SQLite file: sign in, search a customer,
// allot a series, see an overlap refused, delete the series, sign out. Each
// step saves a screenshot under integration/artifacts/browser/. Without
// Chromium the test skips, except under CI=true, where it fails.
package browser
