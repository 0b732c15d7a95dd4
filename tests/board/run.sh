#!/bin/sh
# Board suite: bare-metal RV64GC kernels for `mvm boot`, the system-mode
# board laid out like QEMU's virt machine (README.md).
#
# Each tests/board/<name>.S (with lib.S, board.h, board.ld) is a kernel
# that checks its own results against expectations worked out by hand from
# the RISC-V privileged specification, prints "ok <case>" or
# "FAIL <case>: got ... want ...", then "# N ok, M failed", and powers the
# board off through the SiFive test device: success, or failure with code 1.
# A kernel passes only if
#   1. under qemu-system-riscv64 -M virt -bios none it prints no FAIL line,
#      ends with "# N ok, 0 failed" and exits 0 (this validates the
#      hand-worked expectations against an independent implementation),
#   2. under $MVM boot it does the same, and
#   3. both runs print the same output and exit with the same status;
# then the same when the mvm run is saved half way and restored
# (NAME.snapshot: docs/board.md, "Snapshots");
# and then the same under `mvm boot --depth 3` (lowered and trusted
# nesting) and `--depth 2 --nest-mode=emulate` (NAME.depth3,
# NAME.trusted3, NAME.emulate2).
#
# A kernel for several harts says how many in a comment line of its .S,
# "/* board-smp: 4 */": qemu gets -smp 4 and mvm --smp 4 (default 1).
# Devices come the same way: "/* board-qemu: OPTIONS */" and
# "/* board-mvm: OPTIONS */" add options to each run (split at spaces, no
# quoting); @DISK@ in them stands for a fresh copy of the test disk (mkdisk
# below), one for each run. After a run that had one, the copy must hold
# what it held before, but for the sector a "/* board-disk-written: N */"
# line names, which must hold the written pattern (mkdisk).
#
# Usage: tests/board/run.sh [name...]     MVM=path overrides build/mvm
#        BOARD_CC, QEMU_SYSTEM_RISCV64 override the compiler and qemu
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
suite_begin board
if [ -n "${BOARD_CC:-}" ]; then
	CC=$BOARD_CC
elif command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
	CC=riscv64-unknown-elf-gcc
else
	CC=riscv64-linux-gnu-gcc
fi
QEMU_SYSTEM=${QEMU_SYSTEM_RISCV64:-qemu-system-riscv64}
T=${BOARD_TIMEOUT:-30}
SRC=tests/board
suite_needs "$CC" "$QEMU_SYSTEM"

names="$*"
if [ -z "$names" ]; then
	for f in "$SRC"/*.S; do
		n=$(basename "$f" .S)
		[ "$n" = lib ] || names="$names $n"
	done
fi

limited() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$T" "$@"
	else
		"$@"
	fi
}

# build NAME: $OUT/NAME from NAME.S and lib.S, if stale; 1 on failure
# ($OUT/NAME.log says why).
build() {
	bin=$OUT/$1
	stale=0
	for dep in "$SRC/$1.S" "$SRC/lib.S" "$SRC/board.h" "$SRC/board.ld"; do
		[ "$bin" -nt "$dep" ] || stale=1
	done
	[ "$stale" = 0 ] && return 0
	# Built under a private name and renamed, so that a concurrent run
	# never sees a half-written kernel.
	if $CC -march=rv64gc -mabi=lp64d -mcmodel=medany -static -no-pie \
		-nostdlib -nostartfiles -ffreestanding -I"$SRC" -T "$SRC/board.ld" \
		-Wl,--no-warn-rwx-segments,--build-id=none -o "$bin.$$.tmp" "$SRC/lib.S" "$SRC/$1.S" \
		>"$bin.log" 2>&1; then
		mv -f "$bin.$$.tmp" "$bin"
	else
		rm -f "$bin.$$.tmp"
		return 1
	fi
}

# board_header FILE KEY: the value of a "board-KEY:" comment line, if any.
board_header() {
	sed -n "s/^[ /*#]*board-$2: *\\([^ *]*\\).*\$/\\1/p" "$1" | head -n 1
}

# board_opts FILE KEY: the rest of a "board-KEY:" comment line (up to its
# "*/"), if any.
board_opts() {
	sed -n "s/^[ /*#]*board-$2: *//p" "$1" | head -n 1 | sed 's/ *\*\/ *$//'
}

