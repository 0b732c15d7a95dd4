#!/bin/sh
# Processes suite: static glibc programs (tests/procs/*.c, built with
# riscv64-linux-gnu-gcc -static -O2 -pthread) that fork, vfork, clone,
# execve (ELF and "#!" scripts), posix_spawn, wait4/waitid, signal each
# other and process groups, and talk through pipes. Each runs under
# qemu-riscv64 (the oracle) and under $MVM at depth 1, at depth 2
# (--nest-mode=lowered) and at depth 3 (lowered and trusted); a test
# passes when stdout and the exit status match qemu's and the
# hand-computed <name>.expect.
#
# Every program gets one argument, the directory holding the built
# binaries as the program sees it: $OUT as an absolute host path under
# qemu, and /t under mvm, which is given that directory read-write with
# --dir $OUT:/t (the exec tests build their paths from it and write
# scratch files there). The exact mvm command lines are
#   build/mvm run --dir build/tests/procs:/t build/tests/procs/NAME /t
#   build/mvm run --depth 2 --nest-mode=lowered --dir build/tests/procs:/t build/tests/procs/NAME /t
#   build/mvm run --depth 3 --nest-mode=lowered --dir build/tests/procs:/t build/tests/procs/NAME /t
#   build/mvm run --depth 3 --nest-mode=trusted --dir build/tests/procs:/t build/tests/procs/NAME /t
# with --mem 64M (forkbomb) or --budget 30000000 (spinchild) before --dir.
#
# Tests marked "noqemu" are not run under qemu-riscv64: qemu-user runs a
# guest's execve as a host execve, so without binfmt_misc for riscv64
# (not set up on the development machines) every exec of a test binary
# fails with ENOEXEC; and qemu 7.2 does not pass SA_NOCLDWAIT and
# SA_NOCLDSTOP on (chldflags). Their oracle is the hand-written .expect
# and, when a native C compiler is there on a Linux host ($HOSTCC, cc),
# the same sources built for the host and run on the real kernel: a
# native result other than the .expect fails the test as a wrong qemu
# result does. Helpers (echoargs upcase count repeat headn probe) are
# built, never run as tests.
#
# mvm only (no oracle but the .expect; they would leave or fork real host
# processes under qemu): forkbomb under --mem 64M (fork must at last fail
# with EAGAIN or ENOMEM and the program end 0); orphan (the first process
# exits 5 while its child and grandchild pause forever: mvm must exit 5
# at once, leaving no process that holds its stdout); spinchild (a child
# spins forever, the parent waits: --budget ends it with 124). These run
# as '{ mvm ...; } | cat' so that a guest process outliving mvm shows as
# a timeout. pfuzz (hostile process calls, 16 seeds): mvm must end by
# itself, not by a host signal, with no sanitizer report. A sanitizer report on stderr fails a test (make SAN=1).
# Every program but forkbomb has a 30 s watchdog (procs.h): a hung test
# prints "FAIL watchdog" and exits 3 long before the 120 s timeout.
#
# Usage: tests/procs/run.sh [name...]     MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
SRC=tests/procs
OUT=build/tests/procs
QEMU=${QEMU_RISCV64:-qemu-riscv64}
CC=riscv64-linux-gnu-gcc
HOSTCC=${HOSTCC:-cc}
TMO=${PROCS_TIMEOUT:-120}
mkdir -p "$OUT/native"
ABS=$(pwd)/$OUT
GUEST=/t

# name:expected-exit[:noqemu]
progs="wait:0 cow:0 pipes:0 fdshare:0 sigs:0 stop:0 pgrp:0 waitid:0 many:0
chldflags:0:noqemu exec:0:noqemu execstate:0:noqemu spawn:0:noqemu shell:0:noqemu"
helpers="echoargs upcase count repeat headn probe"
specials="forkbomb orphan spinchild pfuzz"
all=1
if [ "$#" -gt 0 ]; then
	all=0
	want_specials=""
	for n in "$@"; do
		case " $specials " in *" $n "*) want_specials="$want_specials $n" ;; esac
	done
	progs=$(for n in "$@"; do for p in $progs; do [ "${p%%:*}" = "$n" ] && echo "$p"; done; done)
fi

for tool in "$CC" "$QEMU"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP procs: not installed: $tool (scripts/deps)"; exit 0; }
done
native=""
[ "$(uname -s)" = Linux ] && command -v "$HOSTCC" >/dev/null 2>&1 && native=1

