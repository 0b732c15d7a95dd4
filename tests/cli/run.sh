#!/bin/sh
# CLI suite: the monitor's command line against bad input and its
# pass-through promises (docs/cli.md).
#
# Bad input — no arguments, unknown commands and options, malformed option
# values, missing or unloadable programs, and ELF files with one defect each
# (made by tests/cli/mkelf.c from a valid static guest) — must end in the
# documented exit status with exactly one "mvm: ..." line on stderr and
# nothing on stdout: never a crash, a hang or a sanitizer report.
# tests/cli/xrun.c runs each command with a time limit and tells a normal
# exit from death by a signal.
#
# Pass-through — exit statuses, stdin, argv, --env and the hidden host
# environment, guest faults (with the faulting pc checked against nm of the
# guest binary), --budget — is checked against literal expectations and,
# where qemu-riscv64 is installed, against the same binary run under it.
#
# Usage: tests/cli/run.sh        MVM=path overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
OUT=build/tests/cli
RES=$OUT/results
T=${CLI_TIMEOUT:-60}
HOST_CC=${HOST_CC:-cc}
RV=riscv64-linux-gnu
RVCC=$RV-gcc
RVNM=$RV-nm
QEMU=${QEMU_RISCV64:-qemu-riscv64}
mkdir -p "$RES" || exit 2

# A host variable the guest must never see (--env is its whole environment).
MVM_CLI_HOST_ONLY=leaked
export MVM_CLI_HOST_ONLY

pass() { echo "PASS cli/$1"; }
fail() { echo "FAIL cli/$1: $2"; }
skip() { echo "SKIP cli/$1: $2"; }

# Native helpers. Without them no test can run: say so once per test below.
helpers_ok=1
for h in xrun mkelf; do
	if ! $HOST_CC -std=c11 -O1 -Wall -Wextra -o "$OUT/$h" "tests/cli/$h.c" 2>"$OUT/$h.log"; then
		helpers_ok=0
		helpers_why="tests/cli/$h.c does not compile with $HOST_CC: $(head -n 1 "$OUT/$h.log")"
	fi
done
XRUN=$OUT/xrun
MKELF=$OUT/mkelf

# Guest programs, built with the RISC-V cross compiler.
GUEST=$OUT/guest
guest_ok=0
guest_why="$RVCC not installed (scripts/deps)"
if command -v $RVCC >/dev/null 2>&1 && command -v $RVNM >/dev/null 2>&1; then
	guest_why="tests/cli/guest.c does not build (see $OUT/guest.log)"
	if $RVCC -static -O2 -Wall -Wextra -o "$GUEST" tests/cli/guest.c >"$OUT/guest.log" 2>&1 &&
		$RVCC -O2 -o "$OUT/guest-dynamic" tests/cli/guest.c >>"$OUT/guest.log" 2>&1 &&
		$RVCC -O2 -c -o "$OUT/guest.o" tests/cli/guest.c >>"$OUT/guest.log" 2>&1; then
		guest_ok=1
	fi
fi
have_qemu=0
command -v "$QEMU" >/dev/null 2>&1 && have_qemu=1

# ready NAME [guest]: 0 if the test can run, else prints its FAIL/SKIP line.
ready() {
	if [ "$helpers_ok" != 1 ]; then
		fail "$1" "$helpers_why"
		return 1
	fi
	if [ "${2:-}" = guest ] && [ "$guest_ok" != 1 ]; then
		skip "$1" "$guest_why"
		return 1
	fi
	if [ ! -x "$MVM" ]; then
		fail "$1" "monitor $MVM not built"
		return 1
	fi
	return 0
}

# mvm_run NAME STDIN ARGS...: runs the monitor; leaves $RES/NAME.{out,err}
# and sets st to "exit N", "signal N" or "timeout".
mvm_run() {
	res=$RES/$1
	in=$2
	shift 2
	"$XRUN" "$T" "$res.status" "$MVM" "$@" <"$in" >"$res.out" 2>"$res.err"
	st=$(cat "$res.status" 2>/dev/null)
}

# qemu_run NAME STDIN ARGS...: the same under qemu-riscv64 (clean
# environment); leaves $RES/NAME.qemu.{out,err}, sets qst.
qemu_run() {
	qres=$RES/$1.qemu
	in=$2
	shift 2
	"$XRUN" "$T" "$qres.status" env -i "$QEMU" "$@" <"$in" >"$qres.out" 2>"$qres.err"
	qst=$(cat "$qres.status" 2>/dev/null)
}

# ended: how the last mvm_run ended, in words.
ended() {
	case $st in
	"exit "*) echo "exited ${st#exit }" ;;
	"signal "*) echo "the monitor itself died of signal ${st#signal }" ;;
	timeout) echo "hung (killed after ${T}s)" ;;
	*) echo "did not run ($st)" ;;
	esac
}

# first FILE: its start, on one line, for messages.
first() { head -c 200 "$1" | tr '\n' '|'; }

