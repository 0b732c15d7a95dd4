#!/bin/sh
# Net suite: sockets and event loops for guests (user/net.c), built with
# riscv64-linux-gnu-gcc -static -O2. Each test runs under $MVM at depth 1
# and at depth 2 (--nest-mode=lowered: the grants must pass down):
#   echo      a guest TCP echo server under --listen, checked by a host client
#             (python3), over IPv4 and IPv6
#   http      a guest HTTP/1.0 server on an epoll loop, answering curl
#   deny      connect, bind, listen and sendto without a grant: EACCES, and
#             the lines in --trace=syscalls (depth 1: the trace shows the
#             outermost level only)
#   udp       a guest UDP exchange (listen + connect grants)
#   unix      socketpair + SCM_RIGHTS, compared with qemu-riscv64 (the oracle)
#   events    eventfd, timerfd, epoll, poll, select: compared with qemu-riscv64
#   unixpath  AF_UNIX names in a granted dir, outside (ENOENT), in a :ro
#             mount (EROFS), abstract names
#   grant     a guest granting its own VM more than it holds: EACCES
# A sanitizer report on stderr fails a test (MVM=build/san/mvm).
#
# Usage: tests/net/run.sh            MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
SRC=tests/net
OUT=build/tests/net
QEMU=${QEMU_RISCV64:-qemu-riscv64}
CC=riscv64-linux-gnu-gcc
TMO=${NET_TIMEOUT:-60}
mkdir -p "$OUT"

for tool in "$CC" python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP net: not installed: $tool (scripts/deps)"; exit 0; }
done
have_qemu=1
command -v "$QEMU" >/dev/null 2>&1 || have_qemu=0

build() {
	[ "$OUT/$1" -nt "$SRC/$1.c" ] && return 0
	$CC -D_GNU_SOURCE -static -O2 -Wall -Iinclude -o "$OUT/$1" "$SRC/$1.c" 2>"$OUT/$1.log"
}

# A port the host has free now (the guest may still lose a race: retried).
freeport() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET6 if sys.argv[1]=="6" else socket.AF_INET); s.bind(("::1" if sys.argv[1]=="6" else "127.0.0.1",0)); print(s.getsockname()[1])' "${1:-4}"
}

san() { grep -q "Sanitizer\|runtime error" "$1"; }

depth_opts() { [ "$1" = 1 ] && echo "" || echo "--depth 2 --nest-mode=lowered"; }
label() { [ "$2" = 1 ] && echo "net/$1" || echo "net/$1.depth2"; }

# Waits until file $1 has a line "ready..." or process $2 ended; 0 if ready.
wait_ready() {
	i=0
	while [ $i -lt 300 ]; do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		i=$((i+1))
	done
	return 1
}

# server NAME MODE HOSTADDR FAMILY ARGS...: starts a guest server with a
# listen grant for a free port, retried when the port was taken meanwhile.
# Sets $port, $spid; the server's stdout/stderr are $OUT/NAME.out$MODE/.err$MODE.
server() {
	name=$1 mode=$2 haddr=$3 fam=$4
	shift 4
	tries=0
	while [ $tries -lt 3 ]; do
		tries=$((tries+1))
		port=$(freeport "$fam")
		spec="$haddr:$port"
		[ "$fam" = 6 ] && spec="[$haddr]:$port"
		# shellcheck disable=SC2046
		timeout "$TMO" "$MVM" run $(depth_opts "$mode") --listen "$spec" "$OUT/$name" "$@" "$port" \
			>"$OUT/$name.out$mode" 2>"$OUT/$name.err$mode" </dev/null &
		spid=$!
		wait_ready "$OUT/$name.out$mode" $spid && return 0
		wait $spid
		[ $? = 3 ] || return 1       # not "port taken": a real failure
	done
	return 1
}

