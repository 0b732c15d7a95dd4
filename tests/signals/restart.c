/* SA_RESTART against EINTR on a blocking read of an empty pipe, ended by
 * alarm(1); the restarted read gets the byte the handler wrote. Then a
 * nanosleep interrupted by an alarm returns EINTR with the time left. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile int alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    if (write(fds[1], "x", 1) != 1)
        _exit(3);
}

static void install(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
}

int main(void)
{
    char c;
    if (pipe(fds) != 0)
        return 1;
    install(0);
    alarm(1);
    ssize_t n = read(fds[0], &c, 1);
    printf("no SA_RESTART: read %zd errno EINTR %d alarms %d\n", n, n < 0 && errno == EINTR, alarms);
    n = read(fds[0], &c, 1);     /* the byte the handler wrote */
    printf("then: read %zd '%c'\n", n, c);

    install(SA_RESTART);
    alarm(1);
    n = read(fds[0], &c, 1);
    printf("SA_RESTART: read %zd '%c' alarms %d\n", n, c, alarms);

    install(0);
    alarm(1);
    struct timespec req = { 5, 0 }, rem = { 0, 0 };
    int r = nanosleep(&req, &rem);
    printf("nanosleep: %d EINTR %d rem between 3 and 5 s %d\n", r, r < 0 && errno == EINTR,
           rem.tv_sec >= 3 && rem.tv_sec < 5);
    printf("alarm left: %u\n", alarm(0));
    return 0;
}
