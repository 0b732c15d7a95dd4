/*
 * mkelf.c — writes a malformed variant of a valid ELF64 little-endian
 * executable, for the CLI suite's "the loader rejects it cleanly" checks.
 *
 *   mkelf CASE IN OUT      OUT = IN with the one defect CASE names
 *   mkelf --list           the cases, one a line
 *
 * Fields are read and written byte by byte as little-endian (gABI ch. 4),
 * so the generator works the same on a big-endian host. It refuses (exit 2)
 * when IN lacks what CASE needs (e.g. a second PT_LOAD), so a base that
 * changes shape shows up as a broken test, not as a silently valid file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PT_NULL 0
#define PT_LOAD 1
#define PF_X 1

static uint8_t *img;
static size_t img_size;

static uint64_t get(size_t off, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | img[off + (size_t)i];
    return v;
}

static void put(size_t off, int n, uint64_t v)
{
    for (int i = 0; i < n; i++, v >>= 8)
        img[off + (size_t)i] = (uint8_t)v;
}

/* Offsets of the ELF header fields and of a program header's fields. */
#define E_TYPE 16
#define E_MACHINE 18
#define E_ENTRY 24
#define E_PHOFF 32
#define E_PHENTSIZE 54
#define E_PHNUM 56
#define P_TYPE 0
#define P_FLAGS 4
#define P_OFFSET 8
#define P_VADDR 16
#define P_PADDR 24
#define P_FILESZ 32
#define P_MEMSZ 40

static size_t phdr(unsigned i) { return (size_t)get(E_PHOFF, 8) + (size_t)i * PHDR_SIZE; }
static unsigned phnum(void) { return (unsigned)get(E_PHNUM, 2); }

/* The index of the n-th PT_LOAD with memsz > 0, or -1. */
static int nth_load(int n)
{
    for (unsigned i = 0; i < phnum(); i++)
        if (get(phdr(i) + P_TYPE, 4) == PT_LOAD && get(phdr(i) + P_MEMSZ, 8) && n-- == 0)
            return (int)i;
    return -1;
}

/* The first PT_LOAD (memsz > 0) with (want_x) or without PF_X, or -1. */
static int load_with_x(int want_x)
{
    for (int n = 0, i; (i = nth_load(n)) >= 0; n++)
        if (!!(get(phdr((unsigned)i) + P_FLAGS, 4) & PF_X) == want_x)
            return i;
    return -1;
}

static int unsuitable(const char *why)
{
    fprintf(stderr, "mkelf: base file unsuitable: %s\n", why);
    return 2;
}

struct mutation {
    const char *name;
    const char *what;
    int (*apply)(void);
};

static int trunc_ehdr(void) { img_size = 40; return 0; }
static int class32(void) { img[4] = 1; return 0; }
static int big_endian(void) { img[5] = 2; return 0; }
static int type_core(void) { put(E_TYPE, 2, 4); return 0; }
static int machine_arm(void) { put(E_MACHINE, 2, 40); return 0; }
static int phentsize(void) { put(E_PHENTSIZE, 2, 32); return 0; }
static int phnum_zero(void) { put(E_PHNUM, 2, 0); return 0; }
static int phnum_max(void) { put(E_PHNUM, 2, 0xffff); return 0; }

/* The file ends in the middle of the program header table. */
static int phdr_trunc(void)
{
    size_t end = phdr(phnum() - 1) + PHDR_SIZE;
    if (end > img_size)
        return unsuitable("program headers already past the end");
    img_size = end - PHDR_SIZE / 2;
    return 0;
}

/* e_phoff points 8 bytes before the end of the file. */
static int phoff_eof(void) { put(E_PHOFF, 8, img_size - 8); return 0; }

/* A segment's file bytes run 64 KiB past the end of the file. */
static int seg_past_eof(void)
{
    int i = nth_load(0);
    if (i < 0)
        return unsuitable("no PT_LOAD");
    size_t p = phdr((unsigned)i);
    uint64_t filesz = img_size - get(p + P_OFFSET, 8) + 0x10000;
    put(p + P_FILESZ, 8, filesz);
    if (get(p + P_MEMSZ, 8) < filesz)
        put(p + P_MEMSZ, 8, filesz);
    return 0;
}