# mkdisk FILE [N]: the test disk, 64 KiB: word i (0..63, 8 bytes,
# little-endian) of sector s (0..127) is s << 32 | i; with N, sector N's
# words are 0xaa << 56 | N << 32 | i instead, as a kernel writes them.
mkdisk() {
	awk -v n="${2:--1}" 'BEGIN {
		for (s = 0; s < 128; s++) {
			l = ""
			for (i = 0; i < 64; i++)
				l = l sprintf("\\0%03o\\0\\0\\0\\0%03o\\0\\0%s", i, s, s == n ? "\\0252" : "\\0")
			print l
		}
	}' | while IFS= read -r l; do printf '%b' "$l"; done >"$1"
}

# disk_diff WANT GOT: where a disk image departs from what it should hold.
disk_diff() {
	b=$(cmp -l "$1" "$2" 2>/dev/null | head -n 1 | awk '{ print $1 }')
	if [ -n "$b" ]; then
		echo "first at byte $((b - 1)) (sector $(((b - 1) / 512)))"
	else
		echo "size $(wc -c <"$2") bytes, want $(wc -c <"$1")"
	fi
}

# clean FILE: 0 if FILE has no FAIL line and ends with "# N ok, 0 failed"
clean() {
	! grep -q '^FAIL ' "$1" && tail -n 1 "$1" | grep -Eq '^# [0-9]+ ok, 0 failed$'
}

# why FILE: the first FAIL line of a run, or its last line
why() {
	w=$(grep -m 1 '^FAIL ' "$1" | cut -c 6-90)
	[ -n "$w" ] || w="last line '$(tail -n 1 "$1" | cut -c 1-60)'"
	echo "$w"
}

# Has the monitor a boot command? (It may not yet.)
mvm_boot=yes
if [ ! -x "$MVM" ]; then
	mvm_boot="monitor $MVM not built"
elif ! "$MVM" boot --help >"$OUT/boot-help.out" 2>&1 ||
	grep -qi 'unknown command' "$OUT/boot-help.out"; then
	mvm_boot="mvm has no boot command"
fi

# mvm_case NAME NEST: kernel $k under `$MVM boot $NEST` (with $smp and
# $mopts, a fresh disk copy if it has one) must print what qemu printed,
# exit as it did and leave the disk as it should.
mvm_case() {
	img=$k.mvm.img
	[ "$disk" = yes ] && mkdisk "$img"
	# shellcheck disable=SC2086 # (options split at spaces on purpose)
	limited "$MVM" boot $2 --smp "$smp" $mopts "$k" </dev/null >"$k.mvm.out" 2>"$k.mvm.err"
	mrc=$?
	if [ "$mrc" = 124 ]; then
		fail "$1" "mvm timed out (${T}s) or ran out of budget (exit 124)"
	elif [ "$mrc" != 0 ] || ! clean "$k.mvm.out"; then
		e=$(head -n 1 "$k.mvm.err" | cut -c 1-80)
		# shellcheck disable=SC2016 # ($e is expanded: the quotes are text)
		fail "$1" "under mvm exit $mrc, $(why "$k.mvm.out")${e:+; stderr '$e'}"
	elif [ "$disk" = yes ] && ! cmp -s "$k.want.img" "$img"; then
		fail "$1" "under mvm the disk ends wrong, $(disk_diff "$k.want.img" "$img")"
	elif ! cmp -s "$k.qemu.out" "$k.mvm.out"; then
		fail "$1" "output differs, $(guest_first_diff "$k.qemu.out" "$k.mvm.out")"
	elif [ "$qrc" != "$mrc" ]; then
		fail "$1" "exit status qemu $qrc, mvm $mrc"
	else
		pass "$1"
	fi
}

