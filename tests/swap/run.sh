#!/bin/sh
# Swap suite (docs/fleet.md, "Memory"): a fleet whose VMs want more than
# host_mem writes cold pages to a swap file and reads them back on touch.
# Checked here (each guest's output against qemu-riscv64's, the oracle):
#   - round trip: two VMs fill 24 MiB and sleep while a third grows to
#     40 MiB (88 MiB wanted, 64 MiB allowed): every word comes back, pages
#     went out and came back, none corrupt, the peak stayed under host_mem,
#     and the swap directory is empty afterwards;
#   - thrashing: three VMs keep 32 MiB each hot under 64 MiB: slow, but
#     every VM ends with qemu's result;
#   - a corrupt swap page: while a VM sleeps with its pages out, the swap
#     file is overwritten (through /proc); the VM, touching them, is
#     stopped with a line naming the page and the slot (exit 137), its
#     neighbour having ended well; the fleet's stats report it swapped;
#   - bad settings: swap without host_mem, a directory that is not there
#     (exit 125, one line);
#   - one VM (mvm run --host-mem 32M --swap DIR) touching 48 MiB: qemu's
#     checksum, pages out and back, the peak under the limit; without
#     --swap it runs out of memory (137); bad settings of run (125).
# Usage: tests/swap/run.sh        MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
suite_begin swap
TMO=120
ROOT=$(pwd)
ABS=$ROOT/$OUT
HOLD=$ABS/hold
TOUCH=$ROOT/build/guests/touch

suite_needs "$CC" "$QEMU"
suite_needs_manifests
suite_build hold tests/swap/hold.c      # that is, $HOLD
rm -rf "$OUT/dir" && mkdir -p "$OUT/dir"

# want FILE ARGS...: qemu-riscv64's line for the guest
want() { timeout $TMO "$QEMU" "$@" 2>/dev/null | grep ' ok'; }

# ---- round trip
w1=$(want "$HOLD" 24 0 1); w2=$(want "$HOLD" 24 0 2); w3=$(want "$HOLD" 40 0 3)
cat >"$OUT/trip.yaml" <<EOT
host_mem: 64M
swap: $ABS/dir
vms:
  - {name: v1, program: $HOLD, args: ["24", "3", "1"], output: $ABS/trip.1}
  - {name: v2, program: $HOLD, args: ["24", "3", "2"], output: $ABS/trip.2}
  - {name: hog, program: $HOLD, args: ["40", "0", "3", "20"], output: $ABS/trip.3}
EOT
timeout $TMO "$MVM" fleet --stats "$OUT/trip.yaml" >"$OUT/trip.log" 2>&1
rc=$?
out=$(sed -n 's/.*swap: \([0-9]*\) pages written out, \([0-9]*\) read back, \([0-9]*\) came back corrupt.*/\1 \2 \3/p' "$OUT/trip.log")
peak=$(sed -n 's/.*host_mem: peak \([0-9]*\) KiB of.*/\1/p' "$OUT/trip.log")
set -- $out
if [ $rc -ne 0 ] || [ "$(cat "$OUT/trip.1")" != "$w1" ] || [ "$(cat "$OUT/trip.2")" != "$w2" ] ||
	[ "$(cat "$OUT/trip.3")" != "$w3" ] || [ -z "$w1" ]; then
	fail round-trip "exit $rc, outputs not qemu-riscv64's: $(cat "$OUT"/trip.[123] | tr '\n' ' ') $(grep -v weight "$OUT/trip.log" | head -n 3 | tr '\n' ' ')"
elif [ -z "$out" ] || [ "$1" -lt 2048 ] || [ "$2" -lt 1024 ] || [ "$3" -ne 0 ]; then
	fail round-trip "swap: ${out:-no line} (want >= 2048 out, >= 1024 back, 0 corrupt)"
elif [ -z "$peak" ] || [ "$peak" -gt 65536 ]; then
	fail round-trip "peak ${peak:-unknown} KiB over host_mem"
elif [ -n "$(ls -A "$OUT/dir")" ]; then
	fail round-trip "the swap directory is not empty: $(ls -A "$OUT/dir")"
else
	pass round-trip
fi

