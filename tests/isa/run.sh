#!/bin/sh
# ISA conformance suite: RV64GC (+ Zba/Zbb/Zbs) programs written from the
# RISC-V unprivileged specification.
#
# Each tests/isa/<name>.S is a static, libc-free program that checks its
# results against expectations written in its source and prints one line per
# case.  A test passes only if
#   1. under qemu-riscv64 it passes its own checks (this validates the
#      hand-worked expectations against an independent implementation),
#   2. under $MVM run it passes its own checks, and
#   3. both runs print the same output and exit with the same status
#      (the output also dumps bulk pseudo-random cases as hex, for which
#      qemu is the oracle).
#
# Optional header lines in a test source:
#   isa-march: <arch>     -march for this file (default rv64gc)
#   isa-exit: <status>    expected exit status (default 0, i.e. no failed case)
#   isa-mvm-args: <args>  arguments given to the program under mvm only; the
#                         program then makes extra checks that qemu-user cannot
#                         pass (it has no exact instret), so outputs are not
#                         compared for that test
#
# Usage: tests/isa/run.sh [name...]     MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
CC=${RISCV_CC:-riscv64-linux-gnu-gcc}
QEMU=${QEMU_RISCV64:-qemu-riscv64}
OUT=build/tests/isa
TIMEOUT=60
mkdir -p "$OUT" || exit 2

names="$*"
if [ -z "$names" ]; then
	for f in tests/isa/*.S; do
		n=$(basename "$f" .S)
		[ "$n" = lib ] || names="$names $n"
	done
fi

missing=""
command -v "$CC" >/dev/null 2>&1 || missing="$CC"
command -v "$QEMU" >/dev/null 2>&1 || missing="$missing $QEMU"
if [ -n "$missing" ]; then
	for n in $names; do echo "SKIP isa/$n: not installed:$missing (scripts/deps)"; done
	exit 0
fi

run_limited() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$TIMEOUT" "$@"
	else
		"$@"
	fi
}

# header <file> <key>: the value of an "isa-<key>:" line, if any
header() {
	sed -n "s/.*isa-$2: *\\([^*]*[^* ]\\).*/\\1/p" "$1" | head -n 1
}

CFLAGS="-nostdlib -static -mabi=lp64d -Wa,--fatal-warnings -Itests/isa"
lib_ok=1
if ! "$CC" $CFLAGS -march=rv64gc -c -o "$OUT/lib.o" tests/isa/lib.S 2>"$OUT/lib.log"; then
	lib_ok=0
fi

# summary <file>: the final "# N ok, M failed" line of a run, or nothing
summary() {
	grep '^# [0-9]* ok, [0-9]* failed$' "$1" | tail -n 1
}

# first_fail <file>: the first failing case of a run
first_fail() {
	grep -m 1 '^FAIL ' "$1" | cut -c 6-
}

for n in $names; do
	src=tests/isa/$n.S
	bin=$OUT/$n
	if [ ! -f "$src" ]; then
		echo "FAIL isa/$n: no such test $src"; continue
	fi
	if [ "$lib_ok" != 1 ]; then
		echo "FAIL isa/$n: lib.S does not build: $(head -n 1 "$OUT/lib.log")"; continue
	fi
	march=$(header "$src" march); [ -n "$march" ] || march=rv64gc
	want_rc=$(header "$src" exit); [ -n "$want_rc" ] || want_rc=0
	mvm_args=$(header "$src" mvm-args)
	if ! "$CC" $CFLAGS -march="$march" -o "$bin" "$src" "$OUT/lib.o" 2>"$OUT/$n.log"; then
		echo "FAIL isa/$n: build failed: $(grep -m 1 -i error "$OUT/$n.log")"; continue
	fi

	run_limited "$QEMU" "$bin" >"$OUT/$n.qemu.out" 2>"$OUT/$n.qemu.err" </dev/null
	qrc=$?
	# shellcheck disable=SC2086  # mvm_args is a word list on purpose
	run_limited "$MVM" run "$bin" $mvm_args >"$OUT/$n.mvm.out" 2>"$OUT/$n.mvm.err" </dev/null
	mrc=$?

	if [ "$qrc" != "$want_rc" ]; then
		why=$(first_fail "$OUT/$n.qemu.out")
		echo "FAIL isa/$n: under qemu exit $qrc, want $want_rc${why:+ (first: $why)}"; continue
	fi
	if [ "$want_rc" = 0 ] && [ -z "$(summary "$OUT/$n.qemu.out" | grep ' 0 failed$')" ]; then
		echo "FAIL isa/$n: under qemu no clean summary line"; continue
	fi
	if [ "$mrc" != "$want_rc" ]; then
		why=$(first_fail "$OUT/$n.mvm.out")
		[ -n "$why" ] || why=$(head -n 1 "$OUT/$n.mvm.err")
		echo "FAIL isa/$n: under mvm exit $mrc, want $want_rc${why:+ (first: $why)}"; continue
	fi
	if [ "$want_rc" = 0 ] && [ -z "$(summary "$OUT/$n.mvm.out" | grep ' 0 failed$')" ]; then
		echo "FAIL isa/$n: under mvm no clean summary line"; continue
	fi
	if [ -z "$mvm_args" ] && ! cmp -s "$OUT/$n.qemu.out" "$OUT/$n.mvm.out"; then
		d=$(diff "$OUT/$n.qemu.out" "$OUT/$n.mvm.out" | grep -m 2 '^[<>]' | tr '\n' ' ')
		echo "FAIL isa/$n: output differs from qemu: $d"; continue
	fi
	echo "PASS isa/$n"
done
exit 0
