#!/bin/sh
# Control socket suite (docs/control.md): a VM started with --name is
# listed by mvm ps, answers stats (JSON too), stops on pause (its
# instruction count stands still) and goes on at resume, ends on kill
# (exit 137), is saved by mvm snapshot (restored, it goes on as its
# source says: readin.c) and moved by mvm migrate (the receiver prints
# what follows). Bad requests — malformed JSON, not an object, no or an
# unknown command, a line over 64 KiB — get an error and change nothing
# (the VM runs on to its own end); names are checked, a name in use is
# refused, the runtime directory and the socket are the user's alone,
# and the socket goes with the VM.
#
# Usage: tests/control/run.sh        MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
OUT=build/tests/control
CC=riscv64-linux-gnu-gcc
TMO=60
mkdir -p "$OUT" || exit 2
export MVM_RUNTIME_DIR="$(pwd)/$OUT/rt.$$"
rm -rf "$MVM_RUNTIME_DIR"

pass() { echo "PASS control/$1"; }
fail() { echo "FAIL control/$1: $2"; }

command -v "$CC" >/dev/null 2>&1 || { echo "SKIP control: not installed: $CC (scripts/deps)"; exit 0; }
if "$MVM" ps 2>&1 | grep -q "no control socket"; then
	echo "SKIP control: $("$MVM" ps 2>&1 | head -n 1)"
	exit 0
fi
for p in readin spin; do
	if ! [ "$OUT/$p" -nt "tests/snap/$p.c" ]; then
		$CC -static -O2 -pthread -Wall -Wextra -o "$OUT/$p" "tests/snap/$p.c" 2>"$OUT/$p.log" ||
			{ echo "FAIL control/build: $p (see $OUT/$p.log)"; exit 0; }
	fi
done

# wait_named NAME: until mvm ps lists NAME (up to 10 s).
wait_named() {
	i=0
	while ! "$MVM" ps 2>/dev/null | grep -q "^$1 " && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
# field JSON KEY: a number or string value of KEY in one line of JSON.
field() {
	echo "$1" | sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^,\"}]*\\).*/\\1/p"
}

# ---- names, and where the sockets live
"$MVM" run --name ../x "$OUT/readin" >/dev/null 2>"$OUT/e" </dev/null
rc=$?
if [ $rc = 125 ] && grep -q "a name is 1 to 64" "$OUT/e"; then pass bad-name; else fail bad-name "exit $rc: $(cat "$OUT/e")"; fi
"$MVM" stats nosuch >/dev/null 2>"$OUT/e"
rc=$?
if [ $rc = 127 ] && grep -q "no running VM has that name" "$OUT/e"; then pass no-such-vm; else fail no-such-vm "exit $rc: $(cat "$OUT/e")"; fi

# A FIFO opened for reading and writing: the guest's read waits, no writer needed.
rm -f "$OUT/in.fifo" && mkfifo "$OUT/in.fifo"

# ---- a VM blocked in read: stats, bad requests, a snapshot that suspends it
"$MVM" run --name rd "$OUT/readin" >"$OUT/rd.out" 2>"$OUT/rd.err" 0<>"$OUT/in.fifo" &
pid=$!
wait_named rd
ps_line=$("$MVM" ps | grep "^rd ")
case $ps_line in
*running*) pass ps ;;
*) fail ps "mvm ps: $("$MVM" ps | tr '\n' '|')" ;;
esac
dmode=$(stat -c %a "$MVM_RUNTIME_DIR") smode=$(stat -c %a "$MVM_RUNTIME_DIR/rd.sock")
if [ "$dmode" = 700 ] && [ "$smode" = 600 ]; then pass private; else fail private "directory $dmode, socket $smode"; fi
"$MVM" run --name rd "$OUT/readin" >/dev/null 2>"$OUT/e" </dev/null
rc=$?
if [ $rc = 125 ] && grep -q "a running VM has that name" "$OUT/e"; then pass name-in-use; else fail name-in-use "exit $rc: $(cat "$OUT/e")"; fi
j=$("$MVM" stats rd --json)
if [ "$(field "$j" ok)" = true ] && [ "$(field "$j" name)" = rd ] && [ "$(field "$j" pid)" -gt 0 ] &&
	[ "$(field "$j" instructions)" -gt 1000 ] && [ "$(field "$j" resident_bytes)" -gt 0 ]; then
	pass stats-json
else
	fail stats-json "$j"
