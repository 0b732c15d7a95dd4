#!/bin/sh
# Threads suite: pthread and C11 thread programs (tests/threads/*.c), built
# with riscv64-linux-gnu-gcc -static -O2 -pthread. Each runs under
# qemu-riscv64 (the oracle) and under $MVM at depth 1, at depth 2
# (--nest-mode=lowered) and at depth 3 in trusted mode (where only the
# main thread's exits go to the monitor above); a test passes when stdout and the exit status
# match qemu's and the hand-computed <name>.expect. Then: a budget caps
# threads that spin forever (exit 124), a deadlock (every thread waits
# forever) ends with 137 and a "mvm: deadlock" line, and a fault in a
# secondary thread ends the process (139). A sanitizer report on stderr
# fails a test (make SAN=1 / TSAN=1 builds).
#
# Usage: tests/threads/run.sh [name...]     MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
SRC=tests/threads
OUT=build/tests/threads
QEMU=${QEMU_RISCV64:-qemu-riscv64}
CC=riscv64-linux-gnu-gcc
TMO=${THREADS_TIMEOUT:-120}
mkdir -p "$OUT"

all=1
[ "$#" -gt 0 ] && all=0
# name:expected-exit
progs="create_join:3 prodcons:0 barrier:0 atomics:0 tls:0 cancel:0 c11:0 pipe:0 bigpipe:0 bigsock:0 rcvtimeo:0 exits:7 robust:0 memstress:0"
[ "$#" -gt 0 ] && progs=$(for n in "$@"; do for p in $progs; do [ "${p%%:*}" = "$n" ] && echo "$p"; done; done)

for tool in "$CC" "$QEMU"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP threads: not installed: $tool (scripts/deps)"; exit 0; }
done

build() {
	[ "$OUT/$1" -nt "$SRC/$1.c" ] && return 0
	$CC -static -O2 -pthread -Wall -Wextra -o "$OUT/$1" "$SRC/$1.c" 2>"$OUT/$1.log"
}

for p in $progs; do
	name=${p%%:*} want=${p#*:}
	if ! build "$name"; then echo "FAIL threads/$name: build (see $OUT/$name.log)"; continue; fi
	timeout "$TMO" "$QEMU" "$OUT/$name" >"$OUT/$name.qemu" 2>/dev/null </dev/null
	qrc=$?
	if [ "$qrc" != "$want" ] || ! cmp -s "$OUT/$name.qemu" "$SRC/$name.expect"; then
		echo "FAIL threads/$name: qemu-riscv64 gives exit $qrc or output other than $name.expect"
		continue
	fi
	for mode in 1 2 3; do
		case $mode in
		1) label=threads/$name; set -- run ;;
		2) label=threads/$name.depth2; set -- run --depth 2 --nest-mode=lowered ;;
		3) label=threads/$name.depth3-trusted; set -- run --depth 3 --nest-mode=trusted ;;
		esac
		timeout "$TMO" "$MVM" "$@" "$OUT/$name" >"$OUT/$name.mvm$mode" 2>"$OUT/$name.err$mode" </dev/null
		rc=$?
		if [ "$rc" != "$qrc" ]; then
			echo "FAIL $label: exit $rc, qemu $qrc: $(head -c 300 "$OUT/$name.err$mode")"
		elif grep -q "Sanitizer\|runtime error" "$OUT/$name.err$mode"; then
			echo "FAIL $label: a sanitizer report (see $OUT/$name.err$mode)"
		elif ! cmp -s "$OUT/$name.mvm$mode" "$OUT/$name.qemu"; then
			echo "FAIL $label: stdout differs from qemu's (see $OUT/$name.mvm$mode)"
		else
			echo "PASS $label"
		fi
	done
done

# An expected failure: name, options, wanted exit, a regex stderr must match.
special() {
	name=$1 opts=$2 want=$3 msg=$4
	if ! build "$name"; then echo "FAIL threads/$name: build (see $OUT/$name.log)"; return; fi
	for mode in 1 2; do
		if [ $mode = 1 ]; then label=threads/$name; depth=""
		else label=threads/$name.depth2; depth="--depth 2 --nest-mode=lowered"; fi
		# shellcheck disable=SC2086
		timeout "$TMO" "$MVM" run $depth $opts "$OUT/$name" >/dev/null 2>"$OUT/$name.err$mode" </dev/null
		rc=$?
		if [ "$rc" != "$want" ]; then
			echo "FAIL $label: exit $rc, expected $want: $(head -c 300 "$OUT/$name.err$mode")"
		elif ! grep -Eq "$msg" "$OUT/$name.err$mode"; then
			echo "FAIL $label: stderr lacks /$msg/: $(head -c 300 "$OUT/$name.err$mode")"
		else
			echo "PASS $label"
		fi
	done
}

if [ $all = 1 ]; then
	special spin "--budget 30000000" 124 "^mvm: instruction budget exhausted"
	special deadlock "" 137 "^mvm: deadlock: "
	special segv "" 139 "^mvm: guest fault: store access at 0x10 "
fi
exit 0
