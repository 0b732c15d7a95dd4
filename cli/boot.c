/*
 * boot.c — `mvm boot`: system mode. Runs firmware or a bare-metal kernel
 * on a virtual board like QEMU's virt machine (sys/board.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sys/board.h"
#include "sys/virtio.h"
#include "cli/cli.h"
#include "host/host.h"

static const char boot_usage[] =
    "usage: mvm boot [options] FIRMWARE\n"
    "\n"
    "Runs FIRMWARE (or a bare-metal kernel) on a virtual RISC-V board laid out\n"
    "like QEMU's virt machine: RV64GC harts in M mode at its entry (a0 = the\n"
    "hart's id; a1 = the device tree; a2 = OpenSBI's fw_dynamic info),\n"
    "RAM at 0x80000000, a 16550 UART at 0x10000000 on mvm's standard input\n"
    "and output, a CLINT at 0x2000000 and the SiFive test device at 0x100000,\n"
    "through which the guest powers off. Files are ELF, loaded at their\n"
    "physical addresses, or raw images (docs/board.md).\n"
    "\n"
    "options:\n"
    "  --mem SIZE              RAM (K, M, G suffixes; default 128M)\n"
    "  --smp N                 N harts (1 to 8; default 1), each on a host thread\n"
    "  --kernel FILE           the next stage, which the firmware starts in S mode\n"
    "                          (a raw image goes at 0x80200000, as OpenSBI's\n"
    "                          fw_jump expects)\n"
    "  --append ARGS           the kernel's command line (/chosen/bootargs)\n"
    "  --disk FILE[,ro|,snapshot]\n"
    "                          a virtio block device on FILE (at 0x10001000, the\n"
    "                          next at 0x10002000, ...): ro refuses writes, snapshot\n"
    "                          keeps them in a temporary overlay, leaving FILE as it\n"
    "                          was; repeatable (up to 7)\n"
    "  --rng                   a virtio entropy device (after the disks), fed\n"
    "                          from the host's random source\n"
    "  --icount SHIFT          virtual time: each instruction is 2^SHIFT ns (0 to\n"
    "                          10), and wfi skips to the timer's deadline, so\n"
    "                          that a run is the same every time (one hart, no\n"
    "                          console input); default: the host's clock\n"
    "  --budget N              stop after N instructions (exit 124)\n"
    "  --no-jit                interpret every block (no compiled host code)\n"
    "  --stats                 print what ran to stderr at the end\n"
    "\n"
    "On the console, Ctrl-A x ends the run, Ctrl-A c turns a monitor prompt on\n"
    "and off (help lists its commands) and Ctrl-A Ctrl-A sends a Ctrl-A;\n"
    "a terminal is put in raw mode meanwhile (Ctrl-C goes to the guest).\n"
    "\n"
    "A reset the guest asks for starts the board again from its files.\n"
    "\n"
    "exit status: the code the guest powered off with (0: success; 0 also\n"
    "after Ctrl-A x); 123 the host ran out of memory; 124 budget exhausted;\n"
    "125 usage error; 126 FILE cannot be loaded; 127 FILE not found.\n";

/* A terminal on standard input is put in raw mode while the board runs,
 * so that every key goes to the guest (Ctrl-C too; Ctrl-A x quits), and
 * given back as it was at the end, or when mvm is killed by a signal. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_raw;

static void tty_restore(void)
{
    if (tty_raw) {
        tcsetattr(0, TCSANOW, &saved_tty);
        tty_raw = 0;
    }
}

static void tty_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void tty_make_raw(void)
{
    if (!isatty(0) || tcgetattr(0, &saved_tty) != 0)
        return;
    struct termios t = saved_tty;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &t) != 0)
        return;
    tty_raw = 1;
    static const int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGINT };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], tty_signal);
}

#define DEFAULT_RAM (128ull << 20)
#define MAX_DISKS 7       /* and a slot for --rng: virtio-mmio has 8 */

