#!/bin/sh
# Snapshot suite: a VM saved anywhere in its run and restored goes on
# exactly as if nothing had happened. The oracle is qemu-riscv64 running
# the same binary whole: for each program and several points N (from the
# first instruction to the last), `mvm run --snapshot S --snapshot-at N
# --suspend` (exit 120) followed by `mvm restore S` must print, together,
# exactly what qemu printed, and exit with qemu's status. Programs: the
# tests/snap ones (threads, pipes, files, signals, mappings, clocks,
# rounding modes) and a set of tests/guest programs (glibc and picolibc,
# self-modifying code, faults).
#
# Also: a program with processes (forks.c: a child blocked on a pipe or
# computing, a zombie, shared and copy-on-write memory), each cut restored
# lazily and with --eager; a snapshot of a restored VM (a chain); a snapshot on SIGUSR1 while
# one thread computes and another blocks; live migration to a monitor
# listening on 127.0.0.1 (at N, on SIGUSR1; a receiver that dies in the
# middle, refuses, or is not there: the VM goes on here; several
# processes, one writing memory shared with the first during the
# pre-copy); clones (three
# VMs from one snapshot in parallel, each printing what qemu prints after
# the cut, sharing pages, each with its own getrandom; also of a VM of
# several processes, at four cuts); host independence (a snapshot
# taken by this host's monitor restored by the aarch64 and big-endian
# s390x builds under qemu-user, and the other way round); and bad input:
# corrupt, truncated, foreign, newer files (exit 122), a missing file
# (127), a missing grant or file (121), state that cannot be saved (a
# message, the VM goes on, the previous snapshot stays whole), bad flags.
#
# Usage: tests/snap/run.sh [part...]   parts: split chain signal lazy sockets migrate clone cross errors nested
cd "$(dirname "$0")/../.." || exit 2
. tests/guest/lib.sh
SRC=tests/snap
OUT=build/tests/snap
MVM=${MVM:-build/mvm}
QEMU=${QEMU_RISCV64:-qemu-riscv64}
CC=riscv64-linux-gnu-gcc
TMO=${SNAP_TIMEOUT:-120}
mkdir -p "$OUT" || exit 2
ABS=$(pwd)/$OUT
parts=${*:-split chain signal lazy sockets migrate clone cross errors nested}

for tool in "$CC" "$QEMU"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP snap: not installed: $tool (scripts/deps)"; exit 0; }
done

pass() { echo "PASS snap/$1"; }
fail() { echo "FAIL snap/$1: $2"; }

for p in state spin sock entropy readin bigmem netstate forks migshared; do
	if ! [ "$OUT/$p" -nt "$SRC/$p.c" ]; then
		$CC -static -O2 -pthread -Wall -Wextra -o "$OUT/$p" "$SRC/$p.c" -lm 2>"$OUT/$p.log" ||
			{ echo "FAIL snap/build: $p (see $OUT/$p.log)"; exit 0; }
	fi
done

# A build without snapshots (no libxxhash-dev) says so; nothing here can run.
"$MVM" run --snapshot "$OUT/probe.snap" --snapshot-at 1 --suspend "$OUT/sock" >/dev/null 2>"$OUT/probe.err"
if [ $? -ne 120 ] && grep -q "has no snapshots" "$OUT/probe.err"; then
	echo "SKIP snap: $(head -n1 "$OUT/probe.err")"
	exit 0
fi

# A fresh directory D for the state program (it reads data.txt, writes log.txt).
fresh_dir() {
	rm -rf "$1" && mkdir -p "$1" && printf 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ' >"$1/data.txt"
}

# instructions CMD...: how many instructions the whole run retires
# (--stats), its output going to a file as in the runs below (glibc's
# stdio does not do the same work for /dev/null).
instructions() {
	"$MVM" run --stats "$@" 2>&1 >"$OUT/count.out" </dev/null | sed -n 's/^mvm: stats: \([0-9]*\) instructions.*/\1/p'
}

# reference LABEL PROG ARGS...: qemu's stdout in $ref, its status in $ref_rc.
reference() {
	label=$1
	shift
	ref=$OUT/$(echo "$label" | tr / _).qemu
	timeout "$TMO" "$QEMU" "$@" >"$ref" 2>/dev/null </dev/null
	ref_rc=$?
}

