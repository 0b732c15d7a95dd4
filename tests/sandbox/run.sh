#!/bin/sh
# tests/sandbox/run.sh — the sandbox suite: guest programs (glibc, static)
# that try to get out of their mapped directories, and check that the
# mapped ones still work.
#   escape.c  one escape attempt per test, the guest checks each fails;
#             from the host, a snapshot of everything outside the
#             read-write mapped directory must be the same after the run
#   posix.c   file-system behaviour inside a mapped directory, compared
#             with qemu-riscv64 running the same binary (the oracle)
#   sysc.c    argument checking and signal deaths, compared with qemu
#   fuzz.c    random calls with hostile arguments: the guest must reach its
#             end and nothing outside the writable mapping may change
# Prints PASS/FAIL/SKIP sandbox/<name> lines. MVM overrides build/mvm.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
MVM=${MVM:-build/mvm}
case $MVM in /*) ;; *) MVM=$ROOT/$MVM ;; esac
B=$ROOT/build/tests/sandbox
CC=${RISCV_CC:-riscv64-linux-gnu-gcc}
QEMU=${QEMU_RISCV64:-qemu-riscv64}
mkdir -p "$B"

ESCAPES="dotdot abs_symlink rel_symlink symlink_loop dirfd_dotdot read_only unmapped proc_self
long_paths guest_symlinks dangling_create rename_race self_rename inside"
SYSC="calls sigpipe abort term ignored"
FUZZ_SEEDS="1 2 3"

if ! command -v "$CC" >/dev/null 2>&1; then
  for t in $ESCAPES posix $SYSC; do echo "SKIP sandbox/$t: $CC not installed (scripts/deps)"; done
  for s in $FUZZ_SEEDS; do echo "SKIP sandbox/fuzz_$s: $CC not installed (scripts/deps)"; done
  exit 0
fi
for prog in escape posix sysc fuzz; do
  if ! $CC -static -O2 -Wall -Wextra -o "$B/$prog" "tests/sandbox/$prog.c" 2>"$B/$prog.log"; then
    echo "FAIL sandbox/build-$prog: does not compile"; sed 's/^/  /' "$B/$prog.log" | head -20
    exit 1
  fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/mvm-sandbox.XXXXXX") || exit 2
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
W=$T/w

# The host tree of the escape tests (see escape.c).
fresh() {
  chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"
  mkdir -p "$W/sandbox/sub" "$W/ro" "$W/outside" "$W/hostcwd" "$W/sandbox/victim/deep"
  printf 'hello\n' >"$W/sandbox/file.txt"
  printf 'inner\n' >"$W/sandbox/sub/inner.txt"
  printf 'in\n' >"$W/sandbox/victim/deep/in.txt"
  printf 'readonly\n' >"$W/ro/ro.txt"
  printf 'secret\n' >"$W/outside/secret.txt"
  printf 'secret\n' >"$W/secret.txt"
  ln -s /etc "$W/sandbox/etc_link"
  ln -s /etc/passwd "$W/sandbox/passwd_link"
  ln -s ../../.. "$W/sandbox/up3"
  ln -s "$W/outside" "$W/sandbox/outside_abs"
  ln -s loop2 "$W/sandbox/loop1"
  ln -s loop1 "$W/sandbox/loop2"
  ln -s "$W/outside/created" "$W/sandbox/dangle"
  ln -s ../outside/created2 "$W/sandbox/dangle_rel"
}

# Everything but the read-write mapped directory: names, types, sizes,
# modes, times, link targets and contents.
snapshot() {
  find "$W" -path "$W/sandbox" -prune -o -printf '%P %y %s %m %T@ %l\n' | sort
  find "$W" -path "$W/sandbox" -prune -o -type f -exec cksum {} + | sort
}

mvm_run() {
  (cd "$W/hostcwd" && timeout 120 "$MVM" run --dir "$W/sandbox:/data" --dir "$W/ro:/ro:ro" \
      --env "OUTSIDE_PARENT=$W" "$@")
}

# check NAME RC OUT BEFORE AFTER: the verdict of one escape test.
check() {
  name=$1 rc=$2 out=$3 before=$4 after=$5
  if [ "$before" != "$after" ]; then
    echo "FAIL sandbox/$name: the host tree outside the sandbox changed:"
    printf '%s\n' "$before" >"$T/before"; printf '%s\n' "$after" >"$T/after"
    diff "$T/before" "$T/after" | head -10 | sed 's/^/  /'
  elif grep -q '^FAIL' "$out"; then
    printf 'FAIL sandbox/%s: %s\n' "$name" "$(grep '^FAIL' "$out" | head -1 | cut -c6-)"
    grep '^FAIL' "$out" | sed -n '2,10p' | sed 's/^/  /'
  elif [ "$rc" -ne 0 ] || ! grep -q "^$name: ok$" "$out"; then
    printf 'FAIL sandbox/%s: exit status %s: %s\n' "$name" "$rc" "$(tail -3 "$out" | tr '\n' ' ' | cut -c1-200)"
  else
    echo "PASS sandbox/$name"
  fi
}

for t in $ESCAPES; do
  fresh
  if [ "$t" = rename_race ]; then
    # A host process moves the guest's directory out of the sandbox while
    # the guest holds an fd and its cwd in it.
    mvm_run "$B/escape" "$t" >"$T/out" 2>&1 &
    pid=$!
    i=0
    while [ ! -e "$W/sandbox/ready" ] && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
      sleep 0.1; i=$((i + 1))
    done
    mv "$W/sandbox/victim" "$W/outside/victim"
    before=$(snapshot)
    : >"$W/sandbox/moved"
    wait $pid; rc=$?
  else
    before=$(snapshot)
    mvm_run "$B/escape" "$t" >"$T/out" 2>&1; rc=$?
  fi
  after=$(snapshot)
  check "$t" "$rc" "$T/out" "$before" "$after"
done

for s in $FUZZ_SEEDS; do
  fresh
  before=$(snapshot)
  mvm_run "$B/fuzz" "$s" 30000 </dev/null >"$T/out" 2>&1; rc=$?
  after=$(snapshot)
  if [ "$before" != "$after" ]; then
    echo "FAIL sandbox/fuzz_$s: the host tree outside the writable mapping changed:"
    printf '%s\n' "$before" >"$T/before"; printf '%s\n' "$after" >"$T/after"
    diff "$T/before" "$T/after" | head -10 | sed 's/^/  /'
  elif [ "$rc" -ne 0 ]; then
    printf 'FAIL sandbox/fuzz_%s: exit status %s: %s\n' "$s" "$rc" "$(tail -2 "$T/out" | tr '\n' ' ' | cut -c1-200)"
  else
    echo "PASS sandbox/fuzz_$s"
  fi
done

# Differential tests: the same binary under qemu-riscv64 and under mvm.
if ! command -v "$QEMU" >/dev/null 2>&1; then
  for t in posix $SYSC; do echo "SKIP sandbox/$t: $QEMU not installed (scripts/deps)"; done
  exit 0
fi

tree() {
  chmod -R u+w "$1" 2>/dev/null; rm -rf "$1"
  mkdir -p "$1/sub"
  printf 'hello\n' >"$1/file.txt"
  printf 'inner\n' >"$1/sub/inner.txt"
}

# diff_run NAME PROG ARG: compares stdout and exit status; the host tree
# of the escape tests (outside $T/m, the mapped directory) must not change.
diff_run() {
  name=$1 prog=$2 arg=$3
  tree "$T/q"; tree "$T/m"
  before=$(snapshot)
  # (the shell's own "Aborted" notices go to /dev/null with the group)
  { (cd "$T/q" && timeout 120 "$QEMU" "$B/$prog" $arg) >"$T/q.out"; echo "exit status $?" >>"$T/q.out"; } 2>/dev/null
  { (cd "$W/hostcwd" && timeout 120 "$MVM" run --dir "$T/m:/data" --cwd /data "$B/$prog" $arg) >"$T/m.out" 2>"$T/m.err"
    echo "exit status $?" >>"$T/m.out"; } 2>/dev/null
  after=$(snapshot)
  if [ "$before" != "$after" ]; then
    echo "FAIL sandbox/$name: the host tree outside the mapped directory changed"
  elif cmp -s "$T/q.out" "$T/m.out"; then
    echo "PASS sandbox/$name"
  else
    echo "FAIL sandbox/$name: differs from qemu-riscv64 (< qemu, > mvm):"
    diff "$T/q.out" "$T/m.out" | head -12 | sed 's/^/  /'
    head -3 "$T/m.err" | sed 's/^/  stderr: /'
  fi
}

fresh
diff_run posix posix ""
for t in $SYSC; do
  diff_run "sys_$t" sysc "$t"
done

# --trace=syscalls: one strace-like line per call, unknown numbers by number.
tree "$T/m"
(cd "$W/hostcwd" && timeout 120 "$MVM" run --trace=syscalls --dir "$T/m:/data" --cwd /data "$B/sysc" calls) \
  >/dev/null 2>"$T/trace"
missing=""
for want in '[mvm] openat(AT_FDCWD, "file.txt", O_RDONLY' '[mvm] syscall_99999(' ') = -38 ENOSYS' \
            '[mvm] getcwd(' ') = -34 ERANGE' '[mvm] exit_group(0) = ?'; do
  grep -qF "$want" "$T/trace" || missing="$missing '$want'"
done
if [ -z "$missing" ] && grep -q '^\[mvm\] openat(AT_FDCWD, "file.txt", O_RDONLY[^)]*) = 3$' "$T/trace"; then
  echo "PASS sandbox/trace"
else
  echo "FAIL sandbox/trace: trace lacks$missing (or openat = 3); first lines:"
  head -5 "$T/trace" | sed 's/^/  /'
fi