/* A segment's file offset lies beyond the end of the file. */
static int seg_offset_eof(void)
{
    int i = nth_load(0);
    if (i < 0)
        return unsuitable("no PT_LOAD");
    size_t p = phdr((unsigned)i);
    put(p + P_OFFSET, 8, ((uint64_t)img_size + 0x10000) & ~(uint64_t)0xfff);
    return 0;
}

static int filesz_gt_memsz(void)
{
    int i = nth_load(0);
    if (i < 0 || get(phdr((unsigned)i) + P_FILESZ, 8) < 64)
        return unsuitable("no PT_LOAD with 64 file bytes");
    size_t p = phdr((unsigned)i);
    put(p + P_MEMSZ, 8, get(p + P_FILESZ, 8) - 16);
    return 0;
}

/* The second PT_LOAD starts 0x100 bytes into the first. */
static int overlap(void)
{
    int a = nth_load(0), b = nth_load(1);
    if (b < 0 || get(phdr((unsigned)a) + P_MEMSZ, 8) <= 0x100)
        return unsuitable("needs two PT_LOADs, the first over 0x100 bytes");
    uint64_t v = get(phdr((unsigned)a) + P_VADDR, 8) + 0x100;
    put(phdr((unsigned)b) + P_VADDR, 8, v);
    put(phdr((unsigned)b) + P_PADDR, 8, v);
    return 0;
}

/* A segment at the top of the 64-bit space: vaddr + memsz wraps around. */
static int vaddr_wrap(void)
{
    int i = nth_load(0);
    if (i < 0 || get(phdr((unsigned)i) + P_MEMSZ, 8) <= 0x1000)
        return unsuitable("needs a PT_LOAD over 4 KiB");
    put(phdr((unsigned)i) + P_VADDR, 8, 0xfffffffffffff000ull);
    put(phdr((unsigned)i) + P_PADDR, 8, 0xfffffffffffff000ull);
    return 0;
}

/* The last segment claims 2^62 bytes of memory (a giant bss). */
static int memsz_huge(void)
{
    int last = -1;
    for (int n = 0, i; (i = nth_load(n)) >= 0; n++)
        last = i;
    if (last < 0)
        return unsuitable("no PT_LOAD");
    put(phdr((unsigned)last) + P_MEMSZ, 8, 1ull << 62);
    return 0;
}

/* The entry point lies 1 MiB above every segment. */
static int entry_unmapped(void)
{
    uint64_t hi = 0;
    for (int n = 0, i; (i = nth_load(n)) >= 0; n++) {
        size_t p = phdr((unsigned)i);
        uint64_t end = get(p + P_VADDR, 8) + get(p + P_MEMSZ, 8);
        if (end > hi)
            hi = end;
    }
    if (!hi)
        return unsuitable("no PT_LOAD");
    put(E_ENTRY, 8, ((hi + 0xfff) & ~(uint64_t)0xfff) + 0x100000);
    return 0;
}

/* The entry point is inside a loaded segment that is not executable. */
static int entry_noexec(void)
{
    int i = load_with_x(0);
    if (i < 0)
        return unsuitable("no PT_LOAD without PF_X");
    put(E_ENTRY, 8, get(phdr((unsigned)i) + P_VADDR, 8) + 16);
    return 0;
}

/* A program header turned into a PT_LOAD with p_memsz 0 but 32 KiB of
 * file bytes starting 16 bytes before the end of the file, aimed at the
 * writable segment: filesz > memsz, and past the end of the file. */
