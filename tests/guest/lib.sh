# lib.sh — shell helpers of the test suites (sourced, with the repository
# root as the current directory): the corpus tests of tests/guest/run.sh
# and tests/cross/run.sh, and the setup that suites printing their own
# PASS/FAIL lines share (suite_*, at the end).
#
# A corpus program is tests/guest/<name>.c. Comment lines in it configure
# its test (all optional):
#   guest-variants: glibc picolibc clang   builds to test (default: glibc picolibc)
#   guest-args: ARG...                     program arguments (no quoting)
#   guest-env: K=V...                      the program's whole environment
#   guest-stdin: FILE                      stdin, relative to tests/guest
#                                          (default /dev/null)
#   guest-cflags: FLAGS                    extra compiler flags, e.g. -lm
#   guest-dir: yes                         the first argument is a fresh empty
#                                          directory, seen at the same path by
#                                          both runs (mvm maps it with --dir)
#   guest-exit: N                          the exit status the program must
#                                          have under qemu-riscv64 (default 0)
#   guest-stderr: ignore                   do not compare stderr (for programs
#                                          killed by a signal, where each
#                                          emulator prints its own message)
#
# Each variant is built with sdk/mvm-cc into build/tests/guest/<variant>/;
# both runs' output is kept in $GUEST_RESULTS/<label>.{qemu,mvm}.{out,err}
# (guest_results_begin/end give each run its own directory, so two runs at
# once do not mix their outputs; the last run's is left in "results").
# A test runs the binary under qemu-riscv64 (the oracle) and under the
# monitor with the same arguments, environment and stdin, and passes when
# stdout, stderr and the exit status are identical, the qemu run exited as
# guest-exit says, and the qemu run printed no "BAD" line (see check.h).

GUEST_SRC=tests/guest
GUEST_OUT=build/tests/guest
GUEST_QEMU=${QEMU_RISCV64:-qemu-riscv64}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-120}

guest_results_begin() {
	final=$1
	GUEST_RESULTS=$final.$$
	rm -rf "$GUEST_RESULTS"
	mkdir -p "$GUEST_RESULTS"
}

guest_results_end() {
	rm -rf "$final"
	mv "$GUEST_RESULTS" "$final"
}

# guest_header FILE KEY: the value of a "guest-KEY:" comment line, if any.
guest_header() {
	sed -n "s/^[ /*#]*guest-$2: *\\(.*[^ ]\\) *\$/\\1/p" "$1" | head -n 1
}

