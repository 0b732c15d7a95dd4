/* signalfd: blocked signals read as struct signalfd_siginfo; a
 * non-blocking read with nothing pending gives EAGAIN; a blocking read
 * waits for SIGALRM from alarm(1). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>

int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        return 1;
    raise(SIGUSR1);
    kill(getpid(), SIGUSR2);
    struct signalfd_siginfo si[4];
    ssize_t n = read(fd, si, sizeof si);
    printf("read %zd = %zd records\n", n, n / (ssize_t)sizeof si[0]);
    for (int i = 0; i < n / (ssize_t)sizeof si[0]; i++)
        printf("  signo %u code %d pid-ok %d\n", si[i].ssi_signo, si[i].ssi_code, si[i].ssi_pid == (unsigned)getpid());
    n = read(fd, si, sizeof si);
    printf("empty: %zd EAGAIN %d\n", n, n < 0 && errno == EAGAIN);
    n = read(fd, si, 10);
    printf("short buffer: %zd EINVAL %d\n", n, n < 0 && errno == EINVAL);
    fcntl(fd, F_SETFL, 0);
    alarm(1);
    n = read(fd, si, sizeof si[0]);
    printf("blocking: %zd signo %u code SI_KERNEL %d\n", n, si[0].ssi_signo, si[0].ssi_code == SI_KERNEL);
    sigset_t pend;
    sigpending(&pend);
    printf("none pending: %d\n", !sigismember(&pend, SIGALRM));
    close(fd);
    return 0;
}