# snapshot_case NAME N: kernel $k saved half way (--snapshot-at N/2
# --suspend: exit 120; earlier with several harts, see below), then
# `mvm restore`d: the two runs' output together
# must be what qemu printed, the restore must exit as qemu did, and the
# disk must end as it should.
snapshot_case() {
	if [ -z "$2" ] || [ "$2" -lt 2 ]; then
		fail "$1" "no instruction count from the run with --stats"
		return
	fi
	img=$k.mvm.img snap=$k.snap
	# With several harts the count differs from run to run (harts that
	# wait spin): a run that ends before its snapshot is tried again,
	# saved earlier.
	at=$(($2 / 2))
	while :; do
		[ "$disk" = yes ] && mkdisk "$img"
		rm -f "$snap"
		# shellcheck disable=SC2086
		limited "$MVM" boot --snapshot "$snap" --snapshot-at "$at" --suspend --smp "$smp" $mopts "$k" \
			</dev/null >"$k.snap1.out" 2>"$k.snap1.err"
		src=$?
		[ "$src" = 0 ] && [ "$smp" != 1 ] && [ "$at" -gt 1000 ] || break
		at=$((at / 4))
	done
	if [ "$src" != 120 ] || [ ! -s "$snap" ]; then
		fail "$1" "saving: exit $src, want 120; stderr '$(head -n 1 "$k.snap1.err" | cut -c 1-80)'"
		return
	fi
	limited "$MVM" restore "$snap" </dev/null >"$k.snap2.out" 2>"$k.snap2.err"
	rrc=$?
	cat "$k.snap1.out" "$k.snap2.out" >"$k.snap.out"
	if [ "$rrc" != "$qrc" ]; then
		fail "$1" "restored: exit $rrc, want $qrc; stderr '$(head -n 1 "$k.snap2.err" | cut -c 1-80)'"
	elif ! cmp -s "$k.qemu.out" "$k.snap.out"; then
		fail "$1" "output differs, $(guest_first_diff "$k.qemu.out" "$k.snap.out")"
	elif [ "$disk" = yes ] && ! cmp -s "$k.want.img" "$img"; then
		fail "$1" "the disk ends wrong, $(disk_diff "$k.want.img" "$img")"
	else
		pass "$1"
	fi
}

for n in $names; do
	[ "$n" = htif ] && continue	# below
	if [ ! -f "$SRC/$n.S" ]; then
		fail "$n" "no $SRC/$n.S"
		continue
	fi
	if ! build "$n"; then
		fail "$n" "build failed: $(grep -m 1 -i 'error' "$OUT/$n.log" | cut -c 1-120)"
		continue
	fi
	smp=$(board_header "$SRC/$n.S" smp)
	case ${smp:-1} in
	[1-8]) smp=${smp:-1} ;;
	*)
		fail "$n" "board-smp: '$smp' is not a number of harts from 1 to 8"
		continue
		;;
	esac
	k=$OUT/$n
	qopts=$(board_opts "$SRC/$n.S" qemu)
	mopts=$(board_opts "$SRC/$n.S" mvm)
	written=$(board_header "$SRC/$n.S" disk-written)
	case $written in
	'' | [0-9] | [0-9][0-9] | 1[01][0-9] | 12[0-7]) ;;
	*)
		fail "$n" "board-disk-written: '$written' is not a sector from 0 to 127"
		continue
		;;
	esac
	disk=no
	case "$qopts $mopts" in *@DISK@*) disk=yes ;; esac
	if [ "$disk" = yes ]; then
		mkdisk "$k.qemu.img"
		mkdisk "$k.want.img" "$written"
		qopts=$(echo "$qopts" | sed "s|@DISK@|$k.qemu.img|g")
		mopts=$(echo "$mopts" | sed "s|@DISK@|$k.mvm.img|g")
	fi
	# The board's virtio-mmio transports are version 2 (QEMU 7.2's are
	# legacy, version 1, unless told). $qopts and $mopts are split at
	# spaces on purpose.
	# shellcheck disable=SC2086
	limited "$QEMU_SYSTEM" -M virt -m 128M -smp "$smp" -bios none -nographic \
		-monitor none -serial stdio -global virtio-mmio.force-legacy=false \
		$qopts -kernel "$k" \
		</dev/null >"$k.qemu.out" 2>"$k.qemu.err"
	qrc=$?
	if [ "$qrc" = 124 ]; then
		fail "$n" "under qemu it timed out (${T}s)"
		continue
	elif [ "$qrc" != 0 ] || ! clean "$k.qemu.out"; then
		e=$(head -n 1 "$k.qemu.err" | cut -c 1-80)
		# shellcheck disable=SC2016 # ($e is expanded: the quotes are text)
		fail "$n" "under qemu exit $qrc, $(why "$k.qemu.out")${e:+; stderr '$e'}"
		continue
	elif [ "$disk" = yes ] && ! cmp -s "$k.want.img" "$k.qemu.img"; then
		fail "$n" "under qemu the disk ends wrong, $(disk_diff "$k.want.img" "$k.qemu.img")"
		continue
	fi
	if [ "$mvm_boot" != yes ]; then
		fail "$n" "$mvm_boot"
		continue
	fi
	mvm_case "$n" "--stats"
	snapshot_case "$n.snapshot" "$(sed -n 's/^mvm: stats: \([0-9][0-9]*\) instructions.*/\1/p' "$k.mvm.err")"
	# Nested (docs/board.md, "Nested"): the same board made at depth 3 by
	# the monitor's own RV64 build in lowered nesting (the real
	# environment runs it) and in trusted nesting, and at depth 2
	# emulated (the RV64 build runs the board itself, interpreted by the
	# level below): the same output, status and disk.
	mvm_case "$n.depth3" "--depth 3"
	mvm_case "$n.trusted3" "--depth 3 --nest-mode=trusted"
	mvm_case "$n.emulate2" "--depth 2 --nest-mode=emulate"
