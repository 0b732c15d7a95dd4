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

#include "cli/cli.h"
#include "host/host.h"
#include "mvm.h"

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
    "  --snapshot FILE         save the board to FILE when mvm gets SIGUSR1 (and at\n"
    "                          --snapshot-at); it goes on unless --suspend;\n"
    "                          `mvm restore FILE` goes on from there\n"
    "  --snapshot-at N         save it when its harts have run exactly N\n"
    "                          instructions in all (exact on one hart)\n"
    "  --suspend               end the run once a snapshot is written (exit 120)\n"
    "  --snapshot-uncompressed do not compress it\n"
    "  --name NAME             serve a control socket: mvm ps, stats, snapshot,\n"
    "                          pause, resume, kill NAME\n"
    "  --depth N               run the board at nesting depth N: made by N-1\n"
    "                          copies of the monitor's own RV64 build (mvm.rv64\n"
    "                          beside mvm), as `mvm run --depth` runs programs\n"
    "  --nest-mode=MODE        emulate (each level interprets the next), trusted\n"
    "                          or lowered (the default: the real environment runs\n"
    "                          the board, at depth 1's cost); see mvm --help\n"
    "\n"
    "On the console, Ctrl-A x ends the run, Ctrl-A c turns a monitor prompt on\n"
    "and off (help lists its commands; `snapshot FILE` saves the board) and\n"
    "Ctrl-A Ctrl-A sends a Ctrl-A;\n"
    "a terminal is put in raw mode meanwhile (Ctrl-C goes to the guest).\n"
    "\n"
    "A reset the guest asks for starts the board again from its files.\n"
    "\n"
    "exit status: the code the guest powered off with (0: success; 0 also\n"
    "after Ctrl-A x); 120 saved and stopped (--suspend); 123 the host ran out\n"
    "of memory; 124 budget exhausted;\n"
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
#define MAX_HARTS 8

/* What `mvm boot` was asked for. */
struct boot_args {
    struct mvm_board_config cfg;
    const char *firmware, *kernel, *append;
    const char *disks[MVM_BOARD_DISKS];
    int ndisks;
    int depth;
};

/* --disk FILE[,ro|,snapshot]: the file (in buf) and its MVM_DISK_* flags;
 * false if spec is not one. */
static bool disk_spec(const char *spec, char *buf, size_t size, unsigned *flags)
{
    const char *comma = strrchr(spec, ',');
    bool ro = comma && strcmp(comma, ",ro") == 0, overlay = comma && strcmp(comma, ",snapshot") == 0;
    size_t len = ro || overlay ? (size_t)(comma - spec) : strlen(spec);
    if (!len || len >= size)
        return false;
    memcpy(buf, spec, len);
    buf[len] = 0;
    *flags = (ro ? MVM_DISK_RO : 0) | (overlay ? MVM_DISK_SNAPSHOT : 0);
    return true;
}

/* Loads one file onto the board: 0 or an exit status, with the message
 * printed. */
static int load_file(mvm_vm *vm, int what, const char *path)
{
    uint8_t *file = NULL;
    size_t size = 0;
    int rc = read_program(path, &file, &size);
    if (rc != 0)
        return rc;
    int r = mvm_board_load(vm, what, file, size);
    free_program(file, size);
    if (r == -MVM_ENOEXEC) {
        fprintf(stderr, "mvm: %s: %s\n", path, mvm_vm_error(vm));
        return EXIT_NOEXEC;
    }
    if (r != 0) {
        fprintf(stderr, "mvm: %s: %s\n", path, mvm_strerror(r));
        return EXIT_INTERNAL;
    }
    return 0;
}

/* Makes the board, gives it its files and runs it: the exit status. */
static int boot_here(const struct boot_args *ba, struct session *sess)
{
    mvm_vm *vm = NULL;
    int rc = session_prepare(sess), r;
    if (rc != 0)
        return rc;
    if ((r = mvm_board_create(&ba->cfg, &vm)) != 0) {
        fprintf(stderr, "mvm: boot: cannot make the board: %s\n", mvm_strerror(r));
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < ba->ndisks && rc == 0; i++) {
        char path[4096];
        unsigned flags;
        if (!disk_spec(ba->disks[i], path, sizeof path, &flags)) {
            rc = usage_error("--disk %s: expected FILE, FILE,ro or FILE,snapshot", ba->disks[i]);
        } else if ((r = mvm_board_add_disk(vm, path, flags)) != 0) {
            fprintf(stderr, "mvm: --disk %s\n", *mvm_vm_error(vm) ? mvm_vm_error(vm) : mvm_strerror(r));
            rc = r == -MVM_ENOENT ? EXIT_NOTFOUND : r == -MVM_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        }
    }
    if (rc == 0)
        rc = load_file(vm, MVM_BOARD_FIRMWARE, ba->firmware);
    if (rc == 0 && ba->kernel)
        rc = load_file(vm, MVM_BOARD_KERNEL, ba->kernel);
    if (rc == 0 && ba->append && (r = mvm_board_load(vm, MVM_BOARD_BOOTARGS, ba->append, strlen(ba->append))) != 0) {
        fprintf(stderr, "mvm: --append: %s\n", mvm_strerror(r));
        rc = EXIT_INTERNAL;
    }
    if (rc == 0)
        rc = boot_session(sess, vm);
    mvm_vm_destroy(vm);
    return rc;
}

