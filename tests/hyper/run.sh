#!/bin/sh
# Hypercalls and nesting: a hostile guest attacks the interface at depths
# 1-3 in every mode (every attempt must get the specified error), and the
# spawn guest runs isolated children whose output and status must be what
# running each of them directly gives (the oracle: qemu-riscv64 on the same
# binaries).
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
out=build/tests/hyper
mkdir -p "$out"
CC="riscv64-linux-gnu-gcc -static -O1"
if ! $CC -Itests -Iinclude -o "$out/hostile" tests/hyper/hostile.c 2>"$out/build.log"; then
    echo "FAIL hyper/build: $(head -c 300 "$out/build.log")"; exit 0
fi
cat > "$out/child.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 10, s = 0;
    for (unsigned long i = 0; i < n; i++)
        s = s * 31 + i;
    printf("child %s: %lu\n", argc > 2 ? argv[2] : "-", s);
    if (argc > 3)
        *(volatile int *)8 = 1;
    return (int)(s % 100);
}
C
$CC -o "$out/child" "$out/child.c" || { echo "FAIL hyper/build: child"; exit 0; }
abs=$(cd "$out" && pwd)
# Copies of the child for tests/hyper/loadpath.c, one per run (each run
# rewrites its own), made now: the monitor keeps an image only of a file
# left alone for two seconds, and the runs below take longer than that.
rm -rf "$out/lp" && mkdir -p "$out/lp"
for mode in lowered trusted emulate; do
    for d in 1 2; do cp "$out/child" "$out/lp/child-$mode-$d"; done
done
cp "$out/child" "$out/lp/child-parallel"
lp_made=$(date +%s)

for mode in lowered trusted emulate; do
    for d in 1 2 3; do
        [ "$mode" = emulate ] && [ "$d" = 3 ] && continue   # ~20x per level
        name="$mode/d$d"
        # hostile: prints ok/FAIL lines and exits 1 on a failure.
        if timeout 120 "$MVM" run --nest-mode=$mode --depth $d "$abs/hostile" >"$out/h.out" 2>&1 &&
           grep -q "all attacks refused" "$out/h.out" && ! grep -q "^FAIL" "$out/h.out"; then
            echo "PASS hyper/hostile/$name"
        else
            echo "FAIL hyper/hostile/$name: $(grep -m3 -v '^ok' "$out/h.out" | tr '\n' ' ')"
        fi
        # spawn: three children, compared with each run alone under qemu.
        rm -rf "$out/sp" && mkdir -p "$out/sp"
        timeout 120 "$MVM" run --nest-mode=$mode --depth $d --dir "$abs" "$(pwd)/build/guests/spawn" \
            "$abs/sp" "$abs/child" 100 a -- "$abs/child" 400000 b -- "$abs/child" 5 c crash \
            >"$out/s.out" 2>&1
        rc=$?
        ok=1
        i=0
        for args in "100 a" "400000 b" "5 c crash"; do
            # shellcheck disable=SC2086
            want=$(timeout 60 qemu-riscv64 "$out/child" $args 2>/dev/null); wrc=$?
            [ "$(cat "$out/sp/child-$i.out" 2>/dev/null)" = "$want" ] || ok=0
            grep -q "^child $i: .* with status $wrc " "$out/s.out" || ok=0
            i=$((i + 1))
        done
        [ "$rc" = 139 ] || ok=0    # spawn exits with the worst status
        if [ $ok = 1 ]; then
            echo "PASS hyper/spawn/$name"
        else
            echo "FAIL hyper/spawn/$name: exit $rc; $(head -c 400 "$out/s.out" | tr '\n' ' ')"
        fi
    done
done

# check_guest NAME GUEST -- MVM-ARGS...: runs a guest of the two below, which
# prints "ok"/"FAIL" lines and "GUEST: all checks passed"; PASS only on
# that, exit 0, no FAIL line and no sanitizer report.
check_guest() {
    name=$1 guest=$2
    shift 3
    timeout 120 "$MVM" run "$@" >"$out/g.out" 2>&1
    rc=$?
    if [ $rc = 0 ] && grep -q "$guest: all checks passed" "$out/g.out" && ! grep -q "^FAIL" "$out/g.out" &&
       ! grep -q "Sanitizer\|runtime error" "$out/g.out"; then
        echo "PASS hyper/$name"
    else
        echo "FAIL hyper/$name: exit $rc: $(grep -m3 '^FAIL\|Sanitizer' "$out/g.out" | tr '\n' ' ')"
    fi
}

# VM_LOAD_ELF from a page-aligned image shares its pages with the child
# copy-on-write, unseen (tests/hyper/imgshare.c); VM_LOAD_PATH: the
# monitor loads a file the guest names, and keeps its image for the tree,
# unseen (tests/hyper/loadpath.c). Every mode shares but emulate below
# depth 1, whose nested VMs are not unrolled: copied there.
for g in imgshare loadpath; do
    if ! $CC -Itests -Iinclude -o "$out/$g" tests/hyper/$g.c 2>"$out/build.log"; then
        echo "FAIL hyper/build: $g: $(head -c 300 "$out/build.log")"
        continue
    fi
    left=$((lp_made + 3 - $(date +%s)))
    [ $g = loadpath ] && [ "$left" -gt 0 ] && sleep "$left"
    for mode in lowered trusted emulate; do
        for d in 1 2; do
            share=1
            [ "$mode" = emulate ] && [ "$d" -gt 1 ] && share=0
            file=$abs/child
            [ $g = loadpath ] && file=$abs/lp/child-$mode-$d
            check_guest "$g/$mode/d$d" $g -- --nest-mode=$mode --depth $d --dir "$abs" --dir "$abs/lp:$abs/lp" \
                "$abs/$g" "$file" $share
        done
    done
done
# Two processes of one guest loading the same file at once.
for d in 1 2; do
    check_guest "loadpath/parallel/d$d" loadpath -- --depth $d --dir "$abs" --dir "$abs/lp:$abs/lp" \
        "$abs/loadpath" "$abs/lp/child-parallel" parallel
done

# A child may not outgrow its parent: --mem at the top caps the subtree.
cat > "$out/hog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
    for (int i = 0; i < 64; i++) {
        char *p = malloc(4 << 20);
        if (!p) { printf("refused after %d MiB\n", 4 * i); return 3; }
        memset(p, 1, 4 << 20);
    }
    printf("got 256 MiB\n");
    return 0;
}
C
$CC -o "$out/hog" "$out/hog.c" || { echo "FAIL hyper/build: hog"; exit 0; }
for mode in lowered trusted; do
    timeout 120 "$MVM" run --mem 96M --nest-mode=$mode --depth 2 "$abs/hog" >"$out/hog.out" 2>&1
    rc=$?
    # Killed for memory (137) or refused by malloc (3): never 256 MiB.
    if { [ $rc = 137 ] || [ $rc = 3 ]; } && ! grep -q "got 256" "$out/hog.out"; then
        echo "PASS hyper/mem-caps-subtree/$mode"
    else
        echo "FAIL hyper/mem-caps-subtree/$mode: exit $rc: $(head -c 200 "$out/hog.out")"
    fi
    timeout 120 "$MVM" run --budget 20000000 --nest-mode=$mode --depth 3 "$abs/child" 100000000 x >"$out/b.out" 2>&1
    rc=$?
    if [ $rc = 124 ]; then
        echo "PASS hyper/budget-caps-subtree/$mode"
    else
        echo "FAIL hyper/budget-caps-subtree/$mode: exit $rc: $(head -c 200 "$out/b.out")"
    fi
done