# stderr_problem FILE: prints why FILE is not exactly one "mvm: " line.
stderr_problem() {
	if grep -q -e 'Sanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$1"; then
		echo "sanitizer report on stderr: $(grep -m 1 -e 'ERROR' -e 'runtime error:' "$1" | cut -c1-160)"
	elif [ "$(wc -l <"$1")" -ne 1 ] || [ "$(awk 'END { print NR }' "$1")" -ne 1 ]; then
		echo "stderr is not exactly one line: '$(first "$1")'"
	elif ! head -n 1 "$1" | grep -q '^mvm: .'; then
		echo "stderr does not start with 'mvm: ': '$(first "$1")'"
	fi
}

# expect_error NAME STATUS ERE ARGS...: the monitor must exit STATUS with one
# "mvm: " line on stderr (matching the extended regex ERE, if not empty) and
# nothing on stdout.
expect_error() {
	name=$1 want=$2 re=$3
	shift 3
	ready "$name" || return
	mvm_run "$name" /dev/null "$@"
	if [ "$st" != "exit $want" ]; then
		fail "$name" "$(ended), want exit $want; stderr: '$(first "$res.err")'"
		return
	fi
	p=$(stderr_problem "$res.err")
	if [ -n "$p" ]; then
		fail "$name" "$p"
	elif [ -s "$res.out" ]; then
		fail "$name" "wrote to stdout: '$(first "$res.out")'"
	elif [ -n "$re" ] && ! grep -Eq -- "$re" "$res.err"; then
		fail "$name" "message '$(first "$res.err")' does not match /$re/"
	else
		pass "$name"
	fi
}

# ---- usage errors: 125 ------------------------------------------------------
expect_error no-args 125 ''
expect_error unknown-command 125 'frobnicate' frobnicate
expect_error unknown-option 125 '--frobnicate' run --frobnicate "$GUEST" exit 0
expect_error no-program 125 '' run
expect_error no-program-after-options 125 '' run --mem 64M
# A missing argument is not an unknown option: the message must say what
# is wrong with which option.
for o in mem dir env cwd budget; do
	expect_error "missing-argument-$o" 125 "--$o.*(argument|requires|needs|missing|expected)" run "--$o"
done
expect_error mem-garbage 125 '--mem' run --mem lots "$GUEST" exit 0
expect_error mem-bad-suffix 125 '--mem' run --mem 64Q "$GUEST" exit 0
expect_error mem-empty 125 '--mem' run --mem '' "$GUEST" exit 0
expect_error mem-zero 125 '--mem' run --mem 0 "$GUEST" exit 0
expect_error mem-negative 125 '--mem' run --mem -64M "$GUEST" exit 0
expect_error mem-huge-2e64 125 '--mem' run --mem 18446744073709551616 "$GUEST" exit 0
expect_error mem-huge-suffix 125 '--mem' run --mem 16777216T "$GUEST" exit 0
expect_error budget-garbage 125 '--budget' run --budget lots "$GUEST" exit 0
expect_error budget-trailing 125 '--budget' run --budget 12x "$GUEST" exit 0
expect_error budget-empty 125 '--budget' run --budget '' "$GUEST" exit 0
expect_error budget-negative 125 '--budget' run --budget -5 "$GUEST" exit 0
expect_error budget-overflow 125 '--budget' run --budget 99999999999999999999999 "$GUEST" exit 0
expect_error env-no-equals 125 '--env' run --env FOO "$GUEST" exit 0
expect_error trace-unknown 125 '--trace' run --trace=bogus "$GUEST" exit 0
expect_error trace-empty 125 '--trace' run --trace= "$GUEST" exit 0
expect_error depth-zero 125 '--depth' run --depth 0 "$GUEST" exit 0
expect_error depth-too-deep 125 '--depth' run --depth 33 "$GUEST" exit 0
expect_error depth-garbage 125 '--depth' run --depth two "$GUEST" exit 0
expect_error nest-mode-unknown 125 '--nest-mode' run --nest-mode=bogus "$GUEST" exit 0
# In a cluster of unknown short options the message names the first one.
expect_error unknown-option-cluster 125 '-x' run -xyz "$GUEST" exit 0
expect_error dir-relative-guest-path 125 '--dir' run --dir "$PWD/$OUT:relative" "$GUEST" exit 0
expect_error cwd-missing 125 '--cwd' run --cwd /no/such/directory "$GUEST" exit 0
# The guest program is valid, so only the directory can be what is wrong.
nodir=$PWD/$OUT/no-such-directory
rm -rf "$nodir"
if [ "$guest_ok" = 1 ]; then
	expect_error dir-missing 125 'no-such-directory' run --dir "$nodir" "$GUEST" exit 0
	expect_error dir-missing-mapped 125 'no-such-directory' run --dir "$nodir:/data" "$GUEST" exit 0
else
	ready dir-missing guest
	ready dir-missing-mapped guest
fi

