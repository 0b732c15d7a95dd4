/*
 * elf.c — the ELF64 loader of process mode.
 *
 * Every field is read with explicit little-endian loads (the host may be
 * big-endian) and checked before use: a hostile file gets a one-line
 * reason, never a crash. Spec: System V gABI ch. 4-5; RISC-V ELF psABI.
 *
 * Segments may share a page (the page then gets the union of their
 * permissions) but not bytes: overlapping segments are rejected.
 */
#include "user/elf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define MAX_PHNUM 256
#define EM_RISCV 243
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define EF_RISCV_RVE 0x8

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

static void read_phdr(const uint8_t *p, struct phdr *ph)
{
    ph->type = ld32(p);
    ph->flags = ld32(p + 4);
    ph->offset = ld64(p + 8);
    ph->vaddr = ld64(p + 16);
    ph->filesz = ld64(p + 32);
    ph->memsz = ld64(p + 40);
    ph->align = ld64(p + 48);
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case 3: return "x86";
    case 62: return "x86-64";
    case 40: return "ARM";
    case 183: return "AArch64";
    case 22: return "s390";
    case 8: return "MIPS";
    case 21: return "PowerPC64";
    }
    return NULL;
}

static int prot_of(uint32_t flags)
{
    return (flags & PF_R ? MEM_R : 0) | (flags & PF_W ? MEM_W | MEM_R : 0) | (flags & PF_X ? MEM_X : 0);
}

static int read_bytes(const struct elf_src *src, uint64_t off, void *buf, size_t len, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    memcpy(buf, (const uint8_t *)src->ctx + off, len);
    return 0;
}

static int place_bytes(const struct elf_src *src, struct mem_space *as, uint64_t va, uint64_t off, uint64_t len,
                       char *why, size_t whylen)
{
    (void)why, (void)whylen;
    return mem_poke(as, va, (const uint8_t *)src->ctx + off, (size_t)len);
}

struct elf_src elf_src_bytes(const uint8_t *file, size_t size)
{
    return (struct elf_src){ .size = size, .read = read_bytes, .place = place_bytes, .ctx = file };
}

int elf_place_copy(const struct elf_src *src, struct mem_space *as, uint64_t va, uint64_t off, uint64_t len,
                   char *why, size_t whylen)
{
    enum { CHUNK = 64 << 10 };
    if (len == 0)
        return 0;
    uint8_t *buf = malloc(len < CHUNK ? (size_t)len : CHUNK);
    int r = buf ? 0 : MEM_ENOMEM;
    for (uint64_t done = 0, n; r == 0 && done < len; done += n) {
        n = len - done < CHUNK ? len - done : CHUNK;
        if ((r = src->read(src, off + done, buf, (size_t)n, why, whylen)) == 0)
            r = mem_poke(as, va + done, buf, (size_t)n);
    }
    free(buf);
    return r;
}

/* A source's failure: ENOMEM as it is, else the reason (if any) in err. */
static int src_failed(int r, char *err, size_t errlen, const char *what, const char *why)
{
    if (r != MEM_ENOMEM && r != MEM_EFAULT)
        snprintf(err, errlen, "%s: %s", what, why[0] ? why : "cannot read the file");
    return r == MEM_ENOMEM || r == MEM_EFAULT ? r : MEM_EIO;
}

static int load(struct mem_space *as, const struct elf_src *src, const uint8_t *phs, unsigned phnum, unsigned type,
                uint64_t entry, uint64_t phoff, uint64_t pie_base, uint64_t va_limit, struct elf_image *img,
                char *err, size_t errlen);

int elf_load(struct mem_space *as, const uint8_t *file, size_t size, uint64_t pie_base,
             uint64_t va_limit, struct elf_image *img, char *err, size_t errlen)
{
    struct elf_src src = elf_src_bytes(file, size);
    return elf_load_src(as, &src, pie_base, va_limit, img, err, errlen);
}

