#!/bin/bash
# stages.sh STAGE... - run `$MAKE STAGE` for each stage of `make check` in order, stop at the
# first that fails, and print every stage's wall time at the end (also after a failure), so
# a slow CI run says where its minutes went. A stage may carry make arguments after a colon,
# separated by commas: `fuzz:FUZZ_SECONDS=5,-j2`.
set -uo pipefail
MAKE=${MAKE:-make}
declare -a names secs
t_all=$(date +%s)
rc=0
for st in "$@"; do
	target=${st%%:*}
	args=()
	[ "$target" = "$st" ] || IFS=, read -ra args <<<"${st#*:}"
	# under `make -jN check` the sub-makes share its job slots: no -j of their own
	if [[ "${MAKEFLAGS:-}" == *jobserver* ]]; then
		for k in "${!args[@]}"; do [[ "${args[$k]}" != -j* ]] || unset "args[$k]"; done
	fi
	echo "==== make check: $target ${args[*]}"
	t0=$(date +%s)
	$MAKE "${args[@]}" "$target"
	rc=$?
	names+=("$target")
	secs+=($(($(date +%s) - t0)))
	[ "$rc" -eq 0 ] || break
done
echo "==== make check: wall time per stage"
for i in "${!names[@]}"; do
	printf '#   %-14s %5d s\n' "${names[$i]}" "${secs[$i]}"
done
printf '#   %-14s %5d s%s\n' total $(($(date +%s) - t_all)) \
	"$([ "$rc" -eq 0 ] || echo " (stopped: ${names[-1]} failed)")"
exit "$rc"