# ---- programs that cannot be found or loaded: 127, 126 ----------------------
expect_error program-missing 127 'no-such-program' run "$OUT/no-such-program"
expect_error program-missing-with-args 127 'no-such-program' run "$OUT/no-such-program" a b
expect_error program-directory 126 '' run "$OUT"
: >"$OUT/empty"
expect_error program-empty 126 '' run "$OUT/empty"
printf '#!/bin/sh\necho this is a shell script, not a RISC-V program\n' >"$OUT/script.sh"
chmod +x "$OUT/script.sh"
expect_error program-text 126 '' run "$OUT/script.sh"
printf '\177ELF' >"$OUT/magic-only"
expect_error elf-magic-only 126 '' run "$OUT/magic-only"
# The host's own /bin/true is a valid ELF for some other machine (x86-64 on
# most hosts): wrong machine.
expect_error elf-host-native 126 '' run /bin/true

if [ "$guest_ok" = 1 ] && [ "$helpers_ok" = 1 ]; then
	# The base of every malformed variant below must itself run.
	if ready elf-valid-base; then
		mvm_run elf-valid-base /dev/null run "$GUEST" exit 0
		if [ "$st" = "exit 0" ] && [ ! -s "$res.err" ]; then
			pass elf-valid-base
		else
			fail elf-valid-base "$(ended), want exit 0 and no stderr; stderr: '$(first "$res.err")'"
		fi
	fi
	# PT_INTERP: dynamically linked.
	expect_error elf-dynamic 126 '' run "$OUT/guest-dynamic" exit 0
	# ET_REL: an object file.
	expect_error elf-object 126 '' run "$OUT/guest.o"
	size=$(wc -c <"$GUEST")
	head -c 64 "$GUEST" >"$OUT/trunc-64"
	expect_error elf-trunc-64 126 '' run "$OUT/trunc-64"
	head -c $((size / 2)) "$GUEST" >"$OUT/trunc-half"
	expect_error elf-trunc-half 126 '' run "$OUT/trunc-half" exit 0
	for c in $("$MKELF" --list | cut -f 1); do
		if ! "$MKELF" "$c" "$GUEST" "$OUT/bad-$c" 2>"$OUT/bad-$c.log"; then
			fail "elf-$c" "generator: $(first "$OUT/bad-$c.log")"
			continue
		fi
		expect_error "elf-$c" 126 '' run "$OUT/bad-$c" exit 0
	done
else
	cases="valid-base dynamic object trunc-64 trunc-half"
	[ "$helpers_ok" = 1 ] && cases="$cases $("$MKELF" --list | cut -f 1)"
	for c in $cases; do ready "elf-$c" guest; done
fi

# ---- mvm boot: bad input ----------------------------------------------------
# A raw image of one instruction, `j .` (0x0000006f): it spins for ever.
printf '\157\000\000\000' >"$OUT/spin.bin"
head -c 2097152 /dev/zero >"$OUT/two-mib.bin"
expect_error boot-no-file 125 'no file' boot
expect_error boot-two-files 125 'one file' boot "$OUT/spin.bin" "$OUT/spin.bin"
expect_error boot-unknown-option 125 '--frobnicate' boot --frobnicate "$OUT/spin.bin"
expect_error boot-mem-garbage 125 '--mem' boot --mem lots "$OUT/spin.bin"
expect_error boot-mem-too-small 125 '--mem' boot --mem 512K "$OUT/spin.bin"
expect_error boot-mem-unaligned 125 '--mem' boot --mem 1048577 "$OUT/spin.bin"
expect_error boot-budget-garbage 125 '--budget' boot --budget -1 "$OUT/spin.bin"
expect_error boot-smp-zero 125 '--smp' boot --smp 0 "$OUT/spin.bin"
expect_error boot-smp-too-many 125 '--smp' boot --smp 9 "$OUT/spin.bin"
expect_error boot-icount-garbage 125 '--icount' boot --icount fast "$OUT/spin.bin"
expect_error boot-icount-too-big 125 '--icount' boot --icount 11 "$OUT/spin.bin"
expect_error boot-disk-missing 127 'no-such-disk' boot --disk "$OUT/no-such-disk" "$OUT/spin.bin"
expect_error boot-disk-directory 125 'directory' boot --disk "$OUT" "$OUT/spin.bin"
expect_error boot-disk-empty 125 'smaller than one' boot --disk "$OUT/empty" "$OUT/spin.bin"
expect_error boot-missing 127 'no-such-firmware' boot "$OUT/no-such-firmware"
expect_error boot-kernel-missing 127 'no-such-kernel' boot --kernel "$OUT/no-such-kernel" "$OUT/spin.bin"
expect_error boot-directory 126 'directory' boot "$OUT"
expect_error boot-empty 126 'empty' boot "$OUT/empty"
expect_error boot-too-big 126 'does not fit' boot --mem 1M "$OUT/two-mib.bin"
expect_error boot-kernel-too-big 126 'does not fit' boot --mem 2M --kernel "$OUT/two-mib.bin" "$OUT/spin.bin"
# A host program: an ELF for another machine.
expect_error boot-wrong-machine 126 'wrong machine' boot "$XRUN"
# A Linux program links at 0x10000, where the board has no RAM.
if [ "$guest_ok" = 1 ]; then
	expect_error boot-outside-ram 126 'outside RAM' boot "$GUEST"
