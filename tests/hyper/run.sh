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

# VM_LOAD_ELF from a page-aligned image shares its pages with the child
# copy-on-write, unseen (tests/hyper/imgshare.c). Every mode shares but
# emulate below depth 1, whose nested VMs are not unrolled: copied there.
if $CC -Itests -Iinclude -o "$out/imgshare" tests/hyper/imgshare.c 2>"$out/build.log"; then
    for mode in lowered trusted emulate; do
        for d in 1 2; do
            share=1
            [ "$mode" = emulate ] && [ "$d" -gt 1 ] && share=0
            timeout 120 "$MVM" run --nest-mode=$mode --depth $d --dir "$abs" "$abs/imgshare" "$abs/child" $share \
                >"$out/i.out" 2>&1
            rc=$?
            if [ $rc = 0 ] && grep -q "imgshare: all checks passed" "$out/i.out" && ! grep -q "^FAIL" "$out/i.out"; then
                echo "PASS hyper/imgshare/$mode/d$d"
            else
                echo "FAIL hyper/imgshare/$mode/d$d: exit $rc: $(grep -m3 '^FAIL' "$out/i.out" | tr '\n' ' ')"
            fi
        done
    done
else
    echo "FAIL hyper/build: imgshare: $(head -c 300 "$out/build.log")"
fi

# VM_LOAD_PATH: the monitor loads a file the guest names, and keeps its
# image for the tree, unseen (tests/hyper/loadpath.c). Sharing as above.
if $CC -Itests -Iinclude -o "$out/loadpath" tests/hyper/loadpath.c 2>"$out/build.log"; then
    left=$((lp_made + 3 - $(date +%s)))
    [ "$left" -gt 0 ] && sleep "$left"
    for mode in lowered trusted emulate; do
        for d in 1 2; do
            share=1
            [ "$mode" = emulate ] && [ "$d" -gt 1 ] && share=0
            timeout 120 "$MVM" run --nest-mode=$mode --depth $d --dir "$abs" --dir "$abs/lp:$abs/lp" \
                "$abs/loadpath" "$abs/lp/child-$mode-$d" $share >"$out/l.out" 2>&1
            rc=$?
            if [ $rc = 0 ] && grep -q "loadpath: all checks passed" "$out/l.out" && ! grep -q "^FAIL" "$out/l.out"; then
                echo "PASS hyper/loadpath/$mode/d$d"
            else
                echo "FAIL hyper/loadpath/$mode/d$d: exit $rc: $(grep -m3 '^FAIL' "$out/l.out" | tr '\n' ' ')"
            fi
        done
    done
    # Two processes of one guest loading the same file at once.
    for d in 1 2; do
        timeout 120 "$MVM" run --depth $d --dir "$abs" --dir "$abs/lp:$abs/lp" "$abs/loadpath" "$abs/lp/child-parallel" \
            parallel >"$out/l.out" 2>&1
        rc=$?
        if [ $rc = 0 ] && grep -q "loadpath: all checks passed" "$out/l.out" && ! grep -q "^FAIL" "$out/l.out" &&
           ! grep -q "ThreadSanitizer\|AddressSanitizer\|runtime error" "$out/l.out"; then
            echo "PASS hyper/loadpath/parallel/d$d"
        else
            echo "FAIL hyper/loadpath/parallel/d$d: exit $rc: $(grep -m3 '^FAIL\|Sanitizer' "$out/l.out" | tr '\n' ' ')"
        fi
    done
else
    echo "FAIL hyper/build: loadpath: $(head -c 300 "$out/build.log")"
fi

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
