/*
 * elf.h — validating and loading static ELF64 RISC-V executables
 * (ET_EXEC, and static-PIE ET_DYN without PT_INTERP).
 */
#ifndef MVM_ELF_H
#define MVM_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "mem/mem.h"

struct elf_image {
    uint64_t entry;        /* after relocation by load_bias */
    uint64_t load_bias;    /* 0 for ET_EXEC */
    uint64_t phdr_addr;    /* guest address of the program headers, 0 if not loaded */
    uint64_t phent, phnum;
    uint64_t lo, hi;       /* lowest and highest guest address of the segments */
};

/*
 * Where a program file's bytes come from: a buffer, a file, another VM's
 * memory. read copies len bytes at off (within size); place puts the
 * bytes [off, off+len) at va of as, whatever va's permissions (NULL: read
 * them and poke them). Each returns 0, MEM_ENOMEM, or another non-zero
 * value with a one-line reason in why (the file could not be read).
 */
struct elf_src {
    uint64_t size;
    int (*read)(const struct elf_src *src, uint64_t off, void *buf, size_t len, char *why, size_t whylen);
    int (*place)(const struct elf_src *src, struct mem_space *as, uint64_t va, uint64_t off, uint64_t len,
                 char *why, size_t whylen);
    const void *ctx;
};
/* A source reading from bytes in the monitor's memory (ctx). */
struct elf_src elf_src_bytes(const uint8_t *file, size_t size);
/* place for a source whose read is all it has: read and poke, 64 KiB at
 * a time. */
int elf_place_copy(const struct elf_src *src, struct mem_space *as, uint64_t va, uint64_t off, uint64_t len,
                   char *why, size_t whylen);

/*
 * Checks the file and maps its PT_LOAD segments into as. Returns 0, or a
 * negative value with a one-line reason in err (the file is bad: the
 * caller exits 126), or MEM_ENOMEM (the memory limit is too small).
 * pie_base is where a static-PIE's lowest segment goes.
 */
int elf_load_src(struct mem_space *as, const struct elf_src *src, uint64_t pie_base, uint64_t va_limit,
                 struct elf_image *img, char *err, size_t errlen);
int elf_load(struct mem_space *as, const uint8_t *file, size_t size, uint64_t pie_base,
             uint64_t va_limit, struct elf_image *img, char *err, size_t errlen);

#endif
