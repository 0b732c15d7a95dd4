/*
 * image.c — program files loaded once per VM tree.
 *
 * A program loaded from a file (mvm_vm_load_elf_fd, VM_LOAD_PATH) is
 * first loaded into a space of its own in the tree's root VM: an image,
 * the program as the loader leaves it, which never runs. Each VM of the
 * tree that loads the same file then gets the image's pages shared
 * copy-on-write: no read, no copy, no page of its own until it writes.
 * Nesting is what this is for: the monitor's own RV64 build is loaded
 * once at every level of `mvm run --depth N`, and the levels below the
 * first read nothing.
 *
 * Which file is "the same" is the host's word (host_file_identity:
 * device, inode, size, change times), and only a file left alone for a
 * while (settled) is kept, so that no change since can have kept those
 * as they were; a file that changed is loaded afresh, and its old image
 * goes when the cache needs the room. The images are charged to the
 * root's memory (they outlive the VMs that loaded them, as a page cache
 * does), at most VM_IMAGE_CACHE bytes of files; the oldest go first.
 */
#include "vm/vm_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "host/host.h"
#include "host/thread.h"
#include "user/elf.h"

#define VM_IMAGE_CACHE (64ull << 20)
#define HEAD_MAX (64u << 10)   /* the ELF header and program headers kept */

struct vm_image {
    struct host_file_id id;
    struct mem_space *as;      /* the loaded program, in the root's pool */
    uint8_t *head;             /* the file's first head_len bytes */
    size_t head_len;
    struct vm_image *next;     /* newer */
};

struct vm_images {
    struct host_mutex *lock;
    struct vm_image *oldest;
    uint64_t bytes;            /* of the files kept */
};

static mvm_vm *root_of(mvm_vm *vm)
{
    while (vm->parent)
        vm = vm->parent;
    return vm;
}

static void image_free(struct vm_image *im)
{
    mem_space_free(im->as);
    free(im->head);
    free(im);
}

void vm_images_free(mvm_vm *vm)
{
    struct vm_images *c = atomic_exchange(&vm->images, NULL);
    if (!c)
        return;
    while (c->oldest) {
        struct vm_image *im = c->oldest;
        c->oldest = im->next;
        image_free(im);
    }
    host_mutex_free(c->lock);
    free(c);
}

/* ---- sources ------------------------------------------------------------ */

struct fd_file {
    int fd;
};

static int read_fd(const struct elf_src *src, uint64_t off, void *buf, size_t len, char *why, size_t whylen)
{
    const struct fd_file *f = src->ctx;
    int64_t n = host_file_pread_full(f->fd, buf, len, off);
    if (n == (int64_t)len)
        return 0;
    if (n >= 0)
        snprintf(why, whylen, "the file shrank while it was read");
    else
        snprintf(why, whylen, "read error: %s", host_file_strerror((int)n));
    return MEM_EIO;
}

static struct elf_src fd_source(const struct fd_file *f, uint64_t size)
{
    return (struct elf_src){ .size = size, .read = read_fd, .place = NULL, .ctx = f };
}

/* An image's source: its headers from what was kept, its segments'
 * pages shared from its space (which the same loader filled from the
 * same headers, so every page is where this load puts it). */
/* Copies [off, off+len) from the headers kept: false if not all there. */
static bool from_head(const struct vm_image *im, uint64_t off, void *buf, size_t len)
{
    if (off > im->head_len || len > im->head_len - off)
        return false;
    memcpy(buf, im->head + off, len);
    return true;
}

static int read_head(const struct elf_src *src, uint64_t off, void *buf, size_t len, char *why, size_t whylen)
{
    if (from_head(src->ctx, off, buf, len))
        return 0;
    snprintf(why, whylen, "not in the image's headers");
    return MEM_EIO;
}

/* Making an image: its headers from what was kept (so that every load
 * of the image reads the same ones), the rest from the file. */
struct making {
    const struct vm_image *im;
    struct fd_file f;
};

static int read_making(const struct elf_src *src, uint64_t off, void *buf, size_t len, char *why, size_t whylen)
{
    const struct making *m = src->ctx;
    if (from_head(m->im, off, buf, len))
        return 0;
    struct elf_src file = fd_source(&m->f, src->size);
    return read_fd(&file, off, buf, len, why, whylen);
}

static int place_shared(const struct elf_src *src, struct mem_space *as, uint64_t va, uint64_t off, uint64_t len,
                        char *why, size_t whylen)
{
    const struct vm_image *im = src->ctx;
    (void)off, (void)why, (void)whylen;
    uint64_t lo = va & MEM_PAGE_MASK, hi = (va + len + MEM_PAGE_SIZE - 1) & MEM_PAGE_MASK;
    int r = mem_share(as, lo, im->as, lo, hi - lo);
    if (r != MEM_EINVAL)
        return r;
    /* A space that cannot share the image's (one not unrolled: its pages
     * are its backing VM's): the image's bytes are copied. */
    uint8_t *page = malloc(MEM_PAGE_SIZE);
    r = page ? 0 : MEM_ENOMEM;
    for (uint64_t p = lo; r == 0 && p < hi; p += MEM_PAGE_SIZE) {
        uint64_t from = p < va ? va : p, to = p + MEM_PAGE_SIZE < va + len ? p + MEM_PAGE_SIZE : va + len;
        if ((r = mem_peek_page(im->as, p, page)) == 0)
            r = mem_poke(as, from, page + (from - p), (size_t)(to - from));
    }
    free(page);
    return r;
}

