/*
 * vm.c — libmvm's VM object (include/mvm.h). A VM is native (this process
 * interprets it: a process-mode guest, user/proc.h) or remote (the monitor
 * above runs it and we reach it through hypercalls, vm/parent.c). Every
 * call dispatches on that; everything else in the project uses only these
 * calls, so a monitor works the same at any depth.
 */
#include "vm/vm_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "host/host.h"
#include "host/thread.h"
#include "rv/jit.h"
#include "user/elf.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/net.h"

const char *mvm_version(void) { return MVM_VERSION; }

int mvm_inside(void) { return parent_present(); }

const char *mvm_strerror(int err)
{
    switch (-err) {
    case 0: return "success";
    case MVM_EPERM: return "operation not permitted";
    case MVM_ENOENT: return "no such file or directory";
    case MVM_ENOEXEC: return "not a loadable RISC-V program";
    case MVM_EBADF: return "bad handle";
    case MVM_ENOMEM: return "out of memory";
    case MVM_EFAULT: return "bad guest address";
    case MVM_EBUSY: return "the program has ended";
    case MVM_EINVAL: return "invalid argument";
    case 21: return "is a directory";
    case 13: return "permission denied";
    case 20: return "not a directory";
    case 24: return "too many VMs";
    case 30: return "read-only file system";
    case 36: return "name too long";
    case 38: return "not supported here";
    case MVM_EIO: return "input/output error";
    case MVM_EBADMSG: return "the snapshot is corrupt";
    case MVM_ENOTSUP: return "not supported by snapshots";
    case MVM_ELOOP: return "VMs nested too deep";
    }
    return "error";
}

/* ---- creation ------------------------------------------------------------ */

static void run_thread(void *ctx, struct thread *t);
static int start_process(struct proc *parent, struct proc *child);
static void free_process(struct proc *child);

int vm_create_native(const struct mvm_config *cfg, mvm_vm *parent,
                     struct mem_space *backing, unsigned hc_flags, mvm_vm **out)
{
    return vm_create_native_in(cfg, parent, backing, NULL, hc_flags, out);
}

/* under: the pool a root VM's pool is a child of, if not its domain's;
 * copy: a copy of a loaded VM is to be made into it (its file table is
 * the template's, copied: none is made here). */
static int create_native(const struct mvm_config *cfg, mvm_vm *parent, struct mem_pool *under,
                         struct mem_space *backing, struct mem_pool *pool, unsigned hc_flags, bool copy,
                         mvm_vm **out)
{
    int depth = parent ? parent->depth + 1 : 1;
    if (depth > MVM_MAX_DEPTH)
        return -MVM_ELOOP;
    struct proc_options opt = {
        .parent_pool = parent ? parent->p->pool : under ? under : vm_domain_pool(cfg->domain),
        .pool = pool,
        .backing = backing,
        .mem_limit = cfg->mem_limit,
        .budget = cfg->budget,
        .trace_syscalls = (cfg->flags & MVM_TRACE_SYSCALLS) != 0,
        .trace_insns = (cfg->flags & MVM_TRACE_INSNS) != 0,
        .no_jit = (cfg->flags & MVM_NO_JIT) != 0,
        .stream_meta = (cfg->flags & MVM_STREAM_META) != 0,
        .no_fs = copy,
    };
    mvm_vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        return -MVM_ENOMEM;
    vm->p = proc_new(&opt);
    if (!vm->p) {
        free(vm);
        return -MVM_ENOMEM;
    }
    vm->hc_flags = hc_flags & ~(unsigned)MVM_HC_CREATE_NO_UNROLL;
    vm->depth = depth;
    vm->parent = parent;
    vm->p->thread_run = run_thread;
    vm->p->thread_ctx = vm;
    vm->p->start_process = start_process;
    vm->p->free_process = free_process;
    if (!parent && cfg->domain)
        vm_domain_join(cfg->domain, vm);
    *out = vm;
    return 0;
}

int vm_create_native_in(const struct mvm_config *cfg, mvm_vm *parent, struct mem_space *backing,
                        struct mem_pool *pool, unsigned hc_flags, mvm_vm **out)
{
    return create_native(cfg, parent, NULL, backing, pool, hc_flags, false, out);
}

int mvm_vm_fork(mvm_vm *tmpl, const struct mvm_config *cfg, mvm_vm **out)
{
    if (tmpl && tmpl->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    static const struct mvm_config dflt = MVM_CONFIG_INIT;
    if (!cfg)
        cfg = &dflt;
    if (!tmpl || !out || cfg->budget < 0 || (cfg->mem_limit && cfg->mem_limit < MVM_MEM_MIN))
        return -MVM_EINVAL;
    if (tmpl->remote)
        return -MVM_ENOSYS;
    struct proc *t = tmpl->p;
    /* Loaded and never run: one process, one thread, nothing retired. */
    if (!tmpl->loaded || tmpl->ended || rv_instret(t->hart) != 0 || proc_tree_count(t) != 1 || tmpl->parent)
        return -MVM_EINVAL;
    /* In the template's tree: its domain's, or below the template. */
    struct mem_pool *dp = vm_domain_pool(cfg->domain);
    if (dp && mem_pool_root(dp) != mem_pool_root(t->pool))
        return -MVM_EINVAL;
    struct mvm_config c = *cfg;
    c.flags |= (t->hart->no_jit ? MVM_NO_JIT : 0u) | (t->trace_syscalls ? MVM_TRACE_SYSCALLS : 0u);
    mvm_vm *vm;
    int r = create_native(&c, NULL, dp ? NULL : t->pool, NULL, NULL, 0, true, &vm);
    if (r != 0)
        return r;
    long e = proc_copy_loaded(vm->p, t);
    if (e != 0) {
        mvm_vm_destroy(vm);
        return e == -LX_ENOMEM ? -MVM_ENOMEM : -MVM_ENOSYS;
    }
    vm->loaded = true;
    *out = vm;
    return 0;
}

static int create_remote(const struct mvm_config *cfg, unsigned hc_flags, long backing, long parent, mvm_vm **out)
{
    uint8_t wire[MVM_HC_CONFIG_SIZE];
    hc_put_config(wire, cfg);
    mvm_vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        return -MVM_ENOMEM;
    long h = HC(VM_CREATE, PTR(wire), hc_flags, backing, parent, 0, 0);
    if (h < 0) {
        free(vm);
        return (int)h;
    }
    vm->remote = true;
    vm->handle = h;
    vm->budget = cfg->budget ? cfg->budget : INT64_MAX;
    *out = vm;
    return 0;
}

/*
 * A VM for a guest: parent is the guest (or a VM of its that it named),
 * charged for the new VM's pages and instructions. Inside mvm the VM is
 * the monitor above's, told the same parent, so that the level that runs
 * it charges every level above it.
 */
int vm_create_child(mvm_vm *parent, mvm_vm *backing, const struct mvm_config *cfg, unsigned hc_flags, mvm_vm **out)
{
    if (cfg->mem_limit && cfg->mem_limit < MVM_MEM_MIN)
        return -MVM_EINVAL;
    bool backed = hc_flags & MVM_HC_CREATE_NO_UNROLL;
    int r;
    if (parent_present())
        r = create_remote(cfg, hc_flags, backing->remote ? backing->handle : 0,
                          parent->remote ? parent->handle : 0, out);
    else if (parent->remote || backing->remote)
        return -MVM_EINVAL;
    else
        r = vm_create_native(cfg, parent, backed ? backing->p->as : NULL, hc_flags, out);
    /* Its streams are its parent's where a monitor redirected those (the
     * parent's file table read as VM_REDIRECT reads a source VM's). */
    for (int fd = 0; r == 0 && !(*out)->remote && fd <= 2; fd++)
        if ((r = fs_follow_stream((*out)->p->fs, fd, parent->p->fs)) != 0) {
            mvm_vm_destroy(*out);
            *out = NULL;
        }
    if (r != 0)
        return r;
    (*out)->parent = parent;
    if (backed)   /* remote too: destroying the backing VM takes it along */
        (*out)->backing = backing;
    return 0;
}

int mvm_vm_create(const struct mvm_config *cfg, mvm_vm **out)
{
    static const struct mvm_config dflt = MVM_CONFIG_INIT;
    if (!cfg)
        cfg = &dflt;
    if (!out || cfg->budget < 0 || cfg->nest_mode > MVM_NEST_LOWERED ||
        (cfg->mem_limit && cfg->mem_limit < MVM_MEM_MIN))
        return -MVM_EINVAL;
    if (cfg->nest_mode != MVM_NEST_EMULATE && parent_present()) {
        if (cfg->domain)
            return -MVM_ENOSYS;     /* its memory is the real environment's */
        /* Trusted: its system calls come back here. Its hypercalls do not:
         * the real environment holds its VMs and checks them against its own
         * handles, as a forwarding monitor would, without every level above
         * being entered for each one (docs/design.md, "Nesting"). */
        unsigned flags = cfg->nest_mode == MVM_NEST_TRUSTED ? MVM_HC_CREATE_EXIT_SYSCALLS : 0;
        if (cfg->flags & MVM_NO_UNROLL)
            flags |= MVM_HC_CREATE_NO_UNROLL;
        return create_remote(cfg, flags, 0, 0, out);
    }
    /* Outside mvm this process is the real environment: the VM runs here
     * (and the VMs it creates are served here). */
    return vm_create_native(cfg, NULL, NULL, 0, out);
}

void mvm_vm_destroy(mvm_vm *vm)
{
    if (!vm)
        return;
    /* A template's holds first: they are in the pools of its tree. */
    for (int i = 0; i < vm->ntmpl_hold; i++)
        mem_space_free(vm->tmpl_hold[i]);
    free(vm->tmpl_hold);
    vm_children_destroy(vm);
    vm_images_free(vm);
    vm_domain_leave(vm);
    if (vm->remote)
        HC(VM_DESTROY, vm->handle, 0, 0, 0, 0, 0);
    else if (vm->is_board)
        vm_board_free(vm);
    else
        proc_free(vm->p);
    free(vm->tmpl_sections);
    free(vm->tmpl_path);
    free(vm);
}

/* ---- set-up -------------------------------------------------------------- */

int mvm_vm_add_dir(mvm_vm *vm, const char *host_dir, const char *guest_path, int read_only)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !host_dir || !guest_path)
        return -MVM_EINVAL;
    if (vm->remote)   /* host_dir is a path of ours: the parent composes */
        return (int)HC(VM_ADD_DIR, vm->handle, 0, PTR(host_dir), PTR(guest_path), read_only != 0, 0);
    return fs_add_dir(vm->p->fs, host_dir, guest_path, read_only != 0);
}

