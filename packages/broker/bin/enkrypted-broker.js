#!/usr/bin/env -S node --max-semi-space-size=1
// The `enkrypted-broker` command. Committed and executable, so npm can link it at install time
// before `prepare` has built dist/. The flag caps V8's young generation at 1 MiB per semi-space:
// the broker holds many small long-lived objects and allocates little per frame, and a grown
// nursery (16 MiB by default) only adds resident memory (≈2.5 KiB per idle connection at 10,000).
import '../dist/cli.js';
