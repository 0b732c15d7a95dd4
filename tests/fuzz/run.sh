#!/bin/sh
# Fuzz suite: builds each libFuzzer target (clang, -fsanitize=fuzzer,
# address,undefined) from the library sources it needs, replays the
# inputs that once broke it (tests/fuzz/regress/<target>/), then fuzzes it
# for FUZZ_TIME seconds from the committed seed corpus
# (tests/fuzz/corpus/<target>/) with a fixed random seed. A target passes
# when it ran that long with no crash, sanitizer report, leak, hang (an
# input running over 10 s) or broken invariant; otherwise the input that
# did it is kept under build/tests/fuzz/<target>/ and named in the FAIL line.
#
#   fuzz_decode  rv_decode on every parcel pair of the input
#   fuzz_elf     elf_load of the input into a fresh address space
#   fuzz_run     the input as guest code, run whole and in budget slices
#   fuzz_snap    the input as a snapshot file, read to its end (skipped,
#                with a SKIP line, where the build has no xxhash)
#   fuzz_restore the input as the sections of a process-mode VM, restored
#                into a fresh VM (user/save.c), which is then destroyed
#
# Usage: tests/fuzz/run.sh [target...]
#        tests/fuzz/run.sh --update-seeds   rewrite tests/fuzz/corpus from
#                                           seeds.S, elf_seed.S, snap_seed.c
#                                           and restore_seed.c
# Environment: FUZZ_TIME (seconds per target, default 20), FUZZ_CC (clang).
cd "$(dirname "$0")/../.." || exit 2
OUT=build/tests/fuzz
FUZZ_TIME=${FUZZ_TIME:-20}
FUZZ_CC=${FUZZ_CC:-clang}
RV=riscv64-linux-gnu
mkdir -p "$OUT" || exit 2