int vm_add_dir_from(mvm_vm *vm, mvm_vm *src, const char *path, const char *guest_path, int read_only)
{
    if (vm->remote)
        return (int)HC(VM_ADD_DIR, vm->handle, src->remote ? src->handle : 0, PTR(path), PTR(guest_path),
                       read_only != 0, 0);
    if (src->remote)
        return -MVM_EINVAL;
    return fs_add_dir_from(vm->p->fs, src->p->fs, path, guest_path, read_only != 0);
}

int mvm_vm_allow_net(mvm_vm *vm, int direction, const char *addr)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !addr || (direction != MVM_NET_LISTEN && direction != MVM_NET_CONNECT))
        return -MVM_EINVAL;
    if (vm->remote)   /* the monitor above checks that we hold it */
        return (int)HC(VM_ALLOW_NET, vm->handle, 0, direction, PTR(addr), 0, 0);
    return net_allow(vm->p->fs, direction, addr);
}

int mvm_vm_allow_listen(mvm_vm *vm, const char *addr) { return mvm_vm_allow_net(vm, MVM_NET_LISTEN, addr); }
int mvm_vm_allow_connect(mvm_vm *vm, const char *addr) { return mvm_vm_allow_net(vm, MVM_NET_CONNECT, addr); }

int vm_allow_net_from(mvm_vm *vm, mvm_vm *src, int direction, const char *addr)
{
    if (direction != MVM_NET_LISTEN && direction != MVM_NET_CONNECT)
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_ALLOW_NET, vm->handle, src->remote ? src->handle : 0, direction, PTR(addr), 0, 0);
    if (src->remote)
        return -MVM_EINVAL;
    return net_allow_from(vm->p->fs, src->p->fs, direction, addr);
}

int mvm_vm_set_cwd(mvm_vm *vm, const char *guest_path)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !guest_path)
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_SET_CWD, vm->handle, PTR(guest_path), 0, 0, 0, 0);
    return fs_set_cwd(vm->p->fs, guest_path);
}

static int redirect_flags(int how)
{
    return how == MVM_REDIRECT_READ ? 0
         : LX_O_WRONLY | LX_O_CREAT | (how == MVM_REDIRECT_APPEND ? LX_O_APPEND : LX_O_TRUNC);
}

/* The processes of vm after its first, and the VMs its guest made (a
 * restored or cloned VM has them before it runs), follow a redirect of
 * its first process's stream fd where theirs is still the monitor's. */
static int redirect_tree(mvm_vm *vm, int fd)
{
    struct fs *from = vm->p->fs;
    struct proc **list;
    int n = proc_tree_list_all(vm->p, &list), r = n < 0 ? n : 0;
    for (int i = 1; i < n && r == 0; i++)   /* the first is vm->p */
        if (list[i]->fs)
            r = fs_follow_stream(list[i]->fs, fd, from);
    free(list);
    for (int s = 0; s < MVM_HC_MAX_CHILDREN && r == 0; s++) {
        mvm_vm *c = vm->children[s];
        if (c && !c->remote && !c->is_board && c->p->fs && (r = fs_follow_stream(c->p->fs, fd, from)) == 0)
            r = redirect_tree(c, fd);
    }
    return r;
}

/* Opens path in sandbox from and makes it stream fd of vm (and of its
 * tree: redirect_tree). */
static int redirect_native(mvm_vm *vm, struct fs *from, int fd, const char *path, int how)
{
    int gfd = fs_openat(from, LX_AT_FDCWD, path, redirect_flags(how), 0644);
    if (gfd < 0)
        return gfd;
    int r = fs_import_fd(vm->p->fs, fd, from, gfd);
    fs_close(from, gfd);
    if (r >= 0)
        r = redirect_tree(vm, fd);
    return r < 0 ? r : 0;
}

int vm_redirect_from(mvm_vm *vm, mvm_vm *src, int fd, const char *path, int how)
{
    if (fd < 0 || fd > 2 || how < MVM_REDIRECT_READ || how > MVM_REDIRECT_APPEND)
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_REDIRECT, vm->handle, src->remote ? src->handle : 0, fd, PTR(path), how, 0);
    if (src->remote)
        return -MVM_EINVAL;
    return redirect_native(vm, src->p->fs, fd, path, how);
}

