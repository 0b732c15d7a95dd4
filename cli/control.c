/*
 * control.c — the control socket of a running VM (docs/control.md) and
 * the commands that use it: mvm ps, stats, snapshot, migrate, pause,
 * resume, kill, control.
 *
 * `mvm run|restore|listen --name NAME` serves a Unix socket, NAME.sock in
 * the user's runtime directory (MVM_RUNTIME_DIR, else
 * $XDG_RUNTIME_DIR/mvm, else /tmp/mvm-UID; mode 0700, the socket 0600:
 * only the user who started the VM can reach it, and connections from
 * other users are refused as well). A request is one line of JSON, an
 * object with "cmd"; the answer is one line of JSON with "ok" (and
 * "error" when false). One request per connection.
 *
 * A thread accepts and parses; a well-formed request is handed to the
 * session, which serves it between two runs of the VM (the thread ends
 * the current run with mvm_vm_interrupt), so that nothing reads or saves
 * the VM while its harts run. While paused, the session waits here for
 * the next request. Bad requests (not JSON, not an object, an unknown
 * command, a line over 64 KiB) are answered by the thread and change
 * nothing.
 *
 * `mvm fleet --name NAME` serves one socket for all its VMs, named in a
 * request's "vm": the thread serves those requests itself, through
 * libmvm's fleet calls, which read a VM only between its turns. ps and
 * top (cli/top.c) list fleets with their VMs, and the VMs a guest made
 * under its VM (control_rows).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "host/host.h"
#include "host/thread.h"
#include "host/unix.h"

#ifndef MVM_HAVE_JANSSON
#define MVM_HAVE_JANSSON 0
#endif

#define LINE_MAX_BYTES (64u << 10)
#define NAME_MAX_BYTES 64

#if MVM_HAVE_JANSSON
#include <jansson.h>

/* The runtime directory, made private if missing: 0 or -errno. */
static int runtime_dir(char *out, size_t size)
{
    const char *env = getenv("MVM_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
    if (env && *env)
        snprintf(out, size, "%s", env);
    else if (xdg && *xdg)
        snprintf(out, size, "%s/mvm", xdg);
    else
        snprintf(out, size, "/tmp/mvm-%lu", (unsigned long)geteuid());
    return host_private_dir(out);
}

/* A name is 1 to 64 of [A-Za-z0-9._-], not starting with a dot. */
bool control_name_ok(const char *n)
{
    size_t len = strlen(n);
    if (!len || len > NAME_MAX_BYTES || n[0] == '.')
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

static int socket_path(const char *name, char *out, size_t size)
{
    char dir[PATH_MAX];
    int r = runtime_dir(dir, sizeof dir);
    if (r < 0)
        return r;
    if ((size_t)snprintf(out, size, "%s/%s.sock", dir, name) >= size)
        return -ENAMETOOLONG;
    return 0;
}

/* ------------------------------------------------------------ serving */

struct control {
    char path[PATH_MAX];
    char name[NAME_MAX_BYTES + 1];
    int lfd;
    mvm_vm *vm;
    const struct control_fleet *fleet;  /* a fleet's socket: served by the thread */
    struct host_thread *thread;
    struct host_mutex *mu;
    struct host_cond *cv;
    /* (mu) the request the session is to serve, and its answer */
    json_t *req;
    char *reply;
    bool quit, ended;
    uint64_t started_ns;
};

static char *answer(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static char *refuse(const char *why)
{
    return answer(json_pack("{s:b, s:s}", "ok", 0, "error", why));
}

/* The answer and its newline; a client that went away is no matter. */
static void send_line(int fd, char *s)
{
    const char *msg = s ? s : "{\"ok\":false,\"error\":\"out of memory\"}";
    if (host_send_all(fd, msg, strlen(msg)) == 0)
        host_send_all(fd, "\n", 1);
    free(s);
}

/* The commands a socket knows: `list`, the last, is a fleet's alone. */
static const char *const commands[] = { "info", "stats", "snapshot", "migrate", "pause", "resume", "kill", "balloon",
                                        "list" };

/* The request on fd, checked; NULL with *why for a bad one. */
static json_t *read_request(const struct control *c, int fd, char *line, const char **why)
{
    long n = host_read_line(fd, line, LINE_MAX_BYTES, 5000);
    if (n <= 0) {
        *why = n == -EMSGSIZE ? "request too long (64 KiB at most)" : n == 0 ? "empty request" : "no request";
        return NULL;
    }
    json_error_t e;
    json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, &e);
    const char *cmd = req ? json_string_value(json_object_get(req, "cmd")) : NULL;
    bool known = false;
    size_t ncmds = sizeof commands / sizeof commands[0] - (c->fleet ? 0 : 1);
    for (size_t i = 0; cmd && i < ncmds; i++)
        known |= strcmp(cmd, commands[i]) == 0;
    if (!req)
        *why = "malformed JSON";
    else if (!json_is_object(req))
        *why = "a request is a JSON object";
    else if (!cmd)
        *why = "the request has no \"cmd\"";
    else if (!known)
        *why = "unknown command";
    else if (!c->fleet && json_object_get(req, "vm"))
        *why = "this is a single VM, not a fleet: no \"vm\" to name";   /* kill NAME/VM must not kill NAME */
    else
        return req;
    json_decref(req);
    return NULL;
}

static char *fleet_serve(struct control *c, json_t *req);

/* A single VM's request, handed to the session, which answers between
 * runs. */
static char *hand_over(struct control *c, json_t *req)
{
    host_mutex_lock(c->mu);
    while (c->req && !c->ended)
        host_cond_wait(c->cv, c->mu);
    char *reply = NULL;
    if (c->ended) {
        reply = refuse("the VM has ended");
        json_decref(req);
    } else {
        c->req = req;
        c->reply = NULL;
        host_cond_broadcast(c->cv);     /* a paused session waits for it */
        mvm_vm_interrupt(c->vm);
        while (!c->reply && !c->ended)
            host_cond_wait(c->cv, c->mu);
        reply = c->reply ? c->reply : refuse("the VM has ended");
        c->reply = NULL;
        if (c->req == req) {    /* ended before it was served */
            json_decref(req);
            c->req = NULL;
        }
        host_cond_broadcast(c->cv);
    }
    host_mutex_unlock(c->mu);
    return reply;
}

static void serve_thread(void *arg)
{
    struct control *c = arg;
    char *line = malloc(LINE_MAX_BYTES);
    for (;;) {
        host_mutex_lock(c->mu);
        bool quit = c->quit;
        host_mutex_unlock(c->mu);
        if (quit || !line)
            break;
        int fd = host_unix_accept(c->lfd, 200);
        if (fd < 0)
            continue;
        const char *why = NULL;
        json_t *req = read_request(c, fd, line, &why);
        char *reply;
        if (!req) {
            reply = refuse(why);
        } else if (c->fleet) {
            reply = fleet_serve(c, req);   /* libmvm's fleet calls are safe from here */
            json_decref(req);
        } else {
            reply = hand_over(c, req);
        }
        send_line(fd, reply);
        close(fd);
    }
    free(line);
}

/* The socket NAME.sock served on a thread of its own: 0, or an exit
 * status with the message printed. */
static int open_socket(struct control **out, const char *name, mvm_vm *vm, const struct control_fleet *fleet)
{
    *out = NULL;
    if (!control_name_ok(name))
        return usage_error("--name %s: a name is 1 to 64 letters, digits, '.', '_' or '-'", name);
    struct control *c = calloc(1, sizeof *c);
    if (!c)
        return EXIT_INTERNAL;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->vm = vm;
    c->fleet = fleet;
    c->lfd = -1;
    c->started_ns = host_time_monotonic_raw_ns(host_time_monotonic_ns());
    int r = socket_path(name, c->path, sizeof c->path);
    if (r == 0 && (c->lfd = host_unix_listen(c->path)) < 0)
        r = c->lfd;
    if (r < 0) {
        fprintf(stderr, "mvm: --name %s: %s\n", name,
                r == -EADDRINUSE ? "a running VM has that name" : r == -EPERM ? "the runtime directory is not private"
                : strerror(-r));
        free(c);
        return r == -EADDRINUSE ? EXIT_USAGE : EXIT_INTERNAL;
    }
    c->mu = host_mutex_new();
    c->cv = host_cond_new();
    if (!c->mu || !c->cv || !(c->thread = host_thread_start(serve_thread, c))) {
        close(c->lfd);
        unlink(c->path);
        host_mutex_free(c->mu);
        host_cond_free(c->cv);
        free(c);
        fprintf(stderr, "mvm: --name %s: cannot serve the control socket\n", name);
        return EXIT_INTERNAL;
    }
    *out = c;
    return 0;
}

int control_open(struct control **out, const char *name, mvm_vm *vm)
{
    return open_socket(out, name, vm, NULL);
}

int control_open_fleet(struct control **out, const char *name, const struct control_fleet *fleet)
{
    return open_socket(out, name, NULL, fleet);
}

bool control_pending(struct control *c)
{
    host_mutex_lock(c->mu);
    bool r = c->req != NULL;
    host_mutex_unlock(c->mu);
    return r;
}

static double uptime_s(const struct control *c)
{
    return (double)(host_time_monotonic_raw_ns(host_time_monotonic_ns()) - c->started_ns) / 1e9;
}

/* A VM's info (all: its statistics too), without "ok". */
static json_t *stats_json(const struct control *c, const char *name, const struct mvm_stats *st, const char *state,
                          int depth, bool all)
{
    json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:i, s:f}", "name", name, "pid", (json_int_t)getpid(),
                          "state", state, "instructions", (json_int_t)st->instructions,
                          "resident_bytes", (json_int_t)st->resident_bytes, "shared_bytes",
                          (json_int_t)st->shared_bytes, "depth", depth, "uptime_s", uptime_s(c));
    if (o) {
        json_object_set_new(o, "swapped_bytes", json_integer((json_int_t)st->swapped_bytes));
        json_object_set_new(o, "ballooned_bytes", json_integer((json_int_t)st->ballooned_bytes));
    }
    if (o && all) {
        json_object_set_new(o, "balloon_target_bytes", json_integer((json_int_t)st->balloon_target_bytes));
        json_object_set_new(o, "syscalls", json_integer((json_int_t)st->syscalls));
        json_object_set_new(o, "children_instructions", json_integer((json_int_t)st->children_instructions));
        json_object_set_new(o, "blocks_decoded", json_integer((json_int_t)st->blocks_decoded));
        json_object_set_new(o, "blocks_compiled", json_integer((json_int_t)st->blocks_compiled));
        json_object_set_new(o, "code_flushes", json_integer((json_int_t)st->code_flushes));
        json_object_set_new(o, "tlb_misses", json_integer((json_int_t)st->tlb_misses));
        json_object_set_new(o, "peak_bytes", json_integer((json_int_t)st->peak_bytes));
        json_object_set_new(o, "zero_fills", json_integer((json_int_t)st->zero_fills));
        json_object_set_new(o, "cow_copies", json_integer((json_int_t)st->cow_copies));
    }
    return o;
}

