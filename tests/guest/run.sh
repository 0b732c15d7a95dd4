#!/bin/sh
# Guest corpus suite: ordinary C programs (stdio, malloc, libm and fenv,
# setjmp, sorting, hashing, clocks, stdin, argv/env/auxv, files, strings,
# integer edge cases, bit tricks, exit codes, stderr, self-modifying code),
# each built with glibc and with picolibc (and some with clang) by sdk/mvm-cc
# and run under qemu-riscv64 and under $MVM; a test passes when both runs
# give identical stdout, stderr and exit status. See lib.sh for the details
# and the per-program settings.
#
# Usage: tests/guest/run.sh [name[.variant]...]   MVM=path overrides build/mvm
#        tests/guest/run.sh --build                only build every program
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
MVM=${MVM:-build/mvm}

missing=""
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || missing="$missing riscv64-linux-gnu-gcc"
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || missing="$missing riscv64-unknown-elf-gcc"
command -v "$GUEST_QEMU" >/dev/null 2>&1 || missing="$missing $GUEST_QEMU"

tests=""
if [ "$#" -gt 0 ] && [ "$1" != --build ]; then
	for t in "$@"; do
		case "$t" in
		*.*) tests="$tests $t" ;;
		*) for v in $(guest_variants "$t"); do tests="$tests $t.$v"; done ;;
		esac
	done
else
	for n in $(guest_names); do
		for v in $(guest_variants "$n"); do tests="$tests $n.$v"; done
	done
fi

if [ -n "$missing" ]; then
	for t in $tests; do echo "SKIP guest/$t: not installed:$missing (scripts/deps)"; done
	exit 0
fi

if [ "$1" = --build ]; then
	rc=0
	for t in $tests; do
		guest_build "${t%.*}" "${t##*.}" || {
			echo "build failed: $t (see $GUEST_OUT/${t##*.}/${t%.*}.log)" >&2; rc=1; }
	done
	exit "$rc"
fi

guest_results_begin "$GUEST_OUT/results"
for t in $tests; do
	if [ ! -x "$MVM" ]; then
		echo "FAIL guest/$t: monitor $MVM not built"
		continue
	fi
	guest_test "${t%.*}" "${t##*.}" "guest/$t" "$MVM"
done
guest_results_end
exit 0