int mvm_vm_redirect(mvm_vm *vm, int fd, const char *path, int how)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !path || fd < 0 || fd > 2 || how < MVM_REDIRECT_READ || how > MVM_REDIRECT_APPEND)
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_REDIRECT, vm->handle, 0, fd, PTR(path), how, 0);
    /* Our own files: a sandbox whose root is the host's (absolute paths)
     * or the working directory (relative ones). */
    struct fs *host = fs_new();
    if (!host)
        return -MVM_ENOMEM;
    int r = fs_add_dir(host, path[0] == '/' ? "/" : ".", "/", false);
    if (r == 0)
        r = redirect_native(vm, host, fd, path, how);
    fs_free(host);
    return r;
}

/* argv and envp as the hypercall's argument block; NULL on ENOMEM. */
static uint8_t *pack_args(int argc, char *const argv[], int envc, char *const envp[], size_t *len)
{
    size_t n = 8;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    for (int i = 0; i < envc; i++)
        n += strlen(envp[i]) + 1;
    uint8_t *b = malloc(n);
    if (!b)
        return NULL;
    st32(b, (uint32_t)argc);
    st32(b + 4, (uint32_t)envc);
    size_t at = 8;
    for (int i = 0; i < argc + envc; i++) {
        const char *s = i < argc ? argv[i] : envp[i - argc];
        size_t l = strlen(s) + 1;
        memcpy(b + at, s, l);
        at += l;
    }
    *len = n;
    return b;
}

/* What every loader checks first: 0, or the error to return. */
static int load_args_ok(mvm_vm *vm, const char *name, int argc, char *const argv[], int envc, char *const envp[])
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !name || argc < 0 || envc < 0 || (argc && !argv) || (envc && !envp))
        return -MVM_EINVAL;
    if (vm->loaded)
        return -MVM_EBUSY;
    vm->error[0] = 0;
    return 0;
}

static int load_src(mvm_vm *vm, const char *name, const struct elf_src *src, int argc, char *const argv[],
                    int envc, char *const envp[])
{
    static const int err[] = { 0, -MVM_ENOEXEC, -MVM_ENOMEM, -MVM_EFAULT, -MVM_EIO };
    int r = proc_load(vm->p, name, src, argc, argv, envc, envp, vm->error, sizeof vm->error);
    if (r < -4 || r > 0)
        r = -2;
    vm->loaded = r == 0;
    return err[-r];
}

int vm_load_elf_src(mvm_vm *vm, const char *name, const struct elf_src *src, int argc, char *const argv[],
                    int envc, char *const envp[])
{
    int r = load_args_ok(vm, name, argc, argv, envc, envp);
    return r != 0 ? r : vm->remote ? -MVM_EINVAL : load_src(vm, name, src, argc, argv, envc, envp);
}

int mvm_vm_load_elf(mvm_vm *vm, const char *name, const void *image, size_t size,
                    int argc, char *const argv[], int envc, char *const envp[])
{
    int r = load_args_ok(vm, name, argc, argv, envc, envp);
    if (r != 0)
        return r;
    if (!image && size)
        return -MVM_EINVAL;
    if (vm->remote) {
        size_t len;
        uint8_t *args = pack_args(argc, argv, envc, envp, &len);
        if (!args)
            return -MVM_ENOMEM;
        long hr = HC(VM_LOAD_ELF, vm->handle, PTR(name), PTR(image), size, PTR(args), len);
        free(args);
        if (hr == -MVM_ENOEXEC || hr == -MVM_EIO)
            HC(VM_ERROR, vm->handle, PTR(vm->error), sizeof vm->error, 0, 0, 0);
        vm->loaded = hr == 0;
        return (int)hr;
    }
    struct elf_src src = elf_src_bytes(image, size);
    return load_src(vm, name, &src, argc, argv, envc, envp);
}

int mvm_vm_load_elf_fd(mvm_vm *vm, const char *name, int fd, int argc, char *const argv[], int envc,
                       char *const envp[])
{
    int r = load_args_ok(vm, name, argc, argv, envc, envp);
    if (r != 0)
        return r;
    uint64_t size;
    if ((r = host_file_size(fd, &size)) != 0) {
        bool other = r == -ESPIPE;   /* a directory, a pipe, a device */
        snprintf(vm->error, sizeof vm->error, "%s", other ? "not a regular file" : host_file_strerror(r));
        return other ? -MVM_EACCES : r == -EBADF ? -MVM_EBADF : -MVM_EIO;
    }
    if (size > MVM_HC_IMAGE_MAX) {
        snprintf(vm->error, sizeof vm->error, "program file too large (%llu bytes)", (unsigned long long)size);
        return -MVM_ENOEXEC;
    }
    if (!vm->remote)
        return vm_image_load(vm, name, fd, size, argc, argv, envc, envp);
    /* The monitor above loads it from this one's memory: read it whole,
     * page-aligned, so that it can share the pages rather than copy them. */
    uint8_t *buf = host_page_alloc_now(size ? (size_t)size : 1);
    if (!buf)
        return -MVM_ENOMEM;
    int64_t n = host_file_pread_full(fd, buf, (size_t)size, 0);
    if (n == (int64_t)size)
        r = mvm_vm_load_elf(vm, name, buf, (size_t)size, argc, argv, envc, envp);
    else {
        snprintf(vm->error, sizeof vm->error, "%s",
                 n < 0 ? host_file_strerror((int)n) : "the file shrank while it was read");
        r = -MVM_EIO;
    }
    host_page_free(buf, size ? (size_t)size : 1);
    return r;
}

/* VM_LOAD_PATH made of the monitor above (src: whose view path is in,
 * 0 for ours). */
static int load_path_above(mvm_vm *vm, long src, const char *path, int argc, char *const argv[], int envc,
                           char *const envp[])
{
    size_t len;
    uint8_t *args = pack_args(argc, argv, envc, envp, &len);
    if (!args)
        return -MVM_ENOMEM;
    long r = HC(VM_LOAD_PATH, vm->handle, src, PTR(path), PTR(args), len, 0);
    free(args);
    if (r == -MVM_ENOEXEC || r == -MVM_EIO)
        HC(VM_ERROR, vm->handle, PTR(vm->error), sizeof vm->error, 0, 0, 0);
    vm->loaded = r == 0;
    return (int)r;
}

int mvm_vm_load_elf_path(mvm_vm *vm, const char *path, int argc, char *const argv[], int envc,
                         char *const envp[])
{
    int r = load_args_ok(vm, path, argc, argv, envc, envp);
    if (r != 0)
        return r;
    if (vm->remote && (r = load_path_above(vm, 0, path, argc, argv, envc, envp)) != -MVM_ENOSYS)
        return r;
    /* Here, or (ENOSYS) a monitor above that does not load paths. */
    int fd = host_file_open_read(path);
    if (fd < 0)
        return fd;
    r = mvm_vm_load_elf_fd(vm, path, fd, argc, argv, envc, envp);
    host_file_close(fd);
    return r;
}