# ---------------------------------------------------------------- echo
have6=1
python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1",0))' 2>/dev/null || have6=0
if ! build echo; then echo "FAIL net/echo: build (see $OUT/echo.log)"; else
	for mode in 1 2; do
		for fam in 4 6; do
			l=$(label echo "$mode"); [ $fam = 6 ] && l=$l.ipv6
			haddr=127.0.0.1; [ $fam = 6 ] && haddr=::1
			if [ $fam = 6 ] && [ $have6 = 0 ]; then echo "SKIP $l: the host has no IPv6 loopback"; continue; fi
			if ! server echo "$mode" "$haddr" "$fam" "$haddr" 3; then
				echo "FAIL $l: the server did not start: $(head -c 300 "$OUT/echo.err$mode")"; continue
			fi
			res=$(timeout "$TMO" python3 "$SRC/client.py" echo "$haddr" "$port" 3 200000 2>&1)
			wait $spid
			rc=$?
			if [ "$res" != ok ]; then
				echo "FAIL $l: host client: $res"
			elif [ $rc != 0 ] || ! grep -q "served 3 connections, 600000 bytes" "$OUT/echo.out$mode"; then
				echo "FAIL $l: server exit $rc: $(head -c 300 "$OUT/echo.out$mode" "$OUT/echo.err$mode")"
			elif san "$OUT/echo.err$mode"; then
				echo "FAIL $l: a sanitizer report (see $OUT/echo.err$mode)"
			else
				echo "PASS $l"
			fi
		done
	done
fi

# ---------------------------------------------------------------- http
if ! build http; then echo "FAIL net/http: build (see $OUT/http.log)"; else
	for mode in 1 2; do
		l=$(label http "$mode")
		if ! command -v curl >/dev/null 2>&1; then echo "SKIP $l: curl not installed (scripts/deps)"; continue; fi
		if ! server http "$mode" 127.0.0.1 4 2; then
			echo "FAIL $l: the server did not start: $(head -c 300 "$OUT/http.err$mode")"; continue
		fi
		b1=$(curl -s --max-time 20 "http://127.0.0.1:$port/")
		b2=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/x")
		wait $spid
		rc=$?
		if [ "$b1" != "hello from a guest" ] || [ "$b2" != 200 ]; then
			echo "FAIL $l: curl got '$b1' / status '$b2': $(head -c 300 "$OUT/http.err$mode")"
		elif [ $rc != 0 ]; then
			echo "FAIL $l: server exit $rc: $(head -c 300 "$OUT/http.err$mode")"
		elif san "$OUT/http.err$mode"; then
			echo "FAIL $l: a sanitizer report (see $OUT/http.err$mode)"
		else
			echo "PASS $l"
		fi
	done
fi

# ---------------------------------------------------------------- deny
if ! build deny; then echo "FAIL net/deny: build (see $OUT/deny.log)"; else
	for mode in 1 2; do
		l=$(label deny "$mode")
		port=$(freeport 4)
		# A grant for another port changes nothing for this one.
		# shellcheck disable=SC2046
		timeout "$TMO" "$MVM" run $(depth_opts "$mode") --trace=syscalls --listen "127.0.0.1:$((port+1))" \
			--connect "127.0.0.1:$((port+1))" "$OUT/deny" "$port" >"$OUT/deny.out$mode" 2>"$OUT/deny.err$mode" </dev/null
		rc=$?
		if [ $rc != 0 ] || ! cmp -s "$OUT/deny.out$mode" "$SRC/deny.expect"; then
			echo "FAIL $l: exit $rc or output differs from deny.expect (see $OUT/deny.out$mode)"
		elif [ "$mode" = 1 ] && ! grep -q "connect(3, {AF_INET, 127.0.0.1:$port}, 16) = -13 EACCES" "$OUT/deny.err$mode" ||
		     { [ "$mode" = 1 ] && { ! grep -q "bind(4, {AF_INET, 127.0.0.1:$port}, 16) = -13 EACCES" "$OUT/deny.err$mode" ||
		     ! grep -q "sendto(5, .*{AF_INET, 127.0.0.1:$port}, 16) = -13 EACCES" "$OUT/deny.err$mode"; }; }; then
			echo "FAIL $l: the trace lacks the EACCES lines (see $OUT/deny.err$mode)"
		elif san "$OUT/deny.err$mode"; then
			echo "FAIL $l: a sanitizer report (see $OUT/deny.err$mode)"
		else
			echo "PASS $l"
		fi
	done