done
# ---- HTIF (tests/board/htif/): built alone (no lib.S, no UART), run under
# qemu-system-riscv64 -M spike, which has HTIF. QEMU serves the console
# and the exit, not riscv-fesvr's system calls: mvm must print what QEMU
# printed, then the line the write system call gives, and exit as QEMU did.
htif_test() {
	n=htif
	k=$OUT/htif
	if ! [ "$k" -nt "$SRC/htif/htif.S" ] || ! [ "$k" -nt "$SRC/htif/htif.ld" ]; then
		if ! $CC -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -no-pie -T "$SRC/htif/htif.ld" \
			-Wl,--no-warn-rwx-segments,--build-id=none -o "$k" "$SRC/htif/htif.S" >"$k.log" 2>&1; then
			fail "$n" "build failed: $(grep -m 1 -i 'error' "$k.log" | cut -c 1-120)"
			return
		fi
	fi
	limited "$QEMU_SYSTEM" -M spike -bios none -nographic -monitor none -serial stdio -kernel "$k" \
		</dev/null >"$k.qemu.out" 2>"$k.qemu.err"
	qrc=$?
	if [ "$qrc" != 3 ] || [ "$(cat "$k.qemu.out")" != "hello via htif" ]; then
		fail "$n" "under qemu exit $qrc, output '$(head -c 60 "$k.qemu.out")'"
		return
	fi
	limited "$MVM" boot "$k" </dev/null >"$k.mvm.out" 2>"$k.mvm.err"
	mrc=$?
	{ cat "$k.qemu.out"; echo "write syscall"; } >"$k.want"
	if [ "$mrc" != "$qrc" ]; then
		fail "$n" "exit status qemu $qrc, mvm $mrc"
	elif ! cmp -s "$k.want" "$k.mvm.out"; then
		fail "$n" "mvm printed '$(head -c 60 "$k.mvm.out" | tr '\n' '|')'"
	else
		pass "$n"
	fi
	# Saved half way and restored (its device's page with it): the same.
	limited "$MVM" boot --stats "$k" </dev/null >/dev/null 2>"$k.stats.err"
	half=$(($(sed -n 's/^mvm: stats: \([0-9][0-9]*\) instructions.*/\1/p' "$k.stats.err") / 2))
	rm -f "$k.snap"
	limited "$MVM" boot --snapshot "$k.snap" --snapshot-at "$half" --suspend "$k" </dev/null >"$k.snap1.out" 2>"$k.snap1.err"
	src=$?
	limited "$MVM" restore "$k.snap" </dev/null >"$k.snap2.out" 2>"$k.snap2.err"
	rrc=$?
	if [ "$src" != 120 ] || [ "$rrc" != "$qrc" ]; then
		fail "$n.snapshot" "saving exit $src (want 120), restored exit $rrc (want $qrc): '$(head -c 80 "$k.snap1.err" "$k.snap2.err" | tr '\n' '|')'"
	elif ! cat "$k.snap1.out" "$k.snap2.out" | cmp -s "$k.want" -; then
		fail "$n.snapshot" "the two runs printed '$(cat "$k.snap1.out" "$k.snap2.out" | head -c 60 | tr '\n' '|')'"
	else
		pass "$n.snapshot"
	fi
}
if [ -z "$*" ] || echo " $* " | grep -q ' htif '; then
	htif_test
fi
exit 0