# split LABEL N DIRARG PROG ARGS...: saved at N, restored; compared with $ref.
# DIRARG is "-" or a --dir grant given to both runs; $LEVELS: more grants
# for the restore (those --depth gave).
split() {
	label=$1 n=$2 dirarg=$3
	shift 3
	f=$OUT/$(echo "$label" | tr / _)
	snap=$f.snap
	rm -f "$snap"
	set -- ${dirarg#-} "$@"
	[ "$dirarg" = - ] || set -- --dir "$@"
	timeout "$TMO" "$MVM" run --snapshot "$snap" --snapshot-at "$n" --suspend "$@" \
		>"$f.1" 2>"$f.err1" </dev/null
	rc1=$?
	if [ "$rc1" != 120 ]; then
		fail "$label" "the first part exited $rc1, not 120 (suspended): $(head -c 200 "$f.err1")"
		return
	fi
	grants=""
	[ "$dirarg" = - ] || grants="--dir $dirarg"
	# shellcheck disable=SC2086
	timeout "$TMO" "$MVM" restore ${EAGER:-} ${LEVELS:-} $grants "$snap" >"$f.2" 2>"$f.err2" </dev/null
	rc2=$?
	cat "$f.1" "$f.2" >"$f.out"
	if [ "$rc2" != "$ref_rc" ]; then
		fail "$label" "restored, it exited $rc2; qemu $ref_rc: $(head -c 200 "$f.err2")"
	elif ! cmp -s "$f.out" "$ref"; then
		fail "$label" "output differs from qemu's: $(guest_first_diff "$ref" "$f.out")"
	else
		pass "$label"
	fi
}

# points TOTAL [LAST]: where to cut a run of TOTAL instructions: the first
# instruction, inside, and LAST before the end (default 1: the last
# instruction; threads make a count vary from run to run).
points() {
	echo 1 $(($1 / 3)) $(($1 / 2 + 7)) $(($1 * 2 / 3)) $(($1 - ${2:-1}))
}

split_programs() {
	d=$ABS/state.d
	fresh_dir "$d"
	reference state "$OUT/state" "$d"
	if [ "$ref_rc" != 3 ]; then
		fail state "qemu-riscv64 gives exit $ref_rc, expected 3"
	else
		total=$(instructions --dir "$d" "$OUT/state" "$d")
		for n in $(points "$total" $((total / 50))); do
			fresh_dir "$d"
			split "state/$n" "$n" "$d" "$OUT/state" "$d"
		done
	fi
	# Processes: a child blocked on a pipe, computing or gone, a zombie,
	# shared and copy-on-write memory (forks.c); each cut also --eager.
	reference forks "$OUT/forks"
	total=$(instructions "$OUT/forks")
	for n in $(points "$total" $((total / 50))); do
		split "forks/$n" "$n" - "$OUT/forks"
		EAGER=--eager split "forks/$n/eager" "$n" - "$OUT/forks"
	done
	for pv in hash.glibc fpmath.glibc sort.picolibc malloc.glibc smc.glibc strings.picolibc jmp.glibc \
		clocks.glibc exit3.glibc segv.glibc; do
		p=${pv%.*} v=${pv#*.}
		if ! guest_build "$p" "$v"; then
			fail "$pv" "build failed (see $GUEST_OUT/$v/$p.log)"
			continue
		fi
		bin=$GUEST_OUT/$v/$p
		reference "$pv" "$bin"
		total=$(instructions "$bin")
		for n in $(points "$total"); do
			split "$pv/$n" "$n" - "$bin"
		done
	done
}

# A snapshot of a restored VM: run to a third, restore to two thirds, restore.
chain() {
	d=$ABS/chain.d
	fresh_dir "$d"
	reference state "$OUT/state" "$d"
	total=$(instructions --dir "$d" "$OUT/state" "$d")
	fresh_dir "$d"
	s1=$OUT/chain1.snap s2=$OUT/chain2.snap
	rm -f "$s1" "$s2"
	"$MVM" run --dir "$d" --snapshot "$s1" --snapshot-at $((total / 3)) --suspend "$OUT/state" "$d" \
		>"$OUT/chain.1" 2>"$OUT/chain.err" </dev/null
	r1=$?
	"$MVM" restore --dir "$d" --snapshot "$s2" --snapshot-at $((total * 2 / 3)) --suspend "$s1" \
		>"$OUT/chain.2" 2>>"$OUT/chain.err" </dev/null
	r2=$?
	"$MVM" restore --dir "$d" "$s2" >"$OUT/chain.3" 2>>"$OUT/chain.err" </dev/null
	r3=$?
	cat "$OUT/chain.1" "$OUT/chain.2" "$OUT/chain.3" >"$OUT/chain.out"
	if [ "$r1 $r2 $r3" != "120 120 3" ]; then
		fail chain "exits $r1 $r2 $r3, expected 120 120 3: $(head -c 200 "$OUT/chain.err")"
	elif ! cmp -s "$OUT/chain.out" "$ref"; then
		fail chain "output differs from qemu's: $(guest_first_diff "$ref" "$OUT/chain.out")"
	else
		pass chain
	fi
}

# wait_for_line WORD FILE: until a background run wrote WORD (up to 10 s).
wait_for_line() {
	i=0
	while ! grep -q "$1" "$2" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# SIGUSR1: the worker computes, the main thread waits in pthread_join.
signal_test() {
	d=$ABS/spin.d
	rm -rf "$d" && mkdir -p "$d"
	snap=$OUT/spin.snap
	rm -f "$snap" "$OUT/spin.1"
	"$MVM" run --dir "$d" --snapshot "$snap" --suspend "$OUT/spin" "$d" >"$OUT/spin.1" 2>"$OUT/spin.err" </dev/null &
	pid=$!
	wait_for_line started "$OUT/spin.1"
	sleep 0.3
	kill -USR1 $pid
	wait $pid
	r1=$?
	touch "$d/stop"
	timeout "$TMO" "$MVM" restore --dir "$d" "$snap" >"$OUT/spin.2" 2>>"$OUT/spin.err" </dev/null
	r2=$?
	printf 'started\ndone: consistent\n' >"$OUT/spin.want"
	cat "$OUT/spin.1" "$OUT/spin.2" >"$OUT/spin.out"
	if [ "$r1 $r2" != "120 0" ]; then
		fail signal "exits $r1 $r2, expected 120 0: $(head -c 200 "$OUT/spin.err")"
	elif ! cmp -s "$OUT/spin.out" "$OUT/spin.want"; then
		fail signal "output: $(tr '\n' '|' <"$OUT/spin.out")"
	else
		pass signal
	fi
}

# SIGUSR1 while the only thread blocks reading an empty pipe: the read is
# given up and runs again after restore, on the restorer's input.
signal_blocked() {
	case $MVM in
	*/tsan/*)
		# ThreadSanitizer's runtime takes the process's signals itself and
		# hands SIGUSR1 to a thread blocked in poll, not to the watcher
		# thread waiting for it in sigwait: the snapshot waits for the data.
		echo "SKIP snap/signal/blocked: under ThreadSanitizer SIGUSR1 does not reach the watcher thread while the guest blocks in poll"
		return ;;
	esac
	snap=$OUT/readin.snap
	rm -f "$snap" "$OUT/readin.1"
	sleep 20 2>/dev/null | "$MVM" run --snapshot "$snap" --suspend "$OUT/readin" >"$OUT/readin.1" 2>"$OUT/readin.err" &
	pid=$!
	wait_for_line waiting "$OUT/readin.1"
	kill -USR1 $pid
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do    # 5 s at most
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		kill $pid
		fail signal/blocked "SIGUSR1 did not end a run blocked in read within 5 s"
		return
	fi
	wait $pid
	r1=$?
	echo hello | timeout "$TMO" "$MVM" restore "$snap" >"$OUT/readin.2" 2>>"$OUT/readin.err"
	r2=$?
	printf 'waiting\nread 6: hello\n' >"$OUT/readin.want"
	cat "$OUT/readin.1" "$OUT/readin.2" >"$OUT/readin.out"
	if [ "$r1 $r2" != "120 0" ] || ! cmp -s "$OUT/readin.out" "$OUT/readin.want"; then
		fail signal/blocked "exits $r1 $r2 (expected 120 0), output $(tr '\n' '|' <"$OUT/readin.out"): $(head -c 200 "$OUT/readin.err")"
	else
		pass signal/blocked
	fi
}

# Lazy restore: memory stays in the file until touched. A VM that touches
# little of it after the restore loads little (against --eager); every
# page comes back as it was (qemu's sum); the file replaced while the VM
# runs changes nothing (the VM holds the one it opened); the file changed
# in place is noticed when the changed part is loaded: the VM stops with
# one line, exit 122 (and --eager refuses it before the VM runs).
lazy() {
	b=$OUT/bigmem
	total=$(instructions "$b" 16 exit)
	reference lazy/exit "$b" 16 exit
	for how in lazy eager; do
		flag=""
		[ $how = eager ] && flag=--eager
		rm -f "$OUT/lazy.snap"
		"$MVM" run --snapshot "$OUT/lazy.snap" --snapshot-at $((total - 1)) --suspend "$b" 16 exit \
			>"$OUT/lazy.1" 2>"$OUT/lazy.err" </dev/null
		r1=$?
		# shellcheck disable=SC2086
		timeout "$TMO" "$MVM" restore $flag --stats "$OUT/lazy.snap" >"$OUT/lazy.2" 2>"$OUT/lazy.err2" </dev/null
		r2=$?
		kib=$(sed -n 's/^mvm: stats: memory: \([0-9]*\) KiB resident.*/\1/p' "$OUT/lazy.err2")
		eval "kib_$how=\${kib:-0}"
		cat "$OUT/lazy.1" "$OUT/lazy.2" >"$OUT/lazy.out"
		if [ "$r1 $r2" != "120 $ref_rc" ] || ! cmp -s "$OUT/lazy.out" "$ref"; then
			fail "lazy/exit-$how" "exits $r1 $r2 (expected 120 $ref_rc) or output other than qemu's: $(head -c 200 "$OUT/lazy.err2")"
		elif [ -z "$kib" ]; then
			fail "lazy/exit-$how" "no resident memory in --stats"
		else
			pass "lazy/exit-$how"
		fi
	done
	# 16 MiB were saved; the last instruction needs a few sections of them.
	if [ "$kib_eager" -ge 16384 ] && [ "$kib_lazy" -le $((kib_eager / 8)) ]; then
		pass lazy/loads-what-is-touched
	else
		fail lazy/loads-what-is-touched "resident at exit: $kib_lazy KiB lazily, $kib_eager KiB eagerly"
	fi

	# Cut in the last 1% of filling (the same instructions as the "exit"
	# run up to there); the restored VM then waits for a line on a FIFO
	# while the file is replaced or changed.
	echo go | "$QEMU" "$b" 16 wait >"$OUT/lazy.ref" 2>/dev/null
	ref=$OUT/lazy.ref
	base=$OUT/wait.snap
	rm -f "$base"
	"$MVM" run --snapshot "$base" --snapshot-at $((total - total / 100)) --suspend "$b" 16 wait \
		>"$OUT/wait.1" 2>"$OUT/wait.err" </dev/null
	if [ $? != 120 ]; then
		fail lazy/wait "the first part did not suspend: $(head -c 200 "$OUT/wait.err")"
		return
	fi
	snap=$OUT/wait-changed.snap
	cp "$base" "$snap"
	flip "$snap" $(($(wc -c <"$snap") / 2))
	timeout "$TMO" "$MVM" restore --eager "$snap" >"$OUT/wait.2" 2>"$OUT/wait.err2" </dev/null
	r=$?
	if [ "$r" != 122 ] || [ -s "$OUT/wait.2" ] || [ "$(wc -l <"$OUT/wait.err2")" != 1 ] ||
		! grep -q "corrupt (checksum mismatch)" "$OUT/wait.err2"; then
		fail lazy/changed-eager "exit $r (expected 122, nothing run) with: $(head -c 300 "$OUT/wait.err2")"
	else
		pass lazy/changed-eager
	fi
	for how in plain eager replaced changed; do
		snap=$OUT/wait-$how.snap fifo=$OUT/wait.fifo
		cp "$base" "$snap"
		rm -f "$fifo" && mkfifo "$fifo"
		flag=""
		[ $how = eager ] && flag=--eager
		# shellcheck disable=SC2086
		timeout "$TMO" "$MVM" restore $flag "$snap" <"$fifo" >"$OUT/wait.2" 2>"$OUT/wait.err2" &
		pid=$!
		exec 7>"$fifo"      # the restore's input is open: it has started
		wait_for_line filled "$OUT/wait.2"
		case $how in
		replaced) cp "$OUT/lazy.snap" "$snap.new" && mv "$snap.new" "$snap" ;;
		changed) flip "$snap" $(($(wc -c <"$snap") / 2)) ;;
		esac
		echo go >&7
		exec 7>&-
		wait $pid
		r=$?
		cat "$OUT/wait.1" "$OUT/wait.2" >"$OUT/wait.out"
		case $how in
		changed)
			if [ "$r" != 122 ] || [ "$(wc -l <"$OUT/wait.err2")" != 1 ] ||
				! grep -q "^mvm: guest memory lost: .*checksum mismatch" "$OUT/wait.err2"; then
				fail "lazy/$how" "exit $r (expected 122) with: $(head -c 300 "$OUT/wait.err2")"
			elif grep -q sum "$OUT/wait.2"; then
				fail "lazy/$how" "the VM went on with bytes that changed: $(tr '\n' '|' <"$OUT/wait.2")"
			else
				pass "lazy/$how"
			fi ;;
		*)
			if [ "$r" != 0 ] || ! cmp -s "$OUT/wait.out" "$ref"; then
				fail "lazy/$how" "exit $r, output $(tr '\n' '|' <"$OUT/wait.out") (qemu: $(tr '\n' '|' <"$ref")): $(head -c 200 "$OUT/wait.err2")"
			else
				pass "lazy/$how"
			fi ;;
		esac
	done
}