int boot_session(struct session *sess, mvm_vm *vm)
{
    tty_make_raw();
    int rc = session_run(sess, vm);
    tty_restore();
    return rc;
}

void report_board_exit(const struct mvm_exit *ex, mvm_vm *vm)
{
    if (ex->reason == MVM_EXIT_EXITED && ex->cause == MVM_BOARD_QUIT)
        fprintf(stderr, "\nmvm: boot: ended from the console\n");
    else if (ex->reason == MVM_EXIT_BUDGET)
        fprintf(stderr, "mvm: boot: instruction budget exhausted (pc=0x%llx)\n", (unsigned long long)ex->pc);
    else if (ex->reason == MVM_EXIT_NOMEM)
        fprintf(stderr, "mvm: boot: out of host memory%s%s\n", *mvm_vm_error(vm) ? ": " : "", mvm_vm_error(vm));
}

int board_exit_status(const struct mvm_exit *ex)
{
    return ex->reason == MVM_EXIT_NOMEM ? EXIT_INTERNAL : ex->status;
}

void print_board_stats(mvm_vm *vm, double seconds, const struct mvm_exit *ex)
{
    struct mvm_stats st;
    mvm_vm_stats(vm, &st);
    fprintf(stderr, "mvm: stats: %llu instructions in %.3f s, hart 0 ended in %c mode at pc=0x%llx\n",
            (unsigned long long)st.instructions, seconds, "US?M"[ex->addr & 3], (unsigned long long)ex->pc);
    fprintf(stderr, "mvm: stats: %llu blocks decoded, %llu compiled, %llu code flushes, %llu TLB misses; "
            "%llu KiB resident, %llu KiB peak\n",
            (unsigned long long)st.blocks_decoded, (unsigned long long)st.blocks_compiled,
            (unsigned long long)st.code_flushes, (unsigned long long)st.tlb_misses,
            (unsigned long long)(st.resident_bytes >> 10), (unsigned long long)(st.peak_bytes >> 10));
    print_jit_stats(&st);
}

/* ---- --depth N ------------------------------------------------------------ */

/* The argument vector being built, owned strings; NULL entries after an
 * allocation failed. */
struct argv_buf {
    char *v[64 + 2 * MVM_BOARD_DISKS];
    int n;
    bool oom;
};

static void push(struct argv_buf *a, const char *s)
{
    char *d = strdup(s);
    if (!d || a->n == (int)(sizeof a->v / sizeof a->v[0]) - 1) {
        free(d);
        a->oom = true;
        return;
    }
    a->v[a->n++] = d;
}

static void pushf(struct argv_buf *a, const char *fmt, unsigned long long x)
{
    char buf[32];
    snprintf(buf, sizeof buf, fmt, x);
    push(a, buf);
}

/* Grants the directory of file (an absolute path) to the levels above:
 * read-only unless writable (a disk); one grant per directory, the
 * widest asked for. */
struct dir_grants {
    char *dir[2 + MVM_BOARD_DISKS];
    bool rw[2 + MVM_BOARD_DISKS];
    int n;
};

static bool grant(struct dir_grants *g, const char *file, bool writable)
{
    const char *slash = strrchr(file, '/');
    size_t len = slash == file ? 1 : (size_t)(slash - file);
    for (int i = 0; i < g->n; i++)
        if (strlen(g->dir[i]) == len && memcmp(g->dir[i], file, len) == 0) {
            g->rw[i] |= writable;
            return true;
        }
    if (!(g->dir[g->n] = strndup(file, len)))
        return false;
    g->rw[g->n++] = writable;
    return true;
}

/*
 * `mvm boot --depth N`: the board at depth N, made by the monitor's own
 * RV64 build at depth N-1 — `mvm run --depth N-1 mvm.rv64 boot ...`, the
 * files' directories granted at their own paths. In lowered and trusted
 * nesting the real environment makes and runs the board for the innermost
 * monitor; emulating, each level interprets the next.
 */