int vm_load_path_from(mvm_vm *vm, mvm_vm *src, const char *path, int argc, char *const argv[], int envc,
                      char *const envp[])
{
    int r = load_args_ok(vm, path, argc, argv, envc, envp);
    if (r != 0)
        return r;
    if (src->remote)
        return vm->remote ? load_path_above(vm, src->handle, path, argc, argv, envc, envp) : -MVM_EINVAL;
    /* Opened through src's sandbox, with its rights, as its own open
     * would; only a regular file is a program (as for execve). */
    int gfd = fs_openat(src->p->fs, LX_AT_FDCWD, path, LX_O_RDONLY, 0);
    if (gfd < 0)
        return gfd;
    struct fs_fd_info info;
    int fd = fs_fd_info(src->p->fs, gfd, &info) != 0 ? -MVM_EINVAL
             : info.type != LX_S_IFREG              ? -MVM_EACCES
             : info.host_fd < 0                     ? -MVM_EINVAL
                                                    : host_dup(info.host_fd);
    fs_close(src->p->fs, gfd);
    if (fd < 0)
        return fd;
    r = mvm_vm_load_elf_fd(vm, path, fd, argc, argv, envc, envp);
    host_file_close(fd);
    return r;
}

const char *mvm_vm_error(const mvm_vm *vm)
{
    return vm ? vm->error : "";
}

/* ---- memory and registers ------------------------------------------------ */

static int mem_prot(int prot)
{
    return (prot & MVM_PROT_READ ? MEM_R : 0) | (prot & MVM_PROT_WRITE ? MEM_W | MEM_R : 0) |
           (prot & MVM_PROT_EXEC ? MEM_X : 0);
}

int mvm_vm_map(mvm_vm *vm, uint64_t addr, uint64_t len, int prot)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || (addr | len) & (MEM_PAGE_SIZE - 1) || len == 0 || (prot & ~7))
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_MAP, vm->handle, addr, len, prot, 0, 0);
    if (addr < 0x10000 || addr + len < addr || addr + len > PROC_STACK_TOP)
        return -MVM_EINVAL;
    return mm_map_fixed(vm->p, addr, len, mem_prot(prot));
}

int mvm_vm_unmap(mvm_vm *vm, uint64_t addr, uint64_t len)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm)
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_UNMAP, vm->handle, addr, len, 0, 0, 0);
    return (int)mm_munmap(vm->p, addr, len);
}

int vm_guest_write(mvm_vm *vm, uint64_t addr, const void *src, size_t len)
{
    if (vm->remote)
        return (int)HC(VM_WRITE, vm->handle, addr, PTR(src), len, 1, 0);
    return mem_write(vm->p->as, addr, src, len);
}

int vm_guest_read(mvm_vm *vm, uint64_t addr, void *dst, size_t len)
{
    if (vm->remote)
        return (int)HC(VM_READ, vm->handle, addr, PTR(dst), len, 1, 0);
    return mem_read(vm->p->as, addr, dst, len);
}

int mvm_vm_write(mvm_vm *vm, uint64_t addr, const void *src, size_t len)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || (!src && len))
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_WRITE, vm->handle, addr, PTR(src), len, 0, 0);
    return mem_poke(vm->p->as, addr, src, len);
}

int mvm_vm_read(mvm_vm *vm, uint64_t addr, void *dst, size_t len)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || (!dst && len))
        return -MVM_EINVAL;
    if (vm->remote)
        return (int)HC(VM_READ, vm->handle, addr, PTR(dst), len, 0, 0);
    /* The host may read what the guest cannot (e.g. execute-only pages). */
    uint8_t *d = dst;
    while (len > 0) {
        int err = 0;
        size_t off = (size_t)(addr & (MEM_PAGE_SIZE - 1)), n = MEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        int prot = mem_prot_at(vm->p->as, addr);
        const uint8_t *page = prot < 0 ? NULL
            : mem_translate(vm->p->as, addr & MEM_PAGE_MASK, (prot & MEM_X) && !(prot & MEM_R) ? MEM_X : MEM_R, &err);
        if (!page)
            return -MVM_EFAULT;
        memcpy(d, page + off, n);
        d += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int mvm_vcpu_get_regs(mvm_vm *vm, struct mvm_regs *r)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !r)
        return -MVM_EINVAL;
    if (vm->remote) {
        uint8_t wire[MVM_HC_REGS_SIZE];
        long e = HC(VCPU_GET, vm->handle, PTR(wire), 0, 0, 0, 0);
        if (e == 0)
            hc_get_regs(wire, r);
        return (int)e;
    }
    const struct rv_hart *h = vm->p->hart;
    r->pc = h->pc;
    memcpy(r->x, h->x, sizeof r->x);
    r->x[0] = 0;
    memcpy(r->f, h->f, sizeof r->f);
    r->fcsr = h->frm << 5 | h->fflags;
    return 0;
}

int mvm_vcpu_set_regs(mvm_vm *vm, const struct mvm_regs *r)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm || !r || (r->pc & 1) || (r->fcsr >> 8))
        return -MVM_EINVAL;
    if (vm->remote) {
        uint8_t wire[MVM_HC_REGS_SIZE];
        hc_put_regs(wire, r);
        return (int)HC(VCPU_SET, vm->handle, PTR(wire), 0, 0, 0, 0);
    }
    struct rv_hart *h = vm->p->hart;
    h->pc = r->pc;
    memcpy(h->x, r->x, sizeof r->x);
    h->x[0] = 0;
    memcpy(h->f, r->f, sizeof r->f);
    h->fflags = r->fcsr & 0x1f;
    h->frm = (r->fcsr >> 5) & 7;
    return 0;
}

int mvm_vm_set_budget(mvm_vm *vm, int64_t budget)
{
    if (!vm || budget < 0)
        return -MVM_EINVAL;
    if (vm->remote) {
        int r = (int)HC(VM_SET_BUDGET, vm->handle, budget, 0, 0, 0, 0);
        if (r == 0)
            vm->budget = budget ? budget : INT64_MAX;
        return r;
    }
    if (vm->is_board) {
        vm->budget = budget ? budget : INT64_MAX;
        return 0;
    }
    atomic_store(&vm->p->budget, budget ? budget : INT64_MAX);
    return 0;
}

/* A native VM's budget is its process's, shared by its threads (user/proc.h). */
static int64_t own_budget(const mvm_vm *vm)
{
    return vm->remote || vm->is_board ? vm->budget : atomic_load(&vm->p->budget);
}

int mvm_vm_get_budget(const mvm_vm *vm, int64_t *left)
{
    if (!vm || !left)
        return -MVM_EINVAL;
    int64_t b = own_budget(vm);
    *left = b >= INT64_MAX / 2 ? 0 : b > 0 ? b : -1;
    return 0;
}

int64_t vm_budget_left(const mvm_vm *vm)
{
    int64_t left = own_budget(vm);
    for (const mvm_vm *a = vm->parent; a && !a->remote; a = a->parent)
        if (atomic_load(&a->p->budget) < left)
            left = atomic_load(&a->p->budget);
    return left;
}

/* A budget above this is unlimited: a slice reserves nothing from it, and
 * a charge leaves it as it is. */
#define BUDGET_UNLIMITED (INT64_MAX / 2)

/* Ancestors above this process (remote ones) are charged by the monitor
 * that runs the VM; here, every native one is. The charge does not count
 * as the ancestor's own instructions (instret stays) but as its
 * children's (a forked process's are its VM's own). */
static void charge_budgets(mvm_vm *from, uint64_t instructions)
{
    for (mvm_vm *a = from->parent; a && !a->remote; a = a->parent) {
        /* An unlimited budget is only read (its VM's runs count what their
         * VMs ran by `below`: run_cost): at depth d every exit charges d-1
         * VMs, and an atomic update costs several times what a read does. */
        if (a == from->proc_root || atomic_load_explicit(&a->p->budget, memory_order_relaxed) <= BUDGET_UNLIMITED)
            atomic_fetch_sub(&a->p->budget, (int64_t)instructions);
    }
}