int elf_load_src(struct mem_space *as, const struct elf_src *src, uint64_t pie_base, uint64_t va_limit,
                 struct elf_image *img, char *err, size_t errlen)
{
    uint8_t file[EHDR_SIZE];
    char why[160] = "";
    uint64_t size = src->size;
    memset(img, 0, sizeof *img);
    int r = src->read(src, 0, file, size < EHDR_SIZE ? (size_t)size : EHDR_SIZE, why, sizeof why);
    if (r != 0)
        return src_failed(r, err, errlen, "ELF header", why);
    if (size < 4 || memcmp(file, "\177ELF", 4) != 0)
        return fail(err, errlen, "not an ELF file");
    if (size < EHDR_SIZE)
        return fail(err, errlen, "truncated ELF header (%llu bytes)", (unsigned long long)size);
    if (file[4] == 1)
        return fail(err, errlen, "32-bit ELF; only 64-bit RISC-V (RV64) programs run");
    if (file[4] != 2)
        return fail(err, errlen, "bad ELF class %u", file[4]);
    if (file[5] != 1)
        return fail(err, errlen, "big-endian ELF; RISC-V programs are little-endian");
    unsigned type = ld16(file + 16), machine = ld16(file + 18);
    if (machine != EM_RISCV) {
        const char *name = machine_name(machine);
        if (name)
            return fail(err, errlen, "wrong machine: %s ELF, not RISC-V", name);
        return fail(err, errlen, "wrong machine: ELF machine %u, not RISC-V", machine);
    }
    if (type != ET_EXEC && type != ET_DYN)
        return fail(err, errlen, "not an executable (ELF type %u)", type);
    uint32_t eflags = ld32(file + 48);
    if (eflags & EF_RISCV_RVE)
        return fail(err, errlen, "RV32E/RV64E programs are not supported");
    uint64_t entry = ld64(file + 24), phoff = ld64(file + 32);
    unsigned phentsize = ld16(file + 54), phnum = ld16(file + 56);
    if (phentsize != PHDR_SIZE)
        return fail(err, errlen, "bad program header size %u", phentsize);
    if (phnum == 0 || phnum > MAX_PHNUM)
        return fail(err, errlen, "bad program header count %u", phnum);
    if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
        return fail(err, errlen, "truncated: program headers past end of file");
    uint8_t *phs = malloc((size_t)phnum * PHDR_SIZE);
    if (!phs)
        return MEM_ENOMEM;
    r = src->read(src, phoff, phs, (size_t)phnum * PHDR_SIZE, why, sizeof why);
    r = r == 0 ? load(as, src, phs, phnum, type, entry, phoff, pie_base, va_limit, img, err, errlen)
               : src_failed(r, err, errlen, "program headers", why);
    free(phs);
    return r;
}