# build NAME [native]: the riscv64 binary, and with "native" the host one
# too when there is a host compiler; fails if the riscv64 build does.
build() {
	if ! [ "$OUT/$1" -nt "$SRC/$1.c" ] || ! [ "$OUT/$1" -nt "$SRC/procs.h" ]; then
		$CC -static -O2 -pthread -Wall -Wextra -o "$OUT/$1" "$SRC/$1.c" 2>"$OUT/$1.log" || return 1
	fi
	[ "$2" = native ] || return 0
	if [ -n "$native" ] && { ! [ "$OUT/native/$1" -nt "$SRC/$1.c" ] || ! [ "$OUT/native/$1" -nt "$SRC/procs.h" ]; }; then
		$HOSTCC -O2 -pthread -o "$OUT/native/$1" "$SRC/$1.c" 2>"$OUT/native/$1.log" || rm -f "$OUT/native/$1"
	fi
	return 0
}

# why FILE.out/FILE.err failed: the first FAIL line the program printed,
# else the start of its stderr.
why() {
	grep -m1 '^FAIL' "$1" 2>/dev/null || head -c 300 "$2" 2>/dev/null
}

for h in $helpers; do
	build "$h" native || echo "FAIL procs/$h: build of a helper (see $OUT/$h.log)"
done

for p in $progs; do
	name=${p%%:*} rest=${p#*:}
	want=${rest%%:*} noqemu=""
	[ "$rest" != "$want" ] && noqemu=1
	if ! build "$name" ${noqemu:+native}; then echo "FAIL procs/$name: build (see $OUT/$name.log)"; continue; fi
	if [ -n "$noqemu" ]; then
		if [ -n "$native" ] && [ -x "$OUT/native/$name" ]; then
			timeout "$TMO" "$OUT/native/$name" "$ABS/native" >"$OUT/$name.native" 2>/dev/null </dev/null
			nrc=$?
			if [ "$nrc" != "$want" ] || ! cmp -s "$OUT/$name.native" "$SRC/$name.expect"; then
				echo "FAIL procs/$name: the native build on Linux gives exit $nrc or output other than $name.expect (see $OUT/$name.native): $(why "$OUT/$name.native" /dev/null)"
				continue
			fi
		fi
		cp "$SRC/$name.expect" "$OUT/$name.qemu"
		qrc=$want
	else
		timeout "$TMO" "$QEMU" "$OUT/$name" "$ABS" >"$OUT/$name.qemu" 2>/dev/null </dev/null
		qrc=$?
		if [ "$qrc" != "$want" ] || ! cmp -s "$OUT/$name.qemu" "$SRC/$name.expect"; then
			echo "FAIL procs/$name: qemu-riscv64 gives exit $qrc or output other than $name.expect (see $OUT/$name.qemu): $(why "$OUT/$name.qemu" /dev/null)"
			continue
		fi
	fi
	for mode in 1 2 3 4; do
		case $mode in
		1) label=procs/$name; set -- run ;;
		2) label=procs/$name.depth2; set -- run --depth 2 --nest-mode=lowered ;;
		3) label=procs/$name.depth3; set -- run --depth 3 --nest-mode=lowered ;;
		4) label=procs/$name.depth3-trusted; set -- run --depth 3 --nest-mode=trusted ;;
		esac
		timeout "$TMO" "$MVM" "$@" --dir "$OUT:$GUEST" "$OUT/$name" "$GUEST" \
			>"$OUT/$name.mvm$mode" 2>"$OUT/$name.err$mode" </dev/null
		rc=$?
		if [ "$rc" != "$qrc" ]; then
			echo "FAIL $label: exit $rc, expected $qrc: $(why "$OUT/$name.mvm$mode" "$OUT/$name.err$mode")"
		elif grep -q "Sanitizer\|runtime error" "$OUT/$name.err$mode"; then
			echo "FAIL $label: a sanitizer report (see $OUT/$name.err$mode)"
		elif ! cmp -s "$OUT/$name.mvm$mode" "$OUT/$name.qemu"; then
			echo "FAIL $label: stdout differs from the expected (diff $OUT/$name.mvm$mode $SRC/$name.expect)"
		else
			echo "PASS $label"
		fi
	done
done

