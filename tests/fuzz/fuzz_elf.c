/*
 * fuzz_elf.c — libFuzzer target for the ELF loader (user/elf.c).
 *
 * The input is a program file. Each run loads it with elf_load into a fresh
 * address space whose pool allows FUZZ_MEM_LIMIT bytes, with the va_limit
 * and static-PIE base that process mode uses, then frees everything (the
 * leak checker sees any page or table left behind). A file may be refused,
 * never crash the loader. The loader's promises (elf.h), checked here:
 *   - a refusal (-1) comes with a one-line, NUL-terminated reason;
 *   - MEM_ENOMEM is the only other failure;
 *   - on success lo < hi <= va_limit, the entry point lies in [lo, hi) on
 *     an executable page, every page of [lo, hi) that a segment covers is
 *     mapped, and the bytes the segments take from the file are in guest
 *     memory as the file has them.
 * Any violation aborts, which libFuzzer reports with the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "mem/mem.h"
#include "user/elf.h"
#include "user/proc.h"

#define FUZZ_MEM_LIMIT (4u << 20)

static void violated(const char *what, const char *err)
{
    fprintf(stderr, "fuzz_elf: %s (loader said: %s)\n", what, err);
    abort();
}

/* The program headers of a file the loader accepted (already validated by
 * it: the checks below only read what it claims is in bounds). */
static void check_loaded(struct mem_space *as, const uint8_t *file, size_t size, const struct elf_image *img)
{
    if (img->lo >= img->hi || img->hi > PROC_MMAP_TOP)
        violated("image extent empty or past va_limit", "");
    if (img->entry < img->lo || img->entry >= img->hi)
        violated("entry point outside the image", "");
    int prot = mem_prot_at(as, img->entry & MEM_PAGE_MASK);
    if (prot < 0 || !(prot & MEM_X))
        violated("entry point not on an executable page", "");
    uint64_t phoff = ld64(file + 32);
    unsigned phnum = ld16(file + 56);
    static uint8_t buf[4096];
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = file + phoff + (uint64_t)i * 56;
        if (ld32(ph) != 1 || ld64(ph + 40) == 0)
            continue;
        uint64_t off = ld64(ph + 8), va = ld64(ph + 16) + img->load_bias, filesz = ld64(ph + 32);
        uint64_t memsz = ld64(ph + 40);
        if (va < img->lo || va + memsz > img->hi)
            violated("segment outside the reported extent", "");
        for (uint64_t a = va & MEM_PAGE_MASK; a < va + memsz; a += MEM_PAGE_SIZE)
            if (mem_prot_at(as, a) < 0)
                violated("page of a segment not mapped", "");
        if (off > size || filesz > size - off)
            violated("accepted a segment past the end of the file", "");
        /* Segments may share pages but not bytes, so a readable segment
         * holds its file bytes unchanged and zeros after them (bss).
         * Compare the first and last few KiB of each part. */
        if (!(ld32(ph + 4) & 6))
            continue;   /* neither PF_R nor PF_W: not readable */
        for (int part = 0; part < 4; part++) {
            uint64_t len = part < 2 ? filesz : memsz - filesz;
            uint64_t start = part < 2 ? 0 : filesz;
            uint64_t n = len < sizeof buf ? len : sizeof buf;
            uint64_t at = start + (part & 1 ? len - n : 0);
            if (!n)
                continue;
            if (mem_read(as, va + at, buf, (size_t)n) != 0)
                violated("readable segment cannot be read", "");
            for (uint64_t k = 0; k < n; k++)
                if (buf[k] != (part < 2 ? file[off + at + k] : 0))
                    violated(part < 2 ? "segment bytes differ from the file" : "bss not zero", "");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem_pool *pool = mem_pool_new(FUZZ_MEM_LIMIT);
    struct mem_space *as = pool ? mem_space_new(pool) : NULL;
    if (!as) {
        mem_pool_free(pool);
        return 0;
    }
    struct elf_image img;
    char err[256];
    memset(err, 0x55, sizeof err);
    int r = elf_load(as, data, size, PROC_PIE_BASE, PROC_MMAP_TOP, &img, err, sizeof err);
    if (r == -1) {
        if (!memchr(err, 0, sizeof err))
            violated("reason not NUL-terminated", "?");
        if (err[0] == 0 || strchr(err, '\n'))
            violated("reason empty or more than one line", err);
    } else if (r == 0) {
        check_loaded(as, data, size, &img);
    } else if (r != MEM_ENOMEM) {
        violated("unexpected return value", "");
    }
    mem_space_free(as);
    mem_pool_free(pool);
    return 0;
}
