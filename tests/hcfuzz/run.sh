#!/bin/sh
# Hypercall-sequence fuzzer: a hostile guest (tests/hcfuzz/hcfuzz.c) runs a
# random but reproducible program of hypercalls over several VMs of its
# own (creating, mapping, writing, reading, granting, loading, running and
# destroying them, with bad handles, pointers, sizes and flags mixed in),
# checks every result against a model of what it did, and runs copies of
# itself one and two levels down. See the comment at the top of hcfuzz.c
# for what is fuzzed and which invariants are checked; child.c is the
# program it runs in its VMs.
#
# Each run gets a fresh scratch directory: g/ (granted read-write as /g),
# g/ro/ (granted read-only as /g/ro, holding the two guest programs), g/sub/,
# and canary/, which is granted to nobody. A run passes when the fuzzer
# prints its "ok seed S" line and exits 0, stderr holds no sanitizer report,
# the monitor did not die, and canary/ and g/ro/ are byte for byte and mode
# for mode what they were before (a find -printf + sha256sum listing).
#
# Tests (one line each):
#   hcfuzz/seedN/d1             seed N at depth 1
#   hcfuzz/seedN/lowered-d2     seed N under one nested monitor, lowered
#   hcfuzz/seedN/trusted-d2     the same in trusted mode
#   hcfuzz/chain/d1             copies of the fuzzer nested until VM_CREATE
#                               gives ELOOP at depth 32 (MVM_MAX_DEPTH)
#   hcfuzz/chain/lowered-d2     the same, starting under a nested monitor
#   hcfuzz/chain/trusted-d2
#
# Reproducing a failure: the FAIL line names the seed and mode; the run's
# files are under build/tests/hcfuzz/runs/<name>/ (out, err with the last
# steps, cmd with the exact command line). Add -v to the fuzzer's
# arguments in cmd to trace every step on stderr.
#
# Longer runs: HCFUZZ_SEEDS is a count (seeds 1..N) or a list ("7 19 23"),
# default 16; HCFUZZ_STEPS the steps per seed at depth 1 (default 500);
# HCFUZZ_D2_SEEDS the same for depth 2 in each mode (default 5), at
# HCFUZZ_D2_STEPS steps (default 300); HCFUZZ_CHAIN=0 leaves out the
# chains. HCFUZZ_TIMEOUT limits each run (seconds, default 300). A run of
# the defaults takes about 20 s (a sanitizer build about twice that).
# Example: HCFUZZ_SEEDS=300 HCFUZZ_D2_SEEDS=50 tests/hcfuzz/run.sh
#
# Usage: tests/hcfuzz/run.sh      MVM=path overrides build/mvm (mvm.rv64,
#                                 for depth 2, is taken from beside it)
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
case "$MVM" in /*) ;; *) MVM=$PWD/$MVM ;; esac
OUT=$PWD/build/tests/hcfuzz
SEEDS=${HCFUZZ_SEEDS:-24}
STEPS=${HCFUZZ_STEPS:-600}
D2_SEEDS=${HCFUZZ_D2_SEEDS:-6}
D2_STEPS=${HCFUZZ_D2_STEPS:-400}
CHAIN=${HCFUZZ_CHAIN:-1}
TIMEOUT=${HCFUZZ_TIMEOUT:-300}
# Caps on the whole tree: far above what a run needs, so reaching one is a
# failure to look at (the monitor must enforce them, not the fuzzer).
MEM_CAP=1G
BUDGET_CAP=40000000000
CC=riscv64-linux-gnu-gcc

# A count N means seeds 1..N.
seed_list() {
	case "$1" in
	*[!0-9]*) echo "$1" ;;
	*) seq 1 "$1" | tr '\n' ' ' ;;
	esac
}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "SKIP hcfuzz/build: $CC not installed (Debian package gcc-riscv64-linux-gnu)"
	exit 0
fi
mkdir -p "$OUT/bin" "$OUT/runs" || exit 2
for p in hcfuzz:hcfuzz.c hcfuzz-child:child.c; do
	if ! $CC -static -O2 -Wall -Itests -Iinclude -o "$OUT/bin/${p%%:*}" "tests/hcfuzz/${p#*:}" >"$OUT/build.log" 2>&1; then
		echo "FAIL hcfuzz/build: ${p#*:}: $(head -c 300 "$OUT/build.log" | tr '\n' ' ')"
		exit 0
	fi
done
if [ ! -x "$MVM" ]; then
	echo "FAIL hcfuzz/build: $MVM not found (make)"
	exit 0
fi

# What must not change: names, types, modes, sizes, link targets, contents.
snapshot() {
	(cd "$1" && find canary g/ro -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
		find canary g/ro -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# run NAME [mvm options...] -- [fuzzer arguments...]
run() {
	name=$1
	shift
	dir=$OUT/runs/$(echo "$name" | tr / -)
	rm -rf "$dir"
	mkdir -p "$dir/g/ro" "$dir/g/sub" "$dir/canary" || return
	cp "$OUT/bin/hcfuzz" "$OUT/bin/hcfuzz-child" "$dir/g/ro/"
	echo "read-only data" >"$dir/g/ro/data.txt"
	echo "nobody may read this" >"$dir/canary/secret"
	chmod 600 "$dir/canary/secret"
	echo "sub" >"$dir/g/sub/keep"
	snapshot "$dir" >"$dir/before"
	mvm_opts=""
	while [ "$1" != "--" ]; do
		mvm_opts="$mvm_opts $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	set -- "$MVM" run --mem $MEM_CAP --budget $BUDGET_CAP $mvm_opts \
		--dir "$dir/g:/g" --dir "$dir/g/ro:/g/ro:ro" "$OUT/bin/hcfuzz" "$@" \
		--rw /g --bin /g/ro --canary "$dir/canary"
	echo "$*" >"$dir/cmd"
	timeout "$TIMEOUT" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	snapshot "$dir" >"$dir/after"
	why=""
	if [ $rc = 124 ] && ! grep -q "^mvm: instruction budget" "$dir/err"; then
		why="timed out after ${TIMEOUT}s"
	elif grep -q -e AddressSanitizer -e "runtime error" -e LeakSanitizer "$dir/err"; then
		why="sanitizer report: $(grep -m1 -e AddressSanitizer -e "runtime error" -e LeakSanitizer "$dir/err" | cut -c1-200)"
	elif [ $rc -ge 128 ] && ! grep -q "^mvm: " "$dir/err"; then
		why="the monitor died (exit $rc, signal $((rc - 128))): $(tail -n 2 "$dir/err" | tr '\n' ' ' | cut -c1-200)"
	elif ! cmp -s "$dir/before" "$dir/after"; then
		why="canary/ or g/ro/ changed: $(diff "$dir/before" "$dir/after" | grep '^[<>]' | head -n 3 | tr '\n' ' ' | cut -c1-240)"
	elif [ $rc != 0 ] || ! grep -q "^ok " "$dir/out"; then
		fl=$(grep -m1 "FAIL" "$dir/out")
		why="exit $rc: ${fl:-$(grep "^mvm: " "$dir/err" | tail -n 1)}"
		[ -n "$fl$(grep "^mvm: " "$dir/err")" ] || why="$why $(tail -n 1 "$dir/err" | cut -c1-200)"
	fi
	if [ -z "$why" ]; then
		echo "PASS hcfuzz/$name"
	else
		echo "FAIL hcfuzz/$name: $why (files: ${dir#"$PWD"/})"
	fi
}

for s in $(seed_list "$SEEDS"); do
	run "seed$s/d1" -- "$s" "$STEPS" --depth 1
done

[ "$CHAIN" = 0 ] || run "chain/d1" -- --chain 40 --depth 1

if [ -f "$(dirname "$MVM")/mvm.rv64" ] || [ -n "${MVM_IMAGE:-}" ]; then
	for s in $(seed_list "$D2_SEEDS"); do
		run "seed$s/lowered-d2" --depth 2 --nest-mode=lowered -- "$s" "$D2_STEPS" --depth 2 --slack 0
		# trusted: system calls go to the monitor, hypercalls to the real
		# environment, which holds the fuzzer's own handle table
		run "seed$s/trusted-d2" --depth 2 --nest-mode=trusted -- "$s" "$D2_STEPS" --depth 2 --slack 0
	done
	if [ "$CHAIN" != 0 ]; then
		run "chain/lowered-d2" --depth 2 --nest-mode=lowered -- --chain 40 --depth 2
		run "chain/trusted-d2" --depth 2 --nest-mode=trusted -- --chain 40 --depth 2
	fi
else
	echo "SKIP hcfuzz/d2: no mvm.rv64 beside $MVM (make rv64)"
fi
