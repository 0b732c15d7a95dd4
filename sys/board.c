/*
 * board.c — the board: its physical memory, its devices, loading firmware,
 * and the loop that runs the hart and serves what traps out of the engine
 * (see board.h for the design).
 */
#include "sys/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "user/elf.h"

#define NS_PER_TICK (1000000000ull / BOARD_TIMEBASE_HZ)

uint64_t board_mtime(const struct board *b)
{
    if (b->cfg.icount >= 0)
        return (((uint64_t)atomic_load(&b->retired) << b->cfg.icount) + atomic_load(&b->skipped_ns)) / NS_PER_TICK;
    /* The engine's time CSR counts the same clock (rv/interp.c, 10 MHz). */
    return (host_time_monotonic_ns() - b->time_base_ns) / NS_PER_TICK;
}

static void dev_free(struct board_dev *d)
{
    if (d && d->free)
        d->free(d);
    else
        free(d);
}

bool board_add_dev(struct board *b, struct board_dev *d)
{
    if (!d || b->ndev == sizeof b->dev / sizeof b->dev[0]) {
        dev_free(d);
        return false;
    }
    b->dev[b->ndev++] = d;
    return true;
}

void board_end(struct board *b, int end, int status)
{
    int none = 0;
    if (atomic_compare_exchange_strong(&b->end, &none, end))
        b->end_status = status;
}

static struct board_hart *hart_new(struct board *b, unsigned id)
{
    struct board_hart *bh = calloc(1, sizeof *bh);
    if (!bh)
        return NULL;
    bh->b = b;
    bh->id = id;
    atomic_store(&bh->mtimecmp, UINT64_MAX);
    b->harts[b->nharts++] = bh;     /* (freed with the board, whatever follows) */
    if (!(bh->hart = rv_hart_new(b->phys)) || mmu_init(bh) != 0)
        return NULL;
    bh->hart->no_jit = b->cfg.no_jit;
    /* One clock for every hart: the engine's time CSR and the CLINT's mtime. */
    bh->hart->time_base_ns = b->time_base_ns;
    priv_reset(&bh->cpu, id);
    return bh;
}

static void hart_free(struct board_hart *bh)
{
    mmu_fini(bh);
    rv_hart_free(bh->hart);
    free(bh);
}

struct board *board_new(const struct board_config *cfg, char *why, size_t whylen)
{
    struct board *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(why, whylen, "out of host memory");
        return NULL;
    }
    b->cfg = *cfg;
    if (!cfg->ram_bytes || (cfg->ram_bytes & (MEM_PAGE_SIZE - 1)) || cfg->ram_bytes > (1ull << 38) ||
        cfg->harts < 1 || cfg->harts > BOARD_MAX_HARTS) {
        snprintf(why, whylen, "RAM must be a multiple of 4 KiB, at most 256 GiB, and harts 1 to %d", BOARD_MAX_HARTS);
        free(b);
        return NULL;
    }
    b->time_base_ns = host_time_monotonic_ns();
    bool ok = (b->lock = host_mutex_new()) && (b->pool = cfg->parent_pool ? mem_pool_new_child(cfg->parent_pool, cfg->mem_limit)
                                                                 : mem_pool_new(cfg->mem_limit)) &&
              (b->phys = mem_space_new(b->pool)) &&
              mem_map(b->phys, BOARD_RAM_BASE, cfg->ram_bytes, MEM_R | MEM_W | MEM_X) == 0;
    /* RAM is used densely: huge pages make its first touch cheap. */
    if (ok)
        mem_pool_use_huge_pages(b->pool);
    for (unsigned i = 0; ok && i < cfg->harts; i++)
        ok = hart_new(b, i) != NULL;
    if (!ok || !board_add_dev(b, board_plic_new(b)) || !board_add_dev(b, board_uart_new(b)) ||
        !board_add_dev(b, board_clint_new(b)) || !board_add_dev(b, board_poweroff_new(b))) {
        snprintf(why, whylen, "out of host memory (making the board)");
        b->cfg.own_console = false;     /* the caller still has them */
        board_free(b);
        return NULL;
    }
    return b;
}

