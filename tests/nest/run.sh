#!/usr/bin/env bash
# Nesting suite: the monitor running inside itself must not change what a
# program sees. Each test runs one guest program at depths 1, 2 and 3
# (`mvm run --depth N`: the program runs inside N-1 nested copies of the
# monitor's own RV64 build) in every nesting mode listed in NEST_MODES, and
# compares stdout, stderr and the exit status with the same binary under
# qemu-riscv64, the independent oracle. Where qemu cannot be the oracle (a
# budget, a memory cap, a sandbox qemu does not have) the expectation is
# worked out by hand from the program's source and from Linux's rules, and
# is written next to the check.
#
# Tests (PASS nest/<mode>/<test>/d<depth>):
#   hello, exit42, exit3, stderr     output and exit statuses
#   args, echoargs, argv0            argv and the environment (--env) go down
#                                    unchanged, options-looking arguments too
#   stdin-file, stdin-pipe           stdin reaches the innermost program
#   intedge, strings                 compute, quick
#   bits, hash, sort, fpmath         compute, heavier: for emulate (about 20x
#                                    slower per level) not run at depth 3
#   files                            file I/O through --dir and --cwd; the
#                                    result is checked on the host as well
#   dir-ro-short, dir-progdir        the --dir HOST:ro form, and mapping the
#                                    program's own directory
#   segv                             a memory fault: 139, reported once
#   abort                            SIGABRT: 134
#   budget, budget-ok                --budget at the top caps the whole
#                                    subtree (124), and does not stop a run
#                                    that fits
#   mem, mem-ok                      --mem at the top caps the subtree: a
#                                    guest wanting more fails or is killed,
#                                    and the host's peak RSS stays near the cap
#   hostile                          sandbox escapes and bad pointers give
#                                    Linux's errors; the host is untouched
#   hyper                            hypercalls with bad pointers, handles and
#                                    sizes give the interface's errors; a
#                                    child VM's grant never widens its
#                                    parent's; the handle table is bounded
#
# A mode is a --nest-mode value, optionally with modifiers after "+":
# "nounroll" adds --no-unroll, "nojit" adds --no-jit (so "lowered+nounroll"
# runs `mvm run --nest-mode=lowered --no-unroll ...`).
#
# Usage: tests/nest/run.sh [test...]      MVM=path overrides build/mvm;
#        NEST_MODES="..." overrides the modes; MVM_IMAGE names the RV64
#        image (default: mvm.rv64 beside $MVM). Each run is limited to
#        NEST_TIMEOUT seconds (default 120).

# The tests are called by name ("t_$t"), which shellcheck cannot follow.
# shellcheck disable=SC2317
NEST_MODES=${NEST_MODES:-"emulate trusted trusted+nounroll lowered lowered+nounroll"}

