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
# The optional libraries this build of libmvm uses (docs/api.md).
LIBS=$(make --no-print-directory -s BUILD="$B" SAN="${SAN:-}" print-HAVE_LIBS)
sed -n '/^```c$/,/^```$/p' docs/api.md | sed '1d;$d' > "$out/embed.c"
if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude $SANF -o "$out/embed" "$out/embed.c" "$B/libmvm.a" $LIBS -lm -pthread 2>"$out/build.log"; then
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

# The fleet API (include/mvm.h, "Fleets"): two endless loops of weights
# 100 and 300 on one host thread share a 40 M-instruction budget 1:3
# (the weights are the oracle), and then three loops run to their ends
# with the statuses the sums give (1999998 % 256 = 126; for 100
# iterations the sum is 197, python3 -c "print(sum(i*i%7 for i in
# range(100)))") and the instruction counts a run of each alone gives.
cat > "$out/fleet.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "mvm.h"

static uint8_t *image(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = malloc(1 << 22);
    *n = f && b ? fread(b, 1, 1 << 22, f) : 0;
    if (f)
        fclose(f);
    return b;
}

static mvm_vm *vm_of(const uint8_t *img, size_t n, const char *path, const char *arg)
{
    mvm_vm *vm;
    char *argv[] = { (char *)path, (char *)arg, NULL };
    if (mvm_vm_create(NULL, &vm) != 0 || mvm_vm_load_elf(vm, path, img, n, 2, argv, 0, NULL) != 0)
        exit(2);
    return vm;
}

int main(int argc, char **argv)
{
    size_t n;
    if (argc != 2)
        return 2;
    uint8_t *img = image(argv[1], &n);
    /* 1: shares. */
    struct mvm_fleet_config cfg = { .threads = 1, .quantum = 100000, .budget = 40000000 };
    mvm_fleet *f;
    mvm_vm *v[3] = { vm_of(img, n, argv[1], "99999999999"), vm_of(img, n, argv[1], "99999999999") };
    if (mvm_fleet_new(&cfg, &f) != 0 || mvm_fleet_add(f, v[0], 100) != 0 || mvm_fleet_add(f, v[1], 300) != 1 ||
        mvm_fleet_add(f, v[1], 0) != -MVM_EINVAL || mvm_fleet_run(f) != 0)
        return 3;
    struct mvm_exit ex[3];
    struct mvm_fleet_stats st[3];
    for (int i = 0; i < 2; i++)
        if (mvm_fleet_result(f, i, &ex[i], &st[i]) != 0 || ex[i].reason != MVM_EXIT_BUDGET || ex[i].status != 124)
            return 4;
    printf("shares %llu %llu\n", (unsigned long long)st[0].instructions, (unsigned long long)st[1].instructions);
    mvm_fleet_free(f);
    mvm_vm_destroy(v[0]);
    mvm_vm_destroy(v[1]);
    /* 2: to their ends, on the host's threads. */
    const char *args[3] = { "1000000", "100", "1000000" };
    if (mvm_fleet_new(NULL, &f) != 0)
        return 5;
    for (int i = 0; i < 3; i++)
        if (mvm_fleet_add(f, v[i] = vm_of(img, n, argv[1], args[i]), 100 + 100 * i) != i)
            return 6;
    if (mvm_fleet_run(f) != 0)
        return 7;
    for (int i = 0; i < 3; i++) {
        if (mvm_fleet_result(f, i, &ex[i], &st[i]) != 0)
            return 8;
        mvm_vm_destroy(v[i]);
        /* The same program alone, in one run: the count turns must not change. */
        struct mvm_exit alone;
        mvm_vm *a = vm_of(img, n, argv[1], args[i]);
        if (mvm_vm_run(a, &alone) != 0)
            return 9;
        mvm_vm_destroy(a);
        printf("vm %d: reason %d status %d, %s\n", i, ex[i].reason, ex[i].status,
               st[i].instructions == alone.instructions && st[i].turns > (i == 1 ? 0u : 4u) ? "counts as alone" : "miscounted");
    }
    mvm_fleet_free(f);
    free(img);
    return 0;
}
C
if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude $SANF -o "$out/fleet" "$out/fleet.c" "$B/libmvm.a" $LIBS -lm -pthread 2>"$out/fleet.log"; then
    echo "FAIL api/fleet: does not build: $(head -c 300 "$out/fleet.log")"
