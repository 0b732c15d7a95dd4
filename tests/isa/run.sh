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
#   isa-cases: a=N b=M    run the program once per case, with the case name
#                         as argv[1], expecting exit status N, M, ... (a
#                         program that dies of a signal); each case is
#                         reported as isa/<name>-<case>
#   isa-mvm-args: <args>  arguments given to the program under mvm only; the
#                         program then makes extra checks that qemu-user cannot
#                         pass (it has no exact instret), so outputs are not
#                         compared for that test
#   isa-qemu-errata: <case>
#                         a hand-worked case that qemu-riscv64 is known to get
#                         wrong (one line per case, with the reason next to
#                         the case in the source).  The spec is the authority:
#                         mvm must pass the case; qemu may fail it; the line is
#                         left out of the output comparison.
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

# summary <file>: the final "# N ok, M failed" line of a run, or nothing
summary() {
	grep '^# [0-9]* ok, [0-9]* failed$' "$1" | tail -n 1
}

# first_fail <file>: the first failing case of a run
first_fail() {
	grep -m 1 '^FAIL ' "$1" | cut -c 6-
}

# errata_filter <errata file>: drop the lines of listed cases and the summary
errata_filter() {
	awk -v list="$1" '
		BEGIN { while ((getline l < list) > 0) if (l != "") skip[l] = 1 }
		/^# [0-9]+ ok, [0-9]+ failed$/ { next }
		/^(ok|FAIL) / {
			for (c in skip)
				if (index($0, "ok " c " ") == 1 || index($0, "FAIL " c ": ") == 1)
					next
		}
		{ print }'
}

# check <label> <bin> <want_rc> <compare:1|0> <qemu args> <mvm args> <errata>:
# run both, print one PASS/FAIL line
check() {
	label=$1 bin=$2 want_rc=$3 compare=$4 qargs=$5 margs=$6 errata=$7
	out=$OUT/$label
	# shellcheck disable=SC2086  # argument lists are word lists on purpose
	run_limited "$QEMU" "$bin" $qargs >"$out.qemu.out" 2>"$out.qemu.err" </dev/null
	qrc=$?
	# shellcheck disable=SC2086
	run_limited "$MVM" run "$bin" $margs >"$out.mvm.out" 2>"$out.mvm.err" </dev/null
	mrc=$?
	qfails=$(grep '^FAIL ' "$out.qemu.out" | sed 's/^FAIL \(.*\): got .*/\1/')
	if [ "$want_rc" = 0 ] && [ -s "$errata" ] && [ "$qrc" = 1 ] && [ -n "$qfails" ] &&
	   [ -z "$(printf '%s\n' "$qfails" | grep -vxF -f "$errata")" ]; then
		qrc=0	# only the known qemu errata failed
		qclean=1
	else
		qclean=0
	fi
	if [ "$qrc" != "$want_rc" ]; then
		why=$(first_fail "$out.qemu.out")
		echo "FAIL isa/$label: under qemu exit $qrc, want $want_rc${why:+ (first: $why)}"; return
	fi
	if [ "$want_rc" = 0 ] && [ "$qclean" = 0 ] && [ -z "$(summary "$out.qemu.out" | grep ' 0 failed$')" ]; then
		echo "FAIL isa/$label: under qemu no clean summary line"; return
	fi
	if [ "$mrc" != "$want_rc" ]; then
		why=$(first_fail "$out.mvm.out")
		[ -n "$why" ] || why=$(head -n 1 "$out.mvm.err")
		echo "FAIL isa/$label: under mvm exit $mrc, want $want_rc${why:+ (first: $why)}"; return
	fi
	if [ "$want_rc" = 0 ] && [ -z "$(summary "$out.mvm.out" | grep ' 0 failed$')" ]; then
		echo "FAIL isa/$label: under mvm no clean summary line"; return
	fi
	if [ "$compare" = 1 ]; then
		errata_filter "$errata" <"$out.qemu.out" >"$out.qemu.cmp"
		errata_filter "$errata" <"$out.mvm.out" >"$out.mvm.cmp"
		if ! cmp -s "$out.qemu.cmp" "$out.mvm.cmp"; then
			d=$(diff "$out.qemu.cmp" "$out.mvm.cmp" | grep -m 2 '^[<>]' | tr '\n' ' ')
			echo "FAIL isa/$label: output differs from qemu: $d"; return
		fi
	fi
	echo "PASS isa/$label"
}

CFLAGS="-nostdlib -static -mabi=lp64d -Wa,--fatal-warnings -Itests/isa"
lib_ok=1
if ! "$CC" $CFLAGS -march=rv64gc -c -o "$OUT/lib.o" tests/isa/lib.S 2>"$OUT/lib.log"; then
	lib_ok=0
fi

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
	if ! "$CC" $CFLAGS -march="$march" -o "$bin" "$src" "$OUT/lib.o" 2>"$OUT/$n.log"; then
		echo "FAIL isa/$n: build failed: $(grep -m 1 -i error "$OUT/$n.log")"; continue
	fi
	cases=$(header "$src" cases)
	mvm_args=$(header "$src" mvm-args)
	errata=$OUT/$n.errata
	sed -n 's/.*isa-qemu-errata: *\([^*]*[^* ]\).*/\1/p' "$src" >"$errata"
	if [ -n "$cases" ]; then
		for c in $cases; do
			check "$n-${c%%=*}" "$bin" "${c#*=}" 1 "${c%%=*}" "${c%%=*}" "$errata"
		done
	elif [ -n "$mvm_args" ]; then
		check "$n" "$bin" 0 0 "" "$mvm_args" "$errata"
	else
		check "$n" "$bin" 0 1 "" "" "$errata"
	fi
done
exit 0