set -u
set -f
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
. tests/guest/lib.sh
MVM=${MVM:-build/mvm}
case "$MVM" in /*) ;; *) MVM=$ROOT/$MVM ;; esac
QEMU=${QEMU_RISCV64:-qemu-riscv64}
TIMEOUT=${NEST_TIMEOUT:-120}
OUT=$ROOT/build/tests/nest
BIN=$OUT/bin
SRC=tests/nest

QUICK_TESTS="hello exit42 exit3 stderr args echoargs argv0 stdin-file stdin-pipe intedge strings files dir-ro-short dir-progdir segv abort budget budget-ok mem mem-ok hostile hyper"
HEAVY_TESTS="bits hash sort fpmath"
if [ "$#" -gt 0 ]; then
	TESTS="$*"
else
	TESTS="$QUICK_TESTS $HEAVY_TESTS"
fi
is_heavy() { case " $HEAVY_TESTS " in *" $1 "*) return 0 ;; esac; return 1; }

# The memory test's cap, and how far above it the host process may grow
# beyond a baseline: the same depth and mode running a program that touches
# 1 MiB (so the monitor's own code, tables, the RV64 images and whatever a
# sanitizer build adds are in the baseline, not in the slack).
MEM_CAP_MIB=64
MEM_SLACK_MIB=16

# ---- building ----

mkdir -p "$BIN" "$OUT/img"
build_failed=""
own_build() { # NAME: builds tests/nest/NAME.c into $BIN/NAME if stale
	local src=$SRC/$1.c bin=$BIN/$1
	if [ "$bin" -nt "$src" ] && [ "$bin" -nt sdk/mvm-cc ] && [ "$bin" -nt include/mvm_hypercall.h ]; then
		return 0
	fi
	# -Iinclude: hyper.c speaks the hypercall interface of mvm_hypercall.h.
	if sdk/mvm-cc --libc=glibc -Wall -Wextra -Iinclude -o "$bin.$$.tmp" "$src" >"$bin.log" 2>&1; then
		mv -f "$bin.$$.tmp" "$bin"
	else
		rm -f "$bin.$$.tmp"
		build_failed="$build_failed $1"
		return 1
	fi
}

have_cc=1
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || have_cc=0
have_qemu=1
command -v "$QEMU" >/dev/null 2>&1 || have_qemu=0
if [ "$have_cc" = 1 ]; then
	for p in hello echoargs spin hog nfiles hostile hyper; do own_build "$p"; done
	for p in ret42 exit3 stderr args wc intedge strings segv abort bits hash sort fpmath; do
		guest_build "$p" glibc || build_failed="$build_failed $p"
	done
fi
CORPUS=$ROOT/$GUEST_OUT/glibc

# A private copy of the image, so that a rebuild while the suite runs
# cannot mix two builds, and so the hostile test can check it byte for byte.
IMAGE_SRC=${MVM_IMAGE:-$(dirname "$MVM")/mvm.rv64}
IMAGE=$OUT/img/mvm.rv64
if [ -f "$IMAGE_SRC" ]; then
	if ! cmp -s "$IMAGE_SRC" "$IMAGE"; then
		cp "$IMAGE_SRC" "$IMAGE.$$.tmp" && mv -f "$IMAGE.$$.tmp" "$IMAGE"
	fi
	export MVM_IMAGE=$IMAGE
else
	rm -f "$IMAGE"
	unset MVM_IMAGE
fi

RES=$OUT/results.$$
rm -rf "$RES"
mkdir -p "$RES/oracle"
WORK=$OUT/work.$$
trap 'rm -rf "$WORK"' EXIT

# ---- running ----

# What each test sets before calling a runner:
#   PROG=(binary args...)   ENVS=(K=V...)   OPTS=(extra mvm run options)
#   STDIN=file, or "pipe:file" for FILE's bytes through a pipe
#   RUNDIR=working directory
reset_case() {
	PROG=(); ENVS=(); OPTS=(); STDIN=/dev/null; RUNDIR=$ROOT
}

# start OUT ERR CMD...: runs CMD in $RUNDIR with $STDIN under the timeout,
# stdout to OUT and stderr to ERR. With --preserve-status a timeout shows
# as 143 (SIGTERM), a status no test program gives. The subshell's own
# stderr is /dev/null, so the shell's note about a child killed by a
# signal ("Segmentation fault") lands neither in ERR nor in the report.
start() {
	local out=$1 err=$2 input=$STDIN
	shift 2
	(
		exec 2>/dev/null
		cd "$RUNDIR" || exit 125
		if [ "${input#pipe:}" != "$input" ]; then
			# A pipe, not a file: the reader cannot seek or stat a size.
			timeout --preserve-status "$TIMEOUT" "$@" < <(cat "${input#pipe:}") >"$out" 2>"$err"
		else
			timeout --preserve-status "$TIMEOUT" "$@" <"$input" >"$out" 2>"$err"
		fi
		rc=$?
		exit "$rc"
	)
}

# qemu_oracle NAME: the qemu-riscv64 run of the current case, once per suite
# run: $RES/oracle/NAME.{out,err}, status in $qrc. Its own report of a
# fatal signal is dropped from stderr: the two emulators word that
# differently, and Linux itself prints nothing.
qemu_oracle() {
	local o=$RES/oracle/$1
	if [ ! -f "$o.rc" ]; then
		start "$o.out" "$o.raw" env -i "${ENVS[@]}" "$(command -v "$QEMU")" "${PROG[@]}"
		echo $? >"$o.rc"
		grep -v '^qemu: uncaught target signal' "$o.raw" >"$o.err"
	fi
	qrc=$(cat "$o.rc")
}

# mvm_case RESULT DEPTH [RSSFILE]: the mvm run of the current case at DEPTH
# in the current mode: RESULT.{out,err}, status in $mrc. With RSSFILE,
# /usr/bin/time writes the peak resident set (KiB) there.
mvm_case() {
	local envopts=() e
	for e in "${ENVS[@]}"; do envopts+=(--env "$e"); done
	local cmd=("$MVM" run "${MODE_FLAGS[@]}" --depth "$2" "${OPTS[@]}" "${envopts[@]}" "${PROG[@]}")
	if [ $# -ge 3 ]; then
		start "$1.out" "$1.err" /usr/bin/time -f %M -o "$3" "${cmd[@]}"
	else
		start "$1.out" "$1.err" "${cmd[@]}"
	fi
	mrc=$?
}

# first_diff A B: where two files differ, shortly.
first_diff() {
	local line a b
	line=$(cmp "$1" "$2" 2>/dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')
	if [ -z "$line" ] && [ ! -s "$2" ]; then
		echo "expected $(wc -c <"$1") bytes, got none"
		return
	elif [ -z "$line" ]; then
		echo "one is a prefix of the other ($(wc -c <"$1") vs $(wc -c <"$2") bytes)"
		return
	fi
	a=$(sed -n "${line}p" "$1" | cut -c1-60)
	b=$(sed -n "${line}p" "$2" | cut -c1-60)
	echo "line $line: expected '$a', got '$b'"
}

# mvm_says RESULT: the first line the monitor printed, for a failure message.
mvm_says() {
	local l
	l=$(grep -m1 '^mvm: ' "$1.err" | cut -c1-140)
	[ -n "$l" ] && echo " ($l)"
}

# status_word N: a status in the monitor's vocabulary.
status_word() {
	case "$1" in
	143) echo "143 (timed out after ${TIMEOUT} s)" ;;
	124) echo "124 (budget exhausted)" ;;
	125) echo "125 (usage error)" ;;
	126) echo "126 (cannot load)" ;;
	127) echo "127 (not found)" ;;
	123) echo "123 (internal error)" ;;
	*) echo "$1" ;;
	esac
}

# compare_oracle NAME RESULT [--fault]: sets $why (empty when the run
# matches the oracle's stdout, stderr and status). With --fault, stderr
# must be the oracle's plus exactly one "mvm: guest fault" line.
compare_oracle() {
	local o=$RES/oracle/$1 r=$2
	why=""
	if [ "$mrc" = 143 ]; then
		why="timed out after ${TIMEOUT} s"
	elif ! cmp -s "$o.out" "$r.out"; then
		why="stdout differs, $(first_diff "$o.out" "$r.out"); exit qemu $qrc, mvm $(status_word "$mrc")$(mvm_says "$r")"
	elif [ "${3:-}" = --fault ]; then
		local n
		n=$(grep -c '^mvm: ' "$r.err")
		grep -v '^mvm: ' "$r.err" >"$r.guesterr"
		if [ "$n" != 1 ]; then
			why="the fault was reported $n times on stderr, not once"
		elif ! cmp -s "$o.err" "$r.guesterr"; then
			why="stderr besides the fault report differs, $(first_diff "$o.err" "$r.guesterr")"
		fi
	elif ! cmp -s "$o.err" "$r.err"; then
		why="stderr differs, $(first_diff "$o.err" "$r.err"); exit qemu $qrc, mvm $(status_word "$mrc")"
	fi
	if [ -z "$why" ] && [ "$qrc" != "$mrc" ]; then
		why="exit status qemu $qrc, mvm $(status_word "$mrc")$(mvm_says "$r")"
	fi
}

verdict() { # LABEL WHY
	if [ -z "$2" ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi
}

# diff_case NAME LABEL DEPTH [WANT_QEMU_STATUS]: the usual test: qemu and
# mvm on the current case must agree. WANT_QEMU_STATUS guards the oracle:
# if qemu itself does not give it, the case is wrong, not the monitor.
diff_case() {
	local r=$RES/$1.d$3.$MODE_NAME
	qemu_oracle "$1"
	if [ -n "${4:-}" ] && [ "$qrc" != "$4" ]; then
		verdict "$2" "under qemu-riscv64 it exited $qrc, the test expects $4"
		return
	fi
	if grep -q '^BAD' "$RES/oracle/$1.out"; then
		verdict "$2" "under qemu-riscv64: $(grep -m1 '^BAD' "$RES/oracle/$1.out")"
		return
	fi
	mvm_case "$r" "$3"
	compare_oracle "$1" "$r"
	verdict "$2" "$why"
}

# corpus_case NAME: PROG, ENVS and STDIN from a tests/guest program's
# guest-args/-env/-stdin lines.
corpus_case() {
	local src=$GUEST_SRC/$1.c args envs stdin
	args=$(guest_header "$src" args)
	envs=$(guest_header "$src" env)
	stdin=$(guest_header "$src" stdin)
	# shellcheck disable=SC2206  # the header's words are the arguments
	PROG=("$CORPUS/$1" $args)
	# shellcheck disable=SC2206
	ENVS=($envs)
	[ -n "$stdin" ] && STDIN=$ROOT/$GUEST_SRC/$stdin
	return 0
}

# ---- the tests: t_NAME LABEL DEPTH ----

t_hello() { reset_case; PROG=("$BIN/hello"); diff_case hello "$1" "$2" 0; }
t_exit42() { reset_case; corpus_case ret42; diff_case ret42 "$1" "$2" 42; }
t_exit3() { reset_case; corpus_case exit3; diff_case exit3 "$1" "$2" 3; }
t_stderr() { reset_case; corpus_case stderr; diff_case stderr "$1" "$2" 1; }
t_args() { reset_case; corpus_case args; diff_case args "$1" "$2" 0; }
t_intedge() { reset_case; corpus_case intedge; diff_case intedge "$1" "$2" 0; }
t_strings() { reset_case; corpus_case strings; diff_case strings "$1" "$2" 0; }
t_bits() { reset_case; corpus_case bits; diff_case bits "$1" "$2" 0; }
t_hash() { reset_case; corpus_case hash; diff_case hash "$1" "$2" 0; }
t_sort() { reset_case; corpus_case sort; diff_case sort "$1" "$2" 0; }
t_fpmath() { reset_case; corpus_case fpmath; diff_case fpmath "$1" "$2" 0; }
t_stdin-file() { reset_case; corpus_case wc; diff_case wc "$1" "$2" 0; }
t_stdin-pipe() {
	reset_case; corpus_case wc
	STDIN=pipe:$STDIN
	diff_case wc-pipe "$1" "$2" 0
}

# Arguments that look like the monitor's own options, empty ones, spaces
# and UTF-8; values with "=" and empty values in the environment.
t_echoargs() {
	reset_case
	PROG=("$BIN/echoargs" "" "a b" --depth 3 --dir=/ --mem 1M -- --env X=1 "ünï¢ødé" "*")
	ENVS=(A=1 EMPTY= "EQ=x=y" "DASH=--dir" "SPACE=two words")
	diff_case echoargs "$1" "$2" 0
}

# argv[0] as typed (a relative path), not as the monitor found the file.
t_argv0() {
	reset_case
	RUNDIR=$BIN
	PROG=(./echoargs one)
	diff_case argv0 "$1" "$2" 0
}

# names DIR: the entries of DIR, sorted, on one line (globbing is off).
names() { (cd "$1" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'); }

# files_tree: a fresh $WORK/files with rw/ (empty) and ro/input.txt.
files_tree() {
	rm -rf "$WORK/files"
	mkdir -p "$WORK/files/rw" "$WORK/files/ro" || return 1
	printf 'line one\nline two\n' >"$WORK/files/ro/input.txt"
}

# files_check: what nfiles must leave on the host (from its source): out.txt
# truncated to the 3 bytes "alp", a link to it, result.txt; nothing else.
files_check() {
	local d=$WORK/files/rw
	[ "$(names "$d")" = "link out.txt result.txt" ] ||
		{ echo "the host directory holds: $(names "$d")"; return; }
	[ "$(cat "$d/out.txt")" = alp ] || { echo "out.txt on the host is not 'alp'"; return; }
	[ "$(readlink "$d/link")" = out.txt ] || { echo "the link on the host is wrong"; return; }
	[ "$(cat "$d/result.txt")" = "nested file I/O done" ] || echo "result.txt on the host is wrong"
}

# files_run NAME LABEL DEPTH RO_SPEC: nfiles with the writable directory as
# its --cwd and the read-only one mapped by RO_SPEC; output as under qemu
# (run in the same directory, which has the same path there), and the
# host tree as the program's source says.
files_run() {
	local r=$RES/$1.d$3.$MODE_NAME host
	reset_case
	local rw=$WORK/files/rw ro=$WORK/files/ro
	PROG=("$BIN/nfiles" "$ro")
	RUNDIR=$rw
	if [ ! -f "$RES/oracle/$1.rc" ]; then
		files_tree || { verdict "$2" "cannot make the test directories"; return; }
		qemu_oracle "$1"
		host=$(files_check)
		[ -z "$host" ] || { verdict "$2" "under qemu-riscv64: $host"; return; }
	fi
	qemu_oracle "$1"
	if [ "$qrc" != 0 ] || grep -q '^BAD' "$RES/oracle/$1.out"; then
		verdict "$2" "under qemu-riscv64 it failed (exit $qrc)"
		return
	fi
	files_tree || { verdict "$2" "cannot make the test directories"; return; }
	OPTS=(--dir "$rw" --dir "$4" --cwd "$rw")
	mvm_case "$r" "$3"
	compare_oracle "$1" "$r"
	[ -n "$why" ] || why=$(files_check)
	verdict "$2" "$why"
}
t_files() { files_run files "$1" "$2" "$WORK/files/ro:$WORK/files/ro:ro"; }
t_dir-ro-short() { files_run files "$1" "$2" "$WORK/files/ro:ro"; }

# The user maps the directory the program itself is in (which nesting also
# grants to each level, read-only): the program must still run.
t_dir-progdir() {
	reset_case
	rm -rf "$WORK/progdir"
	if ! { mkdir -p "$WORK/progdir" && cp "$BIN/hello" "$WORK/progdir/hello"; }; then
		verdict "$1" "cannot copy the program"
		return
	fi
	PROG=("$WORK/progdir/hello")
	OPTS=(--dir "$WORK/progdir")
	diff_case dir-progdir "$1" "$2" 0
}

# segv.c stores to address 16 (0x10): SIGSEGV, 139, and one line from the
# monitor naming that address, however many monitors are in between.
t_segv() {
	local r=$RES/segv.d$2.$MODE_NAME
	reset_case; corpus_case segv
	qemu_oracle segv
	[ "$qrc" = 139 ] || { verdict "$1" "under qemu-riscv64 it exited $qrc, not 139"; return; }
	mvm_case "$r" "$2"
	compare_oracle segv "$r" --fault
	if [ -z "$why" ] && ! grep -q '^mvm: guest fault: .* at 0x10 pc=0x[0-9a-f]*$' "$r.err"; then
		why="the fault report does not name address 0x10: $(grep -m1 '^mvm: ' "$r.err")"
	fi
	verdict "$1" "$why"
}

t_abort() { reset_case; corpus_case abort; diff_case abort "$1" "$2" 134; }

# spin.c prints "spinning" and never ends: the budget given to the outermost
# monitor must stop it (124, one report), whatever runs in between.
t_budget() {
	local r=$RES/budget.d$2.$MODE_NAME
	reset_case
	PROG=("$BIN/spin")
	OPTS=(--budget 300000000)
	mvm_case "$r" "$2"
	why=""
	if [ "$mrc" = 143 ]; then
		why="the budget did not stop it within ${TIMEOUT} s"
	elif [ "$mrc" != 124 ]; then
		why="exit $(status_word "$mrc"), expected 124$(mvm_says "$r")"
	elif [ "$(cat "$r.out")" != spinning ]; then
		why="stdout is not 'spinning' before the stop"
	elif [ "$(grep -c . "$r.err")" != 1 ] || ! grep -q '^mvm: instruction budget exhausted' "$r.err"; then
		why="stderr is not exactly one budget report: $(head -c 200 "$r.err" | tr '\n' '|')"
	fi
	verdict "$1" "$why"
}

# The same budget is far more than hello needs at depth 3 in any mode.
t_budget-ok() {
	reset_case
	PROG=("$BIN/hello")
	OPTS=(--budget 5000000000)
	diff_case hello "$1" "$2" 0
}

# hog 256 wants 256 MiB under a 64 MiB cap given at the top: it must not
# succeed (malloc failing, exit 1, or the run killed as out of memory, 137;
# 123 if a nested monitor reports the exhaustion as its own resource
# error), and the host process must stay near the cap.
t_mem() {
	local r=$RES/mem.d$2.$MODE_NAME rss base
	reset_case
	if [ ! -x /usr/bin/time ]; then
		echo "SKIP $1: /usr/bin/time (Debian package time) is not installed"
		return
	fi
	PROG=("$BIN/hog" 1)
	OPTS=(--mem "${MEM_CAP_MIB}M")
	mvm_case "$r.base" "$2" "$r.base.rss"
	base=$(tail -n 1 "$r.base.rss" 2>/dev/null)
	PROG=("$BIN/hog" 256)
	mvm_case "$r" "$2" "$r.rss"
	rss=$(tail -n 1 "$r.rss" 2>/dev/null)
	why=""
	case "$mrc" in
	1 | 123 | 137) ;;
	0) why="the guest got 256 MiB under a ${MEM_CAP_MIB} MiB cap" ;;
	*) why="exit $(status_word "$mrc"), expected 1, 123 or 137$(mvm_says "$r")" ;;
	esac
	if [ -z "$why" ] && grep -q '^touched' "$r.out"; then
		why="the guest reports it touched all 256 MiB"
	elif [ -z "$why" ] && { ! [ "$rss" -gt 0 ] || ! [ "$base" -gt 0 ]; } 2>/dev/null; then
		why="no peak RSS measured"
	elif [ -z "$why" ] && [ "$rss" -gt $((base + (MEM_CAP_MIB + MEM_SLACK_MIB) * 1024)) ]; then
		why="peak RSS $((rss / 1024)) MiB, more than the baseline $((base / 1024)) MiB + the cap ${MEM_CAP_MIB} MiB + ${MEM_SLACK_MIB} MiB"
	fi
	verdict "$1" "$why"
}

# 16 MiB fit under the same cap: as under qemu, "touched 16 MiB, sum
# 522240" (32640 per MiB, see hog.c).
t_mem-ok() {
	reset_case
	PROG=("$BIN/hog" 16)
	OPTS=(--mem "${MEM_CAP_MIB}M")
	qemu_oracle mem-ok
	if [ "$(cat "$RES/oracle/mem-ok.out")" != "touched 16 MiB, sum 522240" ]; then
		verdict "$1" "under qemu-riscv64 hog printed $(head -c 80 "$RES/oracle/mem-ok.out")"
		return
	fi
	diff_case mem-ok "$1" "$2" 0
}

# host_state: everything the hostile guest must not change, one line each.
host_state() {
	local h=$WORK/hostile
	(cd "$h" && find img outside -printf '%p %y %s %m %l\n' | LC_ALL=C sort)
	sha256sum <"$h/img/mvm.rv64"
	for f in /planted /planted-dir; do [ -e "$f" ] && echo "$f exists"; done
	cat "$h/outside/secret"
}

# The hostile guest sees the image directory read-only at /nest-img and a
# writable directory at /nest-data; its output must be hostile.expected,
# the host tree must be as before, and /nest-data may only have gained the
# link the guest is allowed to make.
t_hostile() {
	local r=$RES/hostile.d$2.$MODE_NAME h=$WORK/hostile before after
	reset_case
	rm -rf "$h"
	mkdir -p "$h/img" "$h/data" "$h/outside" || { verdict "$1" "cannot make the test tree"; return; }
	if [ -f "$IMAGE" ]; then cp "$IMAGE" "$h/img/mvm.rv64"; else : >"$h/img/mvm.rv64"; fi
	echo "not for the guest" >"$h/outside/secret"
	echo "guest data" >"$h/data/file"
	ln -s "$h/outside/secret" "$h/data/abs-link"
	ln -s ../outside/secret "$h/data/rel-link"
	before=$(host_state)
	PROG=("$BIN/hostile" /nest-img /nest-data "$h/img/mvm.rv64")
	OPTS=(--dir "$h/data:/nest-data" --dir "$h/img:/nest-img:ro")
	mvm_case "$r" "$2"
	after=$(host_state)
	why=""
	if [ "$mrc" != 0 ]; then
		why="exit $(status_word "$mrc"), expected 0$(mvm_says "$r")"
	elif ! cmp -s "$SRC/hostile.expected" "$r.out"; then
		why="$(first_diff "$SRC/hostile.expected" "$r.out")"
	elif [ -s "$r.err" ]; then
		why="stderr not empty: $(head -n 1 "$r.err" | cut -c1-100)"
	elif [ "$before" != "$after" ]; then
		why="the host changed outside the writable mapping"
	elif [ "$(names "$h/data")" != "abs-link file made-link rel-link" ]; then
		why="the writable directory holds: $(names "$h/data")"
	fi
	verdict "$1" "$why"
}

# hyper.c creates VMs of its own through the monitor above it, with bad
# arguments and then properly: it loads itself from /nest-data as a child
# that was offered the read-only /nest-img as writable and tries to open
# the image for writing. Its output must be hyper.expected (the errors the
# interface promises, include/mvm_hypercall.h), the child must have run
# and left its mark, and the image must be unchanged.
t_hyper() {
	local r=$RES/hyper.d$2.$MODE_NAME h=$WORK/hyper before after
	reset_case
	rm -rf "$h"
	mkdir -p "$h/img" "$h/data" || { verdict "$1" "cannot make the test tree"; return; }
	if [ -f "$IMAGE" ]; then cp "$IMAGE" "$h/img/mvm.rv64"; else : >"$h/img/mvm.rv64"; fi
	cp "$BIN/hyper" "$h/data/hyper" || { verdict "$1" "cannot copy the program"; return; }
	before=$(find "$h/img" -printf '%p %y %s %m\n'; sha256sum <"$h/img/mvm.rv64")
	PROG=("$BIN/hyper" /nest-data/hyper)
	OPTS=(--dir "$h/data:/nest-data" --dir "$h/img:/nest-img:ro")
	mvm_case "$r" "$2"
	after=$(find "$h/img" -printf '%p %y %s %m\n'; sha256sum <"$h/img/mvm.rv64")
	why=""
	if [ "$mrc" != 0 ]; then
		why="exit $(status_word "$mrc"), expected 0$(mvm_says "$r")"
	elif ! cmp -s "$SRC/hyper.expected" "$r.out"; then
		why="$(first_diff "$SRC/hyper.expected" "$r.out")"
	elif [ -s "$r.err" ]; then
		why="stderr not empty: $(head -n 1 "$r.err" | cut -c1-100)"
	elif [ "$before" != "$after" ]; then
		why="the read-only image directory changed on the host"
	elif [ "$(cat "$h/data/child-ran" 2>/dev/null)" != "child ran" ]; then
		why="the child left no mark in /nest-data"
	elif [ "$(names "$h/data")" != "child-ran hyper" ]; then
		why="the writable directory holds: $(names "$h/data")"
	fi
	verdict "$1" "$why"
}

# ---- the run ----

mode_flags() { # MODE: sets MODE_FLAGS, or returns 1 for an unknown modifier
	local base=${1%%+*} rest m
	MODE_FLAGS=("--nest-mode=$base")
	rest=${1#"$base"}
	local IFS=+
	for m in $rest; do
		case "$m" in
		"") ;;
		nounroll) MODE_FLAGS+=(--no-unroll) ;;
		nojit) MODE_FLAGS+=(--no-jit) ;;
		*) bad_modifier=$m; return 1 ;;
		esac
	done
}

mkdir -p "$WORK"
for mode in $NEST_MODES; do
	MODE_NAME=${mode//+/_}
	bad_modifier=""
	mode_flags "$mode"
	for t in $TESTS; do
		if ! declare -F "t_$t" >/dev/null; then
			echo "FAIL nest/$mode/$t: no such test"
			continue
		fi
		for depth in 1 2 3; do
			if [ "$depth" = 3 ] && [ "${mode%%+*}" = emulate ] && is_heavy "$t"; then
				continue
			fi
			label=nest/$mode/$t/d$depth
			if [ -n "$bad_modifier" ]; then
				echo "FAIL $label: unknown mode modifier '$bad_modifier' in NEST_MODES"
			elif [ "$have_cc" = 0 ]; then
				echo "SKIP $label: riscv64-linux-gnu-gcc is not installed (scripts/deps)"
			elif [ "$have_qemu" = 0 ]; then
				echo "SKIP $label: $QEMU is not installed (scripts/deps)"
			elif [ -n "$build_failed" ]; then
				echo "FAIL $label: building the guest programs failed:$build_failed (see $BIN/*.log)"
			elif [ ! -x "$MVM" ]; then
				echo "FAIL $label: monitor $MVM not built"
			elif [ "$depth" != 1 ] && [ ! -f "$IMAGE" ]; then
				echo "FAIL $label: no RV64 image ($IMAGE_SRC; make rv64)"
			else
				"t_$t" "$label" "$depth"
			fi
		done
	done
done
rm -rf "$OUT/results"
mv "$RES" "$OUT/results"
exit 0
