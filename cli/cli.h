/*
 * cli.h — what the mvm command's files share: exit statuses, messages,
 * and the run session (cli/session.c) that `mvm run` and `mvm restore`
 * both drive: budgets, snapshots on request, the final report.
 */
#ifndef MVM_CLI_H
#define MVM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "mvm.h"

/* Exit statuses of the monitor itself (docs/cli.md, "Exit statuses"). */
#define EXIT_SUSPENDED 120   /* --suspend: the VM was saved and stopped */
#define EXIT_RESTORE_ENV 121 /* restore: something the snapshot needs is missing here */
#define EXIT_BAD_SNAPSHOT 122/* restore: not a snapshot, corrupt, truncated, newer */
#define EXIT_INTERNAL 123
#define EXIT_BUDGET 124
#define EXIT_USAGE 125
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

#define STR_(x) #x
#define STR(x) STR_(x)

/* "mvm: <fmt with arg> (see mvm --help)"; returns EXIT_USAGE. */
int usage_error(const char *fmt, const char *arg);
/* "64M" -> bytes; 0 on a malformed or out-of-range size. */
uint64_t parse_size(const char *s);
/* --mem SIZE and --trace=syscalls,insns: 0, or an exit status with the
 * message printed. */
int mem_option(const char *a, uint64_t *limit);
int trace_option(const char *a, unsigned *flags);
/* --nest-mode=MODE: 0, or EXIT_USAGE with the message printed; and the
 * option that gives a nested level the same mode. */
int nest_mode_option(const char *a, unsigned *mode);
const char *nest_mode_flag(unsigned mode);
/* A positive count ("--budget N"); false if malformed. */
bool parse_count(const char *s, int64_t *out);
/* --dir HOST[:GUEST][:ro]: 0, or EXIT_USAGE with the message printed;
 * host and guest point into buf, which the caller frees. */
struct dir_spec {
    char *buf;
    const char *host, *guest;
    bool ro;
};
int dir_spec_parse(const char *spec, struct dir_spec *d);
/* The one line that says why a guest did not simply exit. */
void report_exit(const struct mvm_exit *ex);
/* Its memory-limit, lost-memory and fault lines alone, after "mvm: " and
 * who (a VM's name); mem_knob names the setting that raises the limit. */
void report_fault(const char *who, const char *mem_knob, const struct mvm_exit *ex);
/* The status mvm exits with for a run that ended so. */
int exit_status(const struct mvm_exit *ex);
void print_stats(mvm_vm *vm, double seconds);
void print_jit_stats(const struct mvm_stats *st);

/* How a VM is run to its end (cli/session.c). */
struct session {
    const char *snap_file;   /* --snapshot: where snapshots go (SIGUSR1 takes one) */
    const char *migrate_to;  /* --migrate-to: where the VM moves (at SIGUSR1 or --migrate-at) */
    int64_t snap_at;         /* --snapshot-at, --migrate-at: when the VM has retired this many (0: no) */
    int64_t left;            /* (session_run) the VM's budget: 0 unlimited, -1 spent */
    bool suspend;            /* --suspend: a snapshot written ends the run */
    bool raw;                /* --snapshot-uncompressed */
    bool at_is_migrate;      /* snap_at came from --migrate-at */
    bool stats;
    double restore_ms;       /* mvm restore: what restoring took (--stats says) */
    const char *name;        /* --name: the VM's control socket (cli/control.c) */
    struct control *control;
    /* The last migration: why it failed, or what it cost. */
    char why[256];
    double total_ms, down_ms, sent_mib;
};
/* What a request left to do: go on running the VM, or stop (*rc set). */
enum { GO_ON, DONE };
/* A snapshot to path now (the VM between runs): 0 or -MVM_E* (mvm_vm_error says why). */
int session_snapshot(struct session *s, mvm_vm *vm, const char *path, bool raw);
/* A migration to s->migrate_to now: DONE with *rc 120 once the VM runs
 * there (s->total_ms, down_ms, sent_mib), or with the VM's own end; GO_ON
 * with s->why if it failed (the VM goes on here). */
int session_migrate(struct session *s, mvm_vm *vm, int *rc);

/*
 * The control socket of a VM with a name (cli/control.c; docs/control.md):
 * control_open makes it and serves it on a thread of its own (0, or an
 * exit status with the message printed); a request makes the VM's run
 * end (mvm_vm_interrupt), and the session serves it between runs
 * (control_pending, control_serve: GO_ON or DONE with *rc).
 * control_close answers what is left that the VM has ended, and removes
 * the socket (NULL is fine).
 */
struct control;
int control_open(struct control **out, const char *name, mvm_vm *vm);
/* Whether name may name a control socket (1 to 64 letters, digits, '.',
 * '_' or '-', not starting with a dot). */
bool control_name_ok(const char *name);
bool control_pending(struct control *c);
int control_serve(struct control *c, struct session *s, mvm_vm *vm, int *rc);
void control_close(struct control *c);
/* The control socket of a fleet (mvm fleet --name): its VMs by their
 * manifest names, each index that of the VM in run; requests are served
 * on the socket's thread. The arrays must outlive control_close. */