else
	ready boot-outside-ram guest
fi
expect_error boot-budget 124 'budget' boot --budget 1000 "$OUT/spin.bin"
# The board at depth 3 (made by the monitor's RV64 build at depth 2): the
# same errors, from the level that finds them.
expect_error boot-depth-zero 125 '--depth' boot --depth 0 "$OUT/spin.bin"
expect_error boot-depth-too-deep 125 '--depth' boot --depth 33 "$OUT/spin.bin"
expect_error boot-nest-mode-garbage 125 '--nest-mode' boot --nest-mode=sideways "$OUT/spin.bin"
expect_error boot-depth3-missing 127 'no-such-firmware' boot --depth 3 "$OUT/no-such-firmware"
expect_error boot-depth3-disk-missing 127 'no-such-disk' boot --depth 3 --disk "$OUT/no-such-disk" "$OUT/spin.bin"
expect_error boot-depth3-disk-empty 125 'smaller than one' boot --depth 3 --disk "$OUT/empty" "$OUT/spin.bin"
expect_error boot-depth3-wrong-machine 126 'wrong machine' boot --depth 3 "$XRUN"
expect_error boot-depth3-too-big 126 'does not fit' boot --depth 3 --mem 1M "$OUT/two-mib.bin"
expect_error boot-depth3-budget 124 'budget' boot --depth 3 --budget 1000 "$OUT/spin.bin"
expect_error boot-depth2-emulate-budget 124 'budget' boot --depth 2 --nest-mode=emulate --budget 1000 "$OUT/spin.bin"
# Ctrl-A x on the console ends the run, with status 0.
# Board snapshots (docs/board.md, "Snapshots"): bad options, and what a
# restore must refuse with its own status, changing nothing.
expect_error boot-snapshot-at-alone 125 '--snapshot-at' boot --snapshot-at 100 "$OUT/spin.bin"
expect_error boot-suspend-alone 125 '--suspend' boot --suspend "$OUT/spin.bin"
expect_error boot-migrate 125 '--migrate-to' boot --migrate-to 127.0.0.1:1 "$OUT/spin.bin"
expect_error boot-depth-snapshot 125 '--snapshot' boot --depth 2 --snapshot "$OUT/x.snap" "$OUT/spin.bin"
if ready boot-snapshot-suspend; then
	head -c 65536 /dev/zero >"$OUT/board-disk.img"
	rm -f "$OUT/board.snap"
	mvm_run boot-snapshot-suspend /dev/null boot --disk "$OUT/board-disk.img" --snapshot "$OUT/board.snap" \
		--snapshot-at 5000 --suspend "$OUT/spin.bin"
	if [ "$st" != "exit 120" ] || [ ! -s "$OUT/board.snap" ]; then
		fail boot-snapshot-suspend "$(ended), want exit 120 and a snapshot; stderr: '$(first "$res.err")'"
	else
		pass boot-snapshot-suspend
		# The spinning board goes on where it was, until its budget.
		mvm_run boot-restore-budget /dev/null restore --budget 1000 "$OUT/board.snap"
		if [ "$st" != "exit 124" ] || ! grep -q 'budget' "$res.err"; then
			fail boot-restore-budget "$(ended), want exit 124; stderr: '$(first "$res.err")'"
		else
			pass boot-restore-budget
		fi
		# Damaged copies: a byte flipped (past the file header), cut short.
		size=$(wc -c <"$OUT/board.snap")
		cp "$OUT/board.snap" "$OUT/board-flipped.snap"
		printf '\377' | dd of="$OUT/board-flipped.snap" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
		head -c $((size - 40)) "$OUT/board.snap" >"$OUT/board-cut.snap"
		expect_error boot-restore-flipped 122 '' restore "$OUT/board-flipped.snap"
		expect_error boot-restore-cut 122 '' restore "$OUT/board-cut.snap"
		# Its disk file gone: named, status 121.
		mv "$OUT/board-disk.img" "$OUT/board-disk.gone"
		expect_error boot-restore-no-disk 121 'board-disk.img' restore "$OUT/board.snap"
		# Another size: not the disk it had.
		head -c 1024 /dev/zero >"$OUT/board-disk.img"
		expect_error boot-restore-other-disk 122 'virtio' restore "$OUT/board.snap"
		rm -f "$OUT/board-disk.img" "$OUT/board-disk.gone"
	fi
fi
if ready boot-ctrl-a-x; then
	printf '\001x' >"$OUT/ctrl-a-x.in"
	mvm_run boot-ctrl-a-x "$OUT/ctrl-a-x.in" boot "$OUT/spin.bin"
	if [ "$st" != "exit 0" ]; then
		fail boot-ctrl-a-x "$(ended), want exit 0"
	elif ! grep -q '^mvm: boot: ended from the console$' "$res.err"; then
		fail boot-ctrl-a-x "stderr: '$(first "$res.err")'"
	else
		pass boot-ctrl-a-x
	fi