void board_free(struct board *b)
{
    if (!b)
        return;
    for (unsigned i = 0; i < b->ndev; i++)
        dev_free(b->dev[i]);
    for (unsigned i = 0; i < b->nharts; i++)
        hart_free(b->harts[i]);
    if (b->phys)
        mem_space_free(b->phys);
    if (b->pool)
        mem_pool_free(b->pool);
    if (b->lock)
        host_mutex_free(b->lock);
    free(b->snapshot_request);
    if (b->cfg.own_console) {
        if (b->cfg.console_in >= 0)
            host_close(b->cfg.console_in);
        if (b->cfg.console_out >= 0 && b->cfg.console_out != b->cfg.console_in)
            host_close(b->cfg.console_out);
    }
    free(b);
}

int board_load(struct board *b, const uint8_t *file, size_t size, uint64_t base, uint64_t *entry, char *why,
               size_t whylen)
{
    uint64_t end = BOARD_RAM_BASE + b->cfg.ram_bytes;
    if (size >= 4 && memcmp(file, "\177ELF", 4) == 0) {
        struct elf_image img;
        char err[200];
        int r = elf_load(b->phys, file, size, BOARD_RAM_BASE, end, &img, err, sizeof err);
        if (r == MEM_ENOMEM) {
            snprintf(why, whylen, "out of host memory loading it");
            return -1;
        }
        if (r != 0) {
            snprintf(why, whylen, "%s", err);
            return -1;
        }
        if (img.lo < BOARD_RAM_BASE || img.hi > end) {
            snprintf(why, whylen, "segments at 0x%llx-0x%llx, outside RAM (0x%llx-0x%llx)",
                     (unsigned long long)img.lo, (unsigned long long)img.hi, (unsigned long long)BOARD_RAM_BASE,
                     (unsigned long long)end);
            return -1;
        }
        *entry = img.entry;
        return board_htif_setup(b, file, size, why, whylen);
    }
    /* A raw image (a .bin firmware) goes at base. */
    if (!base)
        base = BOARD_RAM_BASE;
    if (base < BOARD_RAM_BASE || base >= end || size > end - base) {
        snprintf(why, whylen, "image of %zu bytes does not fit in %llu bytes of RAM", size,
                 (unsigned long long)b->cfg.ram_bytes);
        return -1;
    }
    if (size == 0) {
        snprintf(why, whylen, "empty file");
        return -1;
    }
    if (mem_poke(b->phys, base, file, size) != 0) {
        snprintf(why, whylen, "out of host memory loading it");
        return -1;
    }
    *entry = base;
    return 0;
}

void board_reset(struct board *b)
{
    mem_discard(b->phys, BOARD_RAM_BASE, b->cfg.ram_bytes);
    for (unsigned i = 0; i < b->nharts; i++) {
        atomic_store(&b->harts[i]->mtimecmp, UINT64_MAX);
        atomic_store(&b->harts[i]->msip, 0);
        atomic_store(&b->harts[i]->eip, 0);
    }
    for (unsigned i = 0; i < b->ndev; i++)
        if (b->dev[i]->reset)
            b->dev[i]->reset(b->dev[i]);
    atomic_store(&b->end, 0);
    b->end_status = 0;
}

/* OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h), version 2:
 * six little-endian words. */
#define FW_DYNAMIC_MAGIC 0x4942534full   /* "OSBI" */
#define FW_DYNAMIC_VERSION 2
#define FW_DYNAMIC_NEXT_S 1

int board_fw_info(struct board *b, uint64_t dtb, uint64_t next, uint64_t *addr)
{
    uint64_t w[6] = { FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION, next, FW_DYNAMIC_NEXT_S, 0, 0 };
    uint8_t bytes[sizeof w];
    for (unsigned i = 0; i < 6; i++)
        for (unsigned k = 0; k < 8; k++)
            bytes[8 * i + k] = (uint8_t)(w[i] >> (8 * k));
    uint64_t at = dtb - 64;
    if (dtb < BOARD_RAM_BASE + 64 || mem_poke(b->phys, at, bytes, sizeof bytes) != 0)
        return -1;
    *addr = at;
    return 0;
}