static int boot_nested(const char *self, const struct boot_args *ba, bool stats)
{
    struct argv_buf a = { .n = 0 };
    struct dir_grants g = { .n = 0 };
    char *image = find_image(self);
    char *fw = realpath(ba->firmware, NULL), *kernel = ba->kernel ? realpath(ba->kernel, NULL) : NULL;
    char *disks[MVM_BOARD_DISKS] = { NULL };
    int rc = 0;
    if (!image) {
        fprintf(stderr, "mvm: --depth: cannot find mvm.rv64 beside the monitor (set MVM_IMAGE)\n");
        rc = EXIT_NOTFOUND;
        goto out;
    }
    if (!fw || (ba->kernel && !kernel)) {
        const char *which = !fw ? ba->firmware : ba->kernel;
        fprintf(stderr, "mvm: %s: %s\n", which, strerror(errno));
        rc = EXIT_NOTFOUND;
        goto out;
    }
    bool ok = grant(&g, fw, false) && (!kernel || grant(&g, kernel, false));
    for (int i = 0; i < ba->ndisks && ok; i++) {
        char path[4096];
        unsigned flags;
        if (!disk_spec(ba->disks[i], path, sizeof path, &flags)) {
            rc = usage_error("--disk %s: expected FILE, FILE,ro or FILE,snapshot", ba->disks[i]);
            goto out;
        }
        char *real = realpath(path, NULL);
        if (!real) {
            fprintf(stderr, "mvm: --disk %s: %s\n", path, strerror(errno));
            rc = EXIT_NOTFOUND;
            goto out;
        }
        size_t len = strlen(real) + sizeof ",snapshot";
        if (!(disks[i] = malloc(len))) {
            free(real);
            ok = false;
            break;
        }
        snprintf(disks[i], len, "%s%s", real, flags & MVM_DISK_RO ? ",ro" : flags & MVM_DISK_SNAPSHOT ? ",snapshot" : "");
        ok = grant(&g, real, !(flags & (MVM_DISK_RO | MVM_DISK_SNAPSHOT)));
        free(real);
    }
    const char *mode = nest_mode_flag(ba->cfg.nest_mode);
    /* The levels' memory: the board's RAM and room for the monitors, each
     * level keeping a quarter of what it has for itself (nest_command). */
    uint64_t mem = ba->cfg.ram_bytes + (256ull << 20);
    for (int d = 2; d < ba->depth; d++)
        mem = mem / 3 * 4;
    push(&a, self);
    push(&a, "run");
    push(&a, "--depth");
    pushf(&a, "%llu", (unsigned long long)ba->depth - 1);
    push(&a, mode);
    push(&a, "--mem");
    pushf(&a, "%lluK", (unsigned long long)(mem >> 10));
    for (int i = 0; i < g.n; i++) {
        size_t len = 2 * strlen(g.dir[i]) + 8;
        char *spec = malloc(len);
        if (!spec) {
            ok = false;
            break;
        }
        snprintf(spec, len, "%s:%s%s", g.dir[i], g.dir[i], g.rw[i] ? "" : ":ro");
        push(&a, "--dir");
        push(&a, spec);
        free(spec);
    }
    push(&a, image);
    push(&a, "boot");
    push(&a, mode);
    push(&a, "--mem");
    pushf(&a, "%lluK", (unsigned long long)(ba->cfg.ram_bytes >> 10));
    push(&a, "--smp");
    pushf(&a, "%llu", ba->cfg.harts);
    if (ba->cfg.icount >= 0) {
        push(&a, "--icount");
        pushf(&a, "%llu", (unsigned long long)ba->cfg.icount);
    }
    if (ba->cfg.budget) {
        push(&a, "--budget");
        pushf(&a, "%llu", (unsigned long long)ba->cfg.budget);
    }
    if (ba->cfg.flags & MVM_NO_JIT)
        push(&a, "--no-jit");
    if (ba->cfg.flags & MVM_BOARD_RNG)
        push(&a, "--rng");
    if (stats)
        push(&a, "--stats");
    if (kernel) {
        push(&a, "--kernel");
        push(&a, kernel);
    }
    if (ba->append) {
        push(&a, "--append");
        push(&a, ba->append);
    }
    for (int i = 0; i < ba->ndisks; i++) {
        push(&a, "--disk");
        push(&a, disks[i] ? disks[i] : "");
    }
    push(&a, fw);
    if (!ok || a.oom) {
        fprintf(stderr, "mvm: out of host memory\n");
        rc = EXIT_INTERNAL;
        goto out;
    }
    rc = cmd_run(a.n - 1, a.v + 1);
out:
    for (int i = 0; i < a.n; i++)
        free(a.v[i]);
    for (int i = 0; i < g.n; i++)
        free(g.dir[i]);
    for (int i = 0; i < MVM_BOARD_DISKS; i++)
        free(disks[i]);
    free(image);
    free(fw);
    free(kernel);
    return rc;
}