/* --disk FILE[,ro|,snapshot] as the i-th virtio device: 0 or an exit status. */
static int add_disk(struct board *b, int i, const char *spec)
{
    char path[4096], why[512];
    const char *comma = strrchr(spec, ',');
    bool ro = comma && strcmp(comma, ",ro") == 0, overlay = comma && strcmp(comma, ",snapshot") == 0;
    size_t len = ro || overlay ? (size_t)(comma - spec) : strlen(spec);
    if (!len || len >= sizeof path)
        return usage_error("--disk %s: expected FILE, FILE,ro or FILE,snapshot", spec);
    memcpy(path, spec, len);
    path[len] = 0;
    struct board_dev *d = board_virtio_blk_new(b, BOARD_VIRTIO_BASE + 0x1000ull * (unsigned)i, path, ro, overlay, why,
                                               sizeof why);
    if (!d) {
        fprintf(stderr, "mvm: --disk %s\n", why);
        return errno == ENOENT ? EXIT_NOTFOUND : EXIT_USAGE;
    }
    if (!board_add_dev(b, d)) {
        fprintf(stderr, "mvm: boot: out of host memory\n");
        return EXIT_INTERNAL;
    }
    return 0;
}
#define KERNEL_BASE (BOARD_RAM_BASE + (2ull << 20))   /* where fw_jump jumps */

/* Loads one file onto the board (a raw image at base, 0: the start of
 * RAM); 0 or an exit status, with the message printed. */
static int load_file(struct board *b, const char *path, uint64_t base, uint64_t *entry)
{
    uint8_t *file = NULL;
    size_t size = 0;
    int rc = read_program(path, &file, &size);
    if (rc != 0)
        return rc;
    char why[256];
    if (board_load(b, file, size, base, entry, why, sizeof why) != 0) {
        fprintf(stderr, "mvm: %s: %s\n", path, why);
        rc = EXIT_NOEXEC;
    }
    free_program(file, size);
    return rc;
}

/* Loads the firmware, the kernel, the device tree and OpenSBI's
 * information: 0 or an exit status, with the message printed. */
static int load_all(struct board *b, const char *path, const char *kernel, const char *append, uint64_t *entry,
                    uint64_t *dtb, uint64_t *info)
{
    uint64_t next = 0;
    char why[256];
    int rc;
    *dtb = *info = 0;
    if ((rc = load_file(b, path, 0, entry)) != 0 || (kernel && (rc = load_file(b, kernel, KERNEL_BASE, &next)) != 0))
        return rc;
    int r = board_fdt(b, append, dtb, why, sizeof why);
    if (r < 0 || (*dtb && board_fw_info(b, *dtb, next, info) != 0)) {
        fprintf(stderr, "mvm: boot: %s\n", r < 0 ? why : "no room in RAM for the firmware's boot information");
        return EXIT_INTERNAL;
    }
    return 0;
}

