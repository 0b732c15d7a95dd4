#!/bin/sh
# The embedding example of docs/api.md, compiled and run: it must run
# guests in budget slices and report what the CLI reports, with the
# instruction count that an uninterrupted run gives (an independent count:
# the same program run by `mvm run --stats` in one piece).
cd "$(dirname "$0")/../.." || exit 2
B=build
SANF=
[ "${SAN:-}" = 1 ] && B=build/san && SANF="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
MVM=${MVM:-$B/mvm}
out=$B/tests/api
mkdir -p "$out"
make --no-print-directory -s BUILD="$B" SAN="${SAN:-}" "$B/libmvm.a" >/dev/null || { echo "FAIL api/build: libmvm"; exit 1; }
sed -n '/^```c$/,/^```$/p' docs/api.md | sed '1d;$d' > "$out/embed.c"
if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude $SANF -o "$out/embed" "$out/embed.c" "$B/libmvm.a" -lm 2>"$out/build.log"; then
    echo "FAIL api/compile: the example in docs/api.md does not build"; sed 's/^/  /' "$out/build.log" | head; exit 0
fi
echo "PASS api/compile"

cat > "$out/loop.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 1000, s = 0;
    for (unsigned long i = 0; i < n; i++)
        s += i * i % 7;
    printf("%s: %lu\n", getenv("FROM") ? getenv("FROM") : "?", s);
    return (int)(s % 256);
}
C
if ! riscv64-linux-gnu-gcc -static -O1 -o "$out/loop" "$out/loop.c" 2>"$out/loop.log"; then
    echo "FAIL api/run: cannot build the test guest"; exit 0
fi
"$out/embed" "$out/loop" 1000000 >"$out/loop.out" 2>"$out/loop.err"; rc=$?
"$MVM" run --stats --env FROM=embed "$out/loop" 1000000 >"$out/cli.out" 2>"$out/cli.err"; crc=$?
# 1999998 = the sum of i*i mod 7 for i below 10^6, worked out independently
# (python3 -c "print(sum(i*i%7 for i in range(10**6)))").
if [ "$rc" = "$crc" ] && cmp -s "$out/loop.out" "$out/cli.out" && grep -q "^embed: 1999998$" "$out/loop.out"; then
    echo "PASS api/same-output-as-cli"
else
    echo "FAIL api/same-output-as-cli: exit $rc vs $crc: $(head -c 100 "$out/loop.out") / $(head -c 100 "$out/cli.out")"
fi
want=$(sed -n 's/^mvm: stats: \([0-9]*\) instructions.*/\1/p' "$out/cli.err")
got=$(sed -n 's/^embed: exited after \([0-9]*\) full slices, \([0-9]*\) instructions.*/\2/p' "$out/loop.err")
slices=$(sed -n 's/^embed: exited after \([0-9]*\) full slices.*/\1/p' "$out/loop.err")
# Slicing must not change the count, and the slice count follows from it.
if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$slices" = $((want / 100000)) ] && [ "$slices" -ge 10 ]; then
    echo "PASS api/slices-count-exactly"
else
    echo "FAIL api/slices-count-exactly: embed said '$(cat "$out/loop.err")', mvm run counted '$want'"
fi

# A file that is not a RISC-V program: ENOEXEC with the loader's reason.
"$out/embed" /bin/sh >/dev/null 2>"$out/bad.err"; rc=$?
if [ "$rc" = 1 ] && grep -q "wrong machine" "$out/bad.err"; then
    echo "PASS api/enoexec-reason"
else
    echo "FAIL api/enoexec-reason: exit $rc: $(head -c 200 "$out/bad.err")"
fi

# A faulting guest: the status the CLI would give (139), from the record.
cat > "$out/segv.c" <<'C'
int main(void) { *(volatile int *)0 = 1; return 0; }
C
if riscv64-linux-gnu-gcc -static -O1 -o "$out/segv" "$out/segv.c" 2>/dev/null; then
    "$out/embed" "$out/segv" >/dev/null 2>&1; rc=$?
    if [ "$rc" = 139 ]; then echo "PASS api/fault-status"; else echo "FAIL api/fault-status: exit $rc, want 139"; fi
else
    echo "FAIL api/fault-status: cannot build the guest"
fi
