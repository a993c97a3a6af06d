#!/bin/bash
# selftest: a scenario that skips itself: counted as skipped, never passed; fails with CI set.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
skip_all "deliberately skipped by the harness self-test"
