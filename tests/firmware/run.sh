#!/bin/sh
# Firmware suite: real firmware on `mvm boot` (system mode), driven through
# the board's console as a user at a terminal would: Debian's OpenSBI
# (generic platform, fw_jump and fw_dynamic) starting Debian's U-Boot
# (qemu-riscv64_smode) in S mode, up to the U-Boot prompt, then U-Boot
# commands.
#
# Oracles: the firmware's own banners and command output; `md` is checked
# against the bytes of u-boot.bin itself (od), `version` against the
# version string inside the binary, and `poweroff` must end mvm with
# status 0 through OpenSBI's system reset (the SiFive test device).
# The disk runs give U-Boot a virtio disk holding an ext4 image made here
# with mke2fs: `virtio info` must show its size, `ext4load` must bring the
# file's bytes (checked with od), and a sector U-Boot writes must read back
# and be in the file afterwards (disk), only in the overlay (,snapshot),
# or be refused (,ro).
#
# The smp run boots the same on 4 harts (OpenSBI must find them all); the
# reset run asks U-Boot for a reset and must come back to its prompt.
#
# The sbi run is not U-Boot: tests/firmware/sbi/sbi.S, an S-mode kernel
# built here, uses OpenSBI's SBI on 2 harts (base, HSM start/stop, IPIs,
# the timer, remote fences, system reset). It runs non-interactively under
# qemu-system-riscv64 (the oracle: sbi.qemu-oracle) and under mvm (sbi);
# each must end with "# N ok, 0 failed" and exit 0 (the kernel shuts the
# board down through SRST), and mvm's kernel lines, from the kernel's
# marker line on (OpenSBI's banner before it names the boot hart, a
# lottery), must be qemu's.
#
# Nested (docs/board.md, "Nested"): depth3-disk and depth3-reset are the
# disk and reset runs with the board at depth 3 (`mvm boot --depth 3`,
# lowered nesting), trusted3-smp the smp run at depth 3 in trusted
# nesting; the same checks must pass.
#
# Usage: tests/firmware/run.sh [fw_jump|fw_dynamic|smp|reset|disk|disk-snapshot|disk-ro|sbi]...
#        (or depth3-KIND, trusted3-KIND)
#        MVM=path overrides build/mvm; SBI_CC, QEMU_SYSTEM_RISCV64 override
#        the sbi run's compiler and qemu
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
suite_begin firmware
FW_DIR=${OPENSBI_DIR:-/usr/lib/riscv64-linux-gnu/opensbi/generic}
UBOOT=${UBOOT_SMODE:-/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin}
T=${FIRMWARE_TIMEOUT:-60}
for f in "$FW_DIR/fw_jump.elf" "$FW_DIR/fw_dynamic.elf" "$UBOOT"; do
	[ -f "$f" ] || { echo "SKIP $SUITE: not installed: $f (scripts/deps: opensbi, u-boot-qemu)"; exit 0; }
done
kinds=${*:-fw_jump fw_dynamic smp reset disk disk-snapshot disk-ro sbi depth3-disk depth3-reset trusted3-smp snapshot}

# limited CMD...: CMD, killed after T seconds (status 124) if timeout(1) is
# there.
limited() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$T" "$@"
	else
		"$@"
	fi
}

# ---- the sbi run (tests/firmware/sbi)
SBI_SRC=tests/firmware/sbi
SBI_MARKER="sbi-test: start"

# sbi_lines FILE: the kernel's own lines of a run's output: from its marker
# line on, without the console's carriage returns.
sbi_lines() {
	tr -d '\r' <"$1" | sed -n "/^$SBI_MARKER\$/,\$p"
}

# sbi_clean FILE: 0 if the lines have no FAIL line and end with
# "# N ok, 0 failed".
sbi_clean() {
	! grep -q '^FAIL ' "$1" && tail -n 1 "$1" | grep -Eq '^# [0-9]+ ok, 0 failed$'
}

# sbi_why FILE: the first FAIL line, or the last line.
sbi_why() {
	w=$(grep -m 1 '^FAIL ' "$1" | cut -c 6-90)
	[ -n "$w" ] || w="last line '$(tail -n 1 "$1" | cut -c 1-60)'"
	echo "$w"
}

