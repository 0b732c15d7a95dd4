/*
 * board.h — system mode: a virtual board like QEMU's `virt` machine, on
 * which firmware and kernels run in M, S and U mode.
 *
 * The board runs its hart on the same engine as process mode (rv/): the
 * engine runs guest code deprivileged, and what only a privileged CPU
 * does traps out of it into the board, which emulates it (classic
 * trap-and-emulate):
 *   - ecall, and every exception, become traps of the privileged
 *     architecture (sys/priv.c): mcause, mepc, mtval, delegation to S
 *     mode, mtvec/stvec;
 *   - an instruction the engine does not know — a privileged CSR, mret,
 *     sret, wfi, sfence.vma — is emulated with the checks of the current
 *     privilege mode, or becomes an illegal-instruction trap;
 *   - a load or store to an address with no RAM is a device access
 *     (sys/mmio.c decodes it and the device at that address serves it),
 *     or an access fault when no device is there;
 *   - interrupts (the CLINT's timer and software interrupts, and the
 *     supervisor ones M mode raises) are taken between the engine's runs,
 *     which end at least every BOARD_SLICE instructions.
 * Physical memory is one address space whose addresses are the guest's
 * physical ones: RAM at BOARD_RAM_BASE, mapped read-write-execute.
 * Devices sit in the holes. Paging (Sv39, Sv48, Sv57) runs on translated
 * spaces over it (sys/mmu.c).
 */
#ifndef MVM_BOARD_H
#define MVM_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include <stdatomic.h>

#include "host/thread.h"
#include "mem/mem.h"
#include "rv/rv.h"

/* The memory map (QEMU virt's). */
#define BOARD_TEST_BASE  0x00100000ull   /* SiFive test device: poweroff */
#define BOARD_CLINT_BASE 0x02000000ull
#define BOARD_CLINT_SIZE 0x00010000ull
#define BOARD_PLIC_BASE  0x0c000000ull
#define BOARD_PLIC_SIZE  0x00600000ull
#define BOARD_UART_BASE  0x10000000ull
#define BOARD_UART_IRQ   10
#define BOARD_VIRTIO_IRQ 1              /* slot i: BOARD_VIRTIO_IRQ + i */
#define BOARD_VIRTIO_BASE 0x10001000ull  /* virtio-mmio slots, 0x1000 apart */
#define BOARD_VIRTIO_SLOTS 8
#define BOARD_RAM_BASE   0x80000000ull

/* The hart's clock: mtime and the time CSR count at this rate. */
#define BOARD_TIMEBASE_HZ 10000000ull

/* How often (in mtime ticks: 10 ms) the board lets devices look at the
 * host side (the console's input). */
#define BOARD_POLL_TICKS (BOARD_TIMEBASE_HZ / 100)

/* Instructions the engine runs before the board looks for interrupts. */
#define BOARD_SLICE 16384

/* satp modes (privileged spec 4.1.11) and the mstatus bits the MMU reads. */
#define SATP_SV39 8
#define SATP_SV48 9
#define SATP_SV57 10
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)

