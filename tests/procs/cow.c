/* cow: fork copies memory (copy-on-write), except shared mappings.
   - a global, a heap and a stack variable written by parent and child
     after fork: each sees only its own writes (ordered through pipes);
   - an 8 MiB malloc'd buffer: rewritten by the child, unchanged in the
     parent; rewritten by the parent while the child still reads it, the
     child keeps the old bytes;
   - a MAP_PRIVATE anonymous mapping is copied, a MAP_SHARED anonymous
     mapping is shared: the child's writes show in the parent;
   - a grandchild (fork of a fork) gets its own copy too. */
#include "procs.h"
#include <sys/mman.h>

#define BIG (8u << 20)

int global = 1;

static int all(const unsigned char *b, size_t n, unsigned char c)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != c)
            return 0;
    return 1;
}

static void token(int fd) { MUST(write(fd, "x", 1)); }
static void await(int fd) { char c; MUST(read(fd, &c, 1)); }

int main(void)
{
    int *heap = malloc(sizeof *heap);
    volatile int stack = 1;
    int down[2], up[2];
    *heap = 1;
    MUST(pipe(down));
    MUST(pipe(up));

    pid_t p = MUST(fork());
    if (p == 0) {
        await(down[0]);    /* the parent has written 3s */
        check(global == 1 && *heap == 1 && stack == 1,
              "child still sees 1 after the parent wrote 3 (%d %d %d)", global, *heap, stack);
        global = 2; *heap = 2; stack = 2;
        check(global == 2 && *heap == 2 && stack == 2, "child sees its own 2s");
        token(up[1]);
        await(down[0]);    /* the parent has looked */
        _exit(nfail != 0);
    }
    global = 3; *heap = 3; stack = 3;
    token(down[1]);
    await(up[0]);          /* the child has written 2s */
    check(global == 3 && *heap == 3 && stack == 3,
          "parent keeps 3 after the child wrote 2 (%d %d %d)", global, *heap, stack);
    token(down[1]);
    check(!strcmp(reap(p), "exit 0"), "the child's checks passed");

    /* 8 MiB: the child rewrites it. */
    unsigned char *big = malloc(BIG);
    if (!big) { puts("FAIL malloc 8 MiB"); return 1; }
    memset(big, 'A', BIG);
    p = MUST(fork());
    if (p == 0) {
        int ok = all(big, BIG, 'A');
        memset(big, 'B', BIG);
        _exit(ok && all(big, BIG, 'B') ? 0 : 1);
    }
    check(!strcmp(reap(p), "exit 0"), "the child saw 8 MiB of A and wrote B over them");
    check(all(big, BIG, 'A'), "the parent's 8 MiB are still A");

    /* 8 MiB: the parent rewrites it while the child reads. */
    p = MUST(fork());
    if (p == 0) {
        await(down[0]);
        big[12345] ^= 0;    /* a write that changes nothing */
        _exit(all(big, BIG, 'A') ? 0 : 1);
    }
    memset(big, 'C', BIG);
    big[BIG - 1] = 'D';
    token(down[1]);
    check(!strcmp(reap(p), "exit 0"), "the child still saw A after the parent wrote C");
    check(all(big, BIG - 1, 'C') && big[BIG - 1] == 'D', "the parent sees its C");

    /* Private and shared anonymous mappings. */
    char *priv = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shr = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (priv == MAP_FAILED || shr == MAP_FAILED) { puts("FAIL mmap"); return 1; }
    strcpy(priv, "parent");
    strcpy(shr, "parent");
    strcpy(shr + 40000, "parent");
    p = MUST(fork());
    if (p == 0) {
        strcpy(priv, "child");
        strcpy(shr, "child");
        strcpy(shr + 40000, "child, page 9");
        _exit(0);
    }
    check(!strcmp(reap(p), "exit 0"), "the mapping child exits 0");
    check(!strcmp(priv, "parent"), "MAP_PRIVATE: the parent keeps \"%s\"", priv);
    check(!strcmp(shr, "child") && !strcmp(shr + 40000, "child, page 9"),
          "MAP_SHARED: the parent sees the child's \"%s\" and \"%s\"", shr, shr + 40000);

    /* A parent writing the shared page, its child reading it. */
    p = MUST(fork());
    if (p == 0) {
        await(down[0]);
        _exit(strcmp(shr, "from the parent") == 0 ? 0 : 1);
    }
    strcpy(shr, "from the parent");
    token(down[1]);
    check(!strcmp(reap(p), "exit 0"), "MAP_SHARED: the child sees the parent's later write");

    /* A grandchild. */
    global = 10;
    p = MUST(fork());
    if (p == 0) {
        global = 20;
        pid_t q = MUST(fork());
        if (q == 0) {
            int ok = global == 20;
            global = 30;
            _exit(ok ? 0 : 1);
        }
        const char *st = reap(q);
        _exit(!strcmp(st, "exit 0") && global == 20 ? 0 : 1);
    }
    check(!strcmp(reap(p), "exit 0") && global == 10, "child and grandchild each have their own copy");
    return done();
}