# ---- thrashing
cat >"$OUT/thrash.yaml" <<EOT
host_mem: 64M
swap: $ABS/dir
vms:
EOT
ok=1
for i in 1 2 3; do
	printf '  - {name: t%s, program: %s, args: ["32", "1", "%s"], output: %s/thrash.%s}\n' \
		$i "$TOUCH" $i "$ABS" $i >>"$OUT/thrash.yaml"
done
timeout $TMO "$MVM" fleet --stats "$OUT/thrash.yaml" >"$OUT/thrash.log" 2>&1
rc=$?
for i in 1 2 3; do
	[ "$(grep ' ok' "$OUT/thrash.$i")" = "$(want "$TOUCH" 32 0 $i)" ] || ok=0
done
out=$(sed -n 's/.*swap: \([0-9]*\) pages written out.*/\1/p' "$OUT/thrash.log")
if [ $rc -eq 0 ] && [ $ok = 1 ] && [ -n "$out" ] && [ "$out" -gt 0 ]; then
	pass thrash
else
	fail thrash "exit $rc, outputs like qemu's: $ok, ${out:-no} pages out: $(grep -v weight "$OUT/thrash.log" | head -n 3 | tr '\n' ' ')"
fi

# ---- a corrupt swap page
export MVM_RUNTIME_DIR="$ABS/rt.$$"
rm -rf "$MVM_RUNTIME_DIR"
cat >"$OUT/bad.yaml" <<EOT
host_mem: 64M
swap: $ABS/dir
vms:
  - {name: victim, program: $HOLD, args: ["16", "8", "4"], output: $ABS/bad.1}
  - {name: hog, program: $HOLD, args: ["56", "0", "5", "20"], output: $ABS/bad.2}
EOT
w2=$(want "$HOLD" 56 0 5)
"$MVM" fleet --stats --name swaptest "$OUT/bad.yaml" >"$OUT/bad.log" 2>&1 &
pid=$!
# Until the hog has ended and the victim's pages are out (up to 60 s).
swapped=0; i=0
while [ $i -lt 600 ]; do
	if [ -s "$OUT/bad.2" ]; then
		swapped=$("$MVM" stats swaptest/victim --json 2>/dev/null | sed -n 's/.*"swapped_bytes": *\([0-9]*\).*/\1/p')
		[ "${swapped:-0}" -ge 4194304 ] && break
	fi
	sleep 0.1; i=$((i + 1))
done
fd=$(ls -l "/proc/$pid/fd" 2>/dev/null | sed -n 's/.* \([0-9]*\) -> .*mvm-swap.*(deleted)$/\1/p' | head -n 1)
if [ -n "$fd" ]; then
	size=$(stat -L -c %s "/proc/$pid/fd/$fd")
	dd if=/dev/urandom of="/proc/$pid/fd/$fd" bs=4096 seek=1 count=$((size / 4096)) conv=notrunc 2>/dev/null
fi
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt $((TMO * 10)) ]; do
	sleep 0.1; i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid
rc=$?
if [ -z "$fd" ] || [ "${swapped:-0}" -lt 4194304 ]; then
	fail corrupt-page "no swap file found in the monitor (fd '${fd}') or too little swapped (${swapped:-0} bytes)"
elif [ $rc -ne 137 ] || ! grep -q "victim: guest memory lost: the page at 0x[0-9a-f]*: swap slot [0-9]* came back corrupt" "$OUT/bad.log"; then
	fail corrupt-page "exit $rc: $(grep -v weight "$OUT/bad.log" | head -n 3 | tr '\n' ' ')"
elif [ -s "$OUT/bad.1" ] || [ "$(cat "$OUT/bad.2")" != "$w2" ] || ! grep -q "hog: .*exit 0$" "$OUT/bad.log"; then
	fail corrupt-page "the victim printed '$(cat "$OUT/bad.1")', the hog '$(cat "$OUT/bad.2")' (want '$w2', exit 0)"
else
	pass corrupt-page
fi
rm -rf "$MVM_RUNTIME_DIR"