sbi_test() {
	if [ -n "${SBI_CC:-}" ]; then
		cc=$SBI_CC
	elif command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
		cc=riscv64-unknown-elf-gcc
	else
		cc=riscv64-linux-gnu-gcc
	fi
	qemu=${QEMU_SYSTEM_RISCV64:-qemu-system-riscv64}
	for tool in "$cc" "$qemu"; do
		command -v "$tool" >/dev/null 2>&1 || { echo "SKIP $SUITE/sbi: no $tool"; return; }
	done
	kern=$OUT/sbi.elf
	if ! [ "$kern" -nt "$SBI_SRC/sbi.S" ] || ! [ "$kern" -nt "$SBI_SRC/sbi.ld" ]; then
		# built under a private name and renamed: a concurrent run never
		# sees a half-written kernel
		if $cc -march=rv64gc -mabi=lp64d -mcmodel=medany -static -no-pie -nostdlib -nostartfiles \
			-ffreestanding -T "$SBI_SRC/sbi.ld" -Wl,--no-warn-rwx-segments,--build-id=none \
			-o "$kern.$$.tmp" "$SBI_SRC/sbi.S" >"$OUT/sbi.log" 2>&1; then
			mv -f "$kern.$$.tmp" "$kern"
		else
			rm -f "$kern.$$.tmp"
			fail sbi.build "$(grep -m 1 -i 'error' "$OUT/sbi.log" | cut -c 1-120)"
			return
		fi
	fi
	fw=$FW_DIR/fw_jump.elf
	limited "$qemu" -M virt -m 128M -smp 2 -bios "$fw" -kernel "$kern" -nographic -monitor none \
		-serial stdio </dev/null >"$OUT/sbi.qemu.out" 2>"$OUT/sbi.qemu.err"
	qrc=$?
	sbi_lines "$OUT/sbi.qemu.out" >"$OUT/sbi.qemu.lines"
	if [ "$qrc" = 124 ]; then
		fail sbi.qemu-oracle "qemu timed out (${T}s), $(sbi_why "$OUT/sbi.qemu.lines") ($OUT/sbi.qemu.out)"
		return
	elif [ "$qrc" != 0 ] || ! sbi_clean "$OUT/sbi.qemu.lines"; then
		fail sbi.qemu-oracle "under qemu exit $qrc, $(sbi_why "$OUT/sbi.qemu.lines") ($OUT/sbi.qemu.out)"
		return
	fi
	pass sbi.qemu-oracle
	limited "$MVM" boot --smp 2 --kernel "$kern" "$fw" </dev/null >"$OUT/sbi.mvm.out" 2>"$OUT/sbi.mvm.err"
	mrc=$?
	sbi_lines "$OUT/sbi.mvm.out" >"$OUT/sbi.mvm.lines"
	if [ "$mrc" = 124 ]; then
		if sbi_clean "$OUT/sbi.mvm.lines"; then
			w="every check passed, but the SRST shutdown did not end mvm"
			cmp -s "$OUT/sbi.qemu.lines" "$OUT/sbi.mvm.lines" && w="$w (its lines are qemu's)"
		else
			w=$(sbi_why "$OUT/sbi.mvm.lines")
		fi
		fail sbi "mvm timed out (${T}s): $w ($OUT/sbi.mvm.out)"
	elif [ "$mrc" != 0 ] || ! sbi_clean "$OUT/sbi.mvm.lines"; then
		e=$(head -n 1 "$OUT/sbi.mvm.err" | cut -c 1-80)
		# shellcheck disable=SC2016 # ($e is expanded: the quotes are text)
		fail sbi "under mvm exit $mrc, $(sbi_why "$OUT/sbi.mvm.lines")${e:+; stderr '$e'} ($OUT/sbi.mvm.out)"
	elif ! cmp -s "$OUT/sbi.qemu.lines" "$OUT/sbi.mvm.lines"; then
		fail sbi "output differs, $(guest_first_diff "$OUT/sbi.qemu.lines" "$OUT/sbi.mvm.lines")"
	else
		pass sbi
	fi
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$OUT/sbi.mvm.err"; then
		fail sbi.sanitizer "$(grep -m 1 -e 'WARNING' -e 'ERROR' -e 'runtime error:' "$OUT/sbi.mvm.err" | cut -c 1-120)"
	fi
}