#define CHILDREN_SHOWN 64       /* a guest's handle table holds no more */

/* The VMs vm's guest made, and theirs, as an array of their infos: named
 * #1, #2, ... in the order of their handles, in their parent's state. vm
 * is between runs (its guest changes them while it runs). */
static json_t *children_json(const struct control *c, const mvm_vm *vm, const char *state, int depth)
{
    mvm_vm *kids[CHILDREN_SHOWN];
    int n = mvm_vm_children(vm, kids, CHILDREN_SHOWN);
    json_t *a = json_array();
    for (int i = 0; a && i < n && i < CHILDREN_SHOWN; i++) {
        struct mvm_stats st;
        char name[16];
        mvm_vm_stats(kids[i], &st);
        snprintf(name, sizeof name, "#%d", i + 1);
        json_t *o = stats_json(c, name, &st, state, depth, false);
        if (o && depth < MVM_MAX_DEPTH)
            json_object_set_new(o, "children", children_json(c, kids[i], state, depth + 1));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *ok(json_t *o)
{
    if (o)
        json_object_set_new(o, "ok", json_true());
    return o;
}

/* {"cmd":"balloon","bytes":N}: asks vm's balloon to hold N bytes
 * (docs/balloon.md); the answer says what it asks and what it holds. */
static char *balloon(json_t *req, mvm_vm *vm)
{
    json_t *b = json_object_get(req, "bytes");
    if (!json_is_integer(b) || json_integer_value(b) < 0)
        return refuse("balloon needs \"bytes\", a number of bytes, 0 or more");
    uint64_t target = 0, held = 0;
    int r = mvm_vm_balloon_set(vm, (uint64_t)json_integer_value(b));
    if (r == 0)
        r = mvm_vm_balloon_get(vm, &target, &held);
    if (r != 0)
        return refuse(mvm_strerror(r));
    return answer(json_pack("{s:b, s:I, s:I}", "ok", 1, "balloon_target_bytes", (json_int_t)target,
                            "ballooned_bytes", (json_int_t)held));
}

/* The VM's answer to info or stats (between runs). */
static json_t *stats_of(struct control *c, mvm_vm *vm, bool all, bool paused)
{
    struct mvm_stats st;
    mvm_vm_stats(vm, &st);
    const char *state = paused ? "paused" : "running";
    json_t *o = stats_json(c, c->name, &st, state, 1, all);
    if (o)
        json_object_set_new(o, "children", children_json(c, vm, state, 2));
    return ok(o);
}

/* One request, the VM between runs: its answer, and what it leaves to do. */
static char *serve_one(struct control *c, json_t *req, struct session *s, mvm_vm *vm, bool *paused, int *act,
                       int *rc)
{
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    *act = GO_ON;
    if (strcmp(cmd, "info") == 0 || strcmp(cmd, "stats") == 0)
        return answer(stats_of(c, vm, cmd[0] == 's', *paused));
    if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
        *paused = cmd[0] == 'p';
        return answer(json_pack("{s:b, s:s}", "ok", 1, "state", *paused ? "paused" : "running"));
    }
    if (strcmp(cmd, "balloon") == 0)
        return balloon(req, vm);
    if (strcmp(cmd, "kill") == 0) {
        fprintf(stderr, "mvm: killed by a request on its control socket\n");
        *rc = 128 + 9;      /* as if by SIGKILL */
        *act = DONE;
        return answer(json_pack("{s:b}", "ok", 1));
    }
    if (strcmp(cmd, "snapshot") == 0) {
        const char *path = json_string_value(json_object_get(req, "path"));
        json_t *sus = json_object_get(req, "suspend"), *raw = json_object_get(req, "uncompressed");
        if (!path || path[0] != '/' || (sus && !json_is_boolean(sus)) || (raw && !json_is_boolean(raw)))
            return refuse("snapshot needs \"path\" (absolute), and \"suspend\", \"uncompressed\" are booleans");
        int r = session_snapshot(s, vm, path, json_is_true(raw));
        if (r != 0) {
            const char *why = mvm_vm_error(vm);
            return refuse(why[0] ? why : mvm_strerror(r));
        }
        if (json_is_true(sus)) {
            *rc = EXIT_SUSPENDED;
            *act = DONE;
        }
        return answer(json_pack("{s:b, s:s}", "ok", 1, "path", path));
    }
    /* migrate */
    const char *to = json_string_value(json_object_get(req, "to"));
    if (!to || strlen(to) > 200)
        return refuse("migrate needs \"to\": \"HOST:PORT\"");
    const char *saved = s->migrate_to;
    s->migrate_to = to;
    *act = session_migrate(s, vm, rc);
    s->migrate_to = saved;
    if (*act == DONE && *rc == EXIT_SUSPENDED)
        return answer(json_pack("{s:b, s:s, s:f, s:f, s:f}", "ok", 1, "to", to, "total_ms", s->total_ms,
                                "downtime_ms", s->down_ms, "sent_mib", s->sent_mib));
    return refuse(s->why[0] ? s->why : "the migration failed");
}

int control_serve(struct control *c, struct session *s, mvm_vm *vm, int *rc)
{
    bool paused = false;
    int act = GO_ON;
    host_mutex_lock(c->mu);
    for (;;) {
        json_t *req = c->req;
        if (req) {
            host_mutex_unlock(c->mu);
            char *reply = serve_one(c, req, s, vm, &paused, &act, rc);
            host_mutex_lock(c->mu);
            json_decref(req);
            c->req = NULL;
            c->reply = reply ? reply : refuse("out of memory");
            host_cond_broadcast(c->cv);
        }
        if (!paused || act == DONE)
            break;
        /* Paused: the VM stays stopped until resume or kill. */
        while (!c->req)
            host_cond_wait(c->cv, c->mu);
    }
    host_mutex_unlock(c->mu);
    return act;
}

void control_close(struct control *c)
{
    if (!c)
        return;
    host_mutex_lock(c->mu);
    c->quit = c->ended = true;
    host_cond_broadcast(c->cv);
    host_mutex_unlock(c->mu);
    host_thread_join(c->thread);
    close(c->lfd);
    unlink(c->path);
    host_mutex_free(c->mu);
    host_cond_free(c->cv);
    free(c);
}

/* ------------------------------------------------------------ fleets */

/* enum mvm_fleet_state's names. */
static const char *const fleet_states[] = { "?", "ready", "running", "paused", "done" };

/* Fleet VM i's info (all: its statistics; tree: the VMs its guest made),
 * read while libmvm holds it between turns. */
static json_t *fleet_vm_json(struct control *c, int i, bool all, bool tree)
{
    const struct control_fleet *fl = c->fleet;
    struct mvm_fleet_member fm;
    struct mvm_stats st;
    if (mvm_fleet_hold(fl->run, i, &fm) != 0)
        return NULL;
    mvm_vm_stats(fl->vms[i], &st);
    const char *state = fleet_states[fm.state >= MVM_FLEET_READY && fm.state <= MVM_FLEET_DONE ? fm.state : 0];
    json_t *o = stats_json(c, fl->names[i], &st, state, 1, all);
    if (o) {
        json_object_set_new(o, "weight", json_integer(fm.weight));
        json_object_set_new(o, "turns", json_integer((json_int_t)fm.turns));
        if (tree)
            json_object_set_new(o, "children", children_json(c, fl->vms[i], state, 2));
    }
    mvm_fleet_release(fl->run, i);
    return o;
}

/* The whole fleet: what info and stats answer without "vm". */
static json_t *fleet_json(struct control *c)
{
    struct mvm_fleet_config cfg;
    uint64_t used;
    mvm_fleet_info(c->fleet->run, &cfg, &used);
    int live = 0;
    for (int i = 0; i < c->fleet->n; i++) {
        struct mvm_exit ex;
        live += mvm_fleet_result(c->fleet->run, i, &ex, NULL) != 0;
    }
    return json_pack("{s:b, s:s, s:I, s:b, s:s, s:i, s:i, s:i, s:I, s:f}", "ok", 1, "name", c->name,
                     "pid", (json_int_t)getpid(), "fleet", 1, "state", live ? "running" : "done", "vms", c->fleet->n,
                     "live", live, "threads", cfg.threads, "instructions", (json_int_t)used, "uptime_s", uptime_s(c));
}

static char *fleet_list(struct control *c)
{
    json_t *a = json_array();
    for (int i = 0; a && i < c->fleet->n; i++)
        json_array_append_new(a, fleet_vm_json(c, i, false, true));
    return answer(json_pack("{s:b, s:s, s:o}", "ok", 1, "name", c->name, "vms", a));
}

/* A request to a fleet's socket, served here: libmvm's fleet calls may
 * be made from any thread, and never read a VM while it runs. */
static char *fleet_serve(struct control *c, json_t *req)
{
    const struct control_fleet *fl = c->fleet;
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    json_t *jvm = json_object_get(req, "vm");
    const char *vm = json_string_value(jvm);
    char why[200];
    if (jvm && !vm)
        return refuse("\"vm\" is the name of one of the fleet's VMs, a string");
    int i = 0;
    while (vm && i < fl->n && strcmp(fl->names[i], vm) != 0)
        i++;
    if (vm && i == fl->n) {
        snprintf(why, sizeof why, "no VM %.100s in this fleet", vm);
        return refuse(why);
    }
    if (strcmp(cmd, "list") == 0)
        return fleet_list(c);
    if (strcmp(cmd, "snapshot") == 0 || strcmp(cmd, "migrate") == 0) {
        snprintf(why, sizeof why, "%s: not for fleet VMs yet", cmd);
        return refuse(why);
    }
    if (strcmp(cmd, "info") == 0 || strcmp(cmd, "stats") == 0)
        return answer(vm ? ok(fleet_vm_json(c, i, cmd[0] == 's', true)) : fleet_json(c));
    if (!vm) {
        snprintf(why, sizeof why, "%s: name one of the fleet's VMs (\"vm\")", cmd);
        return refuse(why);
    }
    if (strcmp(cmd, "balloon") == 0)   /* any time, from any thread */
        return balloon(req, fl->vms[i]);
    int r = strcmp(cmd, "pause") == 0 ? mvm_fleet_pause(fl->run, i)
          : strcmp(cmd, "resume") == 0 ? mvm_fleet_resume(fl->run, i) : mvm_fleet_kill(fl->run, i);
    if (r == -MVM_EBUSY) {
        snprintf(why, sizeof why, "VM %.100s has ended", vm);
        return refuse(why);
    }
    if (r != 0)
        return refuse(mvm_strerror(r));
    if (cmd[0] == 'k')
        return answer(json_pack("{s:b, s:s}", "ok", 1, "vm", vm));
    return answer(json_pack("{s:b, s:s, s:s}", "ok", 1, "vm", vm, "state", cmd[0] == 'p' ? "paused" : "running"));
}

/* ------------------------------------------------------------ asking */

static const char control_usage[] =
    "usage: mvm ps\n"
    "       mvm stats NAME|FLEET/VM [--json]\n"
    "       mvm snapshot NAME FILE [--suspend] [--snapshot-uncompressed]\n"
    "       mvm migrate NAME HOST:PORT\n"
    "       mvm pause|resume|kill NAME|FLEET/VM\n"
    "       mvm balloon NAME|FLEET/VM SIZE\n"
    "       mvm control NAME JSON\n"
    "       mvm top [-n COUNT] [-d SECONDS] [NAME...]   (mvm top --help)\n"
    "\n"
    "Talks to a VM started with --name NAME (mvm run, restore, listen), or to\n"
    "a VM of a fleet started with mvm fleet --name FLEET, on its control socket\n"
    "(docs/control.md). ps lists the running VMs and fleets; snapshot\n"
    "saves one (it goes on unless --suspend: then it ends, exit 120, and\n"
    "mvm restore FILE goes on); migrate moves it to mvm listen HOST:PORT;\n"
    "pause stops it until resume; kill ends it; control sends one request\n"
    "as it is and prints the answer.\n"
    "\n"
    "exit status: 0 done; 1 the VM refused or failed (the reason is printed);\n"
    "123 no answer (stats, pause, resume, kill and balloon wait a minute at most);\n"
    "125 usage; 127 no running VM has that name.\n";

#define QUICK_MS 60000   /* how long stats, pause, resume, kill and balloon wait */

/* Sends one request line to VM name; *reply (freed by the caller). */
static int ask(const char *name, const char *line, char **reply, int timeout_ms)
{
    char path[PATH_MAX];
    if (!control_name_ok(name)) {
        fprintf(stderr, "mvm: %s: not a VM name\n", name);
        return EXIT_USAGE;
    }
    int r = socket_path(name, path, sizeof path), fd = r < 0 ? r : host_unix_connect(path);
    if (fd < 0) {
        fprintf(stderr, "mvm: %s: no running VM has that name\n", name);
        return EXIT_NOTFOUND;
    }
    bool sent = host_send_all(fd, line, strlen(line)) == 0 && host_send_all(fd, "\n", 1) == 0;
    char *buf = malloc(LINE_MAX_BYTES);
    long k = sent && buf ? host_read_line(fd, buf, LINE_MAX_BYTES, timeout_ms) : -EIO;
    close(fd);
    if (k <= 0) {
        free(buf);
        fprintf(stderr, "mvm: %s: no answer (%s)\n", name, k == 0 ? "the VM went away" : strerror((int)-k));
        return EXIT_INTERNAL;
    }
    *reply = buf;
    return 0;
}

/* The answer as an object; prints its error and returns 1 if not ok. */
static int answered(const char *name, const char *reply, json_t **out)
{
    json_t *o = json_loads(reply, 0, NULL);
    if (!json_is_object(o)) {
        fprintf(stderr, "mvm: %s: a malformed answer\n", name);
        json_decref(o);
        return EXIT_INTERNAL;
    }
    if (!json_is_true(json_object_get(o, "ok"))) {
        const char *why = json_string_value(json_object_get(o, "error"));
        fprintf(stderr, "mvm: %s: %s\n", name, why ? why : "refused");
        json_decref(o);
        return 1;
    }
    *out = o;
    return 0;
}

static long long num(json_t *o, const char *key) { return (long long)json_integer_value(json_object_get(o, key)); }

/* Rows for the VMs in a, and theirs, at level (rows_add). */
struct rows {
    struct vm_row *v;
    int n, cap;
};

static struct vm_row *row_new(struct rows *rs)
{
    if (rs->n == rs->cap) {
        int cap = rs->cap ? 2 * rs->cap : 32;
        struct vm_row *v = realloc(rs->v, (size_t)cap * sizeof *v);
        if (!v)
            return NULL;
        rs->v = v;
        rs->cap = cap;
    }
    struct vm_row *r = &rs->v[rs->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* A row for the VM o (an info answer or an entry of list), and one for
 * each of its children, below it. */
static void row_add(struct rows *rs, json_t *o, const char *parent_key, int level)
{
    struct vm_row *r = row_new(rs);
    const char *name = json_string_value(json_object_get(o, "name")), *state;
    if (!r || !name)
        return;
    state = json_string_value(json_object_get(o, "state"));
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->key, sizeof r->key, "%s%s%s", parent_key, *parent_key ? "/" : "", name);
    snprintf(r->state, sizeof r->state, "%s", state ? state : "?");
    r->level = level;
    r->fleet = json_is_true(json_object_get(o, "fleet"));
    r->pid = num(o, "pid");
    r->depth = num(o, "depth");
    r->instructions = num(o, "instructions");
    r->resident = num(o, "resident_bytes");
    r->shared = num(o, "shared_bytes");
    r->swapped = num(o, "swapped_bytes");
    r->ballooned = num(o, "ballooned_bytes");
    char key[sizeof r->key];
    snprintf(key, sizeof key, "%s", r->key);        /* r moves as rows are added */
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(o, "children"), i, k)
        row_add(rs, k, key, level + 1);
}

/* The rows of the VM (or fleet) with the socket name: none if it does
 * not answer. */
static void rows_of(struct rows *rs, const char *name)
{
    char *reply;
    json_t *o, *l;
    if (ask(name, "{\"cmd\":\"info\"}", &reply, 5000) != 0)
        return;
    int r = answered(name, reply, &o);
    free(reply);
    if (r != 0)
        return;
    int first = rs->n;
    row_add(rs, o, "", 0);
    if (rs->n > first && rs->v[first].fleet && ask(name, "{\"cmd\":\"list\"}", &reply, 5000) == 0) {
        if (answered(name, reply, &l) == 0) {
            size_t i;
            json_t *vm;
            long long resident = 0, shared = 0, swapped = 0, ballooned = 0;
            json_array_foreach(json_object_get(l, "vms"), i, vm) {
                row_add(rs, vm, name, 1);
                resident += num(vm, "resident_bytes");
                shared += num(vm, "shared_bytes");
                swapped += num(vm, "swapped_bytes");
                ballooned += num(vm, "ballooned_bytes");
            }
            rs->v[first].resident = resident;   /* the fleet holds what its VMs hold */
            rs->v[first].shared = shared;
            rs->v[first].swapped = swapped;
            rs->v[first].ballooned = ballooned;
            json_decref(l);
        }
        free(reply);
    }
    json_decref(o);
}

int control_rows(char *const *names, int nnames, struct vm_row **out)
{
    struct rows rs = { 0 };
    *out = NULL;
    if (nnames > 0) {
        for (int i = 0; i < nnames; i++)
            rows_of(&rs, names[i]);
    } else {
        char dir[PATH_MAX];
        if (runtime_dir(dir, sizeof dir) < 0) {
            fprintf(stderr, "mvm: no private runtime directory (%s)\n", dir);
            return -1;
        }
        char **all = NULL;
        int n = host_dir_names(dir, ".sock", &all);
        for (int i = 0; i < n; i++)
            rows_of(&rs, all[i]);
        host_dir_names_free(all, n);
    }
    *out = rs.v;
    return rs.n;
}

static int ps(void)
{
    struct vm_row *v;
    int n = control_rows(NULL, 0, &v);
    if (n < 0)
        return EXIT_INTERNAL;
    printf("%-20s %8s %-8s %16s %12s %12s\n", "NAME", "PID", "STATE", "INSTRUCTIONS", "RESIDENT", "SHARED");
    for (int i = 0; i < n; i++)
        printf("%*s%-*s %8lld %-8s %16lld %10lldKi %10lldKi\n", 2 * v[i].level, "", 20 - 2 * v[i].level, v[i].name,
               v[i].pid, v[i].fleet ? "fleet" : v[i].state, v[i].instructions, v[i].resident >> 10,
               v[i].shared >> 10);
    free(v);
    return 0;
}

int cmd_control(int argc, char **argv)
{
    const char *verb = argv[0];
    bool json = false, suspend = false, raw = false;
    const char *args[3] = { 0 };
    int nargs = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(control_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0 && strcmp(verb, "stats") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--suspend") == 0 && strcmp(verb, "snapshot") == 0) {
            suspend = true;
        } else if (strcmp(argv[i], "--snapshot-uncompressed") == 0 && strcmp(verb, "snapshot") == 0) {
            raw = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("unknown option %s", argv[i]);
        } else if (nargs < 3) {
            args[nargs++] = argv[i];
        } else {
            return usage_error("%s: too many arguments", verb);
        }
    }
    int want = strcmp(verb, "ps") == 0 ? 0
             : strcmp(verb, "snapshot") == 0 || strcmp(verb, "migrate") == 0 || strcmp(verb, "control") == 0 ||
                       strcmp(verb, "balloon") == 0 ? 2 : 1;
    if (nargs != want)
        return usage_error("%s: wrong number of arguments (mvm ps --help)", verb);
    if (want == 0)
        return ps();
    /* FLEET/VM: one VM of a fleet, named in the request. */
    char sock[NAME_MAX_BYTES + 1];
    const char *slash = strchr(args[0], '/'), *vm = NULL;
    if (slash && strcmp(verb, "control") != 0) {
        if ((size_t)(slash - args[0]) >= sizeof sock || !slash[1])
            return usage_error("%s: expected NAME or FLEET/VM", args[0]);
        snprintf(sock, sizeof sock, "%.*s", (int)(slash - args[0]), args[0]);
        vm = slash + 1;
    } else {
        snprintf(sock, sizeof sock, "%s", args[0]);
        if (strlen(args[0]) >= sizeof sock)
            return usage_error("%s: not a VM name", args[0]);
    }
    json_t *req;
    if (strcmp(verb, "control") == 0) {
        req = NULL;
    } else if (strcmp(verb, "snapshot") == 0) {
        char *abs = host_abs_path(args[1]);
        if (!abs) {
            fprintf(stderr, "mvm: snapshot %s: no such directory\n", args[1]);
            return EXIT_NOTFOUND;
        }
        req = json_pack("{s:s, s:s, s:b, s:b}", "cmd", "snapshot", "path", abs, "suspend", suspend,
                        "uncompressed", raw);
        free(abs);
    } else if (strcmp(verb, "migrate") == 0) {
        req = json_pack("{s:s, s:s}", "cmd", "migrate", "to", args[1]);
    } else if (strcmp(verb, "balloon") == 0) {
        uint64_t bytes = strcmp(args[1], "0") == 0 ? 0 : parse_size(args[1]);
        if (!bytes && strcmp(args[1], "0") != 0)
            return usage_error("balloon: %s: expected a size, like 64M or 0", args[1]);
        req = json_pack("{s:s, s:I}", "cmd", "balloon", "bytes", (json_int_t)bytes);
    } else {
        req = json_pack("{s:s}", "cmd", strcmp(verb, "stats") == 0 ? "stats" : verb);
    }
    if (req && vm)
        json_object_set_new(req, "vm", json_string(vm));
    char *line = req ? json_dumps(req, JSON_COMPACT) : strdup(args[1]);
    json_decref(req);
    char *reply = NULL;
    /* A snapshot or a migration takes as long as it takes (and a raw
     * request may be one); the others are answered between two slices of
     * the VM, so a minute without an answer is a monitor in trouble. */
    bool slow = strcmp(verb, "snapshot") == 0 || strcmp(verb, "migrate") == 0 || strcmp(verb, "control") == 0;
    int r = line ? ask(sock, line, &reply, slow ? -1 : QUICK_MS) : EXIT_INTERNAL;
    free(line);
    if (r != 0)
        return r;
    json_t *o = NULL;
    if (strcmp(verb, "control") == 0) {
        printf("%s\n", reply);     /* as it came */
        r = answered(args[0], reply, &o) == 0 ? 0 : 1;
    } else if ((r = answered(args[0], reply, &o)) == 0) {
        if (strcmp(verb, "stats") == 0 && json) {
            printf("%s\n", reply);
        } else if (strcmp(verb, "stats") == 0 && json_is_true(json_object_get(o, "fleet"))) {
            printf("%s: pid %lld, a fleet of %lld VMs (%lld not ended) on %lld host threads, %lld instructions, "
                   "up %.1f s\n", args[0], num(o, "pid"), num(o, "vms"), num(o, "live"), num(o, "threads"),
                   num(o, "instructions"), json_real_value(json_object_get(o, "uptime_s")));
        } else if (strcmp(verb, "stats") == 0) {
            printf("%s: pid %lld, %s, %lld instructions, %lld syscalls, %lld KiB resident (%lld KiB shared), "
                   "up %.1f s\n", args[0], num(o, "pid"), json_string_value(json_object_get(o, "state")),
                   num(o, "instructions"), num(o, "syscalls"), num(o, "resident_bytes") >> 10,
                   num(o, "shared_bytes") >> 10, json_real_value(json_object_get(o, "uptime_s")));
        } else if (strcmp(verb, "balloon") == 0) {
            printf("%s: its balloon is asked for %lld KiB and holds %lld KiB\n", args[0],
                   num(o, "balloon_target_bytes") >> 10, num(o, "ballooned_bytes") >> 10);
        } else if (strcmp(verb, "migrate") == 0) {
            printf("%s: migrated to %s: %.1f MiB, %.1f ms in all, the VM stopped for %.1f ms\n", args[0], args[1],
                   json_real_value(json_object_get(o, "sent_mib")), json_real_value(json_object_get(o, "total_ms")),
                   json_real_value(json_object_get(o, "downtime_ms")));
        }
    }
    json_decref(o);
    free(reply);
    return r;
}

#else /* no jansson: no control socket */

int control_open(struct control **out, const char *name, mvm_vm *vm)
{
    (void)name, (void)vm;
    *out = NULL;
    fprintf(stderr, "mvm: --name: this build has no control socket (install libjansson-dev and rebuild)\n");
    return EXIT_USAGE;
}
bool control_name_ok(const char *name) { (void)name; return true; }   /* control_open says why not */
bool control_pending(struct control *c) { (void)c; return false; }
int control_serve(struct control *c, struct session *s, mvm_vm *vm, int *rc)
{
    (void)c, (void)s, (void)vm, (void)rc;
    return GO_ON;
}
int control_open_fleet(struct control **out, const char *name, const struct control_fleet *fleet)
{
    (void)fleet;
    return control_open(out, name, NULL);
}
int control_rows(char *const *names, int nnames, struct vm_row **out)
{
    (void)names, (void)nnames;
    *out = NULL;
    fprintf(stderr, "mvm: this build has no control socket (install libjansson-dev and rebuild)\n");
    return -1;
}
void control_close(struct control *c) { (void)c; }
int cmd_control(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "mvm: %s: this build has no control socket (install libjansson-dev and rebuild)\n", argv[0]);
    return EXIT_USAGE;
}

#endif