static void charge_below(mvm_vm *from, uint64_t instructions)
{
    for (mvm_vm *a = from->parent; a && !a->remote; a = a->parent)
        if (a != from->proc_root)
            atomic_fetch_add(&a->below, instructions);
}

void vm_charge(mvm_vm *from, uint64_t instructions)
{
    charge_budgets(from, instructions);
    charge_below(from, instructions);
}

/* What the runner's slices have not yet added to its ancestors' `below`
 * goes there now: at the end of each run (so a VM above sees it by the
 * time the run it made returns) and every BELOW_BATCH instructions (so a
 * reader from elsewhere, `mvm stats`, lags by no more). Budgets are
 * charged slice by slice, as they must: see run_guest. */
#define BELOW_BATCH (1 << 24)

static void below_flush(mvm_vm *vm)
{
    if (vm->unbelow) {
        charge_below(vm, vm->unbelow);
        vm->unbelow = 0;
    }
}

/* The end of a run of vm_run_raw's: what it ran is in every VM above. */
static void run_end(mvm_vm *vm)
{
    below_flush(vm);
    proc_run_end(vm->p);
}

/* Where a run began: its cost is counted from there (run_cost). */
struct run_start {
    int64_t budget;
    uint64_t below, instret;
};

static struct run_start run_start(mvm_vm *vm)
{
    return (struct run_start){ atomic_load(&vm->p->budget), atomic_load(&vm->below),
                               atomic_load(&vm->p->instret_pub) };
}

/* What a run cost (mvm_exit.instructions): what left the VM's budget. An
 * unlimited budget stays as it is, but for its forked processes' charges:
 * then what its threads retired and what its VMs ran are added. */
static uint64_t run_cost(mvm_vm *vm, const struct run_start *s)
{
    uint64_t n = (uint64_t)(s->budget - atomic_load(&vm->p->budget));
    if (s->budget <= BUDGET_UNLIMITED)
        return n;
    return n + (atomic_load(&vm->p->instret_pub) - s->instret) + (atomic_load(&vm->below) - s->below);
}

/* ---- running ------------------------------------------------------------- */

/*
 * Threads (user/proc.h, THE RUN LOCK). The main thread runs on the host
 * thread that calls vm_run_raw (the runner), every other one on its own
 * (run_thread). A thread holds the process's run lock while it serves a
 * system call, and runs guest code without it, in parallel with the
 * others (the memory system is thread-safe: mem.h, views). Each run of
 * guest code is a slice taken from the VM's budget (p->budget): at most
 * SLICE instructions when there are other threads or a timer is armed
 * (user/signal.c), the whole budget when alone (then the lock is kept:
 * nobody else could want it). What a slice retired is charged at once to
 * every native ancestor (vm_charge), so budgets cap threads as they cap
 * nested VMs. Signals are taken at slice ends, system-call returns and
 * traps (sig_deliver, sys_dispatch, sig_fault).
 */
#define SLICE 200000

static void exit_of_process(struct proc *p, struct mvm_exit *ex)
{
    const char *lost = p->fault_reason == RV_EXIT_NOMEM ? mem_space_lost(p->as) : NULL;
    if (lost) {
        ex->reason = MVM_EXIT_LOST;
        ex->cause = mem_space_lost_in_swap(p->as) ? MVM_LOST_SWAP : MVM_LOST_SNAPSHOT;
        ex->what = lost;
        ex->signal = LX_SIGKILL;
        ex->status = 128 + LX_SIGKILL;
        ex->pc = p->fault_pc;
    } else if (p->fault_reason == RV_EXIT_NOMEM) {
        ex->reason = MVM_EXIT_NOMEM;
        ex->signal = LX_SIGKILL;
        ex->status = 128 + LX_SIGKILL;
        ex->pc = p->fault_pc;
    } else if (p->fault_reason == RV_EXIT_TRAP) {
        ex->reason = MVM_EXIT_FAULT;
        ex->cause = p->fault_cause;
        ex->addr = p->fault_addr;
        ex->what = rv_cause_name(p->fault_cause);
        ex->signal = p->killed_by;
        ex->status = p->exit_code;
        ex->pc = p->fault_pc;
    } else {
        ex->status = p->exit_code;
        ex->reason = p->killed_by ? MVM_EXIT_SIGNALED : MVM_EXIT_EXITED;
        ex->signal = p->killed_by;
        ex->pc = p->main->hart->pc;
    }
    p->fault_reason = 0;    /* reported once; later runs see the status */
}

/* Records that hart h's thread ended the process with rv_run's result r. */
static void fault(struct proc *p, struct rv_hart *h, int r)
{
    p->exited = true;
    p->fault_pc = h->pc;
    if (r == RV_EXIT_NOMEM) {
        p->fault_reason = RV_EXIT_NOMEM;
        p->killed_by = LX_SIGKILL;      /* as Linux's OOM killer: wait says SIGKILL */
        p->exit_code = 128 + LX_SIGKILL;
    } else {
        p->fault_reason = RV_EXIT_TRAP;
        p->fault_cause = h->cause;
        p->fault_addr = h->tval;
        p->killed_by = proc_signal_of(h->cause);
        p->exit_code = 128 + p->killed_by;
    }
    proc_end(p);
}

/*
 * Interruptions reach down the tree: a VM a guest made runs inside its
 * creator's hypercall, so an owner's mvm_vm_interrupt must end that run
 * too (at a slice end), for the creator's run to end (hc_run then leaves
 * the hypercall to be made again). A forked process is not interrupted
 * with its VM: it parks while the VM is not running.
 */
bool vm_interrupted(const mvm_vm *vm)
{
    if (vm->remote)     /* the monitor that runs it knows */
        return false;
    if (atomic_load(&vm->p->interrupt))
        return true;
    if (vm->proc_root)
        return false;
    for (const mvm_vm *a = vm->parent; a && !a->remote; a = a->parent)
        if (atomic_load(&a->p->interrupt))
            return true;
    return false;
}

/* A VM a guest made (not the top, not a forked process): its runs are
 * its creator's hypercalls. */
static bool made_by_guest(const mvm_vm *vm)
{
    return vm->parent && !vm->proc_root;
}

/* A run (or a served call) begins; an interruption that came before it
 * (its own, between runs, or one above it) is seen at once: beginning
 * clears the stop that mvm_vm_interrupt set, and a guest making system
 * calls more often than a slice ends would otherwise never see it. */
static void run_begin(mvm_vm *vm)
{
    proc_run_begin(vm->p);
    if (vm_interrupted(vm))
        proc_stop(vm->p);
}

static bool interruptible(const mvm_vm *vm)
{
    if (vm->p->interruptible || vm->proc_root)
        return vm->p->interruptible;
    for (const mvm_vm *a = vm->parent; a && !a->remote; a = a->parent)
        if (a->p->interruptible)
            return true;
    return false;
}

/* Takes up to want instructions from the VM's budget for one slice, no
 * more than its ancestors here have left (they are charged after it).
 * *reserved: taken out of the budget (the unused part goes back after
 * the slice); false for an unlimited budget, which is charged what the
 * slice used instead — so that a lone thread running its whole budget
 * does not make the budget look spent to VMs and processes below it
 * that run at the same time on other host threads. */
