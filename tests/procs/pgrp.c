/* pgrp: process groups and sessions. The program never signals or
   changes its own group (under qemu-riscv64 that group is the caller's):
   everything that does is done by children in new groups.
   - getpgrp() == getpgid(0) == getpgid(getpid()), getsid(0) == getsid(me);
     (both may be 0 under qemu-riscv64: Linux reports 0 for a group or
     session whose leader is outside the caller's pid namespace, as in a
     container whose runner started the session);
   - a child's setpgid(0, 0) makes it a group leader (getpgrp() ==
     getpid()); the parent sees getpgid(child) == child; a second child
     joins that group with setpgid(0, leader);
   - a child's setsid() returns its pid: getsid(0) == getpgrp() == pid;
     the parent sees getsid(child) == child and keeps its own session;
     setsid() in a group leader fails with EPERM; setpgid of a child in
     another session fails with EPERM;
   - setpgid of a pid that is no child, getpgid and getsid of a missing
     pid: ESRCH; setpgid to a group that does not exist: EPERM;
   - kill(0, SIGUSR1) from a leader reaches its three children in its
     group (they die of it) and itself (its handler runs once);
   - kill(-pgid, SIGTERM) from outside reaches both members of a group,
     waitpid(-pgid) reaps them, then kill(-pgid, 0) gives ESRCH. */
#include "procs.h"

static volatile sig_atomic_t nusr1;

static void on_usr1(int s) { (void)s; nusr1++; }

static const char *errname(int r) { return r == -1 ? strerrorname_np(errno) : r == 0 ? "0" : "a pid"; }

/* Runs fn in a child and waits; the status in words. */
static const char *in_child(int (*fn)(void))
{
    pid_t p = MUST(fork());
    if (p == 0)
        _exit(fn());
    return reap(p);
}

static int new_group(void)
{
    pid_t me = getpid();
    if (setpgid(0, 0) != 0)
        return 1;
    return getpgrp() == me && getpgid(0) == me ? 0 : 2;
}

static int new_session(void)
{
    pid_t me = getpid();
    if (setsid() != me)
        return 1;
    return getsid(0) == me && getpgrp() == me ? 0 : 2;
}

static int leader_setsid(void)
{
    if (setpgid(0, 0) != 0)
        return 1;
    errno = 0;
    return setsid() == -1 && errno == EPERM ? 0 : 2;
}

/* In a new group: three children that pause, then kill(0, SIGUSR1). */
static int group_kill(void)
{
    int fd[2];
    char c;
    if (setpgid(0, 0) != 0 || pipe(fd) != 0)
        return 1;
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            return 2;
        if (kids[i] == 0) {
            write(fd[1], "r", 1);
            for (;;)
                pause();
        }
    }
    for (int i = 0; i < 3; i++)
        if (read(fd[0], &c, 1) != 1)
            return 3;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    if (kill(0, SIGUSR1) != 0)
        return 4;
    int bad = 0;
    for (int i = 0; i < 3; i++)
        if (strcmp(reap(kids[i]), "signal 10"))
            bad++;
    if (bad)
        return 10 + bad;
    return nusr1 == 1 ? 0 : 20 + nusr1;
}

