#!/bin/sh
# Cross-host suite: the monitor built from the same sources for aarch64 and
# for big-endian s390x (static, so qemu-user needs no sysroot), running a
# handful of riscv64 guests from tests/guest under qemu-aarch64 and
# qemu-s390x. Each must give the same stdout, stderr and exit status as the
# guest under qemu-riscv64, exactly as in tests/guest (see its lib.sh).
# The programs are chosen for what differs between hosts: byte order of
# guest loads and stores and of the structures the monitor writes for
# system calls (stat, the initial stack, auxv), floating point, and integer
# corner cases. On aarch64 also the block compiler of that host, checked
# against the interpreter: the differential unit test (tests/unit/jit_test.c)
# and the fuzz_run target's oracle (tests/cross/fuzz_replay.c).
#
# Usage: tests/cross/run.sh [arch...]     arch: aarch64 s390x (default both)
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
OUT=build/tests/cross
GUEST_TIMEOUT=${CROSS_TIMEOUT:-300}
mkdir -p "$OUT" || exit 2

PROGRAMS="hash.glibc fpmath.glibc intedge.picolibc stdio.picolibc args.glibc files.glibc smc.glibc exit3.glibc"
arches=${*:-aarch64 s390x}
guest_results_begin "$OUT/results"

need_guest="riscv64-linux-gnu-gcc riscv64-unknown-elf-gcc $GUEST_QEMU"
for arch in $arches; do
	missing=""
	for tool in $need_guest "$arch-linux-gnu-gcc" "qemu-$arch"; do
		command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
	done
	if [ -n "$missing" ]; then
		for p in $PROGRAMS; do echo "SKIP cross/$arch/$p: not installed:$missing (scripts/deps)"; done
		continue
	fi

	log=$OUT/$arch-build.log
	if ! make --no-print-directory -j2 SAN= TSAN= CC="$arch-linux-gnu-gcc" BUILD="build/$arch" \
		LDFLAGS=-static "build/$arch/mvm" "build/$arch/libmvm.a" >"$log" 2>&1; then
		why=$(grep -m1 -E 'error:|undefined reference|No rule' "$log" | cut -c1-120)
		for p in $PROGRAMS; do
			echo "FAIL cross/$arch/$p: the monitor did not build for $arch: $why"
		done
		continue
	fi
	for p in $PROGRAMS; do
		guest_test "${p%.*}" "${p##*.}" "cross/$arch/$p" "qemu-$arch" "build/$arch/mvm"
	done
	# The block compiler of this host (rv/jit_a64.c), checked against the
	# interpreter by the differential unit test, as on x86-64 (s390x has
	# no backend: everything is interpreted there).
	if [ "$arch" = aarch64 ]; then
		jt=build/$arch/tests/unit/jit_test
		mkdir -p "$(dirname "$jt")"
		if ! $arch-linux-gnu-gcc -std=c11 -O1 -Wall -Wextra -Wno-unused-parameter -D_DEFAULT_SOURCE -D_GNU_SOURCE \
			-frounding-math -I. -Iinclude -static -o "$jt" tests/unit/jit_test.c "build/$arch/libmvm.a" -lm -lpthread \
			>"$OUT/$arch-jit.log" 2>&1; then
			echo "FAIL cross/$arch/jit: the unit test did not build: $(head -c 200 "$OUT/$arch-jit.log")"
		else
			timeout "$GUEST_TIMEOUT" "qemu-$arch" "$jt" >"$OUT/$arch-jit.out" 2>&1
			rc=$?
			if [ "$rc" != 0 ] || grep -q '^SKIP' "$OUT/$arch-jit.out" || ! grep -q '^PASS unit/jit_integer_ops' "$OUT/$arch-jit.out"; then
				echo "FAIL cross/$arch/jit: exit $rc: $(grep -m3 -E '^(FAIL|SKIP)' "$OUT/$arch-jit.out" | tr '\n' '|')"
			else
				echo "PASS cross/$arch/jit ($(grep -c '^PASS' "$OUT/$arch-jit.out") checks against the interpreter)"
			fi
		fi
		# And the fuzz_run target's oracle (compiled whole against
		# interpreted in budget slices) over its seed corpus and 300
		# fixed mutations of each (tests/cross/fuzz_replay.c).
		fr=build/$arch/tests/fuzz_replay
		if ! $arch-linux-gnu-gcc -std=c11 -O1 -Wall -Wextra -Wno-unused-parameter -D_DEFAULT_SOURCE -D_GNU_SOURCE \
			-frounding-math -I. -Iinclude -static -Wl,--wrap=host_time_monotonic_ns -o "$fr" tests/fuzz/fuzz_run.c \
			tests/cross/fuzz_replay.c "build/$arch/libmvm.a" -lm -lpthread >"$OUT/$arch-fuzz.log" 2>&1; then
			echo "FAIL cross/$arch/fuzz_run: it did not build: $(head -c 200 "$OUT/$arch-fuzz.log")"
		elif timeout "$GUEST_TIMEOUT" "qemu-$arch" "$fr" 300 tests/fuzz/corpus/fuzz_run/* >"$OUT/$arch-fuzz.out" 2>&1; then
			echo "PASS cross/$arch/fuzz_run ($(sed -n 's/^fuzz_replay: \([0-9]*\) inputs.*/\1/p' "$OUT/$arch-fuzz.out") inputs)"
		else
			echo "FAIL cross/$arch/fuzz_run: $(grep -m2 -E '^fuzz_' "$OUT/$arch-fuzz.out" | tr '\n' '|')"
		fi
	fi
done
guest_results_end
exit 0
