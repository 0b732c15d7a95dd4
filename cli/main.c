/*
 * main.c — the mvm command line. This is the only place that prints the
 * monitor's own errors; everything below returns values.
 *
 * Exit statuses (docs/cli.md):
 *   0..255  the guest's own exit status
 *   128+N   the guest died of signal N as Linux would kill it
 *           (memory fault 139, illegal instruction 132, ebreak 133, ...)
 *   123     internal or host resource error
 *   124     the instruction budget ran out
 *   125     usage error (bad flag or argument)
 *   126     the program cannot be loaded (not an ELF, wrong machine, malformed)
 *   127     the program file was not found or cannot be read
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "host/host.h"
#include "mvm.h"

#define MAX_PROGRAM_SIZE (1ull << 30)

static const char usage_text[] =
    "usage: mvm run [options] PROGRAM [ARGS...]\n"
    "       mvm restore [options] SNAPSHOT   (mvm restore --help)\n"
    "       mvm listen [options] HOST:PORT   (mvm listen --help)\n"
    "       mvm clone [options] -n N SNAPSHOT (mvm clone --help)\n"
    "       mvm fleet [--stats] [--name NAME] MANIFEST (many VMs: docs/fleet.md)\n"
    "       mvm ps | top | stats | pause | resume | kill | balloon ... (mvm ps --help)\n"
    "       mvm boot [options] FIRMWARE      (system mode: mvm boot --help)\n"
    "       mvm --help | --version\n"
    "\n"
    "Runs a static RISC-V RV64GC Linux program in a Matryoshka virtual machine.\n"
    "\n"
    "options of run:\n"
    "  --mem SIZE              memory limit for guest pages (K, M, G suffixes; default 2G)\n"
    "  --host-mem SIZE         host memory the VM may hold (its guest pages and the\n"
    "                          monitor's part); with --swap, what is over it goes to\n"
    "                          swap, else the VM runs out of memory there\n"
    "  --swap DIR              past 90% of --host-mem, write cold pages to a swap\n"
    "                          file made (and unlinked at once) in DIR\n"
    "  --swap-max SIZE         the most the swap file may hold (default: no limit)\n"
    "  --dir HOST[:GUEST][:ro] let the guest see host directory HOST at GUEST\n"
    "                          (default: the same path); repeatable\n"
    "  --env KEY=VALUE         set a guest environment variable; repeatable\n"
    "                          (the guest sees no host environment)\n"
    "  --cwd DIR               guest working directory (default /)\n"
    "  --budget N              stop after N instructions (exit 124)\n"
    "  --stats                 print execution statistics to stderr at exit\n"
    "  --trace=syscalls|insns  trace system calls or instructions to stderr\n"
    "  --no-jit                interpret every block (no compiled host code)\n"
    "  --depth N               run PROGRAM at nesting depth N: inside N-1 copies of\n"
    "                          the monitor's own RV64 build (mvm.rv64 beside mvm)\n"
    "  --nest-mode=MODE        how nested levels run: emulate (each level interprets\n"
    "                          the next), trusted (the real environment runs every\n"
    "                          level; system calls go to the monitor one level up),\n"
    "                          lowered (the real environment also serves every\n"
    "                          level's system calls; the default)\n"
    "  --no-unroll             nested VMs keep their pages in their parent's memory:\n"
    "                          every access at depth d walks d maps\n"
    "  --argv0 NAME            the guest's argv[0] (default: PROGRAM as given)\n"
    "  --stream-meta           let the guest change the mode, owner and times of its\n"
    "                          standard streams when they are host files (default:\n"
    "                          EPERM)\n"
    "  --listen ADDR:PORT      let the guest bind and listen on ADDR:PORT (numeric\n"
    "                          IPv4, [IPv6] or localhost); repeatable. Default: no\n"
    "                          network (bind and connect give EACCES)\n"
    "  --connect HOST:PORT     let the guest connect (and send datagrams) to\n"
    "                          HOST:PORT; repeatable\n"
    SESSION_USAGE
    "\n"
    "exit status: the guest's; 128+N if it died of signal N; 120 suspended\n"
    "(--suspend); 123 internal error; 124 budget exhausted; 125 usage error;\n"
    "126 program cannot be loaded; 127 program not found.\n";

int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "mvm: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see mvm --help)\n");
    return EXIT_USAGE;
}

uint64_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return 0;
    unsigned shift = 0;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: return 0;
    }
    if ((*end == 'i' || *end == 'b' || *end == 'B') && shift)
        end += (end[0] == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
    if (*end || v > (UINT64_MAX >> shift))
        return 0;
    return (uint64_t)v << shift;
}

int mem_option(const char *a, uint64_t *limit)
{
    *limit = parse_size(a);
    return *limit < MVM_MEM_MIN ? usage_error("--mem %s: expected a size of at least 1M, like 256M or 2G", a) : 0;
}

int nest_mode_option(const char *a, unsigned *mode)
{
    if (strcmp(a, "emulate") == 0) *mode = MVM_NEST_EMULATE;
    else if (strcmp(a, "trusted") == 0) *mode = MVM_NEST_TRUSTED;
    else if (strcmp(a, "lowered") == 0) *mode = MVM_NEST_LOWERED;
    else return usage_error("--nest-mode=%s: expected emulate, trusted or lowered", a);
    return 0;
}

const char *nest_mode_flag(unsigned mode)
{
    static const char *const flags[] = { "--nest-mode=lowered", "--nest-mode=emulate", "--nest-mode=trusted",
                                         "--nest-mode=lowered" };
    return flags[mode <= MVM_NEST_LOWERED ? mode : MVM_NEST_LOWERED];
}

int trace_option(const char *a, unsigned *flags)
{
    char *t = strdup(a), *save = NULL;
    if (!t)
        return EXIT_INTERNAL;
    int rc = *t ? 0 : usage_error("--trace=%s: expected syscalls or insns", a);
    for (char *w = strtok_r(t, ",", &save); w && rc == 0; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "syscalls") == 0)
            *flags |= MVM_TRACE_SYSCALLS;
        else if (strcmp(w, "insns") == 0)
            *flags |= MVM_TRACE_INSNS;
        else
            rc = usage_error("--trace=%s: expected syscalls or insns", a);
    }
    free(t);
    return rc;
}

bool parse_count(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0)
        return false;
    *out = v;
    return true;
}

/* Opens a program file and checks it is one that may be loaded: 0 with
 * *fd and *size set, or an exit status with the message printed. */