fi
# The monitor prompt (Ctrl-A c): the board's facts, hart 0's registers
# (the spinning kernel's pc is where it was loaded; a1 the device tree's
# address, if this mvm has libfdt), an unknown command, quit (exit 0).
if ready boot-monitor; then
	printf '\001cinfo\rinfo registers\rbogus\rquit\r' >"$OUT/monitor.in"
	mvm_run boot-monitor "$OUT/monitor.in" boot --smp 2 "$OUT/spin.bin"
	if [ "$st" != "exit 0" ]; then
		fail boot-monitor "$(ended), want exit 0; stderr: '$(first "$res.err")'"
	elif ! grep -q '^(mvm) info' "$res.out" ||
		! grep -q '^2 harts, 128 MiB of RAM at 0x80000000, [0-9]* instructions retired, mtime [0-9]*' "$res.out" ||
		! grep -q '^  uart       0x10000000-0x100000ff' "$res.out" ||
		! grep -q '^hart 0: pc 0000000080000000, M mode' "$res.out" ||
		! grep -q "^unknown command: 'bogus'" "$res.out"; then
		fail boot-monitor "stdout: '$(first "$res.out")'"
	else
		pass boot-monitor
	fi
fi

# ---- help and version -------------------------------------------------------
if ready help; then
	mvm_run help /dev/null --help
	missing=""
	for o in run --mem --dir --env --cwd --budget --stats --trace; do
		grep -q -e "$o" "$res.out" || missing="$missing $o"
	done
	if [ "$st" != "exit 0" ]; then
		fail help "$(ended), want exit 0"
	elif ! grep -qi usage "$res.out"; then
		fail help "no usage text on stdout: '$(first "$res.out")'"
	elif [ -n "$missing" ]; then
		fail help "usage does not mention:$missing"
	elif [ -s "$res.err" ]; then
		fail help "wrote to stderr: '$(first "$res.err")'"
	else
		pass help
	fi
fi
if ready version; then
	mvm_run version /dev/null --version
	if [ "$st" != "exit 0" ]; then
		fail version "$(ended), want exit 0"
	elif [ "$(awk 'END { print NR }' "$res.out")" -ne 1 ] || ! grep -Eq '^mvm .*[0-9]+\.[0-9]+' "$res.out"; then
		fail version "want one line 'mvm X.Y...' on stdout, got '$(first "$res.out")'"
	elif [ -s "$res.err" ]; then
		fail version "wrote to stderr: '$(first "$res.err")'"
	else
		pass version
	fi
fi

# Every option used correctly at once: the guest still runs and its status
# passes through.
if ready options-accepted guest; then
	mvm_run options-accepted /dev/null run --mem 64M --budget 1000000000 --env A=b \
		--dir "$PWD/$OUT:/data:ro" --cwd /data "$GUEST" exit 5
	if [ "$st" = "exit 5" ] && [ ! -s "$res.err" ]; then
		pass options-accepted
	else
		fail options-accepted "$(ended), want exit 5 and no stderr; stderr: '$(first "$res.err")'"
	fi
fi

# ---- the instruction budget -------------------------------------------------
if ready budget-exhausted guest; then
	mvm_run budget-exhausted /dev/null run --budget 1000 "$GUEST" loop
	p=$(stderr_problem "$res.err")
	if [ "$st" != "exit 124" ]; then
		fail budget-exhausted "$(ended), want exit 124; stderr: '$(first "$res.err")'"
	elif [ -n "$p" ]; then
		fail budget-exhausted "$p"
	elif ! grep -q budget "$res.err"; then
		fail budget-exhausted "message does not mention the budget: '$(first "$res.err")'"
	else
		pass budget-exhausted
	fi
fi
if ready budget-ample guest; then
	mvm_run budget-ample /dev/null run --budget 100000000 "$GUEST" exit 7
	if [ "$st" = "exit 7" ] && [ ! -s "$res.err" ]; then
		pass budget-ample
	else
		fail budget-ample "$(ended), want exit 7 and no stderr; stderr: '$(first "$res.err")'"
	fi
fi

# ---- tracing ----------------------------------------------------------------
# --trace=insns with --budget 3: exactly the three instructions that ran,
# the first at the ELF entry point (from readelf), then the budget line.
if ready trace-insns guest; then
	mvm_run trace-insns /dev/null run --trace=insns --budget 3 "$GUEST" exit 0
	entry=$(${RV}-readelf -h "$GUEST" | sed -n 's/.*Entry point address: *0x//p')
	want=$(printf '%016x' "0x$entry")
	n=$(grep -c '^\[mvm\] ' "$res.err")
	if [ "$st" != "exit 124" ]; then
		fail trace-insns "$(ended), want exit 124; stderr: '$(first "$res.err")'"
	elif [ "$n" -ne 3 ]; then
		fail trace-insns "$n instructions traced, want the 3 that ran: '$(first "$res.err")'"
	elif ! head -n 1 "$res.err" | grep -q "^\[mvm\] $want: "; then
		fail trace-insns "first traced instruction is not the entry point 0x$entry: '$(head -n 1 "$res.err")'"
	elif ! tail -n 1 "$res.err" | grep -q '^mvm: instruction budget exhausted'; then
		fail trace-insns "last line is not the budget message: '$(tail -n 1 "$res.err")'"
	else
		pass trace-insns
	fi