else
    "$out/fleet" "$out/loop" >"$out/fleet.out" 2>"$out/fleet.err"; rc=$?
    lo=$(sed -n 's/^shares \([0-9]*\) \([0-9]*\)$/\1/p' "$out/fleet.out")
    hi=$(sed -n 's/^shares \([0-9]*\) \([0-9]*\)$/\2/p' "$out/fleet.out")
    want=$(printf 'vm 0: reason 1 status 126, counts as alone\nvm 1: reason 1 status 197, counts as alone\nvm 2: reason 1 status 126, counts as alone')
    if [ "$rc" != 0 ] || [ -z "$lo" ] || [ -z "$hi" ]; then
        echo "FAIL api/fleet: exit $rc: $(head -c 200 "$out/fleet.out" "$out/fleet.err")"
    elif [ $((lo * 100)) -lt $((10000000 * 90)) ] || [ $((lo * 100)) -gt $((10000000 * 110)) ] ||
         [ $((hi * 100)) -lt $((30000000 * 90)) ] || [ $((hi * 100)) -gt $((30000000 * 110)) ]; then
        echo "FAIL api/fleet-shares: $lo and $hi of 40000000, expected 1:3 within 10%"
    elif [ "$(grep '^vm ' "$out/fleet.out")" != "$want" ]; then
        echo "FAIL api/fleet-ends: got '$(grep '^vm ' "$out/fleet.out" | tr '\n' '|')', expected '$(echo "$want" | tr '\n' '|')'"
    else
        echo "PASS api/fleet"
    fi
fi

# Steering a running fleet from another thread: a paused VM's count
# stands still (read with mvm_fleet_stats_of, state PAUSED) while the
# other's grows; resumed, it grows again; killed, each ends as SIGKILL
# ends a process (SIGNALED, 9, 137, stats.killed) and mvm_fleet_run
# returns; an ended VM cannot be paused (-MVM_EBUSY) but can be read.
cat > "$out/fleetctl.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "mvm.h"

static mvm_vm *vm_of(const char *path, const char *arg)
{
    static uint8_t img[1 << 22];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(img, 1, sizeof img, f) : 0;
    if (f)
        fclose(f);
    mvm_vm *vm;
    char *argv[] = { (char *)path, (char *)arg, NULL };
    if (mvm_vm_create(NULL, &vm) != 0 || mvm_vm_load_elf(vm, path, img, n, 2, argv, 0, NULL) != 0)
        exit(2);
    return vm;
}

static void *run(void *f)
{
    mvm_fleet_run(f);
    return NULL;
}

static uint64_t count(mvm_fleet *f, int i, int *state)
{
    struct mvm_stats st;
    struct mvm_fleet_member m;
    if (mvm_fleet_stats_of(f, i, &st, &m) != 0)
        exit(3);
    *state = m.state;
    return st.instructions;
}