# Sockets and event objects (netstate.c): saved at the marker, the Unix
# pair keeps its queued bytes, the eventfd its count, the timerfds their
# times, the listener listens again, the epoll instance watches what it
# watched (a disarmed one-shot item stays so); both ends of the TCP connection come
# back reset. The expected lines are written from netstate.c; qemu's
# whole run must give the unsnapshotted ones (both ends "open").
sockets() {
	port=$((20000 + $$ % 20000))
	b=$OUT/netstate
	set -- --listen "127.0.0.1:$port" --connect "127.0.0.1:$port"
	total=$(instructions "$@" "$b" $port stop)
	common='epoll: 3 1111 2222 4444
ready
epoll: 2 1111 2222
pair a reads: pong
pair b reads: ping
pair b then reads: more
eventfd: 8 5
timer: fired
periodic: interval 10s, next within it: yes'
	printf '%s\nclient: open\naccepted: open\nlistener: accepts\nudp: datagram\n' "$common" >"$OUT/net.plain"
	printf '%s\nclient: reset\naccepted: reset\nlistener: accepts\nudp: datagram\n' "$common" >"$OUT/net.want"
	timeout "$TMO" "$QEMU" "$b" $port >"$OUT/net.qemu" 2>/dev/null </dev/null
	if ! cmp -s "$OUT/net.qemu" "$OUT/net.plain"; then
		fail sockets/qemu "qemu's run is not what netstate.c says: $(tr '\n' '|' <"$OUT/net.qemu")"
		return
	fi
	snap=$OUT/net.snap
	rm -f "$snap"
	"$MVM" run --snapshot "$snap" --snapshot-at $((total - 5)) --suspend "$@" "$b" $port \
		>"$OUT/net.1" 2>"$OUT/net.err" </dev/null
	r1=$?
	timeout "$TMO" "$MVM" restore "$@" "$snap" >"$OUT/net.2" 2>>"$OUT/net.err" </dev/null
	r2=$?
	cat "$OUT/net.1" "$OUT/net.2" >"$OUT/net.out"
	if [ "$r1 $r2" != "120 0" ] || ! cmp -s "$OUT/net.out" "$OUT/net.want"; then
		fail sockets "exits $r1 $r2 (expected 120 0), output $(tr '\n' '|' <"$OUT/net.out"): $(head -c 200 "$OUT/net.err")"
	else
		pass sockets
	fi
	expect sockets-grant 121 "allowed to listen on 127.0.0.1:$port: grant it again" "$MVM" restore --connect "127.0.0.1:$port" "$snap"
}

