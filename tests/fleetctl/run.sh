#!/bin/sh
# Fleet control suite (docs/control.md, "Fleets"): `mvm fleet --name F`
# serves one control socket for its VMs. Checked here:
#   - mvm ps lists the fleet and its VMs under it; stats F/VM --json
#     parses and its instructions grow; stats F is the whole fleet;
#   - pause F/VM: its instruction count stands still over 0.5 s while
#     another VM's grows; resume: it grows again, at its share (no more
#     than 1.5 times another's: the time it was paused is not owed);
#   - kill F/VM: the fleet reports that VM with status 137 and the others
#     run to their own ends (exit 0), the fleet exits 137;
#   - bad requests (malformed JSON, unknown command, an unknown VM, "vm"
#     not a string, a line over 64 KiB, snapshot and migrate of a fleet
#     VM, pause without a VM) get an error and change nothing: that fleet
#     runs on to its normal end and exits 0;
#   - a fleet name in use or malformed is refused (exit 125); NAME/VM
#     sent to a single VM is refused, and the VM runs on;
#   - mvm top -n 2 (not a terminal: plain tables) names every VM, with a
#     nonzero instructions a second for a spinning one and nothing
#     swapped or ballooned (no host_mem);
#   - VMs a guest made (guests/spawn) are listed under it (list, ps).
# Usage: tests/fleetctl/run.sh        MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
suite_begin fleetctl
TMO=120
ABS=$(pwd)/$OUT
export MVM_RUNTIME_DIR="$ABS/rt.$$"
rm -rf "$MVM_RUNTIME_DIR"

suite_needs "$CC"
if "$MVM" ps 2>&1 | grep -q "no control socket"; then
	echo "SKIP fleetctl: $("$MVM" ps 2>&1 | head -n 1)"
	exit 0
fi
suite_needs_manifests
suite_build spin tests/fleet/spin.c
SPAWN=$(pwd)/build/guests/spawn

# wait_named NAME: until mvm ps lists NAME (up to 10 s).
wait_named() {
	i=0
	while ! "$MVM" ps 2>/dev/null | grep -q "^$1 " && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
# field JSON KEY: the first number or string value of KEY in one line of
# JSON (the VM's own: the VMs its guest made come after).
field() {
	echo "$1" | grep -o "\"$2\":\"\\{0,1\\}[^,\"}]*" | head -n 1 | sed "s/^\"$2\":\"\\{0,1\\}//"
}
# parses JSON: true if it is one JSON object (python3's parser, if there).
parses() {
	command -v python3 >/dev/null 2>&1 || return 0
	echo "$1" | python3 -c 'import json, sys; sys.exit(not isinstance(json.loads(sys.stdin.read()), dict))'
}
instr() { field "$("$MVM" stats "$1" --json 2>/dev/null)" instructions; }

# ---- a fleet of three spinners: two end by themselves, one is killed
cat >"$OUT/three.yaml" <<EOF
threads: 2
vms:
  - {name: a, program: $ABS/spin, args: ["6000"]}
  - {name: b, program: $ABS/spin, args: ["6000"]}
  - {name: c, program: $ABS/spin}
EOF
timeout "$TMO" "$MVM" fleet --stats --name fc "$OUT/three.yaml" >"$OUT/fc.out" 2>"$OUT/fc.err" </dev/null &
pid=$!
wait_named fc
"$MVM" ps >"$OUT/ps.out" 2>&1
if grep -q "^fc  *[0-9]* fleet " "$OUT/ps.out" && grep -q "^  a  *[0-9]* [a-z]" "$OUT/ps.out" &&
	grep -q "^  b " "$OUT/ps.out" && grep -q "^  c " "$OUT/ps.out"; then
	pass ps
else
	fail ps "$(tr '\n' '|' <"$OUT/ps.out")"
fi
"$MVM" fleet --name fc "$OUT/three.yaml" >/dev/null 2>"$OUT/e" </dev/null
rc=$?
if [ $rc = 125 ] && grep -q "a running VM has that name" "$OUT/e"; then pass name-in-use; else fail name-in-use "exit $rc: $(cat "$OUT/e")"; fi

j1=$("$MVM" stats fc/a --json)
sleep 0.3
j2=$("$MVM" stats fc/a --json)
if parses "$j1" && [ "$(field "$j1" ok)" = true ] && [ "$(field "$j1" name)" = a ] && [ "$(field "$j1" weight)" = 100 ] &&
	[ "$(field "$j1" depth)" = 1 ] && [ "$(field "$j1" resident_bytes)" -gt 0 ] &&
	[ "$(field "$j2" instructions)" -gt "$(field "$j1" instructions)" ]; then
	pass stats-json
else
	fail stats-json "$j1 / $j2"
fi
line=$("$MVM" stats fc)
case $line in
"fc: pid "*", a fleet of 3 VMs (3 not ended) on 2 host threads, "*) pass stats-fleet ;;
*) fail stats-fleet "$line" ;;
esac