int cmd_boot(int argc, char **argv)
{
    enum { B_MEM = 1, B_SMP, B_KERNEL, B_APPEND, B_DISK, B_RNG, B_ICOUNT, B_BUDGET, B_NO_JIT, B_STATS, B_DEPTH,
           B_NEST, B_HELP };
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
        { "depth", required_argument, NULL, B_DEPTH },
        { "nest-mode", required_argument, NULL, B_NEST },
        { "help", no_argument, NULL, B_HELP },
        SESSION_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    struct session sess = { 0 };
    struct boot_args ba = { .cfg = MVM_BOARD_CONFIG_INIT, .depth = 1 };
    ba.cfg.ram_bytes = DEFAULT_RAM;
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case B_MEM:
            ba.cfg.ram_bytes = parse_size(a);
            if (ba.cfg.ram_bytes < (1ull << 20) || (ba.cfg.ram_bytes & 4095) || ba.cfg.ram_bytes > (1ull << 38))
                rc = usage_error("--mem %s: expected a RAM size from 1M to 256G, a multiple of 4K", a);
            break;
        case B_BUDGET:
            if (!parse_count(a, &ba.cfg.budget))
                rc = usage_error("--budget %s: expected a positive number of instructions", a);
            break;
        case B_SMP: {
            int64_t n;
            if (!parse_count(a, &n) || n > MAX_HARTS)
                rc = usage_error("--smp %s: expected a number of harts from 1 to " STR(MAX_HARTS), a);
            else
                ba.cfg.harts = (unsigned)n;
            break;
        }
        case B_KERNEL: ba.kernel = a; break;
        case B_APPEND: ba.append = a; break;
        case B_DISK:
            if (ba.ndisks == MVM_BOARD_DISKS)
                rc = usage_error("--disk %s: at most " STR(MVM_BOARD_DISKS) " disks", a);
            else
                ba.disks[ba.ndisks++] = a;
            break;
        case B_RNG: ba.cfg.flags |= MVM_BOARD_RNG; break;
        case B_ICOUNT: {
            char *end;
            long v = strtol(a, &end, 10);
            if (!*a || *end || v < 0 || v > 10)
                rc = usage_error("--icount %s: expected a shift from 0 to 10 (2^SHIFT ns an instruction)", a);
            else
                ba.cfg.icount = (int)v;
            break;
        }
        case B_DEPTH: {
            int64_t n;
            if (!parse_count(a, &n) || n > MVM_MAX_DEPTH)
                rc = usage_error("--depth %s: expected a depth from 1 to " STR(MVM_MAX_DEPTH), a);
            else
                ba.depth = (int)n;
            break;
        }
        case B_NEST: rc = nest_mode_option(a, &ba.cfg.nest_mode); break;
        case B_NO_JIT: ba.cfg.flags |= MVM_NO_JIT; break;
        case B_STATS: sess.stats = true; break;
        case B_HELP:
            fputs(boot_usage, stdout);
            return 0;
        case ':': rc = usage_error("option %s needs an argument", argv[optind - 1]); break;
        case '?': rc = usage_error("unknown option %s", argv[optind - 1]); break;
        default: rc = session_option(&sess, c, a); break;
        }
        if (rc != 0)
            return rc;
    }
    if (optind != argc - 1)
        return usage_error("boot: %s", optind >= argc ? "no file given" : "one file only");
    ba.firmware = argv[optind];
    if (sess.migrate_to)
        return usage_error("%s: a board cannot migrate yet (--snapshot, then mvm restore, moves it)", "--migrate-to");
    if (ba.depth > 1) {
        if (sess.snap_file || sess.migrate_to || sess.name)
            return usage_error("%s: a board at depth 2 or more is run by the real environment, which does not "
                               "save it yet", sess.snap_file ? "--snapshot" : sess.name ? "--name" : "--migrate-to");
        /* The terminal is made raw here, once, for every level. */
        tty_make_raw();
        rc = boot_nested(argv[-1], &ba, sess.stats);
        tty_restore();
        return rc;
    }
    return boot_here(&ba, &sess);
}