struct control_fleet {
    mvm_fleet *run;
    int n;
    const char *const *names;
    mvm_vm *const *vms;
};
int control_open_fleet(struct control **out, const char *name, const struct control_fleet *fleet);
/* One VM as mvm ps and mvm top show it. */
struct vm_row {
    char key[256];          /* SOCKET, SOCKET/VM, .../#N: one VM's, for as long as it lives */
    char name[80];          /* what is shown */
    int level;              /* 0: a socket's VM or fleet; +1 under a fleet or a VM's guest */
    bool fleet;             /* a fleet's own line (its VMs follow) */
    char state[12];
    long long pid, depth, instructions, resident, shared, swapped, ballooned;
};
/* Every VM that answers in the runtime directory (or those of the nnames
 * sockets named), each followed by its own: how many (*out freed by the
 * caller), or -1 with the message printed. */
int control_rows(char *const *names, int nnames, struct vm_row **out);
/* mvm ps, stats, snapshot, migrate, pause, resume, kill, control. */
int cmd_control(int argc, char **argv);
/* mvm top: the VMs that control_rows finds, refreshed (cli/top.c). */
int cmd_top(int argc, char **argv);
/* The options every command that runs a VM takes; session_option parses
 * one (0, or an exit status with the message printed). */
enum { OPT_SNAPSHOT = 0x100, OPT_SNAPSHOT_AT, OPT_SUSPEND, OPT_SNAPSHOT_RAW, OPT_MIGRATE_TO, OPT_MIGRATE_AT,
       OPT_NAME };
#define SESSION_LONGOPTS \
    { "snapshot", required_argument, NULL, OPT_SNAPSHOT }, \
    { "snapshot-at", required_argument, NULL, OPT_SNAPSHOT_AT }, \
    { "suspend", no_argument, NULL, OPT_SUSPEND }, \
    { "snapshot-uncompressed", no_argument, NULL, OPT_SNAPSHOT_RAW }, \
    { "migrate-to", required_argument, NULL, OPT_MIGRATE_TO }, \
    { "migrate-at", required_argument, NULL, OPT_MIGRATE_AT }, \
    { "name", required_argument, NULL, OPT_NAME }
#define SESSION_USAGE \
    "  --name NAME             serve a control socket for the VM: mvm ps, stats,\n" \
    "                          snapshot, migrate, pause, resume, kill NAME\n" \
    "  --snapshot FILE         save the VM to FILE when mvm gets SIGUSR1 (and at\n" \
    "                          --snapshot-at); the VM goes on unless --suspend\n" \
    "  --snapshot-at N         save it when it has run exactly N instructions in all\n" \
    "  --suspend               end the run once a snapshot is written (exit 120);\n" \
    "                          `mvm restore FILE` goes on from there\n" \
    "  --snapshot-uncompressed do not compress it (for a monitor built without zstd)\n" \
    "  --migrate-to HOST:PORT  move the running VM to the monitor listening there\n" \
    "                          (mvm listen) when mvm gets SIGUSR1, or at:\n" \
    "  --migrate-at N          when it has run exactly N instructions; mvm exits\n" \
    "                          120 once it runs there, else it goes on here\n"
int session_option(struct session *s, int opt, const char *arg);
/* Checks the options together, and arms SIGUSR1 when snapshots are asked
 * for: call before the VM is created (its threads inherit the mask). */
int session_prepare(struct session *s);
/* Runs vm to its end, taking the snapshots asked for; returns mvm's exit
 * status (the guest's, 124, 120, ...), having printed why. */
int session_run(struct session *s, mvm_vm *vm);

/* The grants --dir, --listen, --connect give restore, listen and clone
 * (grants_new: room for argc of them; grants_add: 0 or an exit status). */
struct grants {
    struct mvm_grant *g;
    struct dir_spec *dirs;
    int n, ndirs;
};
int grants_new(struct grants *g, int argc);
int grants_add(struct grants *g, int kind, const char *a);
void grants_free(struct grants *g);
/* A restore, receive or clone that failed: prints err, returns the exit
 * status (stream: what failed came over a connection). */
int restore_failed(int r, const char *err, bool stream);

/* mvm restore FILE, mvm listen ADDR. */
int cmd_restore(int argc, char **argv);
int cmd_listen(int argc, char **argv);
/* mvm clone -n N FILE (cli/clone.c). */
int cmd_clone(int argc, char **argv);
/* mvm boot (cli/boot.c): system mode. */
int cmd_boot(int argc, char **argv);
/* A board (cli/boot.c): its run on the console (the terminal raw
 * meanwhile), and how its end is told. */
struct session;
int boot_session(struct session *sess, mvm_vm *vm);
void report_board_exit(const struct mvm_exit *ex, mvm_vm *vm);
int board_exit_status(const struct mvm_exit *ex);
void print_board_stats(mvm_vm *vm, double seconds, const struct mvm_exit *ex);
/* `mvm run` (argv[-1] is the monitor's own path, for --depth). */
int cmd_run(int argc, char **argv);
/* The monitor's RV64 build beside self (or $MVM_IMAGE), malloc'd; NULL if
 * there is none. */
char *find_image(const char *self);
/* mvm fleet FILE (cli/fleet.c): many VMs in one monitor, sharing it fairly. */
int cmd_fleet(int argc, char **argv);
/* A guest program's bytes (freed by the caller): 0, or an exit status
 * with the message printed. */
int open_program(const char *path, int *fd, size_t *size);
int read_program(const char *path, uint8_t **data, size_t *size);
void free_program(uint8_t *data, size_t size);

#endif