# Pause a: it stands still while b runs on; resume: it goes on.
"$MVM" pause fc/a >"$OUT/pause.out" 2>&1
p=$?
a1=$(instr fc/a) b1=$(instr fc/b)
sleep 0.5
ja=$("$MVM" stats fc/a --json)
a2=$(field "$ja" instructions) b2=$(instr fc/b)
"$MVM" resume fc/a
sleep 0.3
a3=$(instr fc/a)
if [ $p = 0 ] && [ "$(field "$ja" state)" = paused ] && [ -n "$a1" ] && [ "$a1" = "$a2" ] &&
	[ "$b2" -gt "$b1" ] && [ "$a3" -gt "$a2" ]; then
	pass pause-resume
else
	fail pause-resume "exit $p; a: $a1 $a2 ($(field "$ja" state)) then $a3; b: $b1 $b2"
fi

# top, not on a terminal: two plain tables naming every VM.
"$MVM" top -n 2 -d 0.3 >"$OUT/top.out" 2>"$OUT/top.err"
rc=$?
tables=$(grep -c "^NAME  *STATE  *DEPTH  *INSTR/S  *INSTRUCTIONS  *RESIDENT  *SHARED  *SWAPPED  *BALLOONED$" "$OUT/top.out")
rate=$(tail -n 6 "$OUT/top.out" | sed -n 's/^  b  *[a-z]*  *1  *\([0-9]*\)  *[0-9]* .* 0\.0  *0\.0$/\1/p')
if [ $rc = 0 ] && [ "$tables" = 2 ] && [ "$(tail -n 6 "$OUT/top.out" | grep -c '^  [abc] ')" = 3 ] &&
	tail -n 6 "$OUT/top.out" | grep -q "^fc  *fleet " && [ -n "$rate" ] && [ "$rate" -gt 0 ] &&
	! grep -q "$(printf '\033')" "$OUT/top.out"; then
	pass top
else
	fail top "exit $rc, $tables tables, b at '$rate'/s: $(tr '\n' '|' <"$OUT/top.out") $(cat "$OUT/top.err")"
fi

# Resumed, a takes its share again, not also the time it was paused
# (before that was fixed it ran twice as fast as b until it caught up).
ra=$(tail -n 6 "$OUT/top.out" | sed -n 's/^  a  *[a-z]*  *1  *\([0-9]*\) .*/\1/p')
if [ -n "$ra" ] && [ -n "$rate" ] && [ $((ra * 2)) -le $((rate * 3)) ]; then
	pass resume-share
else
	fail resume-share "a at '$ra'/s, b at '$rate'/s after the resume"
fi

# Kill c: reported with 137; a and b run to their ends.
"$MVM" kill fc/c
k=$?
"$MVM" kill fc/c >/dev/null 2>"$OUT/e"
k2=$?
wait $pid
rc=$?
if [ $k = 0 ] && [ $k2 = 1 ] && grep -q "has ended" "$OUT/e" && [ $rc = 137 ] &&
	grep -q "^mvm: fleet: c: killed by a request on the fleet's control socket" "$OUT/fc.err" &&
	grep -q "^mvm: fleet: c: weight 100, .* exit 137$" "$OUT/fc.err" &&
	grep -q "^mvm: fleet: a: weight 100, .* exit 0$" "$OUT/fc.err" &&
	grep -q "^mvm: fleet: b: weight 100, .* exit 0$" "$OUT/fc.err"; then
	pass kill
else
	fail kill "kills $k $k2, exit $rc: $(tr '\n' '|' <"$OUT/fc.err")"
fi
if [ ! -e "$MVM_RUNTIME_DIR/fc.sock" ]; then pass socket-removed; else fail socket-removed "fc.sock is still there"; fi

# ---- bad requests change nothing: the fleet ends as it would have (its
# VMs spin long enough for every request, even under a sanitizer)
cat >"$OUT/two.yaml" <<EOF
threads: 2
vms:
  - {name: x, program: $ABS/spin, args: ["6000"]}
  - {name: y, program: $ABS/spin, args: ["6000"]}
EOF
timeout "$TMO" "$MVM" fleet --stats --name fb "$OUT/two.yaml" >"$OUT/fb.out" 2>"$OUT/fb.err" </dev/null &
pid=$!
wait_named fb
long=$(head -c 70000 /dev/zero | tr '\0' 'x')
bad=0
for req in 'not json' '{"cmd":"reboot"}' '{"cmd":"info","vm":"zz"}' '{"cmd":"kill","vm":"zz"}' \
	'{"cmd":"pause","vm":7}' '{"cmd":"kill","vm":["x"]}' "{\"cmd\":\"kill\",\"vm\":\"x\",\"pad\":\"$long\"}" \
	'{"cmd":"snapshot","vm":"x","path":"/tmp/x.snap"}' '{"cmd":"migrate","vm":"x","to":"127.0.0.1:1"}' \
	'{"cmd":"pause"}' '{"cmd":"kill"}'; do
	out=$("$MVM" control fb "$req" 2>/dev/null)
	rc=$?
	label=$(echo "$req" | head -c 28 | tr -c 'a-z0-9' '_')
	if [ $rc = 1 ] && echo "$out" | grep -q '^{"ok":false,"error":".*"}$'; then
		pass "bad-request/$label"
	else
		fail "bad-request/$label" "exit $rc: $(echo "$out" | head -c 200)"
		bad=1
	fi