static void nap(void)
{
    struct timespec ts = { 0, 200000000 };
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    struct mvm_fleet_config cfg = { .threads = 2 };
    mvm_fleet *f;
    mvm_vm *v[2] = { vm_of(argv[1], "99999999999"), vm_of(argv[1], "99999999999") };
    mvm_vm *kids[1];
    pthread_t t;
    int s0, s1, s2, s3;
    if (argc != 2 || mvm_fleet_new(&cfg, &f) != 0 || mvm_fleet_add(f, v[0], 100) != 0 ||
        mvm_fleet_add(f, v[1], 100) != 1 || mvm_fleet_size(f) != 2 || pthread_create(&t, NULL, run, f) != 0)
        return 4;
    nap();
    if (mvm_fleet_pause(f, 0) != 0 || mvm_fleet_pause(f, 2) != -MVM_EINVAL)
        return 5;
    uint64_t a1 = count(f, 0, &s0), b1 = count(f, 1, &s1);
    nap();
    uint64_t a2 = count(f, 0, &s2), b2 = count(f, 1, &s3);
    printf("paused: %s, %s; other: %s\n", s0 == MVM_FLEET_PAUSED && s2 == MVM_FLEET_PAUSED ? "state" : "no state",
           a1 == a2 ? "still" : "moved", b2 > b1 ? "grew" : "stood");
    if (mvm_fleet_resume(f, 0) != 0)
        return 6;
    nap();
    uint64_t a3 = count(f, 0, &s0);
    printf("resumed: %s\n", a3 > a2 && s0 != MVM_FLEET_PAUSED ? "grew" : "stood");
    if (mvm_fleet_hold(f, 1, NULL) != 0 || mvm_vm_children(v[1], kids, 1) != 0)
        return 7;
    mvm_fleet_release(f, 1);
    if (mvm_fleet_kill(f, 0) != 0 || mvm_fleet_kill(f, 1) != 0 || pthread_join(t, NULL) != 0)
        return 8;
    for (int i = 0; i < 2; i++) {
        struct mvm_exit ex;
        struct mvm_fleet_stats st;
        if (mvm_fleet_result(f, i, &ex, &st) != 0)
            return 9;
        printf("vm %d: reason %d signal %d status %d killed %d, %s\n", i, ex.reason, ex.signal, ex.status,
               st.killed, st.instructions >= (i ? b2 : a3) ? "counted" : "miscounted");
    }
    printf("after: %d %d\n", mvm_fleet_pause(f, 0) == -MVM_EBUSY, count(f, 0, &s0) > 0 && s0 == MVM_FLEET_DONE);
    mvm_fleet_free(f);
    mvm_vm_destroy(v[0]);
    mvm_vm_destroy(v[1]);
    return 0;
}
C
if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude $SANF -o "$out/fleetctl" "$out/fleetctl.c" "$B/libmvm.a" $LIBS -lm -pthread 2>"$out/fleetctl.log"; then
    echo "FAIL api/fleet-control: does not build: $(head -c 300 "$out/fleetctl.log")"
else
    timeout 60 "$out/fleetctl" "$out/loop" >"$out/fleetctl.out" 2>"$out/fleetctl.err"; rc=$?
    want=$(printf 'paused: state, still; other: grew\nresumed: grew\nvm 0: reason 2 signal 9 status 137 killed 1, counted\nvm 1: reason 2 signal 9 status 137 killed 1, counted\nafter: 1 1')
    if [ "$rc" = 0 ] && [ "$(cat "$out/fleetctl.out")" = "$want" ]; then
        echo "PASS api/fleet-control"
    else
        echo "FAIL api/fleet-control: exit $rc: got '$(tr '\n' '|' <"$out/fleetctl.out")', expected '$(echo "$want" | tr '\n' '|')' $(head -c 200 "$out/fleetctl.err")"
    fi
fi

# mvm_vm_fork: copies of a loaded template start with its memory shared
# (shared_bytes before they run), print what the template prints (the sum
# qemu-riscv64 gives for the same program), each with AT_RANDOM bytes of
# its own; a template that ran, or a domain of another tree, is refused.
cat > "$out/rnd.c" <<'C'
#include <stdio.h>
#include <sys/auxv.h>
int main(void)
{
    const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
    unsigned long s = 0;
    for (unsigned long i = 0; i < 100000; i++)
        s += i * i % 7;
    printf("sum %lu random ", s);
    for (int i = 0; i < 16; i++)
        printf("%02x", r[i]);
    printf("\n");
    return 0;
}
C
# What the programs below share: a guest's file read whole (0 if not).
cat > "$out/image.h" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "mvm.h"

static uint8_t img[1 << 22];

static size_t read_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(img, 1, sizeof img, f) : 0;
    if (f)
        fclose(f);
    return n;
}
C
cat > "$out/fork.c" <<'C'
#include "image.h"