# mvm only: name, options, wanted exit, a regex stderr must match (or ""),
# whether stdout must be <name>.expect, timeout. mvm runs as
# '{ mvm ...; } | cat': if a guest process outlived mvm and kept its
# stdout open, cat would not end and the timeout says so.
special() {
	name=$1 opts=$2 want=$3 msg=$4 cmpout=$5 tmo=$6
	if ! build "$name"; then echo "FAIL procs/$name: build (see $OUT/$name.log)"; return; fi
	for mode in 1 2; do
		if [ $mode = 1 ]; then label=procs/$name; depth=""
		else label=procs/$name.depth2; depth="--depth 2 --nest-mode=lowered"; fi
		f=$OUT/$name.mvm$mode
		rm -f "$f.rc"
		# shellcheck disable=SC2086,SC2016
		timeout "$tmo" sh -c '{ "$@" 2>"$0.err"; echo $? >"$0.rc"; } | cat >"$0"' "$f" \
			"$MVM" run $depth $opts --dir "$OUT:$GUEST" "$OUT/$name" "$GUEST" </dev/null
		trc=$?
		rc=$(cat "$f.rc" 2>/dev/null)
		if [ -z "$rc" ]; then
			echo "FAIL $label: mvm did not end within $tmo s (exit $trc): $(head -c 300 "$f.err")"
		elif [ "$trc" != 0 ]; then
			echo "FAIL $label: mvm exited $rc, but its stdout stayed open $tmo s: a guest process outlived it"
		elif [ "$rc" != "$want" ]; then
			echo "FAIL $label: exit $rc, expected $want: $(why "$f" "$f.err")"
		elif grep -q "Sanitizer\|runtime error" "$f.err"; then
			echo "FAIL $label: a sanitizer report (see $f.err)"
		elif [ -n "$msg" ] && ! grep -Eq "$msg" "$f.err"; then
			echo "FAIL $label: stderr lacks /$msg/: $(head -c 300 "$f.err")"
		elif [ "$cmpout" = yes ] && ! cmp -s "$f" "$SRC/$name.expect"; then
			echo "FAIL $label: stdout differs from the expected (diff $f $SRC/$name.expect)"
		else
			echo "PASS $label"
		fi
	done
}

# pfuzz: hostile process calls (tests/procs/pfuzz.c) with seeds 1..16;
# what the guest does to itself is its business (any exit status), but
# mvm must end by itself within the timeout (the guest has a 5 s alarm),
# not be killed by a host signal, and report no sanitizer error.
fuzz() {
	if ! build pfuzz; then echo "FAIL procs/pfuzz: build (see $OUT/pfuzz.log)"; return; fi
	command -v python3 >/dev/null 2>&1 || { echo "SKIP procs/pfuzz: python3 not installed"; return; }
	for seed in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		how=$(python3 - "$TMO" "$OUT/pfuzz.err$seed" "$MVM" run --dir "$OUT:$GUEST" "$OUT/pfuzz" "$GUEST" "$seed" <<'PY'
import subprocess, sys
try:
    r = subprocess.run(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=open(sys.argv[2], "w"), timeout=float(sys.argv[1]))
    print("signal %d" % -r.returncode if r.returncode < 0 else "exit %d" % r.returncode)
except subprocess.TimeoutExpired:
    print("timeout")
PY
)
		case $how in
		exit*)
			if grep -q "Sanitizer\|runtime error" "$OUT/pfuzz.err$seed"; then
				echo "FAIL procs/pfuzz.$seed: a sanitizer report (see $OUT/pfuzz.err$seed)"
			else
				echo "PASS procs/pfuzz.$seed"
			fi ;;
		*) echo "FAIL procs/pfuzz.$seed: mvm ended by $how: $(head -c 300 "$OUT/pfuzz.err$seed")" ;;
		esac
	done
}

for s in $specials; do
	if [ $all = 0 ]; then
		case " $want_specials " in *" $s "*) ;; *) continue ;; esac
	fi
	case $s in
	forkbomb) special forkbomb "--mem 64M" 0 "" yes "$TMO" ;;
	orphan) special orphan "" 5 "" yes 30 ;;
	spinchild) special spinchild "--budget 30000000" 124 "^mvm: instruction budget exhausted" no "$TMO" ;;
	pfuzz) fuzz ;;
	esac
done
exit 0