fi

# ----------------------------------------------------- udp, unixpath, grant
# expect NAME MODE ARGS...: output must match NAME.expect, exit 0.
expect() {
	name=$1 mode=$2
	shift 2
	l=$(label "$name" "$mode")
	# shellcheck disable=SC2046
	timeout "$TMO" "$MVM" run $(depth_opts "$mode") "$@" >"$OUT/$name.out$mode" 2>"$OUT/$name.err$mode" </dev/null
	rc=$?
	if [ $rc != 0 ] || ! cmp -s "$OUT/$name.out$mode" "$SRC/$name.expect"; then
		echo "FAIL $l: exit $rc or output differs from $name.expect (see $OUT/$name.out$mode): $(head -c 300 "$OUT/$name.err$mode")"
	elif san "$OUT/$name.err$mode"; then
		echo "FAIL $l: a sanitizer report (see $OUT/$name.err$mode)"
	else
		echo "PASS $l"
	fi
}

if ! build udp; then echo "FAIL net/udp: build (see $OUT/udp.log)"; else
	for mode in 1 2; do
		port=$(freeport 4)
		expect udp "$mode" --listen "127.0.0.1:$port" --connect "127.0.0.1:$port" "$OUT/udp" "$port"
	done
fi

if ! build unixpath; then echo "FAIL net/unixpath: build (see $OUT/unixpath.log)"; else
	tmp=$(mktemp -d)
	mkdir -p "$tmp/rw" "$tmp/ro"
	for mode in 1 2; do
		expect unixpath "$mode" --dir "$tmp/rw:/rw" --dir "$tmp/ro:/ro:ro" "$OUT/unixpath" /rw /ro
		[ -e "$tmp/ro/sock" ] && echo "FAIL net/unixpath: a socket appeared in the read-only mount"
	done
	rm -rf "$tmp"
fi

if ! build grant; then echo "FAIL net/grant: build (see $OUT/grant.log)"; else
	for mode in 1 2; do
		expect grant "$mode" --listen 127.0.0.1:4444 --connect localhost:80 "$OUT/grant"
	done
fi

# ------------------------------------------------- against qemu-riscv64
for name in unix events; do
	if ! build $name; then echo "FAIL net/$name: build (see $OUT/$name.log)"; continue; fi
	if [ $have_qemu = 0 ]; then echo "SKIP net/$name: not installed: $QEMU"; continue; fi
	timeout "$TMO" "$QEMU" "$OUT/$name" >"$OUT/$name.qemu" 2>/dev/null </dev/null
	qrc=$?
	for mode in 1 2; do
		l=$(label $name "$mode")
		# shellcheck disable=SC2046
		timeout "$TMO" "$MVM" run $(depth_opts "$mode") "$OUT/$name" >"$OUT/$name.out$mode" 2>"$OUT/$name.err$mode" </dev/null
		rc=$?
		if [ $rc != $qrc ]; then
			echo "FAIL $l: exit $rc, qemu $qrc: $(head -c 300 "$OUT/$name.err$mode")"
		elif ! cmp -s "$OUT/$name.out$mode" "$OUT/$name.qemu"; then
			echo "FAIL $l: stdout differs from qemu's (see $OUT/$name.out$mode)"
		elif san "$OUT/$name.err$mode"; then
			echo "FAIL $l: a sanitizer report (see $OUT/$name.err$mode)"
		else
			echo "PASS $l"
		fi
	done
done

# ------------------------------------------------------------- the CLI
"$MVM" run --listen nowhere "$OUT/deny" >/dev/null 2>"$OUT/cli.err"
rc=$?
if [ $rc = 125 ] && grep -q "listen nowhere" "$OUT/cli.err"; then echo "PASS net/cli.malformed"
else echo "FAIL net/cli.malformed: exit $rc: $(head -c 200 "$OUT/cli.err")"; fi
