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
#
# Usage: tests/firmware/run.sh [fw_jump|fw_dynamic]...   MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
suite_begin firmware
FW_DIR=${OPENSBI_DIR:-/usr/lib/riscv64-linux-gnu/opensbi/generic}
UBOOT=${UBOOT_SMODE:-/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin}
T=${FIRMWARE_TIMEOUT:-60}
for f in "$FW_DIR/fw_jump.elf" "$FW_DIR/fw_dynamic.elf" "$UBOOT"; do
	[ -f "$f" ] || { echo "SKIP $SUITE: not installed: $f (scripts/deps: opensbi, u-boot-qemu)"; exit 0; }
done
kinds=${*:-fw_jump fw_dynamic}

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

# The first 16 bytes of u-boot.bin as U-Boot's md.l prints them.
want_md="80200000: $(od -An -tx4 -N16 "$UBOOT" | awk '{ printf "%s %s %s %s", $1, $2, $3, $4 }')"
want_version=$(grep -aom1 'U-Boot 20[0-9][0-9]\.[0-9][0-9][^ ]*' "$UBOOT")

for k in $kinds; do
	o=$OUT/$k.out
	fifo=$OUT/$k.in
	rm -f "$fifo" "$o"
	mkfifo "$fifo" || { fail "$k" "cannot make a fifo"; continue; }
	"$MVM" boot --kernel "$UBOOT" "$FW_DIR/$k.elf" <"$fifo" >"$o" 2>"$OUT/$k.err" &
	pid=$!
	exec 3>"$fifo"
	step=opensbi
	if ! wait_for "$o" "Domain0 Next Mode         : S-mode"; then
		fail "$k.$step" "OpenSBI did not start U-Boot in S mode ($o)"
	else
		pass "$k.$step"
		step=prompt
		if wait_for "$o" "Hit any key to stop autoboot" && printf '\n' >&3 && wait_for "$o" "=> "; then
			pass "$k.$step"
			step=version
			printf 'version\n' >&3
			if wait_for "$o" "riscv64-linux-gnu-gcc" && grep -qF "$want_version" "$o"; then
				pass "$k.$step"
			else
				fail "$k.$step" "no '$want_version' ($o)"
			fi
			step=md
			printf 'md.l 0x80200000 4\n' >&3
			if wait_for "$o" "$want_md"; then
				pass "$k.$step"
			else
				fail "$k.$step" "no '$want_md' ($o)"
			fi
			step=poweroff
			printf 'poweroff\n' >&3
		else
			fail "$k.$step" "no U-Boot prompt ($o)"
		fi
	fi
	exec 3>&-
	# The monitor ends by itself after poweroff (or at the end of its input).
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((T * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		[ "$step" = poweroff ] && fail "$k.poweroff" "mvm did not end (${T}s)"
	else
		wait "$pid"
		rc=$?
		if [ "$step" = poweroff ]; then
			if [ "$rc" = 0 ] && grep -qF "poweroff ..." "$o"; then
				pass "$k.poweroff"
			else
				fail "$k.poweroff" "exit $rc"
			fi
		fi
	fi
	rm -f "$fifo"
done
exit 0
