#!/bin/sh
# demo.sh — a short narrated tour of Matryoshka; `make demo` runs it.
#   guests/demo.sh [MVM]     MVM: the monitor to use (default build/mvm)
# Expects the guests built by `make -C guests` in build/guests/.
set -u
cd "$(dirname "$0")/.." || exit 2
MVM=${1:-build/mvm}
G=build/guests

if [ ! -x "$MVM" ]; then
	echo "demo: no monitor at $MVM; build it with 'make'" >&2
	exit 1
fi
for g in hello demo hello-picolibc demo-picolibc; do
	if [ ! -f "$G/$g" ]; then
		echo "demo: $G/$g is missing; build the guests with 'make -C guests'" >&2
		exit 1
	fi
done

if [ -t 1 ]; then bold=$(printf '\033[1m'); plain=$(printf '\033[0m'); else bold=; plain=; fi
failed=0

say() {
	printf '\n%s%s%s\n' "$bold" "$*" "$plain"
}

# run WANT CMD...: show the command, run it, report an unexpected status
run() {
	want=$1
	shift
	printf '$ %s\n' "$*"
	"$@"
	rc=$?
	if [ "$rc" != "$want" ]; then
		printf '%s(exit status %s, expected %s)%s\n' "$bold" "$rc" "$want" "$plain"
		failed=1
	fi
}

say "Matryoshka runs RISC-V RV64GC Linux programs on this $(uname -m) host by interpreting them."
echo "Guests are ordinary static programs built with sdk/mvm-cc; the monitor is $MVM."

say "1. Hello, world: a static glibc program."
run 0 "$MVM" run "$G/hello"

say "2. A small tour: arguments and environment, primes, a fractal, SHA-256, floating point."
echo "The guest sees only the environment given with --env, never the host's."
run 0 "$MVM" run --env "USER=${USER:-guest}" "$G/demo" Matryoshka

say "3. The same sources built with picolibc instead of glibc (sdk/mvm-cc --libc=picolibc)."
run 0 "$MVM" run "$G/hello-picolibc" picolibc
printf '$ %s | tail -n 1\n' "$MVM run $G/demo-picolibc"
"$MVM" run "$G/demo-picolibc" | tail -n 1

say "4. Time is counted in instructions: --budget stops a guest after exactly N of them."
echo "The monitor then exits with status 124, whatever the guest was doing."
run 124 "$MVM" run --budget 200000 "$G/demo"

say "5. --stats reports what the machine did (on stderr)."
run 0 "$MVM" run --stats "$G/hello"

if [ -f "$(dirname "$MVM")/mvm.rv64" ] && [ -f "$G/spawn" ]; then
	say "6. The monitor runs inside itself: hello world at depth 8 (seven nested monitors)."
	echo "Nested VMs are created by hypercalls and run by the real environment, so depth costs little."
	run 0 "$MVM" run --depth 8 "$G/hello" "depth 8"
	echo "For comparison, each level interpreting the next (--nest-mode=emulate), at depth 3:"
	run 0 "$MVM" run --nest-mode=emulate --depth 3 "$G/hello" "depth 3, emulated"

	say "7. A guest with VMs of its own: spawn runs isolated programs side by side and collects their output."
	gdir=$(cd "$G" && pwd)
	out=$(mktemp -d "${TMPDIR:-/tmp}/mvm-demo.XXXXXX")
	run 0 "$MVM" run --dir "$out" --dir "$gdir:/g:ro" "$G/spawn" "$out" /g/hello spawned -- /g/hello-picolibc too
	rm -rf "$out"
fi

if [ -f "$G/cache" ] && ! "$MVM" fleet /dev/null 2>&1 | grep -q "cannot read manifests"; then
	say "8. Many VMs in one monitor, over budget: four VMs that want 24 MiB each share 64 MiB of host memory."
	echo "Each runs a balloon driver (libmvm): as the fleet nears its host_mem, the monitor asks for memory"
	echo "back, the guests drop cache and give it; without the drivers they would run out of memory."
	gdir=$(cd "$G" && pwd)
	man=$(mktemp "${TMPDIR:-/tmp}/mvm-demo.XXXXXX")
	printf 'host_mem: 64M\nvms:\n' >"$man"
	for i in 1 2 3 4; do
		printf '  - {name: cache%s, program: %s/cache, args: ["24", "4"]}\n' "$i" "$gdir" >>"$man"
	done
	cat "$man"
	printf '$ %s 2>&1 | grep -v weight\n' "$MVM fleet --stats $man"
	"$MVM" fleet --stats "$man" 2>&1 | grep -v weight
	rm -f "$man"
fi

if [ "$failed" = 0 ]; then
	say "That was the demo. Next: 'make test' runs every test suite."
else
	say "Some steps did not behave as expected (see above)."
fi
exit "$failed"