static int64_t budget_take(mvm_vm *vm, int64_t want, bool *reserved)
{
    struct proc *p = vm->p;
    if (vm->parent) {
        int64_t up = vm_budget_left(vm->parent);
        if (up < want)
            want = up;
    }
    int64_t b = atomic_load(&p->budget), take;
    *reserved = b <= BUDGET_UNLIMITED;
    if (!*reserved)
        return want;
    do {
        take = b < want ? b : want;
        if (take <= 0)
            return 0;
    } while (!atomic_compare_exchange_weak(&p->budget, &b, b - take));
    return take;
}

/*
 * A page could not be had. With a swap file for its memory the thread,
 * out of guest code now, makes room (cold pages out, its own VM's too)
 * or waits for it, and the instruction runs again: true. After
 * ROOM_WAITS tries in a row the VM is out of memory.
 */
#define ROOM_PAGES 256
#define ROOM_WAITS 200
#define ROOM_NAP_NS 5000000u

static bool room_made(mvm_vm *vm, struct thread *t)
{
    if (++t->room_waits > ROOM_WAITS || mem_space_lost(vm->p->as))
        return false;           /* (lost: its memory is not whole, no room helps) */
    long n = mem_space_make_room(vm->p->as, ROOM_PAGES);
    if (n < 0)
        return false;           /* no swap: out of memory */
    if (n == 0)
        host_sleep_ns(ROOM_NAP_NS);   /* nothing cold now: others may free some */
    return true;
}

/*
 * Runs thread t's hart for one slice (the caller holds the run lock);
 * *rv is rv_run's result (RV_EXIT_BUDGET without running if the budget is
 * spent). Returns with the run lock held (PROC_LOCK_OK), or not held if
 * meanwhile the process ended (PROC_LOCK_ENDED) or, for the runner, the
 * run stopped (PROC_LOCK_STOP); another thread is parked in that case.
 */
static int run_guest(mvm_vm *vm, struct thread *t, bool runner, int *rv)
{
    struct proc *p = vm->p;
    struct rv_hart *h = t->hart;
    if (p->stopped) {
        /* Stopped (SIGSTOP & co.): back when continued, to take what is
         * pending (a SIGKILL) before running again. */
        *rv = RV_EXIT_BUDGET;
        return proc_park_stopped(p, t, runner);
    }
    bool alone = p->nlive == 1 && proc_tree_count(p) == 1;
    /* Alone with no timer armed, nothing in the guest can interrupt it:
     * one long run, unless the VM's owner may (mvm_vm_interrupt), which
     * is seen at slice ends. */
    bool whole = alone && !sig_async(p) && !interruptible(vm);
    bool reserved;
    int64_t take = budget_take(vm, whole ? INT64_MAX : SLICE, &reserved);
    if (take == 0) {
        *rv = RV_EXIT_BUDGET;
        return PROC_LOCK_OK;
    }
    if (!alone)
        proc_guest_enter(p, t);
    for (;;) {
        rv_set_budget(h, take);
        *rv = rv_run(h);
        int64_t used = take - h->budget;
        /* Alone, this thread is the only one that counts for its process:
         * no atomic update needed (a slice ends at every exit). */
        if (alone)
            atomic_store_explicit(&p->instret_pub,
                                  atomic_load_explicit(&p->instret_pub, memory_order_relaxed) + (uint64_t)used,
                                  memory_order_relaxed);
        else
            atomic_fetch_add(&p->instret_pub, (uint64_t)used);
        if (reserved)
            atomic_fetch_add(&p->budget, h->budget);   /* what it did not use */
        /* (An unlimited budget stays as it is: run_cost.) The runner's
         * share of `below` waits for the run's end: in lowered nesting a
         * run is long, and every system call ends a slice. */
        charge_budgets(vm, (uint64_t)used);
        if (!runner)
            charge_below(vm, (uint64_t)used);
        else if ((vm->unbelow += (uint64_t)used) >= BELOW_BATCH)
            below_flush(vm);
        if (*rv == RV_EXIT_NOMEM && room_made(vm, t)) {
            *rv = RV_EXIT_BUDGET;   /* as a slice end: the same instruction again */
            whole = false;
        } else if (*rv != RV_EXIT_NOMEM) {
            t->room_waits = 0;
        }
        /* The end of a slice: go on without the lock unless the process
         * ended or stopped meanwhile (seen then in proc_guest_leave), or a
         * signal waits for this thread (taken with the lock: sig_deliver). */
        if (whole || *rv != RV_EXIT_BUDGET || p->ended || p->stop || p->stopped || t->killed || sig_ready(p, t) ||
            (take = budget_take(vm, SLICE, &reserved)) == 0)
            break;
    }
    return alone ? PROC_LOCK_OK : proc_guest_leave(p, t, runner);
}

/* A slice ended by the budget: false if the VM's budget is spent (the run
 * stops: proc_stop; for a forked process, the VM's run stops too). */
static bool budget_left(mvm_vm *vm)
{
    if (vm_budget_left(vm) > 0)
        return true;
    proc_stop(vm->p);
    if (vm->proc_root && vm_budget_left(vm->proc_root) <= 0)
        proc_stop(vm->proc_root->p);
    return false;
}

/* A secondary thread's host thread: runs until it exits or the process
 * ends; parked (in proc_lock) while no run is in progress. */
static void run_thread(void *ctx, struct thread *t)
{
    mvm_vm *vm = ctx;
    struct proc *p = vm->p;
    struct rv_hart *h = t->hart;
    int lr = proc_lock(p, t, false);
    while (lr == PROC_LOCK_OK) {
        int r;
        if ((lr = run_guest(vm, t, false, &r)) != PROC_LOCK_OK)
            break;
        if (r == RV_EXIT_BUDGET) {
            if (!budget_left(vm)) {
                proc_unlock(p, t);
                lr = proc_lock(p, t, false);   /* parked until the next run */
            } else if (sig_deliver(p, t)) {
                proc_end(p);    /* a fatal signal */
                return;
            }
            continue;
        }
        if (r != RV_EXIT_ECALL) {
            if (r != RV_EXIT_TRAP || !sig_fault(p, t)) {
                fault(p, h, r);
                return;
            }
            if (p->exited) {
                proc_end(p);
                return;
            }
            continue;   /* its handler runs */
        }
        if (h->x[17] - MVM_HC_BASE < MVM_HC_COUNT) {
            /* Only the main thread's exits go to an owner (an exit names
             * no thread): the others' hypercalls are not served. */
            if (vm->hc_flags & MVM_HC_CREATE_EXIT_HYPERCALLS) {
                h->x[10] = (uint64_t)-38;   /* ENOSYS */
                h->pc += 4;
            } else {
                vm_hcall_serve(vm);
            }
        } else {
            p->syscalls++;
            sys_dispatch(p);
        }
        if (t->killed) {        /* another thread's execve */
            proc_unlock(p, t);
            return;
        }
        if (t->exit_pending) {
            proc_thread_exit(p, t);
            return;
        }
        if (p->exited) {    /* this thread ended it, or saw the end */
            proc_end(p);
            return;
        }
    }
}

/*
 * Processes (user/process.c). A forked process is a VM object of its own
 * (so that it runs, charges and serves hypercalls like any VM), sharing
 * the first process's pool and charging its budget (parent = the VM),
 * run by a host thread of its own: a run loop that parks while the VM's
 * run is stopped (its budget spent, or between runs) and ends with the
 * process.
 */
static bool vm_running(mvm_vm *root)
{
    struct proc *p = root->p;
    host_mutex_lock(p->mu);
    bool r = p->running && !p->stop;
    host_mutex_unlock(p->mu);
    return r;
}