# Host independence: saved by one host's monitor, restored by another's.
cross() {
	d=$ABS/cross.d
	fresh_dir "$d"
	reference state "$OUT/state" "$d"
	total=$(instructions --dir "$d" "$OUT/state" "$d")
	n=$((total / 2))
	hosts="native"
	for arch in aarch64 s390x; do
		if ! command -v "$arch-linux-gnu-gcc" >/dev/null 2>&1 || ! command -v "qemu-$arch" >/dev/null 2>&1; then
			echo "SKIP snap/cross/$arch: not installed: $arch-linux-gnu-gcc or qemu-$arch (scripts/deps)"
			continue
		fi
		if ! make --no-print-directory -j2 SAN= TSAN= CC="$arch-linux-gnu-gcc" BUILD="build/$arch" LDFLAGS=-static \
			"build/$arch/mvm" >"$OUT/$arch-build.log" 2>&1; then
			fail "cross/$arch" "the monitor did not build for $arch (see $OUT/$arch-build.log)"
			continue
		fi
		hosts="$hosts $arch"
	done
	# A compressed snapshot where the monitor has no zstd: restored, or one
	# line saying why (exit 122), never anything else.
	for arch in $hosts; do
		[ "$arch" = native ] && continue
		snap=$OUT/cross-compressed.snap
		fresh_dir "$d"
		"$MVM" run --dir "$d" --snapshot "$snap" --snapshot-at "$n" --suspend "$OUT/state" "$d" \
			>"$OUT/cross.1" 2>"$OUT/cross.err" </dev/null
		timeout "$TMO" qemu-$arch build/$arch/mvm restore --dir "$d" "$snap" >"$OUT/cross.2" 2>"$OUT/cross.err2" </dev/null
		r2=$?
		cat "$OUT/cross.1" "$OUT/cross.2" >"$OUT/cross.out"
		if [ "$r2" = 3 ] && cmp -s "$OUT/cross.out" "$ref"; then
			pass "cross/compressed-to-$arch"
		elif [ "$r2" = 122 ] && [ "$(wc -l <"$OUT/cross.err2")" = 1 ] && grep -q "without zstd" "$OUT/cross.err2"; then
			pass "cross/compressed-to-$arch"
		else
			fail "cross/compressed-to-$arch" "exit $r2: $(head -c 200 "$OUT/cross.err2")"
		fi
	done
	for from in $hosts; do
		for to in $hosts; do
			[ "$from" = "$to" ] && continue
			label=cross/$from-to-$to
			a="$MVM" b="$MVM"
			[ "$from" = native ] || a="qemu-$from build/$from/mvm"
			[ "$to" = native ] || b="qemu-$to build/$to/mvm"
			snap=$OUT/cross-$from-$to.snap
			rm -f "$snap"
			fresh_dir "$d"
			# The cross-built monitors have no zstd (scripts/deps says why).
			timeout "$TMO" $a run --dir "$d" --snapshot "$snap" --snapshot-uncompressed --snapshot-at "$n" \
				--suspend "$OUT/state" "$d" \
				>"$OUT/cross.1" 2>"$OUT/cross.err" </dev/null
			r1=$?
			timeout "$TMO" $b restore --dir "$d" "$snap" >"$OUT/cross.2" 2>>"$OUT/cross.err" </dev/null
			r2=$?
			cat "$OUT/cross.1" "$OUT/cross.2" >"$OUT/cross.out"
			if [ "$r1 $r2" != "120 3" ]; then
				fail "$label" "exits $r1 $r2, expected 120 3: $(head -c 200 "$OUT/cross.err")"
			elif ! cmp -s "$OUT/cross.out" "$ref"; then
				fail "$label" "output differs from qemu's: $(guest_first_diff "$ref" "$OUT/cross.out")"
			else
				pass "$label"
			fi
		done
	done
}

