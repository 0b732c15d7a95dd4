/* Synchronous faults to handlers: SIGSEGV (SEGV_MAPERR, SEGV_ACCERR) with
 * si_addr, SIGILL (ILL_ILLOPC, si_addr the instruction), SIGTRAP from
 * ebreak; each handler siglongjmps out. Then a SIGSEGV handler that
 * mprotects the page and returns: the store is retried and succeeds. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int sig, code;
static void *volatile addr;

static void jump(int s, siginfo_t *si, void *uc)
{
    (void)uc;
    sig = s;
    code = si->si_code;
    addr = si->si_addr;
    siglongjmp(env, 1);
}

extern char illegal_insn[], ebreak_insn[];
__asm__(".text\n.globl illegal_insn\nillegal_insn: .word 0\nret\n"
        ".globl ebreak_insn\nebreak_insn: ebreak\nret\n");

static volatile char *page;
static int *volatile bad1 = (int *)0x10, *volatile bad2 = (int *)0x20;
static volatile int fixed;

static void fix(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    fixed++;
    mprotect((void *)((uintptr_t)si->si_addr & ~(uintptr_t)4095), 4096, PROT_READ | PROT_WRITE);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = jump;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);

    for (volatile int round = 0; round < 3; round++) {
        if (sigsetjmp(env, 1) == 0) {
            *(volatile int *)bad1 = 1;
            printf("no fault\n");
        } else {
            printf("null store: sig %d code %d (MAPERR %d) addr %p\n", sig, code, SEGV_MAPERR, addr);
        }
    }
    page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(env, 1) == 0) {
        page[8] = 1;
        printf("no fault\n");
    } else {
        printf("read-only store: sig %d code %d (ACCERR %d) addr ok %d\n", sig, code, SEGV_ACCERR,
               addr == (void *)(page + 8));
    }
    if (sigsetjmp(env, 1) == 0) {
        ((void (*)(void))illegal_insn)();
        printf("no fault\n");
    } else {
        printf("illegal: sig %d code %d (ILL_ILLOPC %d) addr ok %d\n", sig, code, ILL_ILLOPC,
               addr == (void *)illegal_insn);
    }
    if (sigsetjmp(env, 1) == 0) {
        ((void (*)(void))ebreak_insn)();
        printf("no trap\n");
    } else {
        printf("ebreak: sig %d code %d (TRAP_BRKPT %d)\n", sig, code, TRAP_BRKPT);
    }
    /* The mask was restored by siglongjmp: a fault again is caught again. */
    sa.sa_sigaction = fix;
    sigaction(SIGSEGV, &sa, NULL);
    page[100] = 7;
    printf("mprotect fix: fixed %d value %d\n", fixed, page[100]);
    /* Blocked SIGSEGV: the fault ends the process (139). */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_BLOCK, &s, NULL);
    fflush(stdout);
    *(volatile int *)bad2 = 1;
    printf("not reached\n");
    return 0;
}
