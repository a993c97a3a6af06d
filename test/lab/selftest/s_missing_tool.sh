#!/bin/bash
# selftest: a tool that make deps should have installed is missing: a failure, not a skip.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_cmd uplinkd-selftest-no-such-tool
plan 1
ok "never reached"