# Clones: N VMs from one snapshot, in parallel, each going on as the
# original would; pages shared; fresh randomness in each.
# clone_check LABEL N RUN...: three clones of the snapshot at N of mvm run
# RUN (options, then the program), each going on as qemu's run of the
# program does (what the run printed before N, then the clone's), and
# sharing memory with the template. $LEVELS: the clones' grants.
clone_check() {
	local label=$1 n=$2 snap=$OUT/clone.snap bad="" k rc shared
	shift 2
	rm -rf "$snap" "$OUT/clones" && mkdir -p "$OUT/clones"
	"$MVM" run --snapshot "$snap" --snapshot-at "$n" --suspend "$@" >"$OUT/clone.1" 2>/dev/null </dev/null
	# shellcheck disable=SC2086
	timeout "$TMO" "$MVM" clone -n 3 ${LEVELS:-} --out "$OUT/clones" --stats "$snap" >/dev/null 2>"$OUT/clone.err" </dev/null
	rc=$?
	for k in 1 2 3; do
		cat "$OUT/clone.1" "$OUT/clones/clone-$k.out" | cmp -s - "$ref" || bad="$bad $k"
	done
	shared=$(sed -n 's/^mvm: stats: 3 clones: [0-9]* KiB of guest memory in all, \([0-9]*\) KiB of it shared.*/\1/p' "$OUT/clone.err")
	if [ "$rc" != "$ref_rc" ]; then
		fail "$label" "exit $rc, qemu $ref_rc: $(head -c 200 "$OUT/clone.err")"
	elif [ -n "$bad" ]; then
		fail "$label" "clone$bad: output differs from qemu's"
	elif [ -z "$shared" ] || [ "$shared" -eq 0 ]; then
		fail "$label" "no memory shared: $(head -c 200 "$OUT/clone.err")"
	else
		pass "$label"
	fi
}