guest_names() {
	for f in "$GUEST_SRC"/*.c; do
		basename "$f" .c
	done
}

guest_variants() {
	v=$(guest_header "$GUEST_SRC/$1.c" variants)
	echo "${v:-glibc picolibc}"
}

# guest_build NAME VARIANT: builds (if stale) and prints nothing; on failure
# leaves the compiler's messages in $GUEST_OUT/VARIANT/NAME.log, returns 1.
guest_build() {
	src=$GUEST_SRC/$1.c
	dir=$GUEST_OUT/$2
	bin=$dir/$1
	mkdir -p "$dir" || return 1
	stale=0
	for dep in "$src" "$GUEST_SRC/check.h" sdk/mvm-cc sdk/picolibc/linux.c \
		sdk/picolibc/start.S sdk/picolibc/linux.ld; do
		[ "$bin" -nt "$dep" ] || stale=1
	done
	[ "$stale" = 0 ] && return 0
	case "$2" in
	glibc) opts="--libc=glibc" ;;
	picolibc) opts="--libc=picolibc" ;;
	clang) opts="--cc=clang" ;;
	*) echo "unknown variant $2" >"$bin.log"; return 1 ;;
	esac
	# shellcheck disable=SC2046,SC2086
	# Build under a private name and rename, so that a concurrent run
	# never sees a half-written binary.
	if sdk/mvm-cc $opts -Wall -Wextra -I"$GUEST_SRC" -o "$bin.$$.tmp" "$src" \
		$(guest_header "$src" cflags) >"$bin.log" 2>&1; then
		mv -f "$bin.$$.tmp" "$bin"
	else
		rm -f "$bin.$$.tmp"
		return 1
	fi
}

guest_limited() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$GUEST_TIMEOUT" "$@"
	else
		"$@"
	fi
}

# guest_first_diff A B: a short description of where files A and B differ.
guest_first_diff() {
	line=$(cmp "$1" "$2" 2>/dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')
	if [ -z "$line" ]; then
		if [ ! -s "$1" ] || [ ! -s "$2" ]; then
			echo "one side empty ($(wc -c <"$1") vs $(wc -c <"$2") bytes)"
		else
			echo "one is a prefix of the other ($(wc -c <"$1") vs $(wc -c <"$2") bytes)"
		fi
		return
	fi
	a=$(sed -n "${line}p" "$1" | cut -c1-60)
	b=$(sed -n "${line}p" "$2" | cut -c1-60)
	echo "line $line: qemu '$a' vs mvm '$b'"
}

# guest_test NAME VARIANT LABEL MVMCMD...: runs one test and prints its
# PASS/FAIL line. MVMCMD is the command that starts the monitor (for
# example "build/mvm" or "qemu-aarch64 build/aarch64/mvm").
guest_test() {
	name=$1 variant=$2 label=$3
	shift 3
	src=$GUEST_SRC/$name.c
	bin=$GUEST_OUT/$variant/$name
	res=$GUEST_RESULTS/$label
	mkdir -p "$(dirname "$res")"
	if ! guest_build "$name" "$variant"; then
		echo "FAIL $label: build failed: $(grep -m1 -i 'error' "$bin.log" | cut -c1-120)"
		return
	fi
	args=$(guest_header "$src" args)
	envs=$(guest_header "$src" env)
	stdin=$(guest_header "$src" stdin)
	want_exit=$(guest_header "$src" exit)
	want_exit=${want_exit:-0}
	if [ -n "$stdin" ]; then stdin=$GUEST_SRC/$stdin; else stdin=/dev/null; fi
	mvm_opts=""
	for e in $envs; do mvm_opts="$mvm_opts --env $e"; done
	tmpdir=""
	if [ "$(guest_header "$src" dir)" = yes ]; then
		tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/mvm-guest.XXXXXX") || {
			echo "FAIL $label: cannot create a temporary directory"; return; }
		mvm_opts="$mvm_opts --dir $tmpdir:$tmpdir"
		args="$tmpdir $args"
	fi

	qemu=$(command -v "$GUEST_QEMU")
	# shellcheck disable=SC2086
	guest_limited env -i $envs "$qemu" "$bin" $args \
		<"$stdin" >"$res.qemu.out" 2>"$res.qemu.err"
	qrc=$?
	if [ -n "$tmpdir" ]; then
		rm -rf "$tmpdir" && mkdir "$tmpdir"
	fi
	# shellcheck disable=SC2086
	guest_limited "$@" run $mvm_opts "$bin" $args \
		<"$stdin" >"$res.mvm.out" 2>"$res.mvm.err"
	mrc=$?
	[ -n "$tmpdir" ] && rm -rf "$tmpdir"

	if [ "$qrc" != "$want_exit" ]; then
		echo "FAIL $label: under qemu-riscv64 it exited $qrc, the test expects $want_exit"
	elif grep -q '^BAD' "$res.qemu.out"; then
		echo "FAIL $label: under qemu-riscv64: $(grep -m1 '^BAD' "$res.qemu.out")"
	elif [ "$mrc" = 124 ] && [ "$qrc" != 124 ]; then
		echo "FAIL $label: mvm timed out or ran out of budget (exit 124)"
	elif ! cmp -s "$res.qemu.out" "$res.mvm.out"; then
		echo "FAIL $label: stdout differs, $(guest_first_diff "$res.qemu.out" "$res.mvm.out") (exit qemu $qrc, mvm $mrc)"
	elif [ "$(guest_header "$src" stderr)" != ignore ] &&
		! cmp -s "$res.qemu.err" "$res.mvm.err"; then
		echo "FAIL $label: stderr differs, $(guest_first_diff "$res.qemu.err" "$res.mvm.err") (exit qemu $qrc, mvm $mrc)"
	elif [ "$qrc" != "$mrc" ]; then
		echo "FAIL $label: exit status qemu $qrc, mvm $mrc"
	else
		echo "PASS $label"
	fi
}

# ---- suites that print their own lines

# suite_begin NAME: the settings the helpers below use. SUITE is NAME (its
# tests' names begin with it), MVM the monitor (build/mvm unless set),
# OUT build/tests/NAME (made here), CC the riscv64 compiler, QEMU
# qemu-riscv64 (or QEMU_RISCV64).
suite_begin() {
	SUITE=$1
	MVM=${MVM:-build/mvm}
	OUT=build/tests/$1
	CC=riscv64-linux-gnu-gcc
	# shellcheck disable=SC2034 # (the suites' own)
	QEMU=${QEMU_RISCV64:-qemu-riscv64}
	mkdir -p "$OUT" || exit 2
}

# pass TEST, fail TEST WHY: TEST's line.
pass() { echo "PASS $SUITE/$1"; }
fail() { echo "FAIL $SUITE/$1: $2"; }

# suite_needs TOOL...: the suite ends here with a SKIP line unless every
# TOOL is installed (a machine without them is not a failure).
suite_needs() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || { echo "SKIP $SUITE: not installed: $tool (scripts/deps)"; exit 0; }
	done
}

# suite_needs_manifests: the suite ends here with a SKIP line if $MVM
# cannot read fleet manifests (built without libyaml).
suite_needs_manifests() {
	printf 'vms: [{name: a, program: /nonexistent}]\n' >"$OUT/probe.yaml"
	if "$MVM" fleet "$OUT/probe.yaml" 2>&1 | grep -q "cannot read manifests"; then
		echo "SKIP $SUITE: $("$MVM" fleet "$OUT/probe.yaml" 2>&1 | head -n 1)"
		exit 0
	fi
}

# suite_build NAME SRC: builds $OUT/NAME, a static guest, from SRC if it
# is stale; if that fails, a FAIL line ($OUT/NAME.log says why) and the
# suite ends here (every test would fail for the same reason).
suite_build() {
	if ! [ "$OUT/$1" -nt "$2" ]; then
		$CC -static -O2 -Wall -Wextra -o "$OUT/$1" "$2" 2>"$OUT/$1.log" ||
			{ fail build "$1 (see $OUT/$1.log)"; exit 0; }
	fi
}