int main(int argc, char **argv)
{
    size_t n = argc == 2 ? read_image(argv[1]) : 0;
    if (!n)
        return 2;
    mvm_domain *d, *other;
    struct mvm_domain_config dc = { 0 };
    if (mvm_domain_new(&dc, &d) != 0 || mvm_domain_new(&dc, &other) != 0)
        return 3;
    struct mvm_config cfg = MVM_CONFIG_INIT;
    cfg.domain = d;
    mvm_vm *t, *c[3];
    char *args[] = { argv[1], NULL };
    if (mvm_vm_create(&cfg, &t) != 0 || mvm_vm_load_elf(t, argv[1], img, n, 1, args, 0, NULL) != 0)
        return 4;
    for (int i = 0; i < 3; i++) {
        struct mvm_stats st;
        if (mvm_vm_fork(t, i ? &cfg : NULL, &c[i]) != 0)
            return 5;
        mvm_vm_stats(c[i], &st);
        fprintf(stderr, "copy %d shares %llu bytes\n", i, (unsigned long long)st.shared_bytes);
    }
    cfg.domain = other;
    mvm_vm *x;
    if (mvm_vm_fork(t, &cfg, &x) != -MVM_EINVAL)
        return 6;
    struct mvm_exit ex;
    for (int i = 0; i < 3; i++) {
        fflush(stdout);
        if (mvm_vm_run(c[i], &ex) != 0 || ex.reason != MVM_EXIT_EXITED || ex.status != 0)
            return 7;
    }
    fflush(stdout);
    if (mvm_vm_run(t, &ex) != 0 || ex.reason != MVM_EXIT_EXITED || mvm_vm_fork(t, NULL, &x) != -MVM_EINVAL)
        return 8;
    for (int i = 0; i < 3; i++)
        mvm_vm_destroy(c[i]);
    mvm_vm_destroy(t);
    mvm_domain_free(other);
    mvm_domain_free(d);
    return 0;
}
C
# build_pair GUEST PROG: the riscv64 guest $out/GUEST and the libmvm
# program $out/PROG, from their .c files; false if either fails.
build_pair() {
    riscv64-linux-gnu-gcc -static -O1 -o "$out/$1" "$out/$1.c" 2>"$out/$1.log" &&
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude -I"$out" $SANF -o "$out/$2" "$out/$2.c" "$B/libmvm.a" \
        $(make --no-print-directory -s BUILD="$B" SAN="${SAN:-}" print-HAVE_LIBS) -lm -pthread 2>"$out/$2.log"
}
if ! build_pair rnd fork; then
    echo "FAIL api/fork: does not build: $(head -c 300 "$out/rnd.log" "$out/fork.log")"
else
    "$out/fork" "$out/rnd" >"$out/fork.out" 2>"$out/fork.err"; rc=$?
    want=$(${QEMU_RISCV64:-qemu-riscv64} "$out/rnd" | sed 's/ random.*//')
    sums=$(sed 's/ random.*//' "$out/fork.out" | sort -u)
    randoms=$(sed -n 's/.* random \([0-9a-f]*\)$/\1/p' "$out/fork.out" | sort -u | wc -l)
    shared=$(grep -c "^copy [0-9] shares [1-9][0-9]* bytes$" "$out/fork.err")
    if [ "$rc" != 0 ] || [ "$(wc -l <"$out/fork.out")" != 4 ]; then
        echo "FAIL api/fork: exit $rc: $(head -c 300 "$out/fork.out" "$out/fork.err")"
    elif [ -z "$want" ] || [ "$sums" != "$want" ] || [ "$randoms" != 4 ] || [ "$shared" != 3 ]; then
        echo "FAIL api/fork: sums '$sums' (qemu: '$want'), $randoms distinct AT_RANDOM of 4, $shared copies sharing: $(tr '\n' '|' <"$out/fork.err")"
    else
        echo "PASS api/fork"
    fi
fi

# An interruption that comes between runs ends the next run before it
# runs anything, even for a guest whose system calls come more often than
# a slice ends (where a run is otherwise checked): the control socket's
# requests are such interruptions, and one lost this way left its client
# waiting. The guest's count, after the runs that follow, is qemu's.
cat > "$out/calls.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    unsigned long s = 0;
    for (int i = 0; i < 200000; i++)
        s += close(-1) == -1 ? 2 : 1;   /* EBADF, as under any Linux */
    printf("calls %lu\n", s);
    return 0;
}
C
cat > "$out/intr.c" <<'C'
#include "image.h"