static void process_main(void *arg)
{
    mvm_vm *vm = arg;
    struct proc *p = vm->p;
    struct mvm_exit ex;
    for (;;) {
        /* Parked until the VM runs with budget left, or the end (a
         * process forked in a run goes on at once; one restored from a
         * snapshot waits for the VM's first run). */
        atomic_store(&vm->parked, true);
        while (proc_state(p) != PROC_LOCK_ENDED && !(vm_running(vm->proc_root) && vm_budget_left(vm) > 0))
            host_sleep_ns(1000000);
        atomic_store(&vm->parked, false);
        if (vm_run_raw(vm, &ex) != 0 || ex.reason != MVM_EXIT_BUDGET)
            break;
    }
    proc_join_threads(p);
    mm_release(p);      /* a zombie keeps no pages and no files */
    fs_close_all(p->fs);
    proc_ended(p);
}

static int start_process(struct proc *parent, struct proc *child)
{
    mvm_vm *pvm = parent->thread_ctx;
    mvm_vm *root = pvm->proc_root ? pvm->proc_root : pvm;
    mvm_vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        return -1;
    vm->p = child;
    /* Its exits go to no owner: it serves its own calls and hypercalls
     * here (in trusted nesting too, as lowered nesting would). */
    vm->hc_flags = 0;
    vm->depth = root->depth;
    vm->parent = root;
    vm->proc_root = root;
    vm->loaded = true;
    child->thread_ctx = vm;
    vm->proc_thread = host_thread_start(process_main, vm);
    if (!vm->proc_thread) {
        free(vm);
        return -1;
    }
    return 0;
}

static void free_process(struct proc *child)
{
    mvm_vm *vm = child->thread_ctx;
    if (!vm) {      /* a zombie restored from a snapshot: it never ran here */
        proc_free(child);
        return;
    }
    host_thread_join(vm->proc_thread);
    vm_children_destroy(vm);
    proc_free(child);
    free(vm);
}

int vm_tree_quiesce(mvm_vm *vm)
{
    struct proc *root = vm->p;
    enum { MAX = 1024 };    /* user/process.c's MAX_PROCS */
    struct proc **list = calloc(MAX, sizeof *list);
    if (!list)
        return -MVM_ENOMEM;
    int n = proc_tree_list(root, list, MAX);
    proc_tree_lock(root);
    for (int i = 1; i < n; i++)
        proc_stop(list[i]);     /* blocked calls give up (to be run again), slices end */
    proc_tree_unlock(root);
    int r = -MVM_EBUSY;
    for (int tries = 0; tries < 10000 && r != 0; tries++) {
        /* Listed again each time: a running process may reap or fork meanwhile. */
        proc_tree_lock(root);
        n = proc_tree_list_locked(root, list, MAX);
        r = 0;
        for (int i = 1; i < n && r == 0; i++) {
            mvm_vm *c = list[i]->thread_ctx;
            if (!list[i]->zombie && (!c || !atomic_load(&c->parked)))
                r = -MVM_EBUSY;
            else if (!list[i]->zombie && !list[i]->stop)
                proc_stop(list[i]);     /* forked since */
        }
        proc_tree_unlock(root);
        if (r != 0)
            host_sleep_ns(1000000);
    }
    free(list);
    return r;
}

/* Runs until an exit, including the SYSCALL and HYPERCALL exits of a VM
 * whose owner serves them (the hypercall server passes those up). */
int vm_run_raw(mvm_vm *vm, struct mvm_exit *ex)
{
    *ex = (struct mvm_exit){ 0 };
    if (vm->remote) {
        uint64_t wire[MVM_HC_EXIT_SIZE / 8];
        long r = HC(VM_RUN, vm->handle, PTR(wire), vm->run_syscall ? MVM_HC_RUN_SYSCALL : 0, 0, 0, 0);
        vm->run_syscall = false;
        if (r == 0) {
            hc_get_exit(wire, ex);
            if (ex->reason == MVM_EXIT_FAULT)
                ex->what = rv_cause_name(ex->cause);
        }
        return (int)r;
    }
    if (vm->is_board)
        return vm_board_run(vm, ex);
    struct proc *p = vm->p;
    struct thread *mt = p->main;
    struct rv_hart *h = mt->hart;
    if (!vm->loaded)
        return -MVM_EINVAL;
    /* A pending call its owner passed through is served first, in this
     * run; one not served is made again. */
    bool pending = vm->run_syscall && vm->at_syscall;
    vm->run_syscall = vm->at_syscall = false;
    /* The run's cost is what left the budget: what the VM's threads
     * retired, and what its own VMs ran meanwhile (charged to it by hc_run). */
    const struct run_start start = run_start(vm);
    if (proc_settle(p)) {      /* it ended (maybe killed by another process) */
        exit_of_process(p, ex);
        return 0;
    }
again:
    run_begin(vm);
    bool have = false;      /* the runner holds the run lock */
    for (;;) {
        if (!have && proc_lock(p, mt, true) != PROC_LOCK_OK)
            break;          /* ended, or stopped (budget) */
        have = true;
        int r = RV_EXIT_ECALL;
        h = mt->hart;       /* execve gives the main thread a new hart */
        bool served = pending;
        pending = false;
        if (!served && run_guest(vm, mt, true, &r) != PROC_LOCK_OK)
            break;          /* meanwhile it ended, or the budget ran out */
        ex->pc = h->pc;
        if (r == RV_EXIT_BUDGET) {
            if (!budget_left(vm))
                break;
            if (vm_interrupted(vm)) {
                proc_stop(p);   /* the others park: the run ends */
                break;
            }
            if (sig_deliver(p, mt)) {   /* the end of a slice: signals */
                proc_end(p);
                break;
            }
            continue;
        }
        if (r != RV_EXIT_ECALL) {
            if (r != RV_EXIT_TRAP || !sig_fault(p, mt)) {
                fault(p, h, r);
                break;
            }
            if (p->exited) {
                proc_end(p);
                break;
            }
            continue;   /* its handler runs */
        }
        if (h->x[17] - MVM_HC_BASE < MVM_HC_COUNT) {
            if (vm->hc_flags & MVM_HC_CREATE_EXIT_HYPERCALLS) {
                ex->reason = MVM_EXIT_HYPERCALL;
                run_end(vm);
                ex->instructions = run_cost(vm, &start);
                return 0;
            }
            vm_hcall_serve(vm);
        } else {
            if ((vm->hc_flags & MVM_HC_CREATE_EXIT_SYSCALLS) && !served) {
                ex->reason = MVM_EXIT_SYSCALL;
                vm->at_syscall = true;
                run_end(vm);
                ex->instructions = run_cost(vm, &start);
                return 0;
            }
            p->syscalls++;
            sys_dispatch(p);
        }
        if (mt->exit_pending) {
            mt->exit_pending = false;
            proc_thread_exit(p, mt);    /* others go on; we wait for the end */
            have = false;
            continue;
        }
        if (p->exited) {
            proc_end(p);
            break;
        }
        if (proc_state(p) != PROC_LOCK_OK)
            break;          /* it blocked, and meanwhile the run stopped or ended */
    }
    bool ended = proc_state(p) == PROC_LOCK_ENDED;
    if (ended) {
        proc_join_threads(p);
        proc_settle(p);
        if (!vm->proc_root)
            proc_tree_end(p);   /* the VM's other processes die with the first */
    }
    h = mt->hart;
    run_end(vm);
    /* A VM a guest made stops for its budget (or a VM's above) or an
     * interruption, nothing else. A stop with neither came from a thread
     * whose budget_take found nothing because other threads' slices had
     * reserved it all (budget_left then sees 0, and the reservations come
     * back after): the run goes on, or its creator would be told its
     * budget was spent. (The top VM's owner just runs it again.) */
    if (!ended && made_by_guest(vm) && !vm_interrupted(vm) && vm_budget_left(vm) > 0)
        goto again;
    ex->instructions = run_cost(vm, &start);
    if (ended) {
        exit_of_process(p, ex);
        return 0;
    }
    ex->pc = h->pc;
    if (vm_interrupted(vm)) {
        /* (An exchange of a byte needs libatomic on some hosts.) One that
         * came meanwhile is this interruption too. An ancestor's stays,
         * for its own run to end. */
        atomic_store(&p->interrupt, false);
        ex->reason = MVM_EXIT_INTERRUPTED;
        return 0;
    }
    ex->reason = MVM_EXIT_BUDGET;
    ex->status = 124;
    return 0;
}