int main(void)
{
    pid_t me = getpid(), pg = getpgrp(), sid = getsid(0);
    const char *st;
    int r;

    puts("-- mine");
    check(pg >= 0 && getpgid(0) == pg && getpgid(me) == pg, "getpgrp() == getpgid(0) == getpgid(getpid())");
    check(sid >= 0 && getsid(me) == sid, "getsid(0) == getsid(getpid())");

    puts("-- groups");
    st = in_child(new_group);
    check(!strcmp(st, "exit 0"), "a child's setpgid(0, 0) makes it a group leader: %s", st);
    int fd[2], go[2];
    char c;
    MUST(pipe(fd));
    MUST(pipe(go));
    pid_t a = MUST(fork());
    if (a == 0) {
        close(go[1]);    /* or the EOF below never comes */
        setpgid(0, 0);
        MUST(write(fd[1], "a", 1));
        read(go[0], &c, 1);
        _exit(0);
    }
    MUST(read(fd[0], &c, 1));
    check(getpgid(a) == a, "the parent sees getpgid(child) == child");
    check(getpgrp() == pg, "and is still in its own group");
    pid_t b = MUST(fork());
    if (b == 0) {
        close(go[1]);
        int ok = setpgid(0, a) == 0 && getpgrp() == a;
        MUST(write(fd[1], ok ? "b" : "B", 1));
        read(go[0], &c, 1);
        _exit(0);
    }
    MUST(read(fd[0], &c, 1));
    check(c == 'b' && getpgid(b) == a, "a second child joins that group with setpgid(0, leader)");
    close(go[1]);
    st = reap(a);
    const char *stb = reap(b);
    check(!strcmp(st, "exit 0") && !strcmp(stb, "exit 0"), "both exit 0");
    close(go[0]);
    MUST(pipe(go));

    puts("-- sessions");
    st = in_child(new_session);
    check(!strcmp(st, "exit 0"), "a child's setsid() returns its pid, getsid(0) == getpgrp() == pid: %s", st);
    a = MUST(fork());
    if (a == 0) {
        close(go[1]);
        int ok = setsid() == getpid();
        MUST(write(fd[1], ok ? "s" : "S", 1));
        read(go[0], &c, 1);
        _exit(0);
    }
    MUST(read(fd[0], &c, 1));
    check(c == 's' && getsid(a) == a && getpgid(a) == a, "the parent sees getsid(child) == child");
    check(getsid(0) == sid, "and keeps its own session");
    r = setpgid(a, pg);
    check(r == -1 && errno == EPERM, "setpgid of a child in another session: %s", errname(r));
    close(go[1]);
    close(go[0]);
    st = reap(a);
    check(!strcmp(st, "exit 0"), "that child exits 0");
    st = in_child(leader_setsid);
    check(!strcmp(st, "exit 0"), "setsid() in a group leader fails with EPERM: %s", st);

    puts("-- errors");
    r = setpgid(999999999, 0);
    check(r == -1 && errno == ESRCH, "setpgid(no such pid): %s", errname(r));
    r = getpgid(999999999);
    check(r == -1 && errno == ESRCH, "getpgid(no such pid): %s", errname(r));
    r = getsid(999999999);
    check(r == -1 && errno == ESRCH, "getsid(no such pid): %s", errname(r));
    MUST(pipe(go));
    a = MUST(fork());
    if (a == 0) {
        close(go[1]);
        read(go[0], &c, 1);
        _exit(0);
    }
    r = setpgid(a, 999999999);
    check(r == -1 && errno == EPERM, "setpgid(child, no such group): %s", errname(r));
    close(go[1]);
    close(go[0]);
    reap(a);

    puts("-- signalling a group");
    st = in_child(group_kill);
    check(!strcmp(st, "exit 0"), "kill(0, SIGUSR1) killed the leader's 3 children and ran its handler once: %s", st);
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = MUST(fork());
        if (kids[i] == 0) {
            setpgid(0, i ? kids[0] : 0);
            MUST(write(fd[1], "r", 1));
            for (;;)
                pause();
        }
        setpgid(kids[i], kids[0]);    /* the parent too, as shells do */
        MUST(read(fd[0], &c, 1));
    }
    check(getpgid(kids[0]) == kids[0] && getpgid(kids[1]) == kids[0], "two children in a group of their own");
    r = kill(-kids[0], SIGTERM);
    check(r == 0, "kill(-pgid, SIGTERM): %s", errname(r));
    int s1 = 0, s2 = 0, n = 0;
    pid_t w1 = waitpid(-kids[0], &s1, 0), w2 = waitpid(-kids[0], &s2, 0);
    n = (w1 == kids[0] || w1 == kids[1]) + (w2 == kids[0] || w2 == kids[1]);
    check(n == 2 && w1 != w2 && WIFSIGNALED(s1) && WTERMSIG(s1) == SIGTERM && WIFSIGNALED(s2) &&
          WTERMSIG(s2) == SIGTERM, "waitpid(-pgid) reaps both: %s, %s", desc(s1), desc(s2));
    r = kill(-kids[0], 0);
    check(r == -1 && errno == ESRCH, "then kill(-pgid, 0): %s", errname(r));
    check(getpgrp() == pg && getsid(0) == sid, "my own group and session never changed");
    return done();
}