int main(int argc, char **argv)
{
    size_t n = argc == 2 ? read_image(argv[1]) : 0;
    if (!n)
        return 2;
    mvm_vm *vm;
    char *args[] = { argv[1], NULL };
    if (mvm_vm_create(NULL, &vm) != 0 || mvm_vm_load_elf(vm, argv[1], img, n, 1, args, 0, NULL) != 0 ||
        mvm_vm_set_interruptible(vm) != 0)
        return 3;
    struct mvm_exit ex;
    int runs = 0;
    for (int k = 0; k < 3; k++) {   /* before the first run, and between two */
        if (mvm_vm_interrupt(vm) != 0 || mvm_vm_run(vm, &ex) != 0)
            return 4;
        runs++;
        fprintf(stderr, "run %d: reason %d, %llu instructions\n", runs, ex.reason,
                (unsigned long long)ex.instructions);
        if (ex.reason != MVM_EXIT_INTERRUPTED || ex.instructions != 0)
            return 5;
    }
    do {
        fflush(stdout);
        if (mvm_vm_run(vm, &ex) != 0)
            return 6;
    } while (ex.reason == MVM_EXIT_INTERRUPTED);
    mvm_vm_destroy(vm);
    return ex.reason == MVM_EXIT_EXITED ? ex.status : 7;
}
C
if ! build_pair calls intr; then
    echo "FAIL api/interrupt-between-runs: does not build: $(head -c 300 "$out/calls.log" "$out/intr.log")"
else
    "$out/intr" "$out/calls" >"$out/intr.out" 2>"$out/intr.err"; rc=$?
    want=$(${QEMU_RISCV64:-qemu-riscv64} "$out/calls")
    if [ "$rc" != 0 ] || [ -z "$want" ] || [ "$(cat "$out/intr.out")" != "$want" ]; then
        echo "FAIL api/interrupt-between-runs: exit $rc, printed '$(head -c 100 "$out/intr.out")' (qemu: '$want'): $(tr '\n' '|' <"$out/intr.err")"
    else
        echo "PASS api/interrupt-between-runs"
    fi
fi

# A clone template (MVM_CLONE_TEMPLATE: its page tables lent once, at
# its restore): the clones and the template itself, run in turns, each
# see only their own writes. The guest rewrites 3 MiB (two page tables'
# worth and more) in rounds, checking every byte against what its own
# last round wrote; the snapshot is taken half-way. A write that reached
# another VM through a shared table or page makes that VM print "bad"
# and exit 1. Clones are destroyed before the template, as documented.
cat > "$out/tm.c" <<'C'
#include <stdio.h>
static unsigned char buf[3 << 20];
static unsigned char want(unsigned i, unsigned r) { return (unsigned char)(i * 131u + r * 7u); }
int main(void)
{
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = want(i, 0);
    for (unsigned r = 0; r < 8; r++)
        for (unsigned i = 0; i < sizeof buf; i++) {
            if (buf[i] != want(i, r)) {
                printf("bad at %u round %u\n", i, r);
                return 1;
            }
            buf[i] = want(i, r + 1);
        }
    printf("ok\n");
    return 0;
}
C
cat > "$out/tmclone.c" <<'C'
#include <stdio.h>
#include "mvm.h"
static int run(mvm_vm *vm, long budget)
{
    struct mvm_exit ex;
    mvm_vm_set_budget(vm, budget);
    if (mvm_vm_run(vm, &ex) != 0)
        return -1;
    return ex.reason == MVM_EXIT_EXITED ? ex.status : ex.reason == MVM_EXIT_BUDGET ? 100 : -1;
}
int main(int argc, char **argv)
{
    struct mvm_config cfg = MVM_CONFIG_INIT;
    cfg.flags |= MVM_CLONE_TEMPLATE;
    char err[512];
    mvm_vm *t, *a, *b;
    if (argc != 2 || mvm_vm_restore(argv[1], &cfg, NULL, 0, &t, err, sizeof err) != 0 ||
        mvm_vm_clone(argv[1], t, NULL, 0, &a, err, sizeof err) != 0 ||
        mvm_vm_clone(argv[1], t, NULL, 0, &b, err, sizeof err) != 0)
        return 2;
    int ra = run(a, 3000000), rb = run(b, 0), rt = run(t, 0), ra2 = run(a, 0);
    printf("%d %d %d %d\n", ra, rb, rt, ra2);
    mvm_vm_destroy(a);
    mvm_vm_destroy(b);
    mvm_vm_destroy(t);
    return 0;
}
C
if riscv64-linux-gnu-gcc -static -O1 -o "$out/tm" "$out/tm.c" 2>"$out/tm.log" &&
   ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude $SANF -o "$out/tmclone" "$out/tmclone.c" "$B/libmvm.a" $LIBS -lm -pthread 2>>"$out/tm.log"; then
    n=$("$MVM" run --stats "$out/tm" 2>&1 >/dev/null | sed -n 's/^mvm: stats: \([0-9]*\) instructions.*/\1/p')
    rm -f "$out/tm.snap"
    "$MVM" run --snapshot "$out/tm.snap" --snapshot-at $((n / 2)) --suspend "$out/tm" >/dev/null 2>&1
    "$out/tmclone" "$out/tm.snap" >"$out/tm.out" 2>&1; rc=$?
    if [ "$rc" = 0 ] && [ "$(tr '\n' ' ' <"$out/tm.out")" = "ok ok ok 100 0 0 0 " ]; then
        echo "PASS api/clone-template"
    else
        echo "FAIL api/clone-template: exit $rc, printed '$(tr '\n' '|' <"$out/tm.out" | head -c 200)' (want ok three times, then 100 0 0 0)"
    fi
