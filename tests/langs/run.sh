#!/bin/sh
# Other languages' runtimes: a static Go program (GOARCH=riscv64,
# CGO_ENABLED=0: goroutines on several threads, channels, a mutex, and a
# goroutine spinning with one P that only signal-based preemption can
# stop) and a static C++ program (g++-riscv64-linux-gnu: exceptions,
# iostreams, std::thread, condition variables, std::async). Each must
# print what qemu-riscv64 prints for the same binary and what the
# hand-computed <name>.expect says, with exit status 0, at depth 1 and at
# --depth 2 (lowered). goexec (Go's os/exec: fork+exec, pipes to the
# child) is checked against its .expect and the host build's output. A
# sanitizer report on stderr fails a test.
#
# Usage: tests/langs/run.sh      MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
QEMU=${QEMU_RISCV64:-qemu-riscv64}
SRC=tests/langs
OUT=build/tests/langs
TMO=${LANGS_TIMEOUT:-180}
mkdir -p "$OUT"

check() {   # name binary
	timeout "$TMO" "$QEMU" "$2" >"$OUT/$1.qemu" 2>/dev/null </dev/null
	qrc=$?
	if [ "$qrc" != 0 ] || ! cmp -s "$OUT/$1.qemu" "$SRC/$1.expect"; then
		echo "FAIL langs/$1: qemu-riscv64 gives exit $qrc or output other than $1.expect"
		return
	fi
	for d in 1 2; do
		timeout "$TMO" "$MVM" run --depth $d --nest-mode=lowered "$2" >"$OUT/$1.out$d" 2>"$OUT/$1.err$d" </dev/null
		rc=$?
		if [ "$rc" != 0 ]; then
			echo "FAIL langs/$1/d$d: exit $rc: $(head -c 300 "$OUT/$1.err$d")"
		elif grep -q "Sanitizer\|runtime error" "$OUT/$1.err$d"; then
			echo "FAIL langs/$1/d$d: a sanitizer report (see $OUT/$1.err$d)"
		elif ! cmp -s "$OUT/$1.out$d" "$OUT/$1.qemu"; then
			echo "FAIL langs/$1/d$d: output differs from qemu's (see $OUT/$1.out$d)"
		else
			echo "PASS langs/$1/d$d"
		fi
	done
}

if command -v go >/dev/null 2>&1; then
	if GOCACHE="$(pwd)/$OUT/gocache" GOARCH=riscv64 GOOS=linux CGO_ENABLED=0 \
		go build -o "$OUT/goroutines" "$SRC/goroutines.go" >"$OUT/go.log" 2>&1; then
		check goroutines "$OUT/goroutines"
	else
		echo "FAIL langs/goroutines: build: $(head -c 300 "$OUT/go.log")"
	fi
else
	echo "SKIP langs/goroutines: go not installed (golang-go, scripts/deps)"
fi

# goexec runs children (os/exec): qemu-user cannot exec a riscv64 program
# without binfmt_misc, so the oracle is the same source built for the
# host and run on the real kernel, which must print <name>.expect too.
check_exec() {   # name riscv-binary native-binary
	if [ -x "$3" ]; then
		timeout "$TMO" "$3" "$(dirname "$3")" >"$OUT/$1.native" 2>/dev/null </dev/null
		if [ $? != 0 ] || ! cmp -s "$OUT/$1.native" "$SRC/$1.expect"; then
			echo "FAIL langs/$1: the host build gives output other than $1.expect (see $OUT/$1.native)"
			return
		fi
	fi
	for d in 1 2; do
		timeout "$TMO" "$MVM" run --depth $d --nest-mode=lowered --dir "$OUT:/t" "$2" /t \
			>"$OUT/$1.out$d" 2>"$OUT/$1.err$d" </dev/null
		rc=$?
		if [ "$rc" != 0 ]; then
			echo "FAIL langs/$1/d$d: exit $rc: $(head -c 300 "$OUT/$1.err$d")"
		elif grep -q "Sanitizer\|runtime error" "$OUT/$1.err$d"; then
			echo "FAIL langs/$1/d$d: a sanitizer report (see $OUT/$1.err$d)"
		elif ! cmp -s "$OUT/$1.out$d" "$SRC/$1.expect"; then
			echo "FAIL langs/$1/d$d: output differs from $1.expect (see $OUT/$1.out$d)"
		else
			echo "PASS langs/$1/d$d"
		fi
	done
}

if command -v go >/dev/null 2>&1; then
	mkdir -p "$OUT/native"
	if GOCACHE="$(pwd)/$OUT/gocache" GOARCH=riscv64 GOOS=linux CGO_ENABLED=0 \
		go build -o "$OUT/goexec" "$SRC/goexec.go" >"$OUT/goexec.log" 2>&1; then
		[ "$(uname -s)" = Linux ] &&
			GOCACHE="$(pwd)/$OUT/gocache" go build -o "$OUT/native/goexec" "$SRC/goexec.go" >>"$OUT/goexec.log" 2>&1
		check_exec goexec "$OUT/goexec" "$OUT/native/goexec"
	else
		echo "FAIL langs/goexec: build: $(head -c 300 "$OUT/goexec.log")"
	fi
fi

if command -v riscv64-linux-gnu-g++ >/dev/null 2>&1; then
	if riscv64-linux-gnu-g++ -static -O2 -pthread -o "$OUT/threads" "$SRC/threads.cpp" >"$OUT/cpp.log" 2>&1; then
		check threads "$OUT/threads"
	else
		echo "FAIL langs/threads: build: $(head -c 300 "$OUT/cpp.log")"
	fi
else
	echo "SKIP langs/threads: riscv64-linux-gnu-g++ not installed (g++-riscv64-linux-gnu, scripts/deps)"
fi
