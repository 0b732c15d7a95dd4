#!/bin/sh
# Isolation between VMs: regression tests for attacks in which a guest
# that creates VMs of its own (docs/hypercalls.md) reaches past what it was
# given. Each attack runs at depth 1 (`mvm run GUEST`) and at depth 3 in
# both nesting modes (`mvm run --depth 3 --nest-mode=lowered|trusted`),
# as isolation/<attack>/d1, .../lowered-d3 and .../trusted-d3.
#
#   A-deep-recursion       every level creates a VM running itself. The
#                          monitor must stop the tree at MVM_MAX_DEPTH
#                          (32 levels; the VM `mvm run` makes is level 1)
#                          with -ELOOP from VM_CREATE instead of dying when
#                          the host stack runs out. Checked: mvm exits 0,
#                          one level reports the refusal, none is deeper
#                          than 33, every level passes its child's status
#                          up, no sanitizer report (recurse.c).
#   B-no-unroll-freed      a not-unrolled child (its pages live in its
#   B-no-unroll-freed-sibling
#                          backing VM above 2^40) must not keep reaching
#                          its pages after the backing VM munmaps them and
#                          reuses the memory: it must not read the backing
#                          VM's new data nor write into it, and it faults
#                          (freed.c; the guest checks the child's registers
#                          and the backing VM's memory itself).
#   C-ro-mount-in-child    granting a writable /box to a child keeps the
#                          read-only mount at /box/sub read-only; the host
#                          directory is checked after the run (romount.c).
#   D-redirect-ro-file     a read-only file made a child's stdin cannot be
#                          fchmod-ed, futimens-ed or fchown-ed; the host
#                          file's mode, times and owner are checked.
#   D-stream-meta-denied   `mvm run GUEST >>FILE`: the guest may not change
#                          FILE's mode or times through its stdout (EPERM)...
#   D-stream-meta-allowed  ...unless mvm runs with --stream-meta (rofile.c).
#   E-budget-grandchildren `--budget` caps the whole tree, grandchildren
#                          included, even when the guests resume every VM
#                          that stops for its budget: mvm must exit 124
#                          (budget.c). A small tree that fits must still
#                          run to the end.
#
# Every outcome is checked against what the attack must produce, worked out
# from the sources (exit statuses, values the guests compute, host file
# state with stat); nothing is compared with earlier output of mvm.
# A run is killed after ISOLATION_TIMEOUT seconds (default 120).
# Usage: tests/isolation/run.sh       MVM=path/to/mvm overrides build/mvm
cd "$(dirname "$0")/../.." || exit 2
MVM=${MVM:-build/mvm}
T=${ISOLATION_TIMEOUT:-120}
out=build/tests/isolation
mkdir -p "$out/bin" "$out/scratch"
configs="d1 lowered-d3 trusted-d3"

if ! command -v riscv64-linux-gnu-gcc >/dev/null 2>&1; then
    for t in A-deep-recursion B-no-unroll-freed B-no-unroll-freed-sibling C-ro-mount-in-child \
             D-redirect-ro-file D-stream-meta-denied D-stream-meta-allowed E-budget-grandchildren; do
        echo "SKIP isolation/$t: riscv64-linux-gnu-gcc not found"
    done
    exit 0
fi
CC="riscv64-linux-gnu-gcc -static -O1 -Itests -Iinclude"
# recurse is built without libc so that 32 levels of it load quickly.
if ! $CC -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -o "$out/bin/recurse" \
        tests/isolation/recurse.c 2>"$out/build.log"; then
    echo "FAIL isolation/build: recurse: $(head -c 300 "$out/build.log")"; exit 0
fi
for g in freed romount rofile budget; do
    if ! $CC -o "$out/bin/$g" "tests/isolation/$g.c" 2>"$out/build.log"; then
        echo "FAIL isolation/build: $g: $(head -c 300 "$out/build.log")"; exit 0
    fi
done
# Absolute paths: with --depth, the guest's paths must be the host's.
bin=$(cd "$out/bin" && pwd)
scratch=$(cd "$out/scratch" && pwd)

# run_mvm CONFIG STDOUT STDERR ARGS...: "$MVM run ARGS" at CONFIG's depth
# and mode, stdout appended to STDOUT; sets rc, and how (a description of
# rc for failure messages). A run that outlives the limit is killed
# (SIGKILL, so its status cannot be mistaken for mvm's own 124).
run_mvm() {
    cfg=$1 o=$2 e=$3
    shift 3
    case $cfg in
        lowered-d3) set -- --depth 3 --nest-mode=lowered "$@" ;;
        trusted-d3) set -- --depth 3 --nest-mode=trusted "$@" ;;
    esac
    t0=$(date +%s)
    timeout --preserve-status -s KILL "$T" "$MVM" run "$@" >>"$o" 2>"$e"
    rc=$?
    how="exit $rc"
    if [ $(($(date +%s) - t0)) -ge "$T" ]; then
        how="$how (killed after ${T}s)"
    elif [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
        how="$how (mvm died of signal $((rc - 128)))"
    fi
}

