/* The signal frame as the handler sees it (ucontext_t): the pc of the
 * faulting instruction in uc_mcontext, a handler that steps over an
 * illegal instruction by changing the saved pc and a saved register, the
 * saved mask, and floating-point state kept across a handler that
 * clobbers it. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

extern char bad_insn[];
/* a0 = 5; illegal; a0 += 1 (the handler sets the saved a0 to 100 and skips). */
__asm__(".text\n.globl try_bad\ntry_bad:\n li a0, 5\n.globl bad_insn\nbad_insn: .word 0\n addi a0, a0, 1\n ret\n");
long try_bad(void);

static volatile int pc_ok, mask_has_usr2;

static void on_ill(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    pc_ok = uc->uc_mcontext.__gregs[REG_PC] == (unsigned long)bad_insn && si->si_addr == (void *)bad_insn;
    mask_has_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
    uc->uc_mcontext.__gregs[REG_PC] += 4;
    uc->uc_mcontext.__gregs[REG_A0] = 100;
}

static volatile double sink;

static void clobber(int sig)
{
    (void)sig;
    volatile double x = 1.0;
    for (int i = 0; i < 10; i++)
        x = x * 3.0 + 1.0;
    sink = x;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    long r = try_bad();
    printf("stepped over: a0 %ld pc ok %d saved mask has SIGUSR2 %d\n", r, pc_ok, mask_has_usr2);

    signal(SIGUSR1, clobber);
    double a = 1.5, b = 2.25;
    for (int i = 0; i < 100; i++) {
        a = a * 1.0001 + b;
        if (i == 50)
            raise(SIGUSR1);
    }
    printf("fp kept: %.6f\n", a);
    return 0;
}
