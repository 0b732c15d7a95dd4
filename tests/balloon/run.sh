#!/bin/sh
# Balloon suite (docs/balloon.md): a guest gives memory back when its
# monitor asks. Checked here:
#   - the BALLOON hypercall's rules (hc.c): refusals, given pages read as
#     zero and their neighbours keep their bytes, what is held; outside
#     mvm (qemu-riscv64, the oracle for "no monitor") it is -ENOSYS;
#   - an owner steering its VM's balloon through libmvm (owner.c, at
#     depth 2, lowered and trusted): asked for 4 MiB, the VM's driver
#     holds exactly that and the VM stays 4 MiB under the 12 MiB it holds
#     once the owner asks for nothing again; the guest's results are
#     qemu-riscv64's;
#   - mvm balloon NAME SIZE (the control socket): the VM's balloon holds
#     what is asked and its resident memory follows, down and up again;
#     a bad size or request is refused and the VM runs on;
#   - a fleet over budget settles by ballooning: four VMs that want
#     24 MiB each under host_mem 64M all end well (their results
#     qemu-riscv64's), the policy asked, the balloons held memory, and
#     the fleet's peak stayed under host_mem; the same VMs without their
#     driver run out of memory.
# Usage: tests/balloon/run.sh        MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
suite_begin balloon
TMO=120
ROOT=$(pwd)
CACHE=$ROOT/build/guests/cache

suite_needs "$CC" "$QEMU"
[ -x "$CACHE" ] || { fail build "$CACHE missing (make -C guests)"; exit 0; }
suite_build hc tests/balloon/hc.c
if ! [ "$OUT/owner" -nt tests/balloon/owner.c ] || ! [ "$OUT/owner" -nt build/rv64/libmvm.a ]; then
	sdk/mvm-cc --mvm -Wall -Wextra -o "$OUT/owner" tests/balloon/owner.c 2>"$OUT/owner.log" ||
		{ fail build "owner (see $OUT/owner.log)"; exit 0; }
fi

# ---- the hypercall
timeout $TMO "$MVM" run "$OUT/hc" >"$OUT/hc.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^hc done$' "$OUT/hc.out" && ! grep -q '^BAD' "$OUT/hc.out" &&
	[ "$(grep -c '^ok ' "$OUT/hc.out")" -eq 22 ]; then
	pass hypercall
else
	fail hypercall "exit $rc: $(grep -v '^ok ' "$OUT/hc.out" | head -n 3 | tr '\n' ' ')"
fi
timeout $TMO "$QEMU" "$OUT/hc" >"$OUT/hc.qemu" 2>&1
if grep -q '^hc: no monitor$' "$OUT/hc.qemu" && grep -q '^ok give outside mvm$' "$OUT/hc.qemu"; then
	pass outside-mvm
else
	fail outside-mvm "$(head -n 2 "$OUT/hc.qemu" | tr '\n' ' ')"
fi

# ---- an owner steering its VM's balloon
timeout $TMO "$QEMU" "$CACHE" 12 4 >"$OUT/cache12.qemu" 2>&1
want=$(sed -n 's/.*\(sum [0-9a-f]*\)$/\1/p' "$OUT/cache12.qemu")
[ -n "$want" ] || fail owner "qemu-riscv64 gave no sum: $(head -n 1 "$OUT/cache12.qemu")"
for mode in lowered trusted; do
	t=owner/$mode
	arg=; [ $mode = trusted ] && arg=trusted
	timeout $TMO "$MVM" run --dir "$ROOT/build/guests:/g" "$OUT/owner" /g/cache 12 4 1200000000 $arg \
		>"$OUT/owner.$mode" 2>&1
	rc=$?
	line=$(grep '^owner: phase 1' "$OUT/owner.$mode")
	p1=$(echo "$line" | sed -n 's/.*phase 1 at most \([0-9]*\) KiB.*/\1/p')
	asked=$(echo "$line" | sed -n 's/.*asked \([0-9]*\) KiB.*/\1/p')
	held=$(echo "$line" | sed -n 's/.*held \([0-9]*\) KiB.*/\1/p')
	p2=$(echo "$line" | sed -n 's/.*phase 2 at most \([0-9]*\) KiB.*/\1/p')
	if [ $rc -ne 0 ] || [ -z "$p1" ] || ! echo "$line" | grep -q 'exit 0 after'; then
		fail $t "exit $rc: $(tail -n 2 "$OUT/owner.$mode" | tr '\n' ' ')"
	elif [ "$asked" != 4096 ] || [ "$held" != 4096 ]; then
		fail $t "asked $asked KiB, held $held KiB (want 4096 and 4096)"
	elif [ "$p1" -gt $((12 * 1024 - 4096 + 1536)) ] || [ "$p2" -lt $((12 * 1024)) ] || [ "$p2" -lt $((p1 + 3072)) ]; then
		fail $t "resident at most $p1 KiB asked for 4 MiB, $p2 KiB after (want <= 9728 and >= 12288)"
	elif ! grep -q "^cache ok: .* $want$" "$OUT/owner.$mode"; then
		fail $t "the guest's result is not qemu-riscv64's ($want): $(grep '^cache' "$OUT/owner.$mode")"
	else
		pass $t
	fi
done

