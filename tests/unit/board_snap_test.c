/*
 * board_snap_test.c — snapshots of boards through libmvm: a board paused
 * after two instructions is saved and restored, and goes on to power off
 * with the code its kernel gives; then every section of that snapshot is
 * damaged in many ways and written back as a well-formed file (valid
 * checksums: only the board's own parser stands between the bytes and the
 * monitor), and each restore must fail cleanly or give a board that runs
 * — never a crash (run under AddressSanitizer by SAN=1).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mvm.h"
#include "snap/format.h"
#include "tests/unit/check.h"

/* Raw RV64 at 0x80000000, encodings from the base ISA: power off through
 * the SiFive test device with code 7 ((7 << 16) | 0x3333) after a few
 * instructions: lui t0, 0x100; lui t1, 0x73; addi t1, t1, 0x333;
 * sw t1, 0(t0); j . */
static const uint32_t kernel[] = { 0x001002b7, 0x00073337, 0x33330313, 0x0062a023, 0x0000006f };

static char path[64], bad[64];

/* A board with the kernel, stopped by its budget after two instructions
 * and saved to path. */
static int make_snapshot(void)
{
    struct mvm_board_config cfg = MVM_BOARD_CONFIG_INIT;
    cfg.ram_bytes = 1 << 20;
    cfg.nest_mode = MVM_NEST_EMULATE;
    mvm_vm *vm;
    struct mvm_exit ex;
    int r = mvm_board_create(&cfg, &vm);
    if (r != 0)
        return r;
    if ((r = mvm_board_load(vm, MVM_BOARD_FIRMWARE, kernel, sizeof kernel)) == 0 &&
        (r = mvm_vm_set_budget(vm, 2)) == 0 && (r = mvm_vm_run(vm, &ex)) == 0) {
        if (ex.reason != MVM_EXIT_BUDGET || ex.pc != 0x80000008)
            printf("  first run: reason %d, pc %#llx\n", ex.reason, (unsigned long long)ex.pc);
        CHECK(ex.reason == MVM_EXIT_BUDGET && ex.pc == 0x80000008);
        r = mvm_vm_snapshot(vm, path, MVM_SNAPSHOT_UNCOMPRESSED);
    }
    mvm_vm_destroy(vm);
    return r;
}

/* A board restored with its hart waiting for an interrupt that never
 * comes runs no instructions: its budget never ends the run, so a
 * watchdog interrupts it. */
struct watchdog {
    mvm_vm *vm;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
};

static void *watch(void *arg)
{
    struct watchdog *w = arg;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += 200 * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->done && pthread_cond_timedwait(&w->cv, &w->mu, &t) == 0)
        ;
    if (!w->done)
        mvm_vm_interrupt(w->vm);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Restores file and runs what comes back: the exit, or a negative error. */
