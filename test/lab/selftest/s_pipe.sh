#!/bin/bash
# selftest: a command that fails inside a pipe must fail the scenario (pipefail), at top level
# and inside a check.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
plan 2
check "a failing command piped into cat" eval 'false | cat'
false | cat
ok "never reached"