int cmd_boot(int argc, char **argv)
{
    enum { B_MEM = 1, B_SMP, B_KERNEL, B_APPEND, B_DISK, B_RNG, B_ICOUNT, B_BUDGET, B_NO_JIT, B_STATS, B_HELP };
    static const struct option longopts[] = {
        { "mem", required_argument, NULL, B_MEM },
        { "smp", required_argument, NULL, B_SMP },
        { "kernel", required_argument, NULL, B_KERNEL },
        { "append", required_argument, NULL, B_APPEND },
        { "disk", required_argument, NULL, B_DISK },
        { "rng", no_argument, NULL, B_RNG },
        { "icount", required_argument, NULL, B_ICOUNT },
        { "budget", required_argument, NULL, B_BUDGET },
        { "no-jit", no_argument, NULL, B_NO_JIT },
        { "stats", no_argument, NULL, B_STATS },
        { "help", no_argument, NULL, B_HELP },
        { NULL, 0, NULL, 0 },
    };
    struct board_config cfg = { .ram_bytes = DEFAULT_RAM, .harts = 1, .icount = -1, .console_in = 0, .console_out = 1 };
    const char *kernel = NULL, *append = NULL, *disks[MAX_DISKS];
    int ndisks = 0;
    bool rng = false;
    bool stats = false;
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case B_MEM:
            cfg.ram_bytes = parse_size(a);
            if (cfg.ram_bytes < (1ull << 20) || (cfg.ram_bytes & (MEM_PAGE_SIZE - 1)) || cfg.ram_bytes > (1ull << 38))
                rc = usage_error("--mem %s: expected a RAM size from 1M to 256G, a multiple of 4K", a);
            break;
        case B_BUDGET:
            if (!parse_count(a, &cfg.budget))
                rc = usage_error("--budget %s: expected a positive number of instructions", a);
            break;
        case B_SMP: {
            int64_t n;
            if (!parse_count(a, &n) || n > BOARD_MAX_HARTS)
                rc = usage_error("--smp %s: expected a number of harts from 1 to " STR(BOARD_MAX_HARTS), a);
            else
                cfg.harts = (unsigned)n;
            break;
        }
        case B_KERNEL: kernel = a; break;
        case B_APPEND: append = a; break;
        case B_DISK:
            if (ndisks == MAX_DISKS)
                rc = usage_error("--disk %s: at most " STR(MAX_DISKS) " disks", a);
            else
                disks[ndisks++] = a;
            break;
        case B_RNG: rng = true; break;
        case B_ICOUNT: {
            char *end;
            long v = strtol(a, &end, 10);
            if (!*a || *end || v < 0 || v > 10)
                rc = usage_error("--icount %s: expected a shift from 0 to 10 (2^SHIFT ns an instruction)", a);
            else
                cfg.icount = (int)v;
            break;
        }
        case B_NO_JIT: cfg.no_jit = true; break;
        case B_STATS: stats = true; break;
        case B_HELP:
            fputs(boot_usage, stdout);
            return 0;
        case ':': rc = usage_error("option %s needs an argument", argv[optind - 1]); break;
        default: rc = usage_error("unknown option %s", argv[optind - 1]); break;
        }
        if (rc != 0)
            return rc;
    }
    if (optind != argc - 1)
        return usage_error("boot: %s", optind >= argc ? "no file given" : "one file only");
    const char *path = argv[optind];
    char why[256];
    struct board *b = board_new(&cfg, why, sizeof why);
    if (!b) {
        fprintf(stderr, "mvm: boot: %s\n", why);
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < ndisks; i++)
        if ((rc = add_disk(b, i, disks[i])) != 0) {
            board_free(b);
            return rc;
        }
    if ((rng && !board_add_dev(b, board_virtio_rng_new(b, BOARD_VIRTIO_BASE + 0x1000ull * (unsigned)ndisks))) ||
        !board_virtio_fill(b)) {
        fprintf(stderr, "mvm: boot: out of host memory\n");
        board_free(b);
        return EXIT_INTERNAL;
    }
    uint64_t t0 = host_time_monotonic_ns();
    int end;
    for (;;) {
        uint64_t entry, dtb, info;
        if ((rc = load_all(b, path, kernel, append, &entry, &dtb, &info)) != 0) {
            board_free(b);
            return rc;
        }
        tty_make_raw();
        end = board_run(b, entry, dtb, info);
        tty_restore();
        if (end != BOARD_RESET)
            break;
        /* A reset: the machine starts again from its files; disks keep
         * what was written to them. */
        board_reset(b);
    }
    double secs = (double)(host_time_monotonic_ns() - t0) / 1e9;
    switch (end) {
    case BOARD_POWEROFF:
        rc = b->end_status & 0xff;
        if (b->end_status && !rc)
            rc = 1;
        break;
    case BOARD_QUIT:
        fprintf(stderr, "\nmvm: boot: ended from the console\n");
        rc = 0;
        break;
    case BOARD_BUDGET:
        fprintf(stderr, "mvm: boot: instruction budget exhausted (pc=0x%llx)\n", (unsigned long long)b->harts[0]->hart->pc);
        rc = EXIT_BUDGET;
        break;
    default:
        fprintf(stderr, "mvm: boot: out of host memory\n");
        rc = EXIT_INTERNAL;
        break;
    }
    if (stats)
        fprintf(stderr, "mvm: stats: %llu instructions in %.3f s, hart 0 ended in %c mode at pc=0x%llx\n",
                (unsigned long long)b->instructions, secs, "US?M"[b->harts[0]->cpu.priv & 3], (unsigned long long)b->harts[0]->hart->pc);
    board_free(b);
    return rc;
}