fi
# --trace=syscalls shows the guest's exit_group(42); the status passes through.
if ready trace-syscalls guest; then
	mvm_run trace-syscalls /dev/null run --trace=syscalls "$GUEST" exit 42
	if [ "$st" != "exit 42" ]; then
		fail trace-syscalls "$(ended), want exit 42; stderr: '$(first "$res.err")'"
	elif ! grep -q 'exit_group(42)' "$res.err"; then
		fail trace-syscalls "no exit_group(42) in the trace: '$(first "$res.err")'"
	elif [ -s "$res.out" ]; then
		fail trace-syscalls "trace on stdout: '$(first "$res.out")'"
	else
		pass trace-syscalls
	fi
fi

# ---- pass-through: status, faults, stdin, environment, argv -----------------
# Each check runs twice: directly (depth 1), and with --depth 2, where the
# monitor's own RV64 build (mvm.rv64 beside it) runs inside it and runs the
# guest; the promises are the same at every depth. The qemu-riscv64
# cross-checks of the expectations run once, at depth 1.
IMAGE=${MVM_IMAGE:-$(dirname "$MVM")/mvm.rv64}
printf 'hello\nworld\n\000\001\002\377 binary, no final newline' >"$OUT/stdin-small"
seq 1 60000 >"$OUT/stdin-large"
printf 'A=1\nB=two words\nC=\nD=x=y\n' >"$OUT/env-passed.want"
: >"$OUT/env-host-hidden.want"
# '$HOME' and '*' must reach the guest as written: no shell expands them.
# shellcheck disable=SC2016
set -- 'two words' '' 'ünïcödé ✓ 日本語' --mem -x "$(printf 'tab\there')" '$HOME' '*' \
	"$(printf 'new\nline')" ' lead and trail '
{
	echo "$#"
	printf '[%s]\n' "$@"
} >"$OUT/argv-exact.want"

# can NAME: ready, and at depth 2 the RV64 image exists.
can() {
	ready "$1" guest || return 1
	if [ "$depth" != 1 ] && [ ! -f "$IMAGE" ]; then
		skip "$1" "no $IMAGE (make rv64)"
		return 1
	fi
	return 0
}

# mvm_guest NAME STDIN ARGS...: mvm_run of "run ARGS" at $depth.
mvm_guest() {
	n=$1 i=$2
	shift 2
	if [ "$depth" = 1 ]; then
		mvm_run "$n" "$i" run "$@"
	else
		mvm_run "$n" "$i" run --depth "$depth" "$@"
	fi
}

# oracle NAME WANT: at depth 1 with qemu installed, $qst (set by a qemu_run
# just before) must be WANT; prints the FAIL line and returns 1 if not.
oracle() {
	[ "$qst" = "$2" ] && return 0
	fail "$1" "oracle disagrees: under qemu-riscv64 it ended '$qst', want '$2'"
	return 1
}
use_qemu() { [ "$depth" = 1 ] && [ "$have_qemu" = 1 ]; }

# fault NAME MODE SIGNAL SYMBOL PREFIX: the guest's MODE faults at the first
# instruction of SYMBOL; the monitor must exit 128+SIGNAL (not die of it)
# with the one line "PREFIX... pc=0x<SYMBOL's address>". The address comes
# from nm; qemu-riscv64, which kills itself with the guest's signal, must
# agree on the signal.
fault() {
	name=$1 mode=$2 want=$((128 + $3)) sym=$4 prefix=$5
	can "$name" || return
	addr=$($RVNM "$GUEST" | awk -v s="$sym" '$3 == s { print $1 }')
	if [ -z "$addr" ]; then
		fail "$name" "symbol $sym not found in $GUEST"
		return
	fi
	pc=$(printf '%x' "0x$addr")
	if use_qemu; then
		qemu_run "$name" /dev/null "$GUEST" "$mode"
		[ "$qst" = "exit $want" ] && qst="signal $3"
		oracle "$name" "signal $3" || return
	fi
	mvm_guest "$name" /dev/null "$GUEST" "$mode"
	p=$(stderr_problem "$res.err")
	line=$(head -n 1 "$res.err")
	if [ "$st" != "exit $want" ]; then
		fail "$name" "$(ended), want exit $want; stderr: '$(first "$res.err")'"
	elif [ -n "$p" ]; then
		fail "$name" "$p"
	else
		case $line in
		"$prefix"*" pc=0x$pc") pass "$name" ;;
		*) fail "$name" "stderr '$line', want '$prefix... pc=0x$pc'" ;;
		esac
	fi
}