else
    echo "FAIL api/clone-template: cannot build: $(head -c 300 "$out/tm.log")"
fi

# Clones keep the clocks going forward: each clone made used to set the
# guest clock back to the snapshot's time, so a clone made while another
# ran moved the first one's CLOCK_MONOTONIC backwards. The guest checks
# every reading against the one before (it prints "backwards" and exits 1
# if one goes back); a clone runs part of it, then 20 ms later another
# clone is made, and the first must go on to its end.
cat > "$out/clk.c" <<'C'
#include <stdio.h>
#include <time.h>
int main(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 20000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec)) {
            printf("backwards at %d\n", i);
            return 1;
        }
        a = b;
    }
    printf("ok\n");
    return 0;
}
C
cat > "$out/clkclone.c" <<'C'
#include <stdio.h>
#include <time.h>
#include "mvm.h"
int main(int argc, char **argv)
{
    struct mvm_config cfg = MVM_CONFIG_INIT;
    cfg.flags |= MVM_EAGER_RESTORE;
    char err[512];
    mvm_vm *t, *a, *b;
    struct mvm_exit ex;
    if (argc != 2 || mvm_vm_restore(argv[1], &cfg, NULL, 0, &t, err, sizeof err) != 0 ||
        mvm_vm_clone(argv[1], t, NULL, 0, &a, err, sizeof err) != 0)
        return 2;
    mvm_vm_set_budget(a, 200000);
    if (mvm_vm_run(a, &ex) != 0 || ex.reason != MVM_EXIT_BUDGET)
        return 3;
    nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
    if (mvm_vm_clone(argv[1], t, NULL, 0, &b, err, sizeof err) != 0)
        return 4;
    mvm_vm_set_budget(a, 0);
    if (mvm_vm_run(a, &ex) != 0 || ex.reason != MVM_EXIT_EXITED)
        return 5;
    int st = ex.status;
    mvm_vm_destroy(b);
    mvm_vm_destroy(a);
    mvm_vm_destroy(t);
    return st;
}
C
if riscv64-linux-gnu-gcc -static -O1 -o "$out/clk" "$out/clk.c" 2>"$out/clk.log" &&
   ${CC:-cc} -std=c11 -Wall -Wextra -Werror -Iinclude $SANF -o "$out/clkclone" "$out/clkclone.c" "$B/libmvm.a" $LIBS -lm -pthread 2>>"$out/clk.log"; then
    rm -f "$out/clk.snap"
    "$MVM" run --snapshot "$out/clk.snap" --snapshot-at 300000 --suspend "$out/clk" >/dev/null 2>&1
    "$out/clkclone" "$out/clk.snap" >"$out/clk.out" 2>&1; rc=$?
    if [ "$rc" = 0 ] && grep -q "^ok$" "$out/clk.out"; then
        echo "PASS api/clone-clock"
    else
        echo "FAIL api/clone-clock: exit $rc: $(head -c 200 "$out/clk.out")"
    fi
else
    echo "FAIL api/clone-clock: cannot build: $(head -c 300 "$out/clk.log")"
fi