# ---- the control socket: mvm balloon NAME SIZE
export MVM_RUNTIME_DIR="$ROOT/$OUT/rt.$$"
rm -rf "$MVM_RUNTIME_DIR"
field() { "$MVM" stats bal --json 2>/dev/null | sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
# until FIELD OP VALUE holds (up to 10 s)
until_field() {
	i=0
	while [ $i -lt 100 ]; do
		v=$(field "$1")
		[ -n "$v" ] && [ "$v" "$2" "$3" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
"$MVM" run --name bal "$CACHE" 24 100000 >"$OUT/bal.out" 2>&1 &
pid=$!
t=control
if ! until_field resident_bytes -ge $((24 << 20)); then
	fail $t "the VM did not fill its cache: $(field resident_bytes) bytes"
elif ! "$MVM" balloon bal 8M >"$OUT/bal.1" 2>&1 || ! grep -q "asked for 8192 KiB" "$OUT/bal.1"; then
	fail $t "mvm balloon bal 8M: $(cat "$OUT/bal.1")"
elif ! until_field ballooned_bytes -eq $((8 << 20)) || ! until_field resident_bytes -le $((20 << 20)); then
	fail $t "asked for 8 MiB: holds $(field ballooned_bytes), resident $(field resident_bytes)"
elif ! "$MVM" balloon bal 0 >"$OUT/bal.2" 2>&1 || ! until_field ballooned_bytes -eq 0 ||
	! until_field resident_bytes -ge $((24 << 20)); then
	fail $t "asked for nothing: holds $(field ballooned_bytes), resident $(field resident_bytes): $(cat "$OUT/bal.2")"
else
	"$MVM" balloon bal lots >"$OUT/bal.3" 2>&1; r1=$?
	"$MVM" control bal '{"cmd":"balloon","bytes":-1}' >"$OUT/bal.4" 2>&1; r2=$?
	if [ $r1 = 125 ] && [ $r2 = 1 ] && grep -q '"ok":false' "$OUT/bal.4" && kill -0 $pid 2>/dev/null; then
		pass $t
	else
		fail $t "bad requests: exit $r1 ($(cat "$OUT/bal.3")), exit $r2 ($(cat "$OUT/bal.4"))"
	fi
fi
"$MVM" kill bal >/dev/null 2>&1
wait $pid
rm -rf "$MVM_RUNTIME_DIR"
unset MVM_RUNTIME_DIR

# ---- a fleet over budget settles
timeout $TMO "$QEMU" "$CACHE" 24 8 >"$OUT/cache24.qemu" 2>&1
want=$(sed -n 's/.*\(sum [0-9a-f]*\)$/\1/p' "$OUT/cache24.qemu")
for kind in balloon no-balloon; do
	extra=; [ $kind = no-balloon ] && extra=', "--no-balloon"'
	printf 'host_mem: 64M\nvms:\n' >"$OUT/$kind.yaml"
	for i in 1 2 3 4; do
		printf '  - {name: c%s, program: %s, args: ["24", "8"%s], output: %s/%s.%s.out}\n' \
			$i "$CACHE" "$extra" "$ROOT/$OUT" $kind $i >>"$OUT/$kind.yaml"
	done
	rm -f "$OUT/$kind".*.out
	timeout $TMO "$MVM" fleet --stats "$OUT/$kind.yaml" >"$OUT/$kind.log" 2>&1
	echo $? >"$OUT/$kind.rc"
done
rc=$(cat "$OUT/balloon.rc")
okn=$(cat "$OUT"/balloon.*.out 2>/dev/null | grep -c "^cache ok: .* $want$")
heldn=$(cat "$OUT"/balloon.*.out 2>/dev/null | grep -c 'balloon held at most [1-9][0-9]* KiB')
asked=$(sed -n 's/.*balloons: held up to [0-9]* KiB together; asked \([0-9]*\) times for more.*/\1/p' "$OUT/balloon.log")
together=$(sed -n 's/.*balloons: held up to \([0-9]*\) KiB together.*/\1/p' "$OUT/balloon.log")
peak=$(sed -n 's/.*host_mem: peak \([0-9]*\) KiB of.*/\1/p' "$OUT/balloon.log")
if [ "$rc" -ne 0 ] || [ "$okn" -ne 4 ]; then
	fail fleet-settles "exit $rc, $okn of 4 VMs ended with qemu-riscv64's result: $(grep -v weight "$OUT/balloon.log" | head -n 3 | tr '\n' ' ')"
elif [ "$heldn" -ne 4 ] || [ -z "$asked" ] || [ "$asked" -lt 1 ] || [ "${together:-0}" -lt 16384 ]; then
	fail fleet-settles "$heldn of 4 balloons held memory (${together:-no} KiB together), the policy asked ${asked:-no} times"
elif [ -z "$peak" ] || [ "$peak" -gt 65536 ]; then
	fail fleet-settles "peak ${peak:-unknown} KiB over host_mem"
else
	pass fleet-settles
fi
if [ "$(cat "$OUT/no-balloon.rc")" -ne 0 ] && grep -q 'out of memory' "$OUT/no-balloon.log"; then
	pass fleet-without-balloons
else
	fail fleet-without-balloons "the same VMs without their driver did not run out of memory: exit $(cat "$OUT/no-balloon.rc")"
fi