# check_output NAME EXPECTED STDIN ARGS...: runs "run ARGS" at $depth,
# wants exit 0, stdout equal to the file EXPECTED and nothing on stderr.
check_output() {
	name=$1 expected=$2 in=$3
	shift 3
	mvm_guest "$name" "$in" "$@"
	if [ "$st" != "exit 0" ]; then
		fail "$name" "$(ended), want exit 0; stderr: '$(first "$res.err")'"
	elif ! cmp -s "$expected" "$res.out"; then
		fail "$name" "stdout '$(first "$res.out")' ($(wc -c <"$res.out") bytes), want '$(first "$expected")' ($(wc -c <"$expected") bytes)"
	elif [ -s "$res.err" ]; then
		fail "$name" "wrote to stderr: '$(first "$res.err")'"
	else
		pass "$name"
	fi
}

for depth in 1 2; do
	sfx=""
	[ "$depth" = 1 ] || sfx="-depth$depth"

	# exit(256) is status 0: Linux keeps the low 8 bits.
	for n in 0 1 42 255 256; do
		name=exit-$n$sfx
		can "$name" || continue
		want=$((n % 256))
		if use_qemu; then
			qemu_run "$name" /dev/null "$GUEST" exit "$n"
			oracle "$name" "exit $want" || continue
		fi
		mvm_guest "$name" /dev/null "$GUEST" exit "$n"
		if [ "$st" != "exit $want" ]; then
			fail "$name" "$(ended), want exit $want; stderr: '$(first "$res.err")'"
		elif [ -s "$res.err" ] || [ -s "$res.out" ]; then
			fail "$name" "unexpected output: stdout '$(first "$res.out")' stderr '$(first "$res.err")'"
		else
			pass "$name"
		fi
	done

	fault "guest-segv$sfx" segv 11 cli_store_zero "mvm: guest fault: store access at 0x0"
	fault "guest-illegal$sfx" ill 4 cli_illegal "mvm: guest fault: illegal instruction"
	fault "guest-ebreak$sfx" ebreak 5 cli_ebreak "mvm: guest fault: "

	# The guest copies stdin to stdout: the bytes must come back unchanged.
	for s in empty small large; do
		in=$OUT/stdin-$s
		[ "$s" = empty ] && in=/dev/null
		can "stdin-$s$sfx" && check_output "stdin-$s$sfx" "$in" "$in" "$GUEST" cat
	done

	# The guest's environment is exactly the --env values, in the order
	# given; env(1), which starts the qemu run, may reorder them.
	if can "env-passed$sfx"; then
		ok=1
		if use_qemu; then
			"$XRUN" "$T" "$RES/env-passed.qemu.status" env -i A=1 'B=two words' C= D=x=y "$QEMU" \
				"$GUEST" env </dev/null >"$RES/env-passed.qemu.out" 2>&1
			sort "$RES/env-passed.qemu.out" >"$RES/env-passed.qemu.sorted"
			if ! sort "$OUT/env-passed.want" | cmp -s - "$RES/env-passed.qemu.sorted"; then
				fail env-passed "oracle disagrees: under qemu-riscv64: '$(first "$RES/env-passed.qemu.out")'"
				ok=0
			fi
		fi
		[ "$ok" = 1 ] && check_output "env-passed$sfx" "$OUT/env-passed.want" /dev/null \
			--env A=1 --env 'B=two words' --env C= --env D=x=y "$GUEST" env
	fi
	# MVM_CLI_HOST_ONLY, PATH, HOME... are in the monitor's environment;
	# the guest, given no --env, must see none of them.
	can "env-host-hidden$sfx" &&
		check_output "env-host-hidden$sfx" "$OUT/env-host-hidden.want" /dev/null "$GUEST" env

	if can "argv-exact$sfx"; then
		ok=1
		if use_qemu; then
			"$XRUN" "$T" "$RES/argv-exact.qemu.status" "$QEMU" "$GUEST" argv "$@" \
				</dev/null >"$RES/argv-exact.qemu.out" 2>&1
			if ! cmp -s "$OUT/argv-exact.want" "$RES/argv-exact.qemu.out"; then
				fail argv-exact "oracle disagrees: under qemu-riscv64: '$(first "$RES/argv-exact.qemu.out")'"
				ok=0
			fi
		fi
		[ "$ok" = 1 ] && check_output "argv-exact$sfx" "$OUT/argv-exact.want" /dev/null "$GUEST" argv "$@"
	fi