# The start of FILE on one line, for failure messages.
show() { head -c "${2:-300}" "$1" | tr '\n' ' '; }

# A sanitizer build (make SAN=1) reports memory errors on stderr.
sanitizer_report() { grep -q -e AddressSanitizer -e LeakSanitizer -e 'runtime error' "$1"; }

# ---- A: deep VM-in-VM recursion ---------------------------------------------
# Level numbers count every VM from the one `mvm run` creates, so at
# --depth 3 the guest's first level is 3. The refusal must come at level
# 32 or 33 if it is -ELOOP (the documented limit; one level of slack), and
# no level may run deeper than 33. Any other error is accepted (it is
# printed) as long as the tree stops cleanly.
check_recursion() {   # FILE START: prints nothing if fine, else why
    awk -v start="$2" '
        /^level [0-9]+$/ { l = $2 + 0; if (l > max) max = l; started[l] = 1 }
        /^level [0-9]+: child status / { status[$2 + 0] = $5 }
        /^refused at level / { nref++; n = $4 + 0; err = $5 + 0 }
        /^(gave up|error) at level / { other = $0 }
        END {
            if (other != "") { print other; exit }
            if (nref != 1) { printf "%d refusal lines (deepest level %d)\n", nref, max; exit }
            if (err >= 0) { printf "refused at level %d with %d, not an error\n", n, err; exit }
            if (max > 33 || n > 33) { printf "level %d ran (refused at %d): deeper than 33\n", max, n; exit }
            if (err == -40 && n < 31) { printf "-ELOOP already at level %d, before the limit of 32\n", n; exit }
            if (max != n) { printf "refused at level %d but level %d started\n", n, max; exit }
            for (l = start; l < n; l++) {
                if (!started[l]) { printf "level %d did not start\n", l; exit }
                if (status[l] != "0") { printf "level %d: child status \"%s\", want 0\n", l, status[l]; exit }
            }
        }' "$1"
}

for cfg in $configs; do
    name=isolation/A-deep-recursion/$cfg
    start=1
    [ "$cfg" = d1 ] || start=3
    : >"$out/a.out"
    run_mvm "$cfg" "$out/a.out" "$out/a.err" --dir "$bin:$bin:ro" "$bin/recurse" $start 1000
    why=$(check_recursion "$out/a.out" $start)
    if [ "$rc" != 0 ]; then
        echo "FAIL $name: $how, last line: $(tail -n 1 "$out/a.out"); $(show "$out/a.err" 200)"
    elif sanitizer_report "$out/a.err"; then
        echo "FAIL $name: sanitizer report: $(show "$out/a.err")"
    elif [ -n "$why" ]; then
        echo "FAIL $name: $why"
    else
        echo "PASS $name"
    fi
done

# ---- B: a not-unrolled child after its backing VM unmapped its pages ---------
for form in self sibling; do
    t=B-no-unroll-freed
    [ $form = sibling ] && t=B-no-unroll-freed-sibling
    for cfg in $configs; do
        name=isolation/$t/$cfg
        : >"$out/b.out"
        run_mvm "$cfg" "$out/b.out" "$out/b.err" "$bin/freed" $form
        if [ "$rc" = 0 ] && grep -qx "freed: all checks passed" "$out/b.out" &&
           ! grep -q "^FAIL" "$out/b.out" && ! sanitizer_report "$out/b.err"; then
            echo "PASS $name"
        else
            echo "FAIL $name: $how: $(grep -v '^ok' "$out/b.out" | show /dev/stdin 400) $(show "$out/b.err" 200)"
        fi
    done
done

# ---- C: a read-only mount inside a writable grant ----------------------------
for cfg in $configs; do
    name=isolation/C-ro-mount-in-child/$cfg
    box=$scratch/c-box
    rm -rf "$box"
    mkdir -p "$box/sub"
    printf 'read-only content\n' >"$box/sub/f"
    chmod 644 "$box/sub/f"
    touch -d @1000000000 "$box/sub/f"
    : >"$out/c.out"
    run_mvm "$cfg" "$out/c.out" "$out/c.err" --dir "$box:/box" --dir "$box/sub:/box/sub:ro" \
        --dir "$bin:$bin:ro" "$bin/romount" parent
    why=
    [ "$(cat "$box/sub/f" 2>/dev/null)" = "read-only content" ] || why="$why sub/f content changed;"
    st=$(stat -c '%s %a %Y' "$box/sub/f" 2>/dev/null)
    [ "$st" = "18 644 1000000000" ] || why="$why sub/f size/mode/mtime now '$st';"
    entries=$(cd "$box/sub" && find . -mindepth 1 -maxdepth 1 | sort | tr "\n" " ")
    [ "$entries" = "./f " ] || why="$why sub now holds: $entries;"
    [ "$(cat "$box/ok" 2>/dev/null)" = ok ] || why="$why /box/ok was not created (control);"
    grep -qx "romount child: all refused" "$out/c.out" && ! grep -q "^FAIL" "$out/c.out" ||
        why="$why $(grep '^FAIL' "$out/c.out" | show /dev/stdin 300)"
    [ "$rc" = 0 ] || why="$why $how;"
    sanitizer_report "$out/c.err" && why="$why sanitizer report;"
    if [ -z "$why" ]; then
        echo "PASS $name"
    else
        echo "FAIL $name:$why $(show "$out/c.err" 200)"
    fi