clones() {
	for pv in hash.glibc smc.glibc malloc.glibc; do
		p=${pv%.*} v=${pv#*.}
		guest_build "$p" "$v" || { fail "clone/$pv" "build failed"; continue; }
		bin=$GUEST_OUT/$v/$p
		reference "$pv" "$bin"
		total=$(instructions "$bin")
		clone_check "clone/$pv" $((total / 2)) "$bin"
	done
	# Several processes (forks.c: a child blocked on a pipe, computing or
	# gone, a zombie, shared and copy-on-write memory): each process of a
	# clone takes its namesake's pages in the template.
	reference forks "$OUT/forks"
	total=$(instructions "$OUT/forks")
	for k in 1 2 3 4; do
		clone_check "clone/forks/$k" $((k * total / 5)) "$OUT/forks"
	done
	# A monitor's VM with the VMs its guest made (the processes above in
	# the innermost): lowered and trusted, each clone's VMs take their
	# namesakes' pages in the template's tree; emulated, they are guest
	# memory.
	img=$(cd "$(dirname "$MVM")" && pwd)
	for dm in "2 lowered" "2 trusted" "2 emulate" "3 trusted"; do
		set -- $dm
		total=$(tree_instructions --depth "$1" --nest-mode="$2" "$OUT/forks")
		LEVELS="--dir $img:$img:ro --dir $ABS:$ABS:ro" clone_check "clone/nested/$1/$2" $((total / 2)) \
			--depth "$1" --nest-mode="$2" "$OUT/forks"
	done
	snap=$OUT/entropy.snap
	rm -rf "$snap" "$OUT/clones" && mkdir -p "$OUT/clones"
	"$MVM" run --snapshot "$snap" --snapshot-at 1000000 --suspend "$OUT/entropy" >/dev/null 2>&1 </dev/null
	"$MVM" clone -n 3 --out "$OUT/clones" "$snap" >/dev/null 2>"$OUT/clone.err" </dev/null
	rc=$?
	n=$(cat "$OUT/clones/clone-1.out" "$OUT/clones/clone-2.out" "$OUT/clones/clone-3.out" | grep -c '^[0-9a-f]\{32\}$')
	u=$(cat "$OUT/clones/clone-1.out" "$OUT/clones/clone-2.out" "$OUT/clones/clone-3.out" | sort -u | wc -l)
	if [ "$rc $n $u" != "0 3 3" ]; then
		fail clone/entropy "exit $rc, $n lines of 32 hex digits, $u different (want 0 3 3)"
	else
		pass clone/entropy
	fi
}

# listen_port FILE: the port `mvm listen` (stderr in FILE) or the sink
# (stdout in FILE) is on, once it says (up to 10 s).
listen_port() {
	i=0
	while [ $i -lt 200 ]; do
		port=$(sed -n 's/^mvm: listening on 127.0.0.1:\([0-9]*\)$/\1/p; t; s/^\([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null)
		[ -n "$port" ] && { echo "$port"; return; }
		sleep 0.05
		i=$((i + 1))
	done
}

# Live migration: the VM leaves this monitor for one listening on
# 127.0.0.1 and goes on there; when the receiver fails, it goes on here.
# moved LABEL N WANT GRANTS PROG ARGS...: the VM (run with ARGS) moves at N
# to a monitor listening here with GRANTS (words); both sides' output
# together must be $ref and the receiver must exit WANT; the sender
# reports the move. A sender that fails makes the receiver give up.
moved() {
	label=$1 n=$2 want=$3 lgrants=$4
	shift 4
	rm -f "$OUT/mig.err2"    # (or the old one may be read before the new one starts)
	# shellcheck disable=SC2086
	"$MVM" listen $lgrants 127.0.0.1:0 >"$OUT/mig.2" 2>"$OUT/mig.err2" </dev/null &
	rpid=$!
	port=$(listen_port "$OUT/mig.err2")
	timeout "$TMO" "$MVM" run --migrate-to "127.0.0.1:$port" --migrate-at "$n" "$@" \
		>"$OUT/mig.1" 2>"$OUT/mig.err1" </dev/null
	r1=$?
	[ "$r1" = 120 ] || kill $rpid 2>/dev/null    # nothing came: it would wait on
	wait $rpid
	r2=$?
	cat "$OUT/mig.1" "$OUT/mig.2" >"$OUT/mig.out"
	if [ "$r1 $r2" != "120 $want" ]; then
		fail "$label" "exits $r1 $r2, expected 120 $want: $(head -c 300 "$OUT/mig.err1" "$OUT/mig.err2")"
	elif ! cmp -s "$OUT/mig.out" "$ref"; then
		fail "$label" "output differs from qemu's: $(guest_first_diff "$ref" "$OUT/mig.out")"
	elif ! grep -q "^mvm: migrated to 127.0.0.1:$port: .* in .* rounds, .* ms in all, the VM stopped for .* ms$" \
		"$OUT/mig.err1"; then
		fail "$label" "no report of the migration: $(head -c 200 "$OUT/mig.err1")"
	else
		pass "$label"
	fi
}

migrate() {
	d=$ABS/mig.d
	fresh_dir "$d"
	reference state "$OUT/state" "$d"
	total=$(instructions --dir "$d" "$OUT/state" "$d")
	for n in $((total / 3)) $((total * 2 / 3)); do
		fresh_dir "$d"
		moved "migrate/$n" "$n" 3 "--dir $d" --dir "$d" "$OUT/state" "$d"
	done

	# On SIGUSR1, one thread computing and one blocked, as for a snapshot.
	d=$ABS/migspin.d
	rm -rf "$d" "$OUT/migspin.err2" "$OUT/migspin.1" && mkdir -p "$d"
	"$MVM" listen --dir "$d" 127.0.0.1:0 >"$OUT/migspin.2" 2>"$OUT/migspin.err2" </dev/null &
	rpid=$!
	port=$(listen_port "$OUT/migspin.err2")
	"$MVM" run --dir "$d" --migrate-to "127.0.0.1:$port" "$OUT/spin" "$d" >"$OUT/migspin.1" 2>"$OUT/migspin.err1" </dev/null &
	spid=$!
	wait_for_line started "$OUT/migspin.1"
	sleep 0.3
	kill -USR1 $spid
	wait $spid
	r1=$?
	touch "$d/stop"
	wait $rpid
	r2=$?
	cat "$OUT/migspin.1" "$OUT/migspin.2" >"$OUT/migspin.out"
	if [ "$r1 $r2" != "120 0" ] || ! cmp -s "$OUT/migspin.out" "$OUT/spin.want"; then
		fail migrate/signal "exits $r1 $r2 (expected 120 0), output $(tr '\n' '|' <"$OUT/migspin.out"): $(head -c 200 "$OUT/migspin.err1")"
	else
		pass migrate/signal
	fi

	# The receiver dies in the middle, refuses the VM, or is not there: one
	# line says so, and the VM runs to its end here as if nothing happened.
	if command -v "${HOSTCC:-cc}" >/dev/null 2>&1 && [ "$(uname -s)" = Linux ]; then
		[ "$OUT/sink" -nt "$SRC/sink.c" ] || "${HOSTCC:-cc}" -O2 -o "$OUT/sink" "$SRC/sink.c"
	fi
	n=$((total / 2))
	for how in dies refuses absent; do
		fresh_dir "$d"
		rm -f "$OUT/mig.rcv"
		case $how in
		dies) "$OUT/sink" 8192 >"$OUT/mig.rcv" & ;;
		refuses) "$MVM" listen --mem 1M --dir "$d" 127.0.0.1:0 >/dev/null 2>"$OUT/mig.rcv" </dev/null & ;;
		absent) echo 1 >"$OUT/mig.rcv"; true & ;;
		esac
		rpid=$!
		port=$(listen_port "$OUT/mig.rcv")
		timeout "$TMO" "$MVM" run --dir "$d" --migrate-to "127.0.0.1:$port" --migrate-at "$n" "$OUT/state" "$d" \
			>"$OUT/mig.1" 2>"$OUT/mig.err1" </dev/null
		r1=$?
		wait $rpid
		if [ "$r1" != 3 ] || ! cmp -s "$OUT/mig.1" "$ref"; then
			fail "migrate/receiver-$how" "exit $r1 (expected 3) or output other than qemu's: $(head -c 200 "$OUT/mig.err1")"
		elif [ "$(wc -l <"$OUT/mig.err1")" != 1 ] || ! grep -q "^mvm: migrate to 127.0.0.1:$port: .*; the VM goes on$" "$OUT/mig.err1"; then
			fail "migrate/receiver-$how" "expected one line saying the VM goes on, got: $(head -c 200 "$OUT/mig.err1")"
		else
			pass "migrate/receiver-$how"
		fi
	done
	# Several processes (forks.c): the first one's memory goes ahead, the
	# others' whole once stopped, with the shared memory they wrote.
	reference forks "$OUT/forks"
	total=$(instructions "$OUT/forks")
	for n in $((total / 3)) $((total * 2 / 3)); do
		moved "migrate/forks/$n" "$n" "$ref_rc" "" "$OUT/forks"
	done
	# A child writes memory shared with the first process while the
	# pre-copy goes round after round (migshared.c): what the receiver
	# gets of it is what the child last wrote, or the child sees a count
	# that is not its own last.
	reference migshared "$OUT/migshared"
	if [ "$(cat "$ref")" != consistent ]; then
		fail migrate/shared "qemu's run says: $(head -c 100 "$ref")"
	else
		moved migrate/shared 5000000 0 "" "$OUT/migshared"
		# (It must have gone round: the child wrote during the pre-copy.)
		grep -q " in 1 rounds" "$OUT/mig.err1" && fail migrate/shared-rounds "one round only: $(head -c 200 "$OUT/mig.err1")"
	fi
}