done
# --stats reports the block compiler's work: a guest spinning in a loop
# gets it compiled (some host code, some time spent), and with --no-jit
# nothing is compiled and no jit line is printed.
if ready stats-jit guest; then
	mvm_run stats-jit /dev/null run --stats --budget 3000000 "$GUEST" loop
	comp=$(sed -n 's/^mvm: stats: .* blocks decoded, \([0-9]*\) compiled.*/\1/p' "$res.err")
	line=$(grep '^mvm: stats: jit: ' "$res.err")
	kib=$(printf '%s' "$line" | sed -n 's/.*, \([0-9.]*\) KiB of code.*/\1/p')
	ms=$(printf '%s' "$line" | sed -n 's/.*, \([0-9.]*\) ms compiling$/\1/p')
	if [ "$st" != "exit 124" ]; then
		fail stats-jit "$(ended), not the budget's 124"
	elif [ -z "$comp" ] || [ "$comp" -lt 1 ]; then
		fail stats-jit "no block compiled in a loop of 3M instructions: '$(first "$res.err")'"
	elif [ -z "$kib" ] || [ -z "$ms" ] || ! awk -v k="$kib" 'BEGIN { exit !(k > 0) }'; then
		fail stats-jit "no code size and compile time: '$line'"
	else
		mvm_run stats-nojit /dev/null run --stats --no-jit --budget 3000000 "$GUEST" loop
		if grep -q '^mvm: stats: jit: ' "$res.err" ||
			! grep -q '^mvm: stats: .* blocks decoded, 0 compiled' "$res.err"; then
			fail stats-jit "with --no-jit: '$(first "$res.err")'"
		else
			pass stats-jit
		fi
	fi
fi

# MVM_PERF_MAP=1: the compiled code is named in /tmp/perf-PID.map, one
# "START SIZE rv64:PC[+N]" line each (hex), without overlaps, and the
# spinning loop's code is there: some PC lies in main (nm -S of the
# guest). A map that cannot be made (a directory in its place) is a
# usage error with one line; without the variable no map is made.
if ready perf-map guest; then
	why=""
	XRUN_PID=$OUT/perf-map.pid
	"$XRUN" "$T" "$RES/perf-map.status" env MVM_PERF_MAP=1 sh -c 'echo $$ >"$0"; exec "$@"' "$XRUN_PID" \
		"$MVM" run --budget 3000000 "$GUEST" loop </dev/null >"$RES/perf-map.out" 2>"$RES/perf-map.err"
	map=/tmp/perf-$(cat "$XRUN_PID").map
	main=$($RVNM -S "$GUEST" | awk '$4 == "main" { print $1, $2 }')
	if [ "$(cat "$RES/perf-map.status")" != "exit 124" ]; then
		why="the run ended with '$(cat "$RES/perf-map.status")', not the budget's 124"
	elif [ ! -s "$map" ]; then
		why="no $map"
	elif grep -v -E -q '^[0-9a-f]+ [0-9a-f]+ rv64:[0-9a-f]+(\+[0-9]+)?$' "$map"; then
		why="a malformed line: '$(grep -v -E -m 1 '^[0-9a-f]+ [0-9a-f]+ rv64:[0-9a-f]+(\+[0-9]+)?$' "$map")'"
	else
		dec=$OUT/perf-map.dec
		: >"$dec"
		while read -r at size name; do
			pc=${name#rv64:}
			echo "$((0x$at)) $((0x$size)) $((0x${pc%%+*}))" >>"$dec"
		done <"$map"
		if ! sort -n "$dec" | awk '{ if (NR > 1 && $1 < end) bad = 1; end = $1 + $2 } END { exit bad }'; then
			why="pieces of code overlap"
		elif [ -z "$main" ] || ! awk -v lo="$((0x${main% *}))" -v hi="$((0x${main% *} + 0x${main#* }))" \
			'$3 >= lo && $3 < hi { found = 1 } END { exit !found }' "$dec"; then
			why="no code compiled from main ($main)"
		fi
	fi
	rm -f "$map"
	if [ -z "$why" ]; then
		"$XRUN" "$T" "$RES/perf-map-dir.status" env MVM_PERF_MAP=1 sh -c 'mkdir "/tmp/perf-$$.map" && echo $$ >"$0" && exec "$@"' \
			"$XRUN_PID" "$MVM" run "$GUEST" exit 0 </dev/null >"$RES/perf-map-dir.out" 2>"$RES/perf-map-dir.err"
		rmdir "/tmp/perf-$(cat "$XRUN_PID").map" 2>/dev/null
		if [ "$(cat "$RES/perf-map-dir.status")" != "exit 125" ] || [ "$(wc -l <"$RES/perf-map-dir.err")" -ne 1 ] ||
			! grep -q '^mvm: MVM_PERF_MAP: cannot write /tmp/perf-' "$RES/perf-map-dir.err"; then
			why="an unwritable map: '$(cat "$RES/perf-map-dir.status")', '$(first "$RES/perf-map-dir.err")'"
		fi
	fi
	if [ -z "$why" ]; then
		"$XRUN" "$T" "$RES/perf-map-off.status" sh -c 'echo $$ >"$0"; exec "$@"' "$XRUN_PID" \
			"$MVM" run --budget 3000000 "$GUEST" loop </dev/null >/dev/null 2>&1
		off=/tmp/perf-$(cat "$XRUN_PID").map
		[ -e "$off" ] && why="$off made without MVM_PERF_MAP" && rm -f "$off"
	fi
	[ -z "$why" ] && pass perf-map || fail perf-map "$why"
fi

exit 0
