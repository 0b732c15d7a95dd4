/* spawn: posix_spawn and vfork (argv[1] is the directory holding the
   test binaries; it must be writable). There is no /bin/sh in the
   sandbox, so system() and popen() are left out; posix_spawn plus a pipe
   is what popen does.
   - posix_spawn of echoargs with argv and envp; its exit status;
   - file actions: dup2 of a pipe onto stdout (the parent reads the output
     back, as popen would), open of a file onto stdout, close;
   - attributes: POSIX_SPAWN_SETPGROUP (a new group), SETSIGMASK,
     SETSIGDEF (probe checks them);
   - posix_spawnp finds echoargs through PATH;
   - posix_spawn of a missing file returns ENOENT itself (glibc's child
     shares the parent's memory through CLONE_VM|CLONE_VFORK to report it);
   - vfork + _exit(42); vfork + execve; vfork + a failing execve + _exit(127);
     the vfork child runs in the parent's memory (a write shows) and the
     parent resumes only after the child's _exit or execve (a write made
     just before execve is there when vfork returns). */
#include "procs.h"
#include <fcntl.h>
#include <spawn.h>

extern char **environ;
static char dir[4096], echo[4200], probe[4200];
static volatile int shared_word;

static const char *spawned(pid_t p, int r)
{
    static char b[64];
    if (r) {
        snprintf(b, sizeof b, "posix_spawn: %s", strerrorname_np(r));
        return b;
    }
    return reap(p);
}

int main(int argc, char **argv)
{
    if (argc < 2) { puts("usage: spawn DIR"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    snprintf(echo, sizeof echo, "%s/echoargs", dir);
    snprintf(probe, sizeof probe, "%s/probe", dir);
    pid_t p;
    int r;

    puts("-- posix_spawn");
    char *av1[] = { "echoargs", "spawned", NULL }, *ev1[] = { "WHO=spawn", NULL };
    r = posix_spawn(&p, echo, NULL, NULL, av1, ev1);
    const char *st = spawned(p, r);
    check(!strcmp(st, "exit 0"), "posix_spawn echoargs: %s", st);
    char *ev2[] = { "EXIT=5", NULL };
    r = posix_spawn(&p, echo, NULL, NULL, av1, ev2);
    st = spawned(p, r);
    check(!strcmp(st, "exit 5"), "its exit status: %s", st);

    /* popen("echoargs ...", "r") by hand. */
    int fd[2];
    MUST(pipe(fd));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    char *av3[] = { "echoargs", "through", "a pipe", NULL }, *ev3[] = { NULL };
    r = posix_spawn(&p, echo, &fa, NULL, av3, ev3);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    char buf[512];
    size_t n = 0;
    ssize_t k;
    while ((k = read(fd[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += k;
    buf[n] = 0;
    close(fd[0]);
    st = spawned(p, r);
    check(!strcmp(st, "exit 0"), "spawned onto a pipe: %s", st);
    check(!strcmp(buf, "argc=3\nargv[0]=echoargs\nargv[1]=through\nargv[2]=a pipe\n"),
          "the parent read its output through the pipe (%zu bytes)", n);

    char out[4400];
    snprintf(out, sizeof out, "%s/spawn.out", dir);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char *av4[] = { "echoargs", "to a file", NULL };
    r = posix_spawn(&p, echo, &fa, NULL, av4, ev3);
    posix_spawn_file_actions_destroy(&fa);
    st = spawned(p, r);
    int ofd = MUST(open(out, O_RDONLY));
    n = MUST(read(ofd, buf, sizeof buf - 1));
    buf[n] = 0;
    close(ofd);
    unlink(out);
    check(!strcmp(st, "exit 0") && !strcmp(buf, "argc=2\nargv[0]=echoargs\nargv[1]=to a file\n"),
          "addopen onto stdout: %s, %zu bytes in the file", st, n);

    /* Attributes, checked by probe. */
    posix_spawnattr_t at;
    sigset_t mask, def;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&at, 0);
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    posix_spawnattr_setsigmask(&at, &mask);
    sigemptyset(&def);
    sigaddset(&def, SIGUSR2);
    posix_spawnattr_setsigdefault(&at, &def);
    signal(SIGUSR2, SIG_IGN);    /* SETSIGDEF puts it back to default in the child */
    signal(SIGHUP, SIG_IGN);     /* but this one stays ignored */
    char *av5[] = { "probe", "leader=1", "blocked=10", "unblocked=12", "default=12", "ignored=1", NULL };
    r = posix_spawn(&p, probe, NULL, &at, av5, ev3);
    posix_spawnattr_destroy(&at);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    st = spawned(p, r);
    check(!strcmp(st, "exit 0"), "spawn attributes: %s", st);

    /* posix_spawnp searches PATH. */
    char pathvar[8300];
    snprintf(pathvar, sizeof pathvar, "%s/no-such-dir:%s", dir, dir);
    setenv("PATH", pathvar, 1);
    char *av6[] = { "echoargs", "found on PATH", NULL };
    r = posix_spawnp(&p, "echoargs", NULL, NULL, av6, ev3);
    st = spawned(p, r);
    check(!strcmp(st, "exit 0"), "posix_spawnp: %s", st);

    char missing[4300];
    snprintf(missing, sizeof missing, "%s/no-such-program", dir);
    r = posix_spawn(&p, missing, NULL, NULL, av6, ev3);
    check(r == ENOENT, "posix_spawn of a missing file returns %s", r ? strerrorname_np(r) : "0");
    if (r == 0)
        reap(p);

    puts("-- vfork");
    shared_word = 1;
    p = vfork();
    if (p == 0) {
        shared_word = 2;
        _exit(42);
    }
    st = reap(p);
    check(!strcmp(st, "exit 42"), "vfork + _exit(42): %s", st);
    check(shared_word == 2, "the vfork child wrote into the parent's memory and ran first (%d)", shared_word);

    char *av7[] = { "echoargs", "vforked", NULL };
    p = vfork();
    if (p == 0) {
        execve(echo, av7, ev3);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 0"), "vfork + execve: %s", st);

    p = vfork();
    if (p == 0) {
        execve(missing, av7, ev3);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 127"), "vfork + a failing execve: %s", st);

    /* The parent is held until the child has exec'd: the child's write
       just before execve is there when vfork returns in the parent. */
    char *av8[] = { "echoargs", "late", NULL };
    shared_word = 1;
    p = vfork();
    if (p == 0) {
        shared_word = 3;
        execve(echo, av8, ev3);
        _exit(127);
    }
    int seen = shared_word;
    st = reap(p);
    check(seen == 3 && !strcmp(st, "exit 0"), "vfork: the parent resumed after the child's execve (%d, %s)", seen, st);
    return done();
}