/* Privilege modes. */
enum { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

struct board;
struct snap_buf;
struct snap_cur;
struct snap_writer;

/* A device in the physical address space: accesses of 1, 2, 4 or 8 bytes
 * at offsets inside [0, size). read and write return 0, or -1 for an
 * access the device refuses (the guest gets an access fault). */
struct board_dev {
    const char *name;
    uint64_t base, size;
    int (*read)(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val);
    int (*write)(struct board_dev *d, uint64_t off, unsigned len, uint64_t val);
    void (*poll)(struct board_dev *d);   /* between runs, every BOARD_POLL_TICKS (or NULL) */
    struct board *board;
    void (*free)(struct board_dev *d);   /* NULL: free() */
    void (*reset)(struct board_dev *d);  /* back to its power-on state (or NULL) */
    /* Its state for a snapshot (sys/save.c), little-endian: 0, or -1 if
     * it holds what cannot be saved yet; and back, into a device made as
     * this one was: 0, or -1 for bytes it could not have written. NULL:
     * no state beyond how it was made. */
    int (*save)(struct board_dev *d, struct snap_buf *out);
    int (*load)(struct board_dev *d, struct snap_cur *in);
};

/* The privileged state of the hart (sys/priv.c). */
struct board_cpu {
    unsigned priv, hartid;
    uint64_t mstatus, medeleg, mideleg, mie, mip;
    uint64_t mtvec, mepc, mcause, mtval, mscratch, mcounteren, menvcfg, mcountinhibit;
    uint64_t stvec, sepc, scause, stval, sscratch, scounteren, senvcfg, satp;
    uint64_t mip_ext;        /* SEIP from the PLIC: mip reads as mip | mip_ext */
    uint64_t pmpcfg[2], pmpaddr[16];
    bool waiting;            /* in wfi */
};

/* Why the board stopped. */
enum board_end {
    BOARD_POWEROFF = 1,      /* the guest powered off: status says how */
    BOARD_RESET,             /* the guest asked for a reset */
    BOARD_NOMEM,             /* the host memory limit was reached */
    BOARD_BUDGET,            /* --budget instructions ran */
    BOARD_QUIT,              /* Ctrl-A x on the console */
    BOARD_PAUSE,             /* board_pause, or pause_at: board_go goes on */
};

struct board_config {
    uint64_t ram_bytes;      /* RAM size (a multiple of 4 KiB) */
    uint64_t mem_limit;      /* host memory the board may use (0: no limit) */
    struct mem_pool *parent_pool;   /* whose limit its memory also counts
                                against (a VM's that made it), or NULL */
    int64_t budget;          /* instructions to run, all harts together (0: no limit) */
    unsigned harts;          /* 1 .. BOARD_MAX_HARTS */
    int icount;              /* -1: mtime is the host's clock; else each
                                instruction is 2^icount ns of virtual time */
    int console_in, console_out;   /* the UART's host side (-1: none) */
    bool own_console;        /* board_free closes them */
    bool no_jit;
};

/* A translation context: an address space the hart runs on, with the
 * decoded blocks of its code (sys/mmu.c). */
struct board_ctx {
    struct mem_space *as;
    struct rv_cache *cache;
};

/* One hart of the board, run by a host thread of its own. */
struct board_hart {
    struct board *b;
    unsigned id;                /* mhartid */
    struct rv_hart *hart;
    struct board_cpu cpu;
    struct board_ctx ctx[3];    /* Bare (the physical space), S, U */
    unsigned cur;               /* the one the hart runs on */
    bool mmu_stale;             /* satp, SUM, MXR or the tables changed (sfence.vma) */
    uint8_t ctx_deny[3];        /* the hart's deny that each context's blocks were decoded with */
    /* The CLINT's registers of this hart (sys/clint.c): any hart writes them. */
    _Atomic uint64_t mtimecmp;
    _Atomic uint32_t msip;
    _Atomic uint32_t eip;       /* the PLIC's lines: 1 MEIP, 2 SEIP (sys/plic.c) */
    struct host_thread *thread;
    uint64_t instructions;      /* retired in the last board_go */
};

#define BOARD_MAX_HARTS 8

struct board {
    struct board_config cfg;
    struct mem_pool *pool;
    struct mem_space *phys;
    struct board_hart *harts[BOARD_MAX_HARTS];
    unsigned nharts;
    uint64_t time_base_ns;      /* mtime 0, for every hart */
    struct host_mutex *lock;    /* devices are used under it */
    struct board_dev *dev[16];
    unsigned ndev;
    struct board_dev *plic;
    struct board_dev *htif;     /* a program with tohost (sys/htif.c), or NULL */
    uint64_t polled;            /* mtime when devices were last polled (hart 0's) */
    _Atomic int64_t retired;    /* instructions of all harts (--budget, --icount) */
    _Atomic uint64_t skipped_ns;/* --icount: virtual time wfi skipped */
    int64_t pause_at;           /* retired: the harts stop there (0: never) */
    char *snapshot_request;     /* the monitor's `snapshot FILE` (b->lock) */
    /* Set by a device or a hart: the run ends with this (the first wins). */
    _Atomic int end;
    int end_status;
    uint64_t instructions;
};

/* A board with its RAM and devices; NULL with why set on failure. */
struct board *board_new(const struct board_config *cfg, char *why, size_t whylen);
void board_free(struct board *b);
/* Loads a firmware or kernel file: a RISC-V ELF at its physical
 * addresses (entry from it), else a raw image at base (0: BOARD_RAM_BASE;
 * entry there). 0, or -1 with why set (bad file, outside RAM). */
int board_load(struct board *b, const uint8_t *file, size_t size, uint64_t base, uint64_t *entry, char *why,
               size_t whylen);
/* A reset (the guest asked for one): RAM reads as zero again, every
 * device and hart is as at power-on; disks keep what was written. Load
 * the files again, then board_start and board_go. */
void board_reset(struct board *b);
/* Writes OpenSBI's fw_dynamic information (the next stage at next, in S
 * mode) just below the device tree at dtb: 0 with *addr set, or -1. */
int board_fw_info(struct board *b, uint64_t dtb, uint64_t next, uint64_t *addr);
/* board_start puts every hart at entry in M mode (a0 = its hart id,
 * a1 = dtb address or 0, a2 = fw_info address or 0). board_go runs the
 * harts from where they are, each on a host thread of its own (hart 0 on
 * the caller's), until the board stops, and returns enum board_end
 * (b->end_status). The caller clears b->end before it: an end set
 * earlier (a pause asked for meanwhile) stops the harts at once. After
 * BOARD_PAUSE every hart is at an instruction boundary, and board_go goes
 * on from there. */
void board_start(struct board *b, uint64_t entry, uint64_t dtb, uint64_t fw_info);
int board_go(struct board *b);
/* From any thread: the harts stop soon (BOARD_PAUSE), at instruction
 * boundaries. */
void board_pause(struct board *b);

/* Snapshot sections of a board (docs/snapshot-format.md). vm/board.c
 * writes the first three (how the board was made), sys/save.c the rest. */
enum {
    BOARD_SEC_CONFIG = 32,   /* RAM, harts, --icount, devices made */
    BOARD_SEC_FILE,          /* the firmware, the kernel, the command line */
    BOARD_SEC_DISK,          /* a disk: its file and size */
    BOARD_SEC_CLOCK,         /* mtime, instructions retired, time skipped */
    BOARD_SEC_HART,          /* one per hart */
    BOARD_SEC_DEV,           /* one per device with state */
    BOARD_SEC_PAGES,         /* RAM pages that are not zero (repeated) */
};
/* Writes the clock, harts, devices and RAM of a stopped board: 0, or a
 * negative SNAP_E* with err set. */
int board_save(struct board *b, struct snap_writer *w, char *err, size_t errlen);
/* Loads one section into b, made as the saved board was: 1 if it was
 * one of board_save's, 0 if not, -1 with err set if it is damaged. */
int board_load_section(struct board *b, uint32_t type, struct snap_cur *in, char *err, size_t errlen);

/* Writes the board's device tree (with bootargs in /chosen, if given)
 * near the end of RAM: 0 with *addr set; 1 if this build has no libfdt
 * (*addr = 0); -1 with why set. */
int board_fdt(struct board *b, const char *bootargs, uint64_t *addr, char *why, size_t whylen);

/* Adds a device (the board frees it): false, and d freed, if there is
 * no room. */
bool board_add_dev(struct board *b, struct board_dev *d);

/* Ends the run (the first end wins; status for BOARD_POWEROFF). */
void board_end(struct board *b, int end, int status);

/* The harts' clock, in BOARD_TIMEBASE_HZ ticks (mtime, the time CSR):
 * the host's monotonic clock, or with --icount the instructions retired
 * (all harts; exact for the hart asking at its exit) plus what wfi
 * skipped. */
uint64_t board_mtime(const struct board *b);

/* Devices (one file each). */
struct board_dev *board_uart_new(struct board *b);
struct board_dev *board_clint_new(struct board *b);
struct board_dev *board_poweroff_new(struct board *b);
struct board_dev *board_plic_new(struct board *b);
/* HTIF for an ELF that has a tohost symbol (loaded already): 0 (also when
 * it has none), or -1 with why set. */
int board_htif_setup(struct board *b, const uint8_t *file, size_t size, char *why, size_t whylen);
/* A device's interrupt line src is now level (with b->lock held). */
void board_irq(struct board *b, unsigned src, bool level);

/* sys/monitor.c: the monitor prompt (Ctrl-A c). monitor_run runs one
 * line, on hart 0's thread between its runs; monitor_prompt says the
 * prompt is on (or off); monitor_echo shows what is typed. */
void monitor_run(struct board *b, const char *line);
void monitor_prompt(struct board *b, bool on);
void monitor_echo(struct board *b, const char *s, size_t len);
/* Writes to the console (printf's format). */
void monitor_say(struct board *b, const char *fmt, ...);

/* sys/priv.c: the privileged architecture. */
void priv_reset(struct board_cpu *c, unsigned hartid);
/* Whether c is a state the guest could have put the hart in (a restored
 * one must be). */
bool priv_state_valid(const struct board_cpu *c);
/* Takes exception cause (tval) at pc, in the hart's current mode. */
void priv_trap(struct board_hart *bh, uint64_t cause, uint64_t tval);
/* Takes the highest-priority interrupt that is pending and enabled:
 * true if one was taken. */
bool priv_interrupt(struct board_hart *bh);
/* Pending and enabled interrupts, whatever the global enables (wfi). */
uint64_t priv_pending(struct board_hart *bh);
/* Emulates a privileged instruction (insn, at the hart's pc): true if it
 * was one the current mode may execute (done, pc moved on); false if it
 * is illegal here. */
bool priv_emulate(struct board_hart *bh, uint32_t insn);
/* What the engine must decode as illegal in the current mode (RV_DENY_*
 * of rv/decode.h: FP while mstatus.FS is not Dirty, counters that
 * mcounteren and scounteren do not give). */
uint8_t priv_deny(const struct board_hart *bh);
/* An FP instruction (insn) denied while FS is Initial or Clean: FS is now
 * Dirty and true is returned (the instruction runs again); false if it is
 * not that case. */
bool priv_fp_first_use(struct board_hart *bh, uint32_t insn);
/* The interrupt-pending bits the devices drive (MTIP, MSIP), into mip. */
void priv_update_mip(struct board_hart *bh);

/* sys/pmp.c: physical memory protection. pmp_allows: whether an S- or
 * U-mode access (MEM_R, MEM_W, MEM_X) to the page of pa is allowed;
 * pmp_locked: whether pmpaddr i may not be written; pmp_cfg_write: what
 * pmpcfg0 (reg 0) or pmpcfg2 (reg 1) holds after a write of v. */
bool pmp_allows(const struct board_cpu *c, uint64_t pa, int access);
bool pmp_locked(const struct board_cpu *c, unsigned i);
uint64_t pmp_cfg_write(const struct board_cpu *c, unsigned reg, uint64_t v);

/* sys/mmu.c: translation. mmu_walk gives the physical address of va
 * for access (MEM_R, MEM_W, MEM_X) in mode priv under the current satp
 * (0), or the exception (a page or access fault). */
int mmu_init(struct board_hart *bh);
void mmu_fini(struct board_hart *bh);
uint32_t mmu_walk(struct board_hart *bh, uint64_t va, int access, unsigned priv, uint64_t *pa);
/* Before the hart runs: drops stale translations, and puts the hart on
 * the context of its mode. */
void mmu_sync(struct board_hart *bh);
bool mmu_translating(const struct board_hart *bh);

/* sys/mmio.c: a load or store to physical address addr, with no RAM,
 * by the instruction at the hart's pc: 1 if a device served it (pc moved
 * on), 0 if no device is there or it refused (an access fault), -1 if the
 * instruction could not be read. */
int mmio_access(struct board_hart *bh, uint64_t addr, bool store);

#endif
