/*
 * fleet.c — `mvm fleet FILE`: many VMs in one monitor, sharing its host
 * threads by weight (docs/fleet.md). This file reads the manifest and
 * makes the VMs; libmvm's fleet (vm/fleet.c, include/mvm.h) runs them.
 *
 * The manifest is YAML, read with libyaml (libyaml-dev): a mapping with
 * the fleet's settings and `vms`, a sequence of mappings, one per VM
 * (name, program, args, env, dirs, listen, connect, cwd, mem, weight,
 * budget, output, share). Anything else in it is an error naming its line.
 *
 * Memory: with host_mem, every VM is in one memory domain of that limit;
 * the VMs naming one `share` domain are in a sharing domain of their own
 * under it, whose equal pages a scan merges (vm/domain.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "host/host.h"

#ifndef MVM_HAVE_YAML
#define MVM_HAVE_YAML 0
#endif

#if MVM_HAVE_YAML
#include <yaml.h>

#define MAX_VMS 4096
#define MAX_THREADS 256
#define WEIGHT_DEFAULT 100      /* cgroups' cpu.weight: 1 to 10000, 100 by default */
#define SHARE_RATE_DEFAULT 50000    /* pages a second each sharing domain's scan looks at */

struct member {
    char *name, *program, *cwd, *output;
    char **args, **env, **dirs, **listen, **connect;
    int nargs, nenv, ndirs, nlisten, nconnect;
    uint64_t mem;
    int weight;
    int64_t budget;             /* its own, 0 unlimited */
    char *share;                /* its sharing domain's name, or NULL */
    mvm_vm *vm;
    bool copy;                  /* made as a copy of an earlier VM's */
};

struct domain {
    char *name;
    mvm_domain *d;
};

struct fleet {
    struct member *m;
    int n;
    struct mvm_fleet_config cfg;
    uint64_t host_mem;          /* 0: no fleet-wide limit */
    char *swap;                 /* the swap file's directory, or NULL */
    uint64_t swap_max;          /* 0: no limit of its own */
    int64_t share_rate;
    mvm_domain *host;           /* every VM's, with host_mem */
    struct domain *doms;        /* the sharing domains, by name */
    int ndoms;
    int copies;                 /* VMs made as copies of others */
    double make_s;              /* the time making the VMs took */
    double output_s;            /* then opening their output files */
    int outputs;                /* VMs with an output file */
};

/* ---------------------------------------------------------- the manifest */

struct parse {
    yaml_document_t doc;
    const char *file;
    char why[512];
};