int mvm_vm_set_interruptible(mvm_vm *vm)
{
    if (vm && vm->is_board && !vm->remote)
        return 0;
    if (!vm)
        return -MVM_EINVAL;
    if (vm->remote)
        return -MVM_ENOSYS;
    vm->p->interruptible = true;
    return 0;
}

void vm_running_child(mvm_vm *caller, mvm_vm *child)
{
    /* Only an interruption walks the chain, and only a VM made
     * interruptible before it runs can be interrupted: otherwise no lock
     * is taken (twice per run of a child: every exit of a trusted VM). */
    if (caller->remote || !interruptible(caller))
        return;
    host_mutex_lock(caller->p->mu);
    caller->running_child = child && !child->remote ? child : NULL;
    host_mutex_unlock(caller->p->mu);
}

/* Stops the runs of the VMs vm's run runs (vm's p->mu held): each one's
 * lock is taken before its parent's is dropped, so none can go away. */
static void stop_below(mvm_vm *vm)
{
    mvm_vm *c = vm->running_child;
    if (!c)
        return;
    host_mutex_lock(c->p->mu);
    proc_stop_locked(c->p);
    stop_below(c);
    host_mutex_unlock(c->p->mu);
}

int mvm_vm_interrupt(mvm_vm *vm)
{
    if (vm && vm->is_board && !vm->remote)
        return vm_board_interrupt(vm);
    if (!vm)
        return -MVM_EINVAL;
    if (vm->remote || !vm->p->interruptible)
        return -MVM_ENOSYS;
    atomic_store(&vm->p->interrupt, true);
    /* Blocked calls give up (to be restarted), slices end: its own, and
     * those of the VMs its guest runs now (see vm_interrupted). */
    host_mutex_lock(vm->p->mu);
    proc_stop_locked(vm->p);
    stop_below(vm);
    host_mutex_unlock(vm->p->mu);
    return 0;
}

/*
 * Serves a system call the VM stopped at, as if the VM had no owner. The
 * call may block (a futex wait, a vfork): meanwhile the VM's other threads
 * run, so this is a run of its own, the main thread holding the run lock
 * as in vm_run_raw.
 */
int vm_syscall(mvm_vm *vm)
{
    if (vm->remote)
        return (int)HC(VM_SYSCALL, vm->handle, 0, 0, 0, 0, 0);
    struct proc *p = vm->p;
    struct thread *mt = p->main;
    if (!vm->at_syscall || p->exited)
        return -MVM_EINVAL;   /* not stopped at a system call */
    vm->at_syscall = false;
    run_begin(vm);
    if (proc_lock(p, mt, true) == PROC_LOCK_OK) {
        p->syscalls++;
        sys_dispatch(p);
        if (mt->exit_pending) {
            mt->exit_pending = false;
            proc_thread_exit(p, mt);    /* others go on */
        } else {
            if (p->exited)
                proc_end(p);
            proc_unlock(p, mt);
        }
    }
    if (proc_state(p) == PROC_LOCK_ENDED) {
        proc_join_threads(p);
        proc_settle(p);
        if (!vm->proc_root)
            proc_tree_end(p);
    }
    proc_run_end(p);
    return 0;
}

int mvm_vm_run(mvm_vm *vm, struct mvm_exit *ex)
{
    if (!vm || !ex)
        return -MVM_EINVAL;
    for (;;) {
        int r = vm_run_raw(vm, ex);
        if (r != 0)
            return r;
        if (ex->reason == MVM_EXIT_SYSCALL)
            vm->run_syscall = true;      /* passed through untouched by the next run */
        else if (ex->reason == MVM_EXIT_HYPERCALL)
            vm_hcall_serve(vm);          /* we are its monitor */
        else
            return 0;
        if (r != 0)
            return r;
    }
}

int mvm_perf_map_open(void)
{
    static atomic_int opened;   /* (a word: a byte's exchange needs libatomic on riscv64) */
    if (atomic_exchange(&opened, 1))
        return 0;
    FILE *f = host_perf_map_open();
    if (!f) {
        atomic_store(&opened, 0);
        return -MVM_EIO;
    }
    rv_jit_set_perf_map(f);
    return 0;
}

void mvm_vm_stats(const mvm_vm *vm, struct mvm_stats *out)
{
    memset(out, 0, sizeof *out);
    if (vm)
        vm_stats(vm, out);
}

int mvm_vm_children(const mvm_vm *vm, mvm_vm **out, int max)
{
    int n = 0;
    for (int i = 0; vm && !vm->remote && i < MVM_HC_MAX_CHILDREN; i++)
        if (vm->children[i]) {
            if (n < max)
                out[n] = vm->children[i];
            n++;
        }
    return n;
}

int vm_stats(const mvm_vm *vm, struct mvm_stats *out)
{
    if (vm->remote) {
        uint8_t wire[MVM_HC_STATS_SIZE];
        long r = HC(VM_STATS, vm->handle, PTR(wire), 0, 0, 0, 0);
        if (r == 0)
            hc_get_stats(wire, out);
        return (int)r;
    }
    if (vm->is_board) {
        vm_board_stats(vm, out);
        return 0;
    }
    struct proc *p = vm->p;
    const struct rv_hart *h = p->main->hart;
    struct mem_stats ms;
    mem_pool_stats(p->pool, &ms);
    out->instructions = proc_tree_instret(p);
    out->syscalls = p->syscalls;
    out->blocks_decoded = h->stat_blocks_translated;
    out->blocks_compiled = h->stat_jit_blocks;
    out->jit_regions = h->stat_jit_regions;
    out->jit_code_bytes = h->stat_jit_bytes;
    out->jit_compile_ns = h->stat_jit_ns;
    out->code_flushes = h->stat_cache_flushes;
    out->tlb_misses = h->stat_tlb_misses;
    out->resident_bytes = mem_space_resident(p->as) * MEM_PAGE_SIZE;
    out->peak_bytes = ms.pages_peak * MEM_PAGE_SIZE;
    out->zero_fills = ms.zero_fills;
    out->cow_copies = ms.cow_copies;
    out->shared_bytes = mem_space_shared(p->as) * MEM_PAGE_SIZE;
    out->swapped_bytes = mem_space_swapped(p->as) * MEM_PAGE_SIZE;
    out->children_instructions = atomic_load(&vm->below);
    mvm_vm_balloon_get((mvm_vm *)vm, &out->balloon_target_bytes, &out->ballooned_bytes);
    return 0;
}