done
out=$("$MVM" control fb '{"cmd":"info","vm":"zz"}' 2>/dev/null)
case $out in
*'"error":"no VM zz in this fleet"'*) pass unknown-vm ;;
*) fail unknown-vm "$out" ;;
esac
"$MVM" stats fb/zz >/dev/null 2>"$OUT/e"
rc=$?
if [ $rc = 1 ] && grep -q "fb/zz: no VM zz in this fleet" "$OUT/e"; then pass unknown-vm-cli; else fail unknown-vm-cli "exit $rc: $(cat "$OUT/e")"; fi
x1=$(instr fb/x)
sleep 0.2
x2=$(instr fb/x)
wait $pid
rc=$?
if [ $rc = 0 ] && [ "$x2" -gt "$x1" ] && [ "$(grep -c "^mvm: fleet: [xy]: weight 100, .* exit 0$" "$OUT/fb.err")" = 2 ]; then
	pass unchanged
else
	fail unchanged "exit $rc, x $x1 then $x2: $(tr '\n' '|' <"$OUT/fb.err")"
fi

# ---- NAME/VM for a single VM is refused: it must not act on the VM itself
"$MVM" run --name one "$ABS/spin" 1500 >/dev/null 2>"$OUT/one.err" </dev/null &
pid=$!
wait_named one
"$MVM" kill one/x >/dev/null 2>"$OUT/e"
k=$?
"$MVM" fleet --name ../f "$OUT/two.yaml" >/dev/null 2>"$OUT/e2" </dev/null
n=$?
wait $pid
rc=$?
if [ $k = 1 ] && grep -q "not a fleet" "$OUT/e" && [ $rc = 0 ]; then pass single-vm; else fail single-vm "kill exit $k, VM exit $rc: $(cat "$OUT/e")"; fi
if [ $n = 125 ] && grep -q "a name is 1 to 64" "$OUT/e2"; then pass bad-name; else fail bad-name "exit $n: $(cat "$OUT/e2")"; fi

# ---- VMs a guest made are listed under it
if [ -x "$SPAWN" ]; then
	rm -rf "$OUT/spawn.d" && mkdir -p "$OUT/spawn.d"
	# The monitor gets 1% of one thread: its VMs live long enough to be seen.
	cat >"$OUT/nested.yaml" <<EOF
threads: 1
vms:
  - {name: hog, program: $ABS/spin, weight: 10000}
  - name: monitor
    program: $SPAWN
    args: [/out, $ABS/spin, --, $ABS/spin]
    dirs: ["$ABS/spawn.d:/out", "$ABS:$ABS:ro"]
    weight: 100
EOF
	timeout "$TMO" "$MVM" fleet --name fn "$OUT/nested.yaml" >"$OUT/fn.out" 2>"$OUT/fn.err" </dev/null &
	pid=$!
	wait_named fn
	i=0
	while [ $i -lt 150 ]; do
		l=$("$MVM" control fn '{"cmd":"list"}' 2>/dev/null)
		case $l in *'"children":[{'*) break ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	"$MVM" pause fn/monitor
	l=$("$MVM" control fn '{"cmd":"list"}' 2>/dev/null)
	"$MVM" ps >"$OUT/ps.nested" 2>&1
	"$MVM" kill fn/hog
	"$MVM" kill fn/monitor
	wait $pid
	rc=$?
	kids=$(echo "$l" | grep -o '"name":"#[0-9]*","pid":[0-9]*,"state":"paused","instructions":[0-9]*,"resident_bytes":[0-9]*,"shared_bytes":[0-9]*,"depth":2' | wc -l)
	if [ "$kids" = 2 ] && grep -q "^  monitor " "$OUT/ps.nested" && grep -q "^    #1 " "$OUT/ps.nested" &&
		grep -q "^    #2 " "$OUT/ps.nested" && [ $rc = 137 ]; then
		pass nested
	else
		fail nested "$kids children, exit $rc: $(echo "$l" | head -c 600) / $(tr '\n' '|' <"$OUT/ps.nested")"
	fi
else
	echo "SKIP fleetctl/nested: $SPAWN missing (make guests)"
fi
# No sanitizer report in any run (make SAN=1 / TSAN=1 builds).
if grep -l "Sanitizer\|runtime error" "$OUT"/*.err >/dev/null 2>&1; then
	fail sanitizer "a report in $(grep -l "Sanitizer\|runtime error" "$OUT"/*.err | head -n 3 | tr '\n' ' ')"
fi
rm -rf "$MVM_RUNTIME_DIR"
exit 0