/* The rest of elf_load_src, once the program headers are read. */
static int load(struct mem_space *as, const struct elf_src *src, const uint8_t *phs, unsigned phnum, unsigned type,
                uint64_t entry, uint64_t phoff, uint64_t pie_base, uint64_t va_limit, struct elf_image *img,
                char *err, size_t errlen)
{
    uint64_t size = src->size;

    /* Pass 1: validate every segment, find the extent. */
    uint64_t lo = UINT64_MAX, hi = 0, phdr_vaddr = 0;
    bool has_load = false, has_phdr = false;
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr ph;
        read_phdr(phs + (uint64_t)i * PHDR_SIZE, &ph);
        if (ph.type == PT_INTERP)
            return fail(err, errlen, "dynamically linked (PT_INTERP); build with -static");
        if (ph.type == PT_PHDR) {
            has_phdr = true;
            phdr_vaddr = ph.vaddr;
        }
        if (ph.type != PT_LOAD)
            continue;
        if (ph.filesz > ph.memsz)
            return fail(err, errlen, "segment %u: file size 0x%llx exceeds memory size 0x%llx", i,
                        (unsigned long long)ph.filesz, (unsigned long long)ph.memsz);
        if (ph.offset > size || ph.filesz > size - ph.offset)
            return fail(err, errlen, "truncated: segment %u extends past end of file", i);
        if (ph.memsz == 0)
            continue;
        has_load = true;
        if (ph.vaddr + ph.memsz < ph.vaddr || ph.memsz > va_limit || ph.vaddr > va_limit - ph.memsz)
            return fail(err, errlen, "segment %u: absurd address range 0x%llx+0x%llx", i,
                        (unsigned long long)ph.vaddr, (unsigned long long)ph.memsz);
        if (!has_phdr && phoff >= ph.offset && phoff + (uint64_t)phnum * PHDR_SIZE <= ph.offset + ph.filesz)
            phdr_vaddr = ph.vaddr + (phoff - ph.offset);
        for (unsigned j = 0; j < i; j++) {
            struct phdr q;
            read_phdr(phs + (uint64_t)j * PHDR_SIZE, &q);
            if (q.type == PT_LOAD && q.memsz && q.vaddr < ph.vaddr + ph.memsz && ph.vaddr < q.vaddr + q.memsz)
                return fail(err, errlen, "segments %u and %u overlap", j, i);
        }
        if (ph.vaddr < lo) lo = ph.vaddr;
        if (ph.vaddr + ph.memsz > hi) hi = ph.vaddr + ph.memsz;
    }
    if (!has_load)
        return fail(err, errlen, "no loadable segment");

    uint64_t bias = 0;
    if (type == ET_DYN) {
        bias = pie_base - (lo & MEM_PAGE_MASK);
        if ((hi - (lo & MEM_PAGE_MASK)) > va_limit - pie_base)
            return fail(err, errlen, "static-PIE image too large");
    } else if ((lo & MEM_PAGE_MASK) < MEM_PAGE_SIZE * 16) {
        return fail(err, errlen, "segment at 0x%llx: below the lowest mappable address 0x10000",
                    (unsigned long long)lo);
    }

    /* The entry point must lie in an executable segment. */
    bool entry_ok = false;
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr ph;
        read_phdr(phs + (uint64_t)i * PHDR_SIZE, &ph);
        if (ph.type == PT_LOAD && (ph.flags & PF_X) && entry >= ph.vaddr && entry - ph.vaddr < ph.memsz)
            entry_ok = true;
    }
    if (!entry_ok)
        return fail(err, errlen, "entry point 0x%llx outside any executable segment", (unsigned long long)entry);

    /* Pass 2: map pages (union of permissions where segments share one). */
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr ph;
        read_phdr(phs + (uint64_t)i * PHDR_SIZE, &ph);
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        uint64_t start = (ph.vaddr + bias) & MEM_PAGE_MASK;
        uint64_t end = (ph.vaddr + bias + ph.memsz + MEM_PAGE_SIZE - 1) & MEM_PAGE_MASK;
        int prot = prot_of(ph.flags);
        for (uint64_t a = start; a < end; a += MEM_PAGE_SIZE) {
            int old = mem_prot_at(as, a);
            int r = old < 0 ? mem_map(as, a, MEM_PAGE_SIZE, prot) : mem_protect(as, a, MEM_PAGE_SIZE, old | prot);
            if (r != 0)
                return r == MEM_ENOMEM ? MEM_ENOMEM : fail(err, errlen, "cannot map segment %u", i);
        }
    }
    /* Pass 3: copy file bytes; the rest (bss) reads as zero. */
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr ph;
        read_phdr(phs + (uint64_t)i * PHDR_SIZE, &ph);
        if (ph.type != PT_LOAD || ph.filesz == 0)
            continue;
        char why[160] = "";
        int r = (src->place ? src->place : elf_place_copy)(src, as, ph.vaddr + bias, ph.offset, ph.filesz, why,
                                                            sizeof why);
        char what[32];
        snprintf(what, sizeof what, "segment %u", i);
        if (r == MEM_EFAULT || r == MEM_ENOMEM || (r != 0 && why[0]))
            return src_failed(r, err, errlen, what, why);
        if (r != 0)
            return fail(err, errlen, "cannot load segment %u", i);
    }
    img->entry = entry + bias;
    img->load_bias = bias;
    img->phdr_addr = phdr_vaddr ? phdr_vaddr + bias : 0;
    img->phent = PHDR_SIZE;
    img->phnum = phnum;
    img->lo = lo + bias;
    img->hi = hi + bias;
    return 0;
}