/* ---- the cache ------------------------------------------------------------ */

/* Unlinks the image *q points at and frees it. */
static void drop(struct vm_images *c, struct vm_image **q)
{
    struct vm_image *im = *q;
    *q = im->next;
    c->bytes -= im->id.size;
    image_free(im);
}

static bool same(const struct host_file_id *a, const struct host_file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->ctime_ns == b->ctime_ns;
}

/* The image of the file behind fd, made if need be (c->lock held); NULL
 * if the file is not one to keep, or cannot be loaded (the caller loads
 * it directly, and reports what is wrong with it). */
static struct vm_image *image_for(mvm_vm *root, struct vm_images *c, int fd, const struct host_file_id *id)
{
    struct vm_image *found = NULL;
    for (struct vm_image **q = &c->oldest; *q;) {
        struct vm_image *im = *q;
        if (same(&im->id, id)) {
            found = im;
            break;
        }
        if (im->id.dev == id->dev && im->id.ino == id->ino) {
            drop(c, q);   /* an old version of the file: it goes now */
            continue;
        }
        q = &im->next;
    }
    if (found || !id->settled || id->size > VM_IMAGE_CACHE)
        return found;
    while (c->oldest && c->bytes + id->size > VM_IMAGE_CACHE)
        drop(c, &c->oldest);
    struct vm_image *im = calloc(1, sizeof *im);
    if (!im)
        return NULL;
    im->id = *id;
    struct making m = { im, { fd } };
    struct elf_src src = { .size = id->size, .read = read_making, .place = NULL, .ctx = &m };
    struct elf_image img;
    char err[160];
    uint8_t eh[64];
    /* The headers first, kept: the image's loads read these bytes, never
     * the file again. */
    if (id->size >= sizeof eh && host_file_pread_full(fd, eh, sizeof eh, 0) == (int64_t)sizeof eh) {
        uint64_t phoff = ld64(eh + 32), end = phoff + (uint64_t)ld16(eh + 56) * ld16(eh + 54);
        if (end < sizeof eh)
            end = sizeof eh;
        if (phoff <= id->size && end <= id->size && end <= HEAD_MAX && (im->head = malloc((size_t)end)) &&
            host_file_pread_full(fd, im->head, (size_t)end, 0) == (int64_t)end)
            im->head_len = (size_t)end;
    }
    if (im->head_len && (im->as = mem_space_new(root->p->pool)) &&
        elf_load_src(im->as, &src, PROC_PIE_BASE, PROC_MMAP_TOP, &img, err, sizeof err) == 0) {
        struct vm_image **end = &c->oldest;
        while (*end)
            end = &(*end)->next;
        *end = im;
        c->bytes += id->size;
        return im;
    }
    if (im->as)
        mem_space_free(im->as);
    free(im->head);
    free(im);
    return NULL;
}

int vm_image_load(mvm_vm *vm, const char *name, int fd, uint64_t size, int argc, char *const argv[], int envc,
                  char *const envp[])
{
    struct fd_file f = { fd };
    struct elf_src direct = fd_source(&f, size);
    mvm_vm *root = root_of(vm);
    struct host_file_id id;
    if (root->remote || !root->p || host_file_identity(fd, &id) != 0 || id.size != size)
        return vm_load_elf_src(vm, name, &direct, argc, argv, envc, envp);
    struct vm_images *c = atomic_load(&root->images);
    if (!c) {
        /* Made by the first load from a file in the tree, which may come
         * from two of its VMs at once. */
        struct vm_images *n = calloc(1, sizeof *n);
        if (!n || !(n->lock = host_mutex_new())) {
            free(n);
            return vm_load_elf_src(vm, name, &direct, argc, argv, envc, envp);
        }
        if (atomic_compare_exchange_strong(&root->images, &c, n))
            c = n;
        else {
            host_mutex_free(n->lock);
            free(n);
        }
    }
    host_mutex_lock(c->lock);
    struct vm_image *im = image_for(root, c, fd, &id);
    int r;
    if (im) {
        struct elf_src shared = { .size = size, .read = read_head, .place = place_shared, .ctx = im };
        r = vm_load_elf_src(vm, name, &shared, argc, argv, envc, envp);
    } else {
        r = vm_load_elf_src(vm, name, &direct, argc, argv, envc, envp);
    }
    host_mutex_unlock(c->lock);
    return r;
}