int open_program(const char *path, int *fd_out, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "mvm: %s: %s\n", path, strerror(errno));
        return EXIT_NOTFOUND;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "mvm: %s: %s\n", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        close(fd);
        return EXIT_NOEXEC;
    }
    if ((uint64_t)st.st_size > MAX_PROGRAM_SIZE) {
        fprintf(stderr, "mvm: %s: program file too large (%lld bytes)\n", path, (long long)st.st_size);
        close(fd);
        return EXIT_NOEXEC;
    }
    *fd_out = fd;
    *size = (size_t)st.st_size;
    return 0;
}

/* Reads a whole file; 0, or an exit status with the message printed. */
int read_program(const char *path, uint8_t **data, size_t *size)
{
    int fd;
    size_t n, got = 0;
    int rc = open_program(path, &fd, &n);
    if (rc != 0)
        return rc;
    /* Pages made present in one call (MAP_POPULATE): a fault per page of
     * a fresh buffer is most of what reading a program costs. */
    uint8_t *buf = host_page_alloc_now(n ? n : 1);
    if (!buf) {
        fprintf(stderr, "mvm: out of host memory\n");
        close(fd);
        return EXIT_INTERNAL;
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fprintf(stderr, "mvm: %s: read error: %s\n", path, r < 0 ? strerror(errno) : "file shrank");
            host_page_free(buf, n ? n : 1);
            close(fd);
            return EXIT_NOTFOUND;
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *size = n;
    return 0;
}

void free_program(uint8_t *data, size_t size)
{
    if (data)
        host_page_free(data, size ? size : 1);
}

/* --dir HOST[:GUEST][:ro] */
int dir_spec_parse(const char *spec, struct dir_spec *d)
{
    if (!(d->buf = strdup(spec)))
        return EXIT_INTERNAL;
    d->ro = false;
    size_t len = strlen(d->buf);
    if (len >= 3 && strcmp(d->buf + len - 3, ":ro") == 0) {
        d->ro = true;
        d->buf[len - 3] = 0;
    } else if (len >= 3 && strcmp(d->buf + len - 3, ":rw") == 0) {
        d->buf[len - 3] = 0;
    }
    char *guest = strchr(d->buf, ':');
    if (guest)
        *guest++ = 0;
    else
        guest = d->buf;
    d->host = d->buf;
    d->guest = guest;
    if (!*d->host || !*guest || guest[0] != '/') {
        free(d->buf);
        d->buf = NULL;
        return usage_error("--dir %s: expected HOST[:GUEST][:ro] with an absolute GUEST path", spec);
    }
    return 0;
}

static int add_dir(mvm_vm *vm, const char *spec, bool implicit)
{
    struct dir_spec d;
    int rc = dir_spec_parse(spec, &d);
    if (rc != 0)
        return rc;
    int r = mvm_vm_add_dir(vm, d.host, d.guest, d.ro);
    if (r == -17 && implicit)
        r = 0;   /* --depth's own grant: the user granted that path already */
    if (r < 0) {
        fprintf(stderr, "mvm: --dir %s: %s\n", spec, strerror(-r));
        rc = EXIT_USAGE;
    }
    free(d.buf);
    return rc;
}

/* The directory part of path, made absolute; NULL on error. */
static char *abs_dir_of(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return NULL;
    char *slash = strrchr(real, '/');
    if (slash == real)
        slash[1] = 0;
    else
        *slash = 0;
    return real;
}

/* Where the monitor's RV64 build is: $MVM_IMAGE, or mvm.rv64 beside us. */
char *find_image(const char *self)
{
    const char *env = getenv("MVM_IMAGE");
    if (env && *env)
        return realpath(env, NULL);
    char buf[4096];
    if (!strchr(self, '/')) {
        ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n <= 0)
            return NULL;
        buf[n] = 0;
        self = buf;
    }
    char *dir = abs_dir_of(self);
    if (!dir)
        return NULL;
    char *img = malloc(strlen(dir) + sizeof "/mvm.rv64");
    if (img)
        sprintf(img, "%s/mvm.rv64", dir);
    free(dir);
    char *real = img ? realpath(img, NULL) : NULL;
    free(img);
    return real;
}