# expect LABEL STATUS PATTERN CMD...: CMD exits STATUS with PATTERN in
# the one line it prints on stderr.
expect() {
	label=$1 want=$2 pat=$3
	shift 3
	"$@" >"$OUT/e.out" 2>"$OUT/e.err" </dev/null
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "errors/$label" "exit $rc, expected $want: $(head -c 200 "$OUT/e.err")"
	elif [ "$(wc -l <"$OUT/e.err")" != 1 ] || ! grep -q -- "$pat" "$OUT/e.err"; then
		fail "errors/$label" "expected one line matching '$pat', got: $(head -c 200 "$OUT/e.err")"
	else
		pass "errors/$label"
	fi
}

# poke FILE OFFSET BYTE: writes one byte (octal) at OFFSET.
poke() {
	printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# flip FILE OFFSET: changes the byte at OFFSET (adds one to it).
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	poke "$1" "$2" "$(printf '%03o' $(((b + 1) % 256)))"
}

errors() {
	d=$ABS/err.d
	fresh_dir "$d"
	good=$OUT/good.snap
	rm -f "$good"
	"$MVM" run --dir "$d" --snapshot "$good" --snapshot-at 3000000 --suspend "$OUT/state" "$d" >/dev/null 2>&1 </dev/null
	if [ ! -s "$good" ]; then
		fail errors "no snapshot to start from"
		return
	fi
	size=$(wc -c <"$good")
	bad=$OUT/bad.snap
	for at in 0 7 12 20 30 40 60 $((size / 2)) $((size - 20)) $((size - 1)); do
		cp "$good" "$bad"
		flip "$bad" "$at"
		case $at in
		0|7) pat="not a Matryoshka snapshot" ;;
		*) pat="." ;;
		esac
		expect "flip-$at" 122 "$pat" "$MVM" restore --dir "$d" "$bad"
	done
	cp "$good" "$bad"
	poke "$bad" 8 002
	expect newer 122 "newer than this monitor" "$MVM" restore --dir "$d" "$bad"
	for len in 0 16 31 32 100 $((size / 2)) $((size - 1)); do
		head -c "$len" "$good" >"$bad"
		expect "truncated-$len" 122 "." "$MVM" restore --dir "$d" "$bad"
	done
	cp "$good" "$bad"
	printf 'more' >>"$bad"
	expect trailing 122 "." "$MVM" restore --dir "$d" "$bad"
	expect elf 122 "not a Matryoshka snapshot" "$MVM" restore "$OUT/state"
	expect missing 127 "No such file" "$MVM" restore "$OUT/no-such.snap"
	expect no-grant 121 "grant a directory there again" "$MVM" restore "$good"
	other=$ABS/other.d
	rm -rf "$other" && mkdir -p "$other"
	expect moved-file 121 "data.txt" "$MVM" restore --dir "$other:$d" "$good"
	expect suspend-alone 125 "needs --snapshot" "$MVM" run --suspend "$OUT/state" "$d"
	expect at-zero 125 "snapshot-at 0" "$MVM" run --snapshot "$bad" --snapshot-at 0 "$OUT/state" "$d"
	expect restore-flag 125 "unknown option" "$MVM" restore --bogus "$good"
	expect restore-two 125 "one snapshot file only" "$MVM" restore "$good" "$good"

	# State a snapshot cannot hold: one line says why, the VM goes on to
	# its end as qemu's, and the file already there stays as it was.
	reference sock "$OUT/sock"
	cp "$good" "$bad"
	"$MVM" run --snapshot "$bad" --snapshot-at 3000000 "$OUT/sock" >"$OUT/sock.out" 2>"$OUT/sock.err" </dev/null
	rc=$?
	if [ "$rc" != "$ref_rc" ] || ! cmp -s "$OUT/sock.out" "$ref"; then
		fail errors/refused "exit $rc (qemu $ref_rc), or output other than qemu's"
	elif ! grep -q "datagram pair with messages queued.*the VM goes on" "$OUT/sock.err" || [ "$(wc -l <"$OUT/sock.err")" != 1 ]; then
		fail errors/refused "expected one line naming the datagram pair, got: $(head -c 200 "$OUT/sock.err")"
	elif ! cmp -s "$good" "$bad" || ls "$OUT"/bad.snap.tmp* >/dev/null 2>&1; then
		fail errors/refused "the snapshot already there changed, or a temporary file was left"
	else
		pass errors/refused
	fi
}

# nested: a monitor's VM saved with the VMs its guest made, at depth 2
# and 3, in each nesting mode (lowered and trusted: those VMs run in this
# process; emulated: they are guest memory), cut where the innermost
# program runs, restored with the grants the levels had (the monitor's
# directory and the program's, which --depth grants at their own paths).
# Also: processes inside the innermost VM, SIGUSR1 while its worker
# computes and its main thread blocks, a chain, a migration, and a
# monitor whose VMs' memory is not unrolled (refused: the VM goes on).
# tree_instructions ARGS...: what a run of ARGS costs, the VMs it made too.
tree_instructions() {
	sum=0
	for k in $("$MVM" run --stats "$@" 2>&1 >"$OUT/count.out" </dev/null |
		sed -n 's/^mvm: stats: \([0-9]*\) instructions.*/\1/p'); do
		sum=$((sum + k))
	done
	echo "$sum"
}

