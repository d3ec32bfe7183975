#!/usr/bin/env node
// The `enkrypted` command. Committed and executable, so npm can link it at install time before
// `prepare` has built dist/.
import '../dist/cli.js';