# wait_for FILE TEXT: until FILE holds TEXT (a fixed string) or T seconds
# passed, or the monitor ended; 1 if it did not come.
wait_for() {
	i=0
	while [ "$i" -lt $((T * 10)) ]; do
		grep -qF -- "$2" "$1" && return 0
		kill -0 "$pid" 2>/dev/null || { grep -qF -- "$2" "$1"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# cmd LINE: types LINE at U-Boot's next prompt: waits until the output
# holds one more prompt than lines typed so far (U-Boot's ctrlc() eats
# keys typed while a command runs), then sends it.
cmd() {
	sent=$((sent + 1))
	i=0
	while [ "$(grep -o '=> ' "$o" | wc -l)" -lt "$sent" ] && [ "$i" -lt $((T * 20)) ]; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	printf '%s\n' "$1" >&3
}

# The first 16 bytes of u-boot.bin as U-Boot's md.l prints them.
want_md="80200000: $(od -An -tx4 -N16 "$UBOOT" | awk '{ printf "%s %s %s %s", $1, $2, $3, $4 }')"
want_version=$(grep -aom1 'U-Boot 20[0-9][0-9]\.[0-9][0-9][^ ]*' "$UBOOT")

# An ext4 image with one file, made by e2fsprogs' mke2fs (-d: from a
# directory, no root needed), as the virtio disk of the disk runs.
text="hello from ext4 on a virtio disk"
disk_ok=0
if command -v mke2fs >/dev/null 2>&1; then
	rm -rf "$OUT/disk.d" && mkdir -p "$OUT/disk.d" && printf '%s\n' "$text" >"$OUT/disk.d/hello.txt" &&
		rm -f "$OUT/base.img" && mke2fs -q -t ext4 -d "$OUT/disk.d" "$OUT/base.img" 4M >"$OUT/mke2fs.log" 2>&1 &&
		disk_ok=1
fi
SECTOR=7936	# 0x1f00: past what mke2fs wrote in 4 MiB (checked below)

# sector_text IMG: the first 32 bytes of sector $SECTOR of IMG, as text.
sector_text() { dd if="$1" bs=512 skip=$SECTOR count=1 2>/dev/null | head -c 32; }

# U-Boot's md.b line for the first 16 bytes of $text at ADDR.
md_line() {
	printf '%s: %s  %s' "$1" "$(printf '%s' "$text" | head -c 16 | od -An -tx1 | sed 's/^ *//; s/  */ /g')" \
		"$(printf '%s' "$text" | head -c 16)"
}

# start_mvm NAME ARGS...: mvm ARGS in the background on a fifo ($fifo, fd
# 3) with its output in $o; $pid.
start_mvm() {
	o=$OUT/$1.out
	fifo=$OUT/$1.in
	shift
	rm -f "$fifo" "$o"
	mkfifo "$fifo" || return 1
	"$MVM" "$@" <"$fifo" >"$o" 2>"$o.err" &
	pid=$!
	exec 3>"$fifo"
	sent=0
}

# stop_mvm: closes the fifo and waits for mvm (T seconds at most): its
# exit status, or 124 if it had to be killed.
stop_mvm() {
	exec 3>&-
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((T * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$fifo"
		return 124
	fi
	wait "$pid"
	st=$?
	rm -f "$fifo"
	return $st
}

# The snapshot run (docs/board.md, "Snapshots"): U-Boot with the ext4
# disk loads the file into RAM; the monitor prompt's `snapshot FILE`
# saves the board, which then powers off. `mvm restore FILE` must come
# back to U-Boot's prompt with that RAM (md.b shows the file's bytes at
# the address it was loaded to before the snapshot), a working virtio
# disk (ext4load again, to another address) and power off with status 0.
snapshot_test() {
	k=snapshot
	if [ "$disk_ok" != 1 ]; then
		fail "$k" "cannot make an ext4 image (mke2fs, $OUT/mke2fs.log)"
		return
	fi
	cp "$OUT/base.img" "$OUT/$k.img"
	snap=$OUT/$k.snap
	rm -f "$snap"
	start_mvm "$k" boot --disk "$OUT/$k.img" --kernel "$UBOOT" "$FW_DIR/fw_jump.elf" ||
		{ fail "$k" "cannot make a fifo"; return; }
	ok=0
	if wait_for "$o" "Hit any key to stop autoboot" && printf '\n' >&3 && wait_for "$o" "=> "; then
		cmd 'virtio scan'
		cmd 'ext4load virtio 0 0x84000000 hello.txt'
		cmd 'md.b 0x84000000 0x10'
		if wait_for "$o" "$(md_line 84000000)"; then
			printf '\001c' >&3
			wait_for "$o" "(mvm) " && printf 'snapshot %s\n' "$snap" >&3 &&
				wait_for "$o" "snapshot written to $snap" && ok=1
			printf '\001c\n' >&3
			sent=$((sent + 1))
			cmd poweroff
		fi
	fi
	stop_mvm
	rc=$?
	if [ "$ok" != 1 ] || [ ! -s "$snap" ]; then
		fail "$k.save" "no 'snapshot written to $snap' from the monitor ($o)"
		return
	elif [ "$rc" != 0 ]; then
		fail "$k.save" "the saved board did not go on to power off: exit $rc ($o)"
		return
	fi
	pass "$k.save"
	start_mvm "$k.restore" restore "$snap" || { fail "$k.restore" "cannot make a fifo"; return; }
	step=prompt
	printf '\n' >&3
	if wait_for "$o" "=> "; then
		step=ram
		cmd 'md.b 0x84000000 0x10'
		if wait_for "$o" "$(md_line 84000000)"; then
			step=disk
			cmd 'ext4load virtio 0 0x86000000 hello.txt'
			cmd 'md.b 0x86000000 0x10'
			wait_for "$o" "$(md_line 86000000)" && step=poweroff && cmd poweroff
		fi
	fi
	stop_mvm
	rc=$?
	if [ "$step" != poweroff ]; then
		fail "$k.restore" "restored, no $step ($o)"
	elif [ "$rc" != 0 ] || ! grep -qF "poweroff ..." "$o"; then
		fail "$k.restore" "restored, then exit $rc after poweroff ($o)"
	else
		pass "$k.restore"
	fi
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$OUT/$k.out.err" "$OUT/$k.restore.out.err"; then
		fail "$k.sanitizer" "$(cat "$OUT/$k.out.err" "$OUT/$k.restore.out.err" | grep -m 1 -e 'ERROR' -e 'runtime error:' | cut -c 1-120)"
	fi
}

for k in $kinds; do
	if [ "$k" = sbi ]; then
		sbi_test
		continue
	fi
	if [ "$k" = snapshot ]; then
		snapshot_test
		continue
	fi
	# depth3-KIND: KIND with the board at depth 3 (lowered nesting: the
	# real environment runs it for the innermost monitor); trusted3-KIND
	# the same in trusted nesting.
	base=${k#*3-}
	case $k in
	depth3-*) nest="--depth 3" ;;
	trusted3-*) nest="--depth 3 --nest-mode=trusted" ;;
	*) nest= ;;
	esac
	fw=$FW_DIR/$base.elf
	set --
	case $base in
	smp)
		fw=$FW_DIR/fw_jump.elf
		set -- --smp 4
		;;
	reset)
		fw=$FW_DIR/fw_jump.elf
		;;
	disk*)
		if [ "$disk_ok" != 1 ]; then
			fail "$k" "cannot make an ext4 image (mke2fs, $OUT/mke2fs.log)"
			continue
		fi
		if [ -n "$(sector_text "$OUT/base.img" | tr -d '\0')" ]; then
			fail "$k" "sector $SECTOR of the image is not empty"
			continue
		fi
		cp "$OUT/base.img" "$OUT/$k.img"
		fw=$FW_DIR/fw_jump.elf
		case $base in
		disk) set -- --disk "$OUT/$k.img" ;;
		disk-snapshot) set -- --disk "$OUT/$k.img,snapshot" ;;
		disk-ro) set -- --disk "$OUT/$k.img,ro" ;;
		esac
		;;
	esac
	# shellcheck disable=SC2086 # $nest is split at spaces on purpose
	start_mvm "$k" boot $nest "$@" --kernel "$UBOOT" "$fw" || { fail "$k" "cannot make a fifo"; continue; }
	step=opensbi
	if ! wait_for "$o" "Domain0 Next Mode         : S-mode"; then
		fail "$k.$step" "OpenSBI did not start U-Boot in S mode ($o)"
	else
		pass "$k.$step"
		if [ "$base" = smp ]; then
			if grep -q '^Platform HART Count *: 4' "$o" && grep -q '^Domain0 HARTs *: 0\*,1\*,2\*,3\*' "$o"; then
				pass "$k.harts"
			else
				fail "$k.harts" "OpenSBI did not find 4 harts ($o)"
			fi
		fi
		step=prompt
		sent=0
		if wait_for "$o" "Hit any key to stop autoboot" && printf '\n' >&3 && wait_for "$o" "=> "; then
			pass "$k.$step"
			case $base in
			reset)
				# U-Boot's reset: OpenSBI's system reset, through the test
				# device; the board starts again from its files.
				step=reset
				cmd reset
				i=0
				while [ "$(grep -c 'Hit any key to stop autoboot' "$o")" -lt 2 ] && [ "$i" -lt $((T * 10)) ]; do
					sleep 0.1
					i=$((i + 1))
				done
				if [ "$(grep -c '^OpenSBI v' "$o")" = 2 ] && printf '\n' >&3 &&
					wait_for "$o" "resetting ..." && cmd version &&
					wait_for "$o" "riscv64-linux-gnu-gcc"; then
					pass "$k.$step"
				else
					fail "$k.$step" "no second boot to a prompt after reset ($o)"
				fi
				;;
			fw_* | smp)
				step=version
				cmd version
				if wait_for "$o" "riscv64-linux-gnu-gcc" && grep -qF "$want_version" "$o"; then
					pass "$k.$step"
				else
					fail "$k.$step" "no '$want_version' ($o)"
				fi
				step=md
				cmd 'md.l 0x80200000 4'
				if wait_for "$o" "$want_md"; then
					pass "$k.$step"
				else
					fail "$k.$step" "no '$want_md' ($o)"
				fi
				;;
			disk*)
				step=virtio-info
				cmd 'virtio scan'
				cmd 'virtio info'
				if wait_for "$o" "Capacity: 4.0 MB = 0.0 GB (8192 x 512)"; then
					pass "$k.$step"
				else
					fail "$k.$step" "no 4 MiB virtio disk in 'virtio info' ($o)"
				fi
				step=ext4load
				cmd 'ext4load virtio 0 0x84000000 hello.txt'
				cmd 'md.b 0x84000000 0x10'
				if wait_for "$o" "$(md_line 84000000)"; then
					pass "$k.$step"
				else
					fail "$k.$step" "no '$(md_line 84000000)' ($o)"
				fi
				# Write the file's bytes to sector $SECTOR and read them back.
				step=write
				cmd "$(printf 'virtio write 0x84000000 %x 1' $SECTOR)"
				cmd "$(printf 'virtio read 0x85000000 %x 1' $SECTOR)"
				cmd 'md.b 0x85000000 0x10'
				if [ "$base" = disk-ro ]; then
					if wait_for "$o" "blocks written: ERROR"; then
						pass "$k.$step"
					else
						fail "$k.$step" "a write to a read-only disk did not fail ($o)"
					fi
				elif wait_for "$o" "$(md_line 85000000)"; then
					pass "$k.$step"
				else
					fail "$k.$step" "the sector read back is not what was written ($o)"
				fi
				;;
			esac
			step=poweroff
			cmd poweroff
		else
			fail "$k.$step" "no U-Boot prompt ($o)"
		fi
	fi
	# The monitor ends by itself after poweroff (or at the end of its input).
	stop_mvm
	rc=$?
	if [ "$step" = poweroff ]; then
		if [ "$rc" = 124 ]; then
			fail "$k.poweroff" "mvm did not end (${T}s)"
		elif [ "$rc" = 0 ] && grep -qF "poweroff ..." "$o"; then
			pass "$k.poweroff"
		else
			fail "$k.poweroff" "exit $rc"
		fi
	fi
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$o.err"; then
		fail "$k.sanitizer" "$(grep -m 1 -e 'WARNING' -e 'ERROR' -e 'runtime error:' "$o.err" | cut -c 1-120)"
	fi
	# What the disk file holds afterwards: the write, only without an overlay.
	case $base in
	disk*)
		got=$(sector_text "$OUT/$k.img" | tr -d '\0')
		if [ "$base" = disk ]; then
			want=$(printf '%s' "$text" | head -c 32)
		else
			want=
		fi
		if [ "$got" = "$want" ] && cmp -s -n $((SECTOR * 512)) "$OUT/$k.img" "$OUT/base.img"; then
			pass "$k.file"
		else
			fail "$k.file" "sector $SECTOR of the disk file holds '$got', want '$want' (or other sectors changed)"
		fi
		;;
	esac
done
exit 0