nested() {
	img=$(cd "$(dirname "$MVM")" && pwd)
	levels="--dir $img:$img:ro --dir $ABS:$ABS:ro"
	d=$ABS/nest.d
	fresh_dir "$d"
	reference state "$OUT/state" "$d"
	for dm in "2 lowered" "2 trusted" "2 emulate" "3 lowered" "3 trusted"; do
		set -- $dm
		fresh_dir "$d"
		total=$(tree_instructions --depth "$1" --nest-mode="$2" --dir "$d" "$OUT/state" "$d")
		if [ -z "$total" ] || [ "$total" -lt 30000000 ]; then
			fail "nested/$1/$2" "the whole run did not report its instructions ($total)"
			continue
		fi
		for n in $((total / 3)) $((total * 2 / 3 + 7)); do
			fresh_dir "$d"
			LEVELS=$levels split "nested/$1/$2/$n" "$n" "$d" --depth "$1" --nest-mode="$2" "$OUT/state" "$d"
		done
	done
	# Processes in the innermost VM (a child blocked on a pipe, a zombie,
	# shared memory), lowered and trusted.
	reference forks "$OUT/forks"
	for m in lowered trusted; do
		total=$(tree_instructions --depth 2 --nest-mode=$m "$OUT/forks")
		LEVELS=$levels split "nested/forks/$m" $((total / 2)) - --depth 2 --nest-mode=$m "$OUT/forks"
	done
	# SIGUSR1: the run ends inside the innermost VM, whose worker computes
	# while its main thread waits in pthread_join.
	for dm in "2 lowered" "3 trusted"; do
		set -- $dm
		label=nested/signal/$1/$2
		d=$ABS/nspin.d
		rm -rf "$d" "$OUT/nspin.1" && mkdir -p "$d"
		snap=$OUT/nspin.snap
		rm -f "$snap"
		"$MVM" run --depth "$1" --nest-mode="$2" --dir "$d" --snapshot "$snap" --suspend "$OUT/spin" "$d" \
			>"$OUT/nspin.1" 2>"$OUT/nspin.err" </dev/null &
		pid=$!
		wait_for_line started "$OUT/nspin.1"
		sleep 0.3
		kill -USR1 $pid
		wait $pid
		r1=$?
		touch "$d/stop"
		# shellcheck disable=SC2086
		timeout "$TMO" "$MVM" restore $levels --dir "$d" "$snap" >"$OUT/nspin.2" 2>>"$OUT/nspin.err" </dev/null
		r2=$?
		printf 'started\ndone: consistent\n' >"$OUT/nspin.want"
		cat "$OUT/nspin.1" "$OUT/nspin.2" >"$OUT/nspin.out"
		if [ "$r1 $r2" != "120 0" ]; then
			fail "$label" "exits $r1 $r2, expected 120 0: $(head -c 200 "$OUT/nspin.err")"
		elif ! cmp -s "$OUT/nspin.out" "$OUT/nspin.want"; then
			fail "$label" "output: $(tr '\n' '|' <"$OUT/nspin.out")"
		else
			pass "$label"
		fi
	done
	# A chain: saved, restored and saved again further on, restored.
	d=$ABS/nchain.d
	fresh_dir "$d"
	reference state "$OUT/state" "$d"
	total=$(tree_instructions --depth 2 --dir "$d" "$OUT/state" "$d")
	fresh_dir "$d"
	s1=$OUT/nchain1.snap s2=$OUT/nchain2.snap
	rm -f "$s1" "$s2"
	"$MVM" run --depth 2 --dir "$d" --snapshot "$s1" --snapshot-at $((total / 3)) --suspend "$OUT/state" "$d" \
		>"$OUT/nchain.1" 2>"$OUT/nchain.err" </dev/null
	r1=$?
	# shellcheck disable=SC2086
	"$MVM" restore $levels --dir "$d" --snapshot "$s2" --snapshot-at $((total * 2 / 3)) --suspend "$s1" \
		>"$OUT/nchain.2" 2>>"$OUT/nchain.err" </dev/null
	r2=$?
	# shellcheck disable=SC2086
	"$MVM" restore $levels --dir "$d" "$s2" >"$OUT/nchain.3" 2>>"$OUT/nchain.err" </dev/null
	r3=$?
	cat "$OUT/nchain.1" "$OUT/nchain.2" "$OUT/nchain.3" >"$OUT/nchain.out"
	if [ "$r1 $r2 $r3" != "120 120 3" ]; then
		fail nested/chain "exits $r1 $r2 $r3, expected 120 120 3: $(head -c 200 "$OUT/nchain.err")"
	elif ! cmp -s "$OUT/nchain.out" "$ref"; then
		fail nested/chain "output differs from qemu's: $(guest_first_diff "$ref" "$OUT/nchain.out")"
	elif [ "$(wc -l <"$OUT/nchain.1")" -ge "$(wc -l <"$ref")" ] || [ ! -s "$OUT/nchain.2" ]; then
		fail nested/chain "the cuts are not inside the run"
	else
		pass nested/chain
	fi
	# A migration of a monitor's VM with its VMs.
	d=$ABS/nmig.d
	fresh_dir "$d"
	moved nested/migrate $((total / 2)) 3 "$levels --dir $d" --depth 2 --dir "$d" "$OUT/state" "$d"
	# The restore needs the levels' directories, as any grant.
	d=$ABS/nest.d
	fresh_dir "$d"
	"$MVM" run --depth 2 --dir "$d" --snapshot "$OUT/nerr.snap" --snapshot-at $((total / 2)) --suspend \
		"$OUT/state" "$d" >/dev/null 2>&1 </dev/null
	expect nested/no-grant 121 "grant a directory there again" "$MVM" restore --dir "$d" "$OUT/nerr.snap"
	# Memory that is not unrolled: one line says why, the VM goes on.
	fresh_dir "$d"
	rm -f "$OUT/nerr2.snap"
	"$MVM" run --depth 2 --no-unroll --dir "$d" --snapshot "$OUT/nerr2.snap" --snapshot-at $((total / 2)) \
		"$OUT/state" "$d" >"$OUT/nerr2.out" 2>"$OUT/nerr2.err" </dev/null
	rc=$?
	if [ "$rc" != 3 ] || ! cmp -s "$OUT/nerr2.out" "$ref" || [ -e "$OUT/nerr2.snap" ] ||
		! grep -q "not unrolled.*the VM goes on" "$OUT/nerr2.err"; then
		fail nested/no-unroll "exit $rc, or output other than qemu's, or a file, or no reason: $(head -c 200 "$OUT/nerr2.err")"
	else
		pass nested/no-unroll
	fi
}

for part in $parts; do
	case $part in
	split) split_programs ;;
	chain) chain ;;
	signal) signal_test; signal_blocked ;;
	lazy) lazy ;;
	sockets) sockets ;;
	migrate) migrate ;;
	clone) clones ;;
	cross) cross ;;
	errors) errors ;;
	nested) nested ;;
	*) echo "FAIL snap/usage: unknown part $part" ;;
	esac
done
exit 0
