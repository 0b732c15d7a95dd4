#!/bin/sh
# Signals suite: static glibc programs (tests/signals/*.c, built with
# riscv64-linux-gnu-gcc -static -O2 -pthread) that install handlers, take
# faults, use the alternate stack, interval and POSIX timers, signalfd,
# signals between threads and sigsuspend/sigtimedwait. Each runs under
# qemu-riscv64 (the oracle) and under $MVM at depth 1 and at depth 2
# (--nest-mode=lowered, and --nest-mode=trusted for the single-threaded
# ones); a test passes when stdout and the exit status
# match qemu's and the hand-computed <name>.expect. Tests marked "noqemu"
# are checked against <name>.expect only (qemu-riscv64 7.2 does not apply
# sa_mask while a handler runs). A sanitizer report on stderr fails a
# test (make SAN=1 / TSAN=1 builds).
#
# Usage: tests/signals/run.sh [name...]     MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
SRC=tests/signals
OUT=build/tests/signals
QEMU=${QEMU_RISCV64:-qemu-riscv64}
CC=riscv64-linux-gnu-gcc
TMO=${SIGNALS_TIMEOUT:-120}
mkdir -p "$OUT"

# name:expected-exit[:noqemu]
progs="siginfo:143 samask:0:noqemu faults:139 context:0 badframe:139 altstack:0 restart:0 itimer:0
ptimer:0 sigfd:0 threads:0 suspend:0 cancel:0 evthread:0"
# Also run at depth 2 with --nest-mode=trusted (the owner serves the system
# calls; single-threaded programs only: such a VM has no threads).
trusted="siginfo samask faults context badframe altstack restart itimer ptimer sigfd"
[ "$#" -gt 0 ] && progs=$(for n in "$@"; do for p in $progs; do [ "${p%%:*}" = "$n" ] && echo "$p"; done; done)

for tool in "$CC" "$QEMU"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP signals: not installed: $tool (scripts/deps)"; exit 0; }
done

build() {
	[ "$OUT/$1" -nt "$SRC/$1.c" ] && return 0
	$CC -static -O2 -pthread -Wall -Wextra -o "$OUT/$1" "$SRC/$1.c" 2>"$OUT/$1.log"
}

for p in $progs; do
	name=${p%%:*} rest=${p#*:}
	want=${rest%%:*} noqemu=""
	[ "$rest" != "$want" ] && noqemu=1
	if ! build "$name"; then echo "FAIL signals/$name: build (see $OUT/$name.log)"; continue; fi
	if [ -n "$noqemu" ]; then
		cp "$SRC/$name.expect" "$OUT/$name.qemu"
		qrc=$want
	else
		timeout "$TMO" "$QEMU" "$OUT/$name" >"$OUT/$name.qemu" 2>/dev/null </dev/null
		qrc=$?
		if [ "$qrc" != "$want" ] || ! cmp -s "$OUT/$name.qemu" "$SRC/$name.expect"; then
			echo "FAIL signals/$name: qemu-riscv64 gives exit $qrc or output other than $name.expect"
			continue
		fi
	fi
	modes="1 2"
	case " $trusted " in *" $name "*) modes="1 2 3" ;; esac
	for mode in $modes; do
		if [ $mode = 1 ]; then label=signals/$name; set -- run
		elif [ $mode = 2 ]; then label=signals/$name.depth2; set -- run --depth 2 --nest-mode=lowered
		else label=signals/$name.trusted; set -- run --depth 2 --nest-mode=trusted; fi
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
exit 0