/* wfi: waits until an interrupt is pending and enabled, sleeping until
 * the timer's deadline, or a short while: for console input, and for
 * another hart's interrupt (1 ms with several harts). */
static void wait_for_interrupt(struct board_hart *bh)
{
    if (priv_pending(bh)) {
        bh->cpu.waiting = false;
        return;
    }
    uint64_t now = board_mtime(bh->b), ns = bh->b->nharts > 1 ? 1000000 : 10000000;
    uint64_t cmp = atomic_load(&bh->mtimecmp);
    if (bh->b->cfg.icount >= 0 && cmp > now && cmp != UINT64_MAX) {
        /* Virtual time: nothing runs until the timer's deadline, so the
         * clock jumps there. */
        atomic_fetch_add(&bh->b->skipped_ns, (cmp - now) * NS_PER_TICK);
        return;
    }
    if (cmp > now) {
        uint64_t ticks = cmp - now;
        if (ticks < ns / NS_PER_TICK)
            ns = ticks * NS_PER_TICK;
    }
    host_sleep_ns(ns);
}

/* An exception the engine stopped at (pc at the instruction). */
static void serve_trap(struct board_hart *bh)
{
    struct rv_hart *h = bh->hart;
    uint32_t cause = h->cause;
    uint64_t tval = h->tval;
    switch (cause) {
    case RV_CAUSE_ILLEGAL:
        if (priv_fp_first_use(bh, (uint32_t)tval))
            return;
        if (priv_emulate(bh, (uint32_t)tval)) {
            h->instret_base++;      /* it retired */
            atomic_fetch_add(&bh->b->retired, 1);
            return;
        }
        priv_trap(bh, RV_CAUSE_ILLEGAL, tval);
        return;
    case RV_CAUSE_LOAD_PAGE: case RV_CAUSE_LOAD_ACCESS:
    case RV_CAUSE_STORE_PAGE: case RV_CAUSE_STORE_ACCESS: {
        bool store = cause == RV_CAUSE_STORE_PAGE || cause == RV_CAUSE_STORE_ACCESS;
        uint64_t pa = tval;
        /* Translated: the walk says whether it was the page table's
         * refusal, or an address with no RAM behind it. */
        uint32_t why = mmu_translating(bh) ? mmu_walk(bh, tval, store ? MEM_W : MEM_R, bh->cpu.priv, &pa) : 0;
        if (why) {
            priv_trap(bh, why, tval);
            return;
        }
        /* A device is behind PMP too, for S and U (RAM that PMP refused
         * ends here as well, and no device is there). */
        if ((bh->cpu.priv == PRIV_M || pmp_allows(&bh->cpu, pa, store ? MEM_W : MEM_R)) &&
            mmio_access(bh, pa, store) == 1) {
            h->instret_base++;
            atomic_fetch_add(&bh->b->retired, 1);
            return;
        }
        /* No RAM and no device there: an access fault. */
        priv_trap(bh, store ? RV_CAUSE_STORE_ACCESS : RV_CAUSE_LOAD_ACCESS, tval);
        return;
    }
    case RV_CAUSE_FETCH_PAGE: case RV_CAUSE_FETCH_ACCESS: {
        uint64_t pa;
        uint32_t why = mmu_translating(bh) ? mmu_walk(bh, tval, MEM_X, bh->cpu.priv, &pa) : 0;
        priv_trap(bh, why ? why : RV_CAUSE_FETCH_ACCESS, tval);
        return;
    }
    case RV_CAUSE_BREAKPOINT:
        priv_trap(bh, RV_CAUSE_BREAKPOINT, h->pc);
        return;
    }
    priv_trap(bh, cause, tval);
}

