#!/bin/bash
# selftest: one check that says SKIP: counted as skipped, never passed; fails with CI set.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
plan 2
ok "a real check"
ok "# SKIP deliberately skipped check"