# ---- bad settings
printf 'swap: %s\nvms: [{name: a, program: %s}]\n' "$ABS/dir" "$HOLD" >"$OUT/nohost.yaml"
printf 'host_mem: 64M\nswap: %s/nowhere\nvms: [{name: a, program: %s, args: ["1", "0", "1"]}]\n' "$ABS" "$HOLD" >"$OUT/nodir.yaml"
"$MVM" fleet "$OUT/nohost.yaml" >"$OUT/nohost.out" 2>&1; r1=$?
"$MVM" fleet "$OUT/nodir.yaml" >"$OUT/nodir.out" 2>&1; r2=$?
if [ $r1 = 125 ] && grep -q "swap needs host_mem" "$OUT/nohost.out" && [ "$(wc -l <"$OUT/nohost.out")" = 1 ] &&
	[ $r2 = 125 ] && grep -q "swap .*nowhere: cannot make a swap file there: No such file or directory" "$OUT/nodir.out" &&
	[ "$(wc -l <"$OUT/nodir.out")" = 1 ]; then
	pass bad-settings
else
	fail bad-settings "exit $r1: $(cat "$OUT/nohost.out"); exit $r2: $(cat "$OUT/nodir.out")"
fi

# ---- one VM: mvm run --host-mem 32M --swap DIR, a guest touching 48 MiB
# over and over (its pages go out and come back every sweep): qemu's
# checksum, pages out and back, none corrupt, the peak at most 32 MiB, the
# directory empty after; without --swap the same VM runs out of memory.
w=$(want "$TOUCH" 48 1)
timeout $TMO "$MVM" run --host-mem 32M --swap "$ABS/dir" --stats "$TOUCH" 48 1 >"$OUT/run.out" 2>"$OUT/run.err"
rc=$?
out=$(sed -n 's/^mvm: stats: swap: \([0-9]*\) pages written out, \([0-9]*\) read back, \([0-9]*\) came back corrupt.*/\1 \2 \3/p' "$OUT/run.err")
peak=$(sed -n 's/^mvm: stats: host memory: peak \([0-9]*\) KiB of 32768 KiB$/\1/p' "$OUT/run.err")
set -- $out
if [ $rc -ne 0 ] || [ -z "$w" ] || [ "$(grep ' ok' "$OUT/run.out")" != "$w" ]; then
	fail run-round-trip "exit $rc, printed '$(head -c 100 "$OUT/run.out")' (qemu: '$w'): $(grep -v '^mvm: stats: [0-9]' "$OUT/run.err" | head -n 3 | tr '\n' ' ')"
elif [ -z "$out" ] || [ "$1" -lt 4096 ] || [ "$2" -lt 2048 ] || [ "$3" -ne 0 ]; then
	fail run-round-trip "swap: ${out:-no line} (want >= 4096 out, >= 2048 back, 0 corrupt)"
elif [ -z "$peak" ] || [ "$peak" -gt 32768 ]; then
	fail run-round-trip "peak ${peak:-unknown} KiB over --host-mem"
elif [ -n "$(ls -A "$OUT/dir")" ]; then
	fail run-round-trip "the swap directory is not empty: $(ls -A "$OUT/dir")"
else
	timeout $TMO "$MVM" run --host-mem 32M "$TOUCH" 48 1 >"$OUT/run2.out" 2>"$OUT/run2.err"
	rc=$?
	if [ $rc = 137 ] && grep -q "^mvm: guest out of memory (the limit was reached; raise --mem or --host-mem, or give --swap)" "$OUT/run2.err"; then
		pass run-round-trip
	else
		fail run-round-trip "without --swap: exit $rc (want 137): $(head -n 2 "$OUT/run2.err" | tr '\n' ' ')"
	fi
fi

# ---- one VM, bad settings: each a usage error (exit 125), one line
bad=
for args in "--swap $ABS/dir" "--host-mem 32M --swap-max 16M" "--host-mem 3" "--host-mem 32M --swap $ABS/nowhere"; do
	# shellcheck disable=SC2086
	"$MVM" run $args "$HOLD" 1 0 1 >"$OUT/runbad.out" 2>&1; r=$?
	[ $r = 125 ] && [ "$(wc -l <"$OUT/runbad.out")" = 1 ] || bad="$bad [$args: exit $r: $(cat "$OUT/runbad.out")]"
done
if [ -z "$bad" ] && grep -q "^mvm: --swap $ABS/nowhere: cannot make a swap file there: No such file or directory$" "$OUT/runbad.out"; then
	pass run-bad-settings
else
	fail run-bad-settings "${bad:-the last: $(cat "$OUT/runbad.out")}"
fi