static int restore_run(const char *file, struct mvm_exit *ex)
{
    mvm_vm *vm;
    char err[512];
    int r = mvm_vm_restore(file, NULL, NULL, 0, &vm, err, sizeof err);
    if (r != 0) {
        CHECK(err[0] != 0);    /* every refusal says why */
        return r;
    }
    CHECK(mvm_vm_is_board(vm));
    mvm_vm_set_budget(vm, 1000);
    mvm_vm_set_interruptible(vm);
    struct watchdog w = { vm, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
    pthread_t t;
    pthread_create(&t, NULL, watch, &w);
    r = mvm_vm_run(vm, ex);
    pthread_mutex_lock(&w.mu);
    w.done = true;
    pthread_cond_signal(&w.cv);
    pthread_mutex_unlock(&w.mu);
    pthread_join(t, NULL);
    mvm_vm_destroy(vm);
    return r;
}

static void test_round_trip(void)
{
    CHECK(make_snapshot() == 0);
    struct mvm_exit ex;
    CHECK(restore_run(path, &ex) == 0);
    CHECK(ex.reason == MVM_EXIT_EXITED && ex.status == 7 && ex.cause == MVM_BOARD_POWEROFF);
    /* The restored board had run two instructions (the luis); the addi
     * and the store that powered it off are this run's. */
    if (ex.instructions != 2 || ex.pc != 0x80000010)
        printf("  restored run: %llu instructions, pc %#llx\n", (unsigned long long)ex.instructions, (unsigned long long)ex.pc);
    CHECK(ex.instructions == 2 && ex.pc == 0x80000010);
}

struct section {
    uint32_t type;
    uint8_t *data;
    size_t len;
};

static int read_sections(struct section *s, int max)
{
    struct snap_reader *rd;
    char err[SNAP_ERRLEN];
    if (snap_reader_open(path, &rd, err, sizeof err) != 0)
        return -1;
    int n = 0;
    uint32_t type;
    struct snap_cur c;
    while (n < max && snap_reader_next(rd, &type, &c) == 1) {
        s[n].type = type;
        s[n].len = c.len;
        s[n].data = malloc(c.len + 1);
        memcpy(s[n].data, c.p, c.len);
        n++;
    }
    snap_reader_close(rd);
    return n;
}

/* Writes the sections to bad, section k replaced by (data, len). */
static int write_with(const struct section *s, int n, int k, const uint8_t *data, size_t len)
{
    struct snap_writer *w;
    char err[SNAP_ERRLEN];
    if (snap_writer_open(bad, &w, err, sizeof err) != 0)
        return -1;
    snap_writer_raw(w);
    int r = 0;
    for (int i = 0; i < n && r == 0; i++)
        r = i == k ? snap_write_section(w, s[i].type, data, len) : snap_write_section(w, s[i].type, s[i].data, s[i].len);
    if (r == 0)
        r = snap_writer_commit(w);
    snap_writer_abort(w);
    return r;
}

static void test_damaged_sections(void)
{
    struct section s[64];
    int n = read_sections(s, 64);
    CHECK(n >= 6);
    unsigned seed = 12345, refused = 0, ran = 0;
    uint8_t *buf = malloc(1 << 20);
    for (int k = 0; k < n; k++) {
        for (int round = 0; round < 40; round++) {
            size_t len = s[k].len;
            if (len > (1 << 20) - 64)
                len = (1 << 20) - 64;
            memcpy(buf, s[k].data, len);
            seed = seed * 1103515245 + 12345;
            switch (round % 4) {
            case 0: case 1:     /* a few bytes changed */
                for (int j = 0; j < 1 + round % 3 && len; j++) {
                    seed = seed * 1103515245 + 12345;
                    buf[(seed >> 8) % len] ^= (uint8_t)(1 + (seed >> 20) % 255);
                }
                break;
            case 2:             /* cut short */
                len = len ? (seed >> 8) % len : 0;
                break;
            case 3:             /* grown by junk */
                for (int j = 0; j < 9; j++)
                    buf[len++] = (uint8_t)(seed >> j);
                break;
            }
            if (write_with(s, n, k, buf, len) != 0) {
                CHECK(0);
                continue;
            }
            struct mvm_exit ex;
            int r = restore_run(bad, &ex);
            if (r < 0)
                refused++;
            else
                ran++;
        }
    }
    /* Both happen: not every change is caught as damage (a changed
     * register is a state the guest could have had), but many are. */
    CHECK(refused > 0 && ran > 0);
    printf("  %u damaged snapshots refused, %u restored and run\n", refused, ran);
    free(buf);
    for (int i = 0; i < n; i++)
        free(s[i].data);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/mvm-board-snap-%d", (int)getpid());
    snprintf(bad, sizeof bad, "/tmp/mvm-board-bad-%d", (int)getpid());
    RUN(test_round_trip);
    RUN(test_damaged_sections);
    unlink(path);
    unlink(bad);
    return check_total_failed;
}