# The library sources each target links, and its extra flags.
sources() {
	case $1 in
	fuzz_decode) echo rv/decode.c ;;
	fuzz_elf) echo user/elf.c mem/*.c host/host.c host/thread.c host/file.c ;;
	fuzz_run) echo rv/*.c mem/*.c host/host.c host/thread.c host/file.c ;;
	fuzz_snap) echo snap/format.c host/file.c host/host.c ;;
	# The whole library: a restore makes a VM as mvm_vm_restore does.
	fuzz_restore) echo rv/*.c mem/*.c vm/*.c user/*.c host/*.c snap/*.c sys/*.c ;;
	esac
}
# The optional libraries the Makefile finds for this compiler: HAVE_CFLAGS
# (-DMVM_HAVE_XXHASH=1 ...) or HAVE_LIBS (-lzstd).
have() {
	make --no-print-directory -s CC="$FUZZ_CC" "print-HAVE_$1"
}
extra_flags() {
	case $1 in
	# fuzz_run fixes the clock the time CSR reads (see fuzz_run.c).
	fuzz_run) echo "-Wl,--wrap=host_time_monotonic_ns" ;;
	fuzz_snap) have CFLAGS ;;
	esac
}
# Libraries, after the sources that need them.
libs() {
	case $1 in
	fuzz_snap) have LIBS ;;
	fuzz_restore) echo -lm ;;
	esac
}
max_len() {
	case $1 in
	fuzz_elf | fuzz_restore) echo 16384 ;;   # fuzz_restore: room for a few pages
	*) echo 4096 ;;
	esac
}

update_seeds() {
	tmp=$OUT/seeds
	mkdir -p "$tmp" tests/fuzz/corpus/fuzz_decode tests/fuzz/corpus/fuzz_run tests/fuzz/corpus/fuzz_elf || return 1
	$RV-gcc -c -march=rv64gc_zba_zbb_zbs -o "$tmp/seeds.o" tests/fuzz/seeds.S &&
		$RV-ld -e 0 -o "$tmp/seeds.elf" "$tmp/seeds.o" || return 1
	for s in $($RV-readelf -SW "$tmp/seeds.elf" | sed -n 's/.*\] \.seed_\([a-z]*\) .*/\1/p'); do
		$RV-objcopy -O binary --only-section=".seed_$s" "$tmp/seeds.elf" "$tmp/$s" || return 1
		cp "$tmp/$s" "tests/fuzz/corpus/fuzz_decode/$s"
		# fuzz_run: the first byte picks the budget slice (0 -> 1, 2 -> 3).
		{ printf '\000'; cat "$tmp/$s"; } >"tests/fuzz/corpus/fuzz_run/$s"
		{ printf '\002'; cat "$tmp/$s"; } >"tests/fuzz/corpus/fuzz_run/$s-slice3"
	done
	$RV-gcc -nostdlib -Wl,--build-id=none -s -static -o tests/fuzz/corpus/fuzz_elf/static \
		tests/fuzz/elf_seed.S &&
		$RV-gcc -nostdlib -Wl,--build-id=none -s -fPIE -Wl,-pie,--no-dynamic-linker \
			-o tests/fuzz/corpus/fuzz_elf/static-pie tests/fuzz/elf_seed.S || return 1
	# fuzz_snap: snapshots from the real writer, with a fixed clock.
	mkdir -p tests/fuzz/corpus/fuzz_snap &&
		cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -I. -Iinclude $(FUZZ_CC=cc have CFLAGS) \
			-Wl,--wrap=host_time_realtime_ns -o "$tmp/snap_seed" tests/fuzz/snap_seed.c \
			$(sources fuzz_snap) $(FUZZ_CC=cc have LIBS) &&
		"$tmp/snap_seed" tests/fuzz/corpus/fuzz_snap || return 1
	# fuzz_restore: sections built by hand, that restore.
	mkdir -p tests/fuzz/corpus/fuzz_restore &&
		cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -I. -Iinclude -o "$tmp/restore_seed" \
			tests/fuzz/restore_seed.c snap/format.c host/file.c host/host.c &&
		"$tmp/restore_seed" tests/fuzz/corpus/fuzz_restore &&
		chmod a-x tests/fuzz/corpus/*/*   # data, not programs to run on the host
}

if [ "${1:-}" = --update-seeds ]; then
	update_seeds || { echo "run.sh: could not build the seeds (are $RV-gcc, libxxhash-dev and libzstd-dev installed?)" >&2; exit 1; }
	exit 0
fi

targets="$*"
[ -n "$targets" ] || targets="fuzz_decode fuzz_elf fuzz_run fuzz_snap fuzz_restore"

# Is libFuzzer there at all? One line per target says so if not.
why_not=""
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
	why_not="$FUZZ_CC not installed (Debian package clang)"
else
	printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }\n' >"$OUT/probe.c"
	if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$OUT/probe.c" >"$OUT/probe.log" 2>&1; then
		why_not="libFuzzer not available to $FUZZ_CC (Debian package libclang-rt-14-dev): $(grep -m 1 -i error "$OUT/probe.log" | cut -c1-120)"
	fi
fi

# first_finding LOG: the first line of LOG that says what went wrong.
first_finding() {
	grep -m 1 -E '^fuzz_[a-z]+: |ERROR: |runtime error:|ALARM: |out-of-memory|deadly signal' "$1" | cut -c1-200
}

for t in $targets; do
	if [ ! -f "tests/fuzz/$t.c" ]; then
		echo "FAIL fuzz/$t: no tests/fuzz/$t.c"
		continue
	fi
	if [ -n "$why_not" ]; then
		echo "FAIL fuzz/$t: $why_not"
		continue
	fi
	if [ "$t" = fuzz_snap ] && [ -z "$(have CFLAGS)" ]; then
		echo "SKIP fuzz/$t: no snapshots without xxhash (Debian package libxxhash-dev)"
		continue
	fi
	dir=$OUT/$t
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/findings" || exit 2
	bin=$dir/$t
	# shellcheck disable=SC2046
	if ! "$FUZZ_CC" -std=c11 -g -O1 -Wall -Wextra -Wno-unused-parameter -D_DEFAULT_SOURCE -D_GNU_SOURCE \
		-frounding-math -fno-strict-aliasing -pthread -I. -Iinclude \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		$(extra_flags "$t") -o "$bin" "tests/fuzz/$t.c" $(sources "$t") $(libs "$t") >"$dir/build.log" 2>&1; then
		echo "FAIL fuzz/$t: does not build: $(grep -m 1 -E 'error' "$dir/build.log" | cut -c1-160)"
		continue
	fi

	# Replay every input that once broke this target.
	for f in tests/fuzz/regress/"$t"/*; do
		[ -f "$f" ] || continue
		name=$(basename "$f")
		if timeout 60 "$bin" -timeout=10 "$f" >"$dir/regress-$name.log" 2>&1; then
			echo "PASS fuzz/$t/regress/$name"
		else
			echo "FAIL fuzz/$t/regress/$name: $(first_finding "$dir/regress-$name.log") (log $dir/regress-$name.log)"
		fi
	done

	# Fuzz a copy of the committed corpus: new inputs stay in build/.
	cp tests/fuzz/corpus/"$t"/* "$dir/corpus/" 2>/dev/null
	timeout $((FUZZ_TIME + 120)) "$bin" -seed=1 -max_total_time="$FUZZ_TIME" -runs=50000000 \
		-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" -print_final_stats=1 \
		-artifact_prefix="$dir/findings/" "$dir/corpus" >"$dir/fuzz.log" 2>&1
	rc=$?
	found=$(find "$dir/findings" -type f -exec basename {} \; | head -n 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
	if [ "$rc" -eq 0 ] && [ -z "$found" ] && [ -n "$runs" ]; then
		echo "PASS fuzz/$t"
	elif [ -n "$found" ]; then
		echo "FAIL fuzz/$t: $(first_finding "$dir/fuzz.log") (input $dir/findings/$found; log $dir/fuzz.log)"
	else
		echo "FAIL fuzz/$t: libFuzzer exited $rc without an input: $(tail -n 1 "$dir/fuzz.log" | cut -c1-160)"
	fi
done
exit 0