static int load_memsz0(void)
{
    int w = load_with_x(0);
    for (unsigned i = 0; i < phnum() && w >= 0; i++) {
        size_t p = phdr(i);
        if (get(p + P_TYPE, 4) == PT_LOAD)
            continue;
        put(p + P_TYPE, 4, PT_LOAD);
        put(p + P_FLAGS, 4, 6);
        put(p + P_OFFSET, 8, img_size - 16);
        put(p + P_VADDR, 8, get(phdr((unsigned)w) + P_VADDR, 8));
        put(p + P_PADDR, 8, get(phdr((unsigned)w) + P_VADDR, 8));
        put(p + P_FILESZ, 8, 0x8000);
        put(p + P_MEMSZ, 8, 0);
        return 0;
    }
    return unsuitable("needs a writable PT_LOAD and a program header that is not PT_LOAD");
}

static int no_load(void)
{
    int found = 0;
    for (unsigned i = 0; i < phnum(); i++)
        if (get(phdr(i) + P_TYPE, 4) == PT_LOAD) {
            put(phdr(i) + P_TYPE, 4, PT_NULL);
            found = 1;
        }
    return found ? 0 : unsuitable("no PT_LOAD");
}

static const struct mutation mutations[] = {
    { "trunc-ehdr", "file cut inside the ELF header (40 bytes)", trunc_ehdr },
    { "class32", "EI_CLASS says 32-bit", class32 },
    { "bigendian", "EI_DATA says big-endian", big_endian },
    { "type-core", "e_type ET_CORE (not an executable)", type_core },
    { "machine-arm", "e_machine EM_ARM", machine_arm },
    { "phentsize", "e_phentsize 32 instead of 56", phentsize },
    { "phnum0", "e_phnum 0", phnum_zero },
    { "phnum65535", "e_phnum 65535 (PN_XNUM without section 0 info)", phnum_max },
    { "phdr-trunc", "file cut inside the program header table", phdr_trunc },
    { "phoff-eof", "e_phoff 8 bytes before the end of the file", phoff_eof },
    { "seg-past-eof", "a segment's file bytes run past the end of the file", seg_past_eof },
    { "seg-offset-eof", "a segment's p_offset lies beyond the end of the file", seg_offset_eof },
    { "filesz-gt-memsz", "a segment with p_filesz > p_memsz", filesz_gt_memsz },
    { "overlap", "two PT_LOAD segments overlap", overlap },
    { "vaddr-wrap", "a segment at 0xfffffffffffff000 wrapping past 2^64", vaddr_wrap },
    { "memsz-huge", "a segment with p_memsz 2^62", memsz_huge },
    { "entry-unmapped", "e_entry outside every segment", entry_unmapped },
    { "entry-noexec", "e_entry inside a non-executable segment", entry_noexec },
    { "load-memsz0", "a PT_LOAD with p_memsz 0 and file bytes past the end of the file", load_memsz0 },
    { "no-load", "no PT_LOAD segment (all turned into PT_NULL)", no_load },
};

int main(int argc, char **argv)
{
    const size_t n = sizeof mutations / sizeof mutations[0];
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\n", mutations[i].name, mutations[i].what);
        return 0;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: mkelf CASE IN OUT | mkelf --list\n");
        return 2;
    }
    const struct mutation *m = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], mutations[i].name) == 0)
            m = &mutations[i];
    if (!m) {
        fprintf(stderr, "mkelf: unknown case %s\n", argv[1]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    img = malloc(len > 0 ? (size_t)len : 1);
    if (len <= 0 || !img || fread(img, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "mkelf: cannot read %s\n", argv[2]);
        return 2;
    }
    fclose(f);
    img_size = (size_t)len;
    if (img_size < EHDR_SIZE || memcmp(img, "\177ELF\2\1", 6) != 0 || get(E_PHENTSIZE, 2) != PHDR_SIZE ||
        get(E_PHOFF, 8) + (uint64_t)phnum() * PHDR_SIZE > img_size)
        return unsuitable("not a well-formed ELF64 little-endian file");
    int rc = m->apply();
    if (rc)
        return rc;
    f = fopen(argv[3], "wb");
    if (!f || fwrite(img, 1, img_size, f) != img_size || fclose(f) != 0) {
        perror(argv[3]);
        return 2;
    }
    free(img);
    return 0;
}