static int bad(struct parse *ps, const yaml_node_t *node, const char *fmt, const char *arg)
{
    char what[400];
    snprintf(what, sizeof what, fmt, arg);
    snprintf(ps->why, sizeof ps->why, "%s:%lu: %s", ps->file, node ? (unsigned long)node->start_mark.line + 1 : 0ul,
             what);
    return -1;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A scalar value, or an error naming key. */
static int get_str(struct parse *ps, const yaml_node_t *v, const char *key, char **out)
{
    const char *s = scalar(v);
    if (!s)
        return bad(ps, v, "%s: expected a single value", key);
    if (!(*out = strdup(s)))
        return bad(ps, v, "%s: out of memory", key);
    return 0;
}

static int get_count(struct parse *ps, const yaml_node_t *v, const char *key, int64_t *out)
{
    const char *s = scalar(v);
    if (!s || !parse_count(s, out))
        return bad(ps, v, "%s: expected a positive whole number", key);
    return 0;
}

/* A sequence of scalars (or one scalar, as a sequence of one). */
static int get_list(struct parse *ps, const yaml_node_t *v, const char *key, char ***out, int *n)
{
    if (v->type == YAML_SCALAR_NODE) {
        *out = calloc(2, sizeof **out);
        *n = 1;
        return *out ? get_str(ps, v, key, &(*out)[0]) : bad(ps, v, "%s: out of memory", key);
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return bad(ps, v, "%s: expected a list of values", key);
    int k = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
    *out = calloc((size_t)k + 1, sizeof **out);
    if (!*out)
        return bad(ps, v, "%s: out of memory", key);
    *n = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        if (get_str(ps, yaml_document_get_node(&ps->doc, *it), key, &(*out)[*n]) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

static int parse_vm(struct parse *ps, const yaml_node_t *node, struct member *m)
{
    if (node->type != YAML_MAPPING_NODE)
        return bad(ps, node, "%s", "each entry of vms is a mapping (name: ..., program: ...)");
    m->weight = WEIGHT_DEFAULT;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(&ps->doc, p->key), *v = yaml_document_get_node(&ps->doc, p->value);
        const char *k = scalar(kn);
        int64_t num;
        int r;
        if (!k)
            return bad(ps, kn, "%s", "a key must be a single word");
        if (strcmp(k, "name") == 0)
            r = get_str(ps, v, k, &m->name);
        else if (strcmp(k, "program") == 0)
            r = get_str(ps, v, k, &m->program);
        else if (strcmp(k, "cwd") == 0)
            r = get_str(ps, v, k, &m->cwd);
        else if (strcmp(k, "output") == 0)
            r = get_str(ps, v, k, &m->output);
        else if (strcmp(k, "share") == 0)
            r = get_str(ps, v, k, &m->share);
        else if (strcmp(k, "args") == 0)
            r = get_list(ps, v, k, &m->args, &m->nargs);
        else if (strcmp(k, "env") == 0)
            r = get_list(ps, v, k, &m->env, &m->nenv);
        else if (strcmp(k, "dirs") == 0)
            r = get_list(ps, v, k, &m->dirs, &m->ndirs);
        else if (strcmp(k, "listen") == 0)
            r = get_list(ps, v, k, &m->listen, &m->nlisten);
        else if (strcmp(k, "connect") == 0)
            r = get_list(ps, v, k, &m->connect, &m->nconnect);
        else if (strcmp(k, "budget") == 0)
            r = get_count(ps, v, k, &m->budget);
        else if (strcmp(k, "weight") == 0) {
            if ((r = get_count(ps, v, k, &num)) == 0 && num > 10000)
                r = bad(ps, v, "%s: from 1 to 10000 (as cgroups' cpu.weight)", k);
            m->weight = (int)num;
        } else if (strcmp(k, "mem") == 0) {
            const char *s = scalar(v);
            if (!s || (m->mem = parse_size(s)) < MVM_MEM_MIN)
                r = bad(ps, v, "%s: expected a size of at least 1M, like 256M or 2G", k);
            else
                r = 0;
        } else {
            r = bad(ps, kn, "unknown setting of a VM: %s", k);
        }
        if (r != 0)
            return r;
    }
    if (!m->name)
        return bad(ps, node, "%s", "a VM needs a name");
    if (!m->program)
        return bad(ps, node, "VM %s needs a program", m->name);
    for (const char *c = m->name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("._-", *c)))
            return bad(ps, node, "VM name %s: letters, digits, '.', '_' and '-' only", m->name);
    return 0;
}

static int parse_manifest(struct parse *ps, struct fleet *f)
{
    yaml_node_t *root = yaml_document_get_root_node(&ps->doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return bad(ps, root, "%s", "the manifest is a mapping with a list of vms");
    const yaml_node_t *vms = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(&ps->doc, p->key), *v = yaml_document_get_node(&ps->doc, p->value);
        const char *k = scalar(kn);
        int64_t num = 0;
        if (!k)
            return bad(ps, kn, "%s", "a key must be a single word");
        if (strcmp(k, "vms") == 0) {
            vms = v;
        } else if (strcmp(k, "threads") == 0) {
            if (get_count(ps, v, k, &num) != 0)
                return -1;
            if (num > MAX_THREADS)
                return bad(ps, v, "threads: at most %s", STR(MAX_THREADS));
            f->cfg.threads = (int)num;
        } else if (strcmp(k, "quantum") == 0) {
            if (get_count(ps, v, k, &f->cfg.quantum) != 0)
                return -1;
        } else if (strcmp(k, "budget") == 0) {
            if (get_count(ps, v, k, &f->cfg.budget) != 0)
                return -1;
        } else if (strcmp(k, "host_mem") == 0) {
            const char *sz = scalar(v);
            if (!sz || (f->host_mem = parse_size(sz)) < MVM_MEM_MIN)
                return bad(ps, v, "%s: expected a size of at least 1M, like 512M or 4G", k);
        } else if (strcmp(k, "swap") == 0) {
            if (get_str(ps, v, k, &f->swap) != 0)
                return -1;
        } else if (strcmp(k, "swap_max") == 0) {
            const char *sz = scalar(v);
            if (!sz || (f->swap_max = parse_size(sz)) < MVM_MEM_MIN)
                return bad(ps, v, "%s: expected a size of at least 1M, like 512M or 4G", k);
        } else if (strcmp(k, "share_rate") == 0) {
            if (get_count(ps, v, k, &f->share_rate) != 0)
                return -1;
            if (f->share_rate > 100000000)
                return bad(ps, v, "share_rate: at most %s pages a second", "100000000");
        } else if (strcmp(k, "slice_ms") == 0) {
            if (get_count(ps, v, k, &num) != 0)
                return -1;
            if (num > 3600000)
                return bad(ps, v, "slice_ms: at most %s", "3600000");
            f->cfg.slice_ms = (unsigned)num;
        } else {
            return bad(ps, kn, "unknown setting of the fleet: %s", k);
        }
    }
    if ((f->swap || f->swap_max) && !f->host_mem)
        return bad(ps, root, "%s", "swap needs host_mem (swapping is what keeps the fleet under it)");
    if (f->swap_max && !f->swap)
        return bad(ps, root, "%s", "swap_max needs swap (the directory of the swap file)");
    if (!vms || vms->type != YAML_SEQUENCE_NODE || vms->data.sequence.items.top == vms->data.sequence.items.start)
        return bad(ps, vms ? vms : root, "%s", "vms: expected a list of at least one VM");
    int n = (int)(vms->data.sequence.items.top - vms->data.sequence.items.start);
    if (n > MAX_VMS)
        return bad(ps, vms, "vms: at most %s", STR(MAX_VMS));
    if (!(f->m = calloc((size_t)n, sizeof *f->m)))
        return bad(ps, vms, "%s", "out of memory");
    for (yaml_node_item_t *it = vms->data.sequence.items.start; it < vms->data.sequence.items.top; it++) {
        struct member *m = &f->m[f->n++];
        if (parse_vm(ps, yaml_document_get_node(&ps->doc, *it), m) != 0)
            return -1;
        for (int j = 0; j < f->n - 1; j++)
            if (strcmp(f->m[j].name, m->name) == 0)
                return bad(ps, yaml_document_get_node(&ps->doc, *it), "two VMs are named %s", m->name);
    }
    return 0;
}

/* Reads FILE into f: 0, or EXIT_USAGE with one line printed. */
static int read_manifest(const char *file, struct fleet *f)
{
    FILE *in = fopen(file, "r");
    if (!in) {
        fprintf(stderr, "mvm: %s: %s\n", file, strerror(errno));
        return EXIT_NOTFOUND;
    }
    struct parse ps = { .file = file };
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, in);
    int rc = 0;
    if (!yaml_parser_load(&parser, &ps.doc)) {
        fprintf(stderr, "mvm: %s:%lu: %s\n", file, (unsigned long)parser.problem_mark.line + 1,
                parser.problem ? parser.problem : "not YAML");
        rc = EXIT_USAGE;
    } else {
        if (parse_manifest(&ps, f) != 0) {
            fprintf(stderr, "mvm: %s\n", ps.why);
            rc = EXIT_USAGE;
        }
        yaml_document_delete(&ps.doc);
    }
    yaml_parser_delete(&parser);
    fclose(in);
    return rc;
}

static void free_list(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void free_fleet(struct fleet *f)
{
    for (int i = f->n - 1; i >= 0; i--)    /* copies before the VMs they copy */
        mvm_vm_destroy(f->m[i].vm);
    for (int i = 0; i < f->n; i++) {
        struct member *m = &f->m[i];
        free(m->name);
        free(m->program);
        free(m->cwd);
        free(m->output);
        free(m->share);
        free_list(m->args, m->nargs);
        free_list(m->env, m->nenv);
        free_list(m->dirs, m->ndirs);
        free_list(m->listen, m->nlisten);
        free_list(m->connect, m->nconnect);
    }
    free(f->m);
    free(f->swap);
    for (int i = 0; i < f->ndoms; i++) {
        mvm_domain_free(f->doms[i].d);
        free(f->doms[i].name);
    }
    free(f->doms);
    mvm_domain_free(f->host);
}

/* The memory domain of m (NULL: none), made on first use: 0, or an exit
 * status with the message printed. */
static int domain_of(struct fleet *f, const struct member *m, mvm_domain **out)
{
    int r = 0;
    /* Every VM is in the fleet's domain (unlimited without host_mem), so
     * that VMs may start as copies of others (make_vm). */
    if (!f->host) {
        /* Under host_mem, balloons are asked for memory as it fills. */
        struct mvm_domain_config dc = { .mem_limit = f->host_mem, .flags = f->host_mem ? MVM_DOMAIN_BALLOON : 0,
                                        .swap_dir = f->swap, .swap_max = f->swap_max };
        r = mvm_domain_new(&dc, &f->host);
        if (r != 0 && f->swap) {
            fprintf(stderr, "mvm: fleet: swap %s: cannot make a swap file there: %s\n", f->swap,
                    r == -MVM_ENOMEM ? "out of memory" : strerror(-r));
            return EXIT_USAGE;
        }
    }
    *out = f->host;
    if (r == 0 && m->share) {
        for (int i = 0; i < f->ndoms; i++)
            if (strcmp(f->doms[i].name, m->share) == 0) {
                *out = f->doms[i].d;
                return 0;
            }
        struct domain *nd = realloc(f->doms, ((size_t)f->ndoms + 1) * sizeof *nd);
        if (!nd)
            r = -MVM_ENOMEM;
        else {
            f->doms = nd;
            struct mvm_domain_config dc = {
                .flags = MVM_DOMAIN_SHARE,
                .scan_rate = (unsigned)(f->share_rate ? f->share_rate : SHARE_RATE_DEFAULT),
                .parent = f->host,
            };
            nd = &f->doms[f->ndoms];
            if (!(nd->name = strdup(m->share)))
                r = -MVM_ENOMEM;
            else if ((r = mvm_domain_new(&dc, &nd->d)) != 0)
                free(nd->name);
            else
                *out = f->doms[f->ndoms++].d;
        }
    }
    if (r != 0) {
        fprintf(stderr, "mvm: fleet: %s: %s\n", m->name,
                r == -MVM_ENOSYS ? "page sharing needs a build with xxHash (libxxhash-dev)" : mvm_strerror(r));
        return EXIT_INTERNAL;
    }
    return 0;
}

/* ---------------------------------------------------------- making VMs */

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_list(char **a, int na, char **b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* Would a and b start alike (everything but name, limits, weight and
 * where their output goes)? */
static bool same_start(const struct member *a, const struct member *b)
{
    return strcmp(a->program, b->program) == 0 && same_str(a->cwd, b->cwd) && same_str(a->share, b->share) &&
           !a->output == !b->output && same_list(a->args, a->nargs, b->args, b->nargs) &&
           same_list(a->env, a->nenv, b->env, b->nenv) && same_list(a->dirs, a->ndirs, b->dirs, b->ndirs) &&
           same_list(a->listen, a->nlisten, b->listen, b->nlisten) &&
           same_list(a->connect, a->nconnect, b->connect, b->nconnect);
}

/* m's output file, once its VM is made: 0, or an exit status with the
 * message printed. */
static int open_output(const struct member *m)
{
    int r = m->output ? mvm_vm_redirect(m->vm, 1, m->output, MVM_REDIRECT_WRITE) : 0;
    if (r < 0) {
        fprintf(stderr, "mvm: fleet: %s: output %s: %s\n", m->name, m->output, strerror(-r));
        return EXIT_USAGE;
    }
    return 0;
}

/* m's VM, loaded (its output file comes after, open_output): 0, or an
 * exit status with the message printed. A VM
 * of a sharing domain that starts like an earlier one is a copy of it
 * (mvm_vm_fork: the
 * program is not read or loaded again, and its pages are shared from the
 * start); all are made before any runs, and the copies are destroyed
 * first (free_fleet). */
static int make_vm(struct fleet *f, struct member *m)
{
    struct mvm_config cfg = MVM_CONFIG_INIT;
    cfg.mem_limit = m->mem;
    cfg.budget = m->budget;
    int r = domain_of(f, m, &cfg.domain);
    if (r != 0)
        return r;
    /* Copies share pages with their template: only within a sharing
     * domain, which is what its VMs opted in to (docs/fleet.md). */
    for (struct member *t = f->m; m->share && t < m; t++) {
        if (!t->vm || t->copy || !same_start(t, m))
            continue;
        if ((r = mvm_vm_fork(t->vm, &cfg, &m->vm)) != 0)
            break;      /* made as any other */
        m->copy = true;
        f->copies++;
        return 0;
    }
    r = mvm_vm_create(&cfg, &m->vm);
    if (r != 0) {
        fprintf(stderr, "mvm: fleet: %s: cannot create the VM: %s\n", m->name, mvm_strerror(r));
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < m->ndirs; i++) {
        struct dir_spec d;
        int rc = dir_spec_parse(m->dirs[i], &d);
        if (rc != 0)
            return rc;
        r = mvm_vm_add_dir(m->vm, d.host, d.guest, d.ro);
        free(d.buf);
        if (r < 0) {
            fprintf(stderr, "mvm: fleet: %s: dirs %s: %s\n", m->name, m->dirs[i], strerror(-r));
            return EXIT_USAGE;
        }
    }
    for (int i = 0; i < m->nlisten + m->nconnect; i++) {
        bool l = i < m->nlisten;
        const char *a = l ? m->listen[i] : m->connect[i - m->nlisten];
        if ((r = mvm_vm_allow_net(m->vm, l ? MVM_NET_LISTEN : MVM_NET_CONNECT, a)) < 0) {
            fprintf(stderr, "mvm: fleet: %s: %s %s: %s\n", m->name, l ? "listen" : "connect", a, mvm_strerror(r));
            return EXIT_USAGE;
        }
    }
    if (m->cwd && (r = mvm_vm_set_cwd(m->vm, m->cwd)) < 0) {
        fprintf(stderr, "mvm: fleet: %s: cwd %s: %s\n", m->name, m->cwd, strerror(-r));
        return EXIT_USAGE;
    }
    uint8_t *file;
    size_t size;
    int rc = read_program(m->program, &file, &size);
    if (rc != 0)
        return rc;
    char **argv = calloc((size_t)m->nargs + 2, sizeof *argv);
    if (!argv) {
        free_program(file, size);
        return EXIT_INTERNAL;
    }
    argv[0] = m->program;
    for (int i = 0; i < m->nargs; i++)
        argv[i + 1] = m->args[i];
    r = mvm_vm_load_elf(m->vm, m->program, file, size, m->nargs + 1, argv, m->nenv, m->env);
    free(argv);
    free_program(file, size);
    if (r != 0) {
        fprintf(stderr, "mvm: fleet: %s: %s: %s\n", m->name, m->program,
                r == -MVM_ENOEXEC ? mvm_vm_error(m->vm) : mvm_strerror(r));
        return r == -MVM_ENOEXEC ? EXIT_NOEXEC : EXIT_INTERNAL;
    }
    return 0;
}

static void report(const struct fleet *f, const mvm_fleet *run, double seconds)
{
    struct mvm_fleet_config cfg;
    uint64_t used;
    mvm_fleet_info(run, &cfg, &used);
    fprintf(stderr, "mvm: fleet: %d VMs on %d host threads, %llu instructions in %.3f s\n", f->n, cfg.threads,
            (unsigned long long)used, seconds);
    fprintf(stderr, "mvm: fleet: VMs made in %.3f ms (%.1f us each), %d of them as copies of another\n",
            f->make_s * 1e3, f->make_s * 1e6 / f->n, f->copies);
    if (f->outputs)
        fprintf(stderr, "mvm: fleet: their %d output files opened in %.3f ms, after\n", f->outputs, f->output_s * 1e3);
    for (int i = 0; i < f->n; i++) {
        const struct member *m = &f->m[i];
        struct mvm_exit ex;
        struct mvm_fleet_stats st;
        mvm_fleet_result(run, i, &ex, &st);
        fprintf(stderr, "mvm: fleet: %s: weight %d, %llu instructions (%.1f%%) in %llu turns, %s %d\n", m->name,
                m->weight, (unsigned long long)st.instructions,
                used ? 100.0 * (double)st.instructions / (double)used : 0.0, (unsigned long long)st.turns,
                ex.reason == MVM_EXIT_BUDGET ? "stopped by the budget, exit" : "exit", exit_status(&ex));
    }
    struct mvm_domain_stats ds;
    for (int i = 0; i < f->ndoms; i++) {
        mvm_domain_stats(f->doms[i].d, &ds);
        fprintf(stderr,
                "mvm: fleet: share %s: peak %llu KiB, %llu pages merged, %llu zero pages dropped, "
                "%llu pages scanned in %llu passes\n",
                f->doms[i].name, (unsigned long long)(ds.peak_bytes >> 10), (unsigned long long)ds.merged_pages,
                (unsigned long long)ds.zero_pages, (unsigned long long)ds.scanned_pages,
                (unsigned long long)ds.passes);
    }
    if (f->host_mem) {
        mvm_domain_stats(f->host, &ds);
        fprintf(stderr, "mvm: fleet: host_mem: peak %llu KiB of %llu KiB\n", (unsigned long long)(ds.peak_bytes >> 10),
                (unsigned long long)(f->host_mem >> 10));
        if (f->swap)
            fprintf(stderr, "mvm: fleet: swap: %llu pages written out, %llu read back, %llu came back corrupt; "
                    "up to %llu KiB in the file\n", (unsigned long long)ds.swapped_out,
                    (unsigned long long)ds.swapped_in, (unsigned long long)ds.swap_corrupt,
                    (unsigned long long)(ds.swap_peak_bytes >> 10));
        fprintf(stderr, "mvm: fleet: balloons: held up to %llu KiB together; asked %llu times for more, %llu for less\n",
                (unsigned long long)(ds.ballooned_peak_bytes >> 10), (unsigned long long)ds.inflations,
                (unsigned long long)ds.deflations);
    }
}

/* One line for a VM that did not simply exit. */
static void report_end(const struct member *m, const struct mvm_exit *ex, const struct mvm_fleet_stats *st)
{
    char who[300];
    snprintf(who, sizeof who, "fleet: %s: ", m->name);
    if (st->killed)
        fprintf(stderr, "mvm: %skilled by a request on the fleet's control socket\n", who);
    else if (st->error)
        fprintf(stderr, "mvm: %s%s\n", who, mvm_strerror(st->error));
    else if (ex->reason == MVM_EXIT_SIGNALED)
        fprintf(stderr, "mvm: %skilled by signal %d\n", who, ex->signal);
    else
        report_fault(who, "its mem", ex);
}

static void close_control(struct control *c, struct control_fleet *cf)
{
    control_close(c);
    free((void *)cf->names);
    free((void *)cf->vms);
    cf->names = NULL;
    cf->vms = NULL;
}

/* The fleet's control socket (--name), serving its VMs by their names:
 * 0, or an exit status with the message printed. */
static int open_control(const struct fleet *f, mvm_fleet *run, const char *name, struct control **c,
                        struct control_fleet *cf)
{
    const char **names = calloc((size_t)f->n, sizeof *names);
    mvm_vm **vms = calloc((size_t)f->n, sizeof *vms);
    if (!names || !vms) {
        free(names);
        free(vms);
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < f->n; i++) {
        names[i] = f->m[i].name;
        vms[i] = f->m[i].vm;
    }
    *cf = (struct control_fleet){ .run = run, .n = f->n, .names = names, .vms = vms };
    int rc = control_open_fleet(c, name, cf);
    if (rc != 0)
        close_control(NULL, cf);
    return rc;
}

int cmd_fleet(int argc, char **argv)
{
    bool stats = false;
    const char *file = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stats") == 0)
            stats = true;
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strncmp(argv[i], "--name=", 7) == 0)
            name = argv[i] + 7;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs("usage: mvm fleet [--stats] [--name NAME] FILE   (docs/fleet.md)\n"
                  "  --name NAME   serve a control socket for the fleet: mvm ps, top,\n"
                  "                stats, pause, resume, kill NAME/VM (docs/control.md)\n", stdout);
            return 0;
        } else if (argv[i][0] == '-' || file)
            return usage_error("fleet: unknown option or second file %s", argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        return usage_error("fleet: %s", "a manifest FILE is needed");
    if (name && !control_name_ok(name))     /* before any VM is made */
        return usage_error("--name %s: a name is 1 to 64 letters, digits, '.', '_' or '-'", name);
    struct fleet f = { 0 };
    mvm_fleet *run = NULL;
    int rc = read_manifest(file, &f);
    uint64_t t_make = host_time_monotonic_ns();
    for (int i = 0; rc == 0 && i < f.n; i++)
        rc = make_vm(&f, &f.m[i]);
    uint64_t t_out = host_time_monotonic_ns();
    for (int i = 0; rc == 0 && i < f.n; i++) {
        rc = open_output(&f.m[i]);
        f.outputs += f.m[i].output != NULL;
    }
    f.make_s = (double)(t_out - t_make) / 1e9;
    f.output_s = (double)(host_time_monotonic_ns() - t_out) / 1e9;
    int r = rc == 0 ? mvm_fleet_new(&f.cfg, &run) : 0;
    for (int i = 0; rc == 0 && r >= 0 && i < f.n; i++)
        r = mvm_fleet_add(run, f.m[i].vm, f.m[i].weight);
    if (rc == 0 && r < 0) {
        fprintf(stderr, "mvm: fleet: %s\n", mvm_strerror(r));
        rc = EXIT_INTERNAL;
    }
    struct control *control = NULL;
    struct control_fleet cf = { 0 };
    if (rc == 0 && name)
        rc = open_control(&f, run, name, &control, &cf);
    if (rc == 0) {
        fflush(stdout);
        uint64_t t0 = host_time_monotonic_ns();
        mvm_fleet_run(run);
        double seconds = (double)(host_time_monotonic_ns() - t0) / 1e9;
        fflush(stdout);
        close_control(control, &cf);  /* before the VMs go */
        for (int i = 0; i < f.n; i++) {
            struct mvm_exit ex;
            struct mvm_fleet_stats st;
            mvm_fleet_result(run, i, &ex, &st);
            report_end(&f.m[i], &ex, &st);
            if (rc == 0 && exit_status(&ex) != 0)
                rc = exit_status(&ex);  /* the first VM (in manifest order) that did not exit 0 */
        }
        if (stats)
            report(&f, run, seconds);
    }
    mvm_fleet_free(run);
    free_fleet(&f);
    return rc;
}

#else /* no libyaml: no fleets */

int cmd_fleet(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "mvm: fleet: this build cannot read manifests (install libyaml-dev and rebuild)\n");
    return EXIT_INTERNAL;
}

#endif