done

# ---- D: metadata of files reached through streams ---------------------------
for cfg in $configs; do
    name=isolation/D-redirect-ro-file/$cfg
    dir=$scratch/d-ro
    rm -rf "$dir"
    mkdir -p "$dir"
    printf 'do not touch\n' >"$dir/f"
    chmod 644 "$dir/f"
    touch -d @1000000000 "$dir/f"
    before=$(stat -c '%a %Y %u %g' "$dir/f")
    : >"$out/d.out"
    run_mvm "$cfg" "$out/d.out" "$out/d.err" --dir "$dir:/ro:ro" --dir "$bin:$bin:ro" "$bin/rofile" redirect
    after=$(stat -c '%a %Y %u %g' "$dir/f")
    why=
    [ "$before" = "$after" ] || why="$why host file mode/mtime/owner '$before' became '$after';"
    [ "$(cat "$dir/f")" = "do not touch" ] || why="$why content changed;"
    grep -qx "rofile child: all refused" "$out/d.out" && ! grep -q "^FAIL" "$out/d.out" ||
        why="$why $(grep -v '^ok' "$out/d.out" | show /dev/stdin 300)"
    [ "$rc" = 0 ] || why="$why $how;"
    sanitizer_report "$out/d.err" && why="$why sanitizer report;"
    if [ -z "$why" ]; then
        echo "PASS $name"
    else
        echo "FAIL $name:$why $(show "$out/d.err" 200)"
    fi
done

# The guest's stdout is a host file the shell opened (appending, so that
# opening it changes nothing); the guest writes nothing to it.
for cfg in $configs; do
    for t in denied allowed; do
        name=isolation/D-stream-meta-$t/$cfg
        f=$scratch/d-stream.txt
        rm -f "$f"
        : >"$f"
        chmod 644 "$f"
        touch -d @1000000000 "$f"
        if [ $t = denied ]; then
            run_mvm "$cfg" "$f" "$out/ds.err" "$bin/rofile" stream deny
            want="0 644 1000000000"
        else
            run_mvm "$cfg" "$f" "$out/ds.err" --stream-meta "$bin/rofile" stream allow
            want="0 600 1234567890"
        fi
        st=$(stat -c '%s %a %Y' "$f")
        why=
        [ "$st" = "$want" ] || why="$why host file size/mode/mtime '$st', want '$want';"
        [ "$rc" = 0 ] || why="$why $how;"
        grep -qx "rofile stream: as expected" "$out/ds.err" || why="$why guest:"
        sanitizer_report "$out/ds.err" && why="$why sanitizer report;"
        if [ -z "$why" ]; then
            echo "PASS $name"
        else
            echo "FAIL $name:$why $(grep -v '^ok' "$out/ds.err" | show /dev/stdin 300)"
        fi
    done
done

# ---- E: the budget caps grandchildren ---------------------------------------
# 50 grandchildren of 8e7 instructions each under a budget of 1e8: each
# fits alone, two do not, and the guests resume whatever stops for its
# budget. Without the cap the tree runs 40 times the budget and exits 0.
# The control (one small grandchild) must fit and run to the end.
for cfg in $configs; do
    name=isolation/E-budget-grandchildren/$cfg
    : >"$out/e.out"
    run_mvm "$cfg" "$out/e.out" "$out/e.err" --budget 100000000 --dir "$bin:$bin:ro" "$bin/budget" top 1 1000
    crc=$rc chow=$how
    cok=0
    [ "$crc" = 0 ] && grep -qx "budget middle: 1 of 1 grandchildren ran to the end" "$out/e.out" &&
        ! sanitizer_report "$out/e.err" && cok=1
    : >"$out/e.out"
    run_mvm "$cfg" "$out/e.out" "$out/e.err" --budget 100000000 --dir "$bin:$bin:ro" "$bin/budget" top 50 40000000
    if [ $cok != 1 ]; then
        echo "FAIL $name: control (one small grandchild) did not run to the end: $chow"
    elif [ "$rc" = 124 ] && ! grep -q "50 of 50" "$out/e.out" && ! sanitizer_report "$out/e.err"; then
        echo "PASS $name"
    else
        echo "FAIL $name: $how, want 124 (budget): $(show "$out/e.out" 200)"
    fi
done