/* Hart 0 lets the devices look at the host side now and then. */
static void poll_devices(struct board *b)
{
    uint64_t now = board_mtime(b);
    if (now - b->polled < BOARD_POLL_TICKS)
        return;
    b->polled = now;
    host_mutex_lock(b->lock);
    for (unsigned i = 0; i < b->ndev; i++)
        if (b->dev[i]->poll)
            b->dev[i]->poll(b->dev[i]);
    host_mutex_unlock(b->lock);
}

/* One hart's loop, on its own host thread, until the board ends. */
static void hart_main(void *arg)
{
    struct board_hart *bh = arg;
    struct board *b = bh->b;
    struct rv_hart *h = bh->hart;
    uint64_t start = rv_instret(h);
    while (!atomic_load(&b->end)) {
        if (bh->id == 0) {
            poll_devices(b);
            if (atomic_load(&b->end))
                break;
        }
        if (bh->cpu.waiting) {
            wait_for_interrupt(bh);
            if (bh->cpu.waiting)
                continue;
        }
        priv_interrupt(bh);
        mmu_sync(bh);
        /* Blocks decoded under other denials are dropped first. */
        uint8_t deny = priv_deny(bh);
        if (bh->ctx_deny[bh->cur] != deny) {
            bh->ctx_deny[bh->cur] = deny;
            h->deny = deny;
            rv_flush_code(h);
        }
        h->deny = deny;
        int64_t slice = BOARD_SLICE;
        if (b->cfg.budget || b->pause_at) {
            int64_t done = atomic_load(&b->retired), left = b->cfg.budget ? b->cfg.budget - done : INT64_MAX;
            int64_t to_pause = b->pause_at ? b->pause_at - done : INT64_MAX;
            if (left <= 0 || to_pause <= 0) {
                board_end(b, left <= 0 ? BOARD_BUDGET : BOARD_PAUSE, 0);
                break;
            }
            if (left < slice)
                slice = left;
            if (to_pause < slice)
                slice = to_pause;
        }
        rv_set_budget(h, slice);
        int r = rv_run(h);
        atomic_fetch_add(&b->retired, slice - h->budget);
        switch (r) {
        case RV_EXIT_BUDGET:
            break;
        case RV_EXIT_ECALL:
            /* 3.1.15: environment call from U (8), S (9) or M (11). */
            priv_trap(bh, RV_CAUSE_ECALL_U + bh->cpu.priv, 0);
            break;
        case RV_EXIT_TRAP:
            serve_trap(bh);
            break;
        case RV_EXIT_NOMEM:
            board_end(b, BOARD_NOMEM, 0);
            break;
        }
    }
    bh->instructions = rv_instret(h) - start;
}

void board_pause(struct board *b)
{
    board_end(b, BOARD_PAUSE, 0);
}

void board_start(struct board *b, uint64_t entry, uint64_t dtb, uint64_t fw_info)
{
    for (unsigned i = 0; i < b->nharts; i++) {
        struct board_hart *bh = b->harts[i];
        priv_reset(&bh->cpu, i);
        bh->hart->pc = entry;
        bh->hart->x[10] = i;        /* a0: the hart's id */
        bh->hart->x[11] = dtb;      /* a1: the device tree */
        bh->hart->x[12] = fw_info;  /* a2: OpenSBI's fw_dynamic information */
    }
}

int board_go(struct board *b)
{
    for (unsigned i = 1; i < b->nharts; i++)
        if (!(b->harts[i]->thread = host_thread_start(hart_main, b->harts[i]))) {
            board_end(b, BOARD_NOMEM, 0);
            break;
        }
    /* Every way out of a hart's loop ends the board: the others see it
     * within a slice (or a millisecond of wfi). */
    hart_main(b->harts[0]);
    b->instructions = b->harts[0]->instructions;
    for (unsigned i = 1; i < b->nharts; i++)
        if (b->harts[i]->thread) {
            host_thread_join(b->harts[i]->thread);
            b->harts[i]->thread = NULL;
            b->instructions += b->harts[i]->instructions;
        }
    return atomic_load(&b->end);
}