fi
# Bad requests: one line each, an error, nothing changed.
long=$(head -c 70000 /dev/zero | tr '\0' 'x')
for req in 'not json' '[1]' '{}' '{"cmd":"reboot"}' '{"cmd":7}' "{\"cmd\":\"info\",\"pad\":\"$long\"}" \
	'{"cmd":"snapshot","path":"relative.snap"}' '{"cmd":"migrate"}'; do
	out=$("$MVM" control rd "$req" 2>/dev/null)
	rc=$?
	label=$(echo "$req" | head -c 24 | tr -c 'a-z0-9' '_')
	if [ $rc = 1 ] && echo "$out" | grep -q '^{"ok":false,"error":".*"}$'; then
		pass "bad-request/$label"
	else
		fail "bad-request/$label" "exit $rc: $(echo "$out" | head -c 200)"
	fi
done
rm -f "$OUT/rd.snap"
"$MVM" snapshot rd "$OUT/rd.snap" --suspend
rc=$?
wait $pid
r1=$?
echo hello | timeout $TMO "$MVM" restore "$OUT/rd.snap" >"$OUT/rd.2" 2>>"$OUT/rd.err"
r2=$?
printf 'waiting\nread 6: hello\n' >"$OUT/rd.want"
cat "$OUT/rd.out" "$OUT/rd.2" >"$OUT/rd.all"
if [ "$rc $r1 $r2" = "0 120 0" ] && cmp -s "$OUT/rd.all" "$OUT/rd.want"; then
	pass snapshot
else
	fail snapshot "exits $rc $r1 $r2, output $(tr '\n' '|' <"$OUT/rd.all"): $(head -c 200 "$OUT/rd.err")"
fi
if [ ! -e "$MVM_RUNTIME_DIR/rd.sock" ]; then pass socket-removed; else fail socket-removed "rd.sock is still there"; fi

# ---- a VM computing: pause stops it, resume lets it go on, kill ends it
d=$(pwd)/$OUT/spin.d
rm -rf "$d" && mkdir -p "$d"
"$MVM" run --name sp --dir "$d" "$OUT/spin" "$d" >"$OUT/sp.out" 2>"$OUT/sp.err" </dev/null &
pid=$!
wait_named sp
sleep 0.2
"$MVM" pause sp
a=$(field "$("$MVM" stats sp --json)" instructions)
sleep 0.3
j=$("$MVM" stats sp --json)
b=$(field "$j" instructions)
"$MVM" resume sp
sleep 0.3
c=$(field "$("$MVM" stats sp --json)" instructions)
if [ "$(field "$j" state)" = paused ] && [ "$a" = "$b" ] && [ "$c" -gt "$b" ]; then
	pass pause-resume
else
	fail pause-resume "paused at $a then $b ($(field "$j" state)), resumed: $c"
fi
"$MVM" kill sp
wait $pid
rc=$?
if [ $rc = 137 ] && grep -q "killed by a request on its control socket" "$OUT/sp.err" && ! grep -q done "$OUT/sp.out"; then
	pass kill
else
	fail kill "exit $rc: $(cat "$OUT/sp.err")"
fi

# ---- migrate: the VM goes on at the receiver
"$MVM" run --name mg "$OUT/readin" >"$OUT/mg.out" 2>"$OUT/mg.err" 0<>"$OUT/in.fifo" &
pid=$!
wait_named mg
rm -f "$OUT/rcv.out" "$OUT/rcv.err"
echo moved | timeout $TMO "$MVM" listen 127.0.0.1:0 >"$OUT/rcv.out" 2>"$OUT/rcv.err" &
rpid=$!
i=0
while ! grep -q "listening on" "$OUT/rcv.err" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$OUT/rcv.err")
"$MVM" migrate mg "127.0.0.1:$port" >"$OUT/mig.out" 2>&1
rc=$?
[ $rc = 0 ] || { "$MVM" kill mg; kill $rpid; } 2>/dev/null    # it went on here: end it
wait $rpid
r2=$?
wait $pid
if [ $rc = 0 ] && [ $r2 = 0 ] && grep -q "^mg: migrated to 127.0.0.1:$port: .* the VM stopped for" "$OUT/mig.out" &&
	[ "$(cat "$OUT/mg.out")" = waiting ] && [ "$(cat "$OUT/rcv.out")" = "read 6: moved" ]; then
	pass migrate
else
	fail migrate "exits $rc $r2: $(cat "$OUT/mig.out") / sender $(tr '\n' '|' <"$OUT/mg.out") / receiver $(tr '\n' '|' <"$OUT/rcv.out")"
fi
rm -rf "$MVM_RUNTIME_DIR"
exit 0