static void free_nest_command(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/*
 * --depth N: the command line that runs PROGRAM at depth N inside the
 * monitor's own RV64 build. The image's and the program's directories are
 * granted read-only at their own (absolute) paths, so every level sees
 * the same names; the user's --dir and --env go down to the innermost
 * level. Two extra --dir specs for this level are stored at extra_dirs.
 */
#define DEFAULT_MEM (2ull << 30)     /* mvm_config's mem_limit 0 */

static int nest_command(const char *self, int depth, const char **dirs, int ndirs, char **envs,
                        int nenvs, char **nets, int nnets, const char *cwd, const struct mvm_config *cfg, const char *argv0,
                        int prog_argc, char **prog_argv,
                        char ***out_argv, int *out_argc, const char **extra_dirs)
{
    static char specs[2][4200];
    char *image = find_image(self);
    if (!image) {
        fprintf(stderr, "mvm: --depth: cannot find mvm.rv64 beside the monitor (set MVM_IMAGE)\n");
        return EXIT_NOTFOUND;
    }
    char *prog = realpath(prog_argv[0], NULL);
    char *image_dir = abs_dir_of(image), *prog_dir = prog ? abs_dir_of(prog) : NULL;
    if (!prog || !prog_dir || !image_dir) {
        fprintf(stderr, "mvm: %s: %s\n", prog_argv[0], strerror(errno));
        free(image); free(prog); free(image_dir); free(prog_dir);
        return EXIT_NOTFOUND;
    }
    snprintf(specs[0], sizeof specs[0], "%s:%s:ro", image_dir, image_dir);
    snprintf(specs[1], sizeof specs[1], "%s:%s:ro", prog_dir, prog_dir);
    extra_dirs[0] = specs[0];
    extra_dirs[1] = specs[1];
    free(image_dir);
    free(prog_dir);

    unsigned flags = cfg->flags, nest_mode = cfg->nest_mode;
    size_t max = 14 + 2 * (size_t)ndirs + 2 * (size_t)nenvs + 2 * (size_t)nnets + (size_t)prog_argc + 4;
    char **v = calloc(max, sizeof *v);
    int n = 0;
    if (!v)
        goto oom;
    char num[16];
    snprintf(num, sizeof num, "%d", depth - 1);
#define PUSH(s) do { if (!(v[n++] = strdup(s))) goto oom; } while (0)
    PUSH(image);
    PUSH("run");
    PUSH("--depth");
    PUSH(num);
    /* The monitor inside keeps a quarter of its memory for itself: the VM
     * it runs gets the rest, so that a guest filling its memory meets its
     * own limit (ENOMEM, or its own end) before the monitor meets the one
     * above it. */
    char mem[32];
    snprintf(mem, sizeof mem, "%lluK", (unsigned long long)((cfg->mem_limit ? cfg->mem_limit : DEFAULT_MEM) / 4 * 3 >> 10));
    PUSH("--mem");
    PUSH(mem);
    if (flags & MVM_NO_JIT)
        PUSH("--no-jit");
    if (flags & MVM_NO_UNROLL)
        PUSH("--no-unroll");
    if (flags & MVM_STREAM_META)
        PUSH("--stream-meta");
    PUSH(nest_mode_flag(nest_mode));
    for (int i = 0; i < ndirs; i++) {
        /* The inner level sees the user's directory at its guest path. */
        const char *spec = dirs[i];
        size_t len = strlen(spec);
        bool ro = len >= 3 && strcmp(spec + len - 3, ":ro") == 0;
        if (ro || (len >= 3 && strcmp(spec + len - 3, ":rw") == 0))
            len -= 3;
        const char *colon = memchr(spec, ':', len);
        const char *guest = colon ? colon + 1 : spec;
        int glen = (int)(spec + len - guest);
        char buf[8400];
        snprintf(buf, sizeof buf, "%.*s:%.*s%s", glen, guest, glen, guest, ro ? ":ro" : "");
        PUSH("--dir");
        PUSH(buf);
    }
    for (int i = 0; i < nenvs; i++) {
        PUSH("--env");
        PUSH(envs[i]);
    }
    /* Network grants go down too; each level can pass on only what it has. */
    for (int i = 0; i < nnets; i++) {
        PUSH(nets[i][0] == 'L' ? "--listen" : "--connect");
        PUSH(nets[i] + 1);
    }
    if (cwd) {
        PUSH("--cwd");
        PUSH(cwd);
    }
    PUSH("--argv0");
    PUSH(argv0 ? argv0 : prog_argv[0]);
    PUSH(prog);
    for (int i = 1; i < prog_argc; i++)
        PUSH(prog_argv[i]);
#undef PUSH
    free(image);
    free(prog);
    *out_argv = v;
    *out_argc = n;
    return 0;
oom:
    free_nest_command(v);
    free(image);
    free(prog);
    fprintf(stderr, "mvm: out of host memory\n");
    return EXIT_INTERNAL;
}

int exit_status(const struct mvm_exit *ex)
{
    /* Memory a lazy restore could not load: the snapshot is bad. (The
     * swap file's: the VM was killed.) */
    return ex->reason == MVM_EXIT_LOST && ex->cause == MVM_LOST_SNAPSHOT ? EXIT_BAD_SNAPSHOT : ex->status;
}

void report_fault(const char *who, const char *mem_knob, const struct mvm_exit *ex)
{
    switch (ex->reason) {
    case MVM_EXIT_NOMEM:
        fprintf(stderr, "mvm: %sguest out of memory (the limit was reached; raise %s) pc=0x%llx\n", who, mem_knob,
                (unsigned long long)ex->pc);
        break;
    case MVM_EXIT_LOST:
        fprintf(stderr, "mvm: %sguest memory lost: %s (pc=0x%llx)\n", who, ex->what, (unsigned long long)ex->pc);
        break;
    case MVM_EXIT_FAULT:
        if (ex->cause == 2)
            fprintf(stderr, "mvm: %sguest fault: illegal instruction 0x%llx pc=0x%llx\n", who,
                    (unsigned long long)ex->addr, (unsigned long long)ex->pc);
        else
            fprintf(stderr, "mvm: %sguest fault: %s at 0x%llx pc=0x%llx\n", who, ex->what,
                    (unsigned long long)ex->addr, (unsigned long long)ex->pc);
        break;
    }
}

/* What a VM out of memory may raise (mvm run --host-mem adds a limit). */
static const char *mem_knobs = "--mem";

void report_exit(const struct mvm_exit *ex)
{
    if (ex->reason == MVM_EXIT_BUDGET)
        fprintf(stderr, "mvm: instruction budget exhausted (pc=0x%llx)\n", (unsigned long long)ex->pc);
    else
        report_fault("", mem_knobs, ex);
}

/* The block compiler's line, where the monitor measured it (a VM made by
 * a guest reports no code: VM_STATS does not carry it). */
void print_jit_stats(const struct mvm_stats *st)
{
    if (st->jit_code_bytes)
        fprintf(stderr, "mvm: stats: jit: %llu compiled as regions, %.1f KiB of code, %.2f ms compiling\n",
                (unsigned long long)st->jit_regions, (double)st->jit_code_bytes / 1024,
                (double)st->jit_compile_ns / 1e6);
}

void print_stats(mvm_vm *vm, double seconds)
{
    struct mvm_stats st;
    mvm_vm_stats(vm, &st);
    fprintf(stderr,
            "mvm: stats: %llu instructions in %.3f s (%.1f MIPS)\n"
            "mvm: stats: %llu syscalls, %llu blocks decoded, %llu compiled, %llu code flushes, %llu TLB misses\n"
            "mvm: stats: memory: %llu KiB resident, %llu KiB peak, %llu zero-fills, %llu COW copies\n",
            (unsigned long long)st.instructions, seconds,
            seconds > 0 ? (double)st.instructions / seconds / 1e6 : 0.0,
            (unsigned long long)st.syscalls, (unsigned long long)st.blocks_decoded,
            (unsigned long long)st.blocks_compiled, (unsigned long long)st.code_flushes,
            (unsigned long long)st.tlb_misses, (unsigned long long)(st.resident_bytes >> 10),
            (unsigned long long)(st.peak_bytes >> 10), (unsigned long long)st.zero_fills,
            (unsigned long long)st.cow_copies);
    print_jit_stats(&st);
    if (st.children_instructions)
        fprintf(stderr, "mvm: stats: %llu instructions more by the VMs its guest made\n",
                (unsigned long long)st.children_instructions);
}

/* --host-mem and --swap: a memory domain of the VM's own (NULL without
 * --host-mem); 0 or an exit status with the message printed. */
static int host_domain(const struct mvm_domain_config *host, mvm_domain **out)
{
    *out = NULL;
    if ((host->swap_dir || host->swap_max) && !host->mem_limit)
        return usage_error("%s needs --host-mem (swapping is what keeps the VM under it)",
                           host->swap_dir ? "--swap" : "--swap-max");
    if (host->swap_max && !host->swap_dir)
        return usage_error("%s", "--swap-max needs --swap DIR (the directory of the swap file)");
    if (!host->mem_limit)
        return 0;
    int r = mvm_domain_new(host, out);
    if (r == 0)
        return 0;
    if (host->swap_dir) {
        fprintf(stderr, "mvm: --swap %s: cannot make a swap file there: %s\n", host->swap_dir,
                r == -MVM_ENOMEM ? "out of memory" : strerror(-r));
        return EXIT_USAGE;
    }
    fprintf(stderr, "mvm: --host-mem: %s\n", mvm_strerror(r));
    return EXIT_INTERNAL;
}

/* --stats with --host-mem: the peak against the limit, and the swap's work. */
static void print_host_stats(const mvm_domain *dom, const struct mvm_domain_config *host)
{
    struct mvm_domain_stats ds;
    if (mvm_domain_stats(dom, &ds) != 0)
        return;
    fprintf(stderr, "mvm: stats: host memory: peak %llu KiB of %llu KiB\n",
            (unsigned long long)(ds.peak_bytes >> 10), (unsigned long long)(host->mem_limit >> 10));
    if (host->swap_dir)
        fprintf(stderr, "mvm: stats: swap: %llu pages written out, %llu read back, %llu came back corrupt; "
                "up to %llu KiB in the file\n", (unsigned long long)ds.swapped_out,
                (unsigned long long)ds.swapped_in, (unsigned long long)ds.swap_corrupt,
                (unsigned long long)(ds.swap_peak_bytes >> 10));
}

int cmd_run(int argc, char **argv)
{
    enum { OPT_MEM = 1, OPT_DIR, OPT_ENV, OPT_CWD, OPT_BUDGET, OPT_STATS, OPT_TRACE, OPT_NOJIT, OPT_DEPTH, OPT_NEST, OPT_NOUNROLL, OPT_ARGV0, OPT_STREAM_META, OPT_LISTEN, OPT_CONNECT, OPT_HELP, OPT_HOST_MEM, OPT_SWAP, OPT_SWAP_MAX };
    static const struct option longopts[] = {
        { "mem", required_argument, NULL, OPT_MEM },
        { "host-mem", required_argument, NULL, OPT_HOST_MEM },
        { "swap", required_argument, NULL, OPT_SWAP },
        { "swap-max", required_argument, NULL, OPT_SWAP_MAX },
        { "dir", required_argument, NULL, OPT_DIR },
        { "env", required_argument, NULL, OPT_ENV },
        { "cwd", required_argument, NULL, OPT_CWD },
        { "budget", required_argument, NULL, OPT_BUDGET },
        { "stats", no_argument, NULL, OPT_STATS },
        { "trace", required_argument, NULL, OPT_TRACE },
        { "no-jit", no_argument, NULL, OPT_NOJIT },
        { "depth", required_argument, NULL, OPT_DEPTH },
        { "nest-mode", required_argument, NULL, OPT_NEST },
        { "no-unroll", no_argument, NULL, OPT_NOUNROLL },
        { "argv0", required_argument, NULL, OPT_ARGV0 },
        { "stream-meta", no_argument, NULL, OPT_STREAM_META },
        { "listen", required_argument, NULL, OPT_LISTEN },
        { "connect", required_argument, NULL, OPT_CONNECT },
        { "help", no_argument, NULL, OPT_HELP },
        SESSION_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    struct mvm_config cfg = MVM_CONFIG_INIT;
    struct session sess = { 0 };
    const char **dirs = calloc((size_t)argc + 2, sizeof *dirs);
    char **envs = calloc((size_t)argc + 1, sizeof *envs);
    char **nets = calloc((size_t)argc + 1, sizeof *nets);   /* 'L' or 'C' + ADDR:PORT */
    const char *cwd = NULL;
    int ndirs = 0, nenvs = 0, nnets = 0, rc = 0;
    int depth = 1;
    const char *argv0 = NULL;
    char **nest_argv = NULL;
    mvm_vm *vm = NULL;
    int fd = -1;
    size_t size = 0;
    struct mvm_domain_config host = { 0 };   /* --host-mem, --swap */
    mvm_domain *dom = NULL;
    if (!dirs || !envs || !nets) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case OPT_MEM:
            if ((rc = mem_option(a, &cfg.mem_limit)) != 0)
                goto out;
            break;
        case OPT_HOST_MEM:
        case OPT_SWAP_MAX: {
            uint64_t *v = c == OPT_HOST_MEM ? &host.mem_limit : &host.swap_max;
            if ((*v = parse_size(a)) < MVM_MEM_MIN) {
                rc = usage_error(c == OPT_HOST_MEM ? "--host-mem %s: expected a size of at least 1M, like 256M or 2G"
                                                   : "--swap-max %s: expected a size of at least 1M, like 256M or 2G",
                                 a);
                goto out;
            }
            break;
        }
        case OPT_SWAP: host.swap_dir = a; break;
        case OPT_DIR: dirs[ndirs++] = a; break;
        case OPT_ENV:
            if (!strchr(a, '=') || a[0] == '=') {
                rc = usage_error("--env %s: expected KEY=VALUE", a);
                goto out;
            }
            envs[nenvs++] = (char *)a;
            break;
        case OPT_CWD: cwd = a; break;
        case OPT_LISTEN:
        case OPT_CONNECT: {
            char *g = malloc(strlen(a) + 2);
            if (!g) {
                rc = EXIT_INTERNAL;
                goto out;
            }
            g[0] = c == OPT_LISTEN ? 'L' : 'C';
            strcpy(g + 1, a);
            nets[nnets++] = g;
            break;
        }
        case OPT_BUDGET:
            if (!parse_count(a, &cfg.budget)) {
                rc = usage_error("--budget %s: expected a positive number of instructions", a);
                goto out;
            }
            break;
        case OPT_STATS: sess.stats = true; break;
        case OPT_SNAPSHOT:
        case OPT_SNAPSHOT_AT:
        case OPT_SUSPEND:
        case OPT_SNAPSHOT_RAW:
        case OPT_MIGRATE_TO:
        case OPT_MIGRATE_AT:
        case OPT_NAME:
            if ((rc = session_option(&sess, c, a)) != 0)
                goto out;
            break;
        case OPT_NOJIT: cfg.flags |= MVM_NO_JIT; break;
        case OPT_NOUNROLL: cfg.flags |= MVM_NO_UNROLL; break;
        case OPT_STREAM_META: cfg.flags |= MVM_STREAM_META; break;
        case OPT_ARGV0: argv0 = a; break;
        case OPT_DEPTH: {
            char *end;
            errno = 0;
            long v = strtol(a, &end, 10);
            if (errno || *end || end == a || v < 1 || v > MVM_MAX_DEPTH) {
                rc = usage_error("--depth %s: expected a depth from 1 to " STR(MVM_MAX_DEPTH), a);
                goto out;
            }
            depth = (int)v;
            break;
        }
        case OPT_NEST:
            if ((rc = nest_mode_option(a, &cfg.nest_mode)) != 0)
                goto out;
            break;
        case OPT_TRACE:
            if ((rc = trace_option(a, &cfg.flags)) != 0)
                goto out;
            break;
        case OPT_HELP:
            fputs(usage_text, stdout);
            goto out;
        case ':':
            rc = usage_error("option %s needs an argument", argv[optind - 1]);
            goto out;
        default:
            if (optopt) {
                char opt_name[3] = { '-', (char)optopt, 0 };
                rc = usage_error("unknown option %s", opt_name);
            } else {
                rc = usage_error("unknown option %s", argv[optind - 1]);
            }
            goto out;
        }
    }
    if (optind >= argc) {
        rc = usage_error("%s: no program given", "run");
        goto out;
    }
    const char *path = argv[optind];
    int prog_argc = argc - optind;
    char **prog_argv = argv + optind;
    int prog_envc = nenvs;
    if (depth > 1) {
        /* Run the monitor's own RV64 build, which runs the rest. */
        rc = nest_command(argv[-1], depth, dirs, ndirs, envs, nenvs, nets, nnets, cwd, &cfg, argv0,
                          prog_argc, prog_argv, &nest_argv, &prog_argc, dirs + ndirs);
        if (rc != 0)
            goto out;
        ndirs += 2;
        prog_argv = nest_argv;
        path = nest_argv[0];
        prog_envc = 0;
        cwd = NULL;
    }
    if ((rc = open_program(path, &fd, &size)) != 0 || (rc = session_prepare(&sess)) != 0 ||
        (rc = host_domain(&host, &dom)) != 0)
        goto out;
    cfg.domain = dom;
    if (dom)
        mem_knobs = host.swap_dir ? "--mem, --host-mem or --swap-max" : "--mem or --host-mem, or give --swap";
    int r = mvm_vm_create(&cfg, &vm);
    if (r != 0) {
        fprintf(stderr, "mvm: cannot create the VM: %s\n", mvm_strerror(r));
        rc = EXIT_INTERNAL;
        goto out;
    }
    for (int i = 0; i < ndirs; i++)
        if ((rc = add_dir(vm, dirs[i], depth > 1 && i >= ndirs - 2)) != 0)
            goto out;
    for (int i = 0; i < nnets; i++) {
        r = mvm_vm_allow_net(vm, nets[i][0] == 'L' ? MVM_NET_LISTEN : MVM_NET_CONNECT, nets[i] + 1);
        if (r < 0) {
            fprintf(stderr, "mvm: --%s %s: %s\n", nets[i][0] == 'L' ? "listen" : "connect", nets[i] + 1,
                    r == -MVM_EINVAL ? "expected ADDR:PORT with a numeric IPv4 address, [IPv6] or localhost"
                                     : mvm_strerror(r));
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (cwd) {
        r = mvm_vm_set_cwd(vm, cwd);
        if (r < 0) {
            fprintf(stderr, "mvm: --cwd %s: %s\n", cwd, strerror(-r));
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (argv0 && depth == 1)
        prog_argv[0] = (char *)argv0;   /* the name the guest sees as argv[0] */
    /* By path: a monitor inside another has the one above load it,
     * reading nothing itself (docs/design.md, "Program images"). */
    close(fd);
    fd = -1;
    r = mvm_vm_load_elf_path(vm, path, prog_argc, prog_argv, prog_envc, envs);
    if (r != 0) {
        fprintf(stderr, "mvm: %s: %s\n", path,
                r == -MVM_ENOEXEC || r == -MVM_EIO ? mvm_vm_error(vm) : mvm_strerror(r));
        rc = r == -MVM_ENOEXEC ? EXIT_NOEXEC : r == -MVM_EIO ? EXIT_NOTFOUND : EXIT_INTERNAL;
        goto out;
    }
    rc = session_run(&sess, vm);
    if (sess.stats && dom)
        print_host_stats(dom, &host);
out:
    if (fd >= 0)
        close(fd);
    mvm_vm_destroy(vm);
    mvm_domain_free(dom);
    free_nest_command(nest_argv);
    free(dirs);
    free(envs);
    for (int i = 0; nets && i < nnets; i++)
        free(nets[i]);
    free(nets);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "no command given");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    /* Profiling: compiled code named for perf (docs/cli.md, "Environment"). */
    const char *perf = getenv("MVM_PERF_MAP");
    if (perf && *perf && mvm_perf_map_open() != 0) {
        fprintf(stderr, "mvm: MVM_PERF_MAP: cannot write /tmp/perf-%ld.map: %s\n", (long)getpid(), strerror(errno));
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mvm %s (Matryoshka; RV64GC guests; %s-endian host)\n", MVM_VERSION,
               HOST_BIG_ENDIAN ? "big" : "little");
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "restore") == 0)
        return cmd_restore(argc - 1, argv + 1);
    if (strcmp(argv[1], "listen") == 0)
        return cmd_listen(argc - 1, argv + 1);
    if (strcmp(argv[1], "clone") == 0)
        return cmd_clone(argc - 1, argv + 1);
    if (strcmp(argv[1], "fleet") == 0)
        return cmd_fleet(argc - 1, argv + 1);
    if (strcmp(argv[1], "top") == 0)
        return cmd_top(argc - 1, argv + 1);
    if (strcmp(argv[1], "boot") == 0)
        return cmd_boot(argc - 1, argv + 1);
    static const char *const control[] = { "ps", "stats", "snapshot", "migrate", "pause", "resume", "kill", "balloon",
                                           "control" };
    for (size_t i = 0; i < sizeof control / sizeof control[0]; i++)
        if (strcmp(argv[1], control[i]) == 0)
            return cmd_control(argc - 1, argv + 1);
    return usage_error("unknown command '%s'", argv[1]);
}
